"""The numpy epoch (``_epoch.py``): ceil(N / B) updates, the batches taken in
the row order given (gathered a block of rows at a time), batches without
weight skipped, and the epoch's mean and first losses.
"""

import math

import numpy as np
import pytest
from scipy import sparse

from sklearn_sigmoidnet._epoch import run_epoch, updates_per_epoch
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import SGD, Adam

pytestmark = pytest.mark.oldest_sklearn


class RecordingNetwork(Network):
    """A Network that keeps a copy of each batch that ``run_epoch`` hands it, with
    the batch's loss: copies, as the epoch gathers shuffled rows into buffers that
    it reuses."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def loss_and_gradient(self, X, Y, sample_weight, loss, l2, quantile_level=None):
        batch_loss = super().loss_and_gradient(X, Y, sample_weight, loss, l2, quantile_level)
        X = X.toarray() if sparse.issparse(X) else np.array(X)
        sw = None if sample_weight is None else np.array(sample_weight)
        self.batches.append((X, np.array(Y), sw, batch_loss))
        return batch_loss


def recording_network(n_features, seed=0):
    network = RecordingNetwork([n_features, 3, 2], ["tanh"], "identity", np.float64)
    network.initialize(np.random.RandomState(seed))
    return network


@pytest.mark.parametrize(
    "n_samples, batch_size, updates", [(10_000, 10, 1_000), (10_000, 100, 100), (1_000, 100, 10)]
)
def test_updates_per_epoch_is_ceil_n_over_b(n_samples, batch_size, updates):
    assert updates_per_epoch(n_samples, batch_size) == updates


@pytest.mark.parametrize("batch_size", [1, 2, 7, 10, 64])
def test_updates_per_epoch_is_the_ceiling_of_n_over_b(batch_size):
    for n_samples in range(0, 3 * batch_size + 2):
        assert updates_per_epoch(n_samples, batch_size) == math.ceil(n_samples / batch_size)
    # in integers: exact beyond float64's 2⁵³, where ceil(N / B) in floats is not
    assert updates_per_epoch(2**60 + 1, 2) == 2**59 + 1
    assert updates_per_epoch(10**20, 10**20 - 1) == 2


@pytest.mark.parametrize("n_samples, batch_size", [(103, 10), (100, 10), (5, 200)])
def test_run_epoch_makes_one_update_per_batch(n_samples, batch_size):
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(n_samples, 3)), rng.normal(size=(n_samples, 1))
    network = Network([3, 4, 1], ["sigmoid"], "identity", np.float64)
    network.initialize(rng)
    optimizer = Adam(network.theta.size, np.float64, 1e-3)
    batch = min(batch_size, n_samples)
    order = rng.permutation(n_samples)
    first_rows = order[:batch]
    with np.errstate(over="ignore"):
        start_loss = network.loss(X[first_rows], Y[first_rows], None, "squared_error", 0, batch)
    _, n_updates, first_loss = run_epoch(
        network,
        optimizer,
        X,
        Y,
        None,
        batch_size=batch,
        loss="squared_error",
        l2=0,
        order=order,
    )
    assert n_updates == optimizer.t == updates_per_epoch(n_samples, batch)
    assert first_loss == pytest.approx(start_loss, rel=1e-12)  # the loss before any update


@pytest.mark.parametrize(
    "layout", ["rows as they are", "shuffled", "shuffled, F-ordered", "shuffled, sparse"]
)
def test_the_batches_are_the_rows_in_the_order_given(layout):
    # 64 features: blocks of 250 rows (16,384 values), so 1,003 rows gather in five
    # blocks, the last of 3 rows, in buffers made for 250
    rng = np.random.RandomState(1)
    n, batch_size = 1003, 10
    X = rng.standard_normal((n, 64)) * (rng.uniform(size=(n, 64)) < 0.3)
    Y = rng.standard_normal((n, 2))
    sw = rng.uniform(0.5, 2, n)
    order = None if layout == "rows as they are" else rng.permutation(n)
    rows = np.arange(n) if order is None else order
    if "F-ordered" in layout:
        X = np.asfortranarray(X)
    if "sparse" in layout:
        X = sparse.csr_matrix(X)
    network = recording_network(64)
    mean, n_updates, first = run_epoch(
        network, SGD(network.theta.size, np.float64, 1e-3), X, Y, sw, batch_size=batch_size,
        loss="squared_error", l2=0.0, order=order,
    )  # fmt: skip
    assert n_updates == len(network.batches) == updates_per_epoch(n, batch_size) == 101
    assert [len(batch[1]) for batch in network.batches] == [10] * 100 + [3]
    dense = X.toarray() if sparse.issparse(X) else X
    for got, expected in zip(zip(*network.batches), (dense, Y, sw)):
        np.testing.assert_array_equal(np.concatenate(got), expected[rows])
    losses = np.array([batch[3] for batch in network.batches])
    weights = np.array([batch[2].sum() for batch in network.batches])
    assert first == losses[0]
    assert mean == pytest.approx(losses @ weights / weights.sum(), rel=1e-12)


def test_without_weights_a_batch_weighs_its_rows():
    # the last batch, of 3 rows, counts for 3 in the epoch's mean loss, not for 10
    rng = np.random.RandomState(2)
    X, Y = rng.standard_normal((23, 4)), rng.standard_normal((23, 2))
    network = recording_network(4)
    mean, n_updates, _ = run_epoch(
        network, SGD(network.theta.size, np.float64, 0.1), X, Y, None, batch_size=10,
        loss="squared_error", l2=0.0,
    )  # fmt: skip
    losses = [batch[3] for batch in network.batches]
    assert n_updates == 3 and all(batch[2] is None for batch in network.batches)
    assert mean == pytest.approx((10 * losses[0] + 10 * losses[1] + 3 * losses[2]) / 23, rel=1e-12)
    assert mean != pytest.approx(np.mean(losses), rel=1e-6)


def test_batches_without_weight_are_skipped():
    # batches 0 and 3 (of 6) weigh nothing: no gradient, no step, no part in the losses;
    # batch 2 has rows of weight 0 among others, and is a batch like any other
    rng = np.random.RandomState(3)
    n, batch_size = 53, 10
    X, Y = rng.standard_normal((n, 4)), rng.standard_normal((n, 2))
    order = rng.permutation(n)
    sw = np.empty(n)
    sw[order] = np.repeat([0.0, 1.0, 0.5, 0.0, 2.0, 1.5], batch_size)[:n]  # by batch
    sw[order[20:25]] = 0
    network = recording_network(4)
    theta = network.theta.copy()
    adam = Adam(network.theta.size, np.float64, 0.01)
    mean, n_updates, first = run_epoch(
        network, adam, X, Y, sw, batch_size=batch_size, loss="squared_error", l2=0.0,
        order=order,
    )  # fmt: skip
    assert n_updates == adam.t == len(network.batches) == 4
    kept = [order[start : start + batch_size] for start in (10, 20, 40, 50)]
    for (X_batch, _, sw_batch, _), rows in zip(network.batches, kept):
        np.testing.assert_array_equal(X_batch, X[rows])
        np.testing.assert_array_equal(sw_batch, sw[rows])
    losses = np.array([batch[3] for batch in network.batches])
    weights = np.array([sw[rows].sum() for rows in kept])  # 10, 2.5, 20 and 4.5
    np.testing.assert_allclose(weights, [10, 2.5, 20, 4.5])
    assert mean == pytest.approx(losses @ weights / weights.sum(), rel=1e-12)
    # the first loss is the first batch's that was used, at the weights the epoch began from
    network.theta[...] = theta
    start_loss = network.loss(X[kept[0]], Y[kept[0]], sw[kept[0]], "squared_error", 0.0, 10)
    assert first == pytest.approx(start_loss, rel=1e-12)
