"""
Sigmoid or ReLU: two activation functions
=========================================

The nonlinearity σ applied to each hidden unit is the **activation function**
(激活函数, ``activation``). The lecture names two:

* the sigmoid ``σ(r) = 1 / (1 + e⁻ʳ)``, a smooth step (``"sigmoid"``);
* the rectified linear unit ``ReLU(r) = max(0, r)`` (线性整流函数, ``"relu"``).

Two ReLUs make one hard sigmoid, ``c·(max(0, r - r₁) − max(0, r - r₂))``, so
a ReLU network can draw the same piecewise-linear curves as a sigmoid
network; its pieces are ramps that keep on rising instead of steps that
level off.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

from sklearn_sigmoidnet import SigmoidNetRegressor, SigmoidSumDisplay


def relu(r):
    return np.maximum(0, r)


fig, ax = plt.subplots(figsize=(6, 4))
r = np.linspace(-4, 4, 300)
ax.plot(r, sigmoid(r), label="sigmoid σ(r)")
ax.plot(r, relu(r), label="ReLU max(0, r)")
ax.plot(r, relu(r + 1) - relu(r - 1), linestyle="--", label="ReLU(r + 1) − ReLU(r − 1)")
ax.set_ylim(-0.5, 3)
ax.set_xlabel("r")
ax.set_title("Activations; two ReLUs make a hard sigmoid")
ax.legend(loc="upper left")
plt.show()

# %%
# The same curve, fitted with either activation
# ---------------------------------------------
# The three-ramp curve of the sigmoid-sum example, fitted by ten hidden
# units of each kind. :class:`~sklearn_sigmoidnet.SigmoidSumDisplay` draws
# each unit's piece ``cᵢ·aᵢ(x)``: smooth steps for the sigmoid, bent lines
# (a ``cᵢ·max(0, ·)`` ramp) for ReLU.
rng = np.random.RandomState(0)
x = np.sort(rng.uniform(0, 5, 200))
ramps = np.clip(x - 1, 0, 1) * 2.0 - np.clip((x - 2.5) / 0.7, 0, 1) * 1.5
y = 0.5 + ramps + np.clip((x - 3.8) / 0.6, 0, 1) + rng.normal(0, 0.05, x.size)
X = x.reshape(-1, 1)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, activation in zip(axes, ("sigmoid", "relu")):
    net = SigmoidNetRegressor(
        (10,), activation=activation, solver="lbfgs", alpha=0.01, epochs=3000, random_state=0
    ).fit(X, y)
    SigmoidSumDisplay.from_estimator(net, X, feature=0, y=y, ax=ax)
    ax.set_title(f'activation="{activation}", R² = {net.score(X, y):.3f}')
    ax.get_legend().remove()
axes[1].legend(fontsize="small", loc="lower left")
fig.tight_layout()
plt.show()

# %%
# Both fit the curve. A ReLU unit whose input is negative on every sample
# outputs 0 and gets no gradient, so it stays "dead"; with very few units a
# ReLU fit can get stuck that way, which is one reason to give it some spare
# units. In deep networks ReLU is the usual choice: its slope is
# 1 wherever it is active, while the sigmoid's slope is at most 1/4 and
# vanishes on both sides, which shrinks gradients as they pass back through
# many layers.
