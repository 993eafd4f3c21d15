"""The losses (``_losses.py``): each per-sample loss against its closed form,
clipping included, and ``output_delta`` against central differences of the
loss through the output activation that goes with it, so that ∂L/∂r is the
residual ŷ − y (bounded for the robust losses).
"""

import math

import numpy as np
import pytest

from sklearn_sigmoidnet._activations import ACTIVATIONS
from sklearn_sigmoidnet._losses import (
    LOSSES,
    OUTPUT_ACTIVATIONS,
    output_delta,
    per_sample_loss,
    pinball,
)

pytestmark = pytest.mark.oldest_sklearn

LEVEL = 0.3  # the quantile loss's α
# each loss with its output activation
PAIRS = [*OUTPUT_ACTIVATIONS.items(), ("binary_log_loss", "logistic"), ("log_loss", "softmax")]


def huber_term(e):
    return 0.5 * e * e if abs(e) <= 1 else abs(e) - 0.5


def poisson_term(y, y_hat):
    return (y * math.log(y / y_hat) if y else 0.0) - y + y_hat


# the loss of one target and its prediction, summed over a sample's outputs below
TERMS = {
    "squared_error": lambda y, y_hat: 0.5 * (y_hat - y) ** 2,
    "absolute_error": lambda y, y_hat: abs(y_hat - y),
    "huber": lambda y, y_hat: huber_term(y_hat - y),
    "poisson": poisson_term,
    "log_loss": lambda y, p: -y * math.log(p) if y else 0.0,
    "binary_log_loss": lambda y, p: -(y * math.log(p) + (1 - y) * math.log(1 - p)),
}
# targets and predictions of each kind, two samples of three outputs
CASES = {
    "squared_error": ([[0.0, 1.5, -2.0], [3.0, 0.0, 1.0]], [[0.5, 1.0, 1.0], [4.0, -0.25, 4.0]]),
    "poisson": ([[0.0, 1.0, 4.0], [2.0, 0.0, 7.0]], [[0.5, 1.0, 2.0], [3.0, 1e-3, 7.5]]),
    "log_loss": ([[0.0, 1.0, 0.0], [0.2, 0.5, 0.3]], [[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]]),
    "binary_log_loss": ([[0.0, 1.0, 1.0], [0.0, 0.0, 0.25]], [[0.1, 0.7, 0.95], [0.5, 0.3, 0.6]]),
}
for loss in ("absolute_error", "huber"):  # |e| from 0.25 to 3: both sides of Huber's 1, and 1
    CASES[loss] = CASES["squared_error"]


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_each_loss_is_its_closed_form(loss):
    y, y_hat = (np.array(values) for values in CASES[loss])
    expected = [sum(map(TERMS[loss], row, row_hat)) for row, row_hat in zip(y, y_hat)]
    np.testing.assert_allclose(LOSSES[loss](y, y_hat), expected, rtol=1e-14)
    np.testing.assert_allclose(per_sample_loss(loss, y, y_hat), expected, rtol=1e-14)


