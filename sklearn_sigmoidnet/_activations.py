"""Activation functions σ and their derivatives.

Each activation turns a layer's weighted input r = b + W x into its output
a = σ(r) in place. Each derivative multiplies a back-propagated delta by
σ'(r), written in terms of the output a, which is what the forward pass kept;
it may use ``scratch``, an array of a's shape, so that it allocates nothing.
"""

import numpy as np


def identity(r):
    return r


def sigmoid(r):
    # 1 / (1 + e^-r) with numpy's vectorised exp: faster than scipy's expit
    # and as exact. e^-r overflows to inf for very negative r, which gives the
    # right limit σ = 0; callers silence that warning once per pass
    # (np.errstate(over="ignore")), as entering it per layer costs time.
    np.negative(r, out=r)
    np.exp(r, out=r)
    r += 1
    return np.reciprocal(r, out=r)


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


def _identity_derivative(a, delta, scratch):
    pass


def _sigmoid_derivative(a, delta, scratch):
    # σ'(r) = a (1 - a)
    np.subtract(1, a, out=scratch)
    delta *= a
    delta *= scratch


def _tanh_derivative(a, delta, scratch):
    # tanh'(r) = 1 - a² = (1 - a)(1 + a): the factors lose nothing where a is
    # near ±1, where 1 - a² rounded after a² would lose all its digits
    np.subtract(1, a, out=scratch)
    delta *= scratch
    np.add(1, a, out=scratch)
    delta *= scratch


def _relu_derivative(a, delta, scratch):
    # relu'(r) is 1 where a > 0, else 0: the sign of a ≥ 0
    np.sign(a, out=scratch)
    delta *= scratch


DERIVATIVES = {
    "identity": _identity_derivative,
    "sigmoid": _sigmoid_derivative,
    "logistic": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}

HIDDEN_ACTIVATIONS = ("sigmoid", "logistic", "relu", "tanh", "identity")
