"""Early stopping on validation data given to fit (X_val, y_val), as in HistGradientBoosting."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

X, y = make_regression(n_samples=240, n_features=4, noise=10, random_state=0)
y = 1_000 + 50 * y  # raw units
X_train, X_val, y_train, y_val = X[:200], X[200:], y[:200], y[200:]


def _fit(net, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(*args, **kwargs)


def test_given_validation_data_is_what_early_stopping_watches():
    net = SigmoidNetRegressor((8,), epochs=15, scoring=None, random_state=0)
    scores = []
    net.set_params(
        scoring=lambda est, X_, y_: scores.append(len(y_)) or r2_score(y_, est.predict(X_))
    )
    _fit(net, X_train, y_train, X_val=X_val, y_val=y_val)
    assert scores == [40] * 15  # the 40 given rows, every epoch
    # nothing was held out of the 200 training rows: 7 batches of 32 an epoch
    assert net.n_updates_ == 15 * 7
    # the recorded score is the validation R² in y's own units
    best = int(np.argmax(net.validation_scores_))
    assert net.best_validation_score_ == net.validation_scores_[best]


def test_given_validation_data_switches_auto_early_stopping_on_for_small_data():
    net = _fit(
        SigmoidNetRegressor((4,), epochs=5, random_state=0), X_train[:50], y_train[:50],
        X_val=X_val, y_val=y_val,
    )  # fmt: skip
    assert len(net.validation_scores_) == 5
    assert net.history_["valid_loss"] == [-score for score in net.validation_scores_]


def test_validation_loss_is_in_the_scaled_units_of_training():
    net = _fit(
        SigmoidNetRegressor((8,), epochs=10, random_state=0), X_train, y_train,
        X_val=X_val, y_val=y_val,
    )  # fmt: skip
    # ½ MSE of the standardised targets: that of y divided by y's variance
    residual = (net.predict(X_val) - y_val) / net._target_encoding.scale[0]
    assert net.history_["valid_loss"][-1] == pytest.approx(0.5 * np.mean(residual**2), rel=0.05)


def test_validation_sample_weights_weigh_the_score():
    weights = np.zeros(40)
    weights[:20] = 1.0
    net = SigmoidNetRegressor((8,), epochs=5, scoring=None, random_state=0)
    _fit(net, X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=weights)
    # the score of the last epoch, recomputed on the weighted half only
    last = net.validation_scores_[-1]
    assert last == pytest.approx(r2_score(y_val[:20], net.predict(X_val[:20])), abs=0.1)


def test_classifier_validation_labels_and_class_weights():
    Xc, yc = make_classification(n_samples=300, n_features=5, random_state=0)
    labels = np.array(["no", "yes"])[yc]
    net = SigmoidNetClassifier((6,), epochs=5, scoring=None, random_state=0)
    _fit(net, Xc[:250], labels[:250], X_val=Xc[250:], y_val=labels[250:])
    assert all(0 <= score <= 1 for score in net.validation_scores_)
    with pytest.raises(ValueError, match=r"labels \['maybe'\] that are not in classes_"):
        net.fit(Xc[:250], labels[:250], X_val=Xc[250:], y_val=np.full(50, "maybe"))


def test_feature_names_of_validation_data_are_checked():
    frame = pd.DataFrame(X, columns=list("abcd"))
    net = SigmoidNetRegressor((4,), epochs=2, random_state=0)
    with pytest.raises(ValueError, match="feature names"):
        net.fit(frame[:200], y_train, X_val=frame[200:][list("dcba")], y_val=y_val)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(X_val=X_val), "X_val and y_val go together"),
        (dict(y_val=y_val), "X_val and y_val go together"),
        (dict(X_val=X_val[:, :3], y_val=y_val), "3 features"),
        (dict(X_val=X_val, y_val=y_val[:30]), "inconsistent numbers of samples"),
        (dict(X_val=X_val, y_val=y_val, sample_weight_val=np.zeros(40)), "non-zero"),
    ],
)
def test_bad_validation_data_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SigmoidNetRegressor((4,), epochs=2).fit(X_train, y_train, **kwargs)


def test_validation_data_needs_early_stopping():
    net = SigmoidNetRegressor((4,), epochs=2, early_stopping=False)
    with pytest.raises(ValueError, match="early_stopping=False switches off"):
        net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    with pytest.warns(UserWarning, match="ignored by solver='lbfgs'"):
        _fit(SigmoidNetRegressor((4,), solver="lbfgs", epochs=3), X_train, y_train,
             X_val=X_val, y_val=y_val)  # fmt: skip


def test_a_pipeline_routes_and_transforms_the_validation_data():
    from sklearn import config_context
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    with config_context(enable_metadata_routing=True):
        net = SigmoidNetRegressor((4,), epochs=3, random_state=0)
        net.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("net", net)], transform_input=["X_val"])
        _fit(pipe, X_train * 1e3, y_train, X_val=X_val * 1e3, y_val=y_val)
    assert len(pipe[-1].validation_scores_) == 3
