"""The numpy optimisers (``_optimizers.py``) against their update rules written
out by hand: SGD without momentum, with momentum and with Nesterov's momentum;
Adam with its bias correction, as Kingma and Ba's algorithm and as
scikit-learn's MLP steps it; and ``state``, from which a new optimiser goes on
as the first would have.
"""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

from sklearn_sigmoidnet._optimizers import OPTIMIZERS, SGD, Adam

pytestmark = pytest.mark.oldest_sklearn

# learning rates that change from step to step, as a schedule may change them
ETAS = [0.1, 0.05, 0.2, 0.01, 0.1, 0.03]


def gradients(n_steps, size=5, seed=0):
    """Gradients of mixed signs and scales, none of them zero."""
    rng = np.random.RandomState(seed)
    return [rng.choice([-1, 1], size) * rng.uniform(0.1, 3, size) for _ in range(n_steps)]


def optimizer(solver, n_params, dtype=np.float64, learning_rate=0.1):
    if solver == "adam":
        return Adam(n_params, dtype, learning_rate, beta_1=0.8, beta_2=0.99, epsilon=1e-3)
    momentum = 0.0 if solver == "sgd" else 0.7
    return SGD(n_params, dtype, learning_rate, momentum, nesterov=solver == "nesterov")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("nesterov", [False, True])  # without momentum, Nesterov changes nothing
