"""Ensembles in one network (``n_members``): the members side by side, each
trained on its own loss, and their mean as one wide network of the lecture's form.

Checked here: the gradient of the members' mean loss by central differences,
the compiled step against the numpy reference, the wide network against the
hand-computed mean of its members, a member trained alone against the same
member inside the ensemble, and the estimators' predictions, decompositions
and continued fits of an ensemble (its ONNX export: test_onnx.py).
"""

from types import SimpleNamespace

import numpy as np
import pytest
from compiled_helpers import CompiledNetwork, assert_close, make_inputs, make_targets
from sklearn.datasets import make_classification, make_regression

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._engines import Objective, Rows, make_engine
from sklearn_sigmoidnet._folding import folded, unfold_into
from sklearn_sigmoidnet._network import Network, feedforward
from sklearn_sigmoidnet._optimizers import SGD, Adam

OUTPUTS = {  # loss: the output activation it goes with, and outputs
    "squared_error": ("identity", 2),
    "huber": ("identity", 1),
    "poisson": ("exp", 1),
    "log_loss": ("softmax", 3),
    "binary_log_loss": ("sigmoid", 2),
}


def ensemble(hidden, loss, k, dtype=np.float64, n_inputs=4, n_category_columns=0, seed=0,
             kind=Network):  # fmt: skip
    output, n_outputs = OUTPUTS[loss]
    network = kind([n_inputs, *hidden, n_outputs], ["sigmoid", "tanh", "relu"][: len(hidden)],
                   output, dtype, n_category_columns, n_members=k)  # fmt: skip
    network.initialize(np.random.RandomState(seed))
    rng = np.random.RandomState(seed + 1)
    network.b[-1][...] = rng.standard_normal(network.b[-1].shape)  # members' own constants
    return network


def members_of(network):
    """Each member of ``network`` as a network of its own, a copy of its parameters."""
    k, sizes = network.n_members, network.layer_sizes
    members = []
    for m in range(k):
        member = Network(sizes, network.activations[:-1], network.activations[-1],
                         network.dtype, network.n_category_columns)  # fmt: skip
        fan_out = sizes[1]
        member.W[0][...] = network.W[0][:, m * fan_out : (m + 1) * fan_out]
        member.b[0][...] = network.b[0][m * fan_out : (m + 1) * fan_out]
        for layer in range(1, len(network.W)):
            member.W[layer][...] = network.W[layer][m]
            width = sizes[layer + 1]
            member.b[layer][...] = network.b[layer][m * width : (m + 1) * width]
        members.append(member)
    return members


