"""Toxocara counts and overdispersion

Worm counts in 53 feral cats (Fromont et al. 2001, via R's fitdistrplus). A Poisson
model forces the variance to equal the mean; these counts have a variance many times
their mean, and the Negative Binomial, whose variance is mean + mean^2 / r, fits far
better: AIC and the fitted frequencies agree.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th
from thetahat import datasets

counts = datasets.load("toxocara")["number"]
print(f"n = {counts.size}, mean = {counts.mean():.2f}, variance = {counts.var(ddof=1):.2f}")

cmp = th.compare([th.Poisson, th.NegativeBinomial], counts)
for row in cmp.rows:
    print(f"{row['family']:<17} loglik {row['loglik']:9.2f}   AIC {row['aic']:8.2f}")

poisson = cmp.estimates["Poisson"]
negbin = cmp.estimates["NegativeBinomial"]
print("Poisson rate:", {k: round(v, 3) for k, v in poisson.params.items()})
print("NegativeBinomial:", {k: round(v, 3) for k, v in negbin.params.items()})

k = np.arange(0, int(counts.max()) + 1)
observed = np.bincount(counts.astype(int), minlength=k.size)
fig, ax = plt.subplots(figsize=(8, 4))
ax.bar(k, observed, color="0.8", label="observed")
ax.plot(k, counts.size * poisson.dist.pmf(k), "o-", ms=3, label="Poisson")
ax.plot(k, counts.size * negbin.dist.pmf(k), "s-", ms=3, label="Negative Binomial")
ax.set_xlabel("worms per cat")
ax.set_ylabel("cats")
ax.set_xlim(-0.5, 40)
ax.legend()
plt.show()
