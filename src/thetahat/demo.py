"""The demo: MLE vs MAP vs posterior on the coin and on real data, as text and as an HTML report.

The report is a short notebook: each section shows its Python code and, below it,
what that code printed and the figures it drew.  The code shown is the code run
(:data:`SECTIONS` holds it as text, executed in one shared namespace), so the
report cannot drift from the library.
"""

from __future__ import annotations

import contextlib
import html
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import datasets
from .distributions import Bernoulli, Beta, Gamma, NegativeBinomial, Poisson
from .inference.fit import fit
from .inference.posterior import posterior
from .results import BoundaryWarning

__all__ = ["SECTIONS", "Section", "coin_table", "run_text_demo", "toxocara_table", "write_report"]


# ------------------------------------------------------------------ text demo
def _row(label: str, value: float, lo: float | None = None, hi: float | None = None) -> str:
    iv = "" if lo is None or hi is None else f"[{lo:.4f}, {hi:.4f}]"
    return f"  {label:<44}{value:>10.4f}   {iv}"


def coin_table() -> str:
    """Three heads: MLE, MAP under Beta(2, 2), and the exact posterior."""
    flips = [1, 1, 1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        mle = fit(Bernoulli, flips)
    prior = Beta(2, 2)
    mapf = fit(Bernoulli, flips, prior=prior)
    post = posterior(Bernoulli, flips, prior=prior)
    lo, hi = post.interval(0.95)["p"]
    mci = mle.conf_int()["p"]
    lines = [
        "Three coin flips, all heads: what is P(heads)?",
        _row("MLE (data alone)", mle.params["p"], *mci),
        _row("MAP with a Beta(2, 2) prior", mapf.params["p"], *mapf.conf_int()["p"]),
        _row(f"posterior mean, {post.dist!r}", post.mean()["p"], lo, hi),
        f"  MLE warning: {caught[0].message if caught else '-'}",
        f"  log evidence under Beta(2, 2): {post.log_evidence:.4f}",
    ]
    return "\n".join(lines)


def toxocara_table() -> str:
    """Worm counts in 53 cats: Poisson rate by MLE, MAP and posterior, then the
    over-dispersion that the NegativeBinomial fits and the comparison that shows it."""
    counts = np.asarray(datasets.load("toxocara")["number"], dtype=float)
    prior = Gamma(2.0, 0.2)
    mle = fit(Poisson, counts)
    mapf = fit(Poisson, counts, prior=prior)
    post = posterior(Poisson, counts, prior=prior)
    nb = fit(NegativeBinomial, counts)
    lo, hi = post.interval()["rate"]
    dispersion = counts.var(ddof=1) / counts.mean()
    return "\n".join(
        [
            f"Toxocara cati counts in {counts.size} feral cats (fitdistrplus): Poisson rate",
            _row("MLE", mle.params["rate"], *mle.conf_int()["rate"]),
            _row(f"MAP with a {prior!r} prior", mapf.params["rate"], *mapf.conf_int()["rate"]),
            _row(f"posterior mean, {post.dist!r}", post.mean()["rate"], lo, hi),
            f"  variance/mean of the counts = {dispersion:.1f}: over-dispersed for a Poisson",
            f"  NegativeBinomial fit: r = {nb.params['r']:.4f} (se {nb.se['r']:.4f}), "
            f"p = {nb.params['p']:.4f}",
            f"  log-likelihood: Poisson {mle.loglik:.2f}, NegativeBinomial {nb.loglik:.2f}; "
            f"AIC {mle.aic:.1f} vs {nb.aic:.1f}: the NegativeBinomial wins",
        ]
    )


def run_text_demo(echo: Callable[[str], object] = print) -> None:
    """Print the demo tables (estimate, then a 95% Wald or credible interval)."""
    echo("thetahat demo: MLE -> MAP -> posterior\n")
    echo(coin_table())
    echo("")
    echo(toxocara_table())


# ------------------------------------------------------------------ HTML report
@dataclass(frozen=True)
class Section:
    """One section of the report: a title, a paragraph (HTML), and the code run."""

    title: str
    intro: str
    code: str
    show_warnings: bool = False


SETUP = """\
import numpy as np
import matplotlib.pyplot as plt
from scipy import stats

import thetahat as th
from thetahat import datasets
"""

SECTIONS: tuple[Section, ...] = (
    Section(
        "1. Three heads",
        "Three flips, all heads. The MLE says P(heads) = 1 and warns that it sits on the "
        "boundary; a Beta(2, 2) prior (one imaginary head and one imaginary tail beyond the "
        "uniform) gives the MAP 0.8, and the exact posterior is Beta(5, 2).",
        """\
flips = [1, 1, 1]
mle = th.fit(th.Bernoulli, flips)
map_ = th.fit(th.Bernoulli, flips, prior=th.Beta(2, 2))
post = th.posterior(th.Bernoulli, flips, prior=th.Beta(2, 2))
print(f"MLE p = {mle.params['p']:.4f}   MAP p = {map_.params['p']:.4f}")
lo, hi = post.interval(0.95)["p"]
print(f"posterior {post.dist!r}: mean {post.mean()['p']:.4f}, 95% interval [{lo:.4f}, {hi:.4f}]")
print(f"log evidence under Beta(2, 2): {post.log_evidence:.4f}")
th.plot.posterior(th.Bernoulli, flips, th.Beta(2, 2))
""",
        show_warnings=True,
    ),
    Section(
        "2. With more data the likelihood wins",
        "MLE and MAP on growing samples from a coin with p = 0.7: the prior counts as a "
        "fixed number of pseudo-observations, so the gap between MAP and MLE shrinks like 1/n.",
        """\
th.plot.convergence(th.Bernoulli(0.7), th.Beta(2, 2))
""",
    ),
    Section(
        "3. A real dataset: ground-beef serving sizes",
        "254 serving sizes (g) of ground-beef patties (fitdistrplus). Several families are "
        "fitted and ranked by AIC; the best, a Gamma, is shown with its QQ plot and the "
        "profile likelihood of its shape.",
        """\
serving = datasets.load("groundbeef")["serving"]
comp = th.compare([th.Gamma, th.Weibull, th.LogNormal, th.Normal, th.Exponential], serving)
print(comp)
est = th.fit(th.Gamma, serving)
print(est.summary())
th.plot.fit(est, serving)
th.plot.profile(est, serving, "shape")
""",
    ),
    Section(
        "4. Counts: Toxocara worms in cats",
        "Worm counts in 53 feral cats (fitdistrplus). A Poisson rate by MLE and with a "
        "Gamma(2, 0.2) prior; then a check of the Poisson's own assumption: its variance "
        "equals its mean.",
        """\
counts = datasets.load("toxocara")["number"]
pois = th.fit(th.Poisson, counts)
post = th.posterior(th.Poisson, counts, prior=th.Gamma(2.0, 0.2))
print(f"Poisson rate: MLE {pois.params['rate']:.4f}, "
      f"posterior mean {post.mean()['rate']:.4f} ({post.dist!r})")
print(f"variance / mean of the counts = {counts.var(ddof=1) / counts.mean():.1f} "
      "(a Poisson has 1): the counts are over-dispersed")
""",
    ),
    Section(
        "4b. The over-dispersion, fitted: NegativeBinomial vs Poisson",
        "A NegativeBinomial lets the variance exceed the mean (the Poisson is its limit as "
        "r grows). It fits far better: AIC drops by about 700, the likelihood-ratio test "
        "rejects the Poisson (the Poisson sits on the boundary r = infinity, so the "
        "reference distribution is half chi-square(0), half chi-square(1)), and it "
        "predicts the many cats with no worms, which the Poisson says should almost never "
        "happen.",
        """\
nb = th.fit(th.NegativeBinomial, counts)
print(nb.summary())
print(th.compare([th.Poisson, th.NegativeBinomial], counts))
lr = 2 * (nb.loglik - pois.loglik)
p_value = 0.5 * stats.chi2.sf(lr, 1)
print(f"likelihood ratio {lr:.1f}, p = {p_value:.2g}")
print(f"cats with no worms: observed {np.mean(counts == 0):.2f}, "
      f"Poisson {float(pois.dist.pmf(0)):.2g}, NegativeBinomial {float(nb.dist.pmf(0)):.2f}")
fig, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")
th.plot.fit(pois, counts, ax=axes[0])
th.plot.fit(nb, counts, ax=axes[1])
""",
    ),
    Section(
        "5. Many small groups: Efron &amp; Morris baseball",
        "Hits in the first 45 at-bats of 18 players. Empirical Bayes fits a Beta prior to "
        "all players together and shrinks each raw average toward it; the shrunk averages "
        "predict the rest of the season better than the raw ones.",
        """\
bb = datasets.load("baseball")
hits, rest = bb["r"], bb["p"]     # first-45 hits; average over the rest of the season
res = th.shrink(hits, np.full(hits.size, 45))
raw, shrunk = res.columns["mle"], res.columns["posterior_mean"]
print(f"fitted prior: {res.prior!r}")
print(f"squared error vs the rest of the season: raw {np.sum((raw - rest) ** 2):.4f}, "
      f"shrunk {np.sum((shrunk - rest) ** 2):.4f}")
th.plot.shrinkage(res, title="baseball: raw vs shrunk averages")
""",
    ),
    Section(
        "6. Regularisers are priors: ridge vs lasso",
        "MAP coefficients of a linear model as the prior widens: a Normal prior (ridge) "
        "shrinks smoothly, a Laplace prior (lasso) sets coefficients exactly to zero at its "
        "corner. Data: 200 simulated rows, 6 correlated features, 3 of them without effect.",
        """\
rng = np.random.default_rng(7)
cov = 0.5 ** np.abs(np.subtract.outer(np.arange(6), np.arange(6)))
X = rng.multivariate_normal(np.zeros(6), cov, size=200)
y = X @ [2.0, -1.5, 1.0, 0.0, 0.0, 0.0] + rng.normal(0.0, 1.0, 200)
th.plot.regularization_path(X, y)
""",
    ),
)

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;padding:1em;line-height:1.45}
h1{font-size:1.8em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px;padding:.6em .8em;
margin:.4em 0;border-radius:4px;max-width:100%;box-sizing:border-box}
pre.code{background:#272822;color:#f8f8f2}
pre.out{background:#f4f4f4;color:#222;border-left:3px solid #bbb;
white-space:pre;overflow-x:auto}
pre.warn{background:#fff6e0;color:#5a4100;border-left:3px solid #e0a800}
.label{font-size:12px;color:#666;margin-top:.8em}
img{max-width:100%;height:auto;display:block;margin:.5em 0}
"""


def _figure_tag(fig: Any, alt: str) -> str:
    """A Figure as an <img> with the PNG embedded as base64 (nothing loaded remotely)."""
    import base64

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=90)
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _run(section: Section, ns: dict[str, Any]) -> tuple[str, list[str], list[Any]]:
    """Execute a section's code: (printed text, warnings, new figures in order)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            exec(compile(section.code, f"<demo: {section.title}>", "exec"), ns)
    figs = [plt.figure(n) for n in plt.get_fignums() if n not in before]
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return out.getvalue(), seen, figs


def _section_html(section: Section, ns: dict[str, Any]) -> list[str]:
    text, caught, figs = _run(section, ns)
    parts = [
        f"<h2>{section.title}</h2>",
        f"<p>{section.intro}</p>",
        '<div class="label">code</div>',
        f'<pre class="code">{html.escape(section.code.rstrip())}</pre>',
    ]
    if text.strip() or figs or (section.show_warnings and caught):
        parts.append('<div class="label">output</div>')
    if section.show_warnings and caught:
        parts.append(f'<pre class="warn">{html.escape(chr(10).join(caught))}</pre>')
    if text.strip():
        parts.append(f'<pre class="out">{html.escape(text.rstrip())}</pre>')
    for i, fig in enumerate(figs, start=1):
        parts.append(_figure_tag(fig, f"{section.title}: figure {i}"))
    return parts


def write_report(out: str = "thetahat-report") -> str:
    """Write the self-contained HTML demo report to ``out/index.html``; return its path.

    Each section of :data:`SECTIONS` shows its code and what it printed and drew:
    the three-heads story (MLE 1.0, MAP 0.8, exact posterior), MAP converging to
    MLE as n grows, ground-beef serving sizes fitted and compared across
    families, Toxocara counts (Poisson, then the NegativeBinomial that the
    over-dispersion calls for, with the comparison that justifies it),
    empirical-Bayes shrinkage of the baseball averages, and ridge vs lasso as
    Normal vs Laplace priors.  Images are embedded as base64 PNG; the page
    references nothing on the network and never scrolls sideways (code and
    warnings wrap; a table wider than a narrow screen scrolls inside its box).
    """
    import os

    os.makedirs(out, exist_ok=True)
    ns: dict[str, Any] = {"__name__": "thetahat_demo"}
    exec(compile(SETUP, "<demo: setup>", "exec"), ns)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>thetahat demo</title><style>{_CSS}</style></head><body>",
        "<h1>thetahat: MLE &rarr; MAP &rarr; posterior</h1>",
        "<p>Each section shows the Python that produced it, then what it printed and "
        "drew. The sections run in order in one session, after this setup:</p>",
        f'<pre class="code">{html.escape(SETUP.rstrip())}</pre>',
    ]
    for section in SECTIONS:
        parts.extend(_section_html(section, ns))
    parts.append("</body></html>")
    path = os.path.join(out, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    return os.path.abspath(path)
