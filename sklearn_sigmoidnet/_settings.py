"""The estimator's parameters resolved for one fit: the architecture, the
"auto" settings, the training run's ``Settings`` and its optimiser."""

import warnings
from numbers import Integral

from ._activations import HIDDEN_ACTIVATIONS
from ._optimizers import OPTIMIZERS
from ._training import Settings

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


def holds_out(estimator, n_samples, incremental):
    """Whether this fit holds out a validation set for early stopping."""
    if incremental or estimator.solver == "lbfgs":
        return False
    if estimator.early_stopping == "auto":
        return n_samples >= AUTO_EARLY_STOPPING_SAMPLES
    return estimator.early_stopping


def run_settings(estimator, n_samples, incremental, activations, targets):
    """The training run's ``Settings``, every "auto" resolved."""
    return Settings(
        loss=targets.loss_name,
        alpha=estimator.alpha,
        quantile_level=targets.quantile_level,
        epochs=1 if incremental else estimator.epochs,
        batch_size=_batch_size(estimator, n_samples),
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


def _learning_rate(estimator, activations):
    if estimator.learning_rate != "auto":
        return estimator.learning_rate
    sigmoid = all(name == "sigmoid" for name in activations)
    return AUTO_LEARNING_RATE["sigmoid" if sigmoid else "other"]


def _batch_size(estimator, n_samples):
    if estimator.solver == "lbfgs":
        return n_samples
    if estimator.batch_size == "auto":
        return min(AUTO_BATCH_SIZE, n_samples)
    if estimator.batch_size > n_samples:
        warnings.warn(
            f"batch_size={estimator.batch_size} is larger than the {n_samples} training "
            f"samples; it is clipped to {n_samples}.",
            UserWarning,
        )
        return n_samples
    return estimator.batch_size


def make_optimizer(estimator, network, state, learning_rate):
    """The solver's optimiser of θ, continuing ``state`` unless the solver changed."""
    n_params, dtype = network.theta.size, network.dtype
    if estimator.solver == "sgd":
        optimizer = OPTIMIZERS["sgd"](
            n_params, dtype, learning_rate, estimator.momentum, estimator.nesterovs_momentum
        )
    else:
        optimizer = OPTIMIZERS["adam"](
            n_params, dtype, learning_rate, estimator.beta_1, estimator.beta_2, estimator.epsilon
        )
    if state is not None and state["solver"] == optimizer.name:
        optimizer.state = state
    return optimizer


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
