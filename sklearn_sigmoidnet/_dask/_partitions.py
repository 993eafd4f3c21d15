"""A dask collection's partitions: their delayed blocks, aligned across X, y and
the sample weights, and each checked as numpy and pandas values on its worker."""

import math

import numpy as np
from scipy import sparse
from sklearn.utils.validation import _check_sample_weight, _check_y

from .._input_encoding import as_table, native
from . import on_cluster


def row_blocks(values, row_chunks=None):
    """The delayed row blocks of a dask array or DataFrame, and their lengths."""
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(values, da.Array):
        if values.ndim == 2:
            values = values.rechunk({1: -1})
        if row_chunks is not None and values.chunks[0] != row_chunks:
            values = values.rechunk({0: row_chunks})
        return list(values.to_delayed().ravel()), values.chunks[0]
    if isinstance(values, (dd.DataFrame, dd.Series)):
        return list(values.to_delayed()), (math.nan,) * values.npartitions
    raise TypeError(f"Expected a dask array or DataFrame; got {type(values).__name__}.")


def aligned_blocks(X, y, sample_weight):
    """The delayed blocks of X, y and the sample weights, partition by partition."""
    import dask.array as da

    X_blocks, lengths = row_blocks(X)
    known = all(math.isfinite(length) for length in lengths)
    blocks = [X_blocks]
    for name, values in [("y", y), ("sample_weight", sample_weight)]:
        if values is None:
            blocks.append([None] * len(X_blocks))
            continue
        rows = np.shape(values)[0]  # nan for a dask collection of unknown lengths
        if known and not math.isnan(rows) and rows != sum(lengths):
            raise ValueError(f"X has {sum(lengths)} rows and {name} {rows}.")
        if not on_cluster(values):
            if not known:
                raise ValueError(
                    f"{name} is in memory and X a dask DataFrame: give {name} as a dask "
                    "collection with X's partitions."
                )
            values = da.from_array(np.asarray(values), chunks=(lengths,) + np.shape(values)[1:])
        part_blocks, _ = row_blocks(values, lengths if known else None)
        if len(part_blocks) != len(X_blocks):
            raise ValueError(
                f"{name} has {len(part_blocks)} partitions and X {len(X_blocks)}: give them "
                "the same partitions (for arrays, the same row chunks)."
            )
        blocks.append(part_blocks)
    return list(zip(*blocks))


def raw_partition(X, y, sample_weight, regressor):
    """One partition as checked numpy and pandas values: what the stages read."""
    if sparse.issparse(X):  # found here: a dask array's metadata need not say so
        raise ValueError("A fit on dask input takes dense arrays or DataFrames, not sparse blocks.")
    X = native(as_table(X))  # as it pickles, to move between workers
    y = _check_y(np.asarray(y), multi_output=True, y_numeric=regressor)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"A partition of X has {X.shape[0]} rows and its y {y.shape[0]}.")
    if sample_weight is not None:
        sample_weight = _check_sample_weight(np.asarray(sample_weight), X, ensure_non_negative=True)
    return X, y, sample_weight


def meta(X):
    """An empty-of-data stand-in for X's columns: their names and dtypes, one row."""
    if hasattr(X, "_meta_nonempty"):  # a dask DataFrame
        return X._meta_nonempty.iloc[:1]
    return np.zeros((1, X.shape[1]), dtype=X.dtype)
