"""How a training run ended, said to the user: raised or warned before the commit,
so that a warning turned into an error leaves the estimator as it was."""

import warnings

from sklearn.exceptions import ConvergenceWarning

# A fit whose loss fell by less than this fraction of where it started did not train.
NO_PROGRESS = 1e-6


def raise_or_warn(result, solver, settings, *, continuing, data):
    """Raise for a first fit that diverged before it improved; warn of any other
    run that did not end well. ``data`` are the training data (``TrainingData``),
    whose largest values may be the cause."""
    progress, epochs, learning_rate = result.progress, settings.epochs, settings.learning_rate
    # a first fit that never got below its random starting weights has nothing to keep
    if not (continuing or progress.best_loss < progress.start_loss * (1 - NO_PROGRESS)):
        if result.outcome == "diverged":
            hint = _hint(data, solver, learning_rate, diverged=True)
            raise ValueError(
                "Training diverged before it improved on the starting weights: "
                f"{result.message}. {hint}"
            )
        hint = _hint(data, solver, learning_rate, diverged=False)
        warnings.warn(
            "Training did not lower the loss from the starting weights' "
            f"{progress.start_loss:.4g}. {hint}",
            ConvergenceWarning,
        )
    elif result.outcome == "diverged":
        if solver == "lbfgs":  # it has no optimiser state and no learning_rate
            hint = _hint(data, solver, learning_rate, diverged=True)
            advice = f"kept. {hint or 'Scaled inputs usually help.'}"
        else:
            advice = (
                "kept and the optimiser's state is reset; a smaller learning_rate, or "
                "scaled inputs, usually help."
            )
        warnings.warn(
            f"Training diverged: {result.message}. The weights with the lowest training "
            f"loss are {advice}",
            ConvergenceWarning,
        )
    elif result.outcome == "interrupted":
        warnings.warn(
            "Training interrupted by the user; the weights of the last complete epoch are kept.",
            UserWarning,
        )
    elif result.outcome == "ran_out" and solver == "lbfgs":
        warnings.warn(
            f"lbfgs stopped before converging ({result.message}); epochs caps its "
            f"iterations at {epochs}.",
            ConvergenceWarning,
        )
    elif result.outcome == "ran_out":
        warnings.warn(
            f"Training ran all epochs={epochs} and the monitored score was still "
            "improving; more epochs or a larger learning_rate may fit better.",
            ConvergenceWarning,
        )


def _hint(data, solver, learning_rate, *, diverged):
    causes = []
    for name, largest in data.largest_values().items():
        if largest > 1e3:  # standardised data stays within a few units
            causes.append(f"{name} holds values as large as {largest:.3g}; scale it")
    if diverged and solver != "lbfgs":
        causes.append(f"learning_rate={learning_rate:g} may be too large")
    return f"Likely causes: {'; '.join(causes)}." if causes else ""
