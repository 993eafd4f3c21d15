"""The estimator's parameters resolved for one fit: the architecture, the
"auto" settings, early stopping, the training run's ``Settings`` and its
optimiser, all in one frozen ``FitPlan``. It imports no scikit-learn."""

import math
import warnings
from dataclasses import dataclass, replace
from numbers import Integral

from ._activations import HIDDEN_ACTIVATIONS
from ._engines import Objective
from ._optimizers import OPTIMIZERS

# The "auto" settings, as benchmarks/bench_defaults.py measured them best
# (docs/defaults.rst): early stopping from this many samples on, below which a
# validation share would be too small to judge by; batches of this many rows;
# and η for networks of sigmoid units or of others. Sigmoid units pass on at
# most a quarter of the gradient (σ' ≤ 1/4), so they take larger steps.
AUTO_EARLY_STOPPING_SAMPLES = 100
AUTO_BATCH_SIZE = 32
AUTO_LEARNING_RATE = {"sigmoid": 0.005, "other": 0.001}


def hidden_layer_sizes(estimator):
    sizes = estimator.hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if not all(isinstance(size, Integral) and size >= 1 for size in sizes):
        raise ValueError(
            f"hidden_layer_sizes must hold integers >= 1; got {estimator.hidden_layer_sizes!r}."
        )
    return tuple(int(size) for size in sizes)


def hidden_activations(estimator, n_hidden):
    """One activation per hidden layer; "logistic", scikit-learn's MLP's name, is "sigmoid"."""
    given = estimator.activation
    activations = [given] * n_hidden if isinstance(given, str) else list(given)
    if len(activations) != n_hidden:
        raise ValueError(
            f"activation has {len(activations)} entries but hidden_layer_sizes has "
            f"{n_hidden} hidden layers; give one activation per hidden layer."
        )
    unknown = [name for name in activations if name not in HIDDEN_ACTIVATIONS]
    if unknown:
        raise ValueError(f"activation {unknown[0]!r} is not one of {sorted(HIDDEN_ACTIVATIONS)}.")
    return ["sigmoid" if name == "logistic" else name for name in activations]


@dataclass(frozen=True)
class Settings:
    """The parameters of a training run, validated and resolved ("auto" and all)."""

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


@dataclass(frozen=True)
class FitPlan:
    """The estimator's parameters resolved once for one fit call.

    ``settings`` are the training run's, but for the batch size, which
    ``run_settings`` resolves for the rows that training gets.
    """

    hidden_layer_sizes: tuple
    hidden_activations: tuple
    n_members: int
    solver: str
    optimizer_parameters: tuple  # after n_params, dtype and η: OPTIMIZERS[solver]'s own
    validation_from_rows: float  # hold out a validation set from this many rows on
    validation_fraction: float
    batch_size: object  # the parameter: an int or "auto"
    settings: Settings

    def holds_out(self, n_rows):
        """Whether early stopping holds out a validation set of these rows."""
        return n_rows >= self.validation_from_rows

    def run_settings(self, n_rows):
        """The training run's ``Settings`` for ``n_rows`` training rows."""
        return replace(self.settings, batch_size=self._batch_size(n_rows))

    def _batch_size(self, n_rows):
        if self.solver == "lbfgs":
            return n_rows
        if self.batch_size == "auto":
            return min(AUTO_BATCH_SIZE, n_rows)
        if self.batch_size > n_rows:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_rows} training "
                f"samples; it is clipped to {n_rows}.",
                UserWarning,
            )
            return n_rows
        return self.batch_size

    def optimizer(self, network, state):
        """The solver's optimiser of θ, continuing ``state`` unless the solver changed."""
        optimizer = OPTIMIZERS[self.solver](
            network.theta.size, network.dtype, self.settings.learning_rate,
            *self.optimizer_parameters,
        )  # fmt: skip
        if state is not None and state["solver"] == optimizer.name:
            optimizer.state = state
        return optimizer


def plan_fit(estimator, targets, incremental):
    """The ``FitPlan`` of the estimator's parameters for a fit with these targets."""
    sizes = hidden_layer_sizes(estimator)
    activations = tuple(hidden_activations(estimator, len(sizes)))
    if estimator.n_members > 1 and not sizes:
        raise ValueError(
            f"n_members={estimator.n_members} needs a hidden layer: without one, every "
            "member is the same linear model. Give hidden_layer_sizes, or n_members=1."
        )
    if estimator.solver == "sgd":
        optimizer_parameters = (estimator.momentum, estimator.nesterovs_momentum)
    else:
        optimizer_parameters = (estimator.beta_1, estimator.beta_2, estimator.epsilon)
    if incremental or estimator.solver == "lbfgs" or not estimator.early_stopping:
        validation_from_rows = math.inf
    elif estimator.early_stopping == "auto":
        validation_from_rows = AUTO_EARLY_STOPPING_SAMPLES
    else:
        validation_from_rows = 0
    settings = Settings(
        loss=targets.loss_name,
        alpha=estimator.alpha,
        quantile_level=targets.quantile_level,
        epochs=1 if incremental else estimator.epochs,
        batch_size=0,  # resolved by run_settings
        learning_rate=_learning_rate(estimator, activations),
        schedule=estimator.learning_rate_schedule,
        power_t=estimator.power_t,
        shuffle=estimator.shuffle,
        tol=estimator.tol,
        n_iter_no_change=estimator.n_iter_no_change,
        stopping_rule=not incremental,
        verbose=estimator.verbose,
        engine=estimator.engine,
    )
    return FitPlan(
        sizes, activations, estimator.n_members, estimator.solver, optimizer_parameters,
        validation_from_rows,
        estimator.validation_fraction, estimator.batch_size, settings,
    )  # fmt: skip


def _learning_rate(estimator, activations):
    if estimator.learning_rate != "auto":
        return estimator.learning_rate
    sigmoid = all(name == "sigmoid" for name in activations)
    return AUTO_LEARNING_RATE["sigmoid" if sigmoid else "other"]


def check_early_stopping(estimator, incremental, given_validation):
    """Raise or warn where early stopping's parameters contradict the call."""
    explicit = estimator.early_stopping not in ("auto", False)
    if incremental and explicit:
        raise ValueError(
            "partial_fit does not support early_stopping=True: it trains on the data it "
            'is given and holds none out. Set early_stopping="auto" or False.'
        )
    if given_validation and not explicit and estimator.early_stopping != "auto":
        raise ValueError(
            "X_val and y_val are data for early stopping, which early_stopping=False "
            'switches off; set early_stopping="auto" or True to use them.'
        )
    if estimator.solver == "lbfgs" and (explicit or given_validation):
        warnings.warn(
            "Early stopping (early_stopping=True, or X_val and y_val) is ignored by "
            "solver='lbfgs', which trains on all of the data at once; use "
            "solver='adam' or 'sgd' to stop early.",
            UserWarning,
        )
