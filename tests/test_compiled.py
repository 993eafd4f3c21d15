"""The compiled training step (``_step.pyx``) against its numpy reference.

``NumpyEngine`` runs the numpy code of ``_network.py``, ``_epoch.py`` and
``_optimizers.py``, ``CompiledEngine`` the compiled step; the two must give the
same θ, optimiser state, losses and gradients, with every kernel variant that
this CPU runs. Not bit for bit: its e^x is a polynomial (a few ulp), its
tanh is 2σ(2r) − 1 and its sums run in other orders, so the engines agree to
rounding, which is what the tolerances below allow, relative to the scale of
the values compared. A fit of the compiled estimators is bit-for-bit
reproducible, though, in one thread or in several.
"""

import threading
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.datasets import load_diabetes, make_classification

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor, _network, _step
from sklearn_sigmoidnet._activations import ACTIVATIONS
from sklearn_sigmoidnet._engines import (
    CompiledEngine,
    NumpyEngine,
    Objective,
    block_rows,
    make_engine,
)
from sklearn_sigmoidnet._epoch import updates_per_epoch
from sklearn_sigmoidnet._losses import LOSSES
from sklearn_sigmoidnet._network import Network, feedforward, penalty
from sklearn_sigmoidnet._optimizers import SGD, Adam
from sklearn_sigmoidnet._training import Progress, Settings, train_lbfgs

HIDDEN = ["sigmoid", "logistic", "relu", "tanh", "identity"]
# every output activation with its loss
PAIRS = [
    ("identity", "squared_error"),
    ("identity", "absolute_error"),
    ("identity", "huber"),
    ("identity", "quantile"),
    ("exp", "poisson"),
    ("logistic", "binary_log_loss"),
    ("softmax", "log_loss"),
]
SOLVERS = ["sgd", "momentum", "nesterov", "adam"]
# How closely the engines agree, relative to the largest |value| compared (see
# assert_close). Rounding errors are ~1e-16 (float64) and ~6e-8 (float32) per
# operation, and training amplifies them, mildly at the modest steps used here
# (η / (1 − μ) ≤ 0.05, 2-3 epochs of at most 40 updates): over 100 000 examples of
# the hypothesis test below, the worst was 5e-14 (float64) and 5e-6 (float32).
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


def assert_same_state(compiled, reference, dtype):
    """The optimisers' states agree: the step count exactly, the moments of the
    gradient (Adam's m and v, SGD's velocity −η Σ μᵏ g) as the gradients do."""
    got, expected = compiled.state, reference.state
    assert got.keys() == expected.keys()
    floors = {"m": LOSS_FLOOR, "v": LOSS_FLOOR**2, "velocity": reference.learning_rate * LOSS_FLOOR}
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            assert got[key].dtype == value.dtype
            assert_close(got[key], value, dtype, f"optimizer state {key}", floors[key])
        else:
            assert got[key] == value, key


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
        return self._engine(X, loss, l2, quantile_level).loss(X, Y, sample_weight, chunk_rows)

    def loss_and_gradient(self, X, Y, sample_weight, loss, l2, quantile_level=None):
        return self._engine(X, loss, l2, quantile_level).loss_and_gradient(X, Y, sample_weight)


def run_epoch(network, optimizer, X, Y, sample_weight, *, batch_size, loss, l2, order=None,
              quantile_level=None):  # fmt: skip
    """One epoch by the network's engine: compiled for a CompiledNetwork."""
    objective = Objective(loss, l2, quantile_level)
    if isinstance(network, CompiledNetwork):
        engine = CompiledEngine(network, X.shape[1], objective, optimizer)
    else:
        engine = NumpyEngine(network, objective, optimizer)
    return engine.run_epoch(X, Y, sample_weight, batch_size, order=order)


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


# ---------------------------------------------------------------------------
# 1. random networks, data and settings: compiled training = numpy training


