"""ONNX export through skl2onnx, checked against onnxruntime's predictions."""

import sys
import warnings

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import pytest
from skl2onnx import to_onnx
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet.onnx import register_converters

ACTIVATIONS = ["sigmoid", "logistic", "relu", "tanh", "identity", ["tanh", "relu"]]
FLOAT32_TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
FLOAT64_TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}


@pytest.fixture(scope="module", autouse=True)
def _registered():
    register_converters()


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def hidden_sizes(activation):
    return (7, 5) if isinstance(activation, list) else (7,)


def regression_data(n_outputs=1):
    X, y = make_regression(
        n_samples=120, n_features=4, n_targets=n_outputs, noise=1.0, random_state=0
    )
    return StandardScaler().fit_transform(X), y / y.std()


def classification_data(n_classes, labels=None):
    X, y = make_classification(
        n_samples=150, n_features=4, n_informative=3, n_redundant=0, n_classes=n_classes,
        n_clusters_per_class=1, random_state=0,
    )  # fmt: skip
    return X, y if labels is None else np.asarray(labels)[y]


def run_onnx(model, X, **options):
    """Convert ``model`` for X's dtype, check the graph, and run it on X."""
    onx = to_onnx(model, X[:1], target_opset=17, options=options or None)
    onnx.checker.check_model(onx)
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


# -- regression -------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regressor_matches_onnxruntime(activation, n_outputs):
    X, y = regression_data(n_outputs)
    reg = SigmoidNetRegressor(
        hidden_sizes(activation), activation=activation, learning_rate=0.01, epochs=50,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    expected = reg.predict(X).reshape(len(X), n_outputs)

    (y32,) = run_onnx(reg, X.astype(np.float32))
    assert y32.dtype == np.float32 and y32.shape == (len(X), n_outputs)
    np.testing.assert_allclose(y32, expected, **FLOAT32_TOLERANCE)

    (y64,) = run_onnx(reg, X)
    assert y64.dtype == np.float64
    np.testing.assert_allclose(y64, expected, **FLOAT64_TOLERANCE)


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_poisson_regressor_exp_output(n_outputs):
    X, y = regression_data(n_outputs)
    reg = SigmoidNetRegressor((6,), loss="poisson", learning_rate=0.01, epochs=50, random_state=0)
    reg.fit(X, np.exp(y / 2))
    assert reg.out_activation_ == "exp"
    expected = reg.predict(X).reshape(len(X), n_outputs)
    (y32,) = run_onnx(reg, X.astype(np.float32))
    np.testing.assert_allclose(y32, expected, **FLOAT32_TOLERANCE)
    (y64,) = run_onnx(reg, X)
    np.testing.assert_allclose(y64, expected, **FLOAT64_TOLERANCE)


def test_regressor_without_hidden_layer():
    X, y = regression_data(2)
    reg = SigmoidNetRegressor((), solver="lbfgs", epochs=50, random_state=0).fit(X, y)
    (y64,) = run_onnx(reg, X)
    np.testing.assert_allclose(y64, reg.predict(X), **FLOAT64_TOLERANCE)


def test_regressor_trained_in_float32():
    X, y = regression_data(2)
    X32 = X.astype(np.float32)
    reg = SigmoidNetRegressor((6,), epochs=30, random_state=0).fit(X32, y)
    assert reg.coefs_[0].dtype == np.float32
    (y32,) = run_onnx(reg, X32)
    np.testing.assert_allclose(y32, reg.predict(X32), **FLOAT32_TOLERANCE)


def test_integer_input_is_computed_in_float32():
    X, y = regression_data(2)
    X_int = np.round(X * 3).astype(np.int64)
    reg = SigmoidNetRegressor((6,), epochs=30, random_state=0).fit(X_int, y)
    onx = to_onnx(reg, initial_types=[("X", Int64TensorType([None, X.shape[1]]))])
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (y32,) = session.run(None, {"X": X_int})
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, reg.predict(X_int), **FLOAT32_TOLERANCE)


def test_multioutput_keeps_its_columns_where_skl2onnx_mlp_does_not():
    X, y = regression_data(3)
    reg = SigmoidNetRegressor((6,), epochs=30, random_state=0).fit(X, y)
    (ours,) = run_onnx(reg, X.astype(np.float32))
    assert ours.shape == (len(X), 3)

    # skl2onnx's own MLPRegressor converter flattens several outputs to one
    # column, which is why the network needs a converter of its own
    mlp = MLPRegressor(hidden_layer_sizes=(6,), max_iter=30, random_state=0).fit(X, y)
    (theirs,) = run_onnx(mlp, X.astype(np.float32))
    assert theirs.shape == (3 * len(X), 1)


