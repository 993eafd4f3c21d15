"""Shared by the tests that hold the compiled step to its numpy reference
(``test_compiled_step.py``, ``test_compiled_fits.py``, ``test_engines.py``,
``test_category_columns.py``): the tolerances the engines agree to, a network
that trains by the compiled engine, pairs of identical networks for the two
engines, and the data they train on.

Not a test module: pytest finds it through ``pythonpath`` in pyproject.toml.
"""

import numpy as np
from sklearn.datasets import load_diabetes, make_classification

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._engines import CompiledEngine, NumpyEngine, Objective, Rows
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import SGD, Adam

# How closely the engines agree, relative to the largest |value| compared (see
# assert_close). Rounding errors are ~1e-16 (float64) and ~6e-8 (float32) per
# operation, and training amplifies them, mildly at the modest steps used here
# (η / (1 − μ) ≤ 0.05, 2-3 epochs of at most 40 updates): over 100 000 examples of
# test_compiled_step.py's hypothesis test, the worst was 5e-14 (float64) and 5e-6 (float32).
RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-4}
# Adam steps by η m / (√v + ε): a gradient that is zero but for rounding (a sum that
# cancels) moves θ by up to η × rounding / ε, which the default ε = 1e-8 makes a step
# of order η in float32. With these ε, η × rounding / ε stays a tenth of RTOL.
ADAM_EPSILON = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-3}
LOSS_FLOOR = 0.1  # see assert_close


def assert_close(actual, desired, dtype, what="", floor=0.0):
    """``actual`` ≈ ``desired`` to RTOL[dtype], of each value and of the largest
    finite |desired|, or of ``floor`` when that is larger; NaN and ±inf must be in
    the same places in both.

    Losses and gradients take a floor (LOSS_FLOOR): they are computed from terms
    such as ŷ, y and y log(y / ŷ), of order 1 here, that cancel where ŷ ≈ y, and
    their rounding error is relative to those terms, not to what is left of them.
    """
    rtol = RTOL[np.dtype(dtype)]
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    finite = np.abs(desired[np.isfinite(desired)])
    scale = max(float(finite.max()) if finite.size else 0.0, floor)
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * scale, err_msg=what)


def make_optimizer(solver, n_params, dtype, learning_rate, epsilon=1e-8):
    if solver == "adam":
        return Adam(n_params, dtype, learning_rate, epsilon=epsilon)
    momentum = 0.0 if solver == "sgd" else 0.9
    return SGD(n_params, dtype, learning_rate, momentum, solver == "nesterov")


class CompiledNetwork(Network):
    """A Network whose loss and gradient come from the compiled engine, so that
    the tests call both engines alike."""

    def _engine(self, X, loss, l2, quantile_level):
        return CompiledEngine(self, X.shape[1], Objective(loss, l2, quantile_level))

    def loss(self, X, Y, sample_weight, loss, l2, chunk_rows, quantile_level=None):
        return self._engine(X, loss, l2, quantile_level).loss(Rows(X, Y, sample_weight), chunk_rows)

    def loss_and_gradient(self, X, Y, sample_weight, loss, l2, quantile_level=None):
        engine = self._engine(X, loss, l2, quantile_level)
        return engine.loss_and_gradient(Rows(X, Y, sample_weight))


def run_epoch(network, optimizer, X, Y, sample_weight, *, batch_size, loss, l2, order=None,
              quantile_level=None):  # fmt: skip
    """One epoch by the network's engine: compiled for a CompiledNetwork."""
    objective = Objective(loss, l2, quantile_level)
    if isinstance(network, CompiledNetwork):
        engine = CompiledEngine(network, X.shape[1], objective, optimizer)
    else:
        engine = NumpyEngine(network, objective, optimizer)
    return engine.run_epoch_in_order(Rows(X, Y, sample_weight), batch_size, order)


def make_pair(
    layer_sizes, activations, output, dtype, seed, solver="sgd", learning_rate=0.01, epsilon=1e-8,
    n_category_columns=0,
):  # fmt: skip
    """Two identical networks with their optimisers: the compiled one, then the numpy one."""
    pair = []
    for kind in (CompiledNetwork, Network):
        network = kind(layer_sizes, activations, output, dtype, n_category_columns)
        network.initialize(np.random.RandomState(seed))
        optimizer = make_optimizer(solver, network.theta.size, dtype, learning_rate, epsilon)
        pair.append((network, optimizer))
    return pair


def make_targets(loss, rng, n, n_outputs, dtype):
    if loss == "log_loss":
        return np.eye(n_outputs, dtype=dtype)[rng.randint(n_outputs, size=n)]
    if loss == "binary_log_loss":
        return rng.randint(2, size=(n, n_outputs)).astype(dtype)
    if loss == "poisson":
        return rng.poisson(1.0, size=(n, n_outputs)).astype(dtype)
    return rng.standard_normal((n, n_outputs)).astype(dtype)


def make_inputs(rng, n, n_dense, n_category_columns, n_category_rows, dtype):
    """X of n rows: n_dense standard normal columns, then n_category_columns of codes,
    each -1 or one of the n_category_rows rows of W[0] after the dense ones (any
    column may name any of them, so codes repeat within a row as within a batch)."""
    codes = rng.randint(n_dense - 1, n_dense + n_category_rows, size=(n, n_category_columns))
    codes[codes == n_dense - 1] = -1
    return np.hstack([rng.standard_normal((n, n_dense)), codes]).astype(dtype)


def laid_out(A, layout):
    """A as a C-ordered, F-ordered, row-reversed (negative strides) or strided array."""
    if layout == "C":
        return np.ascontiguousarray(A)
    if layout == "F":
        return np.asfortranarray(A)
    if layout == "reversed":
        return np.ascontiguousarray(A[::-1])[::-1]
    big = np.full((2 * A.shape[0], *(2 * size + 1 for size in A.shape[1:])), np.nan, A.dtype)
    view = big[::2, 1::2] if A.ndim == 2 else big[::2]
    view[...] = A
    assert view.size == 1 or not view.flags.c_contiguous
    return view


def regression_data(dtype, n=150):
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X[:n].astype(dtype), y[:n]


def classification_data(dtype, n=150):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X.astype(dtype), y


def make_estimator(kind, solver, **params):
    params = dict(
        hidden_layer_sizes=(10, 6), solver=solver, epochs=6, batch_size=16,
        learning_rate=0.01, n_iter_no_change=np.inf, random_state=0,
        # unscaled, so that sparse X (which is never centred) trains as dense X does
        normalize_X=False, **params,
    )  # fmt: skip
    if kind == "regressor":
        return SigmoidNetRegressor(activation=["sigmoid", "tanh"], **params)
    return SigmoidNetClassifier(activation=["relu", "sigmoid"], **params)


def data(kind, dtype):
    return regression_data(dtype) if kind == "regressor" else classification_data(dtype)


def predictions(estimator, X):
    if isinstance(estimator, SigmoidNetClassifier):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _frozen(*arrays):
    """Copies, to compare with after a call."""
    return [None if A is None else A.copy() for A in arrays]
