"""The training run: epochs of mini-batch updates, or L-BFGS iterations, with
the stopping rule, the divergence check, the history table and callback hooks.

A run starts from a Network and from what earlier fit calls handed on
(``Progress``), and returns a ``TrainingResult``: the weights to keep are left
in ``network.theta``, everything else is in the result. It knows nothing of
estimators or scikit-learn, so that an estimator commits a run's result in one
step, or drops it when the run fails.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize

from ._engines import Objective, make_engine
from ._network import penalty

# A run that ends with a loss this many times the loss it started from has
# diverged, even while the numbers stay finite: training does not end worse
# than it began unless its steps overshoot.
DIVERGENCE_FACTOR = 10.0
# "adaptive" divides η by 5 at each stall for as long as η is above this
MIN_ADAPTIVE_LEARNING_RATE = 1e-6


@dataclass
class Settings:
    """The parameters of a run, already validated and resolved ("auto" and all)."""

    loss: str
    alpha: float
    epochs: int  # iterations for lbfgs
    batch_size: int
    learning_rate: float
    schedule: str
    power_t: float
    shuffle: bool
    tol: float
    n_iter_no_change: float
    stopping_rule: bool  # partial_fit runs one epoch and no rule
    verbose: int = 0
    quantile_level: float | None = None  # the α of loss="quantile"
    engine: str = "auto"  # "numpy" trains with the numpy reference (_engines.py)

    def objective(self, l2):
        return Objective(self.loss, l2, self.quantile_level)


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


class _History:
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


def _l2(alpha, X, sample_weight):
    """The coefficient of ½‖W‖² in L(θ): α divided by the training data's total weight."""
    total = getattr(X, "weight_total", None)  # data on a cluster knows its own
    if total is None:
        total = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    return alpha / total


class _Patience:
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


