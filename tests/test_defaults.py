"""The "auto" defaults resolve as documented, and out of the box the estimators fit.

benchmarks/bench_defaults.py measures the defaults on 38 data sets; these
tests keep a few of its findings true on data that ships with scikit-learn or
is generated.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

RNG = np.random.RandomState(0)
X_big = RNG.normal(size=(300, 3))
y_big = X_big[:, 0] - X_big[:, 1] ** 2 + 0.1 * RNG.normal(size=300)


def _fit(net, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(*args, **kwargs)


@pytest.mark.parametrize(
    "activation, eta",
    [("sigmoid", 0.005), ("logistic", 0.005), ("relu", 0.001), (["sigmoid", "tanh"], 0.001)],
)
def test_auto_learning_rate_depends_on_the_hidden_activations(activation, eta):
    sizes = (4, 3) if isinstance(activation, list) else (4,)
    net = _fit(SigmoidNetRegressor(sizes, activation=activation, epochs=2), X_big, y_big)
    assert net.history_["learning_rate"] == [eta, eta]
    net = _fit(net.set_params(learning_rate=0.02), X_big, y_big)
    assert net.history_["learning_rate"] == [0.02, 0.02]


def test_auto_batch_size_is_32_rows_or_all_of_fewer():
    net = _fit(SigmoidNetRegressor((4,), epochs=2, early_stopping=False), X_big, y_big)
    assert net.n_updates_ == 2 * math.ceil(300 / 32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no clipping warning for "auto"
        net = _fit(SigmoidNetRegressor((4,), epochs=2), X_big[:20], y_big[:20])
    assert net.n_updates_ == 2


def test_auto_early_stopping_holds_out_a_fifth_from_100_samples_on():
    net = _fit(SigmoidNetRegressor((4,), epochs=3, shuffle=False), X_big[:100], y_big[:100])
    assert len(net.validation_scores_) == 3
    assert net.n_updates_ == 3 * math.ceil(80 / 32)  # 20 of the 100 validate
    small = _fit(SigmoidNetRegressor((4,), epochs=3), X_big[:99], y_big[:99])
    assert small.validation_scores_ is None and "valid_loss" not in small.history_
    # partial_fit and lbfgs train on all they get
    partial = SigmoidNetRegressor((4,)).partial_fit(X_big, y_big)
    assert partial.validation_scores_ is None
    lbfgs = _fit(SigmoidNetRegressor((4,), solver="lbfgs", epochs=5), X_big, y_big)
    assert lbfgs.validation_scores_ is None


def test_early_stopping_watches_the_validation_loss_by_default():
    net = _fit(SigmoidNetClassifier((4,), epochs=5), X_big, y_big > 0)
    assert net.validation_scores_ == [-loss for loss in net.history_["valid_loss"]]
    assert net.best_validation_score_ == max(net.validation_scores_)


def test_scoring_picks_what_early_stopping_watches():
    def fit(scoring):
        net = SigmoidNetClassifier((4,), epochs=5, scoring=scoring, random_state=0)
        return _fit(net, X_big, y_big > 0)

    accuracy = fit(None).validation_scores_
    assert all(0 <= score <= 1 for score in accuracy)
    roc_auc = fit("roc_auc").validation_scores_
    assert all(0 <= score <= 1 for score in roc_auc) and roc_auc != accuracy
    # scikit-learn's log loss scorer, on the estimator, agrees with the loss of training
    net = fit("neg_log_loss")
    negative_loss = [-loss for loss in net.history_["valid_loss"]]
    np.testing.assert_allclose(net.validation_scores_, negative_loss, rtol=1e-9)


def test_a_scoring_callable_sees_the_fitted_model_of_each_epoch():
    seen = []

    def scorer(estimator, X, y):
        seen.append((estimator.coefs_[0].copy(), len(y)))
        return estimator.score(X, y)

    net = _fit(SigmoidNetRegressor((4,), epochs=3, scoring=scorer, random_state=0), X_big, y_big)
    assert [n for _, n in seen] == [60, 60, 60]
    assert not np.array_equal(seen[0][0], seen[-1][0])  # the weights as trained so far
    assert net.validation_scores_ == pytest.approx(net.history_["valid_score"])


# -- out of the box, as the benchmark found --------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_circles(1000, noise=0.1, factor=0.5, random_state=0),
        lambda: make_moons(1000, noise=0.2, random_state=0),
        lambda: (X := RNG.normal(size=(1000, 4)), (X[:, 0] > 0) ^ (X[:, 1] > 0)),
    ],
    ids=["circles", "moons", "xor"],
)
def test_defaults_learn_the_classic_non_linear_problems(make):
    X, y = make()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    net = make_pipeline(StandardScaler(), SigmoidNetClassifier(random_state=0))
    assert _fit(net, X_train, y_train).score(X_test, y_test) > 0.9


def test_defaults_fit_raw_targets_as_well_as_a_linear_model():
    X, y = load_diabetes(return_X_y=True)  # targets from 25 to 346
    net = make_pipeline(StandardScaler(), SigmoidNetRegressor(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = cross_val_score(net, X, y).mean()
    linear = cross_val_score(make_pipeline(StandardScaler(), RidgeCV()), X, y).mean()
    assert ours > linear - 0.02
