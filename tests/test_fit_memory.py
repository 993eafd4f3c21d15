"""A fit trains on the caller's rows, not on copies of them: the validation split
holds out rows by index, and X's columns are read where they lie, each batch
encoded as training gathers it (``InputColumns``). The memory itself is
measured by benchmarks/bench_memory.py."""

import pickle

import numpy as np
import pandas as pd
import pytest

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor, _early_stopping, _engines
from sklearn_sigmoidnet._engines import CompiledEngine, NumpyEngine, Objective, Rows
from sklearn_sigmoidnet._fit_input import check_fit_input
from sklearn_sigmoidnet._input_columns import InputColumns
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


def _fit_data(X, y, **params):
    return check_fit_input(SigmoidNetRegressor(**params), X, y, None, continuing=False,
                           incremental=False).data  # fmt: skip


def _reads_from(U, source):
    return all(np.shares_memory(column, source) for column in U.numbers)


@pytest.mark.parametrize("missing", [False, True])
def test_a_numeric_array_is_trained_on_as_given(missing):
    rng = np.random.RandomState(3)
    X = rng.standard_normal((150, 3)) * [1, 100, 1e-3] + [0, 5e3, 1]
    if missing:
        X[::7, 1] = np.nan
    given = X.copy()
    data = _fit_data(X, np.arange(150.0))
    assert isinstance(data.U, InputColumns) and _reads_from(data.U, X)
    # the rows training reads are the encoded ones
    mean, std = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
    expected = np.where(np.isnan(X), 0.0, (X - mean) / std)
    if missing:
        expected = np.column_stack([expected, np.isnan(X[:, 1])])
    np.testing.assert_allclose(next(data.chunks()).U, expected, rtol=1e-12, atol=1e-12)
    SigmoidNetRegressor((4,), epochs=2).fit(X, X[:, 0])
    np.testing.assert_array_equal(X, given)


def test_an_array_of_integers_is_copied_once_as_floats():
    X = np.arange(120, dtype=np.int64).reshape(60, 2)
    U = _fit_data(X, np.ones(60)).U
    assert U.dtype == np.float64 and not any(np.shares_memory(c, X) for c in U.numbers)
    assert U.numbers[0].base is U.numbers[1].base  # one copy of X, not one per column


def test_a_frame_is_read_where_it_lies_and_its_categories_as_small_codes():
    rng = np.random.RandomState(11)
    n = 500
    frame = pd.DataFrame({
        "a": rng.standard_normal(n), "b": rng.standard_normal(n) * 1e3,
        "c": pd.Categorical(rng.choice(list("xyz"), n)),
        "d": pd.Categorical(rng.choice(["u", "v", None], n)),
    })  # fmt: skip
    frame.loc[::9, "b"] = np.nan
    U = _fit_data(frame, frame["a"].to_numpy()).U
    assert all(np.shares_memory(c, frame[name].to_numpy()) for c, name in zip(U.numbers, "ab"))
    assert U.codes.dtype == np.int8 and U.codes.shape == (n, 2)
    encoded = U[:]  # the numbers standardised, b's indicator, then the rows of W
    assert encoded.shape == (n, 3 + 2)
    np.testing.assert_array_equal(encoded[:, 2], frame["b"].isna())
    np.testing.assert_array_equal(encoded[:, 3:], U.codes)
    # the categories' rows follow the numbers' and the indicator's: 3 + 3 + (2 + missing)
    assert set(np.unique(U.codes[:, 0])) == {3, 4, 5}
    assert set(np.unique(U.codes[:, 1])) == {6, 7, 8}


@pytest.mark.parametrize("n_inputs, dtype", [(128, np.int8), (129, np.int16),
                                             (40_000, np.int32)])  # fmt: skip
def test_codes_take_the_smallest_integers_that_hold_them(n_inputs, dtype):
    from sklearn_sigmoidnet._input_encoding import _codes_dtype

    assert _codes_dtype(n_inputs) == dtype


def _columns(rng, n, dtype, code_dtype=np.int8):
    """InputColumns of 3 numbers (the second with missing values, indicated, the
    third a strided view) and 2 category columns of rows 4 to 8 of W[0], or −1."""
    block = (rng.standard_normal((n, 4)) * [2, 50, 0.1, 1] + [1, -300, 4, 0]).astype(dtype)
    block[::5, 1] = np.nan
    numbers = [block[:, 0].copy(), block[:, 1].copy(), block[:, 2]]
    codes = rng.randint(3, 9, size=(n, 2)).astype(code_dtype)
    codes[codes == 3] = -1
    shift, scale = np.array([1, -300, 4.0]), np.array([2, 50, 0.1])
    return InputColumns(numbers, codes, shift, scale, np.array([0.5, -290, 3.0]), np.array([1]),
                        dtype)  # fmt: skip


