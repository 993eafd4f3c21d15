"""
The matrix form r = b + Wx and the parameter vector θ
=====================================================

With three features and three sigmoids (i, j = 1, 2, 3) the lecture writes
the inputs of the sigmoids as

.. math::

    r_i = b_i + \\sum_j w_{ij} x_j
    \\quad\\Longleftrightarrow\\quad
    \\mathbf{r} = \\mathbf{b} + W \\mathbf{x},

then ``a = σ(r)`` and ``y = b + cᵀ a``. All unknown numbers, the rows of
``W``, the vector ``b``, the weights ``c`` and the constant ``b``, stacked
into one column, are the parameter vector θ that training searches.

In a fitted estimator ``coefs_[0]`` is ``W`` transposed (rows are inputs, as
in scikit-learn, so that a batch of samples multiplies from the left),
``intercepts_[0]`` is the vector ``b``, ``coefs_[1]`` is ``c`` and
``intercepts_[1]`` is the constant ``b``.
"""

# %%
# The lecture's network: three features, three sigmoids
# ------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

from sklearn_sigmoidnet import SigmoidNetRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(100, 3))
y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
net = SigmoidNetRegressor((3,), solver="lbfgs", epochs=500, random_state=0).fit(X, y)

W = net.coefs_[0].T  # the lecture's W: one row per sigmoid, one column per feature
b_vector, c, b = net.intercepts_[0], net.coefs_[1][:, 0], net.intercepts_[1][0]
print("W shape", W.shape, "| b shape", b_vector.shape, "| c shape", c.shape)

# %%
# One prediction by hand
# ----------------------
# The three steps of the lecture, for the first sample, give what
# ``predict`` gives.
x = X[0]
r = b_vector + W @ x
a = sigmoid(r)
y_hat = b + c @ a
print(f"r = {np.round(r, 3)}, a = σ(r) = {np.round(a, 3)}")
print(f"b + cᵀa = {y_hat:.6f}, predict = {net.predict(X[:1])[0]:.6f}")

# %%
# θ: every parameter in one vector
# --------------------------------
theta = np.concatenate([W.ravel(), b_vector, c, [b]])
print(f"θ has {theta.size} entries: 9 in W, 3 in b, 3 in c and the constant b")


def n_parameters(n_features, hidden_layer_sizes, n_outputs=1):
    """Weights and biases of every layer: fan_in · fan_out + fan_out each."""
    sizes = [n_features, *hidden_layer_sizes, n_outputs]
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


# the formula counts what a fitted network holds
deeper = SigmoidNetRegressor((8, 4), solver="lbfgs", tol=1e-3, random_state=0).fit(X, y)
for model, sizes in ((net, (3,)), (deeper, (8, 4))):
    held = sum(w.size for w in model.coefs_) + sum(v.size for v in model.intercepts_)
    print(
        f"hidden_layer_sizes={sizes}: coefs_ and intercepts_ hold {held}, "
        f"formula {n_parameters(3, sizes)}"
    )

# %%
# Drawing θ and counting it for bigger networks
# ---------------------------------------------
# Left: the fitted θ of the 3-3-1 network, block by block. Right: how fast
# the count grows for a 28 × 28 image (784 features) and ten outputs; the
# lecture's remark that networks have very many parameters (参数量非常大).
shapes = [(784, (10,)), (784, (100,)), (784, (100, 100)), (784, (512, 512)), (784, (1024,) * 3)]
counts = [n_parameters(n_in, sizes, 10) for n_in, sizes in shapes]

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 1.3))
blocks = [("W", W), ("b", b_vector[:, None]), ("c", c[:, None]), ("b", np.array([[b]]))]
limit = np.abs(theta).max()
start = 0
for name, block in blocks:
    width = block.shape[1]
    image = left.imshow(
        block,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        extent=(start, start + width, block.shape[0], 0),
    )
    left.text(start + width / 2, -0.15, name, ha="center", va="bottom", fontsize=12)
    for (row, column), value in np.ndenumerate(block):
        color = "white" if abs(value) > limit / 2 else "black"
        left.text(
            start + column + 0.5, row + 0.5, f"{value:.1f}", ha="center", va="center", color=color
        )
    start += width + 0.5
left.set_xlim(-0.2, start)
left.set_ylim(3.2, -0.6)
left.set_axis_off()
left.set_title("θ of hidden_layer_sizes=(3,): W, b, c, b", pad=18)
fig.colorbar(image, ax=left, shrink=0.7)

labels = [f"{sizes}" for _, sizes in shapes]
right.barh(labels, counts, color="tab:blue")
right.set_xscale("log")
for row, count in enumerate(counts):
    right.text(count, row, f" {count:,}", va="center")
right.set_xlim(1e3, 1e8)
right.set_xlabel("number of parameters (log scale)")
right.set_ylabel("hidden_layer_sizes, 784 inputs, 10 outputs")
right.set_title("θ grows fast with width and depth")
fig.tight_layout()
plt.show()
