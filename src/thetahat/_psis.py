"""Is a Gaussian approximation good enough? Pareto-smoothed importance sampling.

Shared by the Laplace posteriors of families (``inference``) and of GLMs
(``regression``): draws from the Gaussian ``q = N(m, S)``, log importance ratios
``log p(theta, data) - log q(theta)``, and arviz's PSIS (Vehtari, Simpson, Gelman,
Yao and Gabry 2024, JMLR 25(72)) for the Pareto shape ``k-hat`` of their upper tail:
below 0.5 the Gaussian is close, 0.5 to 0.7 importance-corrected estimates are
reliable, above 0.7 the approximation misses the posterior (importance sampling
cannot repair it). The check is computed when first asked for (``LaplaceCheck``)
and needs ``thetahat[bayes]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["KHAT_BAD", "KHAT_GOOD", "ISDraws", "LaplaceCheck", "psis_draws"]

#: the usual thresholds of k-hat (Vehtari et al. 2024, section 3)
KHAT_GOOD, KHAT_BAD = 0.5, 0.7

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ISDraws:
    """Draws from a Gaussian with their Pareto-smoothed importance weights.

    ``z`` (S, k) are the draws, ``log_w`` the smoothed log weights (normalised to
    sum to 1), ``khat`` the Pareto shape, ``log_evidence`` the importance-sampling
    estimate of ``log p(data)`` from the raw ratios and ``log_evidence_se`` its
    delta-method standard error.
    """

    z: Array
    log_w: Array
    khat: float
    log_evidence: float
    log_evidence_se: float

    @property
    def ess(self) -> float:
        """Effective sample size of the smoothed weights, ``1 / sum w^2``."""
        return float(1.0 / np.sum(np.exp(2.0 * self.log_w)))


def psis_draws(
    log_target: Callable[[Array], Array],
    mean: Array,
    cov: Array,
    draws: int = 4000,
    rng: Any = 0,
) -> ISDraws:
    """PSIS of ``log_target`` (vectorised over rows) against ``N(mean, cov)``.

    Examples
    --------
    >>> import numpy as np
    >>> d = psis_draws(lambda z: -0.5 * np.sum(z**2, axis=1), np.zeros(2), np.eye(2))
    >>> bool(d.khat < 0.5)  # the target is the Gaussian itself (up to a constant)
    True
    """
    from scipy import special as sc
    from scipy import stats as sps

    from ._optional import require
    from ._validation import as_generator

    az = require("arviz", "bayes")
    gen = as_generator(rng, None)
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    z = gen.multivariate_normal(mean, cov, size=int(draws))
    with np.errstate(all="ignore"):
        lt = np.asarray(log_target(z), dtype=float)
    lq = sps.multivariate_normal(mean, cov, allow_singular=True).logpdf(z)
    lr = np.where(np.isfinite(lt), lt - lq, -np.inf)
    n = lr.shape[0]
    log_z = float(sc.logsumexp(lr) - np.log(n))
    w = np.exp(lr - np.max(lr))
    se = float(np.std(w) / (np.sqrt(n) * np.mean(w))) if np.mean(w) > 0 else float("inf")
    finite = np.isfinite(lr)
    shift = np.where(finite, lr, np.min(lr[finite]) - 50.0) if finite.any() else lr
    smoothed, khat = az.psislw(shift.copy())
    lw = np.asarray(smoothed, dtype=float)
    lw = np.where(finite, lw, -np.inf)
    lw = lw - sc.logsumexp(lw)
    return ISDraws(z, lw, float(khat), log_z, se)


class LaplaceCheck(Mapping[str, float]):
    """The PSIS check of a Laplace approximation, computed on first access.

    Keys: ``khat`` (Pareto shape), ``ess_is`` (effective sample size of the
    smoothed weights) and ``draws``. ``result`` is the :class:`ISDraws` itself.

    Examples
    --------
    >>> import numpy as np
    >>> chk = LaplaceCheck(lambda z: -0.5 * np.sum(z**2, axis=1), np.zeros(1), np.eye(1))
    >>> sorted(chk)
    ['draws', 'ess_is', 'khat']
    """

    _KEYS = ("khat", "ess_is", "draws")

    def __init__(
        self,
        log_target: Callable[[Array], Array],
        mean: Array,
        cov: Array,
        draws: int = 4000,
        rng: Any = 0,
    ) -> None:
        # a covariance with ``__array__`` but not an array (a GLM's packed one) is
        # formed only when the draws are made
        lazy = hasattr(cov, "__array__") and not isinstance(cov, np.ndarray)
        self._cov = cov if lazy else np.asarray(cov, dtype=float)
        self._target, self._mean = log_target, np.asarray(mean, dtype=float)
        self._draws, self._rng = int(draws), rng
        self._result: ISDraws | None = None

    def redrawn(self, draws: int, rng: Any) -> LaplaceCheck:
        """The same check with another number of draws and seed (not yet computed)."""
        return LaplaceCheck(self._target, self._mean, self._cov, draws=draws, rng=rng)

    @property
    def result(self) -> ISDraws:
        """The importance draws (computed once)."""
        if self._result is None:
            cov = np.asarray(self._cov, dtype=float)
            self._result = psis_draws(
                self._target, self._mean, cov, draws=self._draws, rng=self._rng
            )
        return self._result

    def __getitem__(self, key: str) -> float:
        if key not in self._KEYS:
            raise KeyError(key)
        r = self.result
        return {"khat": r.khat, "ess_is": r.ess, "draws": float(self._draws)}[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)

    def __repr__(self) -> str:
        if self._result is None:
            return "<LaplaceCheck (PSIS k-hat, computed on first access)>"
        return f"<LaplaceCheck khat={self._result.khat:.3f}>"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)
