"""A fit that fails changes nothing: fitted models stay as they were, unfitted ones unfitted."""

import copy
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 4))
y_reg = X @ [1.0, -2.0, 0.5, 0.0] + 0.1 * RNG.normal(size=60)
y_cls = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])  # three classes


def _fit_quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


FITTED = {
    "regressor": _fit_quietly(SigmoidNetRegressor((5,), epochs=5, random_state=0), X, y_reg),
    "classifier": _fit_quietly(SigmoidNetClassifier((5,), epochs=5, random_state=0), X, y_cls),
    "named": _fit_quietly(
        SigmoidNetRegressor((3,), epochs=3, random_state=0),
        pd.DataFrame(X, columns=list("abcd")),
        y_reg,
    ),
}


def fitted_state(estimator):
    """Every attribute that is not a parameter: what fit sets."""
    parameters = estimator.get_params(deep=False)
    return {key: value for key, value in vars(estimator).items() if key not in parameters}


def assert_same(before, after, where="state"):
    if isinstance(before, dict):
        assert isinstance(after, dict) and before.keys() == after.keys(), where
        for key in before:
            assert_same(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, (list, tuple)):
        assert type(after) is type(before) and len(after) == len(before), where
        for index, (a, b) in enumerate(zip(before, after)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray) and after.dtype == before.dtype, where
        np.testing.assert_array_equal(after, before, err_msg=where)
    elif hasattr(before, "__dict__") and not callable(before):  # the fitted encodings
        assert type(after) is type(before), where
        assert_same(vars(before), vars(after), where)
    elif isinstance(before, float) and math.isnan(before):
        assert isinstance(after, float) and math.isnan(after), where
    else:
        assert after == before, where


def predictions(estimator, X):
    if isinstance(estimator, SigmoidNetClassifier):
        return estimator.predict(X), estimator.predict_proba(X)
    return estimator.predict(X), estimator.decompose(X)


class _Raising(np.random.RandomState):
    """A random state whose ``call``-th permutation (one per epoch) raises ``error``."""

    def __init__(self, error, call):
        super().__init__(0)
        self.error, self.calls_left = error, call

    def permutation(self, n):
        self.calls_left -= 1
        if self.calls_left == 0:
            raise self.error
        return super().permutation(n)


# -- the failing calls ----------------------------------------------------------
# Each takes the fitted estimator (a private copy), a RandomState to vary the
# data, and the method ("fit", "warm_start" or "partial_fit"), and returns the
# call that must raise and the exception it raises.


def _call(estimator, method, X, y, **kwargs):
    if method == "warm_start":
        estimator.set_params(warm_start=True)
    if method == "partial_fit":
        extra = {}
        if isinstance(estimator, SigmoidNetClassifier) and "classes" not in kwargs:
            extra["classes"] = estimator.classes_
        return lambda: estimator.partial_fit(X, y, **kwargs, **extra)
    return lambda: estimator.fit(X, y, **kwargs)


def _targets(estimator, n):
    return (y_cls if isinstance(estimator, SigmoidNetClassifier) else y_reg)[:n]


def _data(estimator, rng):
    n = rng.randint(20, 60)
    columns = estimator.n_features_in_
    X_new = rng.normal(size=(n, columns))
    if hasattr(estimator, "feature_names_in_"):
        X_new = pd.DataFrame(X_new, columns=estimator.feature_names_in_)
    return X_new, _targets(estimator, n)


