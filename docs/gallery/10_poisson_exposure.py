"""Poisson rates with exposure

Defect counts on production lines observed for different lengths of time. A count is
Poisson with mean rate x exposure, so the rate's MLE is total counts / total hours, not
the mean of the per-line ratios; a Gamma prior on the rate (2 defects in 200 hours of
imagined data) gives the exact Gamma posterior. A Poisson regression with the exposure as
an offset then lets the rate depend on the line's speed.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th
from thetahat.regression import PoissonRegression

rng = np.random.default_rng(5)
hours = rng.uniform(20, 200, 40)
speed = rng.uniform(0.5, 1.5, 40)
defects = rng.poisson(hours * np.exp(-4.5 + 0.8 * speed))

est = th.fit(th.Poisson, defects, exposure=hours)
print(f"rate MLE {est.params['rate']:.5f} per hour (se {est.se['rate']:.5f})")
print(f"sum(counts) / sum(hours) = {defects.sum() / hours.sum():.5f}")
print(f"mean of the ratios       = {np.mean(defects / hours):.5f} (not the MLE)")

post = th.posterior(th.Poisson, defects, prior=th.Gamma(2, 200), exposure=hours)
lo, hi = post.interval(0.95)["rate"]
print(f"posterior {post.dist}: 95% ({lo:.5f}, {hi:.5f}) per hour")

model = PoissonRegression().fit(speed[:, None], defects, exposure=hours)
print(
    f"log rate = {model.intercept_:.3f} + {model.coef_[0]:.3f} speed "
    f"(se {model.estimate_.se['x0']:.3f}; truth -4.5 + 0.8 speed)"
)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
th.plot.posterior(th.Poisson, defects, th.Gamma(2, 200), exposure=hours, ax=ax1)
grid = np.linspace(0.5, 1.5, 100)[:, None]
ax2.scatter(speed, defects / hours, s=10 + hours / 5, alpha=0.6, label="lines (size: hours)")
ax2.plot(grid, model.predict(grid), color="C1", label="Poisson regression")
ax2.set_xlabel("line speed")
ax2.set_ylabel("defects per hour")
ax2.legend(fontsize="small")
plt.show()
