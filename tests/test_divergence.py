"""Divergence is never silent, with any solver, and training goes on well after it."""

import math
import warnings

import numpy as np
import pytest
import scipy.optimize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._fit_input import FitData
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import SGD
from sklearn_sigmoidnet._run import Progress
from sklearn_sigmoidnet._settings import Settings
from sklearn_sigmoidnet._training import train_lbfgs, train_stochastic

X, y = make_regression(n_samples=300, n_features=5, noise=5, random_state=0)
y_scaled = y / y.std()


def _quietly(estimator, method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(estimator, method)(*args, **kwargs)


def test_a_finite_explosion_in_a_first_fit_is_an_error():
    # the loss climbs by orders of magnitude while staying finite
    net = SigmoidNetRegressor((32,), solver="sgd", learning_rate=10.0, epochs=20, random_state=0)
    with pytest.raises(ValueError, match="diverged .* learning_rate=10 may be too large"):
        net.fit(X, y_scaled)
    with pytest.raises(NotFittedError):
        net.predict(X)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_divergence_after_progress_keeps_the_best_weights_and_resets_the_optimiser(solver, method):
    net = SigmoidNetRegressor((16,), solver=solver, learning_rate=1e-3, random_state=0)
    for _ in range(3):
        net.partial_fit(X, y_scaled)
    weights, curve, loss = [W.copy() for W in net.coefs_], list(net.loss_curve_), net.loss_
    net.set_params(learning_rate=1e3, warm_start=True, epochs=20)
    with pytest.warns(ConvergenceWarning, match="Training diverged: the training loss"):
        net.fit(X, y_scaled) if method == "warm_start" else net.partial_fit(X, y_scaled)
    # the exploding epochs are on record; the weights and loss_ are where the call started
    assert net.loss_curve_[:3] == curve and max(net.loss_curve_[3:]) > 10 * loss
    assert net.loss_ == loss
    for W, W_before in zip(net.coefs_, weights):
        np.testing.assert_array_equal(W, W_before)
    assert net._optimizer_state is None
    # a sane learning rate trains on from the kept weights, with a fresh optimiser
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            net.set_params(learning_rate=1e-3).partial_fit(X, y_scaled)
    assert net.loss_curve_[-1] < loss


def test_non_finite_weights_end_the_run_at_once():
    net = SigmoidNetRegressor((16,), solver="sgd", learning_rate=1e-3, random_state=0)
    _quietly(net.set_params(epochs=3), "fit", X, y_scaled)
    curve = list(net.loss_curve_)
    with pytest.warns(ConvergenceWarning, match="Training diverged: the training loss is nan"):
        net.set_params(learning_rate=1e200, warm_start=True).fit(X, y_scaled)
    assert net.loss_curve_ == curve and net.n_iter_ == 0


class _ExplodingSGD(SGD):
    """Plain gradient steps that blow θ up from a given epoch on (counted in steps)."""

    def __init__(self, n_params, dtype, explode_after):
        super().__init__(n_params, dtype, learning_rate=0.1, momentum=0)
        self.steps_left = explode_after

    def step(self, theta, grad):
        self.steps_left -= 1
        if self.steps_left < 0:
            theta *= 1e3
        else:
            super().step(theta, grad)


def test_the_run_returns_to_the_best_epoch_of_its_own():
    network = Network([5, 4, 1], ["sigmoid"], "identity", np.float64)
    network.initialize(np.random.RandomState(0))
    optimizer = _ExplodingSGD(network.theta.size, np.float64, explode_after=3 * 6)  # 3 epochs
    settings = Settings(
        loss="squared_error", alpha=0.0, epochs=10, batch_size=50, learning_rate=0.1,
        schedule="constant", power_t=0.5, shuffle=False, tol=1e-4, n_iter_no_change=10,
        stopping_rule=True,
    )  # fmt: skip
    snapshots = []
    Y = y_scaled.reshape(-1, 1)

    class Snapshots:
        def begin(self, epoch):
            return epoch

        def end(self, task, network):
            if network is not None:
                snapshots.append(network.theta.copy())
            return False

    result = train_stochastic(
        network, optimizer, FitData(X, None, X, Y, None), settings, Progress(),
        np.random.RandomState(0),
        hooks=Snapshots(),
    )  # fmt: skip
    assert result.outcome == "diverged"
    assert result.progress.optimizer_state is None
    losses = result.progress.history["train_loss"]
    assert len(losses) == len(snapshots) >= 3
    best = int(np.argmin(losses))
    assert best == 2  # the last epoch before the explosion
    np.testing.assert_array_equal(network.theta, snapshots[best])
    assert result.progress.loss == losses[best]


def test_lbfgs_refuses_a_starting_loss_that_is_not_finite():
    big = np.finfo(np.float32).max / 2
    X_big = (np.random.RandomState(0).uniform(size=(50, 3)) * big).astype(np.float32)
    # unscaled: the network itself sees X at the largest float32
    net = SigmoidNetRegressor((8,), activation="relu", solver="lbfgs", normalize_X=False)
    with pytest.raises(ValueError, match="not finite.*X holds values as large as"):
        net.fit(X_big, np.arange(50.0))
    with pytest.raises(NotFittedError):
        net.predict(X_big)


def test_lbfgs_continued_from_a_starting_loss_that_is_not_finite_keeps_the_fit():
    net = _quietly(SigmoidNetRegressor((8,), activation="relu", solver="lbfgs"), "fit", X, y)
    weights, loss = [W.copy() for W in net.coefs_ + net.intercepts_], net.loss_
    with pytest.warns(ConvergenceWarning, match="starting weights is not finite"):
        net.set_params(warm_start=True).fit(X * 1e300, y)
    assert net.loss_ == loss
    for W, W_before in zip(net.coefs_ + net.intercepts_, weights):
        np.testing.assert_array_equal(W, W_before)


def test_lbfgs_steps_back_from_a_non_finite_loss(monkeypatch):
    # Poisson's exp output overflows on the first line search's long step
    rng = np.random.RandomState(0)
    X_pois = rng.normal(size=(200, 3)) * 100
    counts = rng.poisson(np.exp(0.02 * X_pois[:, 0] + 3))
    seen = []
    minimize = scipy.optimize.minimize

    def spying_minimize(objective, x0, **kwargs):
        def spied(x):
            value, grad = objective(x)
            seen.append(value)
            return value, grad

        return minimize(spied, x0, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", spying_minimize)
    net = SigmoidNetRegressor(
        (8,), activation="relu", loss="poisson", solver="lbfgs", normalize_X=False
    )
    _quietly(net.set_params(random_state=0, epochs=50), "fit", X_pois, counts)
    assert math.inf in seen
    assert np.isfinite(net.loss_curve_).all() and math.isfinite(net.loss_)
    assert np.isfinite(net.predict(X_pois)).all()


def _lbfgs_nan_step_problem():
    # a gradient near 1e300 whose squared norm overflows: scipy's first step is NaN
    rng = np.random.default_rng(0)
    X_huge, labels = rng.standard_normal((30, 9)) * 1e300, rng.integers(0, 2, 30)
    # unscaled: the network itself sees X at 1e300
    net = SigmoidNetClassifier(
        (4,), activation="identity", solver="lbfgs", epochs=2, alpha=1e6, random_state=0,
        normalize_X=False,
    )  # fmt: skip
    return net, X_huge, labels


def test_x_at_1e300_is_scaled_into_a_usable_model():
    # the same problem with the input scaling on: finite weights and probabilities
    net, X_huge, labels = _lbfgs_nan_step_problem()
    _quietly(net.set_params(normalize_X=True), "fit", X_huge, labels)
    assert all(np.isfinite(W).all() for W in net.coefs_ + net.intercepts_)
    assert math.isfinite(net.loss_)
    assert np.isfinite(net.predict_proba(X_huge)).all()


def test_lbfgs_that_diverges_before_it_improves_is_an_error():
    net, X_huge, labels = _lbfgs_nan_step_problem()
    with pytest.raises(ValueError, match=r"diverged before it improved.*X holds values as large"):
        net.fit(X_huge, labels)
    with pytest.raises(NotFittedError):
        net.predict(X_huge)


def test_lbfgs_that_diverges_in_a_warm_start_keeps_the_weights_and_warns():
    net, X_huge, labels = _lbfgs_nan_step_problem()
    _quietly(net.set_params(epochs=5), "fit", X_huge / 1e300, labels)
    weights, curve = [W.copy() for W in net.coefs_ + net.intercepts_], list(net.loss_curve_)
    net.set_params(warm_start=True)
    with pytest.warns(ConvergenceWarning, match="Training diverged: .*X holds values as large"):
        net.fit(X_huge, labels)
    for W, W_before in zip(net.coefs_ + net.intercepts_, weights):
        np.testing.assert_array_equal(W, W_before)
    assert net.loss_curve_ == curve and net.n_iter_ == 0 and math.isfinite(net.loss_)
    assert np.isfinite(net.predict_proba(X_huge / 1e300)).all()


@pytest.mark.parametrize("where", ["iterate", "result"])
def test_lbfgs_keeps_no_weights_that_overflow_the_network_dtype(monkeypatch, where):
    # iterates finite in scipy's float64 and infinite in the network's float32
    network = Network([5, 4, 1], ["sigmoid"], "identity", np.float32)
    network.initialize(np.random.RandomState(0))
    accepted = []  # the iterates that scipy reports, before any overflow
    minimize = scipy.optimize.minimize

    def overflowing_minimize(objective, x0, callback, **kwargs):
        def tampered(intermediate_result):
            if where == "iterate" and accepted:
                intermediate_result.x = np.full_like(x0, 1e39)
            else:
                accepted.append(intermediate_result.x.copy())
            callback(intermediate_result)

        found = minimize(objective, x0, callback=tampered, **kwargs)
        found.x = np.full_like(x0, 1e39)
        return found

    monkeypatch.setattr(scipy.optimize, "minimize", overflowing_minimize)
    settings = Settings(
        loss="squared_error", alpha=0.0, epochs=3, batch_size=300, learning_rate=0.0,
        schedule="constant", power_t=0.5, shuffle=False, tol=0.0, n_iter_no_change=10,
        stopping_rule=True,
    )  # fmt: skip
    X32, Y32 = X.astype(np.float32), y_scaled.reshape(-1, 1).astype(np.float32)
    result = train_lbfgs(network, FitData(X32, None, X32, Y32, None), settings, Progress())
    assert result.outcome == "diverged" and "not finite in float32" in result.message
    assert result.n_iter == len(accepted) == (1 if where == "iterate" else 3)
    # the lowest-loss iterate: L-BFGS's last accepted one
    np.testing.assert_array_equal(network.theta, accepted[-1].astype(np.float32))
    assert result.progress.loss == result.progress.history["train_loss"][-1]


def test_no_progress_at_all_is_reported():
    # X at 1e150 through ReLU units: Adam's steps cannot move the loss
    net = SigmoidNetRegressor((32,), activation="relu", random_state=0, normalize_X=False)
    with pytest.warns(ConvergenceWarning, match="did not lower the loss.*X holds values"):
        net.fit(X * 1e150, y_scaled)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_weights_that_sum_to_zero_are_a_clear_error(solver):
    labels = np.arange(300) % 3
    net = SigmoidNetClassifier((4,), solver=solver, class_weight={0: 0, 1: 0, 2: 0})
    with pytest.raises(ValueError, match="samples' class weights sum to 0"):
        net.fit(X, labels)
    with pytest.raises(ValueError, match="sample weights sum to .*e-3"):
        SigmoidNetRegressor(solver=solver).fit(X, y, sample_weight=np.full(300, 5e-324))


def test_weights_that_the_cast_to_float32_makes_zeros_are_told_apart():
    X32, tiny = X.astype(np.float32), np.full(300, 1e-300)  # float64 keeps them
    cast = "As given they sum to 3e-298: the cast to float32, X's dtype, made 300 of them 0"
    with pytest.raises(ValueError, match=f"sample weights sum to 0: .*{cast}"):
        SigmoidNetRegressor().fit(X32, y, sample_weight=tiny)
    with pytest.raises(ValueError, match=f"validation sample weights sum to 0: .*{cast}"):
        SigmoidNetRegressor().fit(X32, y, X_val=X32, y_val=y, sample_weight_val=tiny)
    with pytest.raises(ValueError, match="made them this small"):  # float32 subnormals
        SigmoidNetRegressor().fit(X32, y, sample_weight=np.full(300, 1e-42))
    with pytest.raises(ValueError, match="too large for dtype"):
        SigmoidNetRegressor().fit(X32, y, sample_weight=np.full(300, 1e300))
    for zeros in (np.zeros(300), np.full(300, 5e-324)):  # too small as given: no cast to blame
        with pytest.raises(ValueError) as raised:
            SigmoidNetRegressor().fit(X32, y, sample_weight=zeros)
        assert "cast" not in str(raised.value)


def test_a_validation_split_without_weight_is_a_clear_error():
    weights = np.zeros(300)
    weights[0] = 1.0  # the one weighted sample lands on one side of the split
    net = SigmoidNetRegressor((4,), early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="split sum to 0"):
        net.fit(X, y_scaled, sample_weight=weights)


def test_non_finite_predictions_warn():
    counts = np.random.RandomState(0).poisson(3, size=300)
    net = _quietly(
        SigmoidNetRegressor((4,), activation="relu", loss="poisson", epochs=5, random_state=0),
        "fit",
        X,
        counts,
    )
    with pytest.warns(RuntimeWarning, match="not finite"):
        assert not np.isfinite(net.predict(X * 1e300)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.predict(X)
    regressor = _quietly(
        SigmoidNetRegressor((4, 4), activation="relu", epochs=5, random_state=0), "fit", X, y
    )
    with pytest.warns(RuntimeWarning, match="not finite"):
        regressor.predict(np.full((1, 5), np.finfo(np.float64).max))


def test_new_data_that_starts_higher_is_no_divergence():
    # fine-tuning on other targets: the first epoch starts far above the first fit's loss
    net = _quietly(SigmoidNetRegressor((8,), random_state=0), "fit", X, y_scaled)
    shifted = y_scaled * 5 + 20
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for _ in range(30):
            net.partial_fit(X, shifted)
    assert np.abs(net.predict(X) - shifted).mean() < np.abs(shifted - y_scaled).mean() / 2


SCALES = [1e-300, 1e-30, 1.0, 1e30, 1e150, 1e300]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    loss=st.sampled_from(["classifier", "squared_error", "absolute_error", "huber", "poisson"]),
    solver=st.sampled_from(["sgd", "adam", "lbfgs"]),
    dtype=st.sampled_from([np.float64, np.float32]),
    activation=st.sampled_from(["sigmoid", "relu", "identity"]),
    alpha=st.sampled_from([0.0, 1e-4, 1e6]),
    x_scale=st.sampled_from(SCALES),
    y_scale=st.sampled_from(SCALES),
    weight_scale=st.sampled_from([None, *SCALES]),
    seed=st.integers(0, 2**16),
)
def test_a_fit_at_any_scale_keeps_finite_weights_or_raises(
    loss, solver, dtype, activation, alpha, x_scale, y_scale, weight_scale, seed
):
    rng = np.random.RandomState(seed)
    X_fit = (rng.standard_normal((20, 3)) * x_scale).astype(dtype)
    params = dict(activation=activation, solver=solver, alpha=alpha, epochs=3, random_state=0)
    if loss == "classifier":
        net, target = SigmoidNetClassifier((3,), **params), rng.randint(0, 2, 20)
    else:
        net, target = SigmoidNetRegressor((3,), loss=loss, **params), rng.standard_normal(20)
        target = np.abs(target) * y_scale if loss == "poisson" else target * y_scale
    weights = None if weight_scale is None else rng.uniform(0.1, 1, 20) * weight_scale
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            net.fit(X_fit, target, sample_weight=weights)
        except ValueError:
            return
    assert all(np.isfinite(W).all() for W in net.coefs_ + net.intercepts_)
    assert math.isfinite(net.loss_)
    outputs = net.predict_proba(X_fit) if loss == "classifier" else net.predict(X_fit)
    # a fit that reported success predicts finite values on its own training data
    if not any(issubclass(w.category, ConvergenceWarning) for w in caught):
        assert np.isfinite(outputs).all()


@pytest.mark.parametrize("engine", ["auto", "numpy"])
def test_the_weights_an_epoch_ends_with_are_evaluated_before_they_are_kept(engine):
    # one full-batch step that sends deep ReLU weights far out, finite: the epoch's
    # loss is that of the weights before the step, and the penalty (alpha=0) does not
    # see them; the weights after it predict inf. They must not be committed.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    y = X[:, 0] + 0.1 * rng.standard_normal(40)
    net = SigmoidNetRegressor(
        (8, 8, 8), activation="relu", solver="sgd", momentum=0.0, learning_rate=1e100,
        batch_size=40, epochs=1, early_stopping=False, alpha=0.0, random_state=0, engine=engine,
    )  # fmt: skip
    with pytest.raises(ValueError, match="the loss of the weights it ended with is not finite"):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")
    # a continuing fit keeps the weights it started from, which predict finite values
    net.set_params(learning_rate=1e-3).fit(X, y)
    before = [W.copy() for W in net.coefs_]
    with pytest.warns(ConvergenceWarning, match="not finite"):
        net.set_params(learning_rate=1e100).partial_fit(X, y)
    for W, W_before in zip(net.coefs_, before):
        np.testing.assert_array_equal(W, W_before)
    assert np.isfinite(net.predict(X)).all()