def non_finite_X(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    values = np.array(X_new, dtype=float)
    # NaN is a missing value, which the network takes; infinity it does not
    values[rng.randint(len(values)), rng.randint(values.shape[1])] = rng.choice([np.inf, -np.inf])
    return _call(estimator, method, values, y_new), ValueError


def non_finite_y(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    y_new = np.asarray(y_new, dtype=float).copy()
    y_new[rng.randint(len(y_new))] = rng.choice([np.nan, np.inf])
    return _call(estimator, method, X_new, y_new), ValueError


def negative_sample_weight(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    weights = rng.uniform(size=len(y_new))
    weights[rng.randint(len(weights))] = -rng.uniform(0.1, 10)
    return _call(estimator, method, X_new, y_new, sample_weight=weights), ValueError


def zero_sample_weight(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    weights = np.zeros(len(y_new)) if rng.rand() < 0.5 else np.full(len(y_new), 5e-324)
    return _call(estimator, method, X_new, y_new, sample_weight=weights), ValueError


def mislengthed_sample_weight(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    weights = np.ones(len(y_new) + rng.choice([-3, -1, 1, 5]))
    return _call(estimator, method, X_new, y_new, sample_weight=weights), ValueError


def mislengthed_y(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    return _call(estimator, method, X_new, y_new[: -rng.randint(1, 5)]), ValueError


def no_rows(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    return _call(estimator, method, np.asarray(X_new)[:0], y_new[:0]), ValueError


def other_feature_count(estimator, rng, method):
    if method == "fit":  # a new fit may change the features; continuing may not
        method = rng.choice(["warm_start", "partial_fit"])
    n = rng.randint(20, 60)
    columns = estimator.n_features_in_ + rng.choice([-2, -1, 1, 3])
    return _call(estimator, method, rng.normal(size=(n, columns)), _targets(estimator, n)), (
        ValueError
    )


def bad_parameter(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    name, value = [
        ("alpha", -1.0),
        ("learning_rate", -rng.uniform()),
        ("hidden_layer_sizes", (4, 0)),
        ("hidden_layer_sizes", np.array([[2, 3]])),
        ("activation", ["relu"] * rng.randint(2, 4)),
        ("activation", "softplus"),
        ("batch_size", 0),
        ("epochs", 0),
    ][rng.randint(8)]
    estimator.set_params(**{name: value})
    return _call(estimator, method, X_new, y_new), ValueError


def too_few_to_validate(estimator, rng, method):
    estimator.set_params(early_stopping=True, validation_fraction=0.01)
    X_new, y_new = _data(estimator, rng)
    method = "fit" if method == "partial_fit" else method
    return _call(estimator, method, X_new, y_new), ValueError


def early_stopping_in_partial_fit(estimator, rng, method):
    estimator.set_params(early_stopping=True)
    X_new, y_new = _data(estimator, rng)
    return _call(estimator, "partial_fit", X_new, y_new), ValueError


def other_layers(estimator, rng, method):
    estimator.set_params(hidden_layer_sizes=(rng.randint(6, 9),))
    X_new, y_new = _data(estimator, rng)
    method = rng.choice(["warm_start", "partial_fit"])
    return _call(estimator, method, X_new, y_new), ValueError


def divergence_from_the_start(estimator, rng, method):
    # ReLU units pass X at 1e300 on: the squared error overflows
    X_new, y_new = _data(estimator, rng)
    estimator.set_params(
        activation="relu", solver=rng.choice(["adam", "sgd", "lbfgs"]), normalize_X=False
    )
    return _call(estimator, "fit", np.asarray(X_new) * 1e300, y_new), ValueError


def interrupted_first_epoch(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    estimator.set_params(random_state=_Raising(KeyboardInterrupt, call=1), shuffle=True)
    estimator.set_params(batch_size=5)
    method = "fit" if method == "partial_fit" else method
    return _call(estimator, method, X_new, y_new), KeyboardInterrupt


def out_of_memory(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    call = 1 if method == "partial_fit" else rng.randint(1, 3)  # partial_fit runs one epoch
    estimator.set_params(random_state=_Raising(MemoryError, call=call))
    estimator.set_params(batch_size=5, shuffle=True)
    return _call(estimator, method, X_new, y_new), MemoryError


def one_class(estimator, rng, method):
    X_new, _ = _data(estimator, rng)
    label = rng.randint(3)
    return _call(estimator, "fit", X_new, np.full(len(X_new), label)), ValueError


def unseen_labels(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    y_new = y_new.copy()
    y_new[rng.randint(len(y_new))] = 7
    method = rng.choice(["warm_start", "partial_fit"])
    return _call(estimator, method, X_new, y_new), ValueError


def multilabel_and_balanced(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    Y = np.eye(3, dtype=int)[y_new]
    Y[:, 0] = 1  # several labels per sample
    estimator.set_params(class_weight="balanced")
    return _call(estimator, "fit", X_new, Y), ValueError


def mixed_labels(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    labels = y_new.astype(object)
    labels[rng.randint(len(labels))] = "seven"
    return _call(estimator, "fit", X_new, labels), ValueError


def balanced_partial_fit(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    estimator.set_params(class_weight="balanced")
    return _call(estimator, "partial_fit", X_new, y_new), ValueError


def other_classes(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    return _call(estimator, "partial_fit", X_new, y_new, classes=[0, 1, 2, 3]), ValueError


def negative_poisson_targets(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    estimator.set_params(loss="poisson")
    return _call(estimator, "fit", X_new, y_new - y_new.min() - rng.uniform(0.1, 1)), ValueError


def text_targets(estimator, rng, method):
    X_new, y_new = _data(estimator, rng)
    return _call(estimator, method, X_new, y_new.astype(str)), ValueError


COMMON = [
    non_finite_X,
    non_finite_y,
    negative_sample_weight,
    zero_sample_weight,
    mislengthed_sample_weight,
    mislengthed_y,
    no_rows,
    other_feature_count,
    bad_parameter,
    too_few_to_validate,
    early_stopping_in_partial_fit,
    other_layers,
    interrupted_first_epoch,
    out_of_memory,
]
FAILURES = {
    "regressor": [*COMMON, divergence_from_the_start, negative_poisson_targets, text_targets],
    "named": [*COMMON, divergence_from_the_start],
    "classifier": [
        *COMMON,
        one_class,
        unseen_labels,
        multilabel_and_balanced,
        mixed_labels,
        balanced_partial_fit,
        other_classes,
    ],
}


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    model=st.sampled_from(sorted(FITTED)),
    which=st.integers(0, 100),
    method=st.sampled_from(["fit", "warm_start", "partial_fit"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_a_failing_call_leaves_a_fitted_model_as_it_was(model, which, method, seed):
    estimator = copy.deepcopy(FITTED[model])
    failures = FAILURES[model]
    failure = failures[which % len(failures)]
    X_check = np.asarray(X)[:10]
    if model == "named":
        X_check = pd.DataFrame(X_check, columns=list("abcd"))
    before_state = copy.deepcopy(fitted_state(estimator))
    before = predictions(estimator, X_check)
    call, error = failure(estimator, np.random.RandomState(seed), method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings on the way to the error are not the point
        with pytest.raises(error):
            call()
    assert_same(before_state, fitted_state(estimator))
    after = predictions(estimator, X_check)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "Estimator, y", [(SigmoidNetRegressor, y_reg), (SigmoidNetClassifier, y_cls)]
)
@pytest.mark.parametrize(
    "how",
    [
        pytest.param(
            lambda: dict(activation="relu", solver="sgd", normalize_X=False, X=X * 1e300),
            id="diverged",
        ),
        pytest.param(lambda: dict(random_state=_Raising(KeyboardInterrupt, 1)), id="ctrl-c"),
        pytest.param(lambda: dict(random_state=_Raising(MemoryError, 1)), id="out-of-memory"),
        pytest.param(lambda: dict(sample_weight=np.zeros(60)), id="zero-weights"),
    ],
)
def test_a_failed_first_fit_leaves_the_model_unfitted(Estimator, y, how):
    how = how()
    X_fit, weights = how.pop("X", X), how.pop("sample_weight", None)
    estimator = Estimator((4,), batch_size=10, **how)
    with pytest.raises((ValueError, KeyboardInterrupt, MemoryError)):
        estimator.fit(X_fit, y, sample_weight=weights)
    assert fitted_state(estimator) == {}
    with pytest.raises(NotFittedError):
        estimator.predict(X)


def test_the_examples_of_the_report():
    # a 3-class model re-fit on one class
    classifier = copy.deepcopy(FITTED["classifier"])
    before = classifier.predict(X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        classifier.fit(X, np.zeros(60, dtype=int))
    np.testing.assert_array_equal(classifier.predict(X), before)
    # a regressor re-fit with 3 features and negative sample weights
    regressor = copy.deepcopy(FITTED["regressor"])
    with pytest.raises(ValueError, match="Negative values"):
        regressor.fit(X[:, :3], y_reg, sample_weight=-np.ones(60))
    assert regressor.n_features_in_ == 4
    # a 3-class model re-fit with multilabel y and class_weight="balanced"
    classifier.set_params(class_weight="balanced")
    with pytest.raises(ValueError, match="multilabel"):
        classifier.fit(X, np.eye(3, dtype=int)[y_cls] | np.eye(3, dtype=int)[0])
    np.testing.assert_array_equal(classifier.predict(X), before)
