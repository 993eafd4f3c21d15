"""Weighted column statistics that add up across blocks of rows and partitions.

Each statistic is a per-column sum or extreme of one block of rows, so that
the same code serves an array in memory (its blocks of ``BLOCK_ROWS`` rows)
and a table partitioned over a cluster (each partition's blocks added up on
its worker, the partitions' results on the client): ``mean_and_std`` takes a
function that applies a statistic to every block and returns the results in
order. The temporaries of a block take a few hundred kB, not X's size.

Missing values (NaN) are left out, each row weighs its weight, and values
near the largest float cannot overflow: means are sums of values divided by
the largest |value|, deviations sums of squares divided by the largest
|deviation|, both of order one.
"""

import numpy as np
from scipy import sparse

BLOCK_ROWS = 2048


def row_blocks(values, weights):
    """``values`` and their row weights (None: ones) a block of rows at a time."""
    for start in range(0, values.shape[0], BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        yield values[rows], (None if weights is None else weights[rows])


def _present(values, weights):
    """The block's values (missing as 0), where they are present, and their weights."""
    present = ~np.isnan(values)
    w = np.ones(values.shape[0]) if weights is None else np.asarray(weights, np.float64)
    return np.where(present, values, 0.0), present, present * w[:, None]


def _largest(values):
    return np.abs(values).max(axis=0) if len(values) else np.zeros(values.shape[1])


def extent(values, weights):
    """Σ w of the present values, and the largest |value|, per column."""
    values, _, w = _present(values, weights)
    return w.sum(axis=0), _largest(values)


def scaled_sum(values, weights, unit):
    """Σ w x / unit per column."""
    values, _, w = _present(values, weights)
    return (w * (values / unit)).sum(axis=0)


def largest_deviation(values, weights, mean):
    values, present, _ = _present(values, weights)
    return _largest(np.where(present, values - mean, 0.0))


def scaled_squares(values, weights, mean, unit):
    """Σ w ((x − mean) / unit)² per column."""
    values, present, w = _present(values, weights)
    return (w * (np.where(present, values - mean, 0.0) / unit) ** 2).sum(axis=0)


def _unit(largest):
    return np.where(largest > 0, largest, 1.0)


def mean_and_std(over_blocks):
    """Each column's weighted mean and standard deviation, and its weight.

    ``over_blocks(statistic, *args)`` applies ``statistic(values, weights,
    *args)`` to every block of the rows and returns the results, in order.
    A column with no value has mean 0.
    """
    extents = over_blocks(extent)
    total = sum(part[0] for part in extents)
    unit = _unit(np.max([part[1] for part in extents], axis=0))
    safe = np.where(total > 0, total, 1.0)
    mean = unit * (sum(over_blocks(scaled_sum, unit)) / safe)
    unit = _unit(np.max(over_blocks(largest_deviation, mean), axis=0))
    std = unit * np.sqrt(sum(over_blocks(scaled_squares, mean, unit)) / safe)
    return np.where(total > 0, mean, 0.0), std, total


def in_memory(values, weights):
    """``over_blocks`` for ``mean_and_std`` of an array in memory."""

    def over_blocks(statistic, *args):
        return [statistic(block, w, *args) for block, w in row_blocks(values, weights)]

    return over_blocks


def missing_and_binary(values):
    """Per column of a dense array: whether a value is missing, and whether every
    value present is 0 or 1."""
    missing = np.zeros(values.shape[1], bool)
    binary = np.ones(values.shape[1], bool)
    for block, _ in row_blocks(values, None):
        nan = np.isnan(block)
        missing |= nan.any(axis=0)
        binary &= ((block == 0) | (block == 1) | nan).all(axis=0)
    return missing, binary


def sparse_mean_and_std(X, weights):
    """The weighted mean and standard deviation of a sparse X's columns, its
    zeros counted as values."""
    w = np.ones(X.shape[0]) if weights is None else np.asarray(weights, np.float64)
    total = w.sum()
    mean = np.asarray(X.T @ w).ravel() / total
    square = np.asarray(X.multiply(X).T @ w).ravel() / total
    return mean, np.sqrt(np.maximum(square - mean**2, 0))


def column_mean_and_std(X, weights):
    """``mean_and_std`` of the columns of an array or a sparse matrix in memory."""
    if sparse.issparse(X):
        return sparse_mean_and_std(X, weights)
    return mean_and_std(in_memory(X, weights))[:2]


def scale_or_one(shift, scale):
    """The scale of a column, or 1 where it is constant to rounding."""
    rounding = 10 * np.finfo(np.float64).eps * np.maximum(np.abs(shift), 1.0)
    return np.where(scale > rounding, scale, 1.0)


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
