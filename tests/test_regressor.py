"""SigmoidNetRegressor on real and generated data, and its losses."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_diabetes, make_regression
from sklearn.linear_model import LinearRegression, PoissonRegressor
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetRegressor

pytestmark = pytest.mark.oldest_sklearn


def _piecewise_linear(n=400, seed=0):
    # the lecture's red curve: flat, up, down, flat
    rng = np.random.RandomState(seed)
    x = rng.uniform(-3, 3, size=n)
    y = np.interp(x, [-3, -1, 0.5, 2, 3], [0, 0, 2, 0.5, 0.5])
    return x.reshape(-1, 1), y


def test_sigmoid_sum_removes_the_model_bias_of_a_line():
    X, y = _piecewise_linear()
    line = LinearRegression().fit(X, y).score(X, y)
    net = SigmoidNetRegressor(
        (10,), learning_rate=0.05, epochs=500, batch_size=40, random_state=0
    ).fit(X, y)
    assert line < 0.3
    assert net.score(X, y) > 0.97


def test_diabetes_held_out_score_matches_a_linear_model():
    X, y = load_diabetes(return_X_y=True)
    y = y / y.std()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    linear = LinearRegression().fit(X_train, y_train).score(X_test, y_test)
    net = SigmoidNetRegressor((8,), alpha=1.0, learning_rate=0.01, epochs=300, random_state=0)
    net.fit(X_train, y_train)
    assert net.score(X_test, y_test) > linear - 0.02


def test_multi_output_regression():
    X, y = make_regression(n_samples=300, n_features=5, n_targets=3, random_state=0)
    y = y / y.std(axis=0)
    net = SigmoidNetRegressor((30,), learning_rate=0.01, epochs=300, random_state=0).fit(X, y)
    assert net.n_outputs_ == 3
    assert net.predict(X).shape == (300, 3)
    assert net.score(X, y) > 0.95


def test_one_dimensional_y_gives_one_dimensional_predictions():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    net = SigmoidNetRegressor((5,), epochs=5).fit(X, y)
    assert net.predict(X).shape == (50,)


def test_no_hidden_layer_is_linear_regression():
    X, y = make_regression(n_samples=100, n_features=4, noise=1, random_state=0)
    net = SigmoidNetRegressor((), solver="lbfgs", alpha=0, tol=1e-10, epochs=1000).fit(X, y)
    expected = LinearRegression().fit(X, y).predict(X)
    np.testing.assert_allclose(net.predict(X), expected, atol=1e-4 * y.std())


def test_poisson_without_hidden_layer_is_the_poisson_glm():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, size=(200, 2))
    y = rng.poisson(np.exp(X @ [1.0, -0.5] + 0.5))
    glm = PoissonRegressor(alpha=0, tol=1e-10).fit(X, y)
    net = SigmoidNetRegressor((), loss="poisson", solver="lbfgs", alpha=0, tol=1e-10).fit(X, y)
    assert net.out_activation_ == "exp"
    np.testing.assert_allclose(net.predict(X), glm.predict(X), rtol=1e-4)


def test_poisson_refuses_negative_targets():
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    with pytest.raises(ValueError, match="poisson.*y >= 0"):
        SigmoidNetRegressor(loss="poisson").fit(X, y)


@pytest.mark.parametrize(
    "targets", [["a", "b", "c"], np.array(["2020-01-01"] * 3, dtype="datetime64[D]")]
)
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_targets_that_are_not_numbers_are_a_clear_error(targets, loss):
    with pytest.raises(ValueError, match="numeric targets y; got dtype"):
        SigmoidNetRegressor(loss=loss).fit([[0.0], [1.0], [2.0]], targets)


@pytest.mark.parametrize("robust_loss", ["absolute_error", "huber"])
def test_robust_losses_ignore_outliers_that_pull_mse(robust_loss):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    y = 2 * X[:, 0]
    y_dirty = y.copy()
    y_dirty[:20] += 30  # a tenth of the targets far off
    params = dict(hidden_layer_sizes=(), learning_rate=0.05, epochs=300, random_state=0)
    params.update(early_stopping=False)
    mse = SigmoidNetRegressor(**params).fit(X, y_dirty)
    robust = SigmoidNetRegressor(loss=robust_loss, **params).fit(X, y_dirty)
    clean_error = {
        name: np.abs(model.predict(X[20:]) - y[20:]).mean()
        for name, model in [("mse", mse), ("robust", robust)]
    }
    assert clean_error["robust"] < 0.3
    assert clean_error["mse"] > 5 * clean_error["robust"]


def test_float32_trains_and_predicts_in_float32():
    X, y = make_regression(n_samples=100, n_features=4, random_state=0)
    net = SigmoidNetRegressor((6,), epochs=3).fit(X.astype(np.float32), y.astype(np.float32))
    assert all(W.dtype == np.float32 for W in net.coefs_ + net.intercepts_)
    assert all(
        v.dtype == np.float32 for v in (net._optimizer_state["m"], net._optimizer_state["v"])
    )
    assert net.predict(X.astype(np.float32)).dtype == np.float32
    net64 = SigmoidNetRegressor((6,), epochs=3).fit(X, y)
    assert net64.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array])
def test_sparse_input_fits_as_dense(container):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 10)) * (rng.uniform(size=(120, 10)) < 0.3)
    y = X @ rng.normal(size=10)
    # unscaled: sparse X is never centred, dense X is
    params = dict(
        hidden_layer_sizes=(5,), epochs=5, batch_size=16, random_state=0, normalize_X=False
    )
    dense = SigmoidNetRegressor(**params).fit(X, y)
    sparse_net = SigmoidNetRegressor(**params).fit(container(X), y)
    np.testing.assert_allclose(sparse_net.predict(container(X)), dense.predict(X), rtol=1e-10)


def test_updates_follow_the_lecture_arithmetic():
    # N = 10,000 and B = 10: 1,000 updates an epoch; B = 100: 100
    X, y = make_regression(n_samples=10_000, n_features=2, random_state=0)
    y = y / y.std()
    for batch_size, per_epoch in [(10, 1_000), (100, 100)]:
        net = SigmoidNetRegressor((3,), batch_size=batch_size, epochs=2, tol=0, random_state=0)
        net.set_params(n_iter_no_change=np.inf, early_stopping=False).fit(X, y)
        assert net.n_iter_ == 2
        assert net.n_updates_ == 2 * per_epoch


def test_pipeline_in_grid_search_with_two_jobs():
    X, y = make_regression(n_samples=200, n_features=4, noise=1, random_state=0)
    y = y / y.std()
    pipe = Pipeline([("scale", StandardScaler()), ("net", SigmoidNetRegressor(random_state=0))])
    grid = {
        "net__hidden_layer_sizes": [(5,), (10, 5)],
        "net__batch_size": [16, 64],
        "net__epochs": [5, 20],
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_params_["net__epochs"] == 20
    assert np.isfinite(search.best_score_)