def test_input_columns_unpickled_from_unaligned_bytes_are_read_as_before():
    # a partition moved between dask workers arrives as views of a message's
    # frames, which may start at any byte: the columns are aligned again
    rng = np.random.RandomState(3)
    U = _columns(rng, 40, np.float64)
    buffers = []
    message = pickle.dumps(U, protocol=5, buffer_callback=buffers.append)
    shifted = []
    for buffer in buffers:  # each frame one byte into a larger one
        raw = buffer.raw()
        frame = bytearray(raw.nbytes + 1)
        frame[1:] = raw
        shifted.append(memoryview(frame)[1:])
    received = pickle.loads(message, buffers=shifted)
    assert all(column.flags.aligned for column in received.numbers)
    np.testing.assert_array_equal(received[:], U[:])
    network = Network([9, 6, 2], ["sigmoid"], "identity", np.float64, n_category_columns=2)
    network.initialize(np.random.RandomState(5))
    engine = CompiledEngine(network, 6, Objective("squared_error"))
    Y = rng.standard_normal((40, 2))
    assert engine.loss(Rows(received, Y, None), 16) == engine.loss(Rows(U, Y, None), 16)


@pytest.mark.parametrize("code_dtype", [np.int8, np.int64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index", [None, "rows"])
def test_the_compiled_step_encodes_as_an_encoded_copy_would(dtype, index, code_dtype):
    rng = np.random.RandomState(4)
    U = _columns(rng, 70, dtype, code_dtype)
    Y = rng.standard_normal((70, 2)).astype(dtype)
    sw = rng.uniform(0.5, 2, 70).astype(dtype)
    rows = None if index is None else rng.permutation(70)[:50]
    results = []
    for given in (U[:], U):
        network = Network([9, 6, 2], ["sigmoid"], "identity", dtype, n_category_columns=2)
        network.initialize(np.random.RandomState(5))
        adam = Adam(network.theta.size, dtype, 0.01)
        engine = CompiledEngine(network, 6, Objective("squared_error", 1e-3), adam)
        data = Rows(given, Y, sw, rows)
        start = engine.loss(data, 16)
        epoch = engine.run_epoch(data, 8, np.random.RandomState(6))
        full = engine.loss_and_gradient(data)
        results.append((start, epoch, full, network.theta.copy(), network.grad.copy()))
    for got, expected in zip(*results):
        np.testing.assert_array_equal(got, expected)


def test_input_columns_encode_as_the_input_encoding_says():
    rng = np.random.RandomState(12)
    U = _columns(rng, 30, np.float64)
    x = np.column_stack(U.numbers)
    expected = (np.where(np.isnan(x), [0.5, -290, 3.0], x) - [1, -300, 4.0]) / [2, 50, 0.1]
    encoded = U[:]
    np.testing.assert_allclose(encoded[:, :3], expected, rtol=1e-15)
    np.testing.assert_array_equal(encoded[:, 3], np.isnan(x[:, 1]))
    np.testing.assert_array_equal(encoded[:, 4:], U.codes)
    np.testing.assert_array_equal(U[[4, 2]], encoded[[4, 2]])


def test_the_numpy_engine_reads_input_columns_as_the_compiled_step_does():
    rng = np.random.RandomState(7)
    U, Y = _columns(rng, 40, np.float64), rng.standard_normal((40, 1))
    data = Rows(U, Y, None, np.arange(5, 40))
    losses = []
    for make in (NumpyEngine, lambda n, o, a: CompiledEngine(n, 6, o, a)):
        network = Network([9, 3, 1], ["tanh"], "identity", np.float64, n_category_columns=2)
        network.initialize(np.random.RandomState(8))
        adam = Adam(network.theta.size, np.float64, 0.01)
        engine = make(network, Objective("squared_error"), adam)
        engine.run_epoch(data, 7, np.random.RandomState(9))
        losses.append((engine.loss(data, 10), network.theta.copy()))
    np.testing.assert_allclose(losses[0][0], losses[1][0], rtol=1e-12)
    np.testing.assert_allclose(losses[0][1], losses[1][1], rtol=1e-10, atol=1e-12)


def test_input_columns_that_do_not_fit_are_refused():
    rng = np.random.RandomState(13)
    network = Network([9, 3, 1], ["tanh"], "identity", np.float64, n_category_columns=2)
    engine = CompiledEngine(network, 6, Objective("squared_error"))
    U, Y = _columns(rng, 10, np.float64), np.zeros((10, 1))
    U.codes[0, 0] = 9  # past W[0]'s rows
    with pytest.raises(ValueError, match="category codes must be -1 or rows 4 to 8"):
        engine.loss(Rows(U, Y, None), 4)
    U = _columns(rng, 10, np.float64)
    U.numbers[0] = U.numbers[0][:5]
    with pytest.raises(ValueError, match="the number columns must be 10 aligned values"):
        engine.loss(Rows(U, Y, None), 4)


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
