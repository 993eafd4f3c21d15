"""The engine of data on a cluster: each worker's share of an evaluation or an
epoch computed by its ``Shard``, with the engine ``make_engine`` chooses there;
the client adds up the shards' sums, or averages their θ."""

import math

import numpy as np

from .._engines import Objective
from .._network import penalty
from ._client import retried
from ._shards import layout_of

# rows that each worker trains on between two averagings of θ: enough that the
# round trip between two rounds (θ and the optimiser's state to the client and
# back) and the wait for a slower worker are a small share of a round's steps
# (docs/cluster.rst)
_ROUND_ROWS = 300_000


class ClusterEngine:
    """An ``Engine`` of ``ClusterData``: the client keeps θ and the optimiser; the
    workers compute on their partitions (with the engine ``kind``)."""

    def __init__(self, network, objective, optimizer, kind):
        self.network, self.objective, self.optimizer = network, objective, optimizer
        self.kind = kind
        # the shards' data loss and gradient, without the penalty: the client adds it
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
        # one call per worker's shard, each over all its partitions; the client adds
        # the few vectors up (one round trip, no task: docs/cluster.rst)
        layout = layout_of(self.network)
        return sum(data.on_shards(
            "gradient_sums", self.network.theta, layout, self.data_objective, self.kind, gradient
        ))  # fmt: skip

    def run_epoch(self, data, batch_size, rng=None):
        """One epoch of local passes with averaging, the partitions' order and rows
        shuffled by ``rng`` when given; returns what an in-process epoch does."""
        network, optimizer = self.network, self.optimizer
        # each shard's queue of partitions; a partition without weight carries no information
        queues = [[i for i in group if data.weights[i]] for group in data.by_worker.values()]
        seed = None
        if rng is not None:
            queues = [list(rng.permutation(queue)) for queue in queues]
            seed = int(rng.randint(2**31 - 1))
        queues = [round_groups(queue, data.rows) for queue in queues]
        if not any(queues):
            return math.nan, 0, math.nan
        rounds, end = retried(self._rounds, data, queues, seed, batch_size)
        network.theta[...], optimizer.state = end
        # the passes' losses weighted by their rows' weights; one without updates has none
        passes = [result for results in rounds for result in results if result[5]]
        weights = np.array([result[5] for result in passes])
        first = [result for result in rounds[0] if result[5]]
        first_loss = sum(r[5] * r[4] for r in first) / sum(r[5] for r in first)
        data_loss = weights @ [result[2] for result in passes] / weights.sum()
        return float(data_loss), sum(result[3] for result in passes), float(first_loss)

    def _rounds(self, data, queues, seed, batch_size):
        # each round: every shard with partitions left passes over its next group
        # from the previous round's average, which the client computes (a few
        # vectors) and sends with the next round's calls
        network, optimizer = self.network, self.optimizer
        layout = layout_of(network)  # the optimiser goes with each call, pickled
        start = (network.theta.copy(), optimizer.state)
        rounds = []
        for round_ in range(max(map(len, queues))):
            groups = [queue[round_] if round_ < len(queue) else None for queue in queues]
            each = [group and (group, [None if seed is None else seed + 7919 * i for i in group])
                    for group in groups]  # fmt: skip
            results = data.on_shards(
                "local_passes", start, optimizer, self.objective, self.kind, layout, batch_size,
                each=each,
            )  # fmt: skip
            passes = [result for result in results if result is not None]
            start = averaged(passes)
            rounds.append(passes)
        return rounds, start


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


def averaged(passes):
    """θ and the optimiser's state of ``Shard.local_passes`` results, averaged with
    the weights of their partitions: where the next round starts."""
    weights = np.array([result[5] for result in passes])
    shares = weights / weights.sum()
    theta = sum(share * result[0] for share, result in zip(shares, passes))
    return theta.astype(passes[0][0].dtype), _average_states([r[1] for r in passes], shares)


def _average_states(states, shares):
    """The optimisers' states averaged: their vectors weighted by ``shares``, Adam's
    step count t the weighted mean, rounded."""
    mean_state = {}
    for key, value in states[0].items():
        if isinstance(value, np.ndarray):
            mean = sum(share * state[key] for share, state in zip(shares, states))
            mean_state[key] = mean.astype(value.dtype)
        elif key == "t":
            mean = sum(share * state[key] for share, state in zip(shares, states))
            mean_state[key] = int(round(mean))
        else:
            mean_state[key] = value
    return mean_state
