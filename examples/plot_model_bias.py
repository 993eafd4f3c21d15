"""
Model bias: a line cannot follow a bent curve
=============================================

A linear model ``y = b + w x₁`` can only draw straight lines. When the true
curve bends, no choice of ``w`` and ``b`` fits it, however much data there
is: the lecture calls this **model bias** (模型偏差), a model that is too
simple. The sigmoid sum ``y = b + Σᵢ cᵢ sigmoid(bᵢ + wᵢ x₁)`` is flexible
enough to follow the bends.
"""

# %%
# A piecewise-linear curve with a little noise
# --------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from sklearn_sigmoidnet import SigmoidNetRegressor

knots_x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
knots_y = np.array([1.0, 1.0, 3.0, 2.0, 2.5, 0.5])
rng = np.random.RandomState(0)
x = np.sort(rng.uniform(0, 5, 200))
y = np.interp(x, knots_x, knots_y) + rng.normal(0, 0.05, x.size)
X = x.reshape(-1, 1)

# %%
# A line against a sum of ten sigmoids
# ------------------------------------
# ``solver="lbfgs"`` minimises the loss on all 200 points at once, which is
# quick and precise for a problem this small.
line = LinearRegression().fit(X, y)
net = SigmoidNetRegressor(hidden_layer_sizes=(10,), solver="lbfgs", epochs=2000, random_state=0)
net.fit(X, y)
print(f"R² of the line:        {line.score(X, y):.3f}")
print(f"R² of the sigmoid sum: {net.score(X, y):.3f}")

# %%
fig, ax = plt.subplots()
ax.scatter(x, y, s=8, color="0.7", label="data")
ax.plot(knots_x, knots_y, color="tab:red", label="true curve")
ax.plot(x, line.predict(X), color="tab:blue", label="linear model b + w x₁")
ax.plot(x, net.predict(X), color="k", linestyle="--", label="b + Σ cᵢ sigmoid(bᵢ + wᵢ x₁)")
ax.set_xlabel("x₁")
ax.set_ylabel("y")
ax.set_title("Model bias: the best line misses every bend")
ax.legend()
plt.show()

# %%
# The line's error is not noise that more data would average away: it is
# built into the model. The remedy is a more flexible model, and the rest of
# the gallery builds it from sigmoids.