def test_sgd_without_momentum_steps_by_minus_eta_g(nesterov, dtype):
    theta = np.linspace(-1, 1, 5).astype(dtype)
    expected = theta.astype(np.float64)
    sgd = SGD(5, dtype, ETAS[0], momentum=0.0, nesterov=nesterov)
    for eta, g in zip(ETAS, gradients(len(ETAS))):
        sgd.learning_rate = eta
        sgd.step(theta, g.astype(dtype))
        expected -= eta * g
    assert theta.dtype == dtype
    np.testing.assert_allclose(theta, expected, rtol={np.float64: 1e-14, np.float32: 1e-5}[dtype])
    np.testing.assert_array_equal(sgd.state["velocity"], 0)  # no velocity kept


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_its_definition(nesterov):
    theta, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([-1.0, 2.0])
    optimizer = SGD(2, np.float64, learning_rate=0.1, momentum=0.9, nesterov=nesterov)
    v = np.zeros(2)
    expected = theta.copy()
    for g in (g1, g2):
        v = 0.9 * v - 0.1 * g
        expected += 0.9 * v - 0.1 * g if nesterov else v
        optimizer.step(theta, g)
    np.testing.assert_allclose(theta, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_velocity_carries_the_learning_rates_of_past_steps(nesterov):
    # v ← μ v − η_k g_k with this step's η_k; θ steps by v, or by μ v − η_k g_k (Nesterov)
    mu, theta = 0.7, np.zeros(5)
    sgd = SGD(5, np.float64, ETAS[0], momentum=mu, nesterov=nesterov)
    v, expected = np.zeros(5), np.zeros(5)
    for eta, g in zip(ETAS, gradients(len(ETAS), seed=1)):
        sgd.learning_rate = eta
        sgd.step(theta, g)
        v = mu * v - eta * g
        expected += mu * v - eta * g if nesterov else v
        np.testing.assert_allclose(sgd.state["velocity"], v, rtol=1e-13)
    np.testing.assert_allclose(theta, expected, rtol=1e-13)


def test_adam_matches_its_definition():
    theta, grads = np.array([1.0, -2.0]), [np.array([0.5, 1.0]), np.array([-1.0, 2.0])]
    optimizer = Adam(2, np.float64, learning_rate=0.01)
    m = v = np.zeros(2)
    expected = theta.copy()
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        # the bias correction folded into the step size scales ε by 1/√(1 − β₂ᵗ)
        expected -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8 / np.sqrt(1 - 0.999**t))
        optimizer.step(theta, g)
    np.testing.assert_allclose(theta, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adam_without_epsilon_is_kingma_and_bas_algorithm(dtype):
    # Algorithm 1 of Kingma & Ba (2015), with the step size of each step:
    #   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
    #   θ ← θ − η m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ).
    # With ε = 0 the ways of adding ε (below) agree, and this is the algorithm.
    b1, b2 = 0.8, 0.99
    adam = Adam(5, dtype, ETAS[0], beta_1=b1, beta_2=b2, epsilon=0.0)
    theta = np.linspace(-1, 1, 5).astype(dtype)
    expected = theta.astype(np.float64)
    m = v = np.zeros(5)
    for t, (eta, g) in enumerate(zip(ETAS, gradients(len(ETAS), seed=2)), start=1):
        adam.learning_rate = eta
        adam.step(theta, g.astype(dtype))
        g = g.astype(dtype).astype(np.float64)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        expected -= eta * m_hat / np.sqrt(v_hat)
        assert adam.t == t
    assert theta.dtype == dtype
    np.testing.assert_allclose(theta, expected, rtol={np.float64: 1e-13, np.float32: 1e-5}[dtype])


def test_adam_steps_as_scikit_learns_mlp():
    # scikit-learn's MLP adds ε to √v, not to √v̂: ε / √(1 − β₂ᵗ) in Algorithm 1's terms.
    # A large ε, for the two to differ by far more than rounding.
    eta, epsilon = 0.05, 0.5
    theta, reference = np.linspace(-1, 1, 5), [np.linspace(-1, 1, 5)]
    adam = Adam(5, np.float64, eta, beta_1=0.8, beta_2=0.99, epsilon=epsilon)
    mlp = AdamOptimizer(reference, eta, beta_1=0.8, beta_2=0.99, epsilon=epsilon)
    for g in gradients(8, seed=3):
        adam.step(theta, g)
        mlp.update_params(reference, [g])
        np.testing.assert_allclose(theta, reference[0], rtol=1e-13)
    np.testing.assert_allclose(adam.state["m"], mlp.ms[0], rtol=1e-13)
    np.testing.assert_allclose(adam.state["v"], mlp.vs[0], rtol=1e-13)


def test_adams_state_holds_the_moments_themselves():
    # m and v as in Algorithm 1, not the sums m / (1 − β₁) and v / (1 − β₂) kept inside
    adam = Adam(5, np.float64, 0.01, beta_1=0.8, beta_2=0.99)
    m = v = np.zeros(5)
    for g in gradients(4, seed=4):
        adam.step(np.zeros(5), g)
        m, v = 0.8 * m + 0.2 * g, 0.99 * v + 0.01 * g**2
    state = adam.state
    assert state["t"] == 4 and isinstance(state["t"], int)
    np.testing.assert_allclose(state["m"], m, rtol=1e-13)
    np.testing.assert_allclose(state["v"], v, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["sgd", "momentum", "nesterov", "adam"])
def test_a_new_optimizer_given_the_state_goes_on_as_the_first(solver, dtype):
    grads = [g.astype(dtype) for g in gradients(7, seed=5)]
    first = optimizer(solver, 5, dtype)
    theta = np.linspace(-1, 1, 5).astype(dtype)
    for g in grads[:4]:
        first.step(theta, g)
    state = first.state
    assert state["solver"] == solver.replace("momentum", "sgd").replace("nesterov", "sgd")
    assert OPTIMIZERS[state["solver"]] is type(first)
    for key, value in state.items():  # plain values, and arrays of θ's dtype
        assert isinstance(value, (str, int, np.ndarray)), key
        assert not isinstance(value, np.ndarray) or value.dtype == dtype

    second = optimizer(solver, 5, dtype)
    second.state = state
    theta_second = theta.copy()
    for g in grads[4:]:
        first.step(theta, g)
        second.step(theta_second, g)
    # Adam's moments pass through ×(1 − β) and ÷(1 − β): a rounding apart at most
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(theta_second, theta, rtol=4 * eps, atol=4 * eps)
    for key, value in first.state.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_allclose(second.state[key], value, rtol=8 * eps)
        else:
            assert second.state[key] == value


@pytest.mark.parametrize("solver", ["nesterov", "adam"])
def test_the_state_is_a_copy_both_ways(solver):
    first = optimizer(solver, 5)
    for g in gradients(2, seed=6):
        first.step(np.zeros(5), g)
    state = first.state
    arrays = {key: value.copy() for key, value in state.items() if isinstance(value, np.ndarray)}
    first.step(np.zeros(5), gradients(1, seed=7)[0])  # the first goes on ...
    second = optimizer(solver, 5)
    second.state = state
    for value in state.values():  # ... and the state handed over is changed afterwards
        if isinstance(value, np.ndarray):
            value[...] = np.nan
    assert arrays  # the velocity, or m and v
    for key, value in arrays.items():
        np.testing.assert_allclose(second.state[key], value, rtol=1e-15)
