"""The regressor trains on standardised targets and folds the scaling into its output layer."""

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sigmoidnet import SigmoidNetRegressor

X, y_unit = make_regression(n_samples=300, n_features=4, noise=5, random_state=0)
y_unit = (y_unit - y_unit.mean()) / y_unit.std()
y = 5_000 + 800 * y_unit  # a price: thousands, with a spread of hundreds
PARAMS = dict(hidden_layer_sizes=(6,), epochs=20, early_stopping=False, random_state=0)


def _fit(net, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(*args, **kwargs)


def test_training_on_raw_targets_is_training_on_standardised_ones():
    # the same training, on y and on (y − m) / s: the weights differ by the fold only
    raw = _fit(SigmoidNetRegressor(**PARAMS), X, y)
    shift, scale = y.mean(), y.std()
    unit = _fit(SigmoidNetRegressor(normalize_y=False, **PARAMS), X, (y - shift) / scale)
    np.testing.assert_allclose(raw.predict(X), unit.predict(X) * scale + shift, rtol=1e-10)
    np.testing.assert_allclose(raw.coefs_[0], unit.coefs_[0], rtol=1e-10)
    np.testing.assert_allclose(raw.coefs_[-1], unit.coefs_[-1] * scale, rtol=1e-10)
    # the losses are those of training, in the standardised units
    np.testing.assert_allclose(raw.loss_curve_, unit.loss_curve_, rtol=1e-10)


def test_the_fitted_layer_is_the_curve_in_the_targets_units():
    net = _fit(SigmoidNetRegressor(**PARAMS), X, y)
    a = expit(X @ net.coefs_[0] + net.intercepts_[0])
    y_hat = net.intercepts_[-1] + a @ net.coefs_[-1]  # ŷ = b + cᵀa
    np.testing.assert_allclose(net.predict(X), y_hat.ravel(), rtol=1e-12)
    np.testing.assert_allclose(
        net.intercepts_[-1] + net.decompose(X).sum(axis=1), net.predict(X), rtol=1e-12
    )
    assert abs(net.intercepts_[-1][0]) > 1_000  # the constant b carries y's level
    assert net.score(X, y) > 0.9


def test_without_scaling_raw_targets_train_poorly():
    scaled = _fit(SigmoidNetRegressor(**PARAMS), X, y).score(X, y)
    raw = _fit(SigmoidNetRegressor(normalize_y=False, **PARAMS), X, y).score(X, y)
    assert scaled > 0.9 > raw


@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_continuing_keeps_the_first_fits_scaling(method):
    params = {**PARAMS, "shuffle": False, "tol": 0.0}
    at_once = _fit(SigmoidNetRegressor(**{**params, "epochs": 6}), X, y)
    if method == "warm_start":
        net = _fit(SigmoidNetRegressor(**{**params, "epochs": 2, "warm_start": True}), X, y)
        shift, scale = net._target_encoding.shift.copy(), net._target_encoding.scale.copy()
        _fit(net.set_params(epochs=4), X, y + 1_000)  # the scaling of the first fit stays
    else:
        net = SigmoidNetRegressor(**params)
        for _ in range(2):
            net.partial_fit(X, y)
        shift, scale = net._target_encoding.shift.copy(), net._target_encoding.scale.copy()
        net.partial_fit(X[:50], y[:50] * 3)
    np.testing.assert_array_equal(net._target_encoding.shift, shift)
    np.testing.assert_array_equal(net._target_encoding.scale, scale)
    # continuing on the same data is one long fit, up to rounding the fold
    same = SigmoidNetRegressor(**{**params, "epochs": 2, "warm_start": True})
    _fit(same, X, y)
    _fit(same.set_params(epochs=4), X, y)
    np.testing.assert_allclose(same.predict(X), at_once.predict(X), rtol=1e-9)
    np.testing.assert_allclose(same.loss_curve_, at_once.loss_curve_, rtol=1e-9)


def test_weighted_statistics_are_those_of_repeated_samples():
    weights = np.random.RandomState(0).randint(0, 4, size=len(y))
    params = dict(hidden_layer_sizes=(4,), solver="lbfgs", epochs=50, random_state=0)
    weighted = _fit(SigmoidNetRegressor(**params), X, y, sample_weight=weights)
    repeated = _fit(SigmoidNetRegressor(**params), np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(
        weighted._target_encoding.shift, repeated._target_encoding.shift, rtol=1e-12
    )
    np.testing.assert_allclose(
        weighted._target_encoding.scale, repeated._target_encoding.scale, rtol=1e-12
    )
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


@pytest.mark.parametrize("loss", ["poisson", "squared_error"])
def test_huge_weights_and_targets_do_not_overflow_the_scaling(loss):
    # weight × y near 1e500: the weighted statistics stay those of moderate weights
    weights = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    huge = _fit(
        SigmoidNetRegressor(loss=loss, **PARAMS), X, y * 1e196, sample_weight=weights * 1e300
    )
    moderate = _fit(SigmoidNetRegressor(loss=loss, **PARAMS), X, y * 1e196, sample_weight=weights)
    np.testing.assert_allclose(
        huge._target_encoding.shift, moderate._target_encoding.shift, rtol=1e-12
    )
    np.testing.assert_allclose(
        huge._target_encoding.scale, moderate._target_encoding.scale, rtol=1e-12
    )
    assert all(np.isfinite(W).all() for W in huge.coefs_ + huge.intercepts_)
    assert np.isfinite(huge.predict(X)).all()


@pytest.mark.parametrize("loss", ["poisson", "squared_error", "huber"])
def test_targets_beyond_float32_are_refused_on_float32_x(loss):
    # trained in scaled units, the curve in y's units would be infinite in float32
    net = SigmoidNetRegressor(loss=loss, **PARAMS)
    with pytest.raises(ValueError, match="overflows float32, X's dtype"):
        _fit(net, X.astype(np.float32), np.abs(y) * 1e100)
    with pytest.raises(NotFittedError):
        net.predict(X)
    assert np.isfinite(_fit(net, X, np.abs(y) * 1e100).predict(X)).all()  # float64 holds them


def test_a_constant_target_is_not_divided_by_zero():
    net = _fit(SigmoidNetRegressor(**{**PARAMS, "epochs": 100}), X, np.full(len(X), 42.0))
    assert net._target_encoding.scale[0] == 1.0
    np.testing.assert_allclose(net.predict(X), 42.0, atol=0.1)


def test_poisson_targets_are_scaled_not_centred():
    rng = np.random.RandomState(0)
    X_pois = rng.uniform(0, 1, size=(400, 2))
    counts = rng.poisson(200 * np.exp(X_pois @ [1.0, -0.5]))
    params = dict(hidden_layer_sizes=(), solver="lbfgs", alpha=0, tol=1e-10, epochs=500)
    scaled = _fit(SigmoidNetRegressor(loss="poisson", **params), X_pois, counts)
    assert scaled._target_encoding.shift[0] == 0 and scaled._target_encoding.scale[
        0
    ] == pytest.approx(counts.mean())
    # log(scale) went into the output bias: the same GLM as without scaling
    raw = _fit(SigmoidNetRegressor(loss="poisson", normalize_y=False, **params), X_pois, counts)
    np.testing.assert_allclose(scaled.predict(X_pois), raw.predict(X_pois), rtol=1e-4)
    np.testing.assert_allclose(scaled.coefs_[0], raw.coefs_[0], rtol=1e-3)


def test_each_output_has_its_own_scaling():
    Y = np.column_stack([y, y_unit * 1e-3 + 7])  # thousands, and thousandths around 7
    net = _fit(SigmoidNetRegressor(**{**PARAMS, "epochs": 60}), X, Y)
    np.testing.assert_allclose(net._target_encoding.shift, Y.mean(axis=0))
    np.testing.assert_allclose(net._target_encoding.scale, Y.std(axis=0))
    predictions = net.predict(X)
    for k in range(2):
        residual = predictions[:, k] - Y[:, k]
        assert 1 - residual.var() / Y[:, k].var() > 0.9


def test_huber_scales_by_the_median_absolute_deviation():
    y_dirty = y.copy()
    y_dirty[:30] += 100 * y.std()  # outliers that would blow up a standard deviation
    net = _fit(SigmoidNetRegressor(loss="huber", **PARAMS), X, y_dirty)
    median = np.sort(y_dirty)[len(y) // 2 - 1]  # the lower of the two middle values
    assert net._target_encoding.shift[0] == median
    assert net._target_encoding.scale[0] == pytest.approx(
        1.4826 * np.median(np.abs(y_dirty - median)), rel=0.02
    )
    assert net._target_encoding.scale[0] < 2 * y.std()