@st.composite
def training_cases(draw):
    # half the cases without category columns, as before they existed
    n_category_columns = draw(st.one_of(st.just(0), st.integers(1, 3)))
    n_hidden = draw(st.integers(1, 3))
    output, loss = draw(st.sampled_from(PAIRS))
    n_rows = draw(st.integers(1, 40))
    solver = draw(st.sampled_from(SOLVERS))
    if loss == "log_loss":
        n_outputs = draw(st.integers(2, 4))
    else:
        n_outputs = draw(st.integers(1, 2 if loss == "poisson" else 3))
    return {
        "dtype": draw(st.sampled_from(["float64", "float32"])),
        "hidden": draw(st.lists(st.integers(1, 12), min_size=n_hidden, max_size=n_hidden)),
        "activations": draw(
            st.lists(st.sampled_from(HIDDEN), min_size=n_hidden, max_size=n_hidden)
        ),
        "output": output,
        "loss": loss,
        "quantile_level": draw(st.floats(0.05, 0.95)) if loss == "quantile" else None,
        "n_features": draw(st.integers(0 if n_category_columns else 1, 6)),  # dense ones
        "n_category_columns": n_category_columns,
        "n_category_rows": draw(st.integers(1, 5)) if n_category_columns else 0,
        "n_rows": n_rows,
        "n_outputs": n_outputs,
        "solver": solver,
        # Modest steps, for training that amplifies rounding errors only mildly:
        # η/(1 − μ) ≤ 0.05, 10 times less for the exponential's Poisson loss, whose
        # gradient grows with e^r and can send training off to where it is chaotic.
        "learning_rate": draw(st.sampled_from([0.001, 0.01, 0.05]))
        / (10 if solver in ("momentum", "nesterov") else 1)
        / (10 if loss == "poisson" else 1),
        "weights": draw(st.sampled_from([None, "positive", "some_zeros", "zero_batch"])),
        "batch_size": draw(st.integers(1, n_rows + 3)),
        "shuffle": draw(st.booleans()),
        "l2": draw(st.sampled_from([0.0, 1e-3, 0.1])),
        "layout": draw(st.sampled_from(["C", "F", "strided", "reversed"])),
        "epochs": draw(st.integers(2, 3)),
        "chunk_rows": draw(st.integers(1, n_rows + 2)),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def sample_weights(kind, rng, n, batch_size, first_order, dtype):
    """None, positive weights, some zero, or a first batch of zeros (and others positive)."""
    if kind is None:
        return None
    weights = rng.uniform(0.1, 2.0, n)
    if kind == "some_zeros" or (kind == "zero_batch" and batch_size >= n):
        weights[rng.uniform(size=n) < 0.4] = 0
        weights[rng.randint(n)] = rng.uniform(0.1, 2.0)  # a positive total
    elif kind == "zero_batch":
        order = np.arange(n) if first_order is None else first_order
        weights[order[:batch_size]] = 0  # the first epoch's first batch weighs nothing
    return weights.astype(dtype)


@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    # the kernel variant is set once around all examples, which is what is meant
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=training_cases())
def test_compiled_training_matches_numpy(kernel_variant, case):
    dtype = np.dtype(case["dtype"])
    rng = np.random.RandomState(case["seed"])
    n, batch_size, loss = case["n_rows"], case["batch_size"], case["loss"]
    n_dense, n_codes = case["n_features"], case["n_category_columns"]
    X = make_inputs(rng, n, n_dense, n_codes, case["n_category_rows"], dtype)
    Y = make_targets(loss, rng, n, case["n_outputs"], dtype)
    orders = [rng.permutation(n) if case["shuffle"] else None for _ in range(case["epochs"])]
    sw = sample_weights(case["weights"], rng, n, batch_size, orders[0], dtype)
    X, Y = laid_out(X, case["layout"]), laid_out(Y, case["layout"])
    if sw is not None:
        sw = laid_out(sw, case["layout"])
    (compiled, opt_c), (reference, opt_r) = make_pair(
        [n_dense + case["n_category_rows"], *case["hidden"], case["n_outputs"]],
        case["activations"],
        case["output"],
        dtype,
        case["seed"],
        case["solver"],
        case["learning_rate"],
        ADAM_EPSILON[dtype],
        n_codes,
    )
    kwargs = dict(
        batch_size=batch_size, loss=loss, l2=case["l2"], quantile_level=case["quantile_level"]
    )

    with np.errstate(all="ignore"):
        for epoch, order in enumerate(orders):
            got = run_epoch(compiled, opt_c, X, Y, sw, order=order, **kwargs)
            expected = run_epoch(reference, opt_r, X, Y, sw, order=order, **kwargs)
            assert got[1] == expected[1], f"updates in epoch {epoch}"
            assert_close(got[0], expected[0], dtype, f"mean loss of epoch {epoch}", LOSS_FLOOR)
            assert_close(got[2], expected[2], dtype, f"first loss of epoch {epoch}", LOSS_FLOOR)
            if epoch == 0 and case["weights"] == "zero_batch" and batch_size < n:
                assert got[1] == updates_per_epoch(n, batch_size) - 1  # that batch is skipped
    assert compiled.theta.dtype == dtype
    if not np.isfinite(reference.theta).all():  # diverged: then so has the compiled step
        assert not np.isfinite(compiled.theta).all()
        return
    assert_close(compiled.theta, reference.theta, dtype, "θ")
    assert_same_state(opt_c, opt_r, dtype)

    # a full batch and the chunked loss, at one θ: the compiled network's
    reference.theta[...] = compiled.theta
    level = case["quantile_level"]
    with np.errstate(all="ignore"):
        got = compiled.loss_and_gradient(X, Y, sw, loss, case["l2"], level)
        expected = reference.loss_and_gradient(X, Y, sw, loss, case["l2"], level)
        assert_close(got, expected, dtype, "full-batch loss", LOSS_FLOOR)
        assert_close(compiled.grad, reference.grad, dtype, "full-batch gradient", LOSS_FLOOR)
        chunk_rows = case["chunk_rows"]
        got = compiled.loss(X, Y, sw, loss, case["l2"], chunk_rows, level)
        expected = reference.loss(X, Y, sw, loss, case["l2"], chunk_rows, level)
        assert_close(got, expected, dtype, f"loss in chunks of {chunk_rows} rows", LOSS_FLOOR)


