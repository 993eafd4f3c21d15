"""Category columns of X: codes of rows of W[0] (or -1 for none), which the
first layer looks up instead of multiplying a one-hot encoding.

In both engines the lookup gives the outputs, losses, gradients, epochs and
L-BFGS fits of the one-hot network; bad codes are refused by every entry point
before anything changes; category columns need dense X that holds them; and
prediction takes X of any layout and dtype.
"""

import numpy as np
import pytest
from compiled_helpers import (
    ADAM_EPSILON,
    LOSS_FLOOR,
    CompiledNetwork,
    assert_close,
    laid_out,
    make_inputs,
    make_targets,
    run_epoch,
)
from scipy import sparse

from sklearn_sigmoidnet import _network
from sklearn_sigmoidnet._engines import CompiledEngine, Objective
from sklearn_sigmoidnet._fit_input import FitData
from sklearn_sigmoidnet._network import Network, feedforward
from sklearn_sigmoidnet._optimizers import SGD, Adam
from sklearn_sigmoidnet._run import Progress
from sklearn_sigmoidnet._settings import Settings
from sklearn_sigmoidnet._training import train_lbfgs


def one_hot(X, n_category_columns, n_inputs):
    """X with its category codes as one-hot columns, W[0]'s rows: a row's count of each code."""
    n_dense = X.shape[1] - n_category_columns
    dense = np.zeros((X.shape[0], n_inputs), X.dtype)
    dense[:, :n_dense] = X[:, :n_dense]
    for codes in X[:, n_dense:].T.astype(int):
        seen = codes >= 0
        dense[np.flatnonzero(seen), codes[seen]] += 1
    return dense


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_dense", [0, 1, 4])
@pytest.mark.parametrize("compiled", [True, False])
def test_the_lookup_is_the_one_hot_network(compiled, n_dense, dtype):
    rng = np.random.RandomState(11)
    n, n_codes, n_rows = 30, 3, 4  # few rows for three columns: codes repeat in a row
    X = make_inputs(rng, n, n_dense, n_codes, n_rows, dtype)
    assert (X[:, n_dense:] == -1).any()
    X_hot = one_hot(X, n_codes, n_dense + n_rows)
    assert (X_hot[:, n_dense:] == 2).any()
    Y = make_targets("log_loss", rng, n, 3, dtype)
    sw = rng.uniform(0.5, 2, n).astype(dtype)
    sizes = [n_dense + n_rows, 6, 3]
    kind = CompiledNetwork if compiled else Network
    lookup, hot = (kind(sizes, ["tanh"], "softmax", dtype, codes) for codes in (n_codes, 0))
    lookup.initialize(rng)
    hot.theta[...] = lookup.theta
    X.setflags(write=False)  # the lookup only reads X

    # prediction: compiled, and its numpy reference
    expected = feedforward(X_hot, hot.W, hot.b, hot.activations)
    outputs = [np.empty((n, size), dtype) for size in (6, 3)]
    with np.errstate(over="ignore"):
        _network._feedforward(X, lookup.W, lookup.b, lookup.activations, outputs, n_codes)
    for got in (feedforward(X, lookup.W, lookup.b, lookup.activations, n_codes), outputs):
        for a, b in zip(got, expected):
            assert_close(a, b, dtype, "outputs")

    # the gradient, the chunked loss, and a shuffled epoch of Adam steps
    got = lookup.loss_and_gradient(X, Y, sw, "log_loss", 0.1)
    assert_close(got, hot.loss_and_gradient(X_hot, Y, sw, "log_loss", 0.1), dtype, "loss")
    assert_close(lookup.grad, hot.grad, dtype, "gradient", LOSS_FLOOR)
    assert (lookup.dW[0][n_dense:] != 0).any()
    got = lookup.loss(X, Y, sw, "log_loss", 0.1, 7)
    assert_close(got, hot.loss(X_hot, Y, sw, "log_loss", 0.1, 7), dtype, "chunked loss")
    order, epsilon = rng.permutation(n), ADAM_EPSILON[np.dtype(dtype)]
    results = [
        run_epoch(network, Adam(network.theta.size, dtype, 0.01, epsilon=epsilon), X_, Y, sw,
                  batch_size=4, loss="log_loss", l2=0.1, order=order)
        for network, X_ in ((lookup, X), (hot, X_hot))
    ]  # fmt: skip
    assert results[0][1] == results[1][1] == 8
    assert_close(results[0][0], results[1][0], dtype, "epoch's loss", LOSS_FLOOR)
    assert_close(lookup.theta, hot.theta, dtype, "θ after an epoch")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lbfgs_trains_the_lookup_as_the_one_hot_network(dtype, compiled_calls):
    rng = np.random.RandomState(12)
    X = make_inputs(rng, 40, 2, 2, 5, dtype)
    X_hot = one_hot(X, 2, 7)
    Y = rng.standard_normal((40, 1)).astype(dtype)
    thetas = []
    for codes, X_, engine in ((2, X, "auto"), (2, X, "numpy"), (0, X_hot, "auto")):
        settings = Settings(
            loss="squared_error", alpha=1e-3, epochs=5, batch_size=40, learning_rate=0.0,
            schedule="constant", power_t=0.5, shuffle=False, tol=0.0, n_iter_no_change=np.inf,
            stopping_rule=False, engine=engine,
        )  # fmt: skip
        network = Network([7, 5, 1], ["sigmoid"], "identity", dtype, codes)
        network.initialize(np.random.RandomState(13))
        data = FitData(X_, None, X_, Y, None, codes)
        assert train_lbfgs(network, data, settings, Progress()).n_iter == 5
        thetas.append(network.theta)
    assert compiled_calls["loss_and_gradient"] > 10
    # five iterations of line searches amplify rounding more than one gradient does
    tolerance = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-2}[np.dtype(dtype)]
    for theta in thetas[1:]:
        np.testing.assert_allclose(theta, thetas[0], rtol=tolerance, atol=tolerance)


