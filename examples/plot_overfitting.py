"""
Overfitting, and what stops it
==============================

More units and more layers let ``ŷ = b + cᵀa`` bend to more curves, and a
longer training run brings the loss on the training data ever lower. Why not
always take the biggest network and train it longest? Because the loss that
matters is the loss on data the network has not seen. On a small, noisy data
set a flexible network learns the noise of its training samples too: the
training loss falls while the loss on new data rises. This is
**overfitting**. Three remedies are built in: early stopping, which watches
data held out from training and keeps the best weights; the L2 penalty
``alpha``; and validation data of your own, given to ``fit``.
"""

# %%
# A small, noisy table
# --------------------
# scikit-learn's diabetes data: 442 patients, 10 measurements each, and a
# measure of the disease's progress a year later, raw. Half the patients
# train, the other half is held out to score on.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import LossCurveDisplay, SigmoidNetRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
ridge = RidgeCV().fit(X_train, y_train)
print(f"{len(y_train)} training samples; RidgeCV's held-out R² {ridge.score(X_test, y_test):.3f}")


def fit_scores(**params):
    """Training and held-out R² of a network trained on the training half."""
    with warnings.catch_warnings():
        # with early stopping off, many of these runs use all 200 epochs and
        # still lower the training loss: overfitting is what this example shows
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = SigmoidNetRegressor(random_state=0, **params).fit(X_train, y_train)
    return net.score(X_train, y_train), net.score(X_test, y_test)


# %%
# More units, more layers
# -----------------------
# ``early_stopping=False`` trains on all the training samples for up to 200
# epochs. Left: one hidden layer of more and more units. Right: more and more
# layers of 30 units.
units = [1, 3, 10, 30, 100, 300]
by_units = np.array([fit_scores(hidden_layer_sizes=(h,), early_stopping=False) for h in units])
depths = [1, 2, 3, 4]
by_depth = np.array(
    [fit_scores(hidden_layer_sizes=(30,) * d, early_stopping=False) for d in depths]
)
for h, (train, test) in zip(units, by_units):
    print(f"hidden_layer_sizes=({h},): training R² {train:.3f}, held-out R² {test:.3f}")
for d, (train, test) in zip(depths, by_depth):
    print(f"hidden_layer_sizes={(30,) * d}: training R² {train:.3f}, held-out R² {test:.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, steps, scores in ((left, units, by_units), (right, depths, by_depth)):
    ax.plot(steps, scores[:, 0], "o-", label="training data")
    ax.plot(steps, scores[:, 1], "o-", label="held-out data")
    ax.axhline(ridge.score(X_test, y_test), color="0.5", linestyle=":", label="RidgeCV, held out")
left.set_xscale("log")
left.set_xticks(units, [str(h) for h in units])
left.set_xlabel("units in the hidden layer")
left.set_ylabel("R²")
left.set_title("one hidden layer, early_stopping=False")
right.set_xticks(depths)
right.set_xlabel("hidden layers of 30 units")
right.set_title("deeper, early_stopping=False")
right.legend()
fig.tight_layout()
plt.show()

# %%
# The more flexible the network, the better it fits the training samples and
# the worse it predicts the held-out ones. Depth makes it worse still.

# %%
# More epochs
# -----------
# The same happens over training time. Here the training half is split once
# more: a fifth of it becomes validation data, given to ``fit`` as ``X_val``
# and ``y_val``. The network trains on the rest and records the validation
# loss after every epoch in ``history_``. ``n_iter_no_change=np.inf`` keeps
# training for all 200 epochs, so that we see what happens after the best one.
X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=0)
watched = SigmoidNetRegressor(n_iter_no_change=np.inf, random_state=0)
# the same network and data without validation data: it keeps the last epoch's weights
last = SigmoidNetRegressor(n_iter_no_change=np.inf, early_stopping=False, random_state=0)
with warnings.catch_warnings():
    # running all epochs is the point here; the package warns whenever a fit does
    warnings.simplefilter("ignore", ConvergenceWarning)
    watched.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
    last.fit(X_fit, y_fit)