def data(loss, n=30, n_inputs=4, n_category_columns=0, seed=3, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = make_inputs(rng, n, n_inputs - 2 if n_category_columns else n_inputs,
                    n_category_columns, 2, dtype)  # fmt: skip
    Y = make_targets(loss, rng, n, OUTPUTS[loss][1], dtype)
    return X, Y, rng.uniform(0.5, 2, n).astype(dtype)


@pytest.mark.parametrize("loss", sorted(OUTPUTS))
@pytest.mark.parametrize("hidden", [(5,), (4, 3)])
def test_gradient_of_the_members_mean_loss_matches_central_differences(loss, hidden):
    network = ensemble(hidden, loss, k=3)
    X, Y, sw = data(loss)
    l2 = 0.05
    network.loss_and_gradient(X, Y, sw, loss, l2)
    analytic = network.grad.copy()
    theta, numeric, h = network.theta, np.empty_like(network.theta), 1e-6
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + h
        up = network.loss(X, Y, sw, loss, l2, chunk_rows=7)
        theta[i] = saved - h
        down = network.loss(X, Y, sw, loss, l2, chunk_rows=7)
        theta[i] = saved
        numeric[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", sorted(OUTPUTS))
def test_the_loss_is_the_mean_of_the_members_losses(loss):
    network = ensemble((4, 3), loss, k=4)
    X, Y, sw = data(loss)
    l2 = 0.1
    members = members_of(network)
    # each member's penalty is its own ‖W‖²: the ensemble's l2 is shared out over them
    expected = np.mean([member.loss(X, Y, sw, loss, l2, chunk_rows=8) for member in members])
    np.testing.assert_allclose(network.loss(X, Y, sw, loss, l2 / 4, chunk_rows=8), expected,
                               rtol=1e-12)  # fmt: skip


@pytest.mark.parametrize("loss", sorted(OUTPUTS))
@pytest.mark.parametrize("hidden", [(5,), (4, 3)])
def test_the_wide_network_predicts_the_members_mean(loss, hidden):
    network = ensemble(hidden, loss, k=3)
    X, _, _ = data(loss)
    wide = feedforward(X, *network.wide(), network.activations)[-1]
    members = members_of(network)
    hidden_activations, output = network.activations[:-1], network.activations[-1]
    # the members' mean output before the output activation: their mean r = b + cᵀ a
    r = np.mean([feedforward(X, member.W, member.b, [*hidden_activations, "identity"])[-1]
                 for member in members], axis=0)  # fmt: skip
    if output == "softmax":
        expected = np.exp(r - r.max(axis=1, keepdims=True))
        expected /= expected.sum(axis=1, keepdims=True)
    elif output == "sigmoid":
        expected = 1 / (1 + np.exp(-r))
    elif output == "exp":
        expected = np.exp(r)
    else:
        expected = r
    np.testing.assert_allclose(wide, expected, rtol=1e-12)
    if output == "identity":  # a regression's ensemble is the mean of its members' predictions
        means = np.mean([feedforward(X, m.W, m.b, m.activations)[-1] for m in members], axis=0)
        np.testing.assert_allclose(wide, means, rtol=1e-12)


def test_setting_the_wide_network_gives_back_the_members():
    network = ensemble((4, 3), "squared_error", k=3)
    again = ensemble((4, 3), "squared_error", k=3, seed=9)
    again.set_parameters(*network.wide(), network.member_offsets())
    np.testing.assert_allclose(again.theta, network.theta, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", sorted(OUTPUTS))
@pytest.mark.parametrize("n_category_columns", [0, 2])
def test_compiled_step_equals_numpy_for_an_ensemble(dtype, loss, n_category_columns):
    X, Y, sw = data(loss, n=50, n_inputs=6, n_category_columns=n_category_columns, dtype=dtype)
    objective = Objective(loss, 0.01)
    results = []
    for kind in ("auto", "numpy"):
        network = ensemble((5, 4), loss, 3, dtype, n_inputs=6,
                           n_category_columns=n_category_columns)  # fmt: skip
        engine = make_engine(network, X, objective, None, kind)
        value = engine.loss_and_gradient(Rows(X, Y, sw))
        gradient = network.grad.copy()
        optimizer = Adam(network.theta.size, dtype, 0.01, epsilon=1e-3)
        engine = make_engine(network, X, objective, optimizer, kind)
        epoch = engine.run_epoch(Rows(X, Y, sw), 8, np.random.RandomState(0))
        results.append((type(engine).__name__, value, gradient, epoch[0], network.theta.copy()))
    (compiled, *first), (numpy, *second) = results
    assert (compiled, numpy) == ("CompiledEngine", "NumpyEngine")
    for what, a, b in zip(["loss", "gradient", "epoch loss", "θ"], first, second):
        assert_close(a, b, dtype, what, floor=0.1)


def test_a_member_trained_alone_equals_that_member_in_the_ensemble():
    # each member's gradient in the ensemble is 1/k of its own (the loss is the
    # members' mean): SGD with k η takes the same steps as the member alone with η
    loss, k, eta = "squared_error", 3, 0.05
    X, Y, sw = data(loss, n=40)
    network = ensemble((5, 3), loss, k, kind=CompiledNetwork)
    alone = members_of(network)[1]
    together = make_engine(network, X, Objective(loss, 0.02 / k),
                           SGD(network.theta.size, np.float64, k * eta, 0.9, True))  # fmt: skip
    single = make_engine(alone, X, Objective(loss, 0.02),
                         SGD(alone.theta.size, np.float64, eta, 0.9, True))  # fmt: skip
    for seed in range(3):
        together.run_epoch(Rows(X, Y, sw), 8, np.random.RandomState(seed))
        single.run_epoch(Rows(X, Y, sw), 8, np.random.RandomState(seed))
    np.testing.assert_allclose(members_of(network)[1].theta, alone.theta, rtol=1e-10, atol=1e-12)


def test_members_need_a_hidden_layer():
    with pytest.raises(ValueError, match="hidden layer"):
        Network([3, 1], [], "identity", np.float64, n_members=2)
    X, y = make_regression(40, 3, random_state=0)
    with pytest.raises(ValueError, match="n_members=2 needs a hidden layer"):
        SigmoidNetRegressor((), n_members=2).fit(X, y)


def test_one_member_is_the_single_network():
    X, y = make_regression(200, 5, noise=3, random_state=0)
    one = SigmoidNetRegressor((8, 4), epochs=5, random_state=0).fit(X, y)
    member = SigmoidNetRegressor((8, 4), n_members=1, epochs=5, random_state=0).fit(X, y)
    for a, b in zip(one.coefs_ + one.intercepts_, member.coefs_ + member.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_regressor_ensemble_is_one_wide_network(solver):
    X, y = make_regression(300, 5, noise=3, random_state=1)
    model = SigmoidNetRegressor((6, 4), n_members=3, solver=solver, epochs=20,
                                random_state=0).fit(X, y)  # fmt: skip
    assert [W.shape for W in model.coefs_] == [(5, 18), (18, 12), (12, 1)]
    hidden = model.coefs_[1]
    mask = np.kron(np.eye(3), np.ones((6, 4))).astype(bool)
    assert not hidden[~mask].any()  # members never mix
    # predict is the folded wide network, and decompose's parts add up to it
    prediction = feedforward(X, model.coefs_, model.intercepts_,
                             [*model.hidden_activations_, model.out_activation_])[-1]  # fmt: skip
    np.testing.assert_allclose(model.predict(X), prediction.ravel(), rtol=1e-10)
    parts = model.decompose(X[:20])  # c_i a_i of the wide network's last hidden units
    np.testing.assert_allclose(parts.sum(axis=1) + model.intercepts_[-1], model.predict(X[:20]),
                               rtol=1e-8, atol=1e-8)  # fmt: skip
    assert model.score(X, y) > 0.7  # 20 epochs: learning, not converged


def test_classifier_ensemble_averages_the_members_logits():
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    model = SigmoidNetClassifier((8,), n_members=4, epochs=30, random_state=0).fit(X, y)
    assert model.coefs_[0].shape == (6, 32) and model.coefs_[-1].shape == (32, 3)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    # the probabilities are the softmax of the members' mean logits
    a = feedforward(X, model.coefs_[:1], model.intercepts_[:1], ["sigmoid"])[-1]
    logits = [a[:, m * 8 : (m + 1) * 8] @ (4 * model.coefs_[1][m * 8 : (m + 1) * 8])
              for m in range(4)]  # fmt: skip
    r = np.mean(logits, axis=0) + model.intercepts_[1]
    expected = np.exp(r - r.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, expected / expected.sum(axis=1, keepdims=True), rtol=1e-9)
    assert model.score(X, y) > 0.7


def test_a_continued_ensemble_starts_from_its_members():
    # the fitted model is the wide network, in y's units; a fit that goes on
    # unfolds it into the members it was, each with its own output constant
    X, y = make_regression(200, 4, noise=2, random_state=2)
    y = 50 * y + 7  # a target scaling to fold and unfold
    model = SigmoidNetRegressor((6, 5), n_members=3, epochs=3, random_state=0).fit(X, y)
    inputs, targets = model._input_encoding, model._target_encoding
    trained = Network([4, 6, 5, 1], ["sigmoid", "tanh"], "identity", np.float64, n_members=3)
    trained.initialize(np.random.RandomState(4))
    trained.b[-1][...] = [0.5, -1.0, 2.0]
    fitted = SimpleNamespace(**folded(trained, inputs, targets), out_activation_="identity")
    again = Network([4, 6, 5, 1], ["sigmoid", "tanh"], "identity", np.float64, n_members=3)
    unfold_into(again, fitted, inputs, targets)
    np.testing.assert_allclose(again.theta, trained.theta, rtol=1e-10, atol=1e-12)
    # and the model continues from its own members: its members' loss goes on down
    ended = model.loss_
    model.set_params(warm_start=True, epochs=1, early_stopping=False).fit(X, y)
    assert model.loss_ < 1.5 * ended
