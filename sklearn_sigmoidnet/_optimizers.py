"""Gradient descent on the flat parameter vector: θ ← θ − η g, and Adam.

Each optimiser keeps its state as whole vectors the size of θ and updates θ in
place with a few vector operations and one scratch buffer, so a step costs no
allocation. ``learning_rate`` (η) may be changed between steps by a schedule.
``state`` holds all that a later call needs to continue, in plain arrays and
numbers, so that a fitted estimator stores it without custom types.
"""

import math

import numpy as np


class SGD:
    """Mini-batch gradient descent, with optional (Nesterov) momentum.

    With momentum μ the step follows a velocity v ← μ v − η g instead of −η g
    alone; Nesterov's variant steps by μ v − η g, looking ahead along v.
    """

    def __init__(self, n_params, dtype, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._step = np.empty(n_params, dtype=dtype)

    @property
    def state(self):
        return {"learning_rate": self.learning_rate, "velocity": self.velocity}

    @state.setter
    def state(self, state):
        self.learning_rate = state["learning_rate"]
        self.velocity[...] = state["velocity"]

    def step(self, theta, grad):
        eta_g = np.multiply(grad, self.learning_rate, out=self._step)
        if not self.momentum:
            theta -= eta_g
            return
        v = self.velocity
        v *= self.momentum
        v -= eta_g
        if self.nesterov:
            theta -= eta_g
            theta += np.multiply(v, self.momentum, out=self._step)
        else:
            theta += v


class Adam:
    """Adam: steps scaled by running means of the gradient and its square."""

    def __init__(self, n_params, dtype, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self._scratch = np.empty(n_params, dtype=dtype)

    @property
    def state(self):
        return {"learning_rate": self.learning_rate, "t": self.t, "m": self.m, "v": self.v}

    @state.setter
    def state(self, state):
        self.learning_rate, self.t = state["learning_rate"], state["t"]
        self.m[...] = state["m"]
        self.v[...] = state["v"]

    def step(self, theta, grad):
        self.t += 1
        b1, b2, s = self.beta_1, self.beta_2, self._scratch
        self.m *= b1
        self.m += np.multiply(grad, 1 - b1, out=s)
        np.multiply(grad, grad, out=s)
        s *= 1 - b2
        self.v *= b2
        self.v += s
        # bias correction of both running means, folded into the step size
        eta = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        np.sqrt(self.v, out=s)
        s += self.epsilon
        np.divide(self.m, s, out=s)
        s *= eta
        theta -= s