def test_the_compiled_step_knows_the_numpy_networks_names():
    # the compiled step's codes for activations and losses, and the numpy tables' names
    assert set(_step.ACTIVATIONS) == set(ACTIVATIONS)
    assert set(_step.LOSSES) == {*LOSSES, "quantile"}  # the pinball loss takes its level apart
    assert len(set(_step.ACTIVATIONS.values())) == len(ACTIVATIONS) - 1  # logistic is sigmoid
    assert len(set(_step.LOSSES.values())) == len(_step.LOSSES)


# ---------------------------------------------------------------------------
# edge cases: overflow, NaN, weightless epochs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_saturated_sigmoids_are_exactly_0_and_1_without_nan(dtype, solver):
    # |r| ~ 1e3: e^-r overflows for half the units, and σ is exactly 0 or 1
    rng = np.random.RandomState(0)
    X = (rng.choice([-30.0, 30.0], size=(12, 3))).astype(dtype)
    Y = rng.randint(2, size=(12, 2)).astype(dtype)
    pair = make_pair([3, 5, 3, 2], ["sigmoid", "tanh"], "logistic", dtype, 0, solver, 0.01)
    for network, _ in pair:  # tanh at ±1, and three of them make an output r of ±800 or more
        for W, scale in zip(network.W, (40.0, 40.0, 800.0)):
            W[...] = rng.choice([-scale, scale], size=W.shape)
    (compiled, opt_c), (reference, opt_r) = pair
    reference.theta[...] = compiled.theta
    with np.errstate(all="ignore"):
        outputs = feedforward(X, compiled.W, compiled.b, compiled.activations)
    assert (outputs[0] == 0).any() and (outputs[0] == 1).any()
    assert (outputs[-1] == 0).any() and (outputs[-1] == 1).any()

    with np.errstate(all="ignore"):
        got = compiled.loss_and_gradient(X, Y, None, "binary_log_loss", 0.01)
        expected = reference.loss_and_gradient(X, Y, None, "binary_log_loss", 0.01)
    assert np.isfinite(got) and np.isfinite(compiled.grad).all()
    assert_close(got, expected, dtype)
    assert_close(compiled.grad, reference.grad, dtype)

    with np.errstate(all="ignore"):
        for _ in range(2):
            order = rng.permutation(12)
            got = run_epoch(
                compiled, opt_c, X, Y, None, batch_size=5, loss="binary_log_loss", l2=0.01,
                order=order,
            )  # fmt: skip
            expected = run_epoch(
                reference, opt_r, X, Y, None, batch_size=5, loss="binary_log_loss", l2=0.01,
                order=order,
            )  # fmt: skip
            assert np.isfinite(got[0]) and np.isfinite(got[2])
            assert got[1] == expected[1] == 3
            assert_close(got[0], expected[0], dtype)
    assert np.isfinite(compiled.theta).all()
    assert_close(compiled.theta, reference.theta, dtype)
    assert_same_state(opt_c, opt_r, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_poisson_exp_underflow_keeps_a_finite_loss(dtype):
    # e^r underflows to 0: ŷ is clipped to the smallest normal number, and the
    # loss y log(y / ŷ) − y + ŷ and its gradient ŷ − y stay finite. (Targets ≤ 3,
    # as numpy's float32 y / ŷ overflows to inf beyond 4: the reference's limit.)
    rng = np.random.RandomState(1)
    X = rng.standard_normal((9, 2)).astype(dtype)
    Y = rng.randint(4, size=(9, 2)).astype(dtype)
    sw = rng.uniform(0.5, 2, 9).astype(dtype)
    (compiled, opt_c), (reference, opt_r) = make_pair([2, 3, 2], ["tanh"], "exp", dtype, 1)
    for network in (compiled, reference):
        network.b[-1][...] = -1000
    with np.errstate(all="ignore"):
        assert (feedforward(X, compiled.W, compiled.b, compiled.activations)[-1] == 0).all()
        got = compiled.loss_and_gradient(X, Y, sw, "poisson", 0.0)
        expected = reference.loss_and_gradient(X, Y, sw, "poisson", 0.0)
        assert np.isfinite(got) and np.isfinite(compiled.grad).all()
        assert_close(got, expected, dtype)
        assert_close(compiled.grad, reference.grad, dtype)
        assert_close(
            compiled.loss(X, Y, sw, "poisson", 0.0, 4), reference.loss(X, Y, sw, "poisson", 0.0, 4),
            dtype,
        )  # fmt: skip
        got = run_epoch(compiled, opt_c, X, Y, sw, batch_size=4, loss="poisson", l2=0.0)
        expected = run_epoch(reference, opt_r, X, Y, sw, batch_size=4, loss="poisson", l2=0.0)
    assert np.isfinite(got[0])
    assert_close(got[0], expected[0], dtype)
    assert_close(compiled.theta, reference.theta, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_poisson_exp_overflow_gives_the_same_non_finite_loss(dtype):
    # e^r overflows to inf: the half deviance is inf where y = 0 and inf − inf = NaN
    # where y > 0, in both engines, and never a finite number
    X = np.ones((4, 1), dtype)
    (compiled, _), (reference, _) = make_pair([1, 2, 1], ["identity"], "exp", dtype, 0)
    for network in (compiled, reference):
        network.b[-1][...] = 1000
    for y, expected_loss in [(0.0, np.inf), (2.0, np.nan)]:
        Y = np.full((4, 1), y, dtype)
        with np.errstate(all="ignore"):
            got = compiled.loss_and_gradient(X, Y, None, "poisson", 0.0)
            expected = reference.loss_and_gradient(X, Y, None, "poisson", 0.0)
            chunked = compiled.loss(X, Y, None, "poisson", 0.0, 3)
        np.testing.assert_array_equal([got, chunked], [expected_loss] * 2)
        np.testing.assert_array_equal(expected, expected_loss)
        assert not np.isfinite(compiled.grad).all()
        np.testing.assert_array_equal(np.isfinite(compiled.grad), np.isfinite(reference.grad))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "tanh", "identity"])