# -- classification ----------------------------------------------------------


def check_classifier(clf, X, *, float64=True):
    """ONNX labels equal predict, and probabilities predict_proba, in float32 and float64."""
    expected_proba = clf.predict_proba(X)
    expected_label = clf.predict(X)
    dtypes = [np.float32, np.float64] if float64 else [np.float32]
    for dtype in dtypes:
        label, proba = run_onnx(clf, X.astype(dtype), zipmap=False)
        assert proba.dtype == dtype and proba.shape == expected_proba.shape
        tolerance = FLOAT32_TOLERANCE if dtype == np.float32 else FLOAT64_TOLERANCE
        np.testing.assert_allclose(proba, expected_proba, **tolerance)
        np.testing.assert_array_equal(label, expected_label)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize(
    "n_classes, labels",
    [(2, None), (2, ["no", "yes"]), (3, None), (4, ["ant", "bee", "cat", "dog"])],
    ids=["binary-int", "binary-str", "multiclass-int", "multiclass-str"],
)
def test_classifier_matches_onnxruntime(activation, n_classes, labels):
    X, y = classification_data(n_classes, labels)
    clf = SigmoidNetClassifier(
        hidden_sizes(activation), activation=activation, learning_rate=0.01, epochs=50,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    check_classifier(clf, X)


def test_classifier_labels_of_other_integer_values():
    X, y = classification_data(3, [-5, 10, 42])
    clf = SigmoidNetClassifier((6,), learning_rate=0.01, epochs=50, random_state=0).fit(X, y)
    label, _ = run_onnx(clf, X.astype(np.float32), zipmap=False)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, clf.predict(X))


@pytest.mark.parametrize("hidden", [(5,), (4, 3)])
def test_ensembles_match_onnxruntime(hidden):
    # an ensemble is one wide network: the converter needs nothing new
    X, y = classification_data(3, ["a", "b", "c"])
    clf = SigmoidNetClassifier(hidden, n_members=3, learning_rate=0.01, epochs=20,
                               random_state=0).fit(X, y)  # fmt: skip
    check_classifier(clf, X)
    X, y = regression_data(2)
    reg = SigmoidNetRegressor(hidden, n_members=3, epochs=20, random_state=0).fit(X, y)
    np.testing.assert_allclose(run_onnx(reg, X)[0], reg.predict(X), **FLOAT64_TOLERANCE)


def test_classifier_without_hidden_layer():
    X, y = classification_data(3, ["a", "b", "c"])
    clf = SigmoidNetClassifier((), solver="lbfgs", epochs=50, random_state=0).fit(X, y)
    check_classifier(clf, X)


def test_multilabel_classifier():
    X, y = classification_data(2)
    Y = np.c_[y, 1 - y, X[:, 0] > 0]
    clf = SigmoidNetClassifier((6,), learning_rate=0.01, epochs=50, random_state=0).fit(X, Y)
    check_classifier(clf, X)
    with pytest.raises(RuntimeError, match="zipmap"):
        to_onnx(clf, X[:1].astype(np.float32))


@pytest.mark.parametrize("labels", [None, ["no", "yes", "maybe"]])
def test_classifier_zipmap_gives_one_dict_per_sample(labels):
    X, y = classification_data(3, labels)
    clf = SigmoidNetClassifier((6,), learning_rate=0.01, epochs=50, random_state=0).fit(X, y)
    label, proba_dicts = run_onnx(clf, X.astype(np.float32))
    np.testing.assert_array_equal(label, clf.predict(X))
    assert list(proba_dicts[0]) == clf.classes_.tolist()
    proba = np.array([[row[c] for c in clf.classes_] for row in proba_dicts])
    np.testing.assert_allclose(proba, clf.predict_proba(X), **FLOAT32_TOLERANCE)


def test_classifier_zipmap_columns():
    X, y = classification_data(3, ["a", "b", "c"])
    clf = SigmoidNetClassifier((6,), learning_rate=0.01, epochs=50, random_state=0).fit(X, y)
    label, *columns = run_onnx(clf, X.astype(np.float32), zipmap="columns")
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(np.column_stack(columns), clf.predict_proba(X), **FLOAT32_TOLERANCE)


