"""The compiled training step (``_step.pyx``) against its numpy reference.

``NumpyEngine`` runs the numpy code of ``_network.py``, ``_epoch.py`` and
``_optimizers.py``, ``CompiledEngine`` the compiled step; the two must give the
same θ, optimiser state, losses and gradients, with every kernel variant that
this CPU runs. Not bit for bit: its e^x is a polynomial (a few ulp), its
tanh is 2σ(2r) − 1 and its sums run in other orders, so the engines agree to
rounding, which is what the tolerances of ``compiled_helpers`` allow, relative
to the scale of the values compared.

Here, call by call: random networks, data and settings (a property test), the
edge cases (overflow, NaN, weightless epochs), the compiled gradient against
central differences, inputs only read, two networks trained in two threads
at once, and the compiled forward pass of prediction. The estimators' fits are
in ``test_compiled_fits.py``, the choice of engine in ``test_engines.py``,
category columns in ``test_category_columns.py``.
"""

import threading
import warnings

import numpy as np
import pytest
from compiled_helpers import (
    ADAM_EPSILON,
    LOSS_FLOOR,
    CompiledNetwork,
    _frozen,
    assert_close,
    laid_out,
    make_inputs,
    make_pair,
    make_targets,
    run_epoch,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from sklearn_sigmoidnet import _network, _step
from sklearn_sigmoidnet._activations import ACTIVATIONS
from sklearn_sigmoidnet._epoch import updates_per_epoch
from sklearn_sigmoidnet._losses import LOSSES
from sklearn_sigmoidnet._network import Network, feedforward, penalty
from sklearn_sigmoidnet._optimizers import SGD, Adam

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
