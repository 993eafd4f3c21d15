"""Prediction on dask input: the fitted estimator's method of each block, on the
workers, as a dask array of its rows."""


from ._partitions import meta, row_blocks


def _apply(estimator, method, block):
    return getattr(estimator, method)(block)


def predict_blocks(estimator, method, X):
    """``estimator.method`` of each block of the dask X, as a dask array of its rows."""
    import dask
    import dask.array as da

    estimator._check_fitted()
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"X must be 2-D; got a dask collection of {X.ndim} dimensions.")
    sample = _apply(estimator, method, meta(X))  # the output's dtype and trailing shape
    blocks, lengths = row_blocks(X)
    shared = dask.delayed(estimator, traverse=False)
    return da.concatenate([
        da.from_delayed(dask.delayed(_apply)(shared, method, block),
                        shape=(length, *sample.shape[1:]), dtype=sample.dtype)
        for block, length in zip(blocks, lengths)
    ])  # fmt: skip
