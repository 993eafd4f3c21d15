"""decompose(): the output as the constant b plus one term cᵢ·aᵢ(x) per hidden unit."""

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

pytestmark = pytest.mark.oldest_sklearn

FIT = {"epochs": 20, "learning_rate": 0.01, "random_state": 0}


def _quiet_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs, on purpose
        return estimator.fit(X, y)


@pytest.mark.parametrize("hidden_layer_sizes", [(5,), (6, 4)])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_regressor_terms_sum_to_prediction(hidden_layer_sizes, activation):
    X, y = make_regression(n_samples=60, n_features=3, noise=1.0, random_state=0)
    net = _quiet_fit(
        SigmoidNetRegressor(hidden_layer_sizes, activation=activation, **FIT), X, y / y.std()
    )
    terms = net.decompose(X)
    assert terms.shape == (60, hidden_layer_sizes[-1])
    np.testing.assert_allclose(net.intercepts_[-1] + terms.sum(axis=1), net.predict(X))


def test_regressor_multi_output_has_an_output_axis():
    X, Y = make_regression(n_samples=50, n_features=4, n_targets=3, random_state=0)
    net = _quiet_fit(SigmoidNetRegressor((7,), **FIT), X, Y / Y.std())
    terms = net.decompose(X)
    assert terms.shape == (50, 7, 3)
    np.testing.assert_allclose(net.intercepts_[-1] + terms.sum(axis=1), net.predict(X))


def test_single_layer_terms_are_the_lectures_sigmoids():
    """cᵢ · sigmoid(bᵢ + Σⱼ wᵢⱼ xⱼ), computed here from the fitted weights by hand."""
    X, y = make_regression(n_samples=30, n_features=2, random_state=1)
    net = _quiet_fit(SigmoidNetRegressor((4,), **FIT), X, y / y.std())
    W, b = net.coefs_[0], net.intercepts_[0]
    c = net.coefs_[1][:, 0]
    expected = c * expit(b + X @ W)
    np.testing.assert_allclose(net.decompose(X), expected)


def test_poisson_terms_sum_to_the_log_of_the_prediction():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    net = _quiet_fit(SigmoidNetRegressor((3,), loss="poisson", **FIT), X, y)
    np.testing.assert_allclose(
        net.intercepts_[-1] + net.decompose(X).sum(axis=1), np.log(net.predict(X))
    )


def test_binary_classifier_terms_sum_to_decision_function():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    clf = _quiet_fit(SigmoidNetClassifier((5,), **FIT), X, y)
    terms = clf.decompose(X)
    assert terms.shape == (60, 5)
    np.testing.assert_allclose(clf.intercepts_[-1] + terms.sum(axis=1), clf.decision_function(X))


def test_multiclass_classifier_terms_sum_to_decision_function():
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    clf = _quiet_fit(SigmoidNetClassifier((6, 4), activation="tanh", **FIT), X, y)
    terms = clf.decompose(X)
    assert terms.shape == (90, 4, 3)
    np.testing.assert_allclose(clf.intercepts_[-1] + terms.sum(axis=1), clf.decision_function(X))


def test_float32_terms_stay_float32():
    X, y = make_regression(n_samples=30, n_features=2, random_state=0)
    net = _quiet_fit(SigmoidNetRegressor((3,), **FIT), X.astype(np.float32), y / y.std())
    assert net.decompose(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("Estimator", [SigmoidNetRegressor, SigmoidNetClassifier])
def test_no_hidden_layer_is_an_error(Estimator):
    X, y = make_classification(
        n_samples=40, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )
    est = _quiet_fit(Estimator((), **FIT), X, y)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        est.decompose(X)


def test_unfitted_is_an_error():
    with pytest.raises(NotFittedError):
        SigmoidNetRegressor().decompose(np.zeros((2, 2)))