BAD_CODES = {
    "beyond W[0]": 7,
    "below -1": -2,
    "a dense column's row": 1,
    "between -1 and 0": -0.5,
    "NaN": np.nan,
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", BAD_CODES)
@pytest.mark.parametrize("compiled", [True, False])
def test_bad_category_codes_are_refused(compiled, bad, dtype):
    rng = np.random.RandomState(14)
    X = make_inputs(rng, 10, 2, 2, 5, dtype)
    X[3, 3] = BAD_CODES[bad]
    Y = rng.standard_normal((10, 1)).astype(dtype)
    network = (CompiledNetwork if compiled else Network)([7, 3, 1], ["relu"], "identity", dtype, 2)
    network.initialize(rng)
    optimizer = SGD(network.theta.size, dtype, 0.01)
    theta = network.theta.copy()
    calls = [
        lambda: network.loss_and_gradient(X, Y, None, "squared_error", 0.0),
        lambda: network.loss(X, Y, None, "squared_error", 0.0, 4),
        lambda: run_epoch(network, optimizer, X, Y, None, batch_size=4, loss="squared_error",
                          l2=0.0, order=rng.permutation(10)),
        lambda: feedforward(X, network.W, network.b, network.activations, 2),
    ]  # fmt: skip
    if compiled:  # the compiled step's own entry points, called directly
        step = CompiledEngine(network, X.shape[1], Objective("squared_error"), optimizer).step
        args = network.theta, network.grad, X, Y, None
        calls += [
            lambda: step.loss_and_gradient(*args),
            lambda: step.loss(*args, 4),
            lambda: step.run_epoch(*args, 4, None, False, 0.01, 0.0, False, 0, 0, 0, 0,
                                   optimizer.velocity, None),
        ]  # fmt: skip
    for call in calls:
        with pytest.raises(ValueError, match="category codes must be -1 or rows 2 to 6"):
            call()
    np.testing.assert_array_equal(network.theta, theta)


def test_category_columns_need_dense_x_that_holds_them():
    network = Network([7, 3, 1], ["relu"], "identity", np.float64, 2)
    X = make_inputs(np.random.RandomState(15), 10, 2, 2, 5, np.float64)
    Y = np.zeros((10, 1))
    with pytest.raises(ValueError, match="not a sparse matrix"):
        network.loss_and_gradient(sparse.csr_matrix(X), Y, None, "squared_error", 0.0)
    with pytest.raises(ValueError, match="not a sparse matrix"):
        feedforward(sparse.csr_matrix(X), network.W, network.b, network.activations, 2)
    for X_ in (X[:, :1], np.hstack([X[:, :2]] * 3 + [X])):  # fewer columns than codes; 8 dense
        with pytest.raises(ValueError, match="do not fit a first layer of 7 inputs"):
            network.loss(X_, Y, None, "squared_error", 0.0, 4)
    with pytest.raises(ValueError, match="negative"):
        Network([7, 3, 1], ["relu"], "identity", np.float64, -1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["F", "strided", "reversed"])
def test_prediction_with_category_columns_takes_any_layout_and_dtype(layout, dtype):
    rng = np.random.RandomState(16)
    network = Network([2 + 6, 5, 2], ["sigmoid"], "identity", dtype, 3)
    network.initialize(rng)
    X = make_inputs(rng, 25, 2, 3, 6, np.float64)
    expected = feedforward(X.astype(dtype), network.W, network.b, network.activations, 3)[-1]
    other = laid_out(X.astype(np.float32 if dtype == np.float64 else np.float64), layout)
    got = feedforward(other, network.W, network.b, network.activations, 3)[-1]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    got = feedforward(laid_out(X.astype(dtype), layout), network.W, network.b,
                      network.activations, 3)[-1]  # fmt: skip
    np.testing.assert_array_equal(got, expected)
