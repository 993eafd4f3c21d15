"""
Prediction intervals with the quantile loss
===========================================

The squared error makes ``ŷ = b + cᵀa`` the *mean* of y at each x, the
absolute error its median. When the noise grows with x, a mean says nothing
about how far off a prediction may be. The **pinball loss**
(``loss="quantile"``, ``quantile=α``),

.. math::

    e = \\max\\big(\\alpha\\,(y - \\hat y),\\ (\\alpha - 1)\\,(y - \\hat y)\\big),

charges a target above the curve α per unit of distance and one below it
1 − α, so the curve that minimises it has a share α of the targets below it:
it is the α-quantile of y at each x. Two such curves, for α = 0.05 and α = 0.95,
enclose a 90% prediction interval.
"""

# %%
# Data whose noise grows with x
# -----------------------------
# ``y = sin(x)`` plus normal noise whose standard deviation grows from 0.05 at
# the left to 0.65 at the right. Half the samples train the networks, the
# other half is held out to check the interval.
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.model_selection import train_test_split

from sklearn_sigmoidnet import SigmoidNetRegressor


def noise_scale(x):
    return 0.05 + 0.1 * (x + 3)


rng = np.random.RandomState(0)
x = rng.uniform(-3, 3, 2000)
y = np.sin(x) + noise_scale(x) * rng.normal(size=x.size)
X = x.reshape(-1, 1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)

# %%
# Three networks: two quantiles and the mean
# ------------------------------------------
# Each network has the default settings; only the loss differs. With 1,000
# training samples early stopping is on, and for the quantile networks it
# watches the pinball loss on the fifth of the samples it holds out.
lower = SigmoidNetRegressor(loss="quantile", quantile=0.05, random_state=0).fit(X_train, y_train)
upper = SigmoidNetRegressor(loss="quantile", quantile=0.95, random_state=0).fit(X_train, y_train)
mean = SigmoidNetRegressor(random_state=0).fit(X_train, y_train)


def coverage(X, y):
    """The share of the targets inside [lower, upper], and below and above it."""
    low, high = lower.predict(X), upper.predict(X)
    return np.mean((low <= y) & (y <= high)), np.mean(y < low), np.mean(y > high)


parts = {"training": (X_train, y_train), "held-out": (X_test, y_test)}
for name, (X_part, y_part) in parts.items():
    inside, below, above = coverage(X_part, y_part)
    print(
        f"{name:>8} data: {inside:.1%} inside the interval, "
        f"{below:.1%} below it, {above:.1%} above it"
    )

# %%
# The interval holds close to the 90% asked for, on the held-out data as on
# the training data, with about as many targets below it as above it.

# %%
# The interval
# ------------
# Left: the pinball loss of one sample against its residual ``y − ŷ``; the
# larger α, the more a target above the curve costs (α = 0.5 is half the
# absolute error, whose minimiser is the median). Right: the held-out data,
# the two quantile curves and the squared-error fit, beside the true 5% and
# 95% quantiles of the noise that generated the data.
grid = np.linspace(-3, 3, 300)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=(1, 1.6))
residual = np.linspace(-2, 2, 201)
for alpha in (0.05, 0.5, 0.95):
    left.plot(residual, np.maximum(alpha * residual, (alpha - 1) * residual), label=f"α = {alpha}")
left.set_xlabel("residual y − ŷ")
left.set_ylabel("e, one sample's error")
left.set_title("Pinball loss: tilted absolute error")
left.legend()

right.scatter(X_test, y_test, s=5, color="0.7", label="held-out data")
low, high = lower.predict(grid[:, None]), upper.predict(grid[:, None])
right.fill_between(grid, low, high, color="tab:blue", alpha=0.15)
right.plot(grid, low, color="tab:blue", label="quantile=0.05 and quantile=0.95")
right.plot(grid, high, color="tab:blue")
right.plot(grid, mean.predict(grid[:, None]), color="tab:orange", label="mean (squared error)")
z = norm.ppf(0.95)
for sign in (-1, 1):
    right.plot(
        grid,
        np.sin(grid) + sign * z * noise_scale(grid),
        color="k",
        linestyle="--",
        linewidth=1,
        label="true 5% and 95% quantiles" if sign < 0 else None,
    )
right.set_xlabel("x")
right.set_ylabel("y")
right.set_title("A 90% interval that widens with the noise")
right.legend(fontsize="small", loc="upper left")
fig.tight_layout()
plt.show()

# %%
# How exact is a quantile fit?
# ----------------------------
# The gradient of the pinball loss is a constant, α or α − 1 per sample, so
# mini-batch steps do not shrink as the curve nears the quantile: the curve
# ends wherever early stopping finds it, a little to one side. The coverage
# varies by a few points from one ``random_state`` to the next:
for seed in range(1, 5):
    lower.set_params(random_state=seed).fit(X_train, y_train)
    upper.set_params(random_state=seed).fit(X_train, y_train)
    inside, below, above = coverage(X_test, y_test)
    print(f"random_state={seed}: {inside:.1%} of the held-out targets inside")

# %%
# ``solver="lbfgs"`` minimises the training loss over all training samples at
# once, with no batches and no held-out share, and places each curve at the
# quantile of the training targets; held-out data follow only as closely as
# the curves generalise.
for net in (lower, upper):
    net.set_params(solver="lbfgs", epochs=1000, random_state=0).fit(X_train, y_train)
for name, (X_part, y_part) in parts.items():
    inside, below, above = coverage(X_part, y_part)
    print(f"lbfgs, {name:>8} data: {inside:.1%} inside, {below:.1%} below, {above:.1%} above")
