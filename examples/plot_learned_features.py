"""
The hidden layer's outputs as learned features
==============================================

The network's last step, ``ŷ = b + cᵀa``, is a linear model (for the
classifier, a logistic regression: ``p = σ(b + cᵀa)``). What makes the
network more than that is its input: not x itself but the outputs
``a = σ(b + W x)`` of the last hidden layer, features that training shaped
for the task. ``transform(X)`` returns them, so that the network can serve
as the first step of a :class:`~sklearn.pipeline.Pipeline` and any other
model can learn from its features.
"""

# %%
# Two circles, which no line separates
# ------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_sigmoidnet import SigmoidNetClassifier

X, y = make_circles(n_samples=1000, noise=0.1, factor=0.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# A linear model on x, on the learned features, and the network
# ---------------------------------------------------------------
# The network has two hidden layers, the last of two units, so that its
# features ``a = (a₁, a₂)`` can be drawn in a plane. In the pipeline, the
# network is trained on the labels first (``fit_transform``), and the
# logistic regression then learns from its two features alone.
models = {
    "logistic regression on x": LogisticRegression(),
    "logistic regression on a": make_pipeline(
        SigmoidNetClassifier((8, 2), random_state=0), LogisticRegression()
    ),
    "the network": SigmoidNetClassifier((8, 2), random_state=0),
}
scores = {}
for name, model in models.items():
    with warnings.catch_warnings():
        # the validation loss still falls a little after the 200 epochs of the
        # default; the accuracy has settled long before
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    scores[name] = model.score(X_test, y_test)
    print(f"{name:>25}: held-out accuracy {scores[name]:.3f}")

# %%
# The features have names
# -----------------------
# ``set_output(transform="pandas")`` makes ``transform`` return a DataFrame
# whose columns are named after the units (``get_feature_names_out``), so the
# features keep their names through the rest of a pipeline.
pipeline = models["logistic regression on a"]
pipeline.set_output(transform="pandas")
features = pipeline[0].transform(X_test)
print(features.head())

# %%
# The same samples in the plane of x and in the plane of a
# --------------------------------------------------------
# Left: in x, the inner circle lies inside the outer one, and the best line
# of the logistic regression cuts through both. Middle: the network has mapped
# the held-out samples to ``(a₁, a₂)``, where the two circles lie apart and
# the logistic regression of the pipeline separates them with a straight line
# (black). The two units have learnt nearly mirror-image features, so the
# samples lie close to one line, a circle at each end. Right: the held-out
# accuracies printed above.
fig, (raw, learned, bars) = plt.subplots(1, 3, figsize=(13, 4), width_ratios=(1, 1, 0.9))
colors = np.where(y_test == 1, "tab:red", "tab:blue")


def draw_line(ax, classifier, lim):
    """The line where a fitted 2-feature logistic regression's decision is 0."""
    (w1, w2), b = classifier.coef_[0], classifier.intercept_[0]
    t = np.linspace(*lim, 2)
    ax.plot(t, -(b + w1 * t) / w2, color="k")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_aspect("equal")


raw.scatter(*X_test.T, c=colors, s=10)
draw_line(raw, models["logistic regression on x"], (-1.5, 1.5))
raw.set_xlabel("x₁")
raw.set_ylabel("x₂")
raw.set_title("inputs x")

columns = features.columns
learned.scatter(features[columns[0]], features[columns[1]], c=colors, s=10)
draw_line(learned, pipeline[-1], (-0.05, 1.05))
learned.set_xlabel(f"a₁ ({columns[0]})")
learned.set_ylabel(f"a₂ ({columns[1]})")
learned.set_title("learned features a = transform(x)")

bars.barh(list(scores), list(scores.values()), color=["0.6", "tab:green", "tab:purple"])
for position, score in enumerate(scores.values()):
    bars.text(score - 0.02, position, f"{score:.3f}", ha="right", va="center", color="white")
bars.invert_yaxis()
bars.set_xlim(0, 1)
bars.set_xlabel("held-out accuracy")
bars.set_title("scores")
fig.tight_layout()
plt.show()

# %%
# On the learned features, a logistic regression scores as the network does:
# it *is* the network's output layer, fitted a second time. The features work
# for other models too: a k-nearest-neighbours classifier, a gradient-boosted
# model or a :class:`~sklearn.linear_model.RidgeCV` for a regressor's
# features, each after ``SigmoidNetRegressor`` or ``SigmoidNetClassifier`` in
# a pipeline.
