"""Eight schools

Coaching effects in eight schools with their standard errors (Rubin 1981; BDA3 Section
5.5). The Normal-Normal model fits the schools' common mean and spread tau by REML. Here
the estimates vary less than their standard errors explain, so tau is estimated at 0:
complete pooling, reported as such (a boundary, not a success) rather than silently
shrinking every school to the mean. The figure shows each school's estimate +- 2 se and
the pooled mean.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th

schools = list("ABCDEFGH")
y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
se = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])

for method in ("ml", "reml"):
    res = th.shrink(y, se=se, family=th.Normal, method=method)
    mu, tau = res.hyper.params["mu"], res.hyper.params["tau"]
    print(f"{method:>4}: mu = {mu:.3f} (se {res.hyper.se['mu']:.3f}), tau = {tau:.3g}")
print("complete pooling:", res.complete_pooling)
for w in res.warnings:
    print(w)

fig, ax = plt.subplots(figsize=(7, 4))
ax.errorbar(range(8), y, yerr=2 * se, fmt="o", capsize=3, label="estimate +- 2 se")
ax.axhline(mu, color="C1", label=f"pooled mean {mu:.2f}")
ax.set_xticks(range(8), schools)
ax.set_ylabel("coaching effect")
ax.legend()
plt.show()
