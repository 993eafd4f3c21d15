"""The displays: what they draw is what the fitted network holds."""

import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import (
    LossCurveDisplay,
    SigmoidNetClassifier,
    SigmoidNetRegressor,
    SigmoidSumDisplay,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIT = {"learning_rate": 0.01, "random_state": 0}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def curve_data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(120, 2))
    y = np.abs(X[:, 0]) + 0.3 * X[:, 1]
    return X, y


# -- LossCurveDisplay -------------------------------------------------------------


def test_loss_curve_draws_the_training_loss(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((4,), epochs=15, early_stopping=False, **FIT), X, y)
    display = LossCurveDisplay.from_estimator(net)
    np.testing.assert_array_equal(display.train_line_.get_xdata(), np.arange(1, 16))
    np.testing.assert_allclose(display.train_line_.get_ydata(), net.loss_curve_)
    assert display.valid_line_ is None
    assert display.ax_.get_xlabel() == "epoch"
    assert display.figure_ is display.ax_.figure
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == ["SigmoidNetRegressor: training loss"]


def test_loss_curve_draws_the_validation_loss_of_early_stopping(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((4,), epochs=12, early_stopping=True, **FIT), X, y)
    display = LossCurveDisplay.from_estimator(net, name="net")
    np.testing.assert_allclose(display.valid_line_.get_ydata(), net.history_["valid_loss"])
    np.testing.assert_array_equal(display.valid_line_.get_xdata(), display.train_line_.get_xdata())
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == ["net: training loss", "net: validation loss"]


def test_loss_curve_against_updates_counts_ceil_n_over_b(curve_data):
    X, y = curve_data  # 120 samples in batches of 50: 3 updates per epoch
    net = SigmoidNetRegressor((4,), epochs=5, batch_size=50, shuffle=False, **FIT)
    net = _fit(net.set_params(early_stopping=False), X, y)
    display = LossCurveDisplay.from_estimator(net, x="update")
    np.testing.assert_allclose(display.train_line_.get_xdata(), [3, 6, 9, 12, 15])
    assert display.train_line_.get_xdata()[-1] == net.n_updates_
    assert display.ax_.get_xlabel() == "updates"


def test_loss_curve_of_lbfgs_counts_iterations(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((4,), solver="lbfgs", epochs=20, random_state=0), X, y)
    display = LossCurveDisplay.from_estimator(net)
    assert display.ax_.get_xlabel() == "iteration"
    np.testing.assert_allclose(display.train_line_.get_ydata(), net.loss_curve_)


def test_loss_curve_draws_on_given_axes_and_takes_line_styles(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((4,), epochs=5, **FIT), X, y)
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(net, ax=ax, train_kw={"color": "red"})
    assert display.ax_ is ax
    assert display.train_line_.get_color() == "red"


def test_loss_curve_rejects_unknown_x_and_unfitted_estimators(curve_data):
    with pytest.raises(ValueError, match="x must be"):
        LossCurveDisplay.from_estimator(SigmoidNetRegressor(), x="batch")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(SigmoidNetRegressor())


# -- SigmoidSumDisplay ------------------------------------------------------------


def _piece_sum(display):
    pieces = [line.get_ydata() for line in display.piece_lines_]
    return display.constant_line_.get_ydata()[0] + np.sum(pieces, axis=0)


def test_pieces_and_constant_sum_to_the_curve(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((5,), epochs=30, **FIT), X, y)
    display = SigmoidSumDisplay.from_estimator(net, X, feature=0, y=y, grid_resolution=50)
    grid = display.curve_line_.get_xdata()
    assert len(display.piece_lines_) == 5
    np.testing.assert_allclose(grid, np.linspace(X[:, 0].min(), X[:, 0].max(), 50))
    np.testing.assert_allclose(_piece_sum(display), display.curve_line_.get_ydata())
    np.testing.assert_allclose(display.constant_line_.get_ydata(), net.intercepts_[-1][0])
    # the other feature is held at its mean, so the curve is the prediction there
    rows = np.column_stack([grid, np.full(50, X[:, 1].mean())])
    np.testing.assert_allclose(display.curve_line_.get_ydata(), net.predict(rows))
    np.testing.assert_allclose(display.data_points_.get_offsets(), np.column_stack([X[:, 0], y]))
    assert display.ax_.get_xlabel() == "x1"
    assert display.ax_.get_ylabel() == "ŷ"


def test_fixed_values_grid_range_and_no_data(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((3,), epochs=10, **FIT), X, y)
    display = SigmoidSumDisplay.from_estimator(
        net, X, feature=1, fixed={0: 1.5}, grid_range=(-1, 1), grid_resolution=5
    )
    rows = np.column_stack([np.full(5, 1.5), np.linspace(-1, 1, 5)])
    np.testing.assert_allclose(display.curve_line_.get_ydata(), net.predict(rows))
    assert display.data_points_ is None


