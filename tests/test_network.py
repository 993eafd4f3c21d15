"""The network maths on its own: gradients, and one hand-worked step.

The optimisers, the losses and the epoch have modules of their own: test_optimizers.py,
test_losses.py and test_epoch.py.
"""

import numpy as np
import pytest
from scipy import sparse

from sklearn_sigmoidnet._losses import OUTPUT_ACTIVATIONS
from sklearn_sigmoidnet._network import Network, penalty
from sklearn_sigmoidnet._optimizers import SGD

pytestmark = pytest.mark.oldest_sklearn

HIDDEN = ["sigmoid", "relu", "tanh", "identity"]
# each loss with its output activation and a target of the kind it takes
OUTPUTS = [(loss, activation) for loss, activation in OUTPUT_ACTIVATIONS.items()] + [
    ("binary_log_loss", "logistic"),
    ("log_loss", "softmax"),
]


def _targets(loss, rng, n, n_out):
    if loss == "log_loss":
        return np.eye(n_out)[rng.randint(n_out, size=n)]
    if loss == "binary_log_loss":
        return rng.randint(2, size=(n, n_out)).astype(float)
    if loss == "poisson":
        return rng.poisson(2.0, size=(n, n_out)).astype(float)
    return rng.normal(size=(n, n_out))


def _objective(network, X, Y, sample_weight, loss, alpha):
    level = 0.3 if loss == "quantile" else None  # the pinball loss's α
    l2 = alpha / (X.shape[0] if sample_weight is None else sample_weight.sum())
    data_loss = network.loss_and_gradient(X, Y, sample_weight, loss, l2, level)
    return data_loss + 0.5 * l2 * penalty(network.W)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("loss, output", OUTPUTS)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_central_differences(hidden, loss, output, weighted):
    rng = np.random.RandomState(0)
    n, n_out = 7, 3
    X = rng.normal(size=(n, 4))
    Y = _targets(loss, rng, n, n_out)
    sample_weight = rng.uniform(0.5, 2, size=n) if weighted else None
    network = Network([4, 5, 3, n_out], [hidden, hidden], output, np.float64)
    network.initialize(rng)
    if hidden == "relu":  # keep every unit away from the kink, where no derivative exists
        network.b[0][...] = 0.5
    alpha = 0.3

    _objective(network, X, Y, sample_weight, loss, alpha)
    analytic = network.grad.copy()
    theta0 = network.theta.copy()
    numeric = np.empty_like(theta0)
    h = 1e-6
    for k in range(theta0.size):
        network.theta[...] = theta0
        network.theta[k] += h
        up = _objective(network, X, Y, sample_weight, loss, alpha)
        network.theta[k] -= 2 * h
        down = _objective(network, X, Y, sample_weight, loss, alpha)
        numeric[k] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n_dense", [0, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_with_category_columns_matches_central_differences(n_dense, weighted):
    # X's last 3 columns are codes of W[0]'s rows n_dense … n_dense + 3, or -1 for
    # none: few rows for 3 columns, so that codes repeat in a row and in the batch
    rng = np.random.RandomState(2)
    n, n_codes, n_rows = 9, 3, 4
    codes = rng.randint(n_dense - 1, n_dense + n_rows, size=(n, n_codes))
    codes[codes == n_dense - 1] = -1
    codes[0] = [n_dense, n_dense, -1]
    X = np.hstack([rng.normal(size=(n, n_dense)), codes])
    Y = _targets("squared_error", rng, n, 2)
    sample_weight = rng.uniform(0.5, 2, size=n) if weighted else None
    network = Network([n_dense + n_rows, 5, 2], ["tanh"], "identity", np.float64, n_codes)
    network.initialize(rng)

    _objective(network, X, Y, sample_weight, "squared_error", 0.3)
    analytic = network.grad.copy()
    assert (network.dW[0][n_dense:] != 0).all()  # every category row was looked up
    theta0 = network.theta.copy()
    numeric = np.empty_like(theta0)
    h = 1e-6
    for k in range(theta0.size):
        network.theta[...] = theta0
        network.theta[k] += h
        up = _objective(network, X, Y, sample_weight, "squared_error", 0.3)
        network.theta[k] -= 2 * h
        down = _objective(network, X, Y, sample_weight, "squared_error", 0.3)
        numeric[k] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_sparse_input_gives_the_dense_gradient():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(6, 5)) * (rng.uniform(size=(6, 5)) < 0.4)
    Y = rng.normal(size=(6, 1))
    network = Network([5, 3, 1], ["sigmoid"], "identity", np.float64)
    network.initialize(rng)
    network.loss_and_gradient(X, Y, None, "squared_error", 0.1)
    dense = network.grad.copy()
    network.loss_and_gradient(sparse.csr_matrix(X), Y, None, "squared_error", 0.1)
    np.testing.assert_allclose(network.grad, dense)


def test_one_sgd_step_by_hand():
    # one input, one sigmoid unit, one output: ŷ = b + c σ(b₁ + w x)
    network = Network([1, 1, 1], ["sigmoid"], "identity", np.float64)
    w, b1, c, b = 0.5, -1.0, 2.0, 0.25
    network.set_parameters([np.array([[w]]), np.array([[c]])], [np.array([b1]), np.array([b])])
    x, y, eta = 2.0, 1.0, 0.1

    r = b1 + w * x  # 0.0
    a = 1 / (1 + np.exp(-r))  # 0.5
    y_hat = b + c * a  # 1.25
    e = y_hat - y  # 0.25, and L = ½ e²
    expected = {
        "w": w - eta * e * c * a * (1 - a) * x,  # 0.5 - 0.1 * 0.25 = 0.475
        "b1": b1 - eta * e * c * a * (1 - a),  # -1.0125
        "c": c - eta * e * a,  # 1.9875
        "b": b - eta * e,  # 0.225
    }
    assert expected == pytest.approx({"w": 0.475, "b1": -1.0125, "c": 1.9875, "b": 0.225})

    loss = network.loss_and_gradient(np.array([[x]]), np.array([[y]]), None, "squared_error", 0)
    assert loss == pytest.approx(0.5 * e**2)
    SGD(network.theta.size, np.float64, eta, momentum=0).step(network.theta, network.grad)
    got = {
        "w": network.W[0][0, 0],
        "b1": network.b[0][0],
        "c": network.W[1][0, 0],
        "b": network.b[1][0],
    }
    assert got == expected


def test_the_first_sigmoid_layer_starts_bent_and_the_later_ones_glorot():
    # standardised x gives the first layer's W x unit variance, and its biases have a
    # spread of 1 (r = b + W x: variance 2); a later sigmoid layer's inputs are
    # sigmoids in (0, 1), where biases of spread 1 put its units on the sigmoid's
    # shoulders (docs/defaults.rst)
    sizes = [30, 200, 200, 200, 1]
    network = Network(sizes, ["sigmoid"] * 3, "identity", np.float64)
    network.initialize(np.random.RandomState(0))
    W, b = network.W, network.b
    assert W[0].std() == pytest.approx(1 / np.sqrt(30), rel=0.05)
    assert b[0].std() == pytest.approx(1.0, rel=0.15)
    x = np.random.RandomState(1).normal(size=(2000, 30))
    assert (x @ W[0] + b[0]).std() == pytest.approx(np.sqrt(2), rel=0.1)
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[1:-1], sizes[2:]), start=1):
        bound = np.sqrt(6 / (fan_in + fan_out))
        assert np.abs(W[layer]).max() <= bound and np.abs(b[layer]).max() <= bound
        assert W[layer].std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
