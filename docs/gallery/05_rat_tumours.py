"""Rat tumours

71 experiments, each counting rats with tumours out of a group (Tarone 1982; Gelman et
al., BDA3 Table 5.1). A Beta(a, b) prior fitted by maximum marginal likelihood pulls each
experiment's rate toward the common mean: the 0/20 experiments stop claiming a zero
rate, and the small experiments move furthest.
"""

import matplotlib.pyplot as plt

import thetahat as th
from thetahat import datasets

rats = datasets.load("rat_tumor")
res = th.shrink(rats["y"], rats["n"])
a, b = res.prior.a, res.prior.b
print(f"prior Beta(a={a:.3f}, b={b:.3f}): mean {a / (a + b):.4f}, prior worth {a + b:.1f} rats")
print({k: round(v, 3) for k, v in res.prior_se.items()}, "(standard errors of a and b)")
print(res.summary())

th.plot.shrinkage(res)
plt.show()
