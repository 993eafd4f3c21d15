"""Weighted column statistics that add up across blocks of rows and partitions.

Each statistic is a per-column sum or extreme of one block of rows, so that
the same code serves an array in memory (its blocks of ``BLOCK_ROWS`` rows)
and a table partitioned over a cluster (each partition's blocks added up on
its worker, the partitions' results on the client): ``mean_and_std`` takes a
function that applies a statistic to every block and returns the results in
order. The temporaries of a block take a few hundred kB, not X's size.

Missing values (NaN) and rows of weight 0 are left out, each other row weighs
its weight, and values near the largest float cannot overflow: means are sums
of values divided by the largest |value|, deviations sums of squares divided
by the largest |deviation|, both of order one. A column whose values are all
equal has that value as its mean exactly and a deviation of exactly 0,
whatever its magnitude: told by its least and largest values, not by rounding.
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
    """The block's values (0 where left out), where they are present (not
    missing, of a positive weight), and their weights; (values, None, None)
    when every value is present and weighs 1, which the statistics then sum
    as they are: the same sums, without the copies."""
    present = ~np.isnan(values)
    if weights is None:
        if present.all():
            return values, None, None
        w = np.ones(values.shape[0])
    else:
        w = np.asarray(weights, np.float64)
        present &= (w > 0)[:, None]
    return np.where(present, values, 0.0), present, present * w[:, None]


def _largest(values):
    return np.abs(values).max(axis=0) if len(values) else np.zeros(values.shape[1])


def _summed(terms, w):
    return (terms if w is None else w * terms).sum(axis=0)


def extent(values, weights):
    """Σ w of the present values, the largest |value|, and the least and largest
    value present (±inf for none), per column."""
    values, present, w = _present(values, weights)
    if present is None:
        total = np.full(values.shape[1], float(values.shape[0]))
        least = values.min(axis=0, initial=np.inf)
        most = values.max(axis=0, initial=-np.inf)
    else:
        total = w.sum(axis=0)
        least = np.where(present, values, np.inf).min(axis=0, initial=np.inf)
        most = np.where(present, values, -np.inf).max(axis=0, initial=-np.inf)
    return total, _largest(values), least, most


def scaled_sum(values, weights, unit):
    """Σ w x / unit per column."""
    values, _, w = _present(values, weights)
    return _summed(values / unit, w)


def _deviations(values, present, mean):
    return values - mean if present is None else np.where(present, values - mean, 0.0)


def largest_deviation(values, weights, mean):
    values, present, _ = _present(values, weights)
    return _largest(_deviations(values, present, mean))


def scaled_squares(values, weights, mean, unit):
    """Σ w ((x − mean) / unit)² per column."""
    values, present, w = _present(values, weights)
    return _summed((_deviations(values, present, mean) / unit) ** 2, w)


def _unit(largest):
    return np.where(largest > 0, largest, 1.0)


def mean_and_std(over_blocks):
    """Each column's weighted mean and standard deviation, and its weight.

    ``over_blocks(statistic, *args)`` applies ``statistic(values, weights,
    *args)`` to every block of the rows and returns the results, in order.
    A column with no value has mean 0; a column of equal values has that
    value as its mean and a deviation of 0, exactly.
    """
    extents = over_blocks(extent)
    total = sum(part[0] for part in extents)
    unit = _unit(np.max([part[1] for part in extents], axis=0))
    least = np.min([part[2] for part in extents], axis=0)
    most = np.max([part[3] for part in extents], axis=0)
    safe = np.where(total > 0, total, 1.0)
    mean = unit * (sum(over_blocks(scaled_sum, unit)) / safe)
    unit = _unit(np.max(over_blocks(largest_deviation, mean), axis=0))
    std = unit * np.sqrt(sum(over_blocks(scaled_squares, mean, unit)) / safe)
    return _exact_constants(mean, std, total, least, most)


def _exact_constants(mean, std, total, least, most):
    """The means and deviations, with those of the columns of no value (0, 0) and
    of equal values (the value, 0) exact; and the columns' weights."""
    equal = (least == most) & (total > 0)
    mean = np.where(equal, least, np.where(total > 0, mean, 0.0))
    return mean, np.where(equal | (total <= 0), 0.0, std), total


