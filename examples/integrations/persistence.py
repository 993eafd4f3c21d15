"""
Saving and loading a fitted network
===================================

.. note:: This example is not executed when the documentation is built, so this
   page shows its code without output. To run it, from a checkout of the repository:
   ``pip install ".[persist]"``, then ``python examples/integrations/persistence.py``.

A fitted network is its weight matrices, bias vectors and a few numbers, all
kept as plain numpy arrays and Python builtins. It saves with :mod:`pickle` or
:mod:`joblib`, and with `skops <https://skops.readthedocs.io>`_, whose format
loads no code that the user has not trusted.

skops asks the user to trust each type that it does not know itself. For this
package that is the estimator's own class and nothing else, also in a Pipeline
of scikit-learn steps:

- ``["sklearn_sigmoidnet._regressor.SigmoidNetRegressor"]`` for a regressor,
- ``["sklearn_sigmoidnet._classifier.SigmoidNetClassifier"]`` for a classifier.

Callbacks given to ``set_callbacks`` are saved with the estimator, and skops
lists their classes too (``sklearn.callback._progressbar.ProgressBar`` for a
progress bar).

A network saved in the middle of ``partial_fit`` training carries its
optimiser's state along (Adam's running means, sgd's momentum), so training
goes on after loading exactly as it would have without the round trip.
"""

# %%
# A classifier to save
# --------------------
import pickle
import tempfile
import warnings
from pathlib import Path

import joblib
import numpy as np
import skops.io as sio
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier

warnings.simplefilter("ignore", ConvergenceWarning)  # short trainings, on purpose

X, y = load_wine(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
model = make_pipeline(
    StandardScaler(), SigmoidNetClassifier((16,), learning_rate=0.01, epochs=100, random_state=0)
)
model.fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")

workdir = tempfile.TemporaryDirectory()  # the files go away at the end
folder = Path(workdir.name)

# %%
# pickle and joblib
# -----------------
# Both keep everything, and the loaded model predicts exactly the same. Load
# such files only from sources you trust: unpickling can run any code.
with open(folder / "model.pkl", "wb") as file:
    pickle.dump(model, file)
with open(folder / "model.pkl", "rb") as file:
    from_pickle = pickle.load(file)

joblib.dump(model, folder / "model.joblib", compress=3)
from_joblib = joblib.load(folder / "model.joblib")

expected = model.predict_proba(X_test)
for name, loaded in [("pickle", from_pickle), ("joblib", from_joblib)]:
    same = np.array_equal(loaded.predict_proba(X_test), expected)
    print(f"{name}: predicts the same: {same}")

# %%
# skops: see what a file needs before loading it
# ----------------------------------------------
# ``get_untrusted_types`` lists the types in a file that skops does not trust
# by default. For a Pipeline ending in the network that is the network's class
# only; passing that list to ``load`` loads the model.
sio.dump(model, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print("types to trust:", untrusted)
assert untrusted == ["sklearn_sigmoidnet._classifier.SigmoidNetClassifier"]

from_skops = sio.load(folder / "model.skops", trusted=untrusted)
print("skops: predicts the same:", np.array_equal(from_skops.predict_proba(X_test), expected))

# %%
# Training goes on after loading
# ------------------------------
# A network trained one chunk of data at a time with ``partial_fit`` can be
# saved between chunks, loaded elsewhere, and trained on. The optimiser's
# state is part of the saved model, so the result is the same as if training
# had never stopped.
scaler = StandardScaler().fit(X_train)
chunks = np.array_split(np.arange(len(X_train)), 4)
net = SigmoidNetClassifier((16,), learning_rate=0.01, random_state=0)
for chunk in chunks[:2]:
    net.partial_fit(scaler.transform(X_train.iloc[chunk]), y_train.iloc[chunk], classes=[0, 1, 2])

sio.dump(net, folder / "half_trained.skops")
resumed = sio.load(
    folder / "half_trained.skops",
    trusted=["sklearn_sigmoidnet._classifier.SigmoidNetClassifier"],
)
for chunk in chunks[2:]:
    for estimator in (net, resumed):
        estimator.partial_fit(scaler.transform(X_train.iloc[chunk]), y_train.iloc[chunk])

print("updates taken:", net.n_updates_, resumed.n_updates_)
print(
    "same weights after resuming:",
    all(np.array_equal(a, b) for a, b in zip(net.coefs_, resumed.coefs_)),
)

workdir.cleanup()
