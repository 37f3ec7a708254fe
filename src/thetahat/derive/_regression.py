"""Regression as likelihood and prior: OLS, ridge, lasso and logistic regression.

Each derivation differentiates the (log) likelihood or posterior with SymPy's
matrix calculus, and checks the solution it states by solving the same
equations for an explicit small design (three observations, two weights)
with every entry a symbol.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ._steps import Derivation, f, relation

__all__ = ["REGRESSIONS", "derive_regression"]

REGRESSIONS = ("ols", "ridge", "lasso", "logistic")

n, p = sp.symbols("n p", positive=True, integer=True)
X = sp.MatrixSymbol("X", n, p)
y = sp.MatrixSymbol("y", n, 1)
w = sp.MatrixSymbol("w", p, 1)
sigma, tau, b = sp.symbols("sigma tau b", positive=True)
lam = sp.Symbol("lambda", positive=True)


def _explicit() -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    xs = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    ys = sp.Matrix(3, 1, lambda i, _: sp.Symbol(f"y_{i + 1}", real=True))
    ws = sp.Matrix(2, 1, lambda i, _: sp.Symbol(f"w_{i + 1}", real=True))
    return xs, ys, ws


def _gaussian_loglik() -> tuple[Any, Any]:
    """The Gaussian log-likelihood: (its constants, its quadratic part as a 1x1 matrix)."""
    r = y - X * w
    return -n * sp.log(2 * sp.pi) / 2 - n * sp.log(sigma), -(r.T * r) / (2 * sigma**2)


def _shown(lhs: Any, const: Any, quad: Any, name: str = "Q") -> list[Any]:
    """``lhs = const + Q`` and ``Q = quad`` (a 1x1 matrix expression cannot join a sum)."""
    q = sp.Symbol(name)
    return [relation(lhs, const + q), relation(q, quad)]


def _new(title: str) -> Derivation:
    d = Derivation(title)
    d.symbols.update(
        {"X": X, "y": y, "w": w, "sigma": sigma, "tau": tau, "b": b, "lambda": lam, "n": n, "p": p}
    )
    return d


def _check_linear(xs: sp.Matrix, ys: sp.Matrix, ws: sp.Matrix, obj: Any, closed: Any) -> None:
    sol = sp.solve([sp.diff(obj, v) for v in ws], list(ws), dict=True)[0]
    for k in range(ws.shape[0]):
        if sp.simplify(sol[ws[k]] - closed[k]) != 0:
            raise AssertionError("the stated solution does not solve the explicit equations")


def _ols() -> Derivation:
    d = _new("OLS is the Gaussian MLE")
    const, ll = _gaussian_loglik()
    d.add(
        "Model",
        "y_i = x_i^T w + e_i with independent e_i ~ Normal(0, sigma): the log-likelihood "
        "is the sum of the Normal log densities of the residuals, constants kept.",
        *_shown(f("ell", sp.Symbol("w"), sigma), const, ll),
    )
    grad = sp.diff(ll, w)
    d.add(
        "Score in w",
        "Differentiate (matrix calculus): only the sum of squares depends on w, so "
        "maximising the likelihood is minimising the residual sum of squares.",
        relation(sp.Derivative(sp.Symbol("ell"), w), grad),
    )
    normal_eq = sp.expand(-grad * sigma**2)
    mle = (X.T * X).I * X.T * y
    d.add(
        "Normal equations",
        "Setting the score to zero (times -sigma^2) gives X^T X w = X^T y; with X of full "
        "column rank the solution is unique.",
        relation(normal_eq, sp.ZeroMatrix(p, 1)),
        relation(sp.Symbol("hat{w}"), mle),
    )
    xs, ys, ws = _explicit()
    rss = ((ys - xs * ws).T * (ys - xs * ws))[0]
    _check_linear(xs, ys, ws, rss, (xs.T * xs).inv() * xs.T * ys)
    rs = sp.Symbol("RSS", positive=True)
    ll_sigma = -n * sp.log(2 * sp.pi) / 2 - n * sp.log(sigma) - rs / (2 * sigma**2)
    s_hat = sp.solve(sp.diff(ll_sigma, sigma), sigma)[0]
    d.add(
        "Noise scale",
        "With RSS the residual sum of squares at hat{w}, the score in sigma gives the MLE of "
        "the variance RSS / n (biased; RSS / (n - p) is the unbiased estimate).",
        relation(sp.Symbol("hat{sigma}"), s_hat),
    )
    hess = sp.diff(grad, w)
    d.add(
        "Information",
        "Minus the Hessian in w is X^T X / sigma^2 (not depending on w: the log-likelihood "
        "is quadratic), so the covariance of hat{w} is sigma^2 (X^T X)^-1.",
        relation(sp.Symbol("-H"), -hess),
        relation(sp.Symbol("Cov(hat{w})"), sigma**2 * (X.T * X).I),
    )
    d.symbols["RSS"] = rs
    d.results.update(mle=mle, sigma=s_hat, cov=sigma**2 * (X.T * X).I)
    return d


def _ridge() -> Derivation:
    d = _new("Ridge is the MAP under a Gaussian prior")
    const, ll = _gaussian_loglik()
    pconst, lp = -p * sp.log(2 * sp.pi * tau**2) / 2, -(w.T * w) / (2 * tau**2)
    d.add(
        "Prior",
        "Independent w_j ~ Normal(0, tau): its log density.",
        *_shown(sp.log(f("pi", sp.Symbol("w"))), pconst, lp, "R"),
    )
    d.add(
        "Log posterior",
        "Gaussian log-likelihood plus log prior, less the log evidence (no w in it).",
        *_shown(
            sp.log(f("p", sp.Symbol("w"))),
            const + pconst - sp.log(f("p", sp.Symbol("y"))) + sp.Symbol("R"),
            ll,
        ),
    )
    grad = sp.diff(ll + lp, w)
    scaled = sp.expand(-grad * sigma**2)
    d.add(
        "Gradient",
        "Differentiate in w (the constants vanish) and multiply by -sigma^2:",
        relation(sp.Derivative(sp.log(f("p", sp.Symbol("w"))), w), grad),
        relation(scaled, sp.ZeroMatrix(p, 1)),
    )
    coef = [a.as_coeff_mmul()[0] for a in sp.Add.make_args(scaled) if a.has(w) and not a.has(X)]
    penalty = sp.simplify(sum(coef))
    mapw = (X.T * X + lam * sp.Identity(p)).I * X.T * y
    d.add(
        "MAP",
        "The term in w alone carries the penalty: (X^T X + lambda I) w = X^T y with "
        "lambda = sigma^2 / tau^2. The MAP minimises ||y - X w||^2 + lambda ||w||^2, "
        "scikit-learn's Ridge(alpha=lambda); a vaguer prior (tau -> oo) gives OLS.",
        relation(lam, penalty),
        relation(sp.Symbol("w_MAP"), mapw),
    )
    xs, ys, ws = _explicit()
    obj = ((ys - xs * ws).T * (ys - xs * ws))[0] / (2 * sigma**2) + (ws.T * ws)[0] / (2 * tau**2)
    _check_linear(xs, ys, ws, obj, (xs.T * xs + penalty * sp.eye(2)).inv() * xs.T * ys)
    d.results.update(map=mapw, **{"lambda": penalty})
    return d


def _lasso() -> Derivation:
    d = _new("Lasso is the MAP under a Laplace prior")
    wj = sp.Symbol("w_j", real=True)
    lp1 = -sp.log(2 * b) - sp.Abs(wj) / b
    d.add(
        "Prior",
        "Independent w_j ~ Laplace(0, b): log density of one weight (summed over the p weights).",
        relation(sp.log(f("pi", wj)), lp1),
    )
    rs = sp.Symbol("||y - X w||^2")
    l1 = sp.Symbol("||w||_1")
    neg = rs / (2 * sigma**2) + l1 / b
    scaled = sp.expand(neg * sigma**2)
    penalty = sp.simplify(scaled.coeff(l1))
    d.add(
        "Negative log posterior",
        "Less the constants (n log sigma, p log 2b, the evidence), times sigma^2: "
        "half the residual sum of squares plus lambda times the L1 norm, with "
        "lambda = sigma^2 / b (scikit-learn's Lasso(alpha) divides by n: alpha = lambda / n).",
        relation(-sp.log(f("p", sp.Symbol("w"))), neg),
        relation(sp.Mul(sigma**2, -sp.log(f("p", sp.Symbol("w"))), evaluate=False), scaled),
        relation(lam, penalty),
    )
    z = sp.Symbol("z", real=True)
    pos, neg_ = sp.Symbol("u", positive=True), sp.Symbol("u", negative=True)
    obj = (pos - z) ** 2 / 2 + lam * pos
    up = sp.solve(sp.diff(obj, pos).subs(pos, sp.Symbol("v")), sp.Symbol("v"))[0]
    obj_n = (neg_ - z) ** 2 / 2 - lam * neg_
    dn = sp.solve(sp.diff(obj_n, neg_).subs(neg_, sp.Symbol("v")), sp.Symbol("v"))[0]
    soft = sp.Piecewise((up, z > lam), (dn, z < -lam), (0, True))
    d.add(
        "One coordinate: soft thresholding",
        "For one weight with the others held (or an orthonormal design), minimise "
        "(w - z)^2 / 2 + lambda |w| with z the least-squares value. On w > 0 the "
        "derivative vanishes at z - lambda (admissible when z > lambda), on w < 0 at "
        "z + lambda (when z < -lambda); otherwise the minimum is at the kink w = 0: "
        "exact zeros, which a Gaussian prior never gives.",
        relation(sp.Symbol("w_MAP"), soft),
    )
    g = sp.Symbol("x_j^T (y - X w)")
    d.add(
        "Optimality (subgradient) conditions",
        "At the MAP every weight satisfies: a nonzero weight has its residual correlation "
        "at +-lambda with its own sign; a zero weight has it inside [-lambda, lambda].",
        relation(g, lam * sp.sign(wj)),
        relation(sp.Abs(g), lam, "<="),
    )
    d.symbols.update(z=z)
    d.results.update(soft_threshold=soft, **{"lambda": penalty})
    return d


def _nonzero(e: Any, at: dict[Any, Any]) -> bool:
    """Whether ``e`` differs from zero at the point ``at`` (40-digit arithmetic).

    Exact simplification of these exponential expressions is slow in SymPy; an
    identity that fails fails at a generic rational point too.
    """
    return bool(abs(sp.N(e.xreplace(at), 40)) > sp.Float("1e-30"))


def _logistic() -> Derivation:
    d = _new("Logistic regression: score, Hessian and the IRLS step")
    eta, yy = sp.Symbol("eta", real=True), sp.Symbol("y_i", nonnegative=True)
    mu = 1 / (1 + sp.exp(-eta))
    ll1 = yy * sp.log(mu) + (1 - yy) * sp.log(1 - mu)
    simple = sp.simplify(sp.expand_log(ll1, force=True))
    d.add(
        "Model",
        "y_i in {0, 1} with P(y_i = 1) = mu_i = 1 / (1 + exp(-eta_i)), eta_i = x_i^T w: the "
        "Bernoulli log-likelihood of one observation.",
        relation(sp.Symbol("ell_i"), ll1),
        relation(sp.Symbol("ell_i"), simple),
    )
    d1 = sp.simplify(sp.diff(ll1, eta))
    d2 = sp.simplify(sp.diff(ll1, eta, 2))
    if sp.simplify(d1 - (yy - mu)) != 0 or sp.simplify(d2 + mu * (1 - mu)) != 0:
        raise AssertionError("derivatives of the logistic log-likelihood")
    d.add(
        "Derivatives in the linear predictor",
        "The canonical link makes them simple: the residual, and minus the Bernoulli variance.",
        relation(sp.Derivative(sp.Symbol("ell_i"), eta), yy - sp.Symbol("mu_i")),
        relation(
            sp.Derivative(sp.Symbol("ell_i"), (eta, 2)),
            -sp.Symbol("mu_i") * (1 - sp.Symbol("mu_i")),
        ),
    )
    xs, ys, ws = _explicit()
    etas = xs * ws
    mus = etas.applyfunc(lambda e: 1 / (1 + sp.exp(-e)))
    total = sum(ll1.subs({yy: ys[k], eta: etas[k]}) for k in range(3))
    score = sp.Matrix([sp.diff(total, v) for v in ws])
    hess = sp.hessian(total, list(ws))
    wmat = sp.diag(*[m * (1 - m) for m in mus])
    at = {
        s: sp.Rational((7 * k) % 11 - 5, 3 + k % 4)
        for k, s in enumerate(sorted((*xs, *ws), key=str))
    }
    at.update({ys[0]: 1, ys[1]: 0, ys[2]: 1})
    if any(_nonzero(e, at) for e in score - xs.T * (ys - mus)):
        raise AssertionError("logistic score")
    if any(_nonzero(e, at) for e in hess + xs.T * wmat * xs):
        raise AssertionError("logistic Hessian")
    mu_v, wdiag = sp.MatrixSymbol("mu", n, 1), sp.MatrixSymbol("W", n, n)
    d.add(
        "Score and Hessian in w",
        "By the chain rule (d eta_i / dw = x_i), checked by differentiating the explicit sum "
        "for three observations and two weights (compared at a rational point, 40 digits); "
        "W = diag(mu_i (1 - mu_i)).",
        relation(sp.Symbol("U(w)"), X.T * (y - mu_v)),
        relation(sp.Symbol("H(w)"), -X.T * wdiag * X),
    )
    zz = sp.MatrixSymbol("z", n, 1)
    step = (X.T * wdiag * X).I * X.T * wdiag * zz
    d.add(
        "Newton = iteratively reweighted least squares",
        "w_new = w - H^-1 U = w + (X^T W X)^-1 X^T (y - mu) = (X^T W X)^-1 X^T W z with the "
        "working response z = X w + W^-1 (y - mu): a weighted least-squares fit, repeated "
        "with updated weights. H is negative definite, so the log-likelihood is concave.",
        relation(sp.Symbol("z"), X * w + wdiag.I * (y - mu_v)),
        relation(sp.Symbol("w_new"), step),
    )
    d.symbols.update(eta=eta, y_i=yy)
    d.results.update(dscore=d1, dhessian=d2)
    return d


def derive_regression(name: str) -> Derivation:
    """The derivation ``name`` (one of :data:`REGRESSIONS`)."""
    key = str(name).strip().lower()
    builders = {"ols": _ols, "ridge": _ridge, "lasso": _lasso, "logistic": _logistic}
    if key not in builders:
        raise ValueError(
            f"unknown regression {name!r}; derivations exist for {', '.join(REGRESSIONS)}"
        )
    return builders[key]()
