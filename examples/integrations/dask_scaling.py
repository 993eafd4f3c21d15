"""
Beyond one machine with dask
============================

.. note:: This example is not executed when the documentation is built, so this
   page shows its code without output. To run it, from a checkout of the repository:
   ``pip install ".[dask]"``, then ``python examples/integrations/dask_scaling.py``.

`dask <https://www.dask.org>`_ splits an array too big for memory into blocks
and spreads work over a cluster. Three patterns fit the network:

- training on the workers: ``fit`` on dask input trains where the blocks lie,
  every worker at once (:doc:`/cluster`), and ``predict`` on dask input
  returns dask arrays;
- training block by block: dask-ml's ``Incremental`` calls ``partial_fit``
  once per block, so each pass over the blocks is one epoch over the data,
  and ``ParallelPostFit`` predicts each block where it lies;
- a hyperparameter search whose fits run on the cluster's workers, through
  joblib's dask backend.

The cluster here is a local one, in this process and on 127.0.0.1; the same
code runs against a real cluster by giving ``Client`` its address.
"""

# %%
# A local cluster and a blocked array
# -----------------------------------
import warnings

import dask.array as da
import joblib
from dask_ml.wrappers import Incremental, ParallelPostFit
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

warnings.simplefilter("ignore", ConvergenceWarning)  # short trainings, on purpose

cluster = LocalCluster(
    n_workers=1,
    threads_per_worker=2,
    processes=False,
    protocol="tcp",
    host="127.0.0.1",
    dashboard_address="127.0.0.1:0",  # its status page too, on any free port
)
client = Client(cluster)

# 10,000 samples in 5 blocks; dask makes each block only when it is needed
X = da.random.RandomState(0).normal(size=(10_000, 5), chunks=(2_000, 5))
y_class = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(int)
y_value = da.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
print(X)

# %%
# Training on the workers
# -----------------------
# ``fit`` finds the active client and trains on its workers: with lbfgs,
# every iteration sums the blocks' losses and gradients where they lie, the
# fit in memory on the same rows up to rounding; with sgd and adam, each
# worker trains on its own blocks and the copies are averaged a few times an
# epoch. No block is gathered here; the predictions come back as a dask
# array with X's blocks.
on_workers = SigmoidNetRegressor((16,), solver="lbfgs", epochs=100, random_state=0)
on_workers.fit(X, y_value)
prediction = on_workers.predict(X)
print(prediction)
first_X, first_y = X.blocks[0].compute(), y_value.blocks[0].compute()
print(f"{on_workers.n_iter_} iterations; R² on the first block: "
      f"{on_workers.score(first_X, first_y):.3f}")  # fmt: skip

# %%
# Training block by block
# -----------------------
# Each call of ``Incremental.fit`` or ``partial_fit`` is one epoch: one
# ``partial_fit`` per block, the blocks in a new random order each time. The
# classifier must be told all classes in advance, as no block shows them all
# for sure.
classifier = Incremental(
    SigmoidNetClassifier((16,), learning_rate=0.03, random_state=0),
    scoring="accuracy",
    random_state=0,
)
classifier.fit(X, y_class, classes=[0, 1])
for _ in range(4):
    classifier.partial_fit(X, y_class)
net = classifier.estimator_
print(f"{net.n_updates_} updates: 5 epochs x {X.numblocks[0]} blocks x ⌈2000 / 32⌉ batches")
print(f"accuracy: {classifier.score(X, y_class):.3f}")

# %%
# The regressor needs an explicit ``scoring``: dask-ml's default for
# regressors, its dask-array R², fails with dask 2025.2 and later
# (dask/dask-ml#1012), while its mean squared error works.
regressor = Incremental(
    SigmoidNetRegressor((16,), learning_rate=0.03, random_state=0),
    scoring="neg_mean_squared_error",
    random_state=0,
)
for _ in range(5):
    regressor.partial_fit(X, y_value)
mse, variance = -regressor.score(X, y_value), y_value.var().compute()
print(f"mean squared error: {mse:.3f}, against a variance of y of {variance:.3f}")

# %%
# Predicting block by block
# -------------------------
# ``ParallelPostFit`` wraps any fitted estimator; its predictions are dask
# arrays with the blocks of X, computed on the workers.
model = ParallelPostFit(net)
proba = model.predict_proba(X)
print(proba)
print(proba[:3].compute().round(3))

# %%
# A grid search on the cluster
# ----------------------------
# scikit-learn's own GridSearchCV sends its fits to the cluster's workers
# within ``joblib.parallel_backend("dask")``. (dask-ml's IncrementalSearchCV,
# which would search block by block, fails with dask 2025.3 and later:
# dask/dask-ml#1016.)
X_small, y_small = X[:3_000].compute(), y_class[:3_000].compute()
search = GridSearchCV(
    SigmoidNetClassifier((16,), learning_rate=0.01, epochs=30, random_state=0),
    {"alpha": [1e-4, 1e-2], "activation": ["sigmoid", "relu"]},
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_backend("dask"):
    search.fit(X_small, y_small)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

client.close()
cluster.close()
