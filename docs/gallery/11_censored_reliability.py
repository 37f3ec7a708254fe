"""Censored reliability data

A life test of 60 simulated units stopped at 1500 hours: the units still running then are
right-censored (we know only that they lasted longer). Dropping them, or treating 1500 h
as a failure time, biases the Weibull fit toward short lives; `th.Censored.right` puts
each censored unit's survival probability into the likelihood instead. The figure shows
the three fitted survival curves against the Kaplan-Meier estimate.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th

rng = np.random.default_rng(6)
life = th.Weibull(1.8, 1400.0).sample(60, rng=rng)  # true shape 1.8, scale 1400 h
end = 1500.0
running = life > end
times = np.minimum(life, end)
print(f"{running.sum()} of {times.size} units still running at {end:.0f} h")

fits = {
    "censoring in the likelihood": th.fit(th.Weibull, th.Censored.right(times, running)),
    "censored units dropped": th.fit(th.Weibull, times[~running]),
    "censored as failures": th.fit(th.Weibull, times),
}
for label, est in fits.items():
    p, se = est.params, est.se
    print(
        f"{label:<28} shape {p['shape']:.2f} ({se['shape']:.2f})  "
        f"scale {p['scale']:7.1f} ({se['scale']:.1f})"
    )

# Kaplan-Meier: the product over failure times of (1 - deaths / at risk)
order = np.argsort(times)
t_sorted, failed = times[order], ~running[order]
at_risk = times.size - np.arange(times.size)
km = np.cumprod(np.where(failed, 1 - 1 / at_risk, 1.0))

fig, ax = plt.subplots(figsize=(7, 4))
ax.step(t_sorted, km, where="post", color="k", label="Kaplan-Meier")
grid = np.linspace(1, end, 300)
for label, est in fits.items():
    ax.plot(grid, est.dist.sf(grid), label=label)
ax.set_xlabel("hours")
ax.set_ylabel("fraction still running")
ax.legend(fontsize="small")
plt.show()
