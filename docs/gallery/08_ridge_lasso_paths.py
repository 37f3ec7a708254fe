"""Ridge vs lasso: paths with standard errors

The same regression under a Normal prior (ridge) and a Laplace prior (lasso) on the
weights, as the prior's scale widens: narrow priors shrink every weight to zero, wide ones
give back least squares. The lasso's weights leave zero one by one (its mode sits on the
kink of the Laplace density); ridge's never are exactly zero. The second figure shows each
weight +- 2 standard errors at one prior scale: from the curvature of the log posterior,
and `nan` for a lasso weight at zero (no curvature at the kink).
"""

import matplotlib.pyplot as plt
import numpy as np

import thetahat as th
from thetahat.regression import LinearRegression

rng = np.random.default_rng(3)
n, names = 80, ["x0", "x1", "x2", "x3", "x4", "x5"]
X = rng.normal(size=(n, len(names)))
X[:, 1] += 0.6 * X[:, 0]  # two correlated features
w_true = np.array([1.5, -1.0, 0.0, 0.5, 0.0, 0.25])
y = X @ w_true + rng.normal(scale=1.0, size=n)

th.plot.regularization_path(X, y, noise_sd=1.0, feature_names=names)

ridge = LinearRegression(prior=th.Normal(0, 0.3), noise_sd=1.0).fit(X, y)
lasso = LinearRegression(prior=th.Laplace(0, 0.05), noise_sd=1.0).fit(X, y)
print("feature   truth   ridge (se)         lasso (se)")
for i, name in enumerate(names):
    print(
        f"{name:<8} {w_true[i]:6.2f}  {ridge.coef_[i]:6.3f} ({ridge.estimate_.se[name]:.3f})"
        f"   {lasso.coef_[i]:6.3f} ({lasso.estimate_.se[name]:.3f})"
    )

fig, ax = plt.subplots(figsize=(8, 4))
pos = np.arange(len(names))
for shift, model, label in ((-0.15, ridge, "ridge, tau = 0.3"), (0.15, lasso, "lasso, b = 0.05")):
    se = np.array([model.estimate_.se[name] for name in names])
    ax.errorbar(
        pos + shift, model.coef_, yerr=2 * np.nan_to_num(se), fmt="o", capsize=3, label=label
    )
ax.scatter(pos, w_true, marker="x", color="k", label="truth", zorder=3)
ax.axhline(0, color="0.6", lw=0.8)
ax.set_xticks(pos, names)
ax.set_ylabel("weight +- 2 se")
ax.legend(fontsize="small")
plt.show()
