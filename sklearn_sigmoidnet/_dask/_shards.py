"""A worker's share of a fit: its partitions, and a network that computes on them.

A ``Shard`` is a dask actor: made once per worker and fit, it holds the
worker's encoded partitions (the same objects as the worker's store, not a
copy) and a network of the fit's layout with its engine, both made on the
first call and reused. A call from the client goes to the worker directly
(through the scheduler's proxy unless the client connects to workers
directly), with θ as its argument, and no task is scheduled: about 2 ms a
round trip on the test machine, against 20-30 ms for a task per worker, a
scatter of θ and a tree of sum tasks (docs/cluster.rst).

The client calls a shard's method through ``Shard.call``, the method's name
and arguments pickled into one bytes (``request``) and its reply pickled
too: dask sends a bytes as it is, where it serialises each argument of a
call on its own, and that took a third of the client's CPU per shard and
call (docs/cluster.rst). The same request goes to every shard of an
evaluation, pickled once.

From ``_data.GROUPS_FROM`` shards on, the client calls them in groups (a
tree of calls): it sends one ``message`` to the first shard of each group,
its ``relay``, with the requests of the others, which that shard passes on
from its worker before it computes its own; so the client's CPU per call
grows with the groups, not with the workers. A leader waits for the others
watching the futures that keep them: a worker lost under one fails the call
within a second, as it fails a flat call, where the actor call alone waited
for good (docs/cluster.rst).

Each method returns its value and how long it computed, in seconds on the
clock and of its thread's CPU (less where the thread waited for a core), for
the breakdown of a fit's time (``_data.ClusterData.on_shards``).
"""

import asyncio
import math
import pickle
import time

import numpy as np

from .._engines import block_rows, make_engine
from .._input_columns import CHUNK_ROWS
from .._losses import per_sample_loss
from .._network import Network, feedforward
from .._target_encoding import LabelTargets


def layout_of(network):
    """What a shard needs to make a network like this one: sizes, activations,
    dtype, categorical columns and members."""
    return (
        tuple(network.layer_sizes),
        tuple(network.activations[:-1]),
        network.activations[-1],
        network.dtype.name,
        network.n_category_columns,
        network.n_members,
    )


# how often a leader that waits for its group looks at the futures that keep them,
# in seconds
WATCH_S = 0.5


def request(method, *args):
    """``Shard.<method>(*args)`` as ``Shard.call`` takes it."""
    return _pickled((method, args))


def message(requests):
    """The requests of a leader and of the others of its group, in order (None:
    no call), as ``Shard.relay`` takes them; a bytes that several are is pickled once."""
    return _pickled(list(requests))


def _pickled(value):
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _clocks():
    return time.perf_counter(), time.thread_time()


def _since(started):
    """The seconds on the clock and of this thread's CPU since ``_clocks()`` was ``started``."""
    return tuple(now - then for now, then in zip(_clocks(), started))


def weight_of(part):
    """A partition's weight: its rows, or the sum of its sample weights."""
    w = part.sample_weight
    return part.U.shape[0] if w is None else float(w.sum())


