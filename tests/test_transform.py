"""transform: the last hidden layer's outputs a = σ(b + W x), the network's learned features."""

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

X, y = make_regression(n_samples=200, n_features=3, noise=1, random_state=0)
X_iris, y_iris = load_iris(return_X_y=True)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_transform_is_the_last_hidden_layer():
    net = SigmoidNetRegressor((5, 4), activation=["tanh", "sigmoid"], epochs=5, random_state=0)
    net.fit(X, y)
    a1 = np.tanh(X @ net.coefs_[0] + net.intercepts_[0])
    a2 = expit(a1 @ net.coefs_[1] + net.intercepts_[1])
    features = net.transform(X)
    assert features.shape == (200, 4)
    np.testing.assert_allclose(features, a2, rtol=1e-12)
    # the output layer is a linear model on them: ŷ = b + cᵀa
    np.testing.assert_allclose(
        net.predict(X), net.intercepts_[-1] + features @ net.coefs_[-1][:, 0], rtol=1e-10
    )
    np.testing.assert_allclose(net.fit_transform(X, y), net.transform(X), rtol=1e-12)


def test_a_network_without_hidden_layers_has_no_features():
    net = SigmoidNetRegressor((), epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="transform needs at least one hidden layer"):
        net.transform(X)


def test_the_estimators_stay_a_regressor_and_a_classifier():
    for estimator, check in [
        (SigmoidNetRegressor(), is_regressor),
        (SigmoidNetClassifier(), is_classifier),
    ]:
        assert check(estimator) and check(make_pipeline(StandardScaler(), estimator))
    # as the last step, a pipeline predicts and scores with it
    pipe = make_pipeline(StandardScaler(), SigmoidNetClassifier((8,), random_state=0))
    assert cross_val_score(pipe, X_iris, y_iris, cv=3).mean() > 0.8


def test_learned_features_feed_another_model():
    pipe = make_pipeline(
        StandardScaler(), SigmoidNetClassifier((8,), random_state=0), LogisticRegression()
    )
    assert pipe.fit(X_iris, y_iris).score(X_iris, y_iris) > 0.9
    assert pipe[1].n_iter_ > 0  # the network was fitted on the labels, then transformed


def test_pandas_output_names_the_units():
    net = SigmoidNetRegressor((3,), epochs=2, random_state=0).fit(X, y)
    frame = net.set_output(transform="pandas").transform(X[:5])
    assert list(frame.columns) == [f"sigmoidnetregressor{i}" for i in range(3)]
    assert list(net.get_feature_names_out()) == list(frame.columns)
    pipe = make_pipeline(StandardScaler(), SigmoidNetRegressor((3,), epochs=2), RidgeCV())
    pipe.set_output(transform="pandas").fit(X, y)
    assert pipe[:-1].transform(X).shape == (200, 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_features_keep_the_dtype(dtype):
    net = SigmoidNetRegressor((3,), epochs=2).fit(X.astype(dtype), y)
    assert net.transform(X.astype(dtype)).dtype == dtype
