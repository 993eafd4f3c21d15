"""Bad input gets a clear ValueError; the caller's data is never modified."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

pytestmark = pytest.mark.oldest_sklearn

ESTIMATORS = [SigmoidNetRegressor, SigmoidNetClassifier]
X = np.random.RandomState(0).normal(size=(30, 3))
y = np.arange(30) % 2


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_input_is_refused(Estimator, bad):
    # NaN is a missing value (tests/test_input_encoding.py); infinity is refused
    X_bad = X.copy()
    X_bad[3, 1] = bad
    with pytest.raises(ValueError, match="Column 'x1' holds infinite values"):
        Estimator().fit(X_bad, y)
    fitted = Estimator((3,), epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="Column 'x1' holds infinite values"):
        fitted.predict(X_bad)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_feature_count_at_predict(Estimator):
    est = Estimator((3,), epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X[:, :2])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_empty_data(Estimator):
    with pytest.raises(ValueError, match="0 sample"):
        Estimator().fit(np.empty((0, 3)), np.empty(0))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_strings_in_X(Estimator):
    # an array's columns are numbers, unless categorical_features names them
    with pytest.raises(ValueError, match="Column 'x0' holds values that are not numbers.*'a'"):
        Estimator().fit([["a", 1.0], ["b", 2.0]], [0, 1])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params, name",
    [
        ({"hidden_layer_sizes": -1}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
        ({"activation": "softplus"}, "activation"),
        ({"solver": "newton"}, "solver"),
        ({"alpha": -1.0}, "alpha"),
        ({"batch_size": 0}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate_schedule": "cosine"}, "learning_rate_schedule"),
        ({"momentum": 1.5}, "momentum"),
        ({"beta_2": 1.0}, "beta_2"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"loss": "hinge"}, "loss"),
    ],
)
def test_invalid_parameters_name_the_parameter(Estimator, params, name):
    with pytest.raises((InvalidParameterError, ValueError), match=name):
        Estimator(**params).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_hidden_layer_sizes_as_an_array(Estimator):
    est = Estimator(np.array([4, 3]), epochs=2)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert [W.shape[1] for W in est.coefs_[:-1]] == [4, 3]
    for bad in [np.array([[4, 3]]), np.array([4.0, 3.0]), [4, "3"]]:
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            Estimator(bad).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_checks_parameters_changed_after_fitting(Estimator):
    extra = {"classes": [0, 1]} if Estimator is SigmoidNetClassifier else {}
    est = Estimator((3,)).partial_fit(X, y, **extra)
    with pytest.raises(InvalidParameterError, match="alpha"):
        est.set_params(alpha=-1.0).partial_fit(X, y)


def test_batch_size_larger_than_the_data_is_clipped_with_a_warning():
    est = SigmoidNetRegressor((3,), batch_size=100, epochs=2)
    with pytest.warns(UserWarning, match="batch_size=100 .* clipped to 30"):
        est.fit(X, y.astype(float))
    assert est.n_updates_ == 2


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_callers_arrays_are_not_modified(Estimator, solver):
    X_in = X.astype(np.float32)
    y_in = y.astype(float) if Estimator is SigmoidNetRegressor else y.copy()
    weights = np.linspace(0.5, 2, 30)
    copies = [a.copy() for a in (X_in, y_in, weights)]
    est = Estimator((4,), solver=solver, epochs=3, early_stopping=solver == "adam")
    with pytest.warns(ConvergenceWarning):
        est.fit(X_in, y_in, sample_weight=weights)
    est.predict(X_in)
    for given_array, copy in zip((X_in, y_in, weights), copies):
        np.testing.assert_array_equal(given_array, copy)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def small_problems(draw):
    n_samples = draw(st.integers(1, 12))
    n_features = draw(st.integers(1, 4))
    X = draw(arrays(np.float64, (n_samples, n_features), elements=finite))
    y = draw(arrays(np.float64, n_samples, elements=finite))
    hidden = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    activation = draw(st.sampled_from(["sigmoid", "relu", "tanh", "identity"]))
    solver = draw(st.sampled_from(["sgd", "adam", "lbfgs"]))
    return X, y, dict(hidden_layer_sizes=hidden, activation=activation, solver=solver)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=small_problems(), classify=st.booleans())
def test_any_small_problem_fits_or_raises_value_error(problem, classify):
    X, y, params = problem
    Estimator = SigmoidNetClassifier if classify else SigmoidNetRegressor
    target = (y > np.median(y)).astype(int) if classify else y
    est = Estimator(epochs=3, random_state=0, **params)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning, batch-size clipping
            est.fit(X, target)
    except ValueError:
        return
    predictions = est.predict(X)
    assert predictions.shape == target.shape
    outputs = est.predict_proba(X) if classify else predictions
    assert np.isfinite(outputs).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_a_schedule_given_as_learning_rate_points_at_the_schedule(Estimator, schedule):
    # scikit-learn's MLP calls the schedule learning_rate
    with pytest.raises(ValueError, match=f"use learning_rate_schedule='{schedule}'"):
        Estimator(learning_rate=schedule).fit(X, y)
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        Estimator(learning_rate="fast").fit(X, y)


@pytest.mark.parametrize("name", ["max_iter", "learning_rate_init"])
def test_mlp_parameter_names_are_refused(name):
    # the docs page "Coming from MLP" maps them: epochs and learning_rate
    with pytest.raises(TypeError, match=name):
        SigmoidNetRegressor(**{name: 10})