def test_classifier_curve_is_the_decision_function():
    X, y = make_classification(
        n_samples=90, n_features=3, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    labels = np.array(["a", "b", "c"])[y]
    clf = _fit(SigmoidNetClassifier((4,), epochs=10, **FIT), X, labels)
    display = SigmoidSumDisplay.from_estimator(clf, X, feature=2, target="c", grid_resolution=7)
    grid = display.curve_line_.get_xdata()
    rows = np.tile(X.mean(axis=0), (7, 1))
    rows[:, 2] = grid
    np.testing.assert_allclose(display.curve_line_.get_ydata(), clf.decision_function(rows)[:, 2])
    np.testing.assert_allclose(_piece_sum(display), display.curve_line_.get_ydata())
    with pytest.raises(ValueError, match="not one of classes_"):
        SigmoidSumDisplay.from_estimator(clf, X, feature=0, target="z")


def test_binary_classifier_curve_is_the_decision_function(curve_data):
    X, y = curve_data
    labels = np.where(y > np.median(y), "high", "low")
    clf = _fit(SigmoidNetClassifier((3,), epochs=10, **FIT), X, labels)
    display = SigmoidSumDisplay.from_estimator(clf, X, feature=0, grid_resolution=5)
    rows = np.column_stack([display.grid, np.full(5, X[:, 1].mean())])
    np.testing.assert_allclose(display.curve_line_.get_ydata(), clf.decision_function(rows))
    assert display.ax_.get_ylabel() == "raw output r (decision_function)"


def test_a_non_numeric_feature_is_a_clear_error():
    frame = pd.DataFrame({"x": np.linspace(0, 1, 20), "city": ["a", "b"] * 10})
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough"),
        SigmoidNetRegressor((2,), epochs=5, **FIT),
    )
    _fit(model, frame, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="not numeric"):
        SigmoidSumDisplay.from_estimator(model, frame, "city")


def test_multi_output_regressor_takes_an_output_index(curve_data):
    X, y = curve_data
    Y = np.column_stack([y, -y])
    net = _fit(SigmoidNetRegressor((3,), epochs=10, **FIT), X, Y)
    display = SigmoidSumDisplay.from_estimator(net, X, feature=0, target=1, grid_resolution=4)
    rows = np.column_stack([display.grid, np.full(4, X[:, 1].mean())])
    np.testing.assert_allclose(display.curve_line_.get_ydata(), net.predict(rows)[:, 1])
    with pytest.raises(ValueError, match="output index"):
        SigmoidSumDisplay.from_estimator(net, X, feature=0, target=2)


def test_pipeline_with_dataframe_keeps_the_original_units():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "size": rng.uniform(50, 150, 80),
            "city": rng.choice(["x", "y", "x"], 80),
            "age": rng.uniform(0, 30, 80),
        }
    )
    y = frame["size"] / 50 + (frame["city"] == "x")
    model = make_pipeline(
        make_column_transformer((StandardScaler(), ["size", "age"]), (OneHotEncoder(), ["city"])),
        SigmoidNetRegressor((4,), epochs=10, **FIT),
    )
    _fit(model, frame, y)
    display = SigmoidSumDisplay.from_estimator(model, frame, "size", grid_resolution=6)
    assert display.ax_.get_xlabel() == "size"
    grid = display.curve_line_.get_xdata()
    assert grid[0] == frame["size"].min() and grid[-1] == frame["size"].max()
    rows = pd.DataFrame({"size": grid, "city": "x", "age": frame["age"].mean()})
    np.testing.assert_allclose(display.curve_line_.get_ydata(), model.predict(rows))


def test_plot_again_on_other_axes(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((3,), epochs=5, **FIT), X, y)
    display = SigmoidSumDisplay.from_estimator(net, X, 0)
    _, ax = plt.subplots()
    display.plot(ax=ax, piece_kw={"color": "green"})
    assert display.ax_ is ax
    assert all(line.get_color() == "green" for line in display.piece_lines_)


@pytest.mark.parametrize(
    "feature, message", [(5, "out of range"), ("size", "not a column name"), (1.5, "index or")]
)
def test_bad_feature_is_a_clear_error(curve_data, feature, message):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((3,), epochs=5, **FIT), X, y)
    with pytest.raises(ValueError, match=message):
        SigmoidSumDisplay.from_estimator(net, X, feature)


def test_no_hidden_layer_is_a_clear_error(curve_data):
    X, y = curve_data
    net = _fit(SigmoidNetRegressor((), epochs=5, **FIT), X, y)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        SigmoidSumDisplay.from_estimator(net, X, 0)


# -- without matplotlib -----------------------------------------------------------


def test_package_imports_and_displays_explain_without_matplotlib():
    # a fresh interpreter in which importing matplotlib fails
    code = """
import sys
sys.modules["matplotlib"] = None
import numpy as np
from sklearn_sigmoidnet import LossCurveDisplay, SigmoidNetRegressor
display = LossCurveDisplay(steps=[1], train_loss=[1.0])
try:
    display.plot()
except ImportError as error:
    print(error)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install sklearn-sigmoidnet[plot]" in result.stdout
