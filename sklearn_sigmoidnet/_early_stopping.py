"""Early stopping: the validation split of a fit's rows in memory, and the
monitor that scores a network on validation rows."""

import copy

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from ._losses import per_sample_loss
from ._network import feedforward
from ._statistics import check_weight_total


def validation_split(Y, sample_weight, rng, fraction, stratify):
    """The row indices to train on and to validate on, drawn by the RandomState ``rng``."""
    n_samples = Y.shape[0]
    n_valid = int(np.ceil(fraction * n_samples))
    n_classes = 1 if stratify is None else len(np.unique(stratify))
    if n_valid < max(2, n_classes) or n_samples - n_valid < max(1, n_classes):
        per_class = f" each of the {n_classes} classes" if n_classes > 1 else ""
        raise ValueError(
            f"early_stopping holds out validation_fraction={fraction} of the {n_samples} "
            f"samples: {n_valid} to validate and {n_samples - n_valid} to train on, too few "
            f"to score{per_class}. Give more samples or a larger validation_fraction."
        )
    try:
        train, valid = train_test_split(
            np.arange(n_samples), test_size=n_valid, random_state=rng, stratify=stratify
        )
    except ValueError as error:
        raise ValueError(
            f"early_stopping could not hold out a stratified validation set: {error}"
        ) from error
    if sample_weight is not None:
        check_weight_total(sample_weight[train], "The sample weights of the training split")
        check_weight_total(sample_weight[valid], "The sample weights of the validation split")
    return train, valid


class Monitor:
    """The validation loss and the score that early stopping watches, of a network.

    The score is the negative loss for ``scoring="loss"``; the target
    encoding's score (R², accuracy) for None; else the scorer's, of the
    network's weights as a fitted copy of the estimator, ``model(network)``
    giving its fitted attributes, on the validation rows as given
    (``valid.X``, ``valid.y``) of the ``FitData`` ``valid``.
    """

    def __init__(self, estimator, targets, valid, model):
        self.targets, self.valid, self.model = targets, valid, model
        self.estimator, self.scoring, self.scorer = estimator, estimator.scoring, None
        if self.scoring not in ("loss", None):
            self.scorer = check_scoring(estimator, scoring=self.scoring)
        # the targets and weights of the validation rows, gathered once: a column each
        index = slice(None) if valid.index is None else valid.index
        self.Y = valid.Y[index]
        self.sample_weight = None if valid.sample_weight is None else valid.sample_weight[index]

    def __call__(self, network):
        targets = self.targets
        # the outputs a chunk of rows at a time: a layer's outputs of all of them may
        # take more memory than X
        wide = network.wide()  # the members' mean
        Y_hat = np.concatenate([
            feedforward(chunk.U, *wide, network.activations, network.n_category_columns)[-1]
            for chunk in self.valid.chunks()
        ])  # fmt: skip
        losses = per_sample_loss(targets.loss_name, self.Y, Y_hat, targets.quantile_level)
        valid_loss = float(np.average(losses, weights=self.sample_weight))
        if self.scoring == "loss":
            return valid_loss, -valid_loss
        if self.scorer is None:
            return valid_loss, float(targets.score(self.Y, Y_hat, self.sample_weight))
        estimator = copy.copy(self.estimator)
        estimator.__dict__.update(self.model(network))
        weights = {} if self.sample_weight is None else {"sample_weight": self.sample_weight}
        return valid_loss, float(self.scorer(estimator, *self.valid.given(), **weights))
