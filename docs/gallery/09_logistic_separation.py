"""Logistic regression with separation

When a feature separates the classes perfectly, the logistic likelihood keeps increasing
as its coefficient grows: the MLE does not exist. thetahat says so (a `BoundaryWarning`
naming the diverging coefficient, status `boundary`, no finite standard error) instead of
returning whatever large number the optimiser stopped at. A Normal(0, 2.5) prior on the
coefficients gives a finite MAP with standard errors, and its fitted probabilities are
drawn against the data.
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th
from thetahat.regression import LogisticRegression

rng = np.random.default_rng(4)
dose = np.sort(rng.uniform(0, 10, 30))
died = (dose > 5.2).astype(float)  # every rat above the threshold died: separation
X = dose[:, None]

mle = LogisticRegression().fit(X, died)
print("MLE status:", mle.estimate_.status.value)
print("MLE coefficient:", mle.coef_.round(2), "se:", mle.estimate_.se["x0"])

map_ = LogisticRegression(prior=th.Normal(0, 2.5)).fit(X, died)
print("MAP status:", map_.estimate_.status.value)
print("MAP coefficient:", map_.coef_.round(3), "se:", round(map_.estimate_.se["x0"], 3))

grid = np.linspace(0, 10, 300)[:, None]
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(dose, died, color="k", s=12, label="data")
ax.plot(grid, map_.predict_proba(grid)[:, 1], label="MAP, Normal(0, 2.5) prior")
ax.plot(grid, mle.predict_proba(grid)[:, 1], "--", label="MLE (does not exist)")
ax.set_xlabel("dose")
ax.set_ylabel("P(died)")
ax.legend()
plt.show()
