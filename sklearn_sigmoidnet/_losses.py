"""Loss functions L(y, ŷ), one value per sample, and ∂L/∂r at the output.

Each loss goes with the output activation that makes its gradient with respect
to the output layer's weighted input r simple: identity for the errors, exp for
Poisson, sigmoid or softmax for the log loss. For these pairs ∂L/∂r is the
residual e = ŷ − y, bounded for the robust losses (MAE, Huber).
"""

import numpy as np
from scipy.special import xlogy


def squared_error(y, y_hat):
    # ½ e², so that the gradient is e itself
    return 0.5 * ((y_hat - y) ** 2).sum(axis=1)


def absolute_error(y, y_hat):
    return np.abs(y_hat - y).sum(axis=1)


def huber(y, y_hat):
    # ½ e² for |e| ≤ 1, |e| − ½ beyond: quadratic near the fit, linear for outliers
    e = np.abs(y_hat - y)
    return np.where(e <= 1, 0.5 * e**2, e - 0.5).sum(axis=1)


def poisson(y, y_hat):
    # the half Poisson deviance, zero at ŷ = y
    y_hat = np.maximum(y_hat, np.finfo(y_hat.dtype).tiny)
    return (xlogy(y, y / y_hat) - y + y_hat).sum(axis=1)


def pinball(y, y_hat, level):
    # α e for targets above the prediction, (1 − α)|e| below, with α = level:
    # least when a share α of the targets lies below ŷ
    e = y - y_hat
    return np.maximum(level * e, (level - 1) * e).sum(axis=1)


def _clip_probability(p):
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


def log_loss(y, p):
    return -xlogy(y, _clip_probability(p)).sum(axis=1)


def binary_log_loss(y, p):
    p = _clip_probability(p)
    return -(xlogy(y, p) + xlogy(1 - y, 1 - p)).sum(axis=1)


LOSSES = {
    "squared_error": squared_error,
    "absolute_error": absolute_error,
    "huber": huber,
    "poisson": poisson,
    "log_loss": log_loss,
    "binary_log_loss": binary_log_loss,
}

OUTPUT_ACTIVATIONS = {
    "squared_error": "identity",
    "absolute_error": "identity",
    "huber": "identity",
    "quantile": "identity",
    "poisson": "exp",
}


def per_sample_loss(loss, y, y_hat, quantile_level=None):
    """Lᵢ of every sample; ``quantile_level`` is the α of the "quantile" loss."""
    if loss == "quantile":
        return pinball(y, y_hat, quantile_level)
    return LOSSES[loss](y, y_hat)


def output_delta(loss, y, y_hat, out, quantile_level=None):
    """Write ∂L/∂r of every sample into ``out``: the residual, bounded when robust."""
    np.subtract(y_hat, y, out=out)
    if loss == "absolute_error":
        np.sign(out, out=out)
    elif loss == "huber":
        np.clip(out, -1, 1, out=out)
    elif loss == "quantile":
        # 1 − α above the target, −α below: the pinball loss's slope
        np.greater(out, 0, out=out)
        out -= quantile_level
    return out


def summed_loss(loss, y, y_hat, residual, sample_weight, scratch, quantile_level=None):
    """Σ sᵢ Lᵢ over a batch (sᵢ = 1 when ``sample_weight`` is None).

    The squared error and the log losses are computed from the residual
    e = ŷ − y that ``output_delta`` wrote, or from ŷ, in ``scratch`` (shaped
    like ŷ), so that the per-batch loss allocates nothing and takes few
    passes; the other losses use ``LOSSES``.
    """
    if loss == "squared_error":
        if sample_weight is None:
            return 0.5 * float(np.vdot(residual, residual))
        np.multiply(residual, residual, out=scratch)
        return 0.5 * _weighted_sum(scratch, sample_weight)
    if loss == "binary_log_loss":
        # for 0/1 targets, 1 − |e| is the probability given to the observed outcome
        np.abs(residual, out=scratch)
        np.subtract(1, scratch, out=scratch)
        return -_weighted_sum(_log_clipped(scratch, out=scratch), sample_weight)
    if loss == "log_loss":
        log_p = _log_clipped(y_hat, out=scratch)
        if sample_weight is None:
            return -float(np.vdot(y, log_p))  # Σ y log p as one dot product
        log_p *= y
        return -_weighted_sum(log_p, sample_weight)
    losses = per_sample_loss(loss, y, y_hat, quantile_level)
    return float(losses.sum() if sample_weight is None else losses @ sample_weight)


def _weighted_sum(values, sample_weight):
    return float(values.sum() if sample_weight is None else (sample_weight @ values).sum())


def _log_clipped(p, out):
    """log p with p clipped as in ``log_loss``, into ``out``."""
    eps = np.finfo(p.dtype).eps
    # two one-sided bounds in place, without np.clip's general machinery
    np.maximum(p, eps, out=out)
    np.minimum(out, 1 - eps, out=out)
    return np.log(out, out=out)