@pytest.mark.parametrize("output, loss", PAIRS)
def test_nan_in_theta_gives_a_nan_loss_in_both_engines(output, loss, hidden, dtype):
    rng = np.random.RandomState(2)
    X = rng.standard_normal((6, 3)).astype(dtype)
    n_outputs = 3 if loss == "log_loss" else 2
    Y = make_targets(loss, rng, 6, n_outputs, dtype)
    level = 0.3 if loss == "quantile" else None
    pair = make_pair([3, 4, n_outputs], [hidden], output, dtype, 2, "adam")
    for network, _ in pair:
        network.b[0][1] = np.nan  # one hidden unit's bias
    results = []
    with np.errstate(all="ignore"):
        for network, optimizer in pair:
            losses = [
                network.loss_and_gradient(X, Y, None, loss, 0.1, level),
                network.loss(X, Y, None, loss, 0.1, 4, level),
                *run_epoch(
                    network, optimizer, X, Y, None, batch_size=4, loss=loss, l2=0.1,
                    quantile_level=level,
                ),
            ]  # fmt: skip
            assert not np.isfinite(network.theta).all()
            results.append(losses)
    compiled, reference = results
    assert compiled[3] == reference[3] == 2  # updates: a NaN loss does not stop the epoch
    del compiled[3], reference[3]
    assert np.isnan(compiled).all(), compiled
    assert np.isnan(reference).all(), reference


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", SOLVERS)
def test_an_epoch_without_weight_makes_no_update(dtype, solver):
    rng = np.random.RandomState(3)
    X = rng.standard_normal((7, 2)).astype(dtype)
    Y = rng.standard_normal((7, 1)).astype(dtype)
    pair = make_pair([2, 3, 1], ["relu"], "identity", dtype, 3, solver, 0.05)
    theta = pair[0][0].theta.copy()
    for network, optimizer in pair:
        mean, n_updates, first = run_epoch(
            network, optimizer, X, Y, np.zeros(7, dtype), batch_size=3, loss="huber", l2=0.1,
            order=rng.permutation(7),
        )  # fmt: skip
        assert np.isnan(mean) and np.isnan(first) and n_updates == 0
        np.testing.assert_array_equal(network.theta, theta)
        assert getattr(optimizer, "t", 0) == 0


