"""th.fit's direct assembly of an interior MLE's Estimate (issue 12: a small fit's fixed
cost) gives exactly the fields of the general route, and steps aside where it must."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pytest

import thetahat as th
from thetahat.inference import fit as fit_module
from thetahat.statistics import DataStats

SAMPLES = {
    "Normal": (th.Normal, lambda r: r.normal(3.0, 2.0, 200)),
    "Normal(mu=1)": (th.Normal(mu=1.0), lambda r: r.normal(3.0, 2.0, 200)),
    "Poisson": (th.Poisson, lambda r: r.poisson(4.0, 200).astype(float)),
    "Exponential": (th.Exponential, lambda r: r.exponential(2.0, 200)),
    "Gamma": (th.Gamma, lambda r: r.gamma(2.5, 1.5, 200)),
    "Beta": (th.Beta, lambda r: r.beta(2.0, 5.0, 200)),
    "LogNormal": (th.LogNormal, lambda r: r.lognormal(0.5, 0.8, 200)),
    "Weibull": (th.Weibull, lambda r: r.weibull(1.7, 200) * 2.0),
    "StudentT": (th.StudentT, lambda r: r.standard_t(5.0, 200)),
    "Laplace": (th.Laplace, lambda r: r.laplace(1.0, 2.0, 200)),
    "Pareto": (th.Pareto, lambda r: (r.pareto(3.0, 200) + 1.0) * 2.0),
    "NegativeBinomial": (th.NegativeBinomial, lambda r: r.negative_binomial(3, 0.4, 200) * 1.0),
    "Bernoulli": (th.Bernoulli, lambda r: r.binomial(1, 0.3, 200).astype(float)),
}

FIELDS = [f.name for f in dataclasses.fields(th.results.Estimate) if f.name != "objective"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)  # NaN equals NaN here


@pytest.mark.parametrize("name", list(SAMPLES))
def test_direct_estimate_equals_the_general_route(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family, draw = SAMPLES[name]
    x = draw(np.random.default_rng(7))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = th.fit(family, x)
        monkeypatch.setattr(fit_module, "_estimate_direct", lambda *a, **k: None)
        monkeypatch.setattr(fit_module, "direct_fit", lambda *a, **k: None)
        general = th.fit(family, x)
    for field in FIELDS:
        assert _same(getattr(fast, field), getattr(general, field)), field
    assert fast.summary() == general.summary()


def test_direct_estimate_steps_aside_at_the_boundary() -> None:
    # constant data: sigma = 0 is on the boundary; the general route reports it
    with pytest.warns(th.results.BoundaryWarning):
        est = th.fit(th.Normal, np.full(10, 3.0))
    assert est.status == "boundary"
    assert est.se["sigma"] == np.inf
    # a MAP or expected information never takes the direct path but still works
    est = th.fit(th.Poisson, np.array([1.0, 2.0, 3.0]), information="expected")
    assert est.information == "expected"


def test_interior_mle_constructor_equals_the_dataclass_constructor() -> None:
    # Estimate._interior_mle skips the generated __init__: every field must come out as
    # Estimate(method="mle", ...) sets it (a field added later without a default breaks this)
    Estimate = th.results.Estimate
    cov = np.array([[0.5, 0.1], [0.1, 0.25]])
    args = ({"mu": 1.5, "sigma": 2.0}, cov, -12.5, 10.0, th.Normal(), "closed form", 3, None, {})
    fast = Estimate._interior_mle(*args)
    slow = Estimate(method="mle", params=args[0], cov=cov, loglik=-12.5, n=10.0, df_model=2,
                    family=th.Normal(), message="closed form", iterations=3)  # fmt: skip
    names = {f.name for f in dataclasses.fields(Estimate)}
    assert set(vars(fast)) == names
    for name in names:
        assert _same(getattr(fast, name), getattr(slow, name)), name
    assert fast == slow and repr(fast) == repr(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.loglik = 0.0  # type: ignore[misc]


def test_kept_objective_drops_the_cache_and_keeps_the_rest() -> None:
    # fit._kept copies FitProblem and DataStats without their __init__: valid only while
    # neither has a __post_init__ (or init-only fields); the copy holds every other field
    from thetahat.inference._solve import FitProblem
    from thetahat.statistics import DataStats

    for cls in (FitProblem, DataStats):
        assert not hasattr(cls, "__post_init__"), cls
        assert all(f.init for f in dataclasses.fields(cls)), cls
    x = th.Weibull(1.7, 2.0).sample(50, rng=3)
    est = th.fit(th.Weibull, x)
    kept = est.objective
    assert isinstance(kept, FitProblem) and isinstance(kept.stats, DataStats)
    assert kept.stats.cache == {} and kept.stats.x is x
    assert kept.family == th.Weibull() and kept.prior is None
    assert kept.parametrization == "natural" and kept.stats.n == 50.0 and kept.stats.w is None
    # the profile interval recomputes what the cache held
    lo, hi = est.conf_int(kind="profile")["shape"]
    assert lo < est.params["shape"] < hi


# ---------------------------------------------------------------- th.fit's short path
# (inference/_direct.py: plain arrays of the closed-form families and Gamma, no keyword)
SHORT = {"Normal": th.Normal, "Poisson": th.Poisson, "Exponential": th.Exponential,
         "Gamma": th.Gamma}  # fmt: skip


def _edge_data() -> dict[str, list[object]]:
    r = np.random.default_rng(11)
    base = r.gamma(2.5, 1.5, 300)
    counts = r.poisson(3.0, 300).astype(float)
    wide = np.empty(600)
    wide[::2] = base
    return {
        "any": [
            base,  # a float64 array
            base[:1],  # n = 1
            base[:2],  # n = 2
            np.array([2.0, 2.0, 2.0]),  # all equal
            counts.astype(np.int64),  # integers
            counts.astype(np.int32)[:7],
            base.tolist(),  # a list
            tuple(base[:5].tolist()),  # a tuple
            wide[::2],  # not contiguous: the general route
            base.astype(np.float32),  # float32
            base[:4096],  # the short path's limit (only 300 values: stays below)
            np.concatenate([base] * 14),  # 4,200 values: above the limit
            np.array([3.0]),
            np.array([1e300, 2e300]),  # large values
            np.array([1e-300, 3e-300, 2e-300]),  # tiny values
            counts,
        ],
        "Poisson": [np.zeros(5), np.array([0.0, 0.0, 1.0]), np.array([0, 1, 2])],
        "Exponential": [np.zeros(5), np.array([0.0, 0.0, 1.0]), np.array([0.0, 2.0])],
        "Normal": [np.array([-1.0, 1.0]), np.array([1e7 + 0.1, 1e7 - 0.1, 1e7])],
        "Gamma": [np.array([1.0, 2.0]), np.array([1.0, 1.0 + 1e-15])],
    }


def _general(family: object, x: object, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setattr(fit_module, "direct_fit", lambda *a, **k: None)
        return th.fit(family, x)


def _assert_identical(fast: object, general: object) -> None:
    for name in [f.name for f in dataclasses.fields(th.results.Estimate)]:
        a, b = getattr(fast, name), getattr(general, name)
        if name == "cov":  # bit for bit (the sign of a zero included)
            assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
        elif name == "objective":
            assert type(a) is type(b)
            assert a.family == b.family and a.prior is b.prior
            assert a.parametrization == b.parametrization
            assert type(a.stats) is type(b.stats)
            if isinstance(a.stats, DataStats):  # (eq=False: compared field by field)
                for f in dataclasses.fields(DataStats):
                    u, v = getattr(a.stats, f.name), getattr(b.stats, f.name)
                    assert _same(u, v) and type(u) is type(v), f.name
                    if isinstance(u, np.ndarray):
                        assert u.dtype == v.dtype and u.tobytes() == v.tobytes(), f.name
            else:
                assert a.stats == b.stats
        elif name in ("data", "weights"):
            assert a is b, name
        elif name == "params":
            assert list(a) == list(b) and all(type(a[k]) is type(b[k]) for k in a)
            assert all(np.float64(a[k]).tobytes() == np.float64(b[k]).tobytes() for k in a)
        else:
            assert _same(a, b) and type(a) is type(b), name
    assert repr(fast) == repr(general)  # (== compares cov arrays: ambiguous for 2x2)
    assert fast.summary() == general.summary()


@pytest.mark.parametrize("name", list(SHORT))
def test_short_path_gives_the_general_routes_estimate(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = SHORT[name]
    data = _edge_data()
    for x in data["any"] + data[name]:
        for fam in (family, family()):
            with warnings.catch_warnings(record=True) as fast_w:
                warnings.simplefilter("always")
                try:
                    fast = th.fit(fam, x)
                except ValueError as e:
                    fast = e
            with warnings.catch_warnings(record=True) as general_w:
                warnings.simplefilter("always")
                try:
                    general = _general(fam, x, monkeypatch)
                except ValueError as e:
                    general = e
            assert [str(w.message) for w in fast_w] == [str(w.message) for w in general_w]
            if isinstance(general, Exception):
                assert type(fast) is type(general) and str(fast) == str(general)
                continue
            _assert_identical(fast, general)


def test_short_path_is_taken_and_steps_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    from thetahat.inference import _direct

    x = np.random.default_rng(2).exponential(2.0, 50)
    assert _direct.direct_fit(th.Exponential, x) is not None
    assert _direct.direct_fit(th.Exponential(), x) is not None
    assert _direct.direct_fit(th.Normal(mu=1.0), x) is None  # a fixed parameter
    assert _direct.direct_fit(th.LogNormal, x) is None  # no short path
    assert _direct.direct_fit(th.Beta, x / 100) is not None  # a Newton family's
    assert _direct.direct_fit(th.Beta(a=2.0), x / 100) is None
    assert _direct.direct_fit(th.StudentT(df=3.0), x) is None
    assert _direct.direct_fit(th.Exponential, x[::2]) is None  # not contiguous
    assert _direct.direct_fit(th.Exponential, x.reshape(5, 10)) is None
    assert _direct.direct_fit(th.Exponential, np.zeros(3)) is None  # rate inf: boundary
    assert _direct.direct_fit(th.Exponential, th.Exponential().suff_stats(x)) is None

    # a keyword other than its default goes the general route
    def boom(*a: object, **k: object) -> None:
        raise AssertionError("short path taken")

    monkeypatch.setattr(fit_module, "direct_fit", boom)
    th.fit(th.Poisson, [1, 2, 3], weights=[1, 1, 2])
    th.fit(th.Poisson, [1, 2, 3], exposure=[1, 1, 2])
    th.fit(th.Poisson, [1, 2, 3], information="expected")
    th.fit(th.Poisson, [1, 2, 3], prior=th.Gamma(1, 1))
    th.fit(th.Normal, [1.0, 2.0, 4.0], parametrization="unconstrained")


@pytest.mark.parametrize(
    ("family", "x", "message"),
    [
        (th.Normal, [1.0, np.nan, 2.0], "data"),
        (th.Poisson, [1.0, np.nan], "data"),
        (th.Poisson, [1.0, 2.5], "Poisson data must be non-negative integers"),
        (th.Poisson, [1.0, -1.0], "Poisson data must be non-negative integers"),
        (th.Exponential, [1.0, -2.0], "Exponential data must be non-negative numbers"),
        (th.Exponential, [1.0, np.inf], "data"),
        (th.Gamma, [1.0, 0.0, 2.0], "Gamma data must be positive numbers"),
        (th.Gamma, [1.0, np.nan], "data"),
        (th.Beta, [0.5, 0.0, 0.2], "Beta data must be numbers strictly between 0 and 1"),
        (th.Beta, [0.5, 1.0], "Beta data must be numbers strictly between 0 and 1"),
        (th.Beta, [0.5, np.nan], "data"),
        (th.Weibull, [1.0, -2.0], "Weibull data must be"),
        (th.Weibull, [1.0, 0.0], "Weibull data must be"),
        (th.Weibull, [1.0, np.inf], "data"),
        (th.StudentT, [1.0, np.nan, 3.0], "data"),
        (th.StudentT, [1.0, -np.inf], "data"),
        (th.Normal, [], "empty"),
        (th.Normal, [[1.0, 2.0]], "1-dimensional"),
    ],
)
def test_short_path_bad_input_raises_the_general_routes_error(
    family: object, x: list[float], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for data in (x, np.asarray(x, dtype=float)):
        with pytest.raises(ValueError, match=message) as fast:
            th.fit(family, data)
        with pytest.raises(ValueError) as general:
            _general(family, data, monkeypatch)
        assert str(fast.value) == str(general.value)
    with pytest.raises(TypeError) as fast_t:
        th.fit(family, ["a", "b"])
    with pytest.raises(TypeError) as general_t:
        _general(family, ["a", "b"], monkeypatch)
    assert str(fast_t.value) == str(general_t.value)


def test_short_path_agrees_with_scipy() -> None:
    from scipy import stats

    r = np.random.default_rng(5)
    x = r.gamma(2.5, 1.5, 500)
    est = th.fit(th.Normal, x)
    assert est.params["mu"] == pytest.approx(x.mean(), rel=1e-14)
    assert est.params["sigma"] == pytest.approx(x.std(), rel=1e-14)
    assert est.loglik == pytest.approx(stats.norm(x.mean(), x.std()).logpdf(x).sum(), rel=1e-12)
    assert est.se["mu"] == pytest.approx(x.std() / np.sqrt(500), rel=1e-13)
    est = th.fit(th.Exponential, x)
    assert est.loglik == pytest.approx(stats.expon(scale=x.mean()).logpdf(x).sum(), rel=1e-12)
    k = r.poisson(3.0, 500)
    est = th.fit(th.Poisson, k)
    assert est.loglik == pytest.approx(stats.poisson(k.mean()).logpmf(k).sum(), rel=1e-12)
    assert est.se["rate"] == pytest.approx(np.sqrt(k.mean() / 500), rel=1e-13)
    est = th.fit(th.Gamma, x)
    a, _, scale = stats.gamma.fit(x, floc=0)
    assert est.params["shape"] == pytest.approx(a, rel=1e-4)
    assert est.loglik >= stats.gamma(a, scale=scale).logpdf(x).sum() - 1e-9


def test_statistics_made_without_init_equal_the_constructed_ones() -> None:
    # statistics.sufficient.made skips the generated __init__: valid only while the
    # statistics types of the short path have no __post_init__ (or init-only fields)
    from thetahat.statistics.sufficient import made

    for fam in (th.Normal(), th.Poisson(), th.Exponential(), th.Gamma(), th.Beta()):
        cls = fam.statistics_type
        assert not hasattr(cls, "__post_init__"), cls
        fields = {f.name: float(i + 1) for i, f in enumerate(dataclasses.fields(cls))}
        assert all(f.init for f in dataclasses.fields(cls)), cls
        a, b = made(cls, fields), cls(**fields)
        assert type(a) is cls and a == b and repr(a) == repr(b) and vars(a) == vars(b)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.n = 3.0  # type: ignore[misc]


def test_short_path_declines_odd_shapes_before_converting(monkeypatch: pytest.MonkeyPatch) -> None:
    from thetahat.inference import _direct

    for x in (np.array(3), np.array(3.0), np.arange(6).reshape(2, 3), list(range(5000))):
        assert _direct.direct_fit(th.Poisson, x) is None
    est = th.fit(th.Poisson, np.array(3))  # a 0-d array: one observation, the general route
    assert est.params == {"rate": 3.0} and est.n == 1.0


# ------------------------------------------------- the Newton families' short path
# (inference/_direct.py newton_fit: Beta, Weibull, Student t from their statistics on)
NEWTON = {"Beta": th.Beta, "Weibull": th.Weibull, "StudentT": th.StudentT}


def _newton_edge_data() -> dict[str, list[object]]:
    r = np.random.default_rng(23)
    b = r.beta(2.0, 5.0, 300)
    wb = r.weibull(1.7, 300) * 2.0
    t = r.standard_t(5.0, 300)
    wide = np.empty(600)
    wide[::2] = t
    common: list[object] = []
    for x in (b, wb, t):
        common += [x, x[:1], x[:2], x[:3], x.tolist(), tuple(x[:6].tolist()),
                   x.astype(np.float32), np.concatenate([x] * 14)]  # fmt: skip
    near = r.beta(0.02, 0.02, 40)  # values within rounding of 0 and 1 (some are 0 or 1)
    return {
        "any": [
            *common,
            np.array([0.5, 0.5, 0.5]),
            wide[::2],
            np.array([3.0]),
            np.array([1, 2, 3]),
        ],
        "Beta": [
            near,
            np.clip(near, 1e-300, 1.0 - 2**-53),  # the extremes of (0, 1) in float64
            np.array([1e-300, 0.5, 1.0 - 2**-53]),
            np.array([0.3, 0.3 + 1e-16, 0.3]),  # (nearly) all equal
            r.beta(0.3, 0.3, 8),
            r.beta(50.0, 0.5, 30),  # piled up near 1
            r.beta(2000.0, 3000.0, 30),  # large shapes
        ],
        "Weibull": [
            np.array([2.0, 2.0, 2.0]),  # all equal: shape -> inf
            np.array([1e300, 2e300, 1.5e300]),
            np.array([1e-300, 3e-300, 2e-300]),
            r.weibull(0.2, 50),  # very skewed
            r.weibull(30.0, 50) * 7.0,  # tight
            np.array([1.0, 1.0 + 1e-15, 1.0]),
        ],
        "StudentT": [
            np.random.default_rng(1).normal(size=20),  # Normal data: df -> inf (boundary)
            r.normal(0.0, 1.0, 10),
            r.normal(5.0, 2.0, 40),
            r.normal(0.0, 1.0, 1000),
            r.standard_cauchy(50),  # heavy tails
            r.standard_t(1.2, 200),
            np.array([4.0, 4.0, 4.0, 4.0]),  # all equal
            np.array([1e300, -1e300, 1e300]),  # a sum that overflows: the general route
            np.array([0.0, 0.0, 0.0, 1.0]),  # a MAD of zero
            np.arange(20.0),
            np.array([1.0, np.nan, 2.0]),  # bad input: the general route's error
        ],
    }


def _outcome(fam: object, x: object, route: Any) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: object = route(fam, x)
        except ValueError as e:
            out = e
    return out, [f"{w.category.__name__}: {w.message}" for w in caught]


@pytest.mark.parametrize("name", list(NEWTON))
def test_newton_short_path_gives_the_general_routes_estimate(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = NEWTON[name]
    data = _newton_edge_data()
    statuses = set()
    for x in data["any"] + data[name]:
        for fam in (family, family()):
            fast, fast_w = _outcome(fam, x, th.fit)
            general, general_w = _outcome(fam, x, lambda f, v: _general(f, v, monkeypatch))
            assert fast_w == general_w
            if isinstance(general, Exception):
                assert type(fast) is type(general) and str(fast) == str(general)
                statuses.add("error")
                continue
            _assert_identical(fast, general)
            statuses.add(str(general.status))
    # the cases above reach each outcome (all-equal data are on the boundary)
    assert {"success", "boundary", "error"} <= statuses


def test_newton_short_path_is_the_general_routes_after_its_statistics() -> None:
    # newton_fit starts where the general route's fast solve starts: these families
    # have no closed form, and their statistics come out as statistics_of makes them
    from thetahat.inference import _direct
    from thetahat.statistics import statistics_of

    r = np.random.default_rng(4)
    for fam, x in ((th.Beta(), r.beta(2.0, 3.0, 100)), (th.Weibull(), r.weibull(2.0, 100)),
                   (th.StudentT(), r.standard_t(4.0, 100))):  # fmt: skip
        made = _direct._NEWTON[type(fam)](x)
        general = statistics_of(fam, x)
        assert fam.closed_form_mle(general) is None and fam.closed_form_mle(made) is None
        assert type(made) is type(general)
        for f in dataclasses.fields(general):
            if f.name == "cache":  # Weibull's made statistics carry the extremes (never kept)
                assert set(made.cache) <= {"extremes"} and general.cache == {}
                continue
            assert _same(getattr(made, f.name), getattr(general, f.name)), f.name
        assert repr(made) == repr(general) if not isinstance(made, DataStats) else True
        if isinstance(made, DataStats):
            assert made.x is x and general.x is x
            est = th.fit(type(fam), x)
            assert est.objective.stats.x is x and est.data is x


def test_newton_short_path_agrees_with_scipy() -> None:
    from scipy import stats

    r = np.random.default_rng(8)
    x = r.beta(2.0, 5.0, 400)
    est = th.fit(th.Beta, x)
    a, b, _, _ = stats.beta.fit(x, floc=0, fscale=1)
    assert est.params["a"] == pytest.approx(a, rel=1e-4)
    assert est.loglik >= stats.beta(a, b).logpdf(x).sum() - 1e-9
    x = r.weibull(1.7, 400) * 2.0
    est = th.fit(th.Weibull, x)
    k, _, lam = stats.weibull_min.fit(x, floc=0)
    assert est.params["shape"] == pytest.approx(k, rel=1e-4)
    assert est.loglik >= stats.weibull_min(k, scale=lam).logpdf(x).sum() - 1e-9
    x = r.standard_t(5.0, 400)
    est = th.fit(th.StudentT, x)
    df, loc, scale = stats.t.fit(x)
    assert est.loglik >= stats.t(df, loc, scale).logpdf(x).sum() - 1e-7
    assert est.loglik == pytest.approx(
        stats.t(*(est.params[k] for k in ("df", "loc", "scale"))).logpdf(x).sum(), rel=1e-12
    )


def test_newton_short_path_assembles_interior_fits_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # an interior success is assembled in _direct_newton (fit's steps never run); a
    # boundary goes through fit._estimate, as the general route does
    from thetahat.distributions import student_t
    from thetahat.inference import _direct_newton

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("the general route's steps were taken")

    r = np.random.default_rng(6)
    samples = {th.Beta: r.beta(2.0, 5.0, 100), th.Weibull: r.weibull(1.7, 100),
               th.StudentT: r.standard_t(5.0, 100)}  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(_direct_newton, "_STEPS", [boom, boom, boom])
        m.setattr(student_t, "_TFit", boom)  # Student t: the compiled Newton inline
        for fam, x in samples.items():
            assert th.fit(fam, x).status == "success"
        with pytest.raises(AssertionError, match="steps were taken"):
            th.fit(th.StudentT, np.random.default_rng(1).normal(size=20))  # df -> inf
