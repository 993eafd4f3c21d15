"""Early stopping on a cluster: a network's validation loss and score, summed
over held-out partitions by their workers' shards."""

import numpy as np

from .._target_encoding import LabelTargets
from ._client import retried
from ._shards import layout_of


class ClusterMonitor:
    """The validation loss and score of a network, on held-out partitions
    (``ClusterData``): the loss for ``scoring="loss"``, else R² or accuracy."""

    def __init__(self, valid, targets, scoring):
        self.valid, self.targets, self.scoring = valid, targets, scoring

    def _sums(self, network):
        shards = self.valid.on_shards("validation_sums", network.theta, layout_of(network),
                                      self.targets)  # fmt: skip
        return [sums for shard in shards for sums in shard]

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
