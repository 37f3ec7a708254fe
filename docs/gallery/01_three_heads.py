"""Three heads

The MLE of three heads.
"""

import matplotlib.pyplot as plt

import thetahat as th

est = th.fit(th.Bernoulli, [1, 1, 1])
print(est.params)
th.plot.posterior(th.Bernoulli, [1, 1, 1], th.Beta(2, 2))
plt.show()
