"""The encodings fitted from statistics that the partitions sum on their workers.

The target encoding learns its classes, or y's weighted mean and standard
deviation, and the input encoding its columns' means, deviations, missing
values and categories, by the same statistics (``_statistics``) that a fit
in memory computes, a block of rows at a time on the workers.
"""

import copy

import numpy as np

from .._input_encoding import merge_category_counts
from .._statistics import mean_and_std, missing_and_binary, row_blocks
from .._target_encoding import LabelTargets, checked_labels, scaling_from_moments
from ._client import everywhere, mapped


def _blocks_statistic(values_and_weights, statistic, *args):
    """``statistic`` of each block of a partition's rows, in order."""
    values, weights = values_and_weights
    return [statistic(block, w, *args) for block, w in row_blocks(values, weights)]


def _over_blocks(client, partitions):
    """``over_blocks`` for ``mean_and_std`` of futures of (values, weights)."""

    def over_blocks(statistic, *args):
        parts = mapped(client, _blocks_statistic, partitions, statistic, *args)
        return [result for part in parts for result in part]

    return over_blocks


def _labels(part):
    y = checked_labels(part[1], "y")
    return np.unique(y, axis=0) if y.ndim == 2 else np.unique(y)


def _class_counts(part, targets):
    classes = targets.class_index(targets.encode(part[1]))
    return np.bincount(classes, minlength=len(targets.classes))


def _targets_and_weights(part, targets):
    _, y, w = part
    return targets.checked(y, "y"), w


def fit_targets(client, parts, targets, classes):
    """The target encoding fitted from the partitions, and the one that weighs them."""
    if isinstance(targets, LabelTargets):  # the labels of all partitions
        targets.fit(np.concatenate(mapped(client, _labels, parts)), None, classes)
        weighing = targets
        if targets.class_weight == "balanced" and not targets.multilabel:
            # n / (n_classes · count), of the counts summed over the partitions
            counts = sum(mapped(client, _class_counts, parts, targets))
            if not counts.all():
                missing = targets.classes[counts == 0].tolist()
                raise ValueError(f"class_weight='balanced': no sample of the classes {missing}.")
            weights = counts.sum() / (len(counts) * counts)
            weighing = copy.copy(targets)
            weighing.class_weight = dict(zip(targets.classes.tolist(), weights.tolist()))
        return targets, weighing
    if targets.normalize and targets.loss in ("absolute_error", "huber", "quantile"):
        raise ValueError(
            f"loss={targets.loss!r} scales y by its weighted median, which cannot be summed "
            "over partitions: on dask input, fit with normalize_y=False (and y on a scale "
            "of about one), or fit in memory."
        )
    Y = [client.submit(_targets_and_weights, part, targets) for part in parts]
    mean, std, _ = mean_and_std(_over_blocks(client, Y))
    targets.learn(*scaling_from_moments(targets, mean, std))
    return targets, targets


def _numeric_and_weights(part, inputs, targets, weighing):
    """A partition's numeric inputs in float64, and the weights of its rows."""
    X, y, w = part
    weights = weighing.weigh(targets.encode(y), w, False)
    return inputs.numeric_block(inputs.check(X)), weights


def input_summary(part, inputs, targets, weighing, names=None):
    """What ``InputEncoding.learn`` needs of one partition besides the moments; the
    category counts only for the columns' ``names``."""
    X, y, w = part
    X = inputs.check(X)
    numeric = inputs.numeric_block(X)
    weights = weighing.weigh(targets.encode(y), w, False)
    missing, binary = missing_and_binary(numeric, weights)
    return {
        "missing": missing,
        "binary": binary,
        "counts": [] if names is None else inputs.category_counts(X, names, weights),
        "rows": len(numeric),
        "weight": float(len(numeric) if weights is None else np.asarray(weights, np.float64).sum()),
    }


def fit_inputs(client, parts, inputs, targets, weighing, meta, names):
    """The input encoding learnt from sums over the partitions, as ``InputEncoding.fit``;
    and each partition's ``input_summary``."""
    _, names = inputs.prepare(meta, names)
    shared = [everywhere(client, value) for value in (inputs, targets, weighing)]
    summaries = mapped(client, input_summary, parts, *shared, names)
    numeric = [client.submit(_numeric_and_weights, part, *shared) for part in parts]
    mean, std, _ = mean_and_std(_over_blocks(client, numeric))
    del numeric
    counts = [
        merge_category_counts([s["counts"][k] for s in summaries])
        for k in range(len(inputs.categorical))
    ]
    inputs.learn(
        names,
        mean,
        std,
        np.logical_or.reduce([s["missing"] for s in summaries]),
        np.logical_and.reduce([s["binary"] for s in summaries]),
        counts,
    )
    return summaries

