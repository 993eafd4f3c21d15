"""The training run: epochs of mini-batch updates, or L-BFGS iterations, with
the stopping rule, the divergence check, the history table and callback hooks.

A run has diverged when the loss or the weights stop being finite, or when
mini-batch epochs end more than ``DIVERGENCE_FACTOR`` times above where they
started: the untrained network's loss (``progress.start_loss``), or, when a
fit continues on other data that start higher, the loss of the first batch.
It then returns to its lowest-loss weights and drops the optimiser's state.
Large steps may send the loss up for a while and still settle, so only the
end of a run is judged. On Ctrl-C a run returns to the last complete epoch's
weights, and the interrupt propagates when there is none.

A run trains a Network on a fit's data (``TrainingData``: rows in memory or
partitions on a cluster, through the engine the data chooses), starting from
what earlier fit calls handed on (``Progress``). Its state is a ``Run``
(``_run.py``), and it returns that run's ``TrainingResult``: the weights to
keep are left in ``network.theta``. It knows nothing of estimators or
scikit-learn, so that an estimator commits a run's result in one step, or
drops it when the run fails.
"""

import math
import time

import numpy as np
import scipy.optimize

from ._engines import block_rows
from ._network import penalty
from ._run import Hooks, Run, unusable

# A run that ends with a loss this many times the loss it started from has
# diverged, even while the numbers stay finite: training does not end worse
# than it began unless its steps overshoot.
DIVERGENCE_FACTOR = 10.0


def l2_coefficient(settings, data, network):
    """l2 of the penalty ½ l2 ‖W‖²: α / N, N the data's total weight, so that α
    means the same for any batch size; and over the members, for the mean of
    their losses and penalties."""
    return settings.alpha / data.weight_total / network.n_members


def train_stochastic(network, optimizer, data, settings, progress, rng, *, monitor=None,
                     hooks=None):  # fmt: skip
    """Mini-batch epochs of ``optimizer`` steps until a stopping condition.

    ``monitor(network)``, when given, returns the validation loss and score
    (higher is better) of the current weights: the stopping rule then watches
    the score, and the best-scoring weights are kept at the end. Without it,
    the rule watches the training loss and the last weights are kept.
    """
    l2 = l2_coefficient(settings, data, network)
    engine = data.engine(network, settings.objective(l2), optimizer, settings.engine)
    start_loss = progress.start_loss
    if start_loss is None:  # measured a batch at a time, in the buffers the epochs use
        start_loss = engine.loss(data, settings.batch_size)
    run = Run(network, progress, settings, hooks or Hooks(), start_loss=start_loss,
              validated=monitor is not None, optimizer=optimizer)  # fmt: skip
    if not math.isfinite(start_loss):
        return run.result("diverged", f"the loss of the starting weights is {start_loss}")
    yardstick, start_penalty = start_loss, 0.5 * l2 * penalty(network.W)
    optimizer.learning_rate = settings.learning_rate
    # every epoch ran while progress went on; unless every epoch was asked for
    patient = settings.stopping_rule and math.isfinite(settings.n_iter_no_change)
    outcome = "ran_out" if patient else "done"
    try:
        for epoch in range(run.next_epoch, run.next_epoch + settings.epochs):
            started = time.perf_counter()
            run.begin(epoch)
            if settings.schedule == "invscaling":
                optimizer.learning_rate = settings.learning_rate / epoch**settings.power_t
            data_loss, updates, first_loss = engine.run_epoch(
                data, settings.batch_size, rng if settings.shuffle else None
            )
            loss = float(data_loss + 0.5 * l2 * penalty(network.W))
            if not run.n_iter:  # new data may start above the loss of the first fit's
                yardstick = max(yardstick, float(first_loss + start_penalty))
            if not (math.isfinite(loss) and np.isfinite(network.theta).all()):
                run.end(trained=False)
                return run.diverged(f"the training loss is {loss} in epoch {epoch}")
            valid = None if monitor is None else monitor(network)
            improved = run.finish_epoch(
                loss, updates, optimizer.learning_rate, started, valid, settings.tol
            )
            if run.end(trained=True):
                outcome = "stopped"
                break
            if settings.stopping_rule and run.patience.stop(improved, optimizer):
                outcome = "converged"
                break
    except KeyboardInterrupt:
        if run.task is not None:
            run.end(trained=False)
        if run.n_iter == 0:
            raise
        return run.interrupted()
    return _stochastic_end(run, engine, data, settings, yardstick, outcome, monitor is not None)


def _stochastic_end(run, engine, data, settings, yardstick, outcome, validated):
    """The result of mini-batch epochs that ran their course: diverged when the
    loss ended ``DIVERGENCE_FACTOR`` times above the ``yardstick`` it started
    from, or when the weights kept (the best-scoring ones when ``validated``)
    have a loss that is not finite."""
    if run.kept_loss > DIVERGENCE_FACTOR * yardstick:
        return run.diverged(
            f"the training loss ended at {run.kept_loss:.4g} in epoch {run.history.n_epochs}, "
            f"more than {DIVERGENCE_FACTOR:g} times the {yardstick:.4g} it started from"
        )
    if validated:
        run.restore_best()
    # an epoch's loss is that of the weights before each of its updates: the
    # last update's weights are evaluated once, before they are kept, in blocks
    # of rows larger than a batch (their loss is only checked, not kept)
    if not math.isfinite(engine.loss(data, max(settings.batch_size, block_rows(run.network)))):
        return run.back_to_start("the loss of the weights it ended with is not finite")
    return run.result(outcome)


