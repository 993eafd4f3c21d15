"""Training on a dask cluster: the rows stay on the workers, θ on the client.

A fit on dask arrays or DataFrames persists their partitions on the workers
of the active ``dask.distributed`` client and never gathers them. The input
and target encodings are fitted from statistics that each partition sums
(``_statistics``: weighted counts, sums and squared deviations; category
counts) and the client adds up (``_reduction``); every partition is then
encoded where it lies, and the fit's data are a ``ClusterData`` (``_data``),
which implements the ``TrainingData`` protocol as rows in memory do.

Each worker's partitions are held for the fit by a ``Shard`` (``_shards``), a
dask actor with a network and engine of the fit's layout; the client calls
the shards with θ, and no task is scheduled per evaluation or round.

- lbfgs: each evaluation of L(θ) is one call per shard, which returns the
  weighted loss and gradient sums of all its partitions, computed by the
  compiled step; the client adds them up for scipy's L-BFGS. This is the
  in-process full-batch objective, up to the order of summation.
- sgd and adam: local passes with periodic averaging. In each round every
  shard runs one pass of mini-batch steps over each of its next partitions,
  starting from the averaged θ and optimiser state; the client then averages
  θ and the state, weighted by the partitions' training weights, and the
  next round starts from that average (``_engine``).

Early stopping holds out whole partitions, scored by their shards
(``_monitor``), and ``predict`` and the other methods of dask input run block
by block on the workers (``_predict``). dask is imported in these modules only, and only when dask
input comes, so that a numpy fit never imports it.
"""

import functools


def on_cluster(*values):
    """Whether any of these is a dask collection; imports nothing."""
    return any(hasattr(value, "__dask_graph__") for value in values if value is not None)


def check_fit_input(*args, **kwargs):
    """``_fit_input.check_fit_input`` for dask input (``_data.check_fit_input``)."""
    from ._data import check_fit_input

    return check_fit_input(*args, **kwargs)


def blockwise(method):
    """``method`` of dask input as a dask array, computed block by block on the workers."""

    @functools.wraps(method)
    def wrapper(self, X):
        if on_cluster(X):
            from ._predict import predict_blocks

            return predict_blocks(self, method.__name__, X)
        return method(self, X)

    return wrapper
