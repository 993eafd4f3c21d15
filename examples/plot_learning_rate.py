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
from sklearn.exceptions import ConvergenceWarning

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
# step per batch of 50 samples. The loss curves are drawn with
# :class:`~sklearn_sigmoidnet.LossCurveDisplay` on logarithmic y axes: the
# small and the good η on the left. The large η gets axes of its own on the
# right: it continues the good network's training (``warm_start=True``), so
# that its loss starts from a good fit, and then leaves every plot's range.
rng = np.random.RandomState(0)
x = rng.uniform(-3, 3, 500)
y = np.sin(x) + rng.normal(0, 0.1, x.size)
X = x.reshape(-1, 1)


def sgd_network(eta):
    return SigmoidNetRegressor(
        (10,),
        solver="sgd",
        momentum=0,
        learning_rate=eta,
        batch_size=50,
        epochs=100,
        n_iter_no_change=100,
        random_state=0,
        warm_start=True,
    )


fig, (ax_fit, ax_diverge) = plt.subplots(1, 2, figsize=(11, 4.2))
for (label, eta), color in zip(
    {"too small": 0.001, "good": 0.5}.items(), ("tab:blue", "tab:green")
):
    with warnings.catch_warnings():
        # neither loss has stopped falling after 100 epochs, which the package
        # reports with a ConvergenceWarning; the short training is on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = sgd_network(eta).fit(X, y)
    print(f"η = {eta}: {net.n_iter_} epochs, final loss {net.loss_:.4g}")
    LossCurveDisplay.from_estimator(
        net, ax=ax_fit, name=f"η = {eta} ({label})", train_kw={"color": color}
    )
ax_fit.set_yscale("log")
ax_fit.set_title("η = 0.001 and η = 0.5: the loss falls")

with warnings.catch_warnings(record=True) as caught:
    # the divergence warning is part of what this example shows: keep it to
    # print below instead of sending it to stderr
    warnings.simplefilter("always", ConvergenceWarning)
    net.set_params(learning_rate=2.0).fit(X, y)  # the good network, on with η = 2
for warning in caught:
    print(f"η = 2: {warning.message}")
print(f"kept: loss {net.loss_:.4g}, R² {net.score(X, y):.3f}")
LossCurveDisplay.from_estimator(
    net, ax=ax_diverge, name="η = 0.5, then η = 2", train_kw={"color": "tab:red"}
)
ax_diverge.axvline(100.5, color="0.6", linestyle=":")
ax_diverge.set_yscale("log")
ax_diverge.set_ylim(1e-3, 1e200)  # the curve goes on upwards; ticks near 1e308 overflow
ax_diverge.set_title("η = 2 after epoch 100: the loss explodes")
fig.suptitle("Training loss of SigmoidNetRegressor((10,), solver='sgd')")
fig.tight_layout()
plt.show()

# %%
# The good η reaches in a few epochs a loss that the small one has not
# reached after a hundred. The large one overshoots from its first updates
# on: the loss jumps by seven orders of magnitude in one epoch and then by
# ten more every epoch, until it is no longer a finite number. Training
# then stops with the ``ConvergenceWarning`` printed above and keeps the
# weights with the lowest loss, here those it started from.
#
# Started from random weights, η = 2 never gets anywhere: such a fit raises a
# ``ValueError`` that names the learning rate as the likely cause.
try:
    sgd_network(2.0).set_params(warm_start=False).fit(X, y)
except ValueError as error:
    print(error)

# %%
# ``solver="adam"`` (the default) adapts the step of every parameter and is
# far less sensitive to the choice of η.
