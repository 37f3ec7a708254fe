"""Every plot function draws into ``ax=`` when given one and otherwise makes a pyplot figure."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest

import thetahat as th


def _cases() -> dict:
    x = th.Gamma(2.0, 0.5).sample(200, np.random.default_rng(1))
    est = th.fit(th.Gamma, x)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -1.0, 0.0] + rng.normal(size=80)
    res = th.shrink(np.array([1, 4, 2, 8, 0]), np.array([10, 12, 9, 20, 5]))
    return {
        "posterior": (
            1,
            lambda ax: th.plot.posterior(th.Bernoulli, [1, 1, 0], th.Beta(2, 2), ax=ax),
        ),
        "profile": (1, lambda ax: th.plot.profile(est, x, "shape", ax=ax)),
        "shrinkage": (1, lambda ax: th.plot.shrinkage(res, ax=ax)),
        "fit": (2, lambda ax: th.plot.fit(est, x, ax=ax)),
        "convergence": (
            2,
            lambda ax: th.plot.convergence(
                th.Bernoulli(0.7), th.Beta(2, 2), ns=[1, 10, 100], ax=ax
            ),
        ),
        "regularization_path": (2, lambda ax: th.plot.regularization_path(X, y, num=8, ax=ax)),
        "ab_test": (1, lambda ax: th.plot.ab_test(th.ab_test(12, 100, 19, 95), ax=ax)),
        "compare": (1, lambda ax: th.plot.compare([est, th.fit(th.Weibull, x)], kind="qq", ax=ax)),
        "diagnostics": (4, lambda ax: th.plot.diagnostics(est, ax=ax)),
    }


CASES = _cases()


def test_every_public_plot_function_is_covered() -> None:
    assert set(CASES) == set(th.plot.__all__)


@pytest.mark.parametrize("name", sorted(CASES))
def test_draws_into_given_axes(name: str) -> None:
    panels, make = CASES[name]
    fig0, axes = plt.subplots(1, panels, squeeze=False)
    axes = list(axes.ravel())
    fig = make(axes[0] if panels == 1 else axes)
    assert fig is fig0
    assert all(ax.has_data() for ax in axes)
    assert len(fig0.axes) == panels  # nothing added beside the given axes


@pytest.mark.parametrize("name", sorted(CASES))
def test_new_figure_is_pyplot_managed(name: str) -> None:
    _, make = CASES[name]
    fig = make(None)
    assert fig.number in plt.get_fignums()  # plt.show() shows it
    assert plt.gcf() is fig


def test_wrong_axes_are_refused() -> None:
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="a sequence of 2 matplotlib Axes"):
        CASES["fit"][1](ax)
    with pytest.raises(TypeError, match="one matplotlib Axes"):
        CASES["posterior"][1]("not axes")


def test_th_plot_is_a_lazy_attribute() -> None:
    code = (
        "import sys, json, thetahat as th; before = 'matplotlib' in sys.modules; "
        "f = th.plot.fit; print(json.dumps([before, 'matplotlib.pyplot' in sys.modules, "
        "callable(f), 'plot' in dir(th)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, pyplot_loaded, ok, listed = json.loads(out.stdout)
    assert before is False and ok and listed
    assert pyplot_loaded is False  # pyplot loads when a figure is made, not on th.plot
