"""The engine of data on a cluster: each partition's share of an evaluation or
an epoch computed on its worker, by the engine ``make_engine`` chooses there,
and summed or averaged by tasks, not on the client."""

import copy
import math
import threading

import numpy as np

from .._engines import Objective, Rows, block_rows, make_engine
from .._network import Network, penalty
from . import _client
from ._client import everywhere, retried

_local = threading.local()
# rows that each worker trains on between two averagings of θ: enough that the
# workers' wait between two rounds (the averaging task and θ's transfer) is a
# small share of a round's steps (docs/cluster.rst)
_ROUND_ROWS = 300_000


class ClusterEngine:
    """An ``Engine`` of ``ClusterData``: the client keeps θ and the optimiser; the
    workers compute on their partitions (with the engine ``kind``)."""

    def __init__(self, network, objective, optimizer, kind):
        self.network, self.objective, self.optimizer = network, objective, optimizer
        self.kind = kind
        # the workers' data loss and gradient, without the penalty: the client adds it
        self.data_objective = Objective(objective.loss, 0.0, objective.quantile_level)

    def loss_and_gradient(self, data):
        network = self.network
        sums = retried(self._sums, data, True)
        network.grad[...] = sums[1:] / data.weight_total
        l2 = self.objective.l2
        if l2:
            for dW, W in zip(network.dW, network.W):
                dW += l2 * W
        return sums[0] / data.weight_total

    def loss(self, data, chunk_rows=None):
        data_loss = retried(self._sums, data, False)[0] / data.weight_total
        return data_loss + 0.5 * self.objective.l2 * penalty(self.network.W)

    def _sums(self, data, gradient):
        # one task per worker, over all its partitions: each task costs the scheduler
        # and the worker about as much as a partition's gradient (docs/cluster.rst)
        client, network = data.client, self.network
        theta, layout = everywhere(client, network.theta), layout_of(network)
        futures = [
            client.submit(
                _gradient_sums, [data.futures[i] for i in group], theta, layout,
                self.data_objective, self.kind, gradient, pure=False, workers=[worker],
                allow_other_workers=True,
            )  # fmt: skip
            for worker, group in data.by_worker.items()
        ]
        return _tree_sum(client, futures)

    def run_epoch(self, data, batch_size, rng=None):
        """One epoch of local passes with averaging, the partitions' order and rows
        shuffled by ``rng`` when given; returns what an in-process epoch does."""
        network, optimizer = self.network, self.optimizer
        # a partition without weight carries no information
        queues = [[i for i in group if data.weights[i]] for group in data.by_worker.values()]
        queues = [queue for queue in queues if queue]
        seed = None
        if rng is not None:
            queues = [list(rng.permutation(queue)) for queue in queues]
            seed = int(rng.randint(2**31 - 1))
        queues = [round_groups(queue, data.rows) for queue in queues]
        if not queues:
            return math.nan, 0, math.nan
        rounds, end = retried(self._epoch_graph, data, queues, seed, batch_size)
        network.theta[...], optimizer.state = end
        # the passes' losses weighted by their rows' weights; one without updates has none
        passes = [result for results in rounds for result in results if result[5]]
        weights = np.array([result[5] for result in passes])
        first = [result for result in rounds[0] if result[5]]
        first_loss = sum(r[5] * r[4] for r in first) / sum(r[5] for r in first)
        data_loss = weights @ [result[2] for result in passes] / weights.sum()
        return float(data_loss), sum(result[3] for result in passes), float(first_loss)

    def _epoch_graph(self, data, queues, seed, batch_size):
        # the whole epoch is one graph: each round's passes take the previous
        # round's average, a task, so the workers go from round to round without
        # a trip to the client. θ and the optimiser go with the tasks: a few tens
        # of kB, against two more round trips to every worker for a broadcast
        client, network, optimizer = data.client, self.network, self.optimizer
        sent, layout = copy.deepcopy(optimizer), layout_of(network)
        start = (network.theta.copy(), optimizer.state)
        rounds = []
        for round_ in range(max(map(len, queues))):
            tasks = []
            for queue in queues:
                if round_ >= len(queue):
                    continue
                group = queue[round_]
                seeds = [None if seed is None else seed + 7919 * i for i in group]
                tasks.append(client.submit(
                    _local_passes, [data.futures[i] for i in group], start, sent,
                    optimizer.learning_rate, layout, self.objective, self.kind, batch_size,
                    seeds, pure=False, workers=[data.workers[group[0]]], allow_other_workers=True,
                ))  # fmt: skip
            start = client.submit(_averaged, *tasks, pure=False)
            rounds.append(tasks)
        return _client.gather(client, [rounds, start])


def _tree_sum(client, futures):
    """The sum of the futures' values, added pairwise by tasks on the workers."""
    # every level's futures held until the sum arrives: a task whose inputs were
    # released cannot be rerun when a worker is lost
    held = list(futures)
    while len(futures) > 1:
        paired = [client.submit(_add, a, b, pure=False)
                  for a, b in zip(futures[::2], futures[1::2])]  # fmt: skip
        if len(futures) % 2:
            paired.append(futures[-1])
        futures = paired
        held += paired
    return _client.gather(client, futures[0])


