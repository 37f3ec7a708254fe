"""Efron and Morris: batting averages

Efron and Morris (1975): the batting averages of 18 players after their first 45 at-bats
of the 1970 season, and over the rest of the season. Shrinking each player's early
average toward a Beta prior fitted to all of them (empirical Bayes) predicts the rest of
the season far better than the players' own averages: the classic demonstration of
Stein's paradox.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th
from thetahat import datasets

d = datasets.load("baseball")
hits, rest = d["r"], d["p"]  # hits in 45 at-bats; average over the rest of the season
res = th.shrink(hits, np.full(hits.size, 45.0))
raw = res.columns["mle"]
shrunk = res.columns["posterior_mean"]

print("fitted prior:", res.prior, "mean", round(res.prior.a / (res.prior.a + res.prior.b), 3))
print(f"mean squared error of the raw averages:    {np.mean((raw - rest) ** 2):.5f}")
print(f"mean squared error of the shrunk averages: {np.mean((shrunk - rest) ** 2):.5f}")

fig, ax = plt.subplots(figsize=(7, 5))
for r, s, t in zip(raw, shrunk, rest, strict=True):
    ax.plot([0, 1, 2], [r, s, t], color="0.75", lw=0.8)
ax.scatter(np.zeros_like(raw), raw, label="first 45 at-bats (MLE)")
ax.scatter(np.ones_like(shrunk), shrunk, label="shrunk (posterior mean)")
ax.scatter(np.full_like(rest, 2), rest, label="rest of the season")
ax.set_xticks([0, 1, 2], ["early", "shrunk", "truth"])
ax.set_ylabel("batting average")
ax.legend(loc="upper right", fontsize="small")
plt.show()
