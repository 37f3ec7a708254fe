"""Censored fits against R's fitdistrplus (issue 19): the numbers and their source.

R's fits, the data R wrote and the R script that produced both are kept in
``tests/data`` (see its README, section 6). Nelder-Mead's optimum is exact to about
1e-7 here and R's standard errors come from optim's finite-difference Hessian
(about 1e-4 relative), so the tolerances are those of R's side; the log-likelihood
must be at least R's (ours is a maximum, not a stopping point).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import thetahat as th

#: R's distribution name -> (thetahat family, its parameters in R's order)
FAMILIES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "norm": (th.Normal, ("mu", "sigma")),
    "logis": (th.Logistic, ("loc", "scale")),
    "gumbel": (th.Gumbel, ("loc", "scale")),
    "lnorm": (th.LogNormal, ("mu", "sigma")),
    "weibull": (th.Weibull, ("shape", "scale")),
    "gamma": (th.Gamma, ("shape", "rate")),
    "llogis": (th.LogLogistic, ("shape", "scale")),
}


def _fits(refdata: Path) -> list[dict[str, Any]]:
    with open(refdata / "r" / "r_censored_fits.json") as fh:
        fits: list[dict[str, Any]] = json.load(fh)["fits"]
    return fits


def _censored(refdata: Path, name: str, scale: str) -> th.Censored:
    """fitdistrplus' left/right columns as thetahat's Censored (NA = open side)."""
    lo, hi = [], []
    with open(refdata / f"fitdistrplus_{name}.csv") as fh:
        for row in csv.DictReader(fh):
            lo.append(float(row["left"]) if row["left"] else -np.inf)
            hi.append(float(row["right"]) if row["right"] else np.inf)
    lower, upper = np.array(lo), np.array(hi)
    if scale == "log10":
        fin_lo, fin_hi = np.isfinite(lower), np.isfinite(upper)
        return th.Censored(
            np.where(fin_lo, np.log10(np.where(fin_lo, lower, 1.0)), -np.inf),
            np.where(fin_hi, np.log10(np.where(fin_hi, upper, 1.0)), np.inf),
        )
    # a positive family's left-censored values lie in (0, right]
    return th.Censored(np.where(np.isfinite(lower), lower, 0.0), upper)


_REF = _fits(Path(__file__).resolve().parents[1] / "data")


@pytest.mark.parametrize("ref", _REF, ids=[f"{f['data']}-{f['scale']}-{f['distr']}" for f in _REF])
def test_censored_fit_equals_fitdistcens(refdata: Path, ref: dict[str, Any]) -> None:
    cls, names = FAMILIES[ref["distr"]]
    assert ref["convergence"] == 0
    est = th.fit(cls, _censored(refdata, ref["data"], ref["scale"]))
    assert est.status == "success"
    r_est = np.array([ref["estimate"][k] for k in ref["estimate"]])
    r_sd = np.array([ref["sd"][k] for k in ref["sd"]])
    ours = np.array([est.params[n] for n in names])
    ours_se = np.array([est.se[n] for n in names])
    np.testing.assert_allclose(ours, r_est, rtol=1e-6)
    np.testing.assert_allclose(ours_se, r_sd, rtol=2e-3)
    np.testing.assert_allclose(est.cov, np.array(ref["vcov"]), rtol=5e-3, atol=1e-9)
    assert est.loglik >= ref["loglik"] - 1e-9
    assert est.loglik == pytest.approx(ref["loglik"], abs=1e-6)
    assert est.n == sum(1 for _ in open(refdata / f"fitdistrplus_{ref['data']}.csv")) - 1


def test_published_help_page_values_hold(refdata: Path) -> None:
    """The digits fitdistrplus prints in its help pages (default Nelder-Mead stop)."""
    salinity = _censored(refdata, "salinity", "log10")
    fln = th.fit(th.Normal, salinity)
    assert fln.params["mu"] == pytest.approx(1.4702582, abs=2e-5)
    assert fln.params["sigma"] == pytest.approx(0.2154709, abs=2e-5)
    assert fln.loglik == pytest.approx(-61.79623, abs=1e-5)
    fll = th.fit(th.Logistic, salinity)
    assert fll.loglik == pytest.approx(-62.81293, abs=1e-5)
    fluaz = th.fit(th.Normal, _censored(refdata, "fluazinam", "log10"))
    assert fluaz.loglik == pytest.approx(-20.41212, abs=1e-5)


def test_burr_on_salinity_reports_the_weibull_limit(refdata: Path) -> None:
    """R's fitdistcens fails on this fit (optim error 100); the supremum is the Weibull
    limit (shape1 -> inf, the rate falling with it), which must be a boundary, not a
    success, at R's Weibull log-likelihood."""
    weibull = next(f for f in _REF if f["data"] == "salinity" and f["distr"] == "weibull")
    with pytest.warns(th.BoundaryWarning):
        est = th.fit(th.Burr, _censored(refdata, "salinity", "raw"))
    assert est.status == "boundary"
    assert "shape1 -> infinity" in est.message
    assert est.loglik == pytest.approx(weibull["loglik"], abs=1e-5)
    assert est.params["shape2"] == pytest.approx(weibull["estimate"]["shape"], rel=1e-4)


def _numbers(values: list[Any]) -> np.ndarray:
    """R's JSON writes infinities as the strings "Inf"/"-Inf"."""
    return np.array([float(str(v).replace("Inf", "inf")) for v in values])


@pytest.mark.parametrize("name", ["salinity", "smokedfish", "fluazinam"])
def test_turnbull_npmle_equals_fitdistrplus_npmle(refdata: Path, name: str) -> None:
    """Our self-consistency NPMLE against fitdistrplus' (Wang's exact method)."""
    from thetahat.inference.turnbull import turnbull

    with open(refdata / "r" / "r_censored_fits.json") as fh:
        ref = next(r for r in json.load(fh)["npmle"] if r["data"] == name)
    est = turnbull(_censored(refdata, name, "log10"))
    assert est.status == "success"
    np.testing.assert_array_equal(np.isfinite(est.left), np.isfinite(_numbers(ref["left"])))
    fin = np.isfinite(est.left)
    np.testing.assert_allclose(est.left[fin], _numbers(ref["left"])[fin], rtol=1e-12)
    np.testing.assert_allclose(est.right, _numbers(ref["right"]), rtol=1e-12)
    # EM stops at mass changes below 1e-10; Wang's method is exact
    np.testing.assert_allclose(est.mass, ref["p"], atol=2e-6)


@pytest.mark.parametrize("name", ["salinity", "fluazinam"])
def test_compare_on_censored_data_reports_fitdistcens_aic_bic(refdata: Path, name: str) -> None:
    """The statistics fitdistrplus reports for censored fits: loglik, AIC, BIC (n = rows)."""
    refs = {f["distr"]: f for f in _REF if f["data"] == name and f["scale"] == "log10"}
    data = _censored(refdata, name, "log10")
    table = th.compare([th.Normal, th.Logistic, th.Gumbel], data)
    for distr, cls in (("norm", th.Normal), ("logis", th.Logistic), ("gumbel", th.Gumbel)):
        est = table.estimates[cls.__name__]
        assert est.n == refs[distr]["n"]
        assert est.loglik == pytest.approx(refs[distr]["loglik"], abs=1e-6)
        assert est.aic == pytest.approx(refs[distr]["aic"], abs=1e-5)
        assert est.bic == pytest.approx(refs[distr]["bic"], abs=1e-5)
        row = next(r for r in table.rows if r["family"] == cls.__name__)
        assert row["aic"] == pytest.approx(refs[distr]["aic"], abs=1e-5)
