"""Before/after timing of LogisticRegression and PoissonRegression across a refactor.

    python benchmarks/glm_refactor.py /path/to/old/src [--n 1e5 1e6] [--d 10 50]

Each cell fits the same seeded data (benchmarks/regression.py's ``make_data``) with
the current code and with the code under ``/path/to/old/src``, in alternating fresh
processes (``PYTHONPATH`` selects the tree), best of ``--rounds`` rounds each; the
table gives both times, their ratio and the largest coefficient difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
import numpy as np
from regression import make_data
import thetahat as th
from thetahat.regression import LogisticRegression, PoissonRegression
family, mode, n, d = {cell!r}
X, y = make_data(family, n, d)
cls = LogisticRegression if family == "logistic" else PoissonRegression
prior = None if mode == "mle" else th.Normal(0.0, 1.0)
cls(prior=prior).fit(X[:2000], y[:2000])  # warm: imports, thread pool
best, cpu = float("inf"), float("inf")
for _ in range({reps}):
    t0, c0 = time.perf_counter(), time.process_time()
    m = cls(prior=prior).fit(X, y)
    se = m.estimate_.se
    best = min(best, time.perf_counter() - t0)
    cpu = min(cpu, time.process_time() - c0)
print(json.dumps({{"t": best, "cpu": cpu, "coef": list(m.coef_), "file": th.__file__}}))
"""


def run(src: str | None, cell: tuple, reps: int = 3) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    code = _CHILD.format(bench=str(HERE), cell=cell, reps=reps)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("old_src")
    ap.add_argument("--n", nargs="+", type=float, default=[1e5, 1e6])
    ap.add_argument("--d", nargs="+", type=int, default=[10, 50])
    ap.add_argument("--family", nargs="+", default=["logistic", "poisson"])
    ap.add_argument("--mode", nargs="+", default=["mle", "map"])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        "| family | fit | n | d | before s | after s | after / before | before cpu s "
        "| after cpu s | cpu after / before | max coef diff |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in [int(v) for v in args.n]:
        for d in args.d:
            for family in args.family:
                for mode in args.mode:
                    cell = (family, mode, n, d)
                    old, new, oldc, newc = [], [], [], []
                    for _ in range(args.rounds):
                        a = run(args.old_src, cell)
                        b = run(None, cell)
                        assert a["file"] != b["file"], "PYTHONPATH did not select the old tree"
                        old.append(a["t"])
                        new.append(b["t"])
                        oldc.append(a["cpu"])
                        newc.append(b["cpu"])
                    diff = float(np.max(np.abs(np.array(a["coef"]) - np.array(b["coef"]))))
                    print(
                        f"| {family} | {mode.upper()} | {n:.0e} | {d} | {min(old):.3f} | "
                        f"{min(new):.3f} | {min(new) / min(old):.2f} | {min(oldc):.3f} | "
                        f"{min(newc):.3f} | {min(newc) / min(oldc):.2f} | {diff:.1e} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
