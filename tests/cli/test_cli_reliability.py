"""The command line on bad and degenerate input (issue 10's reliability suite, CLI part).

Random small files (numbers, junk, blanks, huge and tiny values, BOM, CRLF) go
through ``fit``, ``posterior`` and ``compare`` with random families and prior
SPECs. Each run must end in exit 0 with a consistent result, or exit 2 with one
line ``thetahat: error: ...``; never a traceback (exit 1), never ``np.float64``.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thetahat.cli import main

FAMILIES = [
    "normal", "gamma", "poisson", "bernoulli", "beta", "lognormal", "weibull", "exponential",
    "studentt", "laplace", "halfnormal", "negativebinomial", "lomax", "pareto", "inversegamma",
    "geometric", "categorical", "gama",
]  # fmt: skip
PRIORS = [
    None, "beta(2,2)", "gamma(2,1)", "normal(0,10)", "beta(1e999,2)", "gamma(1e-320, 1)",
    "normal(0, inf)", "exponential(0.1)", "mu=normal(0,1); sigma=gamma(2,1)", "flat()",
]  # fmt: skip
CELLS = [
    "0", "1", "2", "-1", "0.5", "1e300", "-1e300", "1e-300", "3.5", "nan", "inf", "-inf", "abc",
    "", " ", "1,2", '"1"', "1e999", "7", "0.0", "-0", "99999999999999999999",
]  # fmt: skip


@st.composite
def invocations(draw: st.DrawFn) -> tuple[list[str], str]:
    rows = draw(st.lists(st.sampled_from(CELLS), min_size=1, max_size=8))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("\ufeff" if draw(st.booleans()) else "") + ("x" + eol if draw(st.booleans()) else "")
    text += eol.join(rows) + eol
    cmd = draw(st.sampled_from(["fit", "fit", "posterior", "compare"]))
    args = [cmd, "-"]
    if cmd != "compare":
        args += ["-f", draw(st.sampled_from(FAMILIES))]
    prior = draw(st.sampled_from(PRIORS))
    if cmd == "posterior":
        args += ["-p", prior or "beta(2,2)", *(["--laplace"] if draw(st.booleans()) else [])]
    elif cmd == "fit" and prior:
        args += ["-p", prior]
    args += ["--format", draw(st.sampled_from(["json", "table", "csv"]))]
    return args, text


@settings(max_examples=150, deadline=None, derandomize=True)
@given(invocations())
def test_cli_ends_in_a_result_or_one_line_error(case: tuple[list[str], str]) -> None:
    args, text = case
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mp.setattr("sys.stdin", io.StringIO(text))
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    errors = [ln for ln in err.getvalue().splitlines() if not ln.startswith("warning: ")]
    assert code in (0, 2), (args, text, err.getvalue())
    assert "np.float64" not in out.getvalue() + err.getvalue()
    if code == 2:
        assert len(errors) == 1 and errors[0].startswith("thetahat: error: "), err.getvalue()
        return
    assert not errors
    if args[-1] == "json":
        doc = json.loads(out.getvalue())
        values = doc.get("params") or doc.get("mode") or {}
        nan = any(v == "nan" or (isinstance(v, float) and math.isnan(v)) for v in values.values())
        assert not (nan and doc.get("status") in ("success", "boundary")), doc
