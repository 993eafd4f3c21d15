"""The training controls both estimators share: solvers, stopping, continuing, history."""

import importlib.util
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

pytestmark = pytest.mark.oldest_sklearn

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = StandardScaler().fit_transform(X_iris)
X_reg, y_reg = make_regression(n_samples=200, n_features=5, noise=5, random_state=0)
y_reg = y_reg / y_reg.std()

ESTIMATORS = [
    pytest.param(SigmoidNetClassifier, X_iris, y_iris, id="classifier"),
    pytest.param(SigmoidNetRegressor, X_reg, y_reg, id="regressor"),
]


def _quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_lbfgs_fits_and_has_no_partial_fit(Estimator, X, y):
    est = Estimator((10,), solver="lbfgs", epochs=500, random_state=0).fit(X, y)
    assert est.score(X, y) > 0.9
    assert not hasattr(est, "partial_fit")
    assert hasattr(Estimator(solver="adam"), "partial_fit")
    assert len(est.loss_curve_) == est.n_iter_ == est.n_updates_
    assert est.loss_ == pytest.approx(est.loss_curve_[-1], rel=1e-6)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_lbfgs_warns_when_epochs_cap_its_iterations(Estimator, X, y):
    with pytest.warns(ConvergenceWarning, match="lbfgs stopped"):
        est = Estimator((10,), solver="lbfgs", epochs=3, random_state=0).fit(X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_stochastic_solvers_warn_when_epochs_run_out(Estimator, X, y, solver):
    with pytest.warns(ConvergenceWarning, match="ran all epochs=4"):
        est = Estimator((5,), solver=solver, epochs=4, random_state=0).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 4


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_stops_when_the_loss_stalls(Estimator, X, y):
    est = Estimator((10,), learning_rate=0.01, epochs=5000, tol=1e-2, random_state=0)
    est.set_params(n_iter_no_change=10, early_stopping=False).fit(X, y)
    assert est.n_iter_ < 5000
    curve = est.loss_curve_
    # each of the last n_iter_no_change + 1 epochs fell short of the best before it by tol
    assert all(curve[i] > min(curve[:i]) - 1e-2 for i in range(len(curve) - 11, len(curve)))
    assert curve[-12] <= min(curve[:-12]) - 1e-2


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_early_stopping_restores_the_best_weights(Estimator, X, y):
    est = Estimator(
        (10,),
        learning_rate=0.01,
        epochs=300,
        early_stopping=True,
        random_state=0,
        normalize_X=False,
    ).fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ < 300
    assert est.best_validation_score_ == max(scores)
    assert scores.index(max(scores)) < len(scores) - 1 or len(scores) == 300
    assert est.history_["valid_score"] == scores
    assert len(est.history_["valid_loss"]) == len(scores)
    assert est.best_loss_ == min(est.loss_curve_)


def test_early_stopping_holds_out_a_stratified_split():
    y = np.array([0] * 90 + [1] * 10)
    X = np.random.RandomState(0).normal(size=(100, 2)) + y[:, None]
    est = SigmoidNetClassifier((4,), early_stopping=True, validation_fraction=0.2, epochs=2)
    _quietly(est, X, y)  # 20 held out: 2 of the rare class, 18 of the other
    assert est.n_iter_ == 2


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_too_small_a_validation_split_is_a_clear_error(Estimator, X, y):
    est = Estimator(early_stopping=True, validation_fraction=0.01)
    with pytest.raises(ValueError, match="validation_fraction=0.01 .* too few"):
        est.fit(X[::10], y[::10])


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_warm_start_continues_exactly(Estimator, X, y):
    params = dict(hidden_layer_sizes=(6,), shuffle=False, tol=0, early_stopping=False)
    params.update(random_state=0)
    at_once = _quietly(Estimator(epochs=10, **params), X, y)
    warm = Estimator(epochs=4, warm_start=True, **params)
    _quietly(warm, X, y)
    _quietly(warm.set_params(epochs=6), X, y)
    assert warm.n_iter_ == 6
    assert len(warm.loss_curve_) == len(warm.history_["epoch"]) == 10
    assert warm.n_updates_ == at_once.n_updates_
    np.testing.assert_allclose(warm.loss_curve_, at_once.loss_curve_, rtol=1e-12)
    for W_warm, W_once in zip(warm.coefs_, at_once.coefs_):
        np.testing.assert_allclose(W_warm, W_once, rtol=1e-12)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_without_warm_start_fit_starts_over(Estimator, X, y):
    est = Estimator((6,), epochs=3, early_stopping=False, random_state=0)
    _quietly(est, X, y)
    first = [W.copy() for W in est.coefs_]
    _quietly(est, X, y)
    assert est.n_updates_ == 3 * int(np.ceil(len(y) / 32))  # batch_size="auto": 32
    for W, W_first in zip(est.coefs_, first):
        np.testing.assert_array_equal(W, W_first)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_partial_fit_runs_exactly_one_epoch(Estimator, X, y):
    params = dict(hidden_layer_sizes=(6,), shuffle=False, batch_size=32, random_state=0)
    params.update(early_stopping=False)
    extra = {"classes": np.unique(y)} if Estimator is SigmoidNetClassifier else {}
    est = Estimator(**params)
    for _ in range(3):
        est.partial_fit(X, y, **extra)
    assert est.n_iter_ == 1
    assert est.n_updates_ == 3 * int(np.ceil(len(y) / 32))
    fitted = _quietly(Estimator(epochs=3, tol=0, **params), X, y)
    np.testing.assert_allclose(est.loss_curve_, fitted.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_partial_fit_refuses_early_stopping(Estimator, X, y):
    extra = {"classes": np.unique(y)} if Estimator is SigmoidNetClassifier else {}
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        Estimator(early_stopping=True).partial_fit(X, y, **extra)


def test_invscaling_schedule_lowers_eta_every_epoch():
    est = SigmoidNetRegressor((4,), solver="sgd", learning_rate=0.1, epochs=5, tol=0)
    est.set_params(learning_rate_schedule="invscaling", power_t=0.5)
    _quietly(est, X_reg, y_reg)
    np.testing.assert_allclose(est.history_["learning_rate"], 0.1 / np.arange(1, 6) ** 0.5)


def test_adaptive_schedule_divides_eta_by_five_when_stalled():
    est = SigmoidNetRegressor(
        (4,), solver="sgd", learning_rate=0.01, epochs=60, tol=10.0, n_iter_no_change=2
    ).set_params(learning_rate_schedule="adaptive")
    _quietly(est, X_reg, y_reg)
    rates = est.history_["learning_rate"]
    assert rates[0] == 0.01
    steps = {round(a / b, 9) for a, b in zip(rates, rates[1:]) if a != b}
    assert steps == {5.0}
    # as scikit-learn's MLP: divided while above 1e-6, then training stops
    distinct = sorted(set(rates), reverse=True)
    assert distinct[-1] <= 1e-6 < distinct[-2]
    assert est.n_iter_ < 60


def test_constant_schedule_keeps_eta():
    est = _quietly(SigmoidNetRegressor((4,), epochs=3, learning_rate=0.02), X_reg, y_reg)
    assert est.history_["learning_rate"] == [0.02] * 3


def test_one_activation_per_hidden_layer():
    est = SigmoidNetClassifier(
        (8, 6, 4), activation=["relu", "tanh", "sigmoid"], learning_rate=0.01, epochs=200
    ).set_params(random_state=0)
    assert _quietly(est, X_iris, y_iris).score(X_iris, y_iris) > 0.9
    with pytest.raises(ValueError, match="activation has 2 entries .* 3 hidden layers"):
        est.set_params(activation=["relu", "tanh"]).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="'softplus' is not one of"):
        est.set_params(activation=["relu", "tanh", "softplus"]).fit(X_iris, y_iris)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_zero_and_integer_weights_equal_removed_and_repeated_samples(Estimator, X, y):
    weights = np.random.RandomState(0).randint(0, 3, size=len(y))
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", epochs=30, random_state=0)
    weighted = _quietly(Estimator(**params), X, y, sample_weight=weights)
    repeated = _quietly(Estimator(**params), np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_history_is_a_table_of_equal_columns(Estimator, X, y):
    est = _quietly(Estimator((5,), epochs=4, early_stopping=True, random_state=0), X, y)
    table = pd.DataFrame(est.history_)
    assert list(table.columns) == [
        "epoch",
        "train_loss",
        "learning_rate",
        "duration_s",
        "valid_loss",
        "valid_score",
    ]
    assert table["epoch"].tolist() == [1, 2, 3, 4]
    assert table["train_loss"].tolist() == est.loss_curve_
    assert (table["duration_s"] > 0).all()


def test_verbose_prints_one_row_per_epoch_under_one_header(capsys):
    _quietly(SigmoidNetRegressor((4,), epochs=3, verbose=1, early_stopping=True), X_reg, y_reg)
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[0].split() == ["epoch", "train_loss", "valid_loss", "valid_score", "duration_s"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    assert len({len(line) for line in lines}) == 1  # aligned columns


def test_divergence_in_a_warm_start_keeps_the_fitted_weights():
    est = SigmoidNetRegressor((20,), activation="identity", solver="sgd", batch_size=8)
    _quietly(est.set_params(learning_rate=0.01, epochs=5, warm_start=True), X_reg, y_reg)
    fitted = [W.copy() for W in est.coefs_]
    with pytest.warns(ConvergenceWarning, match="Training diverged"):
        est.set_params(learning_rate=10.0).fit(X_reg, y_reg)
    assert est.n_iter_ == 0 and len(est.loss_curve_) == 5
    for W, W_fitted in zip(est.coefs_, fitted):
        np.testing.assert_array_equal(W, W_fitted)
    assert np.isfinite(est.predict(X_reg)).all()


def test_divergence_in_the_first_epoch_is_an_error():
    X = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    with pytest.raises(ValueError, match="diverged before it improved"):
        # unscaled: the network itself sees X near the largest float
        SigmoidNetRegressor(activation="relu", normalize_X=False).fit(X, np.arange(10.0))


class _InterruptingState(np.random.RandomState):
    """Presses Ctrl-C when the given epoch asks for its shuffle."""

    def __init__(self, epoch):
        super().__init__(0)
        self.epochs_left = epoch

    def permutation(self, n):
        self.epochs_left -= 1
        if self.epochs_left == 0:
            raise KeyboardInterrupt
        return super().permutation(n)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_ctrl_c_keeps_the_last_complete_epoch(Estimator, X, y):
    est = Estimator((4,), batch_size=16, epochs=10, random_state=_InterruptingState(epoch=3))
    est.set_params(early_stopping=False)  # a validation split would draw a permutation too
    with pytest.warns(UserWarning, match="interrupted by the user"):
        est.fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 2
    # in the first epoch of a warm start there is none of this call's: the interrupt goes on
    est.set_params(warm_start=True, random_state=_InterruptingState(epoch=1))
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 2


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_predictions_follow_the_fitted_activations_not_the_parameter(Estimator, X, y):
    est = _quietly(Estimator((4, 3), activation=["tanh", "relu"], epochs=5, random_state=0), X, y)
    assert est.hidden_activations_ == ["tanh", "relu"]
    before = est.predict(X)
    for activation in ["sigmoid", ["relu"], ["relu", "tanh", "identity"]]:
        est.set_params(activation=activation)
        np.testing.assert_array_equal(est.predict(X), before)


def test_continuing_reads_the_optimiser_state_once_per_call(monkeypatch):
    from sklearn_sigmoidnet._optimizers import Adam

    reads = []
    state = Adam.state
    monkeypatch.setattr(
        Adam, "state", property(lambda self: reads.append(1) or state.fget(self), state.fset)
    )
    est = SigmoidNetRegressor((4,), random_state=0)
    for _ in range(3):
        est.partial_fit(X_reg, y_reg)
    assert len(reads) == 3  # once per call, to hand the state on


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_same_random_state_same_model(Estimator, X, y):
    fits = [_quietly(Estimator((5,), epochs=5, batch_size=16, random_state=3), X, y) for _ in "ab"]
    np.testing.assert_array_equal(fits[0].coefs_[0], fits[1].coefs_[0])


def test_callbacks_are_offered_exactly_where_scikit_learn_has_the_api():
    has_api = importlib.util.find_spec("sklearn.callback") is not None
    assert hasattr(SigmoidNetRegressor(), "set_callbacks") == has_api
    assert hasattr(SigmoidNetClassifier(), "set_callbacks") == has_api


def test_parameter_names_match_the_contract():
    names = set(SigmoidNetRegressor().get_params())
    assert {"hidden_layer_sizes", "epochs", "learning_rate", "batch_size", "loss"} <= names
    regressor_only = {"normalize_y", "quantile"}
    assert set(SigmoidNetClassifier().get_params()) == names - regressor_only | {"class_weight"}
    assert re.search(r"hidden_layer_sizes=\(3,\)", repr(SigmoidNetRegressor((3,))))


def test_warm_start_can_switch_early_stopping_on():
    est = SigmoidNetRegressor((5,), epochs=3, warm_start=True, early_stopping=False)
    _quietly(est.set_params(random_state=0), X_reg, y_reg)
    _quietly(est.set_params(early_stopping=True, epochs=4), X_reg, y_reg)
    table = pd.DataFrame(est.history_)
    assert len(table) == 3 + est.n_iter_
    assert table["valid_score"][:3].isna().all()
    assert table["valid_score"][3:].tolist() == est.validation_scores_


def test_larger_alpha_gives_smaller_weights():
    norms = []
    for alpha in [0.0, 1.0, 10.0]:
        est = _quietly(
            SigmoidNetRegressor((10,), alpha=alpha, epochs=50, random_state=0), X_reg, y_reg
        )
        norms.append(sum(np.sum(W**2) for W in est.coefs_))
    assert norms[0] > norms[1] > norms[2]


def test_shuffle_changes_the_batches_and_stays_reproducible():
    def fit(shuffle, seed):
        est = SigmoidNetRegressor((5,), epochs=3, batch_size=16, shuffle=shuffle, random_state=0)
        est.set_params(random_state=seed)
        return _quietly(est, X_reg, y_reg).coefs_[0]

    np.testing.assert_array_equal(fit(True, 0), fit(True, 0))
    assert not np.allclose(fit(True, 0), fit(False, 0))


def test_infinite_patience_runs_every_epoch_as_asked():
    est = SigmoidNetRegressor((5,), epochs=30, tol=10.0, n_iter_no_change=np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # all epochs were asked for
        est.fit(X_reg, y_reg)
    assert est.n_iter_ == 30


def test_early_stopping_with_string_labels():
    labels = np.array(["setosa", "versicolor", "virginica"])[y_iris]
    est = _quietly(
        SigmoidNetClassifier((5,), learning_rate=0.05, early_stopping=True, random_state=0),
        X_iris,
        labels,
    )
    assert set(est.predict(X_iris)) <= set(labels)
    assert est.set_params(scoring=None).fit(X_iris, labels).best_validation_score_ > 0.8


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS)
def test_unit_weights_equal_no_weights_with_early_stopping(Estimator, X, y):
    params = dict(hidden_layer_sizes=(5,), early_stopping=True, batch_size=16, random_state=0)
    weighted = _quietly(Estimator(**params), X, y, sample_weight=np.ones(len(y)))
    plain = _quietly(Estimator(**params), X, y)
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X))


def test_invscaling_counts_epochs_across_warm_starts():
    est = SigmoidNetRegressor((4,), solver="sgd", learning_rate=0.1, epochs=2, warm_start=True)
    est.set_params(learning_rate_schedule="invscaling", power_t=0.25, tol=0)
    _quietly(est, X_reg, y_reg)
    _quietly(est, X_reg, y_reg)
    assert est.history_["learning_rate"][-1] == pytest.approx(0.1 / 4**0.25)


def test_warm_start_refuses_new_classes_and_new_layers():
    est = _quietly(SigmoidNetClassifier((4,), epochs=2, warm_start=True), X_iris, y_iris)
    with pytest.raises(ValueError, match=r"labels \[3\] that are not in classes_"):
        est.fit(X_iris, np.where(y_iris == 2, 3, y_iris))
    with pytest.raises(ValueError, match="layer shapes"):
        est.set_params(hidden_layer_sizes=(5,)).fit(X_iris, y_iris)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_losses_are_python_floats_with_sample_weight(solver):
    # plain floats keep the fitted state free of numpy scalar types
    est = SigmoidNetRegressor((4,), solver=solver, epochs=3, random_state=0)
    est.fit(X_reg, y_reg, sample_weight=np.ones(len(y_reg)))
    assert type(est.loss_) is float and type(est.best_loss_) is float
    assert all(type(loss) is float for loss in est.loss_curve_)
    assert all(type(loss) is float for loss in est.history_["train_loss"])


@pytest.mark.parametrize("batch_size", [10, 50, 200])
def test_alpha_is_the_same_penalty_whatever_the_batch_size(batch_size):
    # L(θ) = mean ½ e² + ½ α ‖w‖² / N for every batch: a linear network is ridge regression
    from sklearn.linear_model import Ridge

    X, y = make_regression(n_samples=200, n_features=3, noise=10, random_state=0)
    X, y = StandardScaler().fit_transform(X), y / y.std()
    net = SigmoidNetRegressor((), alpha=50.0, solver="sgd", learning_rate=0.01, epochs=400)
    net.set_params(batch_size=batch_size, normalize_y=False, early_stopping=False, tol=0)
    _quietly(net.set_params(learning_rate_schedule="invscaling", random_state=0), X, y)
    ridge = Ridge(alpha=50.0).fit(X, y)
    np.testing.assert_allclose(net.coefs_[0].ravel(), ridge.coef_, atol=1e-2)