def round_groups(queue, rows):
    """A worker's partitions in the groups that it trains on between two
    averagings: consecutive partitions, as many groups as ``_ROUND_ROWS`` goes
    into the worker's rows (at least one), each of at least that share of them
    but the last, which takes what is left."""
    total = sum(rows[i] for i in queue)
    share = total / max(1, total // _ROUND_ROWS)
    groups, group, group_rows = [], [], 0
    for i in queue:
        group.append(i)
        group_rows += rows[i]
        if group_rows >= share:
            groups.append(group)
            group, group_rows = [], 0
    return groups + [group] if group else groups


# -- on the workers ------------------------------------------------------------


def layout_of(network):
    return (
        tuple(network.layer_sizes),
        tuple(network.activations[:-1]),
        network.activations[-1],
        network.dtype.name,
        network.n_category_columns,
    )


def worker_network(layout):
    """A Network of this layout, made once per worker thread: its buffers are reused."""
    cached = getattr(_local, "network", None)
    if cached is None or cached[0] != layout:
        sizes, activations, output, dtype, n_category_columns = layout
        network = Network(sizes, activations, output, np.dtype(dtype), n_category_columns)
        _local.network = cached = layout, network
    return cached[1]


def _worker_engine(layout, objective, kind, x_width):
    """The engine of a Network of this layout, made once per worker thread
    (with its buffers) for the objective of the fit's evaluations."""
    key = layout, objective, kind, x_width
    cached = getattr(_local, "engine", None)
    if cached is None or cached[0] != key:
        U = np.empty((0, x_width), layout[3])  # the kind of input the engine will see
        made = make_engine(worker_network(layout), U, objective, None, kind)
        _local.engine = cached = key, made
    return cached[1]


def _gradient_sums(parts, theta, layout, objective, kind, gradient=True):
    """[Σ wᵢ Lᵢ, Σ wᵢ ∇Lᵢ] over a worker's partitions, in float64, a block of rows
    at a time."""
    out = np.zeros(1 + (theta.size if gradient else 0))
    for part in parts:
        U, Y, w = part.U, part.Y, part.sample_weight
        evaluate = _worker_engine(layout, objective, kind, U.shape[1])
        network = evaluate.network
        network.theta[...] = theta
        chunk = block_rows(network)  # the engine's buffers: a block's, not the partition's
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, U.shape[0], chunk):
                rows = slice(start, start + chunk)
                block = Rows(U[rows], Y[rows], None if w is None else w[rows])
                weight = block.U.shape[0] if block.sample_weight is None else float(
                    block.sample_weight.sum()
                )
                if not weight:
                    continue
                if gradient:
                    mean = evaluate.loss_and_gradient(block)
                    out[1:] += weight * network.grad
                else:
                    mean = evaluate.loss(block, chunk)
                out[0] += weight * mean
    return out


def _add(a, b):
    return a + b


def _local_passes(parts, start, optimizer, learning_rate, layout, objective, kind,
                  batch_size, seeds):  # fmt: skip
    """One pass of mini-batch steps over each partition in turn, from ``start``:
    θ and the optimiser's state; partition k's rows shuffled by a
    RandomState(``seeds[k]``), unless it is None. Returns θ and the state after
    them, their weighted mean loss, the updates, the first batch's loss and the
    partitions' weight."""
    network = worker_network(layout)
    network.theta[...], optimizer.state = start
    optimizer.learning_rate = learning_rate
    total_loss = total_weight = 0.0
    n_updates, first_loss = 0, math.nan
    for part, seed in zip(parts, seeds):
        rng = None if seed is None else np.random.RandomState(seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            data_loss, updates, first = make_engine(
                network, part.U, objective, optimizer, kind
            ).run_epoch(part, batch_size, rng)
        w = part.sample_weight
        weight = part.U.shape[0] if w is None else float(w.sum())
        if updates and not n_updates:
            first_loss = first
        if updates:
            total_loss += data_loss * weight
            total_weight += weight
        n_updates += updates
    mean_loss = total_loss / total_weight if total_weight else math.nan
    return network.theta.copy(), optimizer.state, mean_loss, n_updates, first_loss, total_weight


def _averaged(*passes):
    """θ and the optimiser's state of ``_local_passes`` results, averaged with
    the weights of their partitions: where the next round starts."""
    weights = np.array([result[5] for result in passes])
    shares = weights / weights.sum()
    theta = sum(share * result[0] for share, result in zip(shares, passes))
    return theta.astype(passes[0][0].dtype), _average_states([r[1] for r in passes], shares)


def _average_states(states, shares):
    """The optimisers' states averaged: their vectors weighted by ``shares``, Adam's
    step count t the weighted mean, rounded."""
    averaged = {}
    for key, value in states[0].items():
        if isinstance(value, np.ndarray):
            averaged[key] = sum(share * state[key] for share, state in zip(shares, states))
            averaged[key] = averaged[key].astype(value.dtype)
        elif key == "t":
            mean = sum(share * state[key] for share, state in zip(shares, states))
            averaged[key] = int(round(mean))
        else:
            averaged[key] = value
    return averaged