def train_stochastic(
    network, optimizer, X, Y, sample_weight, settings, progress, rng, *, monitor=None, hooks=None
):
    """Mini-batch epochs of ``optimizer`` steps until a stopping condition.

    ``monitor(network)``, when given, returns the validation loss and score
    (higher is better) of the current weights: the stopping rule then watches
    the score, and the best-scoring weights are kept at the end. Without it,
    the rule watches the training loss and the last weights are kept.

    The run has diverged when the loss or the weights stop being finite, or
    when it ends more than ``DIVERGENCE_FACTOR`` times above where it started:
    the untrained network's loss (``progress.start_loss``), or, when it
    continues a fit on other data that starts higher, the loss of the first
    batch. It then returns to its lowest-loss weights and drops the
    optimiser's state. Large steps may send the loss up for a while and still
    settle, so only the end of a run is judged. On Ctrl-C the run returns to
    the last complete epoch's weights, and the interrupt propagates when there
    is none.
    """
    hooks = hooks or Hooks()
    history = _History(progress.history, monitor is not None, settings.verbose)
    l2 = _l2(settings.alpha, X, sample_weight)
    engine = make_engine(network, X, settings.objective(l2), optimizer, settings.engine)
    start_loss = progress.start_loss
    if start_loss is None:  # measured a batch at a time, in the buffers the epochs use
        start_loss = engine.loss(X, Y, sample_weight, settings.batch_size)
    # the lowest-loss weights, where a divergence returns to: those that this
    # call starts from, until an epoch beats them
    call_start = start_loss if progress.loss is None else progress.loss
    lowest, lowest_loss = network.theta.copy(), call_start
    kept_loss = call_start  # the training loss of the weights the run ends with
    best_loss = progress.best_loss
    validation_scores = best_score = None
    if monitor is not None:
        validation_scores = list(progress.validation_scores or [])
        best_score = progress.best_validation_score
        best_score = -math.inf if best_score is None else best_score
        best_weights, best_weights_loss = network.theta.copy(), call_start
    patience = _Patience(
        settings,
        "training loss" if monitor is None else "validation score",
        history,
        progress.epochs_without_improvement if settings.stopping_rule else 0,
    )

    def result(outcome, message=""):
        return TrainingResult(
            progress=Progress(
                history=history.columns,
                start_loss=start_loss,
                loss=kept_loss,
                best_loss=best_loss,
                validation_scores=validation_scores,
                best_validation_score=best_score,
                optimizer_state=None if outcome == "diverged" else optimizer.state,
                epochs_without_improvement=patience.epochs_without,
            ),
            n_iter=n_iter,
            n_updates=n_updates,
            outcome=outcome,
            message=message,
        )

    def diverged(message):
        nonlocal kept_loss
        network.theta[...] = lowest
        kept_loss = lowest_loss
        return result("diverged", message)

    n_iter = n_updates = 0
    if not math.isfinite(start_loss):
        return result("diverged", f"the loss of the starting weights is {start_loss}")
    last = network.theta.copy()  # the last complete epoch's: where Ctrl-C returns to
    yardstick = start_loss  # the loss the run started from
    start_penalty = 0.5 * l2 * penalty(network.W)
    optimizer.learning_rate = settings.learning_rate
    # every epoch ran while progress went on; unless every epoch was asked for
    patient = settings.stopping_rule and math.isfinite(settings.n_iter_no_change)
    outcome = "ran_out" if patient else "done"
    task = None
    try:
        for epoch in range(history.n_epochs + 1, history.n_epochs + 1 + settings.epochs):
            started = time.perf_counter()
            task = hooks.begin(epoch)
            if settings.schedule == "invscaling":
                optimizer.learning_rate = settings.learning_rate / epoch**settings.power_t
            data_loss, updates, first_loss = engine.run_epoch(
                X, Y, sample_weight, settings.batch_size, rng if settings.shuffle else None
            )
            loss = float(data_loss + 0.5 * l2 * penalty(network.W))
            if not n_iter:  # new data may start above the loss of the first fit's
                yardstick = max(yardstick, float(first_loss + start_penalty))
            if not (math.isfinite(loss) and np.isfinite(network.theta).all()):
                closing, task = task, None
                hooks.end(closing, None)
                return diverged(f"the training loss is {loss} in epoch {epoch}")
            last[...] = network.theta
            n_iter += 1
            n_updates += updates
            kept_loss = loss
            if loss < lowest_loss:
                lowest[...], lowest_loss = network.theta, loss
            row = {"epoch": epoch, "train_loss": loss}
            if monitor is None:
                improved = loss <= best_loss - settings.tol
            else:
                row["valid_loss"], row["valid_score"] = monitor(network)
                validation_scores.append(row["valid_score"])
                improved = row["valid_score"] >= best_score + settings.tol
                if row["valid_score"] > best_score:
                    best_score, best_weights_loss = row["valid_score"], loss
                    best_weights[...] = network.theta
            best_loss = min(best_loss, loss)
            row["learning_rate"] = optimizer.learning_rate
            row["duration_s"] = time.perf_counter() - started
            history.append(row)
            closing, task = task, None  # closed, even when its hooks raise
            if hooks.end(closing, network):
                outcome = "stopped"
                break
            if settings.stopping_rule and patience.stop(improved, optimizer):
                outcome = "converged"
                break
    except KeyboardInterrupt:
        if task is not None:
            hooks.end(task, None)
        if n_iter == 0:
            raise
        network.theta[...] = last
        return result("interrupted")
    if kept_loss > DIVERGENCE_FACTOR * yardstick:
        return diverged(
            f"the training loss ended at {kept_loss:.4g} in epoch {history.n_epochs}, more "
            f"than {DIVERGENCE_FACTOR:g} times the {yardstick:.4g} it started from"
        )
    if monitor is not None:
        network.theta[...] = best_weights
        kept_loss = best_weights_loss
    return result(outcome)


