"""Three heads

A coin comes up heads three times in three flips. The MLE says tails is impossible and
flags it (status `boundary`, a `BoundaryWarning`, an infinite standard error); a
Beta(2, 2) prior, two imagined heads and two imagined tails, hedges the estimate to 0.8;
the exact posterior Beta(5, 2) says how unsure three flips leave us. The figure shows the
prior, the scaled likelihood and the posterior, with the MLE, MAP, posterior mean and
95% credible interval.
"""

import matplotlib.pyplot as plt

import thetahat as th

flips = [1, 1, 1]

mle = th.fit(th.Bernoulli, flips)
print("MLE:      ", mle.params, "status:", mle.status.value, "se:", mle.se)

map_ = th.fit(th.Bernoulli, flips, prior=th.Beta(2, 2))
print("MAP:      ", map_.params, "se:", {k: round(v, 3) for k, v in map_.se.items()})

post = th.posterior(th.Bernoulli, flips, prior=th.Beta(2, 2))
print("posterior:", post.dist, "mean:", {k: round(v, 3) for k, v in post.mean().items()})
lo, hi = post.interval(0.95)["p"]
print(f"95% credible interval for p: ({lo:.3f}, {hi:.3f})")
print(f"log evidence: {post.log_evidence:.4f}")

th.plot.posterior(th.Bernoulli, flips, th.Beta(2, 2))
plt.show()
