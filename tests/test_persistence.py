"""Saving fitted estimators: pickle, joblib and skops, and training on after loading."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import skops.io as sio
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

# The types a user must pass to skops.io.load(..., trusted=...): the estimator's
# own class and nothing else, also inside a Pipeline of scikit-learn steps.
# examples/integrations/persistence.py documents the same lists.
TRUSTED_REGRESSOR = ["sklearn_sigmoidnet._regressor.SigmoidNetRegressor"]
TRUSTED_CLASSIFIER = ["sklearn_sigmoidnet._classifier.SigmoidNetClassifier"]


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def regression_data(n_outputs=1, dtype=np.float64):
    X, y = make_regression(n_samples=150, n_features=5, n_targets=n_outputs, random_state=0)
    return X.astype(dtype), y / y.std()


def classification_data(n_classes=3, labels=None):
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=n_classes, random_state=0
    )
    return X, y if labels is None else np.asarray(labels)[y]


FITTED = {
    "regressor-adam": lambda: SigmoidNetRegressor((6,), epochs=20, random_state=0).fit(
        *regression_data()
    ),
    "regressor-multioutput-sgd-float32": lambda: SigmoidNetRegressor(
        (6, 4), solver="sgd", epochs=20, random_state=0
    ).fit(*regression_data(n_outputs=2, dtype=np.float32)),
    "regressor-poisson-lbfgs": lambda: SigmoidNetRegressor(
        (6,), loss="poisson", solver="lbfgs", epochs=20, random_state=0
    ).fit(regression_data()[0], np.abs(regression_data()[1])),
    "regressor-early-stopping": lambda: SigmoidNetRegressor(
        (6,), early_stopping=True, epochs=20, random_state=0
    ).fit(*regression_data()),
    "regressor-numeric-bins": lambda: SigmoidNetRegressor(
        (6,), numeric_bins=4, epochs=20, random_state=0
    ).fit(*regression_data()),
    "classifier-binary-strings": lambda: SigmoidNetClassifier(
        (6,), activation="relu", epochs=20, random_state=0
    ).fit(*classification_data(2, ["no", "yes"])),
    "classifier-multiclass-per-layer-activations": lambda: SigmoidNetClassifier(
        (6, 4), activation=["tanh", "sigmoid"], epochs=20, random_state=0
    ).fit(*classification_data(3)),
    "classifier-class-weight-early-stopping": lambda: SigmoidNetClassifier(
        (6,), class_weight="balanced", early_stopping=True, epochs=20, random_state=0
    ).fit(*classification_data(3)),
    "classifier-multilabel": lambda: SigmoidNetClassifier((6,), epochs=20, random_state=0).fit(
        classification_data(2)[0],
        np.c_[classification_data(2)[1], 1 - classification_data(2)[1]],
    ),
}


def _outputs(est, X):
    """Everything an estimator predicts for X."""
    methods = ["predict", "predict_proba", "decision_function", "decompose"]
    return {name: getattr(est, name)(X) for name in methods if hasattr(est, name)}


def assert_same_fitted_state(loaded, est, X):
    assert type(loaded) is type(est)
    assert loaded.get_params() == est.get_params()
    for name in ["n_layers_", "n_outputs_", "out_activation_", "n_iter_", "n_updates_"]:
        assert getattr(loaded, name) == getattr(est, name)
    for loaded_W, W in zip(loaded.coefs_ + loaded.intercepts_, est.coefs_ + est.intercepts_):
        assert loaded_W.dtype == W.dtype
        np.testing.assert_array_equal(loaded_W, W)
    assert loaded.loss_curve_ == est.loss_curve_
    assert loaded.history_.keys() == est.history_.keys()
    for key, values in est.history_.items():
        if key != "duration_s":  # the clock differs when training went on separately
            np.testing.assert_array_equal(loaded.history_[key], values, err_msg=key)
    if hasattr(est, "classes_"):
        np.testing.assert_array_equal(loaded.classes_, est.classes_)
    expected = _outputs(est, X)
    for name, value in _outputs(loaded, X).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)


def pickle_round_trip(est):
    return pickle.loads(pickle.dumps(est))


def joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer, compress=3)
    buffer.seek(0)
    return joblib.load(buffer)


def skops_round_trip(est):
    return sio.loads(sio.dumps(est), trusted=trusted_types(est))


def trusted_types(est):
    return TRUSTED_CLASSIFIER if isinstance(est, SigmoidNetClassifier) else TRUSTED_REGRESSOR


ROUND_TRIPS = [pickle_round_trip, joblib_round_trip, skops_round_trip]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("case", FITTED)
def test_round_trip_keeps_the_fitted_estimator(case, round_trip):
    est = FITTED[case]()
    X = regression_data()[0].astype(est.coefs_[0].dtype)
    assert_same_fitted_state(round_trip(est), est, X)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_unfitted_estimator_round_trips(round_trip):
    est = SigmoidNetClassifier((3, 2), activation=("relu", "tanh"), alpha=0.1)
    loaded = round_trip(est)
    assert loaded.get_params() == est.get_params()
    assert not hasattr(loaded, "coefs_")


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_continues_after_loading(round_trip, solver):
    X, y = classification_data(3, ["a", "b", "c"])
    parts = np.array_split(np.arange(len(X)), 3)
    est = SigmoidNetClassifier((6,), solver=solver, learning_rate=0.01, random_state=0)
    est.partial_fit(X[parts[0]], y[parts[0]], classes=["a", "b", "c"])
    est.partial_fit(X[parts[1]], y[parts[1]])

    loaded = round_trip(est)
    assert_same_fitted_state(loaded, est, X)
    for model in (est, loaded):
        model.partial_fit(X[parts[2]], y[parts[2]])
        model.partial_fit(X, y)

    # the optimiser's state (momentum, Adam's moments and step count) came along
    assert_same_fitted_state(loaded, est, X)
    assert loaded.n_updates_ == est.n_updates_ > 0


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_warm_start_continues_after_loading(round_trip):
    X, y = regression_data()
    est = SigmoidNetRegressor((6,), epochs=5, warm_start=True, random_state=0)
    est.set_params(early_stopping=False, batch_size=50).fit(X, y)
    loaded = round_trip(est)
    est.fit(X, y)
    loaded.fit(X, y)
    assert_same_fitted_state(loaded, est, X)
    assert loaded.n_updates_ == 2 * 5 * 3  # 150 samples make three batches of 50


@pytest.mark.parametrize("case", FITTED)
def test_skops_trusts_exactly_the_documented_types(case, tmp_path):
    est = FITTED[case]()
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    assert sio.get_untrusted_types(file=path) == trusted_types(est)

    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)
    loaded = sio.load(path, trusted=trusted_types(est))
    X = regression_data()[0].astype(est.coefs_[0].dtype)
    assert_same_fitted_state(loaded, est, X)


@pytest.mark.parametrize(
    "est, data, trusted",
    [
        (
            SigmoidNetRegressor((6,), epochs=20, random_state=0),
            regression_data(),
            TRUSTED_REGRESSOR,
        ),
        (
            SigmoidNetClassifier((6,), epochs=20, random_state=0),
            classification_data(2, ["no", "yes"]),
            TRUSTED_CLASSIFIER,
        ),
    ],
)
def test_skops_pipeline_needs_no_more_trust(est, data, trusted, tmp_path):
    X, y = data
    model = make_pipeline(StandardScaler(), est).fit(X, y)
    path = tmp_path / "pipeline.skops"
    sio.dump(model, path)
    assert sio.get_untrusted_types(file=path) == trusted
    loaded = sio.load(path, trusted=trusted)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert_same_fitted_state(loaded[-1], model[-1], model[0].transform(X))


def test_skops_random_state_instance_needs_no_more_trust(tmp_path):
    X, y = regression_data()
    est = SigmoidNetRegressor((6,), epochs=5, random_state=np.random.RandomState(0)).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    assert sio.get_untrusted_types(file=path) == TRUSTED_REGRESSOR
    np.testing.assert_array_equal(
        sio.load(path, trusted=TRUSTED_REGRESSOR).predict(X), est.predict(X)
    )


def test_loaded_weights_do_not_share_memory_with_the_original():
    X, y = regression_data()
    est = SigmoidNetRegressor((6,), epochs=5, random_state=0).fit(X, y)
    loaded = pickle_round_trip(est)
    loaded.partial_fit(X, y)
    assert not np.array_equal(loaded.coefs_[0], est.coefs_[0])
    np.testing.assert_array_equal(pickle_round_trip(est).coefs_[0], est.coefs_[0])
