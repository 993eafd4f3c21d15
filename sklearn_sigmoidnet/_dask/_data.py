"""A fit's data on the cluster: the encoded partitions, persisted on the workers."""

import copy
import logging
import math
import pickle
import time

import numpy as np
from sklearn.base import is_regressor
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from .._engines import Rows
from .._statistics import check_weight_total
from .._target_encoding import LabelTargets
from . import _client
from ._client import WorkerLost, everywhere, mapped, worker_addresses
from ._client import client as active_client
from ._partitions import aligned_blocks, meta, raw_partition
from ._reduction import fit_inputs, fit_targets, input_summary
from ._shards import Shard, message, request

# each call on the workers' shards, timed: DEBUG records with its round trip and
# each shard's compute, on the clock and of CPU (benchmarks/bench_dask.py reads them)
log = logging.getLogger("sklearn_sigmoidnet.dask")

# from this many shards on, they are called in groups of about √n (a tree of calls,
# ``Shard.relay``): a hop between workers costs about the client's CPU for six
# shards, and the tree saves the client n − n/g of them (docs/cluster.rst)
GROUPS_FROM = 12


def groups_of(n_shards):
    """The shards' groups, consecutive in ``by_worker``'s order, of about √n
    shards from ``GROUPS_FROM`` on and of one before: the client calls the
    first of each, which passes the call on to the others."""
    size = max(2, math.isqrt(n_shards)) if n_shards >= GROUPS_FROM else 1
    return [range(start, min(start + size, n_shards)) for start in range(0, n_shards, size)]


class ClusterData:
    """The encoded training partitions, as futures on the workers: the
    ``TrainingData`` of a fit on dask input.

    Each partition is ``Rows`` (U read from its columns, Y, sample weights)
    on its worker. ``workers`` says which worker each was assigned to; the
    ``Shard`` of each worker's group (``by_worker``) computes on its
    partitions in this order, every time, wherever it was made.
    """

    def __init__(self, client, futures, rows, weights, n_columns, targets, workers):
        self.client, self.futures = client, list(futures)
        self.rows, self.weights = np.asarray(rows), np.asarray(weights, dtype=np.float64)
        self.n_rows, self.n_columns = int(self.rows.sum()), n_columns
        self.weight_total = float(self.weights.sum())
        self.targets = targets
        self.workers = list(workers)
        self.by_worker = {}
        self._shards = None
        for i in sorted(range(len(self.futures)), key=lambda i: (self.workers[i], i)):
            self.by_worker.setdefault(self.workers[i], []).append(i)

    def on_shards(self, method, *args, each=None):
        """``method(*args)`` of every worker's ``Shard``, in ``by_worker``'s order:
        their values; with ``each``, shard k's call is ``method(*each[k], *args)``,
        or none (its value None) where ``each[k]`` is None; from ``GROUPS_FROM``
        shards on, one call per group to its leader (``groups_of``). The shards
        are made on the first call, and again on the next call after one found
        a worker lost."""
        client = self.client
        try:
            if self._shards is None:
                self._shards = self._made_shards()
            actors, made = self._shards
            if any(future.status != "finished" for future in made):
                raise WorkerLost(f"A shard's worker was lost: {[f.status for f in made]}.")
            if each is None:  # one request for every shard, pickled once
                requests = [request(method, *args)] * len(actors)
            else:
                requests = [None if first is None else request(method, *first, *args)
                            for first in each]  # fmt: skip
            groups = [group for group in groups_of(len(actors))
                      if any(requests[k] is not None for k in group)]  # fmt: skip
            started = time.perf_counter()
            answers = _client.gather(client, [
                actors[group[0]].relay(message(requests[k] for k in group)) if len(group) > 1
                else actors[group[0]].call(requests[group[0]])
                for group in groups
            ])  # fmt: skip
            replies = {}
            for group, answer in zip(groups, answers):  # a leader's: its group's replies
                replies.update(zip(group, pickle.loads(answer)) if len(group) > 1
                               else [(group[0], answer)])  # fmt: skip
            called = [k for k in range(len(actors)) if replies.get(k) is not None]
            results = [pickle.loads(replies[k]) for k in called]
        except WorkerLost:
            self._shards = None
            raise
        round_trip = time.perf_counter() - started
        if log.isEnabledFor(logging.DEBUG):
            computed, cpu = ([seconds[i] for _, seconds in results] for i in (0, 1))
            log.debug(
                "%s on %d shards: %.2f ms round trip, %s ms computed (%s ms of CPU)", method,
                len(called), 1e3 * round_trip, [round(1e3 * s, 2) for s in computed],
                [round(1e3 * s, 2) for s in cpu],
                extra={"method": method, "round_trip_s": round_trip, "computed_s": computed,
                       "cpu_s": cpu},
            )  # fmt: skip
        values = [None] * len(actors)
        for k, (value, _) in zip(called, results):
            values[k] = value
        return values

    def _made_shards(self):
        """One ``Shard`` actor per worker group of partitions, on that worker if it
        is there; their proxies, and the futures that keep them."""
        client = self.client
        made = [
            client.submit(Shard, group, [self.futures[i] for i in group], actor=True,
                          workers=[worker], allow_other_workers=True, pure=False)
            for worker, group in self.by_worker.items()
        ]  # fmt: skip
        actors = _client.gather(client, made)
        led = [actors[group[0]].lead([actors[k] for k in group[1:]],
                                     [made[k].key for k in group[1:]])
               for group in groups_of(len(actors)) if len(group) > 1]  # fmt: skip
        if led:
            _client.gather(client, led)
        return actors, made

    def subset(self, index):
        index = list(index)
        return ClusterData(
            self.client, [self.futures[i] for i in index], self.rows[index],
            self.weights[index], self.n_columns, self.targets, [self.workers[i] for i in index],
        )  # fmt: skip

    def engine(self, network, objective, optimizer=None, kind="auto"):
        from ._engine import ClusterEngine

        return ClusterEngine(network, objective, optimizer, kind)

    def hold_out(self, fraction, rng, targets):
        """``fraction`` of the partitions, at least one, drawn by ``rng``, held out
        whole: no rows move."""
        n_parts = len(self.futures)
        n_valid = max(1, int(round(fraction * n_parts)))
        if n_parts - n_valid < 1:
            raise ValueError(
                f"early_stopping on dask input holds out whole partitions: X has {n_parts}, "
                "too few to hold out validation_fraction of them and train on the rest. Give "
                "X more partitions, or early_stopping=False."
            )
        drawn = rng.permutation(n_parts)
        return self.subset(sorted(drawn[n_valid:])), self.subset(sorted(drawn[:n_valid]))

    def monitor(self, estimator, targets, model):
        from ._monitor import ClusterMonitor

        if estimator.scoring not in (None, "loss"):
            raise ValueError(
                f"scoring={estimator.scoring!r}: early stopping on dask input scores on the "
                "workers, by scoring=None (R², accuracy) or 'loss'."
            )
        return ClusterMonitor(self, targets, estimator.scoring)

    def largest_values(self):
        return {}  # the rows' largest values are not gathered from the workers

    def client_threads(self):
        """One BLAS thread: the client computes a few vectors between calls on the
        shards (scipy's L-BFGS step, the averages), and a pool of more spins for a
        while after each, which took a core from the workers on a shared machine
        (docs/cluster.rst)."""
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")


