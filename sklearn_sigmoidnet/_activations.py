"""Activation functions σ and their derivatives.

Each activation turns a layer's weighted input r = b + W x into its output
a = σ(r) in place. Each derivative multiplies a back-propagated delta by
σ'(r), written in terms of the output a, which is what the forward pass kept.
"""

import numpy as np
from scipy.special import expit


def identity(r):
    return r


def sigmoid(r):
    return expit(r, out=r)


def tanh(r):
    return np.tanh(r, out=r)


def relu(r):
    return np.maximum(r, 0, out=r)


def exp(r):
    return np.exp(r, out=r)


def softmax(r):
    r -= r.max(axis=1, keepdims=True)  # exp cannot overflow after the shift
    np.exp(r, out=r)
    r /= r.sum(axis=1, keepdims=True)
    return r


ACTIVATIONS = {
    "identity": identity,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    # output layers only
    "exp": exp,
    "softmax": softmax,
}
# scikit-learn's MLP calls the sigmoid "logistic"; both names mean the same σ.
ACTIVATIONS["logistic"] = sigmoid


def _identity_derivative(a, delta):
    pass


def _sigmoid_derivative(a, delta):
    # σ'(r) = a (1 - a)
    delta *= a
    delta *= 1 - a


def _tanh_derivative(a, delta):
    # tanh'(r) = 1 - a²
    delta *= 1 - a**2


def _relu_derivative(a, delta):
    delta[a <= 0] = 0


DERIVATIVES = {
    "identity": _identity_derivative,
    "sigmoid": _sigmoid_derivative,
    "logistic": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}

HIDDEN_ACTIVATIONS = ("sigmoid", "logistic", "relu", "tanh", "identity")
