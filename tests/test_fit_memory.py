"""A fit trains on the caller's rows, not on copies of them: the validation split
holds out rows by index, and a numeric array is standardised a batch at a time
as training reads it. The memory itself is measured by benchmarks/bench_memory.py."""

import numpy as np
import pytest

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor, _early_stopping, _engines
from sklearn_sigmoidnet._engines import CompiledEngine, NumpyEngine, Objective, Rows
from sklearn_sigmoidnet._fit_input import check_fit_input
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import Adam

pytestmark = pytest.mark.oldest_sklearn


@pytest.fixture
def seen(monkeypatch):
    """The array rows that each epoch trains on, and the validation rows."""
    record = {"epochs": [], "valid": []}
    for engine in (CompiledEngine, NumpyEngine):
        original = engine.run_epoch_in_order

        def run_epoch_in_order(self, data, batch_size, order, original=original):
            record["epochs"].append(np.arange(data.U.shape[0]) if order is None else order.copy())
            return original(self, data, batch_size, order)

        monkeypatch.setattr(engine, "run_epoch_in_order", run_epoch_in_order)
    init = _early_stopping.Monitor.__init__

    def monitor_init(self, estimator, targets, valid, model):
        record["valid"].append(valid.index.copy())
        init(self, estimator, targets, valid, model)

    monkeypatch.setattr(_early_stopping.Monitor, "__init__", monitor_init)
    return record


@pytest.mark.parametrize("engine", ["auto", "numpy"])
@pytest.mark.parametrize("Estimator", [SigmoidNetRegressor, SigmoidNetClassifier])
def test_training_never_sees_a_validation_row(seen, engine, Estimator):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((300, 4))
    y = X[:, 0] > 0 if Estimator is SigmoidNetClassifier else X[:, 0]
    Estimator((5,), epochs=4, n_iter_no_change=100, engine=engine, random_state=0).fit(X, y)
    (valid,) = seen["valid"]
    assert len(seen["epochs"]) == 4 and len(valid) == 60
    for order in seen["epochs"]:
        assert len(order) == 240 and not np.intersect1d(order, valid).size
        np.testing.assert_array_equal(np.sort(order), np.setdiff1d(np.arange(300), valid))
    assert not np.array_equal(seen["epochs"][0], seen["epochs"][1])  # reshuffled each epoch


def test_a_warm_start_validates_on_the_same_rows(seen):
    rng = np.random.RandomState(1)
    X, y = rng.standard_normal((200, 3)), rng.standard_normal(200)
    net = SigmoidNetRegressor((4,), epochs=3, warm_start=True, random_state=2).fit(X, y)
    net.fit(X, y)
    first, second = seen["valid"]
    np.testing.assert_array_equal(first, second)


def test_a_numeric_array_is_trained_on_as_given(monkeypatch):
    rng = np.random.RandomState(3)
    X = rng.standard_normal((150, 3)) * [1, 100, 1e-3] + [0, 5e3, 1]
    given = X.copy()
    estimator = SigmoidNetRegressor((4,), epochs=2)
    data = check_fit_input(estimator, X, X[:, 0], None, continuing=False,
                           incremental=False).data  # fmt: skip
    assert data.U is X and data.scaling is not None
    shift, scale = data.scaling
    # the rows training reads are the encoded ones
    np.testing.assert_array_equal(next(data.chunks()).U, (X - shift) / scale)
    estimator.fit(X, X[:, 0])
    np.testing.assert_array_equal(X, given)


@pytest.mark.parametrize("X, read_as_given", [
    (np.array([[1.0, np.nan], [2.0, 3.0], [0.5, 1.0]] * 20), False),  # missing values to fill
    (np.arange(120, dtype=np.int64).reshape(60, 2), True),  # one copy, of floats
])  # fmt: skip
def test_other_input_is_copied_once(X, read_as_given):
    data = check_fit_input(SigmoidNetRegressor(), X, np.ones(60), None, continuing=False,
                           incremental=False).data  # fmt: skip
    assert data.U is not X and data.U.dtype == np.float64 and data.U.shape[0] == 60
    assert (data.scaling is not None) == read_as_given


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index", [None, "rows"])
def test_the_compiled_step_standardises_as_an_encoded_copy_would(dtype, index):
    rng = np.random.RandomState(4)
    X = (rng.standard_normal((70, 3)) * [2, 50, 0.1] + [1, -300, 4]).astype(dtype)
    Y = rng.standard_normal((70, 2)).astype(dtype)
    sw = rng.uniform(0.5, 2, 70).astype(dtype)
    shift, scale = np.array([1, -300, 4], dtype), np.array([2, 50, 0.1], dtype)
    encoded = (X - shift) / scale
    rows = None if index is None else rng.permutation(70)[:50]
    results = []
    for U, scaling in ((encoded, None), (X, (shift, scale))):
        network = Network([3, 6, 2], ["sigmoid"], "identity", dtype)
        network.initialize(np.random.RandomState(5))
        adam = Adam(network.theta.size, dtype, 0.01)
        engine = CompiledEngine(network, 3, Objective("squared_error", 1e-3), adam)
        data = Rows(U, Y, sw, rows, scaling)
        start = engine.loss(data, 16)
        epoch = engine.run_epoch(data, 8, np.random.RandomState(6))
        full = engine.loss_and_gradient(data)
        results.append((start, epoch, full, network.theta.copy(), network.grad.copy()))
    for got, expected in zip(*results):
        np.testing.assert_array_equal(got, expected)


def test_the_numpy_engine_reads_unscaled_rows_as_the_compiled_step_does():
    rng = np.random.RandomState(7)
    X, Y = rng.standard_normal((40, 2)) * 30 + 7, rng.standard_normal((40, 1))
    data = Rows(X, Y, None, np.arange(5, 40), (np.array([7.0, 7.0]), np.array([30.0, 30.0])))
    losses = []
    for make in (NumpyEngine, lambda n, o, a: CompiledEngine(n, 2, o, a)):
        network = Network([2, 3, 1], ["tanh"], "identity", np.float64)
        network.initialize(np.random.RandomState(8))
        adam = Adam(network.theta.size, np.float64, 0.01)
        engine = make(network, Objective("squared_error"), adam)
        engine.run_epoch(data, 7, np.random.RandomState(9))
        losses.append((engine.loss(data, 10), network.theta.copy()))
    np.testing.assert_allclose(losses[0][0], losses[1][0], rtol=1e-12)
    np.testing.assert_allclose(losses[0][1], losses[1][1], rtol=1e-10, atol=1e-12)


def test_rows_out_of_range_are_refused_before_the_loops_read_them():
    network = Network([2, 3, 1], ["tanh"], "identity", np.float64)
    engine = CompiledEngine(network, 2, Objective("squared_error"), Adam(network.theta.size,
                            np.float64, 0.01))  # fmt: skip
    X, Y = np.zeros((5, 2)), np.zeros((5, 1))
    for bad in ([0, 5], [-1, 2]):
        with pytest.raises(ValueError, match=r"row indices must be in \[0, 5\)"):
            engine.run_epoch_in_order(Rows(X, Y, None), 2, np.array(bad))
        with pytest.raises(ValueError, match=r"row indices must be in \[0, 5\)"):
            engine.loss(Rows(X, Y, None, np.array(bad)), 2)
    assert _engines.n_rows(Rows(X, Y, None, np.array([1, 3]))) == 2