def in_memory(values, weights):
    """``over_blocks`` for ``mean_and_std`` of an array in memory."""

    def over_blocks(statistic, *args):
        return [statistic(block, w, *args) for block, w in row_blocks(values, weights)]

    return over_blocks


def missing_and_binary(values, weights=None):
    """Per column of a dense array: whether a value is missing, and whether every
    value present is 0 or 1; of the rows of positive weight."""
    missing = np.zeros(values.shape[1], bool)
    binary = np.ones(values.shape[1], bool)
    for block, w in row_blocks(values, weights):
        if w is not None:
            block = block[np.asarray(w) > 0]
        nan = np.isnan(block)
        missing |= nan.any(axis=0)
        binary &= ((block == 0) | (block == 1) | nan).all(axis=0)
    return missing, binary


def sparse_mean_and_std(X, weights):
    """``mean_and_std`` of a sparse X's columns, its zeros counted as values: the
    same two passes over the stored values, the zeros added in by their weight."""
    X = sparse.csc_matrix(X)
    w = np.ones(X.shape[0]) if weights is None else np.asarray(weights, np.float64)
    positive = w > 0
    X = X[positive]  # rows of weight 0 are left out, as in a dense X
    w = w[positive]
    stored = np.diff(X.indptr)
    column = np.repeat(np.arange(X.shape[1]), stored)
    w_stored, values = w[X.indices], X.data.astype(np.float64)

    def per_column(terms):
        return np.bincount(column, terms, minlength=X.shape[1])

    total = np.full(X.shape[1], w.sum())
    zeros = total - per_column(w_stored)  # the weight of each column's zeros
    has_zero = stored < X.shape[0]
    least = np.where(has_zero, 0.0, np.inf)
    most = np.where(has_zero, 0.0, -np.inf)
    if values.size:
        np.minimum.at(least, column, values)
        np.maximum.at(most, column, values)
    safe = np.where(total > 0, total, 1.0)
    unit = _unit(np.where(total > 0, np.maximum(np.abs(least), np.abs(most)), 0.0))
    mean = unit * (per_column(w_stored * (values / unit[column])) / safe)
    deviation = values - mean[column]
    largest = np.abs(mean) * has_zero  # the zeros' deviation, where a column has some
    if values.size:
        np.maximum.at(largest, column, np.abs(deviation))
    unit = _unit(largest)
    squares = per_column(w_stored * (deviation / unit[column]) ** 2) + zeros * (mean / unit) ** 2
    std = unit * np.sqrt(squares / safe)
    return _exact_constants(mean, std, total, least, most)[:2]


def column_mean_and_std(X, weights):
    """``mean_and_std`` of the columns of an array or a sparse matrix in memory."""
    if sparse.issparse(X):
        return sparse_mean_and_std(X, weights)
    return mean_and_std(in_memory(X, weights))[:2]


def quantile_edges(values, weights, n_bins):
    """The edges of ``n_bins`` bins of about equal weight of a column's values
    (NaN and rows of weight 0 left out): at each of 0, 1/n_bins, ..., 1 the
    first value whose cumulative weight reaches that share (a value of the
    column), each once: a value that holds more than a bin's weight is one
    edge, and a column of few values has as many edges at most."""
    values = np.asarray(values, dtype=np.float64)
    weights = np.ones(values.shape[0]) if weights is None else np.asarray(weights, np.float64)
    kept = ~np.isnan(values) & (weights > 0)
    values, weights = values[kept], weights[kept]
    if not values.size:
        return np.empty(0)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    shares = np.cumsum(weights) / weights.sum()
    at = np.searchsorted(shares, np.linspace(0, 1, n_bins + 1))
    return np.unique(values[np.minimum(at, values.size - 1)])  # 1 may round below the sum


def has_spread(scale, dtype=np.float64):
    """Whether a column's values spread: a deviation of at least the smallest
    normal float of ``dtype``, any larger one standardises."""
    return scale >= np.finfo(dtype).tiny


def scale_or_one(shift, scale):
    """The scale of a column, or 1 where it is constant to rounding: that of the
    targets' scaling, whose moments in memory are not exact (``np.average``)."""
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
