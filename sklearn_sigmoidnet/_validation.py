"""Early stopping's data: the validation split and the monitor that scores it."""

import copy

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from ._losses import per_sample_loss
from ._network import feedforward


def check_weight_total(sample_weight, what, given=None):
    """Raise unless the weights add up to a positive total that can be computed with.

    ``given`` are the weights before their cast to the training dtype, which
    can make small weights zeros.
    """
    total = float(sample_weight.sum())
    tiny = np.finfo(sample_weight.dtype).tiny
    if total >= tiny:
        return
    cast = ""
    if given is not None and given.sum() >= np.finfo(given.dtype).tiny:
        lost = np.count_nonzero(given) - np.count_nonzero(sample_weight)
        made = f"made {lost} of them 0" if lost else "made them this small"
        cast = (
            f" As given they sum to {given.sum():.3g}: the cast to {sample_weight.dtype}, "
            f"X's dtype, {made}. Scale them up (alpha's L2 term is divided by the "
            "training weights' total)."
        )
    raise ValueError(
        f"{what} sum to {total:g}: training needs a positive total weight, and one "
        f"large enough to compute with (at least one sample weighing more than {tiny:.3g})."
        f"{cast}"
    )


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
    giving its fitted attributes, on the validation rows as given (``X_raw``).
    """

    def __init__(self, estimator, targets, X_raw, U, y, Y, sample_weight, model):
        self.targets, self.U, self.Y, self.sample_weight = targets, U, Y, sample_weight
        self.scoring = estimator.scoring
        self.scorer = None
        if self.scoring not in ("loss", None):
            self.scorer = check_scoring(estimator, scoring=self.scoring)
            self.estimator, self.model, self.X_raw, self.y = estimator, model, X_raw, y

    def __call__(self, network):
        Y_hat = feedforward(
            self.U, network.W, network.b, network.activations, network.n_category_columns
        )[-1]
        targets = self.targets
        losses = per_sample_loss(targets.loss_name, self.Y, Y_hat, targets.quantile_level)
        valid_loss = float(np.average(losses, weights=self.sample_weight))
        if self.scoring == "loss":
            return valid_loss, -valid_loss
        if self.scorer is None:
            return valid_loss, float(targets.score(self.Y, Y_hat, self.sample_weight))
        estimator = copy.copy(self.estimator)
        estimator.__dict__.update(self.model(network))
        weights = {} if self.sample_weight is None else {"sample_weight": self.sample_weight}
        return valid_loss, float(self.scorer(estimator, self.X_raw, self.y, **weights))
