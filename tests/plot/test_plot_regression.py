"""The regularisation-path figure: Normal (ridge) vs Laplace (lasso) priors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from thetahat.plot import regularization_path


def test_regularization_path_figure() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(200, 4)), columns=["w", "x", "y", "z"])
    target = X.to_numpy() @ [2.0, -1.0, 0.5, 0.0] + rng.normal(size=200)
    fig = regularization_path(X, target, noise_sd=1.0)
    ax_n, ax_l = fig.axes
    assert len(ax_n.get_lines()) == 5 and len(ax_l.get_lines()) == 5  # 4 paths + zero line
    lap = np.array([ln.get_ydata() for ln in ax_l.get_lines()[:4]])
    gau = np.array([ln.get_ydata() for ln in ax_n.get_lines()[:4]])
    # the L1 corner: at the strongest Laplace prior every weight is exactly 0
    assert np.all(lap[:, 0] == 0.0)
    assert np.all(gau != 0.0)  # the Gaussian only shrinks
    # the weakest priors approach OLS
    ols = np.linalg.lstsq(np.column_stack([X, np.ones(200)]), target, rcond=None)[0][:4]
    np.testing.assert_allclose(lap[:, -1], ols, atol=5e-3)
    np.testing.assert_allclose(gau[:, -1], ols, atol=5e-3)
    assert [t.get_text() for t in ax_l.get_legend().get_texts()] == ["w", "x", "y", "z"]
