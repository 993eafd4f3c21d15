"""One training run's state (``_run.Run``): the weights it returns to, its
history and the pairing of the callback tasks, whatever the solver."""

import math
from dataclasses import replace

import numpy as np
import pytest

from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._run import History, Patience, Progress, Run
from sklearn_sigmoidnet._settings import Settings

pytestmark = pytest.mark.oldest_sklearn

SETTINGS = Settings(
    loss="squared_error", alpha=0.0, epochs=5, batch_size=4, learning_rate=0.1,
    schedule="constant", power_t=0.5, shuffle=False, tol=0.0, n_iter_no_change=2,
    stopping_rule=True,
)  # fmt: skip


class Tasks:
    """Hooks that record what was opened and closed."""

    def __init__(self):
        self.log = []

    def begin(self, epoch):
        self.log.append(("begin", epoch))
        return epoch

    def end(self, task, network):
        self.log.append(("end", task, network is not None))
        return task == 3  # the third epoch asks to stop


def make_run(validated=False, progress=None):
    network = Network([2, 3, 1], ["sigmoid"], "identity", np.float64)
    network.initialize(np.random.RandomState(0))
    hooks = Tasks()
    run = Run(network, progress or Progress(), SETTINGS, hooks, start_loss=2.0,
              validated=validated)  # fmt: skip
    return run, network, hooks


def epoch(run, network, loss, *, step=1.0):
    network.theta += step
    run.record(loss, {"learning_rate": 0.1, "duration_s": 0.0}, n_updates=4)
    return network.theta.copy()


def test_a_divergence_returns_to_the_lowest_loss_weights():
    run, network, _ = make_run()
    start = network.theta.copy()
    epoch(run, network, 3.0)
    lowest = epoch(run, network, 1.0)
    epoch(run, network, 1.5)
    result = run.diverged("it blew up")
    np.testing.assert_array_equal(network.theta, lowest)
    assert (result.outcome, result.message, result.progress.loss) == ("diverged", "it blew up", 1.0)
    assert (result.n_iter, result.n_updates) == (3, 12)
    assert result.progress.history["epoch"] == [1, 2, 3]
    assert result.progress.best_loss == 1.0 and result.progress.start_loss == 2.0
    run.back_to_start("its end was not finite")
    np.testing.assert_array_equal(network.theta, start)


def test_no_lower_loss_than_the_start_returns_to_the_start():
    run, network, _ = make_run()
    start = network.theta.copy()
    epoch(run, network, 5.0)
    assert run.diverged("worse").progress.loss == 2.0
    np.testing.assert_array_equal(network.theta, start)


def test_an_interrupt_returns_to_the_last_complete_epoch():
    run, network, _ = make_run()
    epoch(run, network, 1.0)
    last = epoch(run, network, 0.9)
    network.theta += 100  # an epoch under way
    assert run.interrupted().outcome == "interrupted"
    np.testing.assert_array_equal(network.theta, last)


def test_the_best_validated_weights_are_restored():
    run, network, _ = make_run(validated=True)
    epoch(run, network, 1.0)
    run.validated(1.0, 0.5)
    best = network.theta.copy()
    epoch(run, network, 0.8)
    run.validated(0.8, 0.4)  # a lower training loss, a worse score
    run.restore_best()
    np.testing.assert_array_equal(network.theta, best)
    result = run.result("converged")
    assert result.progress.loss == 1.0
    assert result.progress.validation_scores == [0.5, 0.4]
    assert result.progress.best_validation_score == 0.5


def test_finish_epoch_says_whether_the_watched_number_improved():
    run, network, _ = make_run()
    assert run.finish_epoch(1.0, 4, 0.1, 0.0, None, tol=0.5)  # from an infinite best loss
    assert not run.finish_epoch(0.7, 4, 0.1, 0.0, None, tol=0.5)  # by less than tol
    assert run.finish_epoch(0.1, 4, 0.1, 0.0, None, tol=0.5)  # the best, 0.7, less tol
    assert run.history.columns["train_loss"] == [1.0, 0.7, 0.1]
    validated, _, _ = make_run(validated=True)
    assert validated.finish_epoch(1.0, 4, 0.1, 0.0, (0.9, -0.9), tol=0.0)
    assert not validated.finish_epoch(1.0, 4, 0.1, 0.0, (1.2, -1.2), tol=0.0)
    assert validated.history.columns["valid_score"] == [-0.9, -1.2]


def test_every_task_opened_is_closed_once():
    run, network, hooks = make_run()
    for number in (1, 2, 3):
        run.begin(number)
        epoch(run, network, 1.0 / number)
        stop = run.end(trained=True)
    assert stop and run.task is None
    run.begin(4)
    run.end(trained=False)  # abandoned: closed without the network
    assert hooks.log == [
        ("begin", 1), ("end", 1, True), ("begin", 2), ("end", 2, True),
        ("begin", 3), ("end", 3, True), ("begin", 4), ("end", 4, False),
    ]  # fmt: skip


def test_a_continuing_run_goes_on_from_what_the_last_handed_on():
    handed_on = Progress(history={"epoch": [1, 2], "train_loss": [3.0, 2.5],
                                  "learning_rate": [0.1, 0.1], "duration_s": [0.0, 0.0]},
                         start_loss=4.0, loss=2.5, best_loss=2.5,
                         epochs_without_improvement=1)  # fmt: skip
    run, network, _ = make_run(progress=handed_on)
    assert run.next_epoch == 3 and run.call_start == 2.5 and run.start_loss == 2.0
    assert run.patience.epochs_without == 1
    epoch(run, network, 2.6)
    assert run.result("done").progress.history["epoch"] == [1, 2, 3]
    assert run.diverged("up").progress.loss == 2.5  # the weights it started from
    assert math.isinf(Progress().best_loss)


@pytest.mark.parametrize("schedule", ["constant", "adaptive"])
def test_patience_stops_or_divides_the_learning_rate(schedule):
    class Optimizer:
        learning_rate = 0.1

    patience = Patience(replace(SETTINGS, schedule=schedule), "training loss",
                        History(Progress().history, False, 0), 0)  # fmt: skip
    optimizer = Optimizer()
    assert not patience.stop(False, optimizer) and not patience.stop(False, optimizer)
    if schedule == "constant":
        assert patience.stop(False, optimizer)
    else:
        assert not patience.stop(False, optimizer)
        assert optimizer.learning_rate == pytest.approx(0.02) and patience.epochs_without == 0
