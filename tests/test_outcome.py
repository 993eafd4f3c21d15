"""How a training run's end is said to the user (``_outcome.raise_or_warn``)."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_sigmoidnet._outcome import raise_or_warn
from sklearn_sigmoidnet._run import Progress, TrainingResult
from sklearn_sigmoidnet._settings import Settings

pytestmark = pytest.mark.oldest_sklearn

SETTINGS = Settings(
    loss="squared_error", alpha=1e-4, epochs=30, batch_size=8, learning_rate=0.5,
    schedule="constant", power_t=0.5, shuffle=True, tol=1e-4, n_iter_no_change=5,
    stopping_rule=True,
)  # fmt: skip


class Data:
    def __init__(self, largest):
        self.largest = largest

    def largest_values(self):
        return self.largest


def result(outcome, *, start=1.0, best=0.5, message="what happened"):
    return TrainingResult(Progress(start_loss=start, best_loss=best, loss=best), 3, 12, outcome,
                          message)  # fmt: skip


def say(run_result, *, solver="adam", continuing=False, largest=None):
    raise_or_warn(run_result, solver, SETTINGS, continuing=continuing,
                  data=Data(largest or {"X": 1.0, "y": 2.0}))  # fmt: skip


@pytest.mark.parametrize("outcome", ["converged", "done", "stopped"])
def test_a_run_that_ended_well_says_nothing(outcome):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        say(result(outcome))


def test_a_first_fit_that_diverged_before_improving_raises_with_its_likely_causes():
    with pytest.raises(ValueError, match="diverged before it improved.*the loss blew up") as error:
        say(result("diverged", best=1.0, message="the loss blew up"), largest={"X": 5e4, "y": 1})
    assert "X holds values as large as 5e+04; scale it" in str(error.value)
    assert "learning_rate=0.5 may be too large" in str(error.value)


def test_lbfgs_has_no_learning_rate_to_blame():
    with pytest.raises(ValueError) as error:
        say(result("diverged", best=1.0), solver="lbfgs")
    assert "learning_rate" not in str(error.value)


def test_a_first_fit_that_did_not_lower_the_loss_warns():
    with pytest.warns(ConvergenceWarning, match="did not lower the loss from .* 1"):
        say(result("converged", best=1.0))


def test_a_run_that_diverged_after_improving_warns_and_keeps_its_best_weights():
    with pytest.warns(ConvergenceWarning, match="lowest training loss are kept and the optimiser"):
        say(result("diverged"))
    with pytest.warns(ConvergenceWarning, match="diverged"):  # a continuing fit never raises
        say(result("diverged", best=1.0), continuing=True)


def test_an_interrupted_run_and_one_that_ran_out_warn():
    with pytest.warns(UserWarning, match="interrupted by the user"):
        say(result("interrupted"))
    with pytest.warns(ConvergenceWarning, match="ran all epochs=30 and the monitored score"):
        say(result("ran_out"))
    with pytest.warns(ConvergenceWarning, match="lbfgs stopped before converging .*at 30"):
        say(result("ran_out", message="scipy's words"), solver="lbfgs")
