"""Goodness of fit: fitdistrplus' published gofstat values, scipy's goodness_of_fit, p-values.

Published numbers (kept with their source, never in library code):

fitdistrplus reference manual, ``gofstat`` examples (lbbe-software/fitdistrplus,
``man/gofstat.Rd``, as rendered at https://lbbe-software.github.io/fitdistrplus/
reference/gofstat.html; the same values appear in Delignette-Muller & Dutang 2015,
JSS 64(4), section 3):

    data(groundbeef); serving <- groundbeef$serving
    fitg  <- fitdist(serving, "gamma")    # shape 4.00955898, rate 0.05443907
    fitln <- fitdist(serving, "lnorm")    # meanlog 4.1693701, sdlog 0.5366095
    fitW  <- fitdist(serving, "weibull")
    gofstat(list(fitW, fitg, fitln), fitnames=c("Weibull", "gamma", "lognormal"))
    #>                                Weibull     gamma lognormal
    #> Kolmogorov-Smirnov statistic 0.1396646 0.1281486 0.1493090
    #> Cramer-von Mises statistic   0.6840994 0.6936274 0.8277358
    #> Anderson-Darling statistic   3.5736460 3.5672625 4.5436542
    #> Akaike's Information Criterion 2514.449 2511.250  2526.639
    #> Bayesian Information Criterion 2521.524 2518.325  2533.713

    data(toxocara); number <- toxocara$number
    fitp <- fitdist(number, "pois"); fitnb <- fitdist(number, "nbinom")
    # nbinom: size 0.3971457, mu 8.6802520
    gofstat(list(fitp, fitnb), fitnames = c("Poisson", "negbin"))
    #> Chi-squared statistic:  31256.96 7.48606
    #> Degree of freedom of the Chi-squared distribution:  5 4
    #> Chi-squared p-value:  0 0.1123255
    #>       obscounts theo Poisson theo negbin
    #> <= 0         14  0.009014207   15.295027
    #> <= 1          8  0.078236515    5.808596
    #> <= 3          6  1.321767253    6.845015
    #> <= 4          6  2.131297825    2.407815
    #> <= 9          6 29.827829425    7.835196
    #> <= 21         6 19.626223437    8.271110
    #> > 21          7  0.005631338    6.537242
    #> AIC 1017.067 322.6882; BIC 1019.037 326.6288

R's ``optim`` stops short of the exact MLE for the gamma, Weibull and negative
binomial (thetahat's Newton solves converge further), so those statistics agree
to about 1e-3 at our estimates and to the printed digits at R's estimates; the
lognormal MLE is closed form in both and agrees to the printed digits.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

import thetahat as th
from thetahat.inference.gof import _bootstrap_null, chisq_cells, edf_statistics
from thetahat.optim import Status

GOFSTAT = {  # family -> (ks, cvm, ad, aic, bic), published above
    "Weibull": (0.1396646, 0.6840994, 3.5736460, 2514.449, 2521.524),
    "Gamma": (0.1281486, 0.6936274, 3.5672625, 2511.250, 2518.325),
    "LogNormal": (0.1493090, 0.8277358, 4.5436542, 2526.639, 2533.713),
}


@pytest.fixture(scope="module")
def serving(refdata):
    return np.loadtxt(refdata / "fitdistrplus_groundbeef.csv", skiprows=1)


@pytest.fixture(scope="module")
def toxocara(refdata):
    return np.loadtxt(refdata / "fitdistrplus_toxocara.csv", skiprows=1)


@pytest.mark.parametrize("name", list(GOFSTAT))
def test_groundbeef_matches_fitdistrplus(serving, name):
    ks, cvm, ad, aic, bic = GOFSTAT[name]
    g = th.fit(getattr(th, name), serving).gof(n_boot=0)
    rtol = 1e-6 if name == "LogNormal" else 1e-3  # R's optim vs an exact MLE
    assert g.ks == pytest.approx(ks, rel=rtol)
    assert g.cvm == pytest.approx(cvm, rel=rtol)
    assert g.ad == pytest.approx(ad, rel=rtol)
    assert g.aic == pytest.approx(aic, abs=1e-3)
    assert g.bic == pytest.approx(bic, abs=1e-3)
    assert math.isnan(g.ks_pvalue) and g.n_boot == 0


def test_statistics_at_fitdistrplus_gamma_estimate(serving):
    # at R's own estimates the statistics agree to every printed digit
    dist = th.Gamma(shape=4.00955898, rate=0.05443907)
    xs = np.sort(serving)
    ks, cvm, ad = edf_statistics(dist.cdf(xs), dist.sf(xs))
    assert float(ks) == pytest.approx(0.1281486, abs=1e-7)
    assert float(cvm) == pytest.approx(0.6936274, abs=1e-6)
    assert float(ad) == pytest.approx(3.5672625, abs=1e-6)


def test_toxocara_chisq_matches_fitdistrplus(toxocara):
    pois = th.fit(th.Poisson, toxocara).gof()
    assert pois.chisq_breaks.tolist() == [0, 1, 3, 4, 9, 21]
    assert pois.chisq_observed.tolist() == [14, 8, 6, 6, 6, 6, 7]
    assert pois.chisq == pytest.approx(31256.96, rel=1e-6)
    assert pois.chisq_df == 5 and pois.chisq_pvalue == pytest.approx(0.0, abs=1e-300)
    np.testing.assert_allclose(
        pois.chisq_expected,
        [0.009014207, 0.078236515, 1.321767253, 2.131297825, 29.827829425, 19.626223437,
         0.005631338],
        rtol=1e-6,
    )  # fmt: skip
    assert pois.aic == pytest.approx(1017.067, abs=1e-3)
    assert pois.discrete and math.isnan(pois.ks)
    nb = th.fit(th.NegativeBinomial, toxocara).gof()
    assert nb.chisq_df == 4
    assert nb.chisq == pytest.approx(7.48606, rel=2e-3)  # R's optim estimate differs slightly
    assert nb.aic == pytest.approx(322.6882, abs=1e-3)
    assert nb.bic == pytest.approx(326.6288, abs=1e-3)


def test_toxocara_negbin_at_fitdistrplus_estimate(toxocara):
    size, mu = 0.3971457, 8.6802520
    dist = th.NegativeBinomial(r=size, p=size / (size + mu))
    xs = np.sort(toxocara)
    breaks = chisq_cells(xs)
    expected = 53 * np.diff(np.r_[0.0, dist.cdf(breaks), 1.0])
    np.testing.assert_allclose(
        expected, [15.295027, 5.808596, 6.845015, 2.407815, 7.835196, 8.271110, 6.537242],
        rtol=1e-6,
    )  # fmt: skip
    observed = np.array([14, 8, 6, 6, 6, 6, 7])
    chisq = float(np.sum((observed - expected) ** 2 / expected))
    assert chisq == pytest.approx(7.48606, abs=1e-5)
    assert stats.chi2.sf(chisq, 4) == pytest.approx(0.1123255, abs=1e-7)


def test_statistics_agree_with_scipy_goodness_of_fit():
    # scipy re-fits by MLE with loc fixed at 0 (its normal fit uses ddof=1, not the MLE)
    x = np.random.default_rng(5).exponential(2.0, size=80)
    g = th.fit(th.Exponential, x).gof(n_boot=400, rng=1)
    for stat, ours, pv in (("ks", g.ks, g.ks_pvalue), ("cvm", g.cvm, g.cvm_pvalue),
                           ("ad", g.ad, g.ad_pvalue)):  # fmt: skip
        ref = stats.goodness_of_fit(
            stats.expon, x, statistic=stat, known_params={"loc": 0.0}, n_mc_samples=400,
            rng=np.random.default_rng(2),
        )  # fmt: skip
        assert ours == pytest.approx(ref.statistic, rel=1e-6)
        # two Monte Carlo estimates of one p-value: within 4 binomial standard errors
        se = math.sqrt(max(ref.pvalue * (1 - ref.pvalue), 0.01) * 2 / 400)
        assert abs(pv - ref.pvalue) < 4 * se
        # the null distributions agree (two-sample KS on the bootstrap replicates)
        col = {"ks": 0, "cvm": 1, "ad": 2}[stat]
        assert stats.ks_2samp(g.null[:, col], ref.null_distribution).pvalue > 1e-3


def test_weibull_statistic_agrees_with_scipy():
    x = np.random.default_rng(6).weibull(1.7, size=150) * 2.0
    g = th.fit(th.Weibull, x).gof(n_boot=0)
    ref = stats.goodness_of_fit(
        stats.weibull_min, x, statistic="ad", known_params={"loc": 0.0}, n_mc_samples=2, rng=1
    )
    assert g.ad == pytest.approx(ref.statistic, rel=1e-4)  # scipy's optimiser vs Newton


def test_bootstrap_pvalue_rejects_a_wrong_family_and_keeps_a_right_one():
    rng = np.random.default_rng(11)
    x = rng.lognormal(0.0, 0.8, size=400)
    assert th.fit(th.Gamma, x).gof(n_boot=199, rng=1).ad_pvalue < 0.05
    assert th.fit(th.LogNormal, x).gof(n_boot=199, rng=1).ad_pvalue > 0.01


def test_plug_in_pvalue_is_too_large_with_estimated_parameters():
    # why the bootstrap: kstest's table assumes known parameters; the re-fit null is
    # stochastically smaller, so the plug-in p-value is much larger than the right one
    x = np.random.default_rng(8).gamma(2.0, 1.0, size=300) ** 1.3
    est = th.fit(th.Gamma, x)
    g = est.gof(n_boot=299, rng=3)
    plug_in = stats.kstest(x, est.dist.cdf).pvalue
    assert np.median(g.null[:, 0]) < np.median(stats.kstwo(300).rvs(2000, random_state=1))
    assert plug_in > g.ks_pvalue


def test_seed_reproducible_whatever_the_threads(monkeypatch):
    x = np.random.default_rng(2).weibull(2.0, size=120)
    est = th.fit(th.Weibull, x)
    a = est.gof(n_boot=70, rng=9)
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "1")
    b = est.gof(n_boot=70, rng=9)
    np.testing.assert_array_equal(a.null, b.null)
    assert a.ad_pvalue == b.ad_pvalue


@pytest.mark.parametrize("n", [1, 3, 7, 300, 1001])
def test_compiled_edf_statistics_equal_the_numpy_formulas(monkeypatch, n):
    # the compiled pass (thetahat._kernels.edf_stats, where built) against the numpy passes,
    # on samples with zeros, ones, tiny tails and NaN rows
    rng = np.random.default_rng(n)
    u = np.sort(rng.random((4, n)), axis=1)
    u[1] = np.sort(rng.random(n) ** 40)  # lower tail near 1e-300 / subnormal
    u[2, 0] = 0.0  # AD infinite
    u[3, -1] = np.nan
    s = 1.0 - u
    s[1] = -np.expm1(np.log(u[1]))
    got = edf_statistics(u, s)
    import thetahat.inference.gof as gof_module

    monkeypatch.setattr(gof_module, "HAVE_FIT_KERNELS", False)
    ref = edf_statistics(u, s)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=0)
    assert np.isinf(ref[2][2]) and np.isnan(ref[0][3])
    one = edf_statistics(u[0], s[0])
    assert all(np.ndim(v) == 0 for v in one)


def test_failed_refits_are_counted_not_dropped(monkeypatch):
    import thetahat.inference.fit as fit_module
    import thetahat.inference.gof as gof_module

    real_fit, real_light = fit_module.fit, gof_module.light_mle
    calls = {"n": 0}

    def flaky_fit(*args, **kw):
        calls["n"] += 1
        if calls["n"] % 4 == 0:
            raise ValueError("no estimate")
        return real_fit(*args, **kw)

    def flaky_light(*args, **kw):
        calls["n"] += 1
        if calls["n"] % 4 == 0:
            return True, None  # a fit that failed
        return real_light(*args, **kw)

    # the Weibull re-fits resample by resample (its MLE needs the data, not array
    # statistics): by its fast fit, and with th.fit for a MAP estimate
    x = np.random.default_rng(3).weibull(2.0, size=60)
    monkeypatch.setenv("THETAHAT_NUM_THREADS", "1")
    for est, name, flaky in (
        (th.fit(th.Weibull, x), "light_mle", flaky_light),
        (th.fit(th.Weibull, x, prior={"shape": th.Gamma(2, 1), "scale": th.Gamma(2, 1)}),
         "fit", flaky_fit),
    ):  # fmt: skip
        module = gof_module if name == "light_mle" else fit_module
        monkeypatch.setattr(module, name, flaky)
        calls["n"] = 0
        g = est.gof(n_boot=40, rng=1)
        assert g.n_failed == 10 and g.failed_share == 0.25
        assert np.isnan(g.null).any(axis=1).sum() == 10
        assert any("failed" in n for n in g.notes)


def test_failed_batched_refits_are_counted_not_dropped(monkeypatch):
    # the Gamma re-fits a block of resamples in one batched solve: rows it reports failed
    # (or whose estimate is no valid distribution) are counted, not dropped
    real = th.Gamma.fit_many

    def flaky(self, stats):
        params, res = real(self, stats)
        bad = np.arange(res.status.shape[0]) % 4 == 3
        status = np.where(bad, Status.FAILED.value, res.status)
        shape = np.where(np.arange(bad.shape[0]) % 4 == 2, np.inf, params["shape"])
        return {**params, "shape": shape}, dataclasses.replace(res, status=status)

    x = np.random.default_rng(3).gamma(2.0, 1.0, size=60)
    est = th.fit(th.Gamma, x)
    monkeypatch.setattr(th.Gamma, "fit_many", flaky)
    g = est.gof(n_boot=64, rng=1)  # two blocks of 32
    assert g.n_failed == 32 and np.isnan(g.null).any(axis=1).sum() == 32
    assert any("failed" in n for n in g.notes)


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        (th.Gamma, lambda r: r.gamma(2.5, 1.5, 400)),
        (th.Exponential, lambda r: r.exponential(2.0, 300)),
        (th.Normal, lambda r: r.normal(1.0, 2.0, 300)),
        (th.LogNormal, lambda r: r.lognormal(0.0, 0.7, 300)),
        (th.Beta, lambda r: r.beta(2.0, 3.0, 300)),
        # no batched MLE: the family's fast fit per resample, without an Estimate
        (th.Weibull, lambda r: r.weibull(1.5, 300)),
        (th.StudentT, lambda r: r.standard_t(5.0, 300)),
        (th.Gumbel, lambda r: r.gumbel(1.0, 2.0, 300)),
    ],
)
def test_batched_null_equals_resample_by_resample(family, draw):
    # the same resamples (one random stream) re-fitted in one batched solve (or by the
    # light per-resample MLE) and one by one with th.fit: the same statistics up to the
    # solvers' tolerance
    x = draw(np.random.default_rng(12))
    est = th.fit(family, x)
    batched = _bootstrap_null(est, x.shape[0], 70, 5)
    loop = _bootstrap_null(est, x.shape[0], 70, 5, batched=False)
    assert not np.isnan(batched).any()
    np.testing.assert_allclose(batched, loop, rtol=1e-10, atol=0)


def test_gamma_pvalues_agree_with_scipy_goodness_of_fit():
    # the batched re-fit and the walked incomplete gamma function against scipy's
    # Monte Carlo test (numerical MLE per resample, loc fixed at 0)
    x = np.random.default_rng(7).gamma(1.7, 2.0, size=150)
    g = th.fit(th.Gamma, x).gof(n_boot=300, rng=1)
    ref = stats.goodness_of_fit(
        stats.gamma, x, statistic="ad", known_params={"loc": 0.0}, n_mc_samples=300,
        rng=np.random.default_rng(2),
    )  # fmt: skip
    assert g.ad == pytest.approx(ref.statistic, rel=1e-4)  # scipy's optimiser vs Newton
    se = math.sqrt(max(ref.pvalue * (1 - ref.pvalue), 0.01) * 2 / 300)
    assert abs(g.ad_pvalue - ref.pvalue) < 4 * se
    assert stats.ks_2samp(g.null[:, 2], ref.null_distribution).pvalue > 1e-3


def test_censored_fit_reports_information_criteria_only():
    rng = np.random.default_rng(4)
    x = rng.weibull(1.5, size=80) * 3.0
    limit = 3.5
    data = th.Censored.right(np.minimum(x, limit), x > limit)
    est = th.fit(th.Weibull, data)
    g = est.gof()
    assert g.censored and math.isnan(g.ks) and math.isnan(g.chisq)
    assert g.aic == pytest.approx(est.aic) and g.bic == pytest.approx(est.bic)
    # the censored log-likelihood, independently: log f of exact values + log S of censored
    d = stats.weibull_min(est.params["shape"], scale=est.params["scale"])
    cens = x > limit
    ll = d.logpdf(x[~cens]).sum() + cens.sum() * d.logsf(limit)
    assert g.loglik == pytest.approx(ll, rel=1e-9)
    assert g.aic == pytest.approx(2 * 2 - 2 * ll, rel=1e-9)


def test_summary_and_dict(serving):
    g = th.fit(th.Gamma, serving).gof(n_boot=20, rng=0)
    text = g.summary()
    assert "Anderson-Darling" in text and "Chi-squared" in text
    d = g.to_dict()
    assert d["n_boot"] == 20 and d["ks"] == pytest.approx(g.ks)


def test_bad_input():
    x = np.random.default_rng(0).gamma(2.0, 1.0, size=50)
    est = th.fit(th.Gamma, x)
    with pytest.raises(ValueError, match="n_boot"):
        est.gof(n_boot=-1)
    with pytest.raises(ValueError, match="frequency weights"):
        est.gof(x, weights=np.full(50, 0.5))
    stats_only = th.fit(th.Gamma, th.Gamma().suff_stats(x))
    with pytest.raises(ValueError, match="keeps no data"):
        stats_only.gof()
    with pytest.raises(ValueError, match="meancount"):
        chisq_cells(np.arange(5.0), meancount=0)


def test_frequency_weights_equal_repeated_rows():
    x = np.array([1.0, 2.0, 2.5, 4.0, 7.0, 0.5, 3.3, 1.7])
    w = np.array([1, 3, 2, 1, 1, 2, 1, 4])
    a = th.fit(th.Gamma, x, weights=w).gof(n_boot=0)
    b = th.fit(th.Gamma, np.repeat(x, w)).gof(n_boot=0)
    assert a.ks == pytest.approx(b.ks) and a.ad == pytest.approx(b.ad)


def test_compare_has_the_gofstat_columns(serving):
    comp = th.compare([th.Weibull, th.Gamma, th.LogNormal], serving, gof=True, n_boot=60, rng=3)
    rows = {r["family"]: r for r in comp.rows}
    for name, (ks, cvm, ad, aic, _) in GOFSTAT.items():
        rtol = 1e-6 if name == "LogNormal" else 1e-3
        assert rows[name]["ks"] == pytest.approx(ks, rel=rtol)
        assert rows[name]["cvm"] == pytest.approx(cvm, rel=rtol)
        assert rows[name]["ad"] == pytest.approx(ad, rel=rtol)
        assert rows[name]["aic"] == pytest.approx(aic, abs=1e-3)
        assert 0 < rows[name]["ad_pvalue"] < 0.05  # none of the three fits groundbeef
        assert rows[name]["chisq"] > 0
    # the same numbers as each estimate's own gof (same seed stream per family is not
    # promised, the statistics are)
    g = comp.estimates["Gamma"].gof(n_boot=0)
    assert rows["Gamma"]["cvm"] == pytest.approx(g.cvm)
    text = comp.summary()
    assert "ad_pvalue" in text and "cvm" in text
    plain = th.compare([th.Gamma], serving)
    assert math.isnan(plain.rows[0]["ad_pvalue"]) and plain.rows[0]["ad"] > 0


def test_weibull_null_is_free_of_the_fitted_parameters() -> None:
    # the GoF null of a Weibull MLE draws from Weibull(1, 1): the EDF statistics of a
    # re-fit are invariant under x -> scale x^(1/shape), checked here on the same draws
    from thetahat.inference._resample import light_mle
    from thetahat.inference.gof import cdf_sf_sorted

    rng = np.random.default_rng(5)
    for shape, scale in [(0.6, 3.0), (1.7, 2.0), (4.0, 0.01)]:
        for _ in range(5):
            e = np.sort(rng.standard_exponential(400))
            out = []
            for x in (e, scale * e ** (1.0 / shape)):
                handled, params = light_mle(th.Weibull(), x)
                assert handled and params is not None
                d = th.Weibull(**params)
                out.append(np.array(edf_statistics(*cdf_sf_sorted(d, x))))
            np.testing.assert_allclose(out[1], out[0], rtol=1e-7)


def test_interval_contains_float_path_equals_array_path() -> None:
    import itertools

    from thetahat._domains import Interval

    values = [0.0, 1.0, -1.0, 2.0, 5.0, 1e-300, math.inf, -math.inf, math.nan]
    for lo, hi, lc, hc in itertools.product([None, 0.0, 1.0], [None, 2.0, 5.0], [0, 1], [0, 1]):
        dom = Interval(lo, hi, bool(lc), bool(hc))
        for v in values:
            expected = dom.contains(np.array(v))
            assert dom.contains(v) == dom.contains(np.float64(v)) == expected, (lo, hi, lc, hc, v)


def test_weibull_cdf_sf_sorted_equals_the_family() -> None:
    from thetahat.inference.gof import _weibull_cdf_sf_sorted

    rng = np.random.default_rng(2)
    for shape, scale in [(0.4, 2.0), (1.0, 1.0), (3.5, 0.2)]:
        d = th.Weibull(shape, scale)
        xs = np.sort(d.sample(2000, rng=rng))
        f, s = _weibull_cdf_sf_sorted(shape, scale, xs)
        np.testing.assert_allclose(f, stats.weibull_min(shape, scale=scale).cdf(xs), rtol=1e-13)
        np.testing.assert_allclose(s, stats.weibull_min(shape, scale=scale).sf(xs), rtol=1e-13)
