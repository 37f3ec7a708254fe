"""End to end in headless Chromium: the page's numbers are thetahat's, and every panel draws.

Screenshots of every panel (1280x800 and a 420 px wide window) are saved under
``test-artifacts/explore/`` for a person to look at.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from _explore_browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium
from playwright.sync_api import Browser, Page, sync_playwright

import thetahat as th
from thetahat.explore import running


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running() as u:
        yield u


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = ensure_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught exceptions of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


def open_page(
    browser: Browser, url: str, width: int = 1280, height: int = 800
) -> tuple[Page, Console]:
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's
    # Content-Security-Policy (no eval) would refuse; the page itself never evals
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = ctx.new_page()
    console = Console(page)
    page.goto(url)
    page.wait_for_function(
        "window.explorer && window.explorer.ready && window.explorer.drawn.coin >= 1"
    )
    return page, console


def drawn(page: Page, panel: str) -> int:
    return int(page.evaluate(f"window.explorer.drawn.{panel}"))


def wait_drawn(page: Page, panel: str, after: int) -> None:
    page.wait_for_function(f"window.explorer.drawn.{panel} > {after}", timeout=60_000)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width} px wide"  # type: ignore[index]


def test_coin_slider_head_and_map_equal_fit(browser: Browser, url: str) -> None:
    page, console = open_page(browser, url)
    before = drawn(page, "coin")
    page.locator("#coin-a").fill("5")
    wait_drawn(page, "coin", before)
    before = drawn(page, "coin")
    page.click("#coin-add-head")
    wait_drawn(page, "coin", before)
    # 4 heads, 0 tails, prior Beta(5, 2)
    est = th.fit(th.Bernoulli, [1, 1, 1, 1], prior=th.Beta(5, 2))
    cell = page.locator("#coin-map")
    assert float(cell.get_attribute("data-value") or "nan") == pytest.approx(
        est.params["p"], rel=1e-12
    )
    shown = cell.inner_text().split()[0]
    assert float(shown) == pytest.approx(est.params["p"], rel=5e-6)  # six significant digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mle = th.fit(th.Bernoulli, [1, 1, 1, 1])
    assert float(page.locator("#coin-mle").get_attribute("data-value") or "nan") == mle.params["p"]
    post = th.posterior(th.Bernoulli, [1, 1, 1, 1], prior=th.Beta(5, 2))
    assert page.locator("#coin-posterior").inner_text() == repr(post.dist)
    assert page.locator("#coin-boundary").is_visible()  # MLE = 1 sits on the boundary
    assert page.locator("#coin-chart svg path.line.post").count() == 1
    shot(page, "coin-1280x800")
    page.click("#coin-add-tail")
    page.wait_for_function("document.querySelector('#coin-boundary').hidden")
    assert console.errors == []
    page.context.close()


def test_every_panel_draws_without_console_errors(browser: Browser, url: str) -> None:
    page, console = open_page(browser, url)
    # every conjugate pair
    page.click("#tab-pairs")
    wait_drawn(page, "pairs", 0)
    keys = page.eval_on_selector_all("#pair-select option", "els => els.map(e => e.value)")
    assert len(keys) == 10
    charts = {"nig-normal": 2, "dirichlet-categorical": 3, "dirichlet-multinomial": 3}
    for key in keys:
        before = drawn(page, "pairs")
        page.select_option("#pair-select", key)
        wait_drawn(page, "pairs", before)
        assert page.locator("#pair-charts .chart svg").count() == charts.get(key, 1), key
        if key in ("gamma-poisson", "nig-normal", "dirichlet-categorical"):
            shot(page, f"pairs-{key}-1280x800")
    # a hyperparameter slider of the pair moves the posterior
    before = drawn(page, "pairs")
    page.locator("#pair-inputs input[type=range]").first.fill("4")
    wait_drawn(page, "pairs", before)
    # n grows
    page.click("#tab-grow")
    wait_drawn(page, "grow", 0)
    assert page.locator("#grow-diff svg circle.diff").count() > 20
    shot(page, "grow-1280x800")
    # regularisers: the lasso sets weights to exactly zero, as thetahat's fit does
    page.click("#tab-reg")
    wait_drawn(page, "reg", 0)
    shot(page, "reg-ridge-1280x800")
    before = drawn(page, "reg")
    page.check("input[name=reg-prior][value=laplace]")
    wait_drawn(page, "reg", before)
    before = drawn(page, "reg")
    page.locator("#reg-width").fill("-2")
    wait_drawn(page, "reg", before)
    zeros = int(page.locator("#reg-zeros").get_attribute("data-value") or "-1")
    assert zeros == _lasso_zeros(0.01) > 0
    assert page.locator("#reg-bars text.zero-label").count() == zeros
    shot(page, "reg-lasso-1280x800")
    # your data: an example, fit, compare, shrink, and a CSV upload
    page.click("#tab-data")
    before = drawn(page, "data")
    page.select_option("#data-example", "groundbeef")
    wait_drawn(page, "data", before)
    ref = th.fit(th.Gamma, _groundbeef())
    assert float(page.locator("#fit-shape").get_attribute("data-value") or "nan") == pytest.approx(
        ref.params["shape"]
    )
    shot(page, "data-fit-1280x800")
    before = drawn(page, "data")
    page.check("input[name=data-task][value=compare]")
    wait_drawn(page, "data", before)
    assert page.locator("#data-readout tbody tr").count() == 5
    shot(page, "data-compare-1280x800")
    before = drawn(page, "data")
    page.select_option("#data-example", "rat_tumor")
    wait_drawn(page, "data", before)
    assert page.locator("#data-chart circle.shrunk").count() == 71
    shot(page, "data-shrink-1280x800")
    csv = ARTIFACTS / "upload.csv"
    csv.write_text("clinic,k,n\nA,3,20\nB,0,4\nC,9,31\nA,1,5\n")
    before = drawn(page, "data")
    page.set_input_files("#data-file", str(csv))
    wait_drawn(page, "data", before)
    assert page.locator("#data-chart circle.shrunk").count() == 3  # rows summed per clinic
    assert console.errors == []
    page.context.close()


def test_narrow_window_and_bad_input(browser: Browser, url: str) -> None:
    page, console = open_page(browser, url, width=420, height=800)
    no_overflow(page)
    shot(page, "coin-420")
    for panel in ("pairs", "grow", "reg"):
        page.click(f"#tab-{panel}")
        wait_drawn(page, panel, 0)
        no_overflow(page)
        shot(page, f"{panel}-420")
    page.click("#tab-data")
    before = drawn(page, "data")
    page.select_option("#data-example", "rat_tumor")
    wait_drawn(page, "data", before)
    assert page.locator("#data-chart circle.shrunk").count() == 71
    no_overflow(page)
    shot(page, "data-shrink-420")
    # a bad input is the server's one-line message on the page, and the page recovers
    page.click("#tab-coin")
    before = drawn(page, "coin")
    page.locator("#coin-heads").fill("-1")
    wait_drawn(page, "coin", before)
    assert page.locator("#error").is_visible()
    assert "heads must be between 0 and" in page.locator("#error").inner_text()
    before = drawn(page, "coin")
    page.locator("#coin-heads").fill("2")
    wait_drawn(page, "coin", before)
    assert page.locator("#error").is_hidden()
    # the only console error is the browser's note of the 400 response
    assert all("400" in e for e in console.errors) and len(console.errors) == 1
    page.context.close()


def _lasso_zeros(width: float) -> int:
    from sklearn.datasets import load_diabetes

    from thetahat.regression import LinearRegression

    d = load_diabetes()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    y = (d.target - d.target.mean()) / d.target.std()
    sigma = LinearRegression().fit(X, y).estimate_.extra["sigma_resid"]
    coef = LinearRegression(prior=th.Laplace(0, width), noise_sd=sigma).fit(X, y).coef_
    return int(np.sum(coef == 0))


def _groundbeef() -> Any:
    from thetahat import datasets

    return datasets.load("groundbeef")["serving"]