class Shard:
    """A worker's partitions of one fit's data (``Rows``, by their numbers in
    the fit's data), and a network to compute on them."""

    def __init__(self, numbers, parts):
        self.parts = dict(zip(numbers, parts))
        self.made_network = self.engine_key = self.engine = None
        self.group, self.kept = [], []

    def call(self, request):
        """The value of a ``request``'s method and the seconds it took, pickled."""
        method, args = pickle.loads(request)
        return _pickled(getattr(self, method)(*args))

    def lead(self, group, keys):
        """Lead ``group``, the other shards (actors) of this one's group, kept by
        the futures of ``keys``."""
        from distributed import Future, get_client

        client = get_client()  # the worker's, made here: a leader's proxies call with it
        self.group, self.kept = list(group), [Future(key, client) for key in keys]

    def relay(self, sent):
        """A ``message``'s requests: the others' passed on to their shards, then
        this shard's own computed; returns the replies of ``call`` in order (None
        where no request), pickled."""
        own, *requests = pickle.loads(sent)
        passed = [None if request is None else shard.call(request)
                  for shard, request in zip(self.group, requests)]  # fmt: skip
        replies = [None if own is None else self.call(own)]
        return _pickled(replies + [None if future is None else self._watched(future)
                                   for future in passed])  # fmt: skip

    def _watched(self, future):
        """An actor call's result, or OSError once a future that keeps one of the
        group's shards is no longer finished (its worker lost)."""
        while True:
            try:
                return future.result(timeout=WATCH_S)
            except (TimeoutError, asyncio.TimeoutError):  # one class from Python 3.11 on
                lost = [kept.status for kept in self.kept if kept.status != "finished"]
                if lost:
                    raise OSError(f"A worker under a shard of this group was lost: {lost}.")

    def _network(self, layout):
        if self.made_network is None or self.made_network[0] != layout:
            sizes, activations, output, dtype, n_category_columns, n_members = layout
            made = Network(sizes, activations, output, np.dtype(dtype), n_category_columns,
                           n_members)  # fmt: skip
            self.made_network = layout, made
        return self.made_network[1]

    def _engine(self, layout, objective, kind, U):
        """The engine of the layout's network for the fit's evaluations, made once."""
        key = layout, objective, kind, U.shape[1]
        if self.engine_key != key:
            self.engine = make_engine(self._network(layout), U, objective, None, kind)
            self.engine_key = key
        return self.engine

    def gradient_sums(self, theta, layout, objective, kind, gradient=True):
        """[Σ wᵢ Lᵢ, Σ wᵢ ∇Lᵢ] over the shard's partitions, in float64 (only the
        first without ``gradient``)."""
        started = _clocks()
        out = np.zeros(1 + (theta.size if gradient else 0))
        for part in self.parts.values():
            weight = weight_of(part)
            if not weight:
                continue
            engine = self._engine(layout, objective, kind, part.U)
            network = engine.network
            network.theta[...] = theta
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                if gradient:  # the engine's cache-sized blocks of rows
                    out[0] += weight * engine.loss_and_gradient(part)
                    out[1:] += weight * network.grad
                else:
                    out[0] += weight * engine.loss(part, block_rows(network))
        return out, _since(started)

    def local_passes(self, numbers, seeds, start, optimizer, objective, kind, layout,
                     batch_size):  # fmt: skip
        """One pass of mini-batch steps over each partition of ``numbers`` in turn,
        from ``start``: θ and the optimiser's state; partition k's rows shuffled
        by a RandomState(``seeds[k]``), unless it is None. Returns θ and the
        state after them, their weighted mean loss, the updates, the first
        batch's loss and the partitions' weight."""
        started = _clocks()
        network = self._network(layout)
        network.theta[...], optimizer.state = start
        total_loss = total_weight = 0.0
        n_updates, first_loss = 0, math.nan
        for number, seed in zip(numbers, seeds):
            part = self.parts[number]
            rng = None if seed is None else np.random.RandomState(seed)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                data_loss, updates, first = make_engine(
                    network, part.U, objective, optimizer, kind
                ).run_epoch(part, batch_size, rng)
            weight = weight_of(part)
            if updates and not n_updates:
                first_loss = first
            if updates:
                total_loss += data_loss * weight
                total_weight += weight
            n_updates += updates
        mean_loss = total_loss / total_weight if total_weight else math.nan
        state = network.theta.copy(), optimizer.state, mean_loss, n_updates, first_loss
        return (*state, total_weight), _since(started)

    def validation_sums(self, theta, layout, targets):
        """For each partition: Σ wᵢ Lᵢ, Σ wᵢ and the sums that the score needs."""
        started = _clocks()
        network = self._network(layout)
        network.theta[...] = theta
        sums = [_validation_sums(part, network, targets) for part in self.parts.values()]
        return sums, _since(started)


def _validation_sums(part, network, targets):
    U, Y, w = part.U, part.Y, part.sample_weight
    wide = network.wide()  # the members' mean
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # a chunk of rows at a time, encoded as it is read
        Y_hat = np.concatenate([
            feedforward(U[start : start + CHUNK_ROWS], *wide,
                        network.activations, network.n_category_columns)[-1]
            for start in range(0, max(U.shape[0], 1), CHUNK_ROWS)  # an empty U: one chunk
        ])  # fmt: skip
    losses = per_sample_loss(targets.loss_name, Y, Y_hat, targets.quantile_level)
    w = np.ones(U.shape[0]) if w is None else w.astype(np.float64)
    total = float(w.sum())
    if isinstance(targets, LabelTargets):  # accuracy × weight adds up
        score = [targets.score(Y, Y_hat, w) * total if total else 0.0]
    else:  # R² per output from Σ w y, Σ w y², Σ w (y − ŷ)²
        Y = Y.astype(np.float64)
        score = [w @ Y, w @ Y**2, w @ (Y - Y_hat) ** 2]
    return float(w @ losses.reshape(U.shape[0], -1).sum(axis=1)), total, score
