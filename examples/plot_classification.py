"""
Classification: probabilities and class weights
===============================================

:class:`~sklearn_sigmoidnet.SigmoidNetClassifier` is the same sigmoid-sum
network with one more sigmoid on the output: for two classes
``p = σ(b + cᵀ a)`` is the probability of the second class, which
``predict_proba`` returns, and the network is trained on the log loss
(cross-entropy). ``decision_function`` gives the raw value ``b + cᵀ a``
before that last sigmoid.

When one class is rare, the loss is dominated by the common one and the
network learns to say "common" almost everywhere. ``class_weight="balanced"``
weighs every sample by the inverse of its class's frequency, so that both
classes count equally in the loss.
"""

# %%
# Two half moons, one of them rare
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split

from sklearn_sigmoidnet import SigmoidNetClassifier

rng = np.random.RandomState(0)
X, y = make_moons(n_samples=2000, noise=0.35, random_state=0)
keep = (y == 0) | (rng.uniform(size=y.size) < 0.1)  # keep a tenth of class 1
X, y = X[keep], y[keep]
print("samples per class:", np.bincount(y))
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# Without and with class weights
# ------------------------------
# A small L2 penalty (``alpha=0.1``) keeps the boundary smooth where there
# are few samples to place it.
models = {}
for class_weight in (None, "balanced"):
    clf = SigmoidNetClassifier(
        (8,), solver="lbfgs", alpha=0.1, class_weight=class_weight, random_state=0
    ).fit(X_train, y_train)
    models[class_weight] = clf
    y_pred = clf.predict(X_test)
    print(
        f"class_weight={class_weight!s:>8}: held-out recall of the rare class "
        f"{recall_score(y_test, y_pred):.2f}, balanced accuracy "
        f"{balanced_accuracy_score(y_test, y_pred):.2f}"
    )
print("predict_proba of the first three test samples:")
print(np.round(models["balanced"].predict_proba(X_test[:3]), 3))

# %%
# The probability of the rare class
# ---------------------------------
# The colour is ``predict_proba(X)[:, 1]`` over the plane; the black line is
# where it equals 0.5, the boundary ``predict`` uses. Weighting the rare class
# moves the boundary out into the common class: more of the rare samples are
# caught, at the price of some false alarms.
xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.6, 2.1, 200))
grid = np.column_stack([xx.ravel(), yy.ravel()])
fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
for ax, (class_weight, clf) in zip(axes, models.items()):
    proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)
    image = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k")
    for label, marker in ((0, "o"), (1, "^")):
        points = X_test[y_test == label]
        ax.scatter(
            *points.T,
            marker=marker,
            s=14,
            edgecolor="k",
            linewidth=0.4,
            color="tab:blue" if label == 0 else "tab:red",
            label=f"class {label}",
        )
    ax.set_title(f"class_weight={class_weight!r}")
    ax.set_xlabel("x₁")
axes[0].set_ylabel("x₂")
axes[0].legend(loc="lower right")
fig.colorbar(image, ax=axes, label="P(class 1)")
plt.show()
