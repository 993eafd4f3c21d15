"""What the estimator learns about y, folded into the network's last layer.

A target encoding turns y into the network's target matrix Y, names the loss
and the output activation that Y implies, scores outputs against Y, and folds
what it learned into the output layer after training, so that ``coefs_[-1]``
and ``intercepts_[-1]`` give predictions in y's own terms:

- ``ScaledTargets`` (the regressor): y standardised per output for training,
  ŷ = s·(b + cᵀa) + m folded into the output layer's b and c;
- ``LabelTargets`` (the classifier): labels as a 0/1 column (two classes), a
  one-hot matrix (more) or the multilabel indicator matrix itself, with the
  class weights; there is nothing to fold.
"""

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ._losses import OUTPUT_ACTIVATIONS
from ._statistics import scale_or_one


class ScaledTargets:
    """Numeric targets, scaled per output for training (``normalize``).

    Weighted by the sample weights: to mean 0 and standard deviation 1; for
    the robust losses ("absolute_error", "huber", "quantile"), to median 0
    and median absolute deviation 1/1.4826 (the standard deviation of normal
    data), so that outliers set neither the scale nor Huber's threshold; for
    "poisson", divided by their mean, so that they stay counts ≥ 0.
    """

    def __init__(self, loss, quantile, normalize):
        if loss == "quantile" and quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to fit: give quantile=α with 0 < α < 1, "
                "for instance quantile=0.9."
            )
        self.loss, self.normalize = loss, normalize
        self.quantile_level = quantile if loss == "quantile" else None
        self.out_activation = OUTPUT_ACTIVATIONS[loss]

    def fit(self, y, sample_weight, classes=None):
        """Learn the scaling from y; return the training targets Y."""
        Y = self.checked(y, "y")
        if self.normalize:
            self.learn(*_target_scaling(Y, sample_weight, self.loss))
        else:
            self.learn(np.zeros(Y.shape[1]), np.ones(Y.shape[1]))
        return self._scaled(Y)

    def learn(self, shift, scale):
        """The scaling (Y − shift) / scale; a target constant to rounding keeps scale 1."""
        self.shift, self.scale = shift, scale_or_one(shift, scale)

    def learned_from(self, fitted):
        """These parameters with what the ``fitted`` encoding learned: a continuing fit's."""
        self.shift, self.scale = fitted.shift, fitted.scale
        return self

    def encode(self, y, name="y"):
        """Targets of more data (validation, a continuing fit), scaled as in ``fit``."""
        Y = self.checked(y, name)
        if Y.shape[1] != len(self.scale):
            raise ValueError(f"{name} has {Y.shape[1]} outputs; the fit's y had {len(self.scale)}.")
        return self._scaled(Y)

    def _scaled(self, Y):
        Y -= self.shift  # in place: Y is this call's own float64 copy
        Y /= self.scale
        return Y

    def checked(self, y, name):
        """Numeric targets y as a 2-D float64 matrix, one column per output."""
        if y.dtype.kind == "O":  # numbers in an object array, as from pandas
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError):
                pass
        if y.dtype.kind not in "biuf":
            raise ValueError(f"A regressor needs numeric targets {name}; got dtype {y.dtype}.")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                f"loss='poisson' needs targets {name} >= 0; the smallest given is {np.min(y)}."
            )
        return y.reshape(y.shape[0], -1).astype(np.float64)  # a copy, never the caller's

    @property
    def loss_name(self):
        return self.loss

    @property
    def n_outputs(self):
        return len(self.scale)

    @property
    def attributes(self):
        """The estimator's fitted attributes that describe the targets."""
        return {}

    def weigh(self, Y, sample_weight, incremental):
        return sample_weight

    def stratify(self, Y):
        return None

    def score(self, Y, Y_hat, sample_weight):
        return r2_score(Y, Y_hat, sample_weight=sample_weight)

    def fold(self, W, b):
        # ŷ = s·(b + cᵀa) + m is the output layer b' = s·b + m, c' = s·c; with
        # Poisson's ŷ = s·exp(r) = exp(r + log s), only b' = b + log s
        shift, scale = self.shift, self.scale
        with np.errstate(over="ignore"):
            # y's own range must fit: Poisson's predictions are scale × exp(r)
            folded = [(np.abs(shift) + scale).astype(W.dtype)]
            if self.out_activation == "exp":
                folded += [W, (b + np.log(scale)).astype(b.dtype)]
            else:
                folded += [(W * scale).astype(W.dtype), (b * scale + shift).astype(b.dtype)]
        if not all(np.isfinite(values).all() for values in folded):
            raise ValueError(
                f"The fitted curve, in y's units (targets scaled by {scale.max():.3g}), overflows "
                f"{W.dtype}, X's dtype: fit on float64 X, or on scaled y."
            )
        return folded[1], folded[2]

    def unfold(self, W, b):
        if self.out_activation == "exp":
            return W, b - np.log(self.scale)
        return W / self.scale, (b - self.shift) / self.scale


def _target_scaling(Y, sample_weight, loss):
    """Per output, the shift m and scale s that make (Y − m) / s standardised."""
    if sample_weight is not None:  # relative to the largest, so that weight × y cannot overflow
        sample_weight = sample_weight / sample_weight.max()
    if loss == "poisson":
        shift = np.zeros(Y.shape[1])
        scale = np.average(Y, axis=0, weights=sample_weight)
    elif loss in ("absolute_error", "huber", "quantile"):
        shift = _weighted_median(Y, sample_weight)
        scale = 1.4826 * _weighted_median(np.abs(Y - shift), sample_weight)
    else:
        shift = np.average(Y, axis=0, weights=sample_weight)
        deviation = Y - shift
        # the standard deviation, computed on deviations of order one, so that
        # squaring targets near the largest float cannot overflow
        largest = np.abs(deviation).max(axis=0)
        unit = np.where(largest > 0, largest, 1.0)
        scale = unit * np.sqrt(np.average((deviation / unit) ** 2, axis=0, weights=sample_weight))
    return shift, scale


