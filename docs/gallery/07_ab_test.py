"""A/B test: conversion rates

Two page variants, A and B, with their visitors and conversions. Each arm gets the exact
conjugate posterior Beta(1 + conversions, 1 + non-conversions) (a uniform prior); the
probability that B converts better than A, and the distribution of the lift, come from
draws of the two posteriors. The MLEs alone (two proportions) say nothing about how sure
to be.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th

visitors = {"A": 1200, "B": 1180}
conversions = {"A": 96, "B": 123}

posts = {}
for arm in ("A", "B"):
    flips = np.r_[np.ones(conversions[arm]), np.zeros(visitors[arm] - conversions[arm])]
    posts[arm] = th.posterior(th.Bernoulli, flips, prior=th.Beta(1, 1))
    lo, hi = posts[arm].interval(0.95)["p"]
    print(f"{arm}: {posts[arm].dist}, mean {posts[arm].mean()['p']:.4f}, 95% ({lo:.4f}, {hi:.4f})")

draws_a = posts["A"].sample(200_000, rng=1)["p"]
draws_b = posts["B"].sample(200_000, rng=2)["p"]
lift = draws_b / draws_a - 1
print(f"P(B > A) = {np.mean(draws_b > draws_a):.3f}")
print(
    f"relative lift: median {np.median(lift):.1%}, 95% ({np.quantile(lift, 0.025):.1%}, "
    f"{np.quantile(lift, 0.975):.1%})"
)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
grid = np.linspace(0.04, 0.15, 400)
for arm in ("A", "B"):
    ax1.plot(grid, posts[arm].dist.pdf(grid), label=f"{arm}: {posts[arm].dist}")
ax1.set_xlabel("conversion rate")
ax1.legend(fontsize="small")
ax2.hist(lift, bins=80, color="C2", alpha=0.7)
ax2.axvline(0, color="k", lw=0.8)
ax2.set_xlabel("relative lift of B over A")
plt.show()