def test_huber_is_quadratic_then_linear_and_continuous_at_1():
    y = np.zeros((6, 1))
    e = np.array([[0.5], [1.0 - 1e-9], [1.0], [1.0 + 1e-9], [-3.0], [10.0]])
    np.testing.assert_allclose(LOSSES["huber"](y, e), [0.125, 0.5, 0.5, 0.5, 2.5, 9.5], atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_log_losses_clip_probabilities_of_0_and_1(dtype):
    # a certain wrong answer costs -log(eps), not inf
    eps = np.finfo(dtype).eps
    y, p = np.array([[1.0, 0.0]], dtype), np.array([[0.0, 1.0]], dtype)
    np.testing.assert_allclose(LOSSES["log_loss"](y, p), [-math.log(eps)], rtol=1e-6)
    np.testing.assert_allclose(LOSSES["binary_log_loss"](y, p), [-2 * math.log(eps)], rtol=1e-6)
    # a certain right answer costs nothing but rounding
    assert LOSSES["binary_log_loss"](y, 1 - p)[0] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_poisson_clips_a_prediction_of_0_to_the_smallest_normal_number(dtype):
    # e^r underflows to 0: the half deviance is y log(y / tiny) − y + tiny, finite
    tiny = float(np.finfo(dtype).tiny)
    y, y_hat = np.array([[2.0, 0.0]], dtype), np.zeros((1, 2), dtype)
    with np.errstate(all="raise"):
        got = LOSSES["poisson"](y, y_hat)
    np.testing.assert_allclose(got, [2 * math.log(2 / tiny) - 2 + 2 * tiny], rtol=1e-6)


def forward(activation, r):
    return ACTIVATIONS[activation](r.copy())  # in place: on a copy


def targets_for(loss, rng, shape):
    if loss == "log_loss":  # probabilities that sum to 1: soft labels too
        return rng.dirichlet(np.ones(shape[1]), size=shape[0])
    if loss == "binary_log_loss":
        return rng.choice([0.0, 1.0, 0.3], size=shape)
    if loss == "poisson":
        return rng.poisson(2.0, size=shape).astype(float)
    return rng.standard_normal(shape)


@pytest.mark.parametrize("loss, activation", PAIRS)
def test_output_delta_is_the_derivative_of_the_loss_by_r(loss, activation):
    rng = np.random.RandomState(0)
    shape = (5, 3)
    r = rng.standard_normal(shape)
    y = targets_for(loss, rng, shape)
    if loss in ("absolute_error", "huber", "quantile"):
        # away from the kinks, at ŷ = y and at |ŷ − y| = 1: |ŷ − y| in (0.2, 0.8) or (1.2, 2)
        gap = rng.choice([0.5, 1.6], size=shape) + rng.uniform(-0.3, 0.3, size=shape)
        y = r + rng.choice([-1, 1], size=shape) * gap
    level = LEVEL if loss == "quantile" else None
    y_before, y_hat = y.copy(), forward(activation, r)
    y_hat_before = y_hat.copy()
    out = np.full(shape, np.nan)
    assert output_delta(loss, y, y_hat, out, level) is out
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(y_hat, y_hat_before)

    h, numeric = 1e-6, np.empty(shape)
    for i, j in np.ndindex(shape):  # sample i's loss depends on its own row of r only
        up, down = r.copy(), r.copy()
        up[i, j] += h
        down[i, j] -= h
        up_loss = per_sample_loss(loss, y, forward(activation, up), level)
        down_loss = per_sample_loss(loss, y, forward(activation, down), level)
        numeric[i, j] = (up_loss[i] - down_loss[i]) / (2 * h)
    np.testing.assert_allclose(out, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "loss, expected",
    [
        ("squared_error", [-2.5, -0.5, 0.5, 2.5]),
        ("absolute_error", [-1.0, -1.0, 1.0, 1.0]),
        ("huber", [-1.0, -0.5, 0.5, 1.0]),
        ("quantile", [-LEVEL, -LEVEL, 1 - LEVEL, 1 - LEVEL]),  # the pinball loss's slopes
    ],
)
def test_output_delta_bounds_the_robust_losses(loss, expected):
    y, y_hat = np.zeros((4, 1)), np.array([[-2.5], [-0.5], [0.5], [2.5]])
    got = output_delta(loss, y, y_hat, np.empty((4, 1)), LEVEL if loss == "quantile" else None)
    np.testing.assert_allclose(got.ravel(), expected)


def test_pinball_loss_values():
    targets, predictions = np.array([[3.0], [1.0]]), np.array([[1.0], [3.0]])
    np.testing.assert_allclose(pinball(targets, predictions, 0.9), [0.9 * 2, 0.1 * 2])


def test_every_loss_is_zero_at_a_perfect_fit():
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    for name, loss in LOSSES.items():
        if name in ("log_loss", "binary_log_loss"):
            continue  # probabilities of exactly 0 and 1 are clipped
        np.testing.assert_allclose(loss(y, y.copy()), 0, atol=1e-12, err_msg=name)
