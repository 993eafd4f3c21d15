"""Numeric columns as piecewise-linear ramps between their quantiles (``numeric_bins``)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._input_columns import ramps
from sklearn_sigmoidnet._network import feedforward
from sklearn_sigmoidnet._statistics import quantile_edges


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_ramps_rise_across_their_bins_and_go_on_beyond_the_ends():
    edges = np.array([0.0, 1.0, 3.0])
    x = np.array([-1.0, 0.5, 1.0, 2.0, 5.0])
    expected = [[-1, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 2]]
    np.testing.assert_allclose(ramps(x, edges), expected)
    # a weighted sum of them is continuous and linear in each bin: c + Σ wₜ rampₜ(x)
    grid = np.linspace(-2, 6, 801)
    f = ramps(grid, edges) @ [2.0, -1.0]
    slopes = np.diff(f) / np.diff(grid)
    np.testing.assert_allclose(slopes[grid[1:] < 1], 2.0)
    np.testing.assert_allclose(slopes[grid[:-1] > 1], -0.5)
    assert np.abs(np.diff(f)).max() < 0.03  # no jump


def test_quantile_edges_are_weighted_and_leave_out_missing_and_weightless_rows():
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan, 100.0])
    weights = np.array([1.0, 1.0, 1.0, 1.0, 5.0, 0.0])
    np.testing.assert_array_equal(quantile_edges(values, weights, 2), [1.0, 2.0, 4.0])
    # heavier rows draw the quantiles to them; a value of more than a bin's weight
    # is one edge
    heavy = quantile_edges(np.array([0.0, 1.0, 2.0]), np.array([1.0, 8.0, 1.0]), 4)
    np.testing.assert_array_equal(heavy, [0.0, 1.0, 2.0])
    assert quantile_edges(np.full(5, np.nan), None, 4).size == 0


def step_data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.exponential(size=n),
                      "flag": rng.integers(0, 2, n).astype(float)})  # fmt: skip
    y = 2.0 * (X["x"] > 0.3) + np.log1p(X["z"]) + 0.5 * X["flag"] + 0.05 * rng.normal(size=n)
    return X, y


def test_each_numeric_column_gets_a_row_per_ramp_and_a_01_column_stays_a_value():
    X, y = step_data()
    model = SigmoidNetRegressor((8,), numeric_bins=5, epochs=5, random_state=0).fit(X, y)
    names = list(model.input_names_)
    assert names == [f"x_bin{t}" for t in range(5)] + [f"z_bin{t}" for t in range(5)] + ["flag"]
    assert model.coefs_[0].shape == (11, 8)
    # the edges are the training rows' quantiles
    edges = model._input_encoding.ramps[0]
    np.testing.assert_allclose(edges, np.quantile(X["x"], np.linspace(0, 1, 6)), atol=0.01)


def test_the_ramps_fit_a_step_better_than_the_values():
    X, y = step_data()
    train, test = slice(0, 1000), slice(1000, None)
    scores = [
        SigmoidNetRegressor((8,), numeric_bins=bins, random_state=0)
        .fit(X[train], y[train]).score(X[test], y[test])
        for bins in (None, 16)
    ]  # fmt: skip
    assert scores[1] > scores[0] + 0.01, scores


def test_the_fitted_network_alone_predicts_from_the_ramps_of_x_in_its_own_units():
    # the linear columns' scaling folds into W; the ramps take x as it is, in
    # training as after it: the first layer of the trained (unfolded) network on
    # the training inputs equals the fitted one on the inputs in x's units
    X, y = step_data()
    X.loc[::9, "z"] = np.nan  # a fill and an indicator too
    X["colour"] = pd.Categorical(np.resize(["red", "green", "blue"], len(X)))
    model = SigmoidNetRegressor((8,), numeric_bins=6, epochs=10, random_state=0).fit(X, y)
    inputs = model._input_encoding
    checked = inputs.check(X)
    U = inputs.encode(checked, scaled=False)
    U_train = inputs.encode(checked, scaled=True)
    W, b = inputs.unfold(model.coefs_[0], model.intercepts_[0])
    n_dense = U.shape[1] - inputs.n_category_columns
    np.testing.assert_allclose(U_train[:, :n_dense] @ W[:n_dense] + b,
                               U[:, :n_dense] @ model.coefs_[0][:n_dense] + model.intercepts_[0],
                               rtol=1e-9, atol=1e-9)  # fmt: skip
    activations = [model.activation] + [model.out_activation_]
    out = feedforward(U, model.coefs_, model.intercepts_, activations, inputs.n_category_columns)
    np.testing.assert_allclose(out[-1].ravel(), model.predict(X), rtol=1e-12)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_training_goes_on_from_the_fitted_ramps(solver):
    X, y = step_data()
    model = SigmoidNetRegressor((8,), numeric_bins=4, solver=solver, epochs=3,
                                warm_start=True, random_state=0).fit(X, y)  # fmt: skip
    first = model.loss_
    model.fit(X, y)
    assert model.coefs_[0].shape == (9, 8) and model.loss_ < first
    if solver == "adam":
        model = SigmoidNetClassifier((4,), numeric_bins=4, random_state=0)
        for _ in range(2):
            model.partial_fit(X, y > 2, classes=[False, True])
        assert model.coefs_[0].shape == (9, 4)


def test_a_sparse_x_is_refused_with_a_message_that_says_why():
    X, y = step_data()
    with pytest.raises(TypeError, match="numeric_bins=4 .* X is sparse"):
        SigmoidNetRegressor(numeric_bins=4).fit(sparse.csr_matrix(X.to_numpy()), y)


def test_the_onnx_export_refuses_a_model_with_ramps():
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx

    from sklearn_sigmoidnet.onnx import register_converters

    register_converters()
    X, y = step_data()
    model = SigmoidNetRegressor((4,), numeric_bins=4, epochs=3, random_state=0)
    model.fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="ramps"):
        to_onnx(model, X.to_numpy()[:1])
