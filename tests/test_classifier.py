"""SigmoidNetClassifier: binary, multiclass and multilabel targets, labels, weights."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, make_blobs, make_classification
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier

pytestmark = pytest.mark.oldest_sklearn


def test_digits_held_out_accuracy():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    clf = SigmoidNetClassifier(learning_rate=0.01, epochs=30, random_state=0)
    clf.fit(scaler.transform(X_train), y_train)
    assert clf.out_activation_ == "softmax"
    assert clf.score(scaler.transform(X_test), y_test) > 0.95


def test_binary_uses_one_sigmoid_output():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = SigmoidNetClassifier((8,), learning_rate=0.01, epochs=100, random_state=0)
    clf.fit(X, labels)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    r = clf.decision_function(X)
    proba = clf.predict_proba(X)
    assert r.shape == (200,) and proba.shape == (200, 2)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-r)))
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(clf.predict(X), np.where(r > 0, "yes", "no"))
    assert clf.score(X, labels) > 0.9


def test_multiclass_probabilities_and_string_labels():
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = SigmoidNetClassifier((10,), learning_rate=0.01, epochs=100, random_state=0)
    clf.fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.decision_function(X).shape == (300, 3)
    assert clf.score(X, labels) > 0.9


def test_pandas_categorical_labels_come_back_as_labels():
    X, y = make_blobs(n_samples=150, centers=3, random_state=1)
    labels = pd.Series(pd.Categorical.from_codes(y, ["low", "mid", "high"]))
    clf = SigmoidNetClassifier((10,), learning_rate=0.01, epochs=50, random_state=0)
    predicted = clf.fit(X, labels).predict(X)
    assert set(predicted) <= {"low", "mid", "high"}
    assert (predicted == labels.to_numpy()).mean() > 0.9


def test_multilabel_indicator_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] < 0.5]).astype(int)
    clf = SigmoidNetClassifier((20,), learning_rate=0.01, epochs=150, random_state=0).fit(X, Y)
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == (300, 3)
    assert clf.predict_proba(X).shape == (300, 3)
    assert clf.score(X, Y) > 0.85  # subset accuracy: all three labels right


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        n_samples=600, n_features=4, weights=[0.95], class_sep=0.5, random_state=0
    )
    params = dict(hidden_layer_sizes=(8,), learning_rate=0.01, epochs=60, random_state=0)
    plain = SigmoidNetClassifier(**params).fit(X, y)
    balanced = SigmoidNetClassifier(class_weight="balanced", **params).fit(X, y)
    as_dict = SigmoidNetClassifier(class_weight={0: 1.0, 1: 19.0}, **params).fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.2
    assert recall_score(y, as_dict.predict(X)) > recall_score(y, plain.predict(X)) + 0.2


def test_class_weight_equals_the_same_sample_weight():
    X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", epochs=50, random_state=0)
    weights = {0: 1.0, 1: 2.0, 2: 0.5}
    by_class = SigmoidNetClassifier(class_weight=weights, **params).fit(X, y)
    by_sample = SigmoidNetClassifier(**params).fit(X, y, sample_weight=np.vectorize(weights.get)(y))
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X))


def test_balanced_class_weight_is_refused_by_partial_fit():
    X, y = make_blobs(n_samples=30, centers=2, random_state=0)
    clf = SigmoidNetClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="balanced.*partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_needs_classes_first_and_refuses_new_labels():
    X, y = make_blobs(n_samples=30, centers=3, random_state=0)
    clf = SigmoidNetClassifier((4,))
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.out_activation_ == "softmax"  # three classes, though two were seen
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        clf.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_a_single_class_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 2 classes.*only 1 class"):
        SigmoidNetClassifier().fit([[0.0], [1.0], [2.0]], ["a", "a", "a"])


def test_continuous_targets_are_refused():
    with pytest.raises(ValueError, match="Unknown label type"):
        SigmoidNetClassifier().fit([[0.0], [1.0], [2.0]], [0.5, 1.5, 2.5])


@pytest.mark.parametrize("labels", [["a", 1, "b", 2], [1, "a", 2, "b"]])
def test_mixed_label_types_are_a_clear_error(labels):
    X = [[0.0], [1.0], [2.0], [3.0]]
    with pytest.raises(ValueError, match="y mixes label types .*int, str"):
        SigmoidNetClassifier().fit(X, np.array(labels, dtype=object))
    with pytest.raises(ValueError, match="classes mixes label types"):
        SigmoidNetClassifier().partial_fit(X, [1, 2, 1, 2], classes=np.array(labels, dtype=object))
