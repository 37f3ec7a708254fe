"""Grouped aggregation of in-memory columns (every engine's per-partition code) against
group-by-group numpy reductions computed here."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from thetahat.statistics.engines import Agg, col, lit
from thetahat.statistics.engines.base import aggregate_arrays, factorize_keys
from thetahat.statistics.engines.expr import WEIGHT

X = col("x")
AGGS = {
    "n": Agg("sum", lit(1.0)),
    "total": Agg("sum", X),
    "slog": Agg("sum", X.log()),
    "lo": Agg("min", X),
    "hi": Agg("max", X),
    "m": Agg("moments", X, centre=1.5),
}


def reference(x: np.ndarray, g: np.ndarray, w: np.ndarray | None) -> dict[Any, dict]:
    """Per key (first-appearance order), each aggregate reduced over the group's rows."""
    order = np.argsort(g, kind="stable")
    keys, starts = np.unique(g[order], return_index=True)
    rows_of = dict(zip(keys.tolist(), np.split(order, starts[1:]), strict=True))
    out: dict[Any, dict] = {}
    for key in pd.unique(g).tolist():
        rows = rows_of[key]
        xs = x[rows]
        ws = np.ones_like(xs) if w is None else w[rows]
        live = ws > 0
        n = ws.sum()
        with np.errstate(all="ignore"):
            mean = (ws * xs).sum() / n
        out[key] = {
            "n": n,
            "total": (ws * xs).sum(),
            "slog": (ws * np.log(xs)).sum(),
            "lo": xs[live].min() if live.any() else np.inf,
            "hi": xs[live].max() if live.any() else -np.inf,
            "m.n": n,
            "m.mean": mean,
            "m.m2": (ws * (xs - mean) ** 2).sum(),
        }
    return out


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [
        (np.int64, 0, 2000),
        (np.int32, -40, 60),
        (np.uint8, 3, 9),
        (np.int64, 7, 8),
        (np.int64, 0, 10**12),
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_one_integer_key_equals_group_by_group(dtype, low, high, weighted) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    m = 8_000
    x = rng.gamma(2.0, 1.5, m) + 1e-9
    g = rng.integers(low, high, m).astype(dtype)
    data = {"x": x, "g": g}
    w = rng.integers(0, 3, m).astype(float) if weighted else None
    if w is not None:
        data[WEIGHT] = w
    out = aggregate_arrays(data, AGGS, ["g"])
    ref = reference(x, g, w)
    assert out.keys["g"].dtype == g.dtype
    assert out.keys["g"].tolist() == list(ref)  # first-appearance order
    for name in ref[next(iter(ref))]:
        want = np.array([r[name] for r in ref.values()])
        got = out.values[name]
        if name in ("lo", "hi", "n", "m.n"):
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_factorize_keys_first_appearance() -> None:
    rng = np.random.default_rng(6)
    for arr in (rng.integers(-5, 5, 1000), rng.integers(0, 10**15, 1000),
                rng.choice(np.array(["a", "b", "c"]), 1000)):  # fmt: skip
        codes, (uniq,) = factorize_keys([arr])
        assert uniq.tolist() == pd.unique(arr).tolist()
        assert np.array_equal(uniq[codes], arr)
