"""Formulas and categorical columns: ``from_formula`` and the fitted :class:`FormulaModel`.

formulaic (the optional extra ``formula``) turns ``"y ~ x1 + C(region) + x1:x2"``
and a data frame into a design matrix; any thetahat regression estimator fits it.
The fitted model keeps formulaic's model spec, so new data are encoded exactly as
the training data were (same levels, same reference level, same column order).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._optional import require

__all__ = ["FormulaModel", "from_formula"]

#: ``model=`` names -> the estimator classes (in thetahat.regression)
MODELS = {
    "linear": "LinearRegression",
    "logistic": "LogisticRegression",
    "poisson": "PoissonRegression",
    "glm": "GLMRegression",
    "negative_binomial": "NegativeBinomialRegression",
    "geometric": "GeometricRegression",
    "zero_inflated_poisson": "ZeroInflatedPoissonRegression",
    "zero_inflated_negative_binomial": "ZeroInflatedNegativeBinomialRegression",
    "truncated_poisson": "TruncatedPoissonRegression",
}
_INTERCEPT = "Intercept"


def _as_pandas(data: Any, what: str) -> Any:
    """A pandas DataFrame from pandas, polars (any eager frame narwhals reads) or a dict."""
    pd = require("pandas", "formula")
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return pd.DataFrame(data)
    nw = require("narwhals", "formula")
    frame = nw.from_native(data, eager_only=True, pass_through=True)
    if isinstance(frame, nw.DataFrame):
        return frame.to_pandas()
    raise TypeError(
        f"{what} must be a data frame (pandas, polars) or a dict of columns; "
        f"got {type(data).__name__}"
    )


def _estimator(model: Any, params: dict[str, Any]) -> Any:
    from sklearn.base import clone

    from .. import regression
    from ._base import RegressionBase

    if isinstance(model, str):
        if model not in MODELS:
            raise ValueError(
                f"model must be one of {sorted(MODELS)} or an estimator; got {model!r}"
            )
        est = getattr(regression, MODELS[model])()
    elif isinstance(model, RegressionBase):
        est = clone(model)
    else:
        raise TypeError(
            "model must be a name (e.g. 'logistic') or a thetahat.regression estimator "
            f"instance; got {type(model).__name__}"
        )
    if "fit_intercept" in params:
        raise TypeError(
            "from_formula sets fit_intercept from the formula: the intercept is in by default; "
            "write '- 1' (or '0 +') in the formula to leave it out"
        )
    try:
        est.set_params(**params)
    except ValueError as exc:
        raise TypeError(f"{type(est).__name__}: {exc}") from None
    return est


class FormulaModel:
    """A regression estimator fitted on a formula's design matrix (see :func:`from_formula`).

    Attributes
    ----------
    formula : str
        The formula as given.
    estimator : RegressionBase
        The fitted thetahat estimator (its ``estimate_``, ``posterior_``, ... are
        also reachable on this object: ``model.estimate_``).
    model_spec : formulaic.ModelSpec
        formulaic's spec of the right-hand side: encodes new data as the training
        data were (levels, reference level, columns).
    feature_names : list of str
        The design's columns (without the intercept, which the estimator fits).
    response : str
        The left-hand side.

    Examples
    --------
    >>> import pandas as pd
    >>> from thetahat.regression import from_formula
    >>> df = pd.DataFrame(
    ...     {"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8], "x": [1, 2, 3, 4, 5, 6],
    ...      "g": ["a", "b", "a", "b", "a", "b"]}
    ... )
    >>> m = from_formula("y ~ x + C(g)", df)
    >>> m.feature_names
    ['x', 'C(g)[T.b]']
    >>> m.predict(pd.DataFrame({"x": [7], "g": ["a"]})).round(2)
    array([6.9])
    """

    def __init__(
        self, formula: str, estimator: Any, model_spec: Any, feature_names: list[str], response: str
    ) -> None:
        self.formula = formula
        self.estimator = estimator
        self.model_spec = model_spec
        self.feature_names = feature_names
        self.response = response

    def __getattr__(self, name: str) -> Any:
        # fitted attributes (``estimate_``, ``coef_``, ``posterior_``, ...) of the estimator
        if name.endswith("_") and not name.startswith("_") and "estimator" in self.__dict__:
            return getattr(self.__dict__["estimator"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"FormulaModel({self.formula!r}, {self.estimator!r})"

    def design(self, data: Any) -> Any:
        """The design matrix of new data, encoded as the training data were.

        Parameters
        ----------
        data : DataFrame (pandas or polars) or dict of columns
            Every column the formula's right-hand side uses (the response is not needed).

        Returns
        -------
        pandas.DataFrame
            Float columns named as in ``feature_names`` (no intercept column).

        Raises
        ------
        ValueError
            A categorical column with a level the model was not fitted on (named,
            with the known levels), a missing column, or a missing value.

        Examples
        --------
        >>> import pandas as pd
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0], "g": ["a", "b", "c", "b"]})
        >>> m = from_formula("y ~ g", df)
        >>> m.design(pd.DataFrame({"g": ["c", "a"]}))
           g[T.b]  g[T.c]
        0     0.0     1.0
        1     0.0     0.0
        """
        frame = _as_pandas(data, "data")
        _check_levels(self.model_spec, frame)
        mm = _materialize(lambda: self.model_spec.get_model_matrix(frame, na_action="raise"))
        return _features(mm, self.feature_names)

    def predict(self, data: Any, **kwargs: Any) -> NDArray[Any]:
        """The estimator's ``predict`` on new data (``kwargs``: its offset, exposure, ...).

        Examples
        --------
        >>> import pandas as pd
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1, 2, 3, 4, 5, 1, 6, 2]})
        >>> from_formula("y ~ x", df, model="logistic").predict(pd.DataFrame({"x": [0, 9]}))
        array([0, 1])
        """
        return np.asarray(self.estimator.predict(self.design(data), **kwargs))

    def predict_proba(self, data: Any) -> NDArray[np.float64]:
        """Class probabilities (classifiers only), columns in ``classes_`` order.

        Examples
        --------
        >>> import pandas as pd
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [0, 1, 0, 1, 1, 0, 1, 1], "x": [1, 2, 3, 4, 5, 1, 6, 2]})
        >>> m = from_formula("y ~ x", df, model="logistic")
        >>> m.predict_proba(pd.DataFrame({"x": [3]})).round(3)
        array([[0.252, 0.748]])
        """
        from sklearn.base import is_classifier

        if not is_classifier(self.estimator):
            raise TypeError(
                f"{type(self.estimator).__name__} is not a classifier: no predict_proba"
            )
        return np.asarray(self.estimator.predict_proba(self.design(data)))

    def predict_interval(
        self, data: Any, level: float = 0.95, kind: str = "confidence", **kwargs: Any
    ) -> NDArray[np.float64]:
        """The estimator's ``predict_interval`` on new data: an (n, 2) array.

        Examples
        --------
        >>> import pandas as pd
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8], "x": [1, 2, 3, 4, 5, 6]})
        >>> m = from_formula("y ~ x", df)
        >>> m.predict_interval(pd.DataFrame({"x": [7]}), kind="prediction").round(2)
        array([[6.34, 7.55]])
        """
        out = self.estimator.predict_interval(self.design(data), level=level, kind=kind, **kwargs)
        return np.asarray(out)

    def predictive(self, data: Any) -> Any:
        """The posterior predictive per row (LinearRegression: see its ``predictive``).

        Examples
        --------
        >>> import pandas as pd
        >>> import thetahat as th
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8], "x": [1, 2, 3, 4, 5, 6]})
        >>> m = from_formula("y ~ x", df, prior=th.NormalInverseGamma(0, 1, 2, 2))
        >>> m.predictive(pd.DataFrame({"x": [7]}))
        StudentT(df=9, loc=[6.76...], scale=[1.00...])
        """
        from .linear import LinearRegression

        if not isinstance(self.estimator, LinearRegression):
            raise TypeError(
                f"predictive() is defined for LinearRegression; this model is "
                f"{type(self.estimator).__name__} (use predict_interval)"
            )
        return self.estimator.predictive(self.design(data))

    def summary(self, level: float = 0.95) -> str:
        """The coefficient table, keyed by the design's column names.

        Examples
        --------
        >>> import pandas as pd
        >>> from thetahat.regression import from_formula
        >>> df = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8], "x": [1, 2, 3, 4, 5, 6]})
        >>> "x" in from_formula("y ~ x", df).summary()
        True
        """
        return str(self.estimator.summary(level))


def _materialize(run: Any) -> Any:
    """Run a formulaic materialisation: a mismatch warning is an error, errors name the cause."""
    formulaic = require("formulaic", "formula")
    mismatch = getattr(formulaic.errors, "DataMismatchWarning", Warning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", mismatch)
        try:
            return run()
        except mismatch as exc:
            raise ValueError(f"the data do not match the fitted encoding: {exc}") from None
        except formulaic.errors.FormulaicError as exc:
            raise ValueError(f"formula: {exc}") from None


def _check_levels(spec: Any, frame: Any) -> None:
    """A clear error for a categorical level the model was not fitted on.

    formulaic would only warn and encode such rows as the reference level.
    """
    data_vars = sorted(spec.variables_by_source.get("data", ()), key=len, reverse=True)
    missing = [v for v in data_vars if v not in frame.columns]
    if missing:
        raise ValueError(
            f"data has no column(s) {', '.join(map(repr, missing))}, which the formula uses"
        )
    for factor, (_kind, state) in spec.encoder_state.items():
        levels = state.get("categories") if isinstance(state, dict) else None
        if levels is None:
            continue
        for var in data_vars:
            if factor != var and not re.search(rf"(?<![\w.]){re.escape(var)}(?![\w.])", factor):
                continue
            values = frame[var]
            seen = set(values[values.notna()].unique().tolist())
            unseen = seen - set(levels)
            if unseen:
                raise ValueError(
                    f"column {var!r} has level(s) {sorted(map(str, unseen))} that the model was "
                    f"not fitted on (levels: {', '.join(map(str, levels))}); a new level has no "
                    "coefficient to predict with"
                )
            break


def _features(mm: Any, names: list[str]) -> Any:
    cols = [c for c in mm.columns if c != _INTERCEPT]
    if list(cols) != names:  # cannot happen with one spec; kept as an invariant
        raise ValueError(f"the design's columns {cols} differ from the fitted {names}")
    pd = require("pandas", "formula")
    return pd.DataFrame(np.asarray(mm[cols], dtype=float), columns=cols, index=mm.index)


def _response(formula: Any, lhs: Any, frame: Any, model: str) -> tuple[Any, str]:
    """The response column: a plain column as it is (labels of any type), else the
    left-hand side's single evaluated column."""
    name = str(formula.lhs).strip()
    if name in frame.columns:
        y = frame[name]
        if y.isna().any():
            i = int(np.flatnonzero(y.isna().to_numpy())[0])
            raise ValueError(f"response {name!r} has a missing value (row {i})")
        return y.to_numpy(), name
    if lhs.shape[1] != 1:
        raise ValueError(
            f"the left-hand side {name!r} evaluates to {lhs.shape[1]} columns; {model} needs one"
        )
    return lhs.iloc[:, 0].to_numpy(), name