def scaling_from_moments(targets, mean, std):
    """The shift and scale of ``targets`` (a ``ScaledTargets`` of a loss that is not
    robust) from y's weighted mean and standard deviation per output."""
    if not targets.normalize:
        return np.zeros_like(mean), np.ones_like(mean)
    if targets.loss == "poisson":
        return np.zeros_like(mean), mean
    return mean, std


def _weighted_median(Y, sample_weight):
    """Each column's median, the value below which half of the weight lies."""
    order = np.argsort(Y, axis=0)
    Y_sorted = np.take_along_axis(Y, order, axis=0)
    weights = np.ones_like(Y) if sample_weight is None else sample_weight[order]
    cumulative = np.cumsum(weights, axis=0)
    middle = np.argmax(cumulative >= cumulative[-1] / 2, axis=0)
    return Y_sorted[middle, np.arange(Y.shape[1])]


class LabelTargets:
    """Class labels as the network's targets, with the class weights."""

    quantile_level = None

    def __init__(self, class_weight):
        self.class_weight = class_weight

    def fit(self, y, sample_weight, classes=None):
        """Learn the classes from y (or ``classes``); return the training targets Y."""
        y = checked_labels(y, "y")
        self.multilabel = type_of_target(y) == "multilabel-indicator"
        # unique_labels names a mix of label types instead of failing to sort it
        self.classes = unique_labels(y if classes is None else classes)
        if not self.multilabel and len(self.classes) < 2:
            raise ValueError(
                "A classifier needs samples of at least 2 classes; y has only 1 class: "
                f"{self.classes.tolist()}."
            )
        return self._indicator_matrix(y)

    def learned_from(self, fitted):
        """These parameters with what the ``fitted`` encoding learned: a continuing fit's."""
        self.classes, self.multilabel = fitted.classes, fitted.multilabel
        return self

    @property
    def out_activation(self):
        several = len(self.classes) > 2 and not self.multilabel
        return "softmax" if several else "logistic"

    def encode(self, y, name="y"):
        return self._indicator_matrix(checked_labels(y, name))

    @property
    def loss_name(self):
        return "log_loss" if self.out_activation == "softmax" else "binary_log_loss"

    @property
    def attributes(self):
        return {"classes_": self.classes}

    @property
    def n_outputs(self):
        """One output per class (softmax) or label (multilabel); one for two classes."""
        return 1 if len(self.classes) == 2 and not self.multilabel else len(self.classes)

    def _indicator_matrix(self, y):
        classes = self.classes
        if (type_of_target(y) == "multilabel-indicator") != self.multilabel:
            raise ValueError("y switches between multilabel and single-label targets.")
        if self.multilabel:
            if y.shape[1] != len(classes):
                raise ValueError(
                    f"y has {y.shape[1]} labels; the classifier was fitted with {len(classes)}."
                )
            return y
        unseen = np.setdiff1d(y, classes)
        if unseen.size:
            raise ValueError(
                f"y has labels {unseen.tolist()} that are not in classes_ {classes.tolist()}."
            )
        index = np.searchsorted(classes, y)
        if len(classes) == 2:
            return index.reshape(-1, 1)
        return np.eye(len(classes), dtype=np.int8)[index]

    def class_index(self, Y):
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(np.intp)

    def weigh(self, Y, sample_weight, incremental):
        """The sample weights times the class weights, where there are any."""
        if self.class_weight is None:
            return sample_weight
        if self.multilabel:
            raise ValueError("class_weight is not supported for multilabel targets.")
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole training set; partial_fit "
                "sees one part at a time. Give a dict of class weights instead."
            )
        index = self.class_index(Y)
        weights = compute_class_weight(
            self.class_weight, classes=self.classes, y=self.classes[index]
        )
        weights = weights[index].astype(Y.dtype if Y.dtype.kind == "f" else np.float64)
        return weights if sample_weight is None else weights * sample_weight

    def stratify(self, Y):
        return None if self.multilabel else self.class_index(Y)

    def score(self, Y, Y_hat, sample_weight):
        if self.out_activation == "softmax":
            return accuracy_score(
                Y.argmax(axis=1), Y_hat.argmax(axis=1), sample_weight=sample_weight
            )
        if Y.shape[1] == 1:
            Y, Y_hat = Y[:, 0], Y_hat[:, 0]
        return accuracy_score(Y > 0.5, Y_hat > 0.5, sample_weight=sample_weight)

    def fold(self, W, b):
        return W, b

    def unfold(self, W, b):
        return W, b


def checked_labels(y, name):
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    check_one_label_type(y, name)
    check_classification_targets(y)
    return y


def check_one_label_type(labels, name):
    # scikit-learn's label checks fail to sort a mix, or call it a regression target
    if labels.dtype == object and len({isinstance(label, str) for label in labels.flat}) > 1:
        kinds = sorted({type(label).__name__ for label in labels.flat})
        raise ValueError(
            f"{name} mixes label types ({', '.join(kinds)}); give labels of one type, "
            "all strings or all numbers."
        )