# ---------------------------------------------------------------------------
# 2. the compiled gradient against central finite differences


@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("hidden", [("sigmoid", "tanh"), ("relu", "identity")])
@pytest.mark.parametrize("weighted", [False, True])
def test_compiled_gradient_matches_central_differences(output, loss, hidden, weighted):
    rng = np.random.RandomState(4)
    n, n_outputs, l2, level = 8, 3, 0.2, (0.3 if loss == "quantile" else None)
    X = rng.standard_normal((n, 3))
    network = CompiledNetwork([3, 5, 4, n_outputs], hidden, output, np.float64)
    network.initialize(rng)
    if "relu" in hidden:  # every relu unit well inside its linear part or its flat part
        network.W[0][...] *= 0.2
        network.b[0][...] = rng.choice([-2.0, 2.0], size=network.b[0].shape)
    Y = make_targets(loss, rng, n, n_outputs, np.float64)
    if loss in ("absolute_error", "huber", "quantile"):
        # each target away from the kinks: |ŷ − y| in (0.3, 0.7) or (1.3, 2)
        y_hat = feedforward(X, network.W, network.b, network.activations)[-1]
        gap = rng.choice([0.5, 1.65], size=Y.shape) + rng.uniform(-0.2, 0.2, size=Y.shape)
        Y = y_hat + rng.choice([-1, 1], size=Y.shape) * gap
    sw = None
    if weighted:
        sw = rng.uniform(0.5, 2, n)
        sw[[1, 5]] = 0

    def objective():  # the compiled loss, chunked, with ½ l2 ‖W‖²
        return network.loss(X, Y, sw, loss, l2, 3, level)

    data_loss = network.loss_and_gradient(X, Y, sw, loss, l2, level)
    assert data_loss + 0.5 * l2 * penalty(network.W) == pytest.approx(objective(), rel=1e-12)
    analytic = network.grad.copy()
    theta = network.theta.copy()
    numeric = np.empty_like(theta)
    h = 1e-6
    for k in range(theta.size):
        network.theta[...] = theta
        network.theta[k] += h
        up = objective()
        network.theta[k] -= 2 * h
        numeric[k] = (up - objective()) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------
# 3. estimators: compiled fits are reproducible, and agree with numpy fits


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


