"""Ground beef: which family?

Serving sizes (g) of ground beef patties eaten by 254 children under five
(Delignette-Muller & Cornu 2008, via R's fitdistrplus). Three positive, right-skewed
families are fitted by maximum likelihood and ranked by AIC; the best is drawn over the
data with its QQ plot. The Gamma and Weibull are close (a difference of 3 in AIC), the
log-normal clearly worse.
"""

import matplotlib.pyplot as plt

import thetahat as th
from thetahat import datasets

serving = datasets.load("groundbeef")["serving"]

cmp = th.compare([th.Gamma, th.Weibull, th.LogNormal], serving)
best = cmp.rows[0]["aic"]
for row in cmp.rows:
    print(
        f"{row['family']:<10} loglik {row['loglik']:9.2f}  AIC {row['aic']:8.2f}  "
        f"dAIC {row['aic'] - best:5.2f}  KS {row['ks']:.3f}"
    )

gamma = cmp.estimates["Gamma"]
for name in gamma.params:
    lo, hi = gamma.conf_int(kind="profile")[name]
    print(f"Gamma {name}: {gamma.params[name]:.4g} (profile 95% CI {lo:.4g} to {hi:.4g})")

th.plot.fit(gamma, serving)
plt.show()