best_epoch = watched.history_["epoch"][int(np.argmax(watched.validation_scores_))]
print(f"epochs run: {watched.n_iter_}; lowest validation loss after epoch {best_epoch}")
for name, net in ((f"best (epoch {best_epoch})", watched), (f"last (epoch {last.n_iter_})", last)):
    print(
        f"weights of the {name}: training R² {net.score(X_fit, y_fit):.3f}, "
        f"held-out R² {net.score(X_test, y_test):.3f}"
    )

fig, ax = plt.subplots(figsize=(6.5, 4))
LossCurveDisplay.from_estimator(watched, ax=ax, name="(100,)")
ax.axvline(best_epoch, color="0.5", linestyle=":", label=f"best epoch, {best_epoch}")
ax.set_yscale("log")
ax.set_title("training loss falls, validation loss turns up")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The validation loss is lowest early in the run and then climbs, while the
# training loss goes on falling. Early stopping restores the weights of the
# best epoch, and they predict the held-out patients far better than those of
# the last.

# %%
# The remedies
# ------------
# **Early stopping** is on by default from 100 samples
# (``early_stopping="auto"``): ``fit`` holds out ``validation_fraction=0.2``
# of the training data itself, stops when more than ``n_iter_no_change=20``
# epochs in a row bring no progress on it, and restores the best weights.
stopped = SigmoidNetRegressor(random_state=0).fit(X_train, y_train)
best_epoch = stopped.history_["epoch"][int(np.argmax(stopped.validation_scores_))]
print(
    f"early stopping: {stopped.n_iter_} epochs run, weights of epoch {best_epoch} kept, "
    f"held-out R² {stopped.score(X_test, y_test):.3f}"
)

# %%
# The **L2 penalty** ``alpha`` adds ``½ α ‖W‖² / N`` to the loss and keeps
# the weights small, so the sigmoids stay gentle. It needs no held-out data
# (here early stopping is off), but too large a penalty flattens the curve
# to a constant.
for alpha in (1e-4, 1.0, 10.0, 100.0):
    train, test = fit_scores(alpha=alpha, early_stopping=False)
    print(f"alpha={alpha:<6g}: training R² {train:.3f}, held-out R² {test:.3f}")

# %%
# Each curve below is the held-out R² of one hidden layer of more and more
# units, trained without a remedy and with each of the two.
remedies = {
    "early stopping (the default)": {},
    "alpha=1, early_stopping=False": dict(alpha=1.0, early_stopping=False),
}
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(units, by_units[:, 1], "o-", label="early_stopping=False (as above)")
for name, params in remedies.items():
    held_out = [fit_scores(hidden_layer_sizes=(h,), **params)[1] for h in units]
    print(f"{name:>30}: held-out R² {', '.join(f'{score:.3f}' for score in held_out)}")
    ax.plot(units, held_out, "o-", label=name)
ax.axhline(ridge.score(X_test, y_test), color="0.5", linestyle=":", label="RidgeCV")
ax.set_xscale("log")
ax.set_xticks(units, [str(h) for h in units])
ax.set_xlabel("units in the hidden layer")
ax.set_ylabel("held-out R²")
ax.set_title("held-out R² with and without a remedy")
ax.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# With early stopping the held-out R² no longer falls as the units grow: it
# stays near the linear model's. ``alpha=1`` does as well here, at every
# size; but the right strength of the penalty depends on the data and the
# network (``alpha=100`` above fits a constant), and
# :class:`~sklearn.model_selection.GridSearchCV` over ``alpha`` finds it.

# %%
# **Validation data of your own** (``fit(X, y, X_val=..., y_val=...)``, as
# above) replace the share that early stopping would hold out: the network
# then trains on all of ``X``. Choose them when the split matters: the most
# recent rows of a time series, one group of patients, or the same rows for
# every model that is compared.