def from_formula(
    formula: str,
    data: Any,
    model: Any = "linear",
    *,
    fit_params: dict[str, Any] | None = None,
    **params: Any,
) -> FormulaModel:
    """Fit a thetahat regression from a Wilkinson formula and a data frame.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + C(region) + x1:x2"`` in formulaic's grammar: ``C(col)`` (or a
        string/categorical column) is treatment-coded against its first level
        (``C(col, contr.treatment("b"))`` picks another reference), ``a:b`` is an
        interaction, ``a*b`` both main effects and it, ``np.log(x)`` a transform,
        ``- 1`` drops the intercept.
    data : pandas.DataFrame, polars.DataFrame or dict of columns
    model : str or estimator
        ``"linear"``, ``"logistic"``, ``"poisson"``, ``"glm"``,
        ``"negative_binomial"``, ``"geometric"``, ``"zero_inflated_poisson"``,
        ``"zero_inflated_negative_binomial"``, ``"truncated_poisson"``, or an
        (unfitted) thetahat regression estimator, which is cloned.
    fit_params : dict, optional
        Passed to ``fit``: ``sample_weight``, ``exposure``, ``offset`` (arrays, or
        the name of a column of ``data``).
    **params
        The estimator's parameters (``prior=th.Normal(0, 1)``, ``link="probit"``,
        ...); ``fit_intercept`` comes from the formula.

    Returns
    -------
    FormulaModel
        ``estimate_`` keyed by the design's column names (``"x1"``,
        ``"C(region)[T.b]"``, ``"x1:x2"``; the intercept as ``"intercept"``), and
        ``predict``/``predict_interval``/``design`` that encode new data with the
        fitted levels.

    Raises
    ------
    ValueError
        A missing value in a column the formula uses (rows are never dropped
        silently), an unknown model name, a left-hand side of several columns.
    TypeError
        ``data`` is not a frame; ``model`` is not a thetahat estimator;
        ``fit_intercept`` given (the formula sets it).

    Notes
    -----
    Treatment coding, the first level (sorted) as reference, as statsmodels' and R's
    formulas: coefficients and standard errors equal ``statsmodels.formula.api``'s.
    The intercept column of the design is not passed to the estimator: the
    estimator fits its own (with its flat prior, never shrunk unless
    ``shrink_intercept=True``). Needs the ``formula`` extra
    (``pip install "thetahat[formula]"``).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import thetahat as th
    >>> from thetahat.regression import from_formula
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200),
    ...                    "region": rng.choice(["north", "south", "west"], size=200)})
    >>> eta = 0.5 * df.x1 - 1.0 * (df.region == "west") + 0.3 * df.x1 * df.x2
    >>> df["y"] = (rng.random(200) < 1 / (1 + np.exp(-eta))).astype(int)
    >>> m = from_formula("y ~ x1 + C(region) + x1:x2", df, model="logistic",
    ...                  prior=th.Normal(0, 2.5))
    >>> list(m.estimate_.params)
    ['intercept', 'x1', 'C(region)[T.south]', 'C(region)[T.west]', 'x1:x2']
    >>> new = pd.DataFrame({"x1": [0.0, 1.0], "x2": [0.0, 1.0], "region": ["west", "north"]})
    >>> m.predict_proba(new)[:, 1].round(2)
    array([0.24, 0.78])
    """
    formulaic = require("formulaic", "formula")
    if not isinstance(formula, str):
        raise TypeError(
            f"formula must be a string like 'y ~ x1 + C(g)'; got {type(formula).__name__}"
        )
    frame = _as_pandas(data, "data")
    try:
        parsed = formulaic.Formula(formula)
    except formulaic.errors.FormulaicError as exc:
        raise ValueError(f"formula {formula!r}: {exc}") from None
    if getattr(parsed, "lhs", None) is None or not str(parsed.lhs).strip():
        raise ValueError(f"formula {formula!r} has no response: write 'y ~ ...'")
    est = _estimator(model, params)
    mm = _materialize(lambda: formulaic.model_matrix(parsed, frame, na_action="raise"))
    rhs = mm.rhs
    names = [str(c) for c in rhs.columns if c != _INTERCEPT]
    y, response = _response(parsed, mm.lhs, frame, type(est).__name__)
    est.set_params(fit_intercept=_INTERCEPT in rhs.columns)
    fit_kw = {}
    for key, val in (fit_params or {}).items():
        if isinstance(val, str):
            if val not in frame.columns:
                raise ValueError(f"fit_params[{key!r}] names column {val!r}, which data lack")
            val = frame[val].to_numpy()
        fit_kw[key] = val
    est.fit(_features(rhs, names), y, **fit_kw)
    return FormulaModel(formula, est, mm.model_spec.rhs, names, response)
