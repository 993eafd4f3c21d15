"""One training run's state, whatever the solver: the weights to fall back on,
the history table, the stopping rule, the callback tasks and the result.

A run starts from what earlier fit calls handed on (``Progress``) and ends in
a ``TrainingResult``; the weights to keep are left in ``network.theta``.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

# "adaptive" divides η by 5 at each stall for as long as η is above this
MIN_ADAPTIVE_LEARNING_RATE = 1e-6


def _empty_history():
    return {"epoch": [], "train_loss": [], "learning_rate": [], "duration_s": []}


@dataclass
class Progress:
    """What one fit call hands on to the next (warm_start, partial_fit)."""

    history: dict = field(default_factory=_empty_history)
    start_loss: float | None = None  # where the first call started: divergence's yardstick
    loss: float | None = None  # the training loss of the current weights
    best_loss: float = math.inf
    validation_scores: list | None = None
    best_validation_score: float | None = None
    optimizer_state: dict | None = None
    # the stopping rule's count of epochs without progress, which a warm start goes on with
    epochs_without_improvement: int = 0


@dataclass
class TrainingResult:
    """What a run leaves behind, besides the weights in ``network.theta``."""

    progress: Progress
    n_iter: int  # epochs (lbfgs: iterations) recorded by this run
    n_updates: int  # the parameter updates of those epochs
    # "converged": the stopping rule ended it (lbfgs: scipy's test); "ran_out":
    # every epoch ran while the loss still improved (lbfgs: scipy gave up);
    # "done": the one epoch of partial_fit, or every epoch of a run with
    # n_iter_no_change=inf; "stopped": a callback asked;
    # "interrupted": Ctrl-C after a complete epoch; "diverged"
    outcome: str
    message: str = ""  # what went wrong, for "diverged" and lbfgs's "ran_out"


class Hooks:
    """What a run reports at each epoch; these hooks do nothing.

    ``begin`` opens an epoch's task and ``end`` closes it; ``end`` returns True
    to ask the run to stop. It gets the network whose weights the epoch made,
    or None when the epoch was abandoned (a divergence, Ctrl-C).
    """

    def begin(self, epoch):
        return None

    def end(self, task, network):
        return False


class History:
    """The per-epoch table: appends rows, fills absent columns with NaN, prints them."""

    def __init__(self, previous, validation, verbose):
        self.columns = {key: list(values) for key, values in previous.items()}
        if validation and "valid_score" not in self.columns:
            missing = [math.nan] * len(self.columns["epoch"])
            self.columns.update(valid_loss=list(missing), valid_score=list(missing))
        self.verbose = verbose
        self._printed_header = False

    @property
    def n_epochs(self):
        return len(self.columns["epoch"])

    def append(self, row):
        for key, values in self.columns.items():
            values.append(row.get(key, math.nan))
        if self.verbose:
            names = [key for key in self.columns if key not in ("learning_rate", "duration_s")]
            names.append("duration_s")
            if not self._printed_header:  # a header over each call's rows
                print(" ".join(f"{name:>12}" for name in names))
                self._printed_header = True
            print(" ".join(_format_cell(self.columns[name][-1]) for name in names))

    def say(self, text):
        if self.verbose:
            print(text)


def _format_cell(value):
    if isinstance(value, int):
        return f"{value:>12d}"
    return f"{value:>12.6g}"


class Patience:
    """The stopping rule: stop after ``n_iter_no_change`` epochs in a row without
    an improvement of ``tol``; the "adaptive" schedule divides η by 5 instead,
    for as long as η is above its floor."""

    def __init__(self, settings, monitored, history, epochs_without):
        self.settings, self.monitored, self.history = settings, monitored, history
        self.epochs_without = epochs_without

    def stop(self, improved, optimizer):
        settings = self.settings
        self.epochs_without = 0 if improved else self.epochs_without + 1
        if self.epochs_without <= settings.n_iter_no_change:
            return False
        if settings.schedule == "adaptive" and optimizer.learning_rate > MIN_ADAPTIVE_LEARNING_RATE:
            optimizer.learning_rate /= 5
            self.epochs_without = 0
            self.history.say(
                f"The {self.monitored} did not improve: learning_rate now "
                f"{optimizer.learning_rate:g}"
            )
            return False
        self.history.say(
            f"The {self.monitored} did not improve by tol={settings.tol} for "
            f"{settings.n_iter_no_change} consecutive epochs. Stopping."
        )
        return True


class Run:
    """One training run: its epochs' bookkeeping and the weights it may return to.

    ``start_loss`` is the loss of the weights the first fit call started from,
    ``call_start`` that of the weights this call starts from. The run keeps
    the lowest-loss weights seen (where a divergence returns to), the
    training loss of the weights it will end with, the best loss and
    validation score so far, and the callback task of the epoch under way.
    """

    def __init__(self, network, progress, settings, hooks, *, start_loss, validated,
                 optimizer=None):  # fmt: skip
        self.network, self.hooks, self.optimizer = network, hooks, optimizer
        self.history = History(progress.history, validated, settings.verbose)
        self.start_loss = start_loss
        self.call_start = start_loss if progress.loss is None else progress.loss
        self.start_weights = network.theta.copy()  # those this call starts from
        self.last = network.theta.copy()  # the last complete epoch's: where Ctrl-C returns to
        self.lowest, self.lowest_loss = network.theta.copy(), self.call_start
        self.kept_loss = self.call_start  # the training loss of the weights the run ends with
        self.best_loss = progress.best_loss
        self.validation_scores = self.best_score = None
        if validated:
            self.validation_scores = list(progress.validation_scores or [])
            best = progress.best_validation_score
            self.best_score = -math.inf if best is None else best
            self.best_weights, self.best_weights_loss = network.theta.copy(), self.call_start
        self.patience = Patience(
            settings,
            "validation score" if validated else "training loss",
            self.history,
            progress.epochs_without_improvement if settings.stopping_rule else 0,
        )
        self.n_iter = self.n_updates = 0
        self.task = None  # the callback task of the epoch under way

    @property
    def next_epoch(self):
        return self.history.n_epochs + 1

    def begin(self, epoch):
        self.task = self.hooks.begin(epoch)

    def end(self, trained):
        """Close the epoch's task, with the network when the epoch was ``trained``;
        True when its hooks ask the run to stop. The task is closed even when
        its hooks raise."""
        task, self.task = self.task, None
        return self.hooks.end(task, self.network if trained else None)

    def finish_epoch(self, loss, n_updates, learning_rate, started, valid, tol):
        """Record a mini-batch epoch that ended at finite weights of training
        ``loss``, begun at ``started`` (``time.perf_counter``); ``valid`` is its
        validation (loss, score) when early stopping watches one, else None.
        Returns whether the epoch improved by ``tol`` on the best so far: the
        validation score when there is one, else the training loss."""
        row = {"learning_rate": learning_rate}
        if valid is None:
            improved = loss <= self.best_loss - tol
        else:
            row["valid_loss"], row["valid_score"] = valid
            improved = valid[1] >= self.best_score + tol
            self.validated(loss, valid[1])
        row["duration_s"] = time.perf_counter() - started
        self.record(loss, row, n_updates)
        return improved

    def record(self, loss, row, n_updates=1):
        """An epoch that ended at finite weights of training ``loss``: its row of
        the history, with ``row``'s other columns."""
        self.last[...] = self.network.theta
        self.n_iter += 1
        self.n_updates += n_updates
        self.kept_loss = loss
        if loss < self.lowest_loss:
            self.lowest[...], self.lowest_loss = self.network.theta, loss
        self.best_loss = min(self.best_loss, loss)
        self.history.append({"epoch": self.next_epoch, "train_loss": loss, **row})

    def validated(self, loss, valid_score):
        """Keep the weights whose validation score is the best so far."""
        self.validation_scores.append(valid_score)
        if valid_score > self.best_score:
            self.best_score, self.best_weights_loss = valid_score, loss
            self.best_weights[...] = self.network.theta

    def restore_best(self):
        self.network.theta[...] = self.best_weights
        self.kept_loss = self.best_weights_loss

    def diverged(self, message):
        """The result of a run that returns to its lowest-loss weights."""
        self.network.theta[...] = self.lowest
        self.kept_loss = self.lowest_loss
        return self.result("diverged", message)

    def interrupted(self):
        """The result of a run that Ctrl-C ended after a complete epoch."""
        self.network.theta[...] = self.last
        return self.result("interrupted")

    def back_to_start(self, message):
        """The result of a run that diverged and returns to the weights it started from."""
        self.network.theta[...] = self.start_weights
        self.kept_loss = self.call_start
        return self.result("diverged", message)

    def result(self, outcome, message=""):
        """The run's result; a diverged run hands on no optimiser state."""
        keeps_state = self.optimizer is not None and outcome != "diverged"
        return TrainingResult(
            progress=Progress(
                history=self.history.columns,
                start_loss=self.start_loss,
                loss=self.kept_loss,
                best_loss=self.best_loss,
                validation_scores=self.validation_scores,
                best_validation_score=self.best_score,
                optimizer_state=self.optimizer.state if keeps_state else None,
                epochs_without_improvement=self.patience.epochs_without,
            ),
            n_iter=self.n_iter,
            n_updates=self.n_updates,
            outcome=outcome,
            message=message,
        )


def unusable(x, loss, dtype, where):
    """Why the iterate ``x`` of training loss ``loss`` cannot be kept; "" when it can."""
    if not math.isfinite(loss):
        return f"the training loss is {float(loss)} {where}"
    with np.errstate(over="ignore"):  # a float64 iterate may overflow float32
        if not np.isfinite(x.astype(dtype, copy=False)).all():
            return f"the weights are not finite in {np.dtype(dtype).name} {where}"
    return ""
