"""``import thetahat.regression`` does not import scikit-learn; the estimators do."""

from __future__ import annotations

import subprocess
import sys


def test_import_regression_does_not_load_sklearn() -> None:
    code = (
        "import sys\n"
        "import thetahat.regression as r\n"
        "from thetahat.regression import prior_from_penalty, regularization_path\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
        "import numpy as np\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(50, 3)); y = X @ [1.0, 0.0, -1.0] + rng.normal(size=50)\n"
        "regularization_path(X, y, [0.1, 1.0])\n"
        "assert 'sklearn' not in sys.modules, 'the path imported sklearn'\n"
        "assert 'LogisticRegression' in dir(r)\n"
        "from sklearn.base import BaseEstimator\n"
        "assert issubclass(r.LogisticRegression, BaseEstimator)\n"
        "assert r.LinearRegression is __import__('thetahat.regression.linear').regression.linear"
        ".LinearRegression\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error() -> None:
    import pytest

    import thetahat.regression as r

    with pytest.raises(AttributeError, match="NoSuchModel"):
        r.NoSuchModel  # noqa: B018
