"""Mini-batch epochs: ceil(N / B) updates θ ← θ − η ∇L^k(θ) per pass over the data.

Shuffled rows are gathered a block of batches at a time, so each batch is a
contiguous slice rather than a fancy index of its own.
"""

import numpy as np

# values gathered at once when shuffling: 128 kB of float64, few enough that
# the block stays in cache and a fit holds no second copy of X
_BLOCK_VALUES = 1 << 14


def updates_per_epoch(n_samples, batch_size):
    """The lecture's count of parameter updates in one epoch: ceil(N / B)."""
    return -(-n_samples // batch_size)


def run_epoch(
    network, optimizer, X, Y, sample_weight, *, batch_size, loss, l2, order=None,
    quantile_level=None,
):  # fmt: skip
    """One pass over (X, Y) in mini-batches: over its rows in ``order`` (any of
    them, in that order) when given.

    Returns the batches' data losses averaged with the batches' weights, the
    number of updates made, and the first batch's loss: that of the weights
    the epoch started from. The compiled step's ``run_epoch`` computes the
    same, the whole epoch in one call; this is its reference.
    """
    network.check_codes(X)  # all of X before the first update, not a batch at a time
    n = X.shape[0] if order is None else len(order)
    block_rows = batch_size * max(1, _BLOCK_VALUES // (batch_size * max(X.shape[1], 1)))
    arrays = [X, Y, sample_weight]
    if order is not None:  # shuffled blocks are gathered into buffers made once
        buffers = [_block_buffer(A, min(block_rows, n)) for A in arrays]
    total_loss = total_weight = 0.0
    first_loss = np.nan
    n_updates = 0
    with np.errstate(over="ignore"):  # e^-r → inf in the sigmoid gives its limit σ = 0
        for block_start in range(0, n, block_rows):
            rows = slice(block_start, block_start + block_rows)
            if order is None:
                blocks = [None if A is None else A[rows] for A in arrays]
            else:
                blocks = [_take_rows(A, order[rows], out) for A, out in zip(arrays, buffers)]
            X_block, Y_block, sw_block = blocks
            n_block = Y_block.shape[0]
            for start in range(0, n_block, batch_size):
                batch = slice(start, start + batch_size)
                sw_batch = None if sw_block is None else sw_block[batch]
                weight = min(batch_size, n_block - start) if sw_batch is None else sw_batch.sum()
                if weight == 0:  # an all-zero-weight batch carries no information
                    continue
                batch_loss = network.loss_and_gradient(
                    X_block[batch], Y_block[batch], sw_batch, loss, l2, quantile_level
                )
                optimizer.step(network.theta, network.grad)
                if not n_updates:
                    first_loss = batch_loss
                total_loss += batch_loss * weight
                total_weight += weight
                n_updates += 1
    return (total_loss / total_weight if total_weight else np.nan), n_updates, first_loss


def _block_buffer(A, n_rows):
    if not isinstance(A, np.ndarray):  # None, or a scipy.sparse X, gathered anew
        return None
    return np.empty((n_rows, *A.shape[1:]), A.dtype)


def _take_rows(A, rows, out):
    if out is None:
        return None if A is None else A[rows]
    # np.take writes straight into ``out`` when it need not check the indices
    # (mode="clip"; they are a permutation's): no temporary, unlike A[rows]
    return np.take(A, rows, axis=0, out=out[: len(rows)], mode="clip")
