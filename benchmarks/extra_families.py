"""Benchmark: the issue-19 families' MLE fits against scipy.stats' ``fit``, same data, same run.

For each family and n: thetahat's ``th.fit`` and scipy's equivalent ``fit`` (the same
parameters free: ``floc=0`` where thetahat has no location; scipy's ``weibull_min.fit``
with loc free for ``Weibull3``) timed in turn within each round (interleaved: the same
machine load for both), best of up to ``--rounds`` rounds within a time budget. Printed:
both best times, the ratio scipy / thetahat (> 1: thetahat faster), ``spread`` the
interquartile range of the per-round ratios, and ``dll`` = thetahat's log-likelihood
minus scipy's at its own estimate (>= 0: thetahat at least as good). Run:
``python benchmarks/extra_families.py [--sizes=1000,100000] [--rounds=7]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import platform
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

import thetahat as th

# name, thetahat family, true parameters, scipy fit -> frozen scipy distribution
CASES: list[tuple[str, Any, dict[str, float], Callable[[np.ndarray], Any]]] = [
    ("Logistic", th.Logistic, {"loc": 3.0, "scale": 0.7},
     lambda x: stats.logistic(*stats.logistic.fit(x))),
    ("Gumbel", th.Gumbel, {"loc": -2.0, "scale": 1.3},
     lambda x: stats.gumbel_r(*stats.gumbel_r.fit(x))),
    ("LogLogistic", th.LogLogistic, {"shape": 3.5, "scale": 20.0},
     lambda x: stats.fisk(*stats.fisk.fit(x, floc=0))),
    ("Burr", th.Burr, {"shape1": 2.0, "shape2": 3.0, "rate": 0.5},
     lambda x: stats.burr12(*stats.burr12.fit(x, floc=0))),
    ("InverseGaussian", th.InverseGaussian, {"mu": 2.0, "shape": 5.0},
     lambda x: stats.invgauss(*stats.invgauss.fit(x, floc=0))),
    ("Uniform", th.Uniform, {"low": 2.0, "high": 5.0},
     lambda x: stats.uniform(*stats.uniform.fit(x))),
    ("GeneralizedPareto", th.GeneralizedPareto, {"scale": 2.0, "shape": 0.2},
     lambda x: stats.genpareto(*stats.genpareto.fit(x, floc=0))),
    ("GeneralizedExtremeValue", th.GeneralizedExtremeValue,
     {"loc": 10.0, "scale": 2.0, "shape": -0.2},
     lambda x: stats.genextreme(*stats.genextreme.fit(x))),
    ("Weibull3", th.Weibull3, {"shape": 2.5, "scale": 3.0, "loc": 10.0},
     lambda x: stats.weibull_min(*stats.weibull_min.fit(x))),
]  # fmt: skip


def run(sizes: list[int], rounds: int, budget: float = 3.0) -> None:
    print(f"# extra families: thetahat vs scipy.stats fit ({platform.machine()}, "
          f"{os.cpu_count()} cores, numpy {np.__version__}, scipy "
          f"{__import__('scipy').__version__})")  # fmt: skip
    print(f"{'family':<24}{'n':>8}{'thetahat':>11}{'scipy':>11}{'ratio':>8}{'spread':>16}"
          f"{'dll':>11}")  # fmt: skip
    for name, cls, truth, scipy_fit in CASES:
        for n in sizes:
            x = cls(**truth).sample(n, rng=1)
            times: list[list[float]] = []
            ours = theirs = None
            spent = 0.0
            for _ in range(rounds):
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = th.fit(cls, x)
                t1 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs = scipy_fit(x)
                t2 = time.perf_counter()
                times.append([t1 - t0, t2 - t1])
                spent += t2 - t0
                if spent > budget:
                    break
            arr = np.array(times)
            ratios = arr[:, 1] / arr[:, 0]
            q1, q3 = np.percentile(ratios, [25, 75])
            assert ours is not None and theirs is not None
            dll = ours.loglik - float(np.sum(theirs.logpdf(x)))
            best = arr.min(axis=0)
            spread = f"[{q1:.1f}, {q3:.1f}]"
            print(f"{name:<24}{n:>8}{best[0] * 1e3:>9.2f}ms{best[1] * 1e3:>9.2f}ms"
                  f"{best[1] / best[0]:>8.1f}{spread:>16}{dll:>11.2e}")  # fmt: skip


def main(argv: list[str]) -> None:
    sizes, rounds = [1000, 100_000], 7
    for arg in argv:
        if arg.startswith("--sizes="):
            sizes = [int(float(v)) for v in arg.split("=", 1)[1].split(",")]
        elif arg.startswith("--rounds="):
            rounds = int(arg.split("=", 1)[1])
    run(sizes, rounds)


if __name__ == "__main__":
    main(sys.argv[1:])
