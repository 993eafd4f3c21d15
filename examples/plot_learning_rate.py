"""
Gradient descent and the learning rate η
========================================

Gradient descent starts from random parameters θ⁰ and repeats one step,

.. math::

    g = \\nabla L(\\theta^t), \\qquad \\theta^{t+1} \\leftarrow \\theta^t - \\eta\\, g,

moving every parameter a little against the slope of the loss. The step size
η, the **learning rate** (学习率, ``learning_rate``), is a hyperparameter: too
small and the loss falls slowly; too large and the steps overshoot the
minimum, bounce around it, and can fly off to infinity.
"""

# sphinx_gallery_thumbnail_number = 2

# %%
# One parameter, three learning rates
# -----------------------------------
# For ``L(w) = (w - 1)²`` the gradient is ``2 (w - 1)``; ten steps from
# ``w = -1.5`` with each η.
import warnings

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sigmoidnet import LossCurveDisplay, SigmoidNetRegressor


def loss(w):
    return (w - 1) ** 2


rates = {"too small": 0.05, "good": 0.4, "too large": 1.05}
fig, ax = plt.subplots(figsize=(6, 4.2))
w_grid = np.linspace(-2.5, 4.5, 200)
ax.plot(w_grid, loss(w_grid), color="0.6")
for (label, eta), color in zip(rates.items(), ("tab:blue", "tab:green", "tab:red")):
    w = [-1.5]
    for _ in range(10):
        w.append(w[-1] - eta * 2 * (w[-1] - 1))
    w = np.array(w)
    ax.plot(w, loss(w), "o-", color=color, markersize=4, label=f"η = {eta} ({label})")
ax.set_xlim(-3, 5)
ax.set_ylim(-0.3, 12.5)
ax.set_xlabel("w")
ax.set_ylabel("L(w)")
ax.set_title("Ten steps θ ← θ − η g on L(w) = (w − 1)²")
ax.legend(loc="lower right")
plt.show()

# %%
# A network, three learning rates
# -------------------------------
# ``solver="sgd"`` with ``momentum=0`` is the lecture's plain update, one
# step per batch. The loss curves are drawn with
# :class:`~sklearn_sigmoidnet.LossCurveDisplay`; the y axis is logarithmic.
# When the loss stops being finite, training stops with a warning and keeps
# the last finite weights.
rng = np.random.RandomState(0)
x = rng.uniform(-3, 3, 500)
y = np.sin(x) + rng.normal(0, 0.1, x.size)
X = x.reshape(-1, 1)

fig, ax = plt.subplots(figsize=(6, 4.2))
for (label, eta), color in zip(
    {"too small": 0.001, "good": 0.5, "too large": 2.0}.items(),
    ("tab:blue", "tab:green", "tab:red"),
):
    net = SigmoidNetRegressor(
        (10,),
        solver="sgd",
        momentum=0,
        learning_rate=eta,
        batch_size=50,
        epochs=100,
        n_iter_no_change=100,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, y)
    diverged = [str(w.message) for w in caught if "diverged" in str(w.message)]
    print(f"η = {eta}: {net.n_iter_} epochs, final loss {net.loss_:.4g}")
    if diverged:
        print("   ", diverged[0])
    LossCurveDisplay.from_estimator(
        net, ax=ax, name=f"η = {eta} ({label})", train_kw={"color": color}
    )
ax.set_yscale("log")
ax.set_ylim(5e-3, 1e9)  # the diverging curve leaves the plot upwards
ax.set_title("Training loss of SigmoidNetRegressor((10,), solver='sgd')")
plt.show()

# %%
# The good η reaches in a few epochs a loss that the small one has not
# reached after a hundred; the large one starts high and grows by orders of
# magnitude every epoch until the loss is no longer a finite number.
# ``solver="adam"`` (the default) adapts the step of every parameter and is
# far less sensitive to the choice of η.
