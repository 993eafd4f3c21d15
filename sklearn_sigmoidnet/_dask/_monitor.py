"""Early stopping on a cluster: a network's validation loss and score, summed
over held-out partitions on their workers."""

import numpy as np

from .._input_columns import CHUNK_ROWS
from .._losses import per_sample_loss
from .._network import feedforward
from .._target_encoding import LabelTargets
from . import _client
from ._client import everywhere, retried
from ._engine import layout_of, worker_network


def _validation_sums(part, theta, layout, targets):
    """Σ wᵢ Lᵢ, Σ wᵢ and the sums that the score needs, of one validation partition."""
    U, Y, w = part.U, part.Y, part.sample_weight
    network = worker_network(layout)
    network.theta[...] = theta
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # a chunk of rows at a time, encoded as it is read
        Y_hat = np.concatenate([
            feedforward(U[start : start + CHUNK_ROWS], network.W, network.b,
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


class ClusterMonitor:
    """The validation loss and score of a network, on held-out partitions
    (``ClusterData``): the loss for ``scoring="loss"``, else R² or accuracy."""

    def __init__(self, valid, targets, scoring):
        self.valid, self.targets, self.scoring = valid, targets, scoring

    def _sums(self, network):
        client = self.valid.client
        theta, shared = everywhere(client, network.theta), everywhere(client, self.targets)
        return _client.gather(client, [
            client.submit(_validation_sums, part, theta, layout_of(network), shared, pure=False)
            for part in self.valid.futures
        ])  # fmt: skip

    def __call__(self, network):
        sums = retried(self._sums, network)
        total = sum(s[1] for s in sums)
        valid_loss = sum(s[0] for s in sums) / total
        if self.scoring == "loss":
            return valid_loss, -valid_loss
        if isinstance(self.targets, LabelTargets):
            return valid_loss, sum(s[2][0] for s in sums) / total
        linear, square, error = (sum(s[2][k] for s in sums) for k in range(3))
        spread = square - linear**2 / total
        r2 = np.where(spread > 0, 1 - error / np.where(spread > 0, spread, 1.0),
                      np.where(error == 0, 1.0, 0.0))  # r2_score's convention  # fmt: skip
        return valid_loss, float(np.mean(r2))
