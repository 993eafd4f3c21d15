"""
Depth: one hidden layer or several
==================================

"Deep" learning means a network with many hidden layers (隐藏层). With
``hidden_layer_sizes=(6, 6)`` the outputs ``a¹ = σ(b¹ + W¹ x)`` of the first
layer are the inputs of a second one, ``a² = σ(b² + W² a¹)``, and the output is
``y = b + cᵀ a²``. The second layer's units are sigmoids of sums of sigmoids,
so its pieces ``cᵢ a²ᵢ(x)`` are no longer single steps: they can rise and
fall. The lecture's image-classification networks went from 8 layers
(AlexNet, 2012) to 19 (VGG) and 22 (GoogLeNet, both 2014).
"""

# sphinx_gallery_thumbnail_number = 2

# %%
# One hidden layer and two, on the same curve
# -------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

from sklearn_sigmoidnet import SigmoidNetRegressor, SigmoidSumDisplay

rng = np.random.RandomState(0)
x = np.sort(rng.uniform(-3, 3, 400))
y = np.sin(3 * x) + 0.3 * x + rng.normal(0, 0.05, x.size)
X = x.reshape(-1, 1)

shallow = SigmoidNetRegressor((6,), solver="lbfgs", alpha=0.1, epochs=1000, random_state=1).fit(
    X, y
)
deep = SigmoidNetRegressor((6, 6), solver="lbfgs", alpha=0.1, epochs=1000, random_state=1).fit(X, y)

fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x, y, s=6, color="0.7", label="data")
ax.plot(x, shallow.predict(X), label=f"(6,): R² = {shallow.score(X, y):.3f}")
ax.plot(x, deep.predict(X), "--", label=f"(6, 6): R² = {deep.score(X, y):.3f}")
ax.set_xlabel("x")
ax.set_title("Both networks fit the curve")
ax.legend()
plt.show()

# %%
# Inside the two-layer network
# ----------------------------
# The first layer's six outputs are plain sigmoids of x (left). The second
# layer combines them; its pieces, drawn by
# :class:`~sklearn_sigmoidnet.SigmoidSumDisplay`, are bumps and bends (right),
# and the constant plus their sum is the fitted curve.
first_layer = sigmoid(X @ deep.coefs_[0] + deep.intercepts_[0])
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].plot(x, first_layer)
axes[0].set_xlabel("x")
axes[0].set_title("first hidden layer: a¹ᵢ(x) = σ(b¹ᵢ + w¹ᵢ x)")
SigmoidSumDisplay.from_estimator(deep, X, feature=0, ax=axes[1])
axes[1].set_title("second hidden layer's pieces cᵢ a²ᵢ(x)")
axes[1].legend(fontsize="small", loc="upper left")
fig.tight_layout()
plt.show()

# %%
# More layers are not automatically better
# ----------------------------------------
# Each configuration trained from four random initialisations. On a small
# one-feature problem like this one, the extra layers add parameters but no
# accuracy: one layer of six sigmoids already fits the curve down to the
# noise. Depth pays off on data with layered structure, such as images, where
# early layers can find edges and later layers combine them.


def n_parameters(sizes):
    sizes = [1, *sizes, 1]
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


for sizes in ((6,), (6, 6), (6, 6, 6)):
    scores = [
        SigmoidNetRegressor(sizes, solver="lbfgs", alpha=0.1, epochs=1000, random_state=seed)
        .fit(X, y)
        .score(X, y)
        for seed in range(4)
    ]
    print(
        f"hidden_layer_sizes={str(sizes):<10} {n_parameters(sizes):>4} parameters, "
        f"R² per seed: {', '.join(f'{s:.3f}' for s in scores)}"
    )
