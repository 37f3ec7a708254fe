"""The posterior of a Bayesian linear regression over its weights (and noise variance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

from .._format import fmt, jsonable
from .._validation import check_level

__all__ = ["RegressionPosterior"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class RegressionPosterior:
    """Posterior over regression weights ``w`` (named, intercept last) and sigma^2.

    Attributes
    ----------
    names : tuple of str
        Feature names, then "intercept" when there is one.
    loc : ndarray
        Posterior mean (= mode) of the weights.
    scale : ndarray or LazyCovariance
        For a Gaussian posterior (``df is None``) the covariance; for a
        multivariate Student t the scale matrix (covariance ``scale df/(df-2)``).
        A wide GLM's Laplace posterior shares its estimate's
        :class:`~thetahat.results.LazyCovariance`, formed on first use.
    df : float or None
        Degrees of freedom of the multivariate t marginal (NIG prior), None for
        a Gaussian posterior (known noise).
    noise_shape, noise_scale : float or None
        ``sigma^2 | y ~ InverseGamma(noise_shape, noise_scale)`` (NIG prior).
    noise_var : float or None
        The fixed noise variance when it was given or chosen by evidence.
    log_evidence : float
        ``log p(y | X)``; with an unshrunk intercept its flat prior has unit
        density (Lebesgue measure), so evidences compare between models fitted
        the same way.
    exact : bool
        True: closed form (conjugate).
    hyper : dict
        Prior hyperparameters (and, for ``prior="evidence"``, the chosen ones).
    """

    names: tuple[str, ...]
    loc: Array
    scale: Array
    df: float | None
    log_evidence: float
    n: float
    prior: Any
    noise_shape: float | None = None
    noise_scale: float | None = None
    noise_var: float | None = None
    exact: bool = True
    hyper: dict[str, float] = field(default_factory=dict)

    def _named(self, v: Array) -> dict[str, float]:
        return {k: float(x) for k, x in zip(self.names, v, strict=True)}

    @property
    def _scale(self) -> Array:
        return np.asarray(self.scale)  # (a LazyCovariance is formed here, once)

    @property
    def cov(self) -> Array:
        """Posterior covariance of the weights."""
        if self.df is None:
            return self._scale
        if self.df <= 2:
            return np.full_like(self._scale, np.inf)
        return self._scale * (self.df / (self.df - 2.0))

    def mode(self) -> dict[str, float]:
        """Posterior mode (= MAP) of the weights, name -> value."""
        return self._named(self.loc)

    def mean(self) -> dict[str, float]:
        """Posterior mean of the weights, name -> value."""
        return self._named(self.loc)

    def std(self) -> dict[str, float]:
        """Marginal posterior standard deviations, name -> value."""
        return self._named(np.sqrt(np.diag(self.cov)))

    def _q(self, level: float) -> float:
        q = (1.0 + check_level(level)) / 2.0
        return float(sc.ndtri(q) if self.df is None else sc.stdtrit(self.df, q))

    def interval(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Equal-tailed marginal credible intervals (normal or Student t)."""
        half = self._q(level) * np.sqrt(np.diag(self._scale))
        return {
            k: (float(m - h), float(m + h))
            for k, m, h in zip(self.names, self.loc, half, strict=True)
        }

    def noise_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Credible interval of the noise variance sigma^2 (inverse gamma)."""
        lv = check_level(level)
        if self.noise_shape is None or self.noise_scale is None:
            v = float(self.noise_var) if self.noise_var is not None else float("nan")
            return (v, v)
        q = np.array([(1.0 + lv) / 2.0, (1.0 - lv) / 2.0])
        lo, hi = self.noise_scale / sc.gammainccinv(self.noise_shape, 1.0 - q)
        return float(lo), float(hi)

    def sample(self, size: int = 1, rng: Any = None) -> dict[str, Array]:
        """Joint draws: weights by name, plus "sigma2" (the noise variance)."""
        gen = np.random.default_rng(rng)
        k = self.loc.shape[0]
        try:
            chol = np.linalg.cholesky(self._scale + 1e-300 * np.eye(k))
        except np.linalg.LinAlgError:  # a degenerate Gaussian (e.g. centred intercepts)
            vals, vecs = np.linalg.eigh(self._scale)
            chol = vecs * np.sqrt(np.maximum(vals, 0.0))
        z = gen.standard_normal((size, k)) @ chol.T
        if self.noise_shape is not None and self.noise_scale is not None:
            s2 = self.noise_scale / gen.gamma(self.noise_shape, 1.0, size=size)
            # w | sigma^2 ~ N(loc, sigma^2 V) with scale = (b/a) V
            factor = np.sqrt(s2 * self.noise_shape / self.noise_scale)
            w = self.loc + z * factor[:, None]
        else:
            s2 = np.full(size, np.nan if self.noise_var is None else self.noise_var)
            w = self.loc + z
        out = {name: w[:, j] for j, name in enumerate(self.names)}
        out["sigma2"] = s2
        return out

    def summary(self, level: float = 0.95) -> str:
        """Plain-text table: mean, sd and credible interval per weight."""
        ci, sd = self.interval(level), self.std()
        width = 78
        kind = "exact" if self.exact else "approximate"
        lab = max([14, *(len(k) + 1 for k in self.names)])
        lines = [
            "thetahat regression posterior".center(width),
            "=" * width,
            f"{'Prior:':<16}{self.prior!r}",
            f"{'Posterior:':<16}"
            + ("Normal" if self.df is None else f"Student t (df={fmt(self.df)})")
            + f" over the weights ({kind})",
            f"{'Observations:':<16}{fmt(self.n):<30}{'Log evidence:':<16}{fmt(self.log_evidence)}",
        ]
        if self.noise_shape is not None:
            lo, hi = self.noise_interval(level)
            lines.append(
                f"{'Noise var:':<16}InverseGamma({fmt(self.noise_shape)}, {fmt(self.noise_scale)})"
                f", {level:.0%} interval [{fmt(lo)}, {fmt(hi)}]"
            )
        elif self.noise_var is not None:
            lines.append(f"{'Noise var:':<16}{fmt(self.noise_var)} (fixed)")
        for key, val in self.hyper.items():
            lines.append(f"{key + ':':<16}{fmt(val)}")
        lines += [
            "-" * width,
            f"{'':<{lab}}{'mean':>14}{'sd':>14}"
            f"{f'[{(1 - level) / 2:.3g}':>14}{f'{(1 + level) / 2:.3g}]':>14}",
        ]
        for k in self.names:
            lines.append(
                f"{k:<{lab}}{fmt(self.mean()[k], 14)}{fmt(sd[k], 14)}"
                f"{fmt(ci[k][0], 14)}{fmt(ci[k][1], 14)}"
            )
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return jsonable(
            {
                "names": list(self.names),
                "mean": self.mean(),
                "sd": self.std(),
                "interval_95": {k: list(v) for k, v in self.interval().items()},
                "df": self.df,
                "cov": self.cov,
                "noise_shape": self.noise_shape,
                "noise_scale": self.noise_scale,
                "noise_var": self.noise_var,
                "log_evidence": self.log_evidence,
                "n": self.n,
                "exact": self.exact,
                "hyper": self.hyper,
                "prior": repr(self.prior),
            }
        )