def train_lbfgs(network, data, settings, progress, *, hooks=None):
    """Full-batch L-BFGS (scipy's L-BFGS-B) for up to ``settings.epochs`` iterations.

    A non-finite loss counts as infinitely bad, so that the line search steps
    back from it. scipy can still accept a non-finite iterate (a gradient so
    large that its squared norm overflows makes a NaN step): the run has then
    diverged, and returns to its lowest-loss finite iterate, the starting
    weights when there is none. Only the iterates are judged, in the network's
    dtype, since a float64 iterate may overflow float32.
    """
    theta = network.theta
    l2 = l2_coefficient(settings, data, network)
    engine = data.engine(network, settings.objective(l2), kind=settings.engine)

    def objective(x):
        theta[...] = x
        value = float(engine.loss_and_gradient(data) + 0.5 * l2 * penalty(network.W))
        if not (math.isfinite(value) and np.isfinite(network.grad).all()):
            return math.inf, np.zeros_like(x)
        return value, network.grad.astype(np.float64)

    iterate = theta.astype(np.float64)  # scipy works in float64
    loss = objective(iterate)[0]
    start_loss = loss if progress.start_loss is None else progress.start_loss
    run = Run(network, progress, settings, hooks or Hooks(), start_loss=start_loss,
              validated=False)  # fmt: skip
    # lbfgs hands on the validation scores that it was given, and no patience
    run.validation_scores = progress.validation_scores
    run.best_score = progress.best_validation_score
    run.patience.epochs_without = 0
    run.lowest, run.lowest_loss = iterate.copy(), loss  # in float64, as scipy's iterates
    if not math.isfinite(loss):
        if progress.loss is not None:  # a continuing fit keeps its weights, and their loss
            loss = progress.loss
        return _lbfgs_result(run, progress, iterate, loss, "diverged",
                             "the loss of the starting weights is not finite")  # fmt: skip
    iterations = _Iterations(run, iterate, settings.epochs)
    outcome, message = _minimize(objective, iterations, settings)
    if iterations.diverged:
        return _lbfgs_result(run, progress, run.lowest, run.lowest_loss, "diverged",
                             iterations.diverged)  # fmt: skip
    return _lbfgs_result(run, progress, iterate, run.kept_loss, outcome, message)


def _minimize(objective, iterations, settings):
    """scipy's minimisation from ``iterations.iterate``, each iteration recorded by
    ``iterations``; the run's outcome and scipy's message. The iterate and the
    run's kept loss are scipy's result's, unless that is unusable."""
    run, iterate = iterations.run, iterations.iterate
    run.begin(run.next_epoch)
    outcome, message = "converged", ""
    try:
        found = scipy.optimize.minimize(
            objective,
            iterate.copy(),
            method="L-BFGS-B",
            jac=True,
            callback=iterations,
            options={"maxiter": settings.epochs, "gtol": settings.tol},
        )
        if iterations.stopped:
            outcome = "stopped"
        elif found.status != 0:
            outcome, message = "ran_out", str(found.message)
        if not iterations.diverged:
            dtype = run.network.dtype
            iterations.diverged = unusable(found.x, found.fun, dtype, "in scipy's result")
        if not iterations.diverged:
            iterate[...], run.kept_loss = found.x, float(found.fun)
    except KeyboardInterrupt:
        if run.n_iter == 0:
            if run.task is not None:
                run.end(trained=False)
            raise
        outcome = "interrupted"
    if run.task is not None:  # opened for an iteration that scipy did not run
        run.end(trained=False)
    return outcome, message


class _Iterations:
    """scipy's callback: each L-BFGS iteration an epoch of the run, its iterate
    the network's weights while the hooks look; it ends the minimisation when
    the iterate is unusable or a hook asks."""

    def __init__(self, run, iterate, epochs):
        self.run, self.iterate, self.epochs = run, iterate, epochs
        self.clock = time.perf_counter()
        self.stopped, self.diverged = False, ""  # why the run diverged, if it did

    def __call__(self, intermediate_result):
        run, theta = self.run, self.run.network.theta
        epoch = run.next_epoch
        self.diverged = unusable(
            intermediate_result.x, intermediate_result.fun, theta.dtype, f"in iteration {epoch}"
        )
        if self.diverged:
            run.end(trained=False)
            raise StopIteration
        self.iterate[...] = intermediate_result.x
        theta[...] = self.iterate  # the hooks see this iterate, not a line-search probe
        now = time.perf_counter()
        row = {"learning_rate": math.nan, "duration_s": now - self.clock}
        run.record(float(intermediate_result.fun), row)
        self.clock = now
        if run.end(trained=True):
            self.stopped = True
            raise StopIteration  # scipy ends the minimisation at this iterate
        if run.n_iter < self.epochs:
            run.begin(epoch + 1)


def _lbfgs_result(run, progress, iterate, loss, outcome, message=""):
    """The run's result at ``iterate``, of training loss ``loss``."""
    run.network.theta[...] = iterate
    run.kept_loss = loss
    run.best_loss = min(progress.best_loss, loss)
    return run.result(outcome, message)
