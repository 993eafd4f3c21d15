"""
A curve as a constant plus sigmoids
===================================

The lecture's way to build a flexible curve: split it into a constant and a
sum of sigmoids,

.. math::

    y = b + \\sum_i c_i \\, \\sigma(b_i + w_i x_1).

A fitted :class:`~sklearn_sigmoidnet.SigmoidNetRegressor` with one hidden
layer is exactly this sum, with one sigmoid per hidden unit.
:class:`~sklearn_sigmoidnet.SigmoidSumDisplay` draws its pieces: the
constant ``b`` (``intercepts_[-1]``), each unit's term ``cᵢ·σ(bᵢ + wᵢ x₁)``
(from :meth:`~sklearn_sigmoidnet.SigmoidNetRegressor.decompose`), and their
sum, the fitted curve.
"""

# %%
# A curve made of three ramps
# ---------------------------
# The lecture draws a piecewise-linear curve as a constant plus "hard
# sigmoids": ramps that are flat, climb linearly, and are flat again. This
# curve is 0.5 plus three of them: up by 2, down by 1.5, up by 1.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_sigmoidnet import SigmoidNetRegressor, SigmoidSumDisplay


def hard_sigmoid(x, start, stop):
    return np.clip((x - start) / (stop - start), 0, 1)


def true_curve(x):
    return (
        0.5
        + 2.0 * hard_sigmoid(x, 1.0, 2.0)
        - 1.5 * hard_sigmoid(x, 2.5, 3.2)
        + 1.0 * hard_sigmoid(x, 3.8, 4.4)
    )


rng = np.random.RandomState(0)
x = np.sort(rng.uniform(0, 5, 200))
y = true_curve(x) + rng.normal(0, 0.05, x.size)
X = x.reshape(-1, 1)

# %%
# Three sigmoids, then six
# ------------------------
# Three hidden units give three smooth steps, one for each ramp. A step can
# face either way: ``cᵢ σ(z)`` with ``cᵢ < 0`` falls, and so does ``cᵢ σ(-z)``
# with ``cᵢ > 0``, so the pieces need not match the ramps one for one; their
# sum is what is fitted. A small L2 penalty (``alpha``) keeps the pieces from
# growing large and cancelling each other out.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, units in zip(axes, (3, 6)):
    net = SigmoidNetRegressor(
        (units,), solver="lbfgs", alpha=0.01, epochs=3000, random_state=0
    ).fit(X, y)
    display = SigmoidSumDisplay.from_estimator(net, X, feature=0, y=y, ax=ax)
    ax.plot(x, true_curve(x), color="tab:red", linestyle="--", label="true curve")
    ax.set_title(f"{units} hidden units, R² = {net.score(X, y):.3f}")
axes[0].legend(fontsize="small", loc="lower left")
axes[1].get_legend().remove()
fig.tight_layout()
plt.show()

# %%
# The pieces really add up to the prediction
# ------------------------------------------
# ``intercepts_[-1] + decompose(X).sum(axis=1)`` is the network's output; for
# the regressor's identity output that is ``predict(X)``.
terms = net.decompose(X)
print("terms per sample and unit:", terms.shape)
print(
    "b + Σ terms equals predict:",
    np.allclose(net.intercepts_[-1] + terms.sum(axis=1), net.predict(X)),
)
