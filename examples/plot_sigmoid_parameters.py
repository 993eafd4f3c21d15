"""
How w, b and c shape a sigmoid
==============================

The building block of the network is one sigmoid of one feature,

.. math::

    y = c \\cdot \\frac{1}{1 + e^{-(b + w x_1)}} = c \\cdot \\sigma(b + w x_1).

Each of its three parameters has its own job: ``w`` sets how steep the step
is (and, by its sign, which way it goes), ``b`` slides the step along the
x axis (the step is centred where ``b + w x₁ = 0``, at ``x₁ = -b / w``), and
``c`` sets the step's height.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

x = np.linspace(-6, 6, 300)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True)
for w in (0.5, 1.0, 3.0, -1.0):
    axes[0].plot(x, sigmoid(0 + w * x), label=f"w = {w:g}")
axes[0].set_title("different w  (b = 0, c = 1)")
for b in (-3.0, 0.0, 3.0):
    axes[1].plot(x, sigmoid(b + 1 * x), label=f"b = {b:g}  (centre x₁ = {0 - b:g})")
axes[1].set_title("different b  (w = 1, c = 1)")
for c in (0.5, 1.0, 1.5):
    axes[2].plot(x, c * sigmoid(0 + 1 * x), label=f"c = {c:g}")
axes[2].set_title("different c  (w = 1, b = 0)")
for ax in axes:
    ax.set_xlabel("x₁")
    ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
    ax.legend(loc="upper left", fontsize="small")
axes[0].set_ylabel("c · σ(b + w x₁)")
fig.tight_layout()
plt.show()

# %%
# A very large ``w`` turns the smooth step into an almost sharp one, the
# "hard sigmoid" that the lecture's piecewise-linear pictures use. The
# network learns ``w``, ``b`` and ``c`` of every sigmoid from data; the
# next example shows several of them added up.