FIT_CASES = [
    (solver, early_stopping)
    for solver in ("adam", "sgd", "lbfgs")
    for early_stopping in ((False, True) if solver != "lbfgs" else (False,))
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver, early_stopping", FIT_CASES)
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_compiled_fits_are_bit_identical(kind, solver, early_stopping, dtype):
    X, y = data(kind, dtype)
    fits = [make_estimator(kind, solver, early_stopping=early_stopping).fit(X, y) for _ in range(2)]
    first, second = fits
    assert first.coefs_[0].dtype == dtype
    for a, b in zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert first.n_iter_ == second.n_iter_ and len(first.loss_curve_) >= 2
    if early_stopping:
        np.testing.assert_array_equal(first.validation_scores_, second.validation_scores_)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    np.testing.assert_array_equal(predictions(first, X), predictions(second, X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_numpy_fit_agrees_with_the_compiled_fit(kind, solver, dtype, kernel_variant):
    X, y = data(kind, dtype)
    compiled = make_estimator(kind, solver, early_stopping=False).fit(X, y)
    reference = make_estimator(kind, solver, early_stopping=False, engine="numpy").fit(X, y)
    assert compiled.n_iter_ == reference.n_iter_
    assert_close(compiled.loss_curve_, reference.loss_curve_, dtype, "loss curve")
    weights = zip(compiled.coefs_ + compiled.intercepts_, reference.coefs_ + reference.intercepts_)
    for a, b in weights:
        assert_close(a, b, dtype, "weights")
    assert_close(predictions(compiled, X), predictions(reference, X), dtype, "predictions")


# ---------------------------------------------------------------------------
# 4. dense data trains compiled, sparse data with numpy


@pytest.fixture
def compiled_calls(monkeypatch):
    """Counts of the calls into the compiled engine, by method."""
    calls = {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}
    for name in calls:
        original = getattr(CompiledEngine, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(CompiledEngine, name, spy)
    return calls


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_dense_data_trains_compiled_and_sparse_data_with_numpy(kind, dtype, compiled_calls):
    X, y = data(kind, dtype)
    X[np.abs(X) < 0.5] = 0  # some zeros, for a sparse matrix to leave out
    dense = make_estimator(kind, "adam", early_stopping=False).fit(X, y)
    assert compiled_calls == {"run_epoch": dense.n_iter_, "loss": 1, "loss_and_gradient": 0}
    assert dense.n_iter_ == 6

    compiled_calls.update(run_epoch=0, loss=0)
    sparse_fit = make_estimator(kind, "adam", early_stopping=False).fit(sparse.csr_matrix(X), y)
    assert compiled_calls == {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}
    assert sparse_fit.coefs_[0].dtype == dtype
    assert_close(sparse_fit.loss_curve_, dense.loss_curve_, dtype, "loss curve")
    assert_close(predictions(sparse_fit, X), predictions(dense, X), dtype, "predictions")

    lbfgs = make_estimator(kind, "lbfgs").fit(X, y)
    assert compiled_calls["loss_and_gradient"] > lbfgs.n_iter_ > 0
    compiled_calls["loss_and_gradient"] = 0
    lbfgs_sparse = make_estimator(kind, "lbfgs").fit(sparse.csr_matrix(X), y)
    assert compiled_calls["loss_and_gradient"] == 0
    assert lbfgs_sparse.n_iter_ == lbfgs.n_iter_
    assert_close(predictions(lbfgs_sparse, X), predictions(lbfgs, X), dtype, "lbfgs")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_numpy_engine_never_calls_the_compiled_step(compiled_calls):
    X, y = regression_data(np.float64)
    for solver in ("adam", "lbfgs"):
        make_estimator("regressor", solver, engine="numpy").fit(X, y)
    assert compiled_calls == {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}


def test_an_optimizer_the_compiled_step_does_not_know_trains_with_numpy(compiled_calls):
    class Custom(SGD):  # an SGD that the compiled step must not take for its own
        pass

    rng = np.random.RandomState(10)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    pair = make_pair([3, 4, 1], ["tanh"], "identity", np.float64, 10, "nesterov", 0.005)
    custom, known = pair[1][0], pair[0][0]
    optimizer = Custom(custom.theta.size, np.float64, 0.005, 0.9, True)
    objective = Objective("squared_error", 0.01)
    engine = make_engine(custom, X, objective, optimizer)
    assert isinstance(engine, NumpyEngine)
    engine.run_epoch(X, Y, None, 6)
    assert compiled_calls["run_epoch"] == 0
    make_engine(known, X, objective, pair[0][1]).run_epoch(X, Y, None, 6)
    assert compiled_calls["run_epoch"] == 1
    assert_close(custom.theta, known.theta, np.float64)


# ---------------------------------------------------------------------------
# 5. the caller's arrays are left as they were


def _frozen(*arrays):
    """Copies, to compare with after a call."""
    return [None if A is None else A.copy() for A in arrays]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_fit_leaves_the_callers_arrays_unchanged(layout, early_stopping, dtype):
    X, y = regression_data(dtype)
    X = laid_out(X, layout)
    y = laid_out(y.astype(dtype), layout)
    sw = laid_out(np.random.RandomState(5).uniform(0.5, 2, y.shape[0]).astype(dtype), layout)
    before = _frozen(X, y, sw)
    flags = [(A.flags.c_contiguous, A.flags.f_contiguous) for A in (X, y, sw)]
    make_estimator("regressor", "sgd", early_stopping=early_stopping).fit(X, y, sw)
    for A, copy in zip((X, y, sw), before):
        np.testing.assert_array_equal(A, copy)
    assert [(A.flags.c_contiguous, A.flags.f_contiguous) for A in (X, y, sw)] == flags
    if layout == "strided":  # nor the memory around a view
        for A in (X, y, sw):
            assert np.isnan(A.base).sum() == A.base.size - A.size


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
def test_the_compiled_step_only_reads_its_inputs(layout, dtype):
    rng = np.random.RandomState(6)
    X = laid_out(rng.standard_normal((11, 3)).astype(dtype), layout)
    Y = laid_out(np.eye(3, dtype=dtype)[rng.randint(3, size=11)], layout)
    sw = laid_out(rng.uniform(0.5, 2, 11).astype(dtype), layout)
    order = rng.permutation(11)
    arrays = (X, Y, sw, order)
    before = _frozen(*arrays)
    for A in arrays:  # read-only: the compiled step takes them as they are
        A.setflags(write=False)
    (network, optimizer), _ = make_pair([3, 4, 3], ["tanh"], "softmax", dtype, 6, "adam")
    for order_ in (order, None):
        run_epoch(network, optimizer, X, Y, sw, batch_size=4, loss="log_loss", l2=0.1, order=order_)
    network.loss_and_gradient(X, Y, sw, "log_loss", 0.1)
    network.loss(X, Y, sw, "log_loss", 0.1, 5)
    for A, copy in zip(arrays, before):
        np.testing.assert_array_equal(A, copy)


# ---------------------------------------------------------------------------
# 6. two networks trained in two threads at once, as one after the other


N_THREAD_ROWS = 5000


def thread_jobs():
    """Two different training runs: (network, optimizer, X, Y, sample_weight, settings)."""
    rng = np.random.RandomState(7)
    X = rng.standard_normal((N_THREAD_ROWS, 32))
    jobs = []
    network = CompiledNetwork([32, 96, 48, 3], ["tanh", "relu"], "softmax", np.float64)
    network.initialize(np.random.RandomState(8))
    Y = np.eye(3)[rng.randint(3, size=N_THREAD_ROWS)]
    jobs.append(
        (network, Adam(network.theta.size, np.float64, 0.01), X, Y, None,
         dict(batch_size=32, loss="log_loss", l2=1e-4))
    )  # fmt: skip
    network = CompiledNetwork([32, 128, 2], ["sigmoid"], "identity", np.float32)
    network.initialize(np.random.RandomState(9))
    X32 = np.asfortranarray(X, dtype=np.float32)
    Y = rng.standard_normal((N_THREAD_ROWS, 2)).astype(np.float32)
    sw = rng.uniform(0.5, 2, N_THREAD_ROWS).astype(np.float32)
    jobs.append(
        (network, SGD(network.theta.size, np.float32, 0.01, 0.9, True), X32, Y, sw,
         dict(batch_size=20, loss="huber", l2=1e-3))
    )  # fmt: skip
    return jobs


def train(job, orders, barrier=None):
    network, optimizer, X, Y, sw, kwargs = job
    if barrier is not None:
        barrier.wait()
    for order in orders:
        run_epoch(network, optimizer, X, Y, sw, order=order, **kwargs)


def test_threads_train_as_one_after_the_other():
    orders = [np.random.RandomState(epoch).permutation(N_THREAD_ROWS) for epoch in range(12)]
    serial = thread_jobs()
    for job in serial:
        train(job, orders)
    for _ in range(3):
        jobs = thread_jobs()
        barrier = threading.Barrier(len(jobs))
        errors = []

        def target(job):
            try:
                train(job, orders, barrier)
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)

        threads = [threading.Thread(target=target, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        for job, serial_job in zip(jobs, serial):
            np.testing.assert_array_equal(job[0].theta, serial_job[0].theta)
            for key, value in serial_job[1].state.items():
                np.testing.assert_array_equal(job[1].state[key], value)


def test_no_warnings_from_a_compiled_epoch_that_overflows():
    # the compiled step computes σ = 0 from e^-r = inf quietly, as numpy under errstate
    X = np.full((3, 1), 1000.0)
    (network, optimizer), _ = make_pair([1, 2, 1], ["sigmoid"], "identity", np.float64, 0)
    network.W[0][...] = -5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            loss, n_updates, _ = run_epoch(
                network, optimizer, X, np.ones((3, 1)), None, batch_size=2,
                loss="squared_error", l2=0.0,
            )  # fmt: skip
    assert np.isfinite(loss) and n_updates == 2


# ---------------------------------------------------------------------------
# prediction: each layer's biases and activation in one compiled pass


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "hidden, output",
    [
        (["sigmoid", "tanh"], "identity"),
        (["relu", "identity"], "exp"),
        (["logistic"], "logistic"),
        (["tanh", "relu"], "softmax"),
    ],
)
def test_prediction_matches_the_numpy_forward_pass(hidden, output, dtype):
    rng = np.random.RandomState(0)
    network = Network([6, *[5] * len(hidden), 3], hidden, output, dtype)
    network.initialize(rng)
    # large inputs saturate the sigmoids and tanh, and overflow e^r to inf
    X = (rng.normal(size=(40, 6)) * np.array([1, 1, 1, 10, 100, 1000])).astype(dtype)
    sizes = [(W.shape[1]) for W in network.W]
    reference = [np.empty((40, size), dtype) for size in sizes]
    with np.errstate(over="ignore", invalid="ignore"):
        _network._feedforward(X, network.W, network.b, network.activations, reference)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = feedforward(X, network.W, network.b, network.activations)
    scale = np.finfo(dtype).eps * 8
    for got, expected in zip(compiled, reference):
        finite = np.isfinite(expected)
        np.testing.assert_array_equal(np.isfinite(got), finite)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=scale, atol=scale)
    # X of the other dtype, or sparse, gives the same outputs (inputs of unit
    # scale: e^r multiplies the float32 rounding of large r)
    X = X[:, :3].repeat(2, axis=1)
    outputs = feedforward(X, network.W, network.b, network.activations)[-1]
    other_dtype = np.float64 if dtype == np.float32 else np.float32
    for other in (X.astype(other_dtype), sparse.csr_matrix(X)):
        got = feedforward(other, network.W, network.b, network.activations)[-1]
        np.testing.assert_allclose(got, outputs, rtol=1e-5, atol=1e-6)


def test_a_layer_given_biases_of_another_size_is_refused():
    with pytest.raises(ValueError, match="3 biases for a layer of 4 units"):
        _step.activate_layer("sigmoid", np.zeros((2, 4)), np.zeros(3))


# ---------------------------------------------------------------------------
# category columns: the row lookup is the one-hot product, and bad codes are refused


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
        assert train_lbfgs(network, X_, Y, None, settings, Progress()).n_iter == 5
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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [None, "a weightless block"])
def test_a_full_batch_runs_in_blocks_with_the_gradient_of_all_rows(weights, dtype):
    # blocks of a few hundred rows for this width (block_rows), and rows for several
    (compiled, _), (reference, _) = make_pair([4, 300, 2], ["tanh"], "identity", dtype, 17)
    n = 5 * block_rows(compiled) + 7
    rng = np.random.RandomState(17)
    X, Y = rng.standard_normal((n, 4)).astype(dtype), rng.standard_normal((n, 2)).astype(dtype)
    sw = None if weights is None else rng.uniform(0.5, 2, n).astype(dtype)
    if weights == "a weightless block":
        sw[block_rows(compiled) : 2 * block_rows(compiled) + 3] = 0
    with np.errstate(all="ignore"):
        got = compiled.loss_and_gradient(X, Y, sw, "huber", 0.1)
        expected = reference.loss_and_gradient(X, Y, sw, "huber", 0.1)
    assert_close(got, expected, dtype, "loss", LOSS_FLOOR)
    assert_close(compiled.grad, reference.grad, dtype, "gradient", LOSS_FLOOR)


@pytest.mark.parametrize("n_codes, width", [(0, 4), (0, 6), (2, 9), (2, 1)])
def test_the_compiled_step_refuses_x_of_another_width(n_codes, width):
    # W[0] has 5 rows: 5 dense columns, or up to 5 dense ones and 2 columns of codes
    network = Network([5, 3, 1], ["tanh"], "identity", np.float64, n_codes)
    with pytest.raises(ValueError, match="do not fit a first layer of 5 inputs"):
        CompiledEngine(network, width, Objective("squared_error"))
    engine = CompiledEngine(network, 5 + n_codes - (n_codes > 0), Objective("squared_error"))
    X, Y = np.zeros((4, width)), np.zeros((4, 1))
    with pytest.raises(ValueError, match="do not fit the network"):
        engine.loss_and_gradient(X, Y, None)


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
