"""One result status: a StrEnum that never says success for a failed or NaN result."""

from __future__ import annotations

import numpy as np

import thetahat as th
from thetahat.optim import SolverResult, Status


def test_status_is_a_string_enum() -> None:
    est = th.fit(th.Poisson, [1, 2, 3])
    assert est.status is Status.SUCCESS and est.status == "success"
    assert isinstance(est.status, str) and f"{est.status}" == "success"
    assert est.to_dict()["status"] == "success"


def test_solver_result_never_claims_success_it_does_not_have() -> None:
    not_converged = SolverResult(np.array([1.0]), 0.0, False, Status.SUCCESS, "stopped", 5)
    assert not_converged.status is Status.FAILED
    nan = SolverResult(np.array([np.nan]), 0.0, True, Status.BOUNDARY, "nan", 1)
    assert nan.status is Status.FAILED and not nan.converged
    edge = SolverResult.boundary([np.inf], 0.0, "shape infinite")
    assert edge.status is Status.BOUNDARY


def test_estimate_with_nan_parameters_is_failed() -> None:
    est = th.fit(th.Poisson, [1, 2, 3])
    bad = th.Estimate(
        method="mle", params={"rate": float("nan")}, cov=np.zeros((1, 1)), loglik=0.0,
        n=3.0, df_model=1, status="success",
    )  # fmt: skip
    assert bad.status is Status.FAILED
    unconverged = th.Estimate(
        method="mle", params=dict(est.params), cov=est.cov, loglik=est.loglik, n=3.0,
        df_model=1, status="success", converged=False,
    )  # fmt: skip
    assert unconverged.status == "failed"


def test_typed_fields_replace_extra() -> None:
    est = th.fit(th.Gamma(shape=2.0), [1.0, 2.0, 3.0], prior=th.Gamma(2, 1),
                 parametrization="unconstrained")  # fmt: skip
    assert est.unconstrained is not None and est.objective is not None
    assert est.extra["unconstrained"] == est.unconstrained
    conj = th.fit(th.Bernoulli, [1, 1, 0], prior=th.Beta(2, 2))
    assert conj.posterior == th.Beta(4, 3)