def test_whole_number_float_and_bool_labels_become_integers():
    for labels in ([1.0, 3.0], [False, True]):
        X, y = classification_data(2, labels)
        clf = SigmoidNetClassifier((4,), learning_rate=0.01, epochs=30, random_state=0).fit(X, y)
        label, _ = run_onnx(clf, X.astype(np.float32), zipmap=False)
        assert label.dtype == np.int64
        np.testing.assert_array_equal(label, clf.predict(X).astype(np.int64))


def test_nocl_gives_class_indices():
    X, y = classification_data(3, ["a", "b", "c"])
    clf = SigmoidNetClassifier((6,), learning_rate=0.01, epochs=50, random_state=0).fit(X, y)
    label, _ = run_onnx(clf, X.astype(np.float32), zipmap=False, nocl=True)
    np.testing.assert_array_equal(label, np.searchsorted(clf.classes_, clf.predict(X)))


# -- pipelines --------------------------------------------------------------


def test_pipeline_with_scaler_regressor():
    X, y = regression_data(2)
    X = X * 50 + 10
    model = make_pipeline(
        StandardScaler(), SigmoidNetRegressor((6, 4), activation="tanh", epochs=30, random_state=0)
    ).fit(X, y)
    (y32,) = run_onnx(model, X.astype(np.float32))
    np.testing.assert_allclose(y32, model.predict(X), **FLOAT32_TOLERANCE)


@pytest.mark.parametrize("labels", [None, ["low", "mid", "high"]])
def test_pipeline_with_scaler_classifier(labels):
    X, y = classification_data(3, labels)
    X = X * 50 + 10
    model = make_pipeline(
        StandardScaler(), SigmoidNetClassifier((6,), learning_rate=0.01, random_state=0)
    ).fit(X, y)
    label, proba = run_onnx(model, X.astype(np.float32), zipmap=False)
    np.testing.assert_array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), **FLOAT32_TOLERANCE)


def test_dataframe_through_column_transformer():
    # skl2onnx makes one graph input per DataFrame column; the network takes
    # the ColumnTransformer's float output
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "size": rng.normal(size=200).astype(np.float32),
            "age": rng.normal(size=200).astype(np.float32),
            "colour": rng.choice(["red", "green", "blue"], 200),
        }
    )
    y = np.where(df["size"] + (df["colour"] == "red") > 0.3, "big", "small")
    model = make_pipeline(
        ColumnTransformer(
            [("scaled", StandardScaler(), ["size", "age"]), ("onehot", OneHotEncoder(), ["colour"])]
        ),
        SigmoidNetClassifier((5,), learning_rate=0.01, epochs=50, random_state=0),
    ).fit(df, y)
    onx = to_onnx(model, df[:1], options={"zipmap": False})
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert [i.name for i in session.get_inputs()] == ["size", "age", "colour"]
    label, proba = session.run(None, {column: df[[column]].to_numpy() for column in df})
    np.testing.assert_array_equal(label, model.predict(df))
    np.testing.assert_allclose(proba, model.predict_proba(df), **FLOAT32_TOLERANCE)


def test_initial_types_name_the_input():
    X, y = regression_data()
    reg = SigmoidNetRegressor((4,), epochs=10, random_state=0).fit(X, y)
    for tensor_type, dtype in [(FloatTensorType, np.float32), (DoubleTensorType, np.float64)]:
        onx = to_onnx(reg, initial_types=[("features", tensor_type([None, X.shape[1]]))])
        session = onnxruntime.InferenceSession(
            onx.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        assert [i.name for i in session.get_inputs()] == ["features"]
        (y_onnx,) = session.run(None, {"features": X.astype(dtype)})
        np.testing.assert_allclose(y_onnx.ravel(), reg.predict(X), **FLOAT32_TOLERANCE)


def test_register_converters_twice_is_harmless():
    register_converters()
    X, y = regression_data()
    reg = SigmoidNetRegressor((4,), epochs=10, random_state=0).fit(X, y)
    (y64,) = run_onnx(reg, X)
    np.testing.assert_allclose(y64.ravel(), reg.predict(X), **FLOAT64_TOLERANCE)


def test_missing_skl2onnx_says_what_to_install(monkeypatch):
    # a None entry in sys.modules makes `import skl2onnx` fail as if it were absent
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    with pytest.raises(ImportError, match=r"pip install sklearn-sigmoidnet\[onnx\]"):
        register_converters()
