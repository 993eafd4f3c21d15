"""The estimator's parameters resolved once per fit (``_settings.FitPlan``)."""

import dataclasses
import math

import numpy as np
import pytest

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._settings import AUTO_EARLY_STOPPING_SAMPLES, plan_fit
from sklearn_sigmoidnet._target_encoding import LabelTargets, ScaledTargets

pytestmark = pytest.mark.oldest_sklearn

TARGETS = ScaledTargets("squared_error", None, True)


def test_the_plan_resolves_the_architecture_and_the_auto_learning_rate():
    plan = plan_fit(SigmoidNetRegressor(7, activation="logistic"), TARGETS, False)
    assert plan.hidden_layer_sizes == (7,) and plan.hidden_activations == ("sigmoid",)
    assert plan.settings.learning_rate == 0.005  # sigmoid units take larger steps
    plan = plan_fit(SigmoidNetRegressor((3, 4), activation=["relu", "sigmoid"]), TARGETS, False)
    assert plan.hidden_activations == ("relu", "sigmoid") and plan.settings.learning_rate == 0.001
    assert plan_fit(SigmoidNetRegressor(learning_rate=0.3), TARGETS, False).settings.learning_rate \
        == 0.3  # fmt: skip


def test_the_plan_is_frozen():
    plan = plan_fit(SigmoidNetRegressor(), TARGETS, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.solver = "sgd"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.settings.epochs = 3


@pytest.mark.parametrize(
    "params, incremental, n_rows, holds_out",
    [
        ({}, False, AUTO_EARLY_STOPPING_SAMPLES, True),
        ({}, False, AUTO_EARLY_STOPPING_SAMPLES - 1, False),
        ({"early_stopping": True}, False, 10, True),
        ({"early_stopping": False}, False, 10**6, False),
        ({"solver": "lbfgs", "early_stopping": True}, False, 10**6, False),
        ({}, True, 10**6, False),  # partial_fit holds nothing out
    ],
)
def test_when_early_stopping_holds_out_rows(params, incremental, n_rows, holds_out):
    plan = plan_fit(SigmoidNetRegressor(**params), TARGETS, incremental)
    assert plan.holds_out(n_rows) is holds_out


def test_run_settings_resolve_the_batch_size_for_the_training_rows():
    plan = plan_fit(SigmoidNetRegressor(), TARGETS, False)
    assert plan.run_settings(1000).batch_size == 32 and plan.run_settings(10).batch_size == 10
    assert plan_fit(SigmoidNetRegressor(solver="lbfgs"), TARGETS, False).run_settings(
        77
    ).batch_size == 77  # fmt: skip
    plan = plan_fit(SigmoidNetRegressor(batch_size=50), TARGETS, False)
    with pytest.warns(UserWarning, match="batch_size=50 is larger than the 20 training samples"):
        assert plan.run_settings(20).batch_size == 20
    assert plan.settings.batch_size == 0  # the plan itself is untouched


def test_partial_fit_plans_one_epoch_and_no_stopping_rule():
    settings = plan_fit(SigmoidNetRegressor(epochs=50), TARGETS, True).run_settings(100)
    assert settings.epochs == 1 and not settings.stopping_rule
    settings = plan_fit(SigmoidNetRegressor(epochs=50), TARGETS, False).run_settings(100)
    assert settings.epochs == 50 and settings.stopping_rule


def test_the_loss_comes_from_the_target_encoding():
    targets = ScaledTargets("quantile", 0.9, True)
    settings = plan_fit(SigmoidNetRegressor(), targets, False).settings
    assert (settings.loss, settings.quantile_level) == ("quantile", 0.9)
    labels = LabelTargets(None)
    labels.fit(np.array([0, 1, 2, 1]), None)
    settings = plan_fit(SigmoidNetClassifier(), labels, False).settings
    assert (settings.loss, settings.quantile_level) == ("log_loss", None)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_the_optimizer_continues_a_state_of_its_own_solver_only(solver):
    network = Network([3, 4, 1], ["sigmoid"], "identity", np.float64)
    plan = plan_fit(SigmoidNetRegressor(solver=solver, momentum=0.5, beta_1=0.8), TARGETS, False)
    fresh = plan.optimizer(network, None)
    assert fresh.name == solver and fresh.learning_rate == plan.settings.learning_rate
    given = fresh.momentum if solver == "sgd" else fresh.beta_1
    assert given == (0.5 if solver == "sgd" else 0.8)
    fresh.step(network.theta, np.ones_like(network.theta))
    state = fresh.state
    assert plan.optimizer(network, state).state["solver"] == solver
    for key, value in plan.optimizer(network, state).state.items():
        np.testing.assert_array_equal(value, state[key])
    other = {"solver": "sgd" if solver == "adam" else "adam"}
    continued = plan.optimizer(network, other).state
    assert all(not np.any(value) for key, value in continued.items() if key != "solver")
    assert math.isinf(plan_fit(SigmoidNetRegressor(solver="lbfgs"), TARGETS, False)
                      .validation_from_rows)  # fmt: skip
