"""The weighted column statistics (``_statistics.py``): exact against numpy,
overflow-safe, and the same whether the rows are in memory or in partitions."""

import numpy as np
import pytest
from scipy import sparse

from sklearn_sigmoidnet import _statistics
from sklearn_sigmoidnet._statistics import (
    BLOCK_ROWS,
    check_weight_total,
    column_mean_and_std,
    in_memory,
    mean_and_std,
    scale_or_one,
    sparse_mean_and_std,
)

pytestmark = pytest.mark.oldest_sklearn


def _reference(X, w):
    """numpy's weighted mean and standard deviation per column, NaN left out."""
    means, stds = [], []
    for column in X.T:
        present = ~np.isnan(column)
        weights = np.ones(len(column)) if w is None else w
        mean = np.average(column[present], weights=weights[present])
        means.append(mean)
        stds.append(np.sqrt(np.average((column[present] - mean) ** 2, weights=weights[present])))
    return np.array(means), np.array(stds)


@pytest.mark.parametrize("n_rows", [1, 7, BLOCK_ROWS, 3 * BLOCK_ROWS + 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_mean_and_std_are_numpys_weighted_ones_without_the_missing_values(n_rows, weighted):
    rng = np.random.RandomState(n_rows)
    X = rng.standard_normal((n_rows, 4)) * [1, 1e3, 1e-3, 5] + [0, 10, -3, 1e6]
    X[rng.rand(*X.shape) < 0.2] = np.nan
    X[0] = 1.0  # every column has a value
    w = rng.uniform(0.1, 3, n_rows) if weighted else None
    mean, std, total = mean_and_std(in_memory(X, w))
    expected_mean, expected_std = _reference(X, w)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-12)
    np.testing.assert_allclose(std, expected_std, rtol=1e-9, atol=1e-15)
    weights = np.ones(n_rows) if w is None else w
    np.testing.assert_allclose(total, [weights[~np.isnan(c)].sum() for c in X.T], rtol=1e-12)


def test_values_near_the_largest_float_do_not_overflow():
    big = np.finfo(np.float64).max
    X = np.array([[big], [big / 2], [-big / 2], [big / 4]])
    mean, std, _ = mean_and_std(in_memory(X, None))
    assert np.isfinite(mean).all() and np.isfinite(std).all()
    scaled = X / big
    np.testing.assert_allclose(mean / big, scaled.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(std / big, scaled.std(axis=0), rtol=1e-14)


def test_a_column_with_no_value_has_mean_zero():
    X = np.array([[1.0, np.nan], [3.0, np.nan]])
    mean, std, total = mean_and_std(in_memory(X, None))
    np.testing.assert_array_equal(mean, [2.0, 0.0])
    np.testing.assert_array_equal(total, [2.0, 0.0])
    assert std[1] == 0


def test_partitions_give_the_statistics_of_the_whole_column():
    # partitions made of whole blocks give the in-memory blocks in order: the same bits
    rng = np.random.RandomState(0)
    X = rng.standard_normal((3 * BLOCK_ROWS + 100, 3)) * 1e4 + 7
    w = rng.uniform(0.5, 2, len(X))
    cuts = [0, BLOCK_ROWS, 3 * BLOCK_ROWS, len(X)]
    parts = [(X[a:b], w[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]

    def over_partitions(statistic, *args):
        return [statistic(block, bw, *args) for values, weights in parts
                for block, bw in _statistics.row_blocks(values, weights)]  # fmt: skip

    whole = mean_and_std(in_memory(X, w))
    for got, expected in zip(mean_and_std(over_partitions), whole):
        np.testing.assert_array_equal(got, expected)
    # uneven partitions: other blocks, the same statistics to rounding
    parts = [(X[:1000], w[:1000]), (X[1000:], w[1000:])]
    for got, expected in zip(mean_and_std(over_partitions), whole):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_sparse_matrix_counts_its_zeros_as_values():
    rng = np.random.RandomState(1)
    dense = rng.standard_normal((50, 3)) * (rng.rand(50, 3) < 0.3)
    w = rng.uniform(0.5, 2, 50)
    for weights in (None, w):
        got = sparse_mean_and_std(sparse.csr_matrix(dense), weights)
        expected = _reference(dense, weights)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-10)
        for a, b in zip(column_mean_and_std(sparse.csc_matrix(dense), weights), got):
            np.testing.assert_array_equal(a, b)


def test_a_constant_column_keeps_scale_one():
    np.testing.assert_array_equal(
        scale_or_one(np.array([5.0, 0.0, 1e6]), np.array([1e-20, 0.5, 1e-12])), [1.0, 0.5, 1.0]
    )


def test_weights_without_a_usable_total_are_a_clear_error():
    check_weight_total(np.array([0.0, 1.0]), "The weights")
    with pytest.raises(ValueError, match="The weights sum to 0: training needs a positive"):
        check_weight_total(np.zeros(3), "The weights")
    given = np.array([1e-50, 1e-50])
    with pytest.raises(ValueError, match="the cast to float32, X's dtype, made 2 of them 0"):
        check_weight_total(given.astype(np.float32), "The weights", given)