def train_lbfgs(network, X, Y, sample_weight, settings, progress, *, hooks=None):
    """Full-batch L-BFGS (scipy's L-BFGS-B) for up to ``settings.epochs`` iterations.

    A non-finite loss counts as infinitely bad, so that the line search steps
    back from it. scipy can still accept a non-finite iterate (a gradient so
    large that its squared norm overflows makes a NaN step): the run has then
    diverged, and returns to its lowest-loss finite iterate, the starting
    weights when there is none. Only the iterates are judged, in the network's
    dtype, since a float64 iterate may overflow float32.
    """
    hooks = hooks or Hooks()
    history = _History(progress.history, False, settings.verbose)
    theta = network.theta
    l2 = _l2(settings.alpha, X, sample_weight)
    engine = make_engine(network, X, settings.objective(l2), engine=settings.engine)

    def objective(x):
        theta[...] = x
        data_loss = engine.loss_and_gradient(X, Y, sample_weight)
        value = float(data_loss + 0.5 * l2 * penalty(network.W))
        if not (math.isfinite(value) and np.isfinite(network.grad).all()):
            return math.inf, np.zeros_like(x)
        return value, network.grad.astype(np.float64)

    iterate = theta.astype(np.float64)  # scipy works in float64
    loss = objective(iterate)[0]
    start_loss = loss if progress.start_loss is None else progress.start_loss
    lowest, lowest_loss = iterate.copy(), loss  # where a divergence returns to
    # the clock, the open callback task, the iterations recorded, and why the run diverged
    state = {"clock": time.perf_counter(), "task": None, "n_iter": 0, "stopped": False}
    state["diverged"] = ""

    def result(outcome, message=""):
        theta[...] = iterate
        return TrainingResult(
            progress=Progress(
                history=history.columns,
                start_loss=start_loss,
                loss=loss,
                best_loss=min(progress.best_loss, loss),
                validation_scores=progress.validation_scores,
                best_validation_score=progress.best_validation_score,
            ),
            n_iter=state["n_iter"],
            n_updates=state["n_iter"],
            outcome=outcome,
            message=message,
        )

    if not math.isfinite(loss):
        if progress.loss is not None:  # a continuing fit keeps its weights, and their loss
            loss = progress.loss
        return result("diverged", "the loss of the starting weights is not finite")

    def record_iteration(intermediate_result):
        nonlocal loss, lowest_loss
        task, state["task"] = state["task"], None
        epoch = history.n_epochs + 1
        state["diverged"] = _unusable(
            intermediate_result.x, intermediate_result.fun, theta.dtype, f"in iteration {epoch}"
        )
        if state["diverged"]:
            hooks.end(task, None)
            raise StopIteration
        loss = float(intermediate_result.fun)
        iterate[...] = intermediate_result.x
        if loss < lowest_loss:
            lowest[...], lowest_loss = iterate, loss
        state["n_iter"] += 1
        now = time.perf_counter()
        history.append(
            {
                "epoch": epoch,
                "train_loss": loss,
                "learning_rate": math.nan,
                "duration_s": now - state["clock"],
            }
        )
        state["clock"] = now
        theta[...] = iterate  # the hooks see this iterate, not a line-search probe
        if hooks.end(task, network):
            state["stopped"] = True
            raise StopIteration  # scipy ends the minimisation at this iterate
        if state["n_iter"] < settings.epochs:
            state["task"] = hooks.begin(epoch + 1)

    state["task"] = hooks.begin(history.n_epochs + 1)
    outcome, message = "converged", ""
    try:
        found = scipy.optimize.minimize(
            objective,
            iterate.copy(),
            method="L-BFGS-B",
            jac=True,
            callback=record_iteration,
            options={"maxiter": settings.epochs, "gtol": settings.tol},
        )
        if state["stopped"]:
            outcome = "stopped"
        elif found.status != 0:
            outcome, message = "ran_out", str(found.message)
        if not state["diverged"]:
            state["diverged"] = _unusable(found.x, found.fun, theta.dtype, "in scipy's result")
        if not state["diverged"]:
            iterate[...], loss = found.x, float(found.fun)
    except KeyboardInterrupt:
        if state["n_iter"] == 0:
            if state["task"] is not None:
                hooks.end(state["task"], None)
            raise
        outcome = "interrupted"
    if state["task"] is not None:  # opened for an iteration that scipy did not run
        hooks.end(state["task"], None)
    if state["diverged"]:
        iterate[...], loss = lowest, lowest_loss
        return result("diverged", state["diverged"])
    return result(outcome, message)


def _unusable(x, loss, dtype, where):
    """Why the iterate ``x`` of training loss ``loss`` cannot be kept; "" when it can."""
    if not math.isfinite(loss):
        return f"the training loss is {float(loss)} {where}"
    with np.errstate(over="ignore"):  # a float64 iterate may overflow float32
        if not np.isfinite(x.astype(dtype, copy=False)).all():
            return f"the weights are not finite in {np.dtype(dtype).name} {where}"
    return ""
