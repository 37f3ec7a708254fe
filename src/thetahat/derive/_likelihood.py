"""The maximum-likelihood derivation of a family, step by step, by SymPy.

From a :class:`~thetahat.derive._families.FamilySpec` (the model only): the
likelihood, the log-likelihood in the sufficient statistics with every
constant kept, the score, the solution of the score equation, the observed
and expected information, the Cramér–Rao bound and the bias of the MLE.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
import sympy.stats as ss

from ._algebra import expect, moments, separate, sum_over_observations
from ._families import FamilySpec, i, n
from ._steps import Derivation, f, hat, relation

__all__ = ["derive_mle"]


def _tidy(e: Any) -> Any:
    """A readable canonical form: factored over a common denominator (rational
    expressions; ``simplify`` only for the others, as it is far slower)."""
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(_tidy)
    e = sp.sympify(e)
    if e.is_rational_function():
        return sp.factor(sp.cancel(e))
    return sp.factor(sp.simplify(e))


def _shown(m: Any) -> Any:
    """A 1x1 matrix shown as its entry (one free parameter)."""
    return m[0, 0] if isinstance(m, sp.MatrixBase) and m.shape == (1, 1) else m


def _free_symbols(spec: FamilySpec, free: tuple[str, ...]) -> list[sp.Symbol]:
    syms = [spec.params[k] for k in free]
    return [s for s in syms if s not in spec.depend]


def derive_mle(spec: FamilySpec, free: tuple[str, ...]) -> Derivation:
    """The MLE derivation of ``spec`` with the parameters ``free`` estimated."""
    theta = _free_symbols(spec, free)
    fixed = [k for k, s in spec.params.items() if k not in free]
    title = f"Maximum likelihood for {spec.title}"
    if fixed:
        title += f" with {', '.join(fixed)} known"
    d = Derivation(title)
    d.symbols.update({str(s): s for s in spec.params.values()})
    d.symbols.update({str(s): s for s in (*spec.data, *spec.covariates)})
    d.symbols.update({str(st.symbol): st.symbol for st in spec.stats})
    d.symbols["n"] = n
    logp = spec.logp
    density = sp.Function("p")(*spec.data)
    d.add(
        "Model",
        "The log density (mass) of one observation, every constant kept."
        + (f" {spec.notes}" if spec.notes else ""),
        relation(sp.log(density), logp),
    )
    lhood = sp.Symbol("L")
    d.add(
        "Likelihood",
        "The observations are independent, so the likelihood is a product and the "
        "log-likelihood a sum over i = 1..n.",
        relation(lhood, sp.Product(sp.exp(spec.indexed(logp)), (i, 1, n))),
        relation(sp.log(lhood), sp.Sum(spec.indexed(logp), (i, 1, n))),
    )
    if spec.depend:
        ((last, value),) = spec.depend.items()
        d.add(
            "Constraint",
            "The probabilities sum to one, so the last one is not free.",
            relation(last, value),
        )
        logp = logp.xreplace(spec.depend)
    total, rest = sum_over_observations(logp, theta, spec.data + spec.covariates, spec.sums, n)
    const = sp.Symbol(spec.const_name)
    loglik = total
    eqs = [relation(st.symbol, st.definition) for st in spec.stats]
    if rest != 0:
        loglik = total + const
        eqs.append(relation(const, sp.Sum(spec.indexed(rest), (i, 1, n))))
        d.symbols[spec.const_name] = const
    d.add(
        "Sufficient statistics",
        "Expanding the log density term by term, the data enter only through:",
        *eqs,
    )
    ell = sp.Symbol("ell")
    d.add(
        "Log-likelihood",
        f"Summing over the observations, constants kept ({spec.const_name} holds the terms "
        "without parameters):"
        if rest != 0
        else "Summing over the observations, constants kept:",
        relation(ell, loglik),
    )
    d.results["loglik"] = loglik
    score = [_tidy(sp.diff(loglik, t)) for t in theta]
    d.results["score"] = {str(t): s for t, s in zip(theta, score, strict=True)}
    d.add(
        "Score",
        "Differentiate the log-likelihood. Terms without the parameter (the constants "
        "dropped only now) vanish.",
        *[relation(sp.Derivative(ell, t), s) for t, s in zip(theta, score, strict=True)],
    )
    mle = _solve_score(score, theta)
    d.add(
        "Score equation",
        "Setting the score to zero and solving for the parameters gives the MLE:",
        *[relation(hat(t), v) for t, v in mle.items()],
    )
    if spec.depend:
        mle = _lagrange(d, spec, mle)
    d.results["mle"] = {str(k): v for k, v in mle.items()}
    hess = sp.hessian(loglik, theta)
    j_hat = (-hess).xreplace(mle)
    if spec.depend:
        # the counts add up to the total: write the last through the others and back
        counts = [spec.sums[x] for x in spec.data]
        back = {spec.amount - sum(counts[:-1]): counts[-1]}
        j_hat = _tidy(j_hat.xreplace({counts[-1]: spec.amount - sum(counts[:-1])}))
        cov_hat = _tidy(j_hat.inv()).subs(back)
        j_hat = j_hat.subs(back)
    else:
        j_hat = _tidy(j_hat)
        cov_hat = _tidy(j_hat.inv())
    se = {str(t): _tidy(sp.sqrt(cov_hat[k, k])) for k, t in enumerate(theta)}
    d.results["observed_information"] = j_hat
    d.results["se"] = se
    d.add(
        "Observed information at the MLE",
        "Minus the second derivative of the log-likelihood at the MLE (positive "
        "definite: the stationary point is a maximum); its inverse is the covariance "
        "of the estimate and the square roots of its diagonal the standard errors.",
        relation(f("J", hat("theta")), _shown(j_hat)),
        *[relation(f("se", hat(k)), v) for k, v in se.items()],
    )
    j1 = _tidy(-sp.hessian(logp, theta))
    d.results["observed_information_1"] = j1
    d.add(
        "Observed information of one observation",
        "Minus the second derivative of one observation's log density; it depends on the data.",
        relation(f("j", sp.Symbol("theta"), sp.Symbol("x")), _shown(j1)),
    )
    scores1 = [sp.diff(logp, t) for t in theta]
    needed: set[Any] = set()
    for e in j1:
        for _, dat, _ in separate(e, theta, spec.data):
            if dat != 1:
                needed.add(dat)
    mom, how = moments(needed, scores1, spec.data, spec.constraints, spec.rv)
    i1 = _tidy(j1.applyfunc(lambda e: expect(e, spec.data, mom)))
    d.results["fisher_1"] = i1
    d.add(
        "Expected (Fisher) information of one observation",
        "Its expectation over the data; the means come " + "; ".join(how) + ".",
        relation(f("I_1", sp.Symbol("theta")), _shown(i1)),
    )
    fisher = _tidy(
        i1.applyfunc(lambda e: sum_over_observations(e, theta, spec.covariates, spec.sums, n)[0])
    )
    crb = _tidy(fisher.inv())
    d.results["fisher"] = fisher
    d.results["crb"] = crb
    d.results["cov_expected"] = _tidy(crb.xreplace(mle))
    d.add(
        "Fisher information of the sample and the Cramér–Rao bound",
        "Summed over the observations; no unbiased estimator has a smaller variance "
        "than the inverse, which the MLE attains asymptotically.",
        relation(f("I_n", sp.Symbol("theta")), _shown(fisher)),
        relation(f("Var", hat("theta")), _shown(crb), ">="),
    )
    _bias(d, spec, theta, mle, mom)
    return d


def _solve_score(score: list[Any], theta: list[sp.Symbol]) -> dict[sp.Symbol, Any]:
    sols = sp.solve(score, theta, dict=True)
    good = [s for s in sols if all(s.get(t) is not None for t in theta)]
    good = [
        s for s in good if all(s[t].is_positive is not False or not t.is_positive for t in theta)
    ]
    if not good:
        raise ValueError(f"SymPy found no admissible solution of the score equations {score}")
    return {t: _tidy(good[0][t]) for t in theta}


def _lagrange(
    d: Derivation, spec: FamilySpec, reduced: dict[sp.Symbol, Any]
) -> dict[sp.Symbol, Any]:
    """The same MLE with all K probabilities and a Lagrange multiplier for sum = 1.

    Checks that it agrees with ``reduced`` (the solution over K - 1 free
    probabilities) and returns it for all K, written with the total count.
    """
    ps = list(spec.params.values())
    counts = [spec.sums[x] for x in spec.data]
    total = spec.amount
    lam = sp.Symbol("lambda_L")
    lag = sum((c * sp.log(p) for c, p in zip(counts, ps, strict=True)), sp.S.Zero)
    lag = lag - lam * (sum(ps) - 1)
    eqs = [sp.diff(lag, p) for p in ps] + [sp.diff(lag, lam)]
    sol = sp.solve(eqs, [*ps, lam], dict=True)[0]
    for p, v in reduced.items():
        if sp.simplify(sol[p] - v) != 0:
            raise AssertionError(f"the Lagrange solution {sol[p]} differs from {v}")
    sol = {k: v.subs(sum(counts), total) for k, v in sol.items()}
    d.results["lagrange_multiplier"] = sol[lam]
    d.add(
        "The same by a Lagrange multiplier",
        "Maximise the kernel sum_j c_j log p_j over all K probabilities subject to "
        "sum_j p_j = 1: set the gradient of the Lagrangian to zero. The multiplier "
        "is the total count, and each probability its class's share.",
        relation(sp.Symbol("mathcal{L}"), lag),
        relation(lam, sol[lam]),
        *[relation(hat(p), sol[p]) for p in ps],
    )
    return {p: sol[p] for p in ps}


def _bias(
    d: Derivation,
    spec: FamilySpec,
    theta: list[sp.Symbol],
    mle: dict[sp.Symbol, Any],
    mom: dict[Any, Any],
) -> None:
    """E[hat theta] - theta: exact for estimators polynomial in the raw sums, else
    exact from the distribution of the sum where known, else to O(1/n)."""
    data_g = [g for g in spec.sums if g.free_symbols & set(spec.data)]
    raw = {g: sp.Dummy(f"R_{k}") for k, g in enumerate(data_g)}
    stat_syms = sorted(
        set().union(*(sp.sympify(spec.sums[g]).free_symbols for g in data_g)) - {n},
        key=str,
    )
    inv = sp.solve([sp.Eq(spec.sums[g], raw[g]) for g in data_g], stat_syms, dict=True)[0]
    lines, biases = [], {}
    text = []
    for t in theta:
        name = next(k for k, v in spec.params.items() if v == t)
        fn = spec.bias_of.get(name, lambda v: v)
        target = fn(t)
        est = sp.expand(fn(mle[t]).xreplace(inv))
        rs = list(raw.values())
        poly = est.is_polynomial(*rs) and sp.Poly(est, *rs).total_degree() <= 2
        if poly:
            mean = _poly_mean(est, raw, spec, theta, mom)
            how = "exact (the estimator is a polynomial in the sums)"
        elif spec.sum_rv is not None and len(raw) == 1:
            (rsym,) = rs
            mean = ss.E(est.xreplace({rsym: spec.sum_rv()}))
            if isinstance(mean, sp.Piecewise):
                mean = mean.args[0][0]
            how = "exact, from the distribution of the sum (valid for n > 1)"
        else:
            mean = _delta_mean(est, raw, spec, theta, mom)
            how = "to order 1/n (second-order Taylor expansion of the estimator)"
        bias = _tidy(mean - target)
        biases[str(target)] = bias
        est_sym = fn(t).xreplace({t: hat(t)})
        label = f("E", est_sym) - target
        lines.append(relation(label, bias))
        verdict = "unbiased" if bias == 0 else "biased"
        text.append(f"{target}: {verdict}, {how}")
        if bias != 0:
            lines.append(relation(f("E", est_sym), _tidy(mean)))
    d.results["bias"] = biases
    d.add(
        "Bias of the MLE",
        "; ".join(text) + ". The MLE is consistent either way: the bias vanishes as n grows.",
        *lines,
    )


def _mean_of_sum(g: Any, spec: FamilySpec, theta: list[sp.Symbol], mom: dict[Any, Any]) -> Any:
    eg = expect(g, spec.data, mom)
    return sum_over_observations(eg, theta, spec.covariates, spec.sums, n)[0] if eg != 0 else 0


def _moment(g: Any, spec: FamilySpec, mom: dict[Any, Any]) -> Any:
    if g in mom:
        return mom[g]
    if spec.rv is None:
        raise ValueError(f"no way to derive E[{g}] for {spec.key}")
    mom[g] = sp.simplify(spec.rv(g))
    return mom[g]


def _poly_mean(
    est: Any, raw: dict[Any, Any], spec: FamilySpec, theta: list[sp.Symbol], mom: dict[Any, Any]
) -> Any:
    """E[est] for est of degree <= 2 in the raw sums R_g = sum_i g(x_i) (iid for products)."""
    by_sym = {r: g for g, r in raw.items()}
    out: Any = sp.S.Zero
    for term in sp.Add.make_args(est):
        coef, part = term.as_independent(*by_sym, as_Add=False)
        factors = [g for g in sp.Mul.make_args(part) if g != 1]
        powers: list[Any] = []
        for g in factors:
            base, e = g.as_base_exp()
            powers += [base] * int(e)
        if not powers:
            out += coef
        elif len(powers) == 1:
            out += coef * _mean_of_sum(by_sym[powers[0]], spec, theta, mom)
        else:
            g, h = by_sym[powers[0]], by_sym[powers[1]]
            if spec.covariates:
                raise ValueError("products of sums with covariates are not derived")
            out += coef * (
                n * _moment(sp.expand(g * h), spec, mom)
                + n * (n - 1) * _moment(g, spec, mom) * _moment(h, spec, mom)
            )
    return out


def _delta_mean(
    est: Any, raw: dict[Any, Any], spec: FamilySpec, theta: list[sp.Symbol], mom: dict[Any, Any]
) -> Any:
    """E[f(R)] ~ f(E R) + (1/2) sum f''(E R) Cov(R) for sums of n iid terms."""
    means = {r: n * _moment(g, spec, mom) for g, r in raw.items()}
    out = est.xreplace(means)
    items = list(raw.items())
    for g, r in items:
        for h, q in items:
            cov = n * (
                _moment(sp.expand(g * h), spec, mom) - _moment(g, spec, mom) * _moment(h, spec, mom)
            )
            out += sp.Rational(1, 2) * sp.diff(est, r, q).xreplace(means) * cov
    return out