def check_fit_input(estimator, X, y, sample_weight, *, continuing, incremental, classes=None):
    """``_fit_input.check_fit_input`` for dask input: the encodings fitted over the
    partitions, and the encoded partitions persisted on the workers. Returns the
    fields of a ``FitInput``."""
    import dask
    from distributed import wait

    if sample_weight is not None and not hasattr(sample_weight, "shape"):
        sample_weight = np.asarray(sample_weight)
    client = active_client()
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"X must be 2-D; got a dask collection of {X.ndim} dimensions.")
    columns = meta(X)
    holder = estimator if continuing else copy.copy(estimator)
    validate_data(holder, columns, reset=not continuing, skip_check_array=True)
    attributes = {"n_features_in_": holder.n_features_in_}
    if hasattr(holder, "feature_names_in_"):
        attributes["feature_names_in_"] = holder.feature_names_in_
    regressor = is_regressor(estimator)
    raw_blocks = [
        dask.delayed(raw_partition)(*blocks, regressor)
        for blocks in aligned_blocks(X, y, sample_weight)
    ]
    raw = client.compute(raw_blocks)
    if continuing:
        inputs = estimator._input_encoding
        targets = estimator._new_target_encoding().learned_from(estimator._target_encoding)
        weighing = targets
        if isinstance(targets, LabelTargets) and targets.class_weight == "balanced":
            raise ValueError("class_weight='balanced' cannot continue a fit on dask input.")
        shared = [everywhere(client, value) for value in (inputs, targets, weighing)]
        summaries = mapped(client, input_summary, raw, *shared)
    else:
        targets, weighing = fit_targets(client, raw, estimator._new_target_encoding(), classes)
        inputs = estimator._new_input_encoding()
        summaries = fit_inputs(
            client, raw, inputs, targets, weighing, columns, attributes.get("feature_names_in_")
        )
    if inputs.sparse:
        raise ValueError("A fit on dask input takes dense arrays or DataFrames, not sparse blocks.")
    weights = np.array([s["weight"] for s in summaries])
    check_weight_total(weights, "The sample weights (times the class weights)")
    # partition i on worker i mod n: balanced, and the same grouping for every fit on
    # these workers, so that the averaging of sgd and adam is reproducible
    addresses = worker_addresses(client)
    assigned = [addresses[i % len(addresses)] for i in range(len(raw_blocks))]
    # one graph from X's own, not a task on the futures above: a partition lost with its
    # worker is then made again from its source (persist X first if that is costly)
    encodings = [dask.delayed(value, traverse=False) for value in (inputs, targets, weighing)]
    encoded = [
        client.compute(dask.delayed(_encode)(block, *encodings), workers=[worker],
                       allow_other_workers=True)  # fmt: skip
        for block, worker in zip(raw_blocks, assigned)
    ]
    wait(encoded)
    for future in encoded:  # an encoding that raised (a bad column, negative weights) raises here
        if future.status == "error":
            future.result()
    del raw  # the statistics' copy of the rows; the encoded partitions stay
    rows = np.array([s["rows"] for s in summaries])
    n_columns = inputs.n_dense + inputs.n_category_columns
    data = ClusterData(client, encoded, rows, weights, n_columns, targets, assigned)
    return data, inputs, targets, attributes, holder


def _encode(part, inputs, targets, weighing):
    """The partition as the network trains on it, ``Rows`` of its dtype: its
    inputs read from its columns as they are (``InputColumns``: the worker
    keeps the partition once, and no encoded copy of it)."""
    X, y, w = part
    dtype = inputs.dtype
    Y = targets.encode(y).astype(dtype, copy=False)
    if w is not None:
        w = check_array(w, ensure_2d=False, dtype=dtype, input_name="sample_weight")
    w = weighing.weigh(Y, w, False)
    U = inputs.training_input(inputs.check(X))
    return Rows(U, Y, None if w is None else np.asarray(w, dtype=dtype))
