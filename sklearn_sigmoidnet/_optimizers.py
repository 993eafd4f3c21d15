"""Gradient descent on the flat parameter vector: θ ← θ − η g, and Adam.

Each optimiser keeps its state as whole vectors the size of θ and updates θ in
place with a few vector operations and one scratch buffer, so a step costs no
allocation. ``learning_rate`` (η) may be changed between steps by a schedule.
``state`` holds all that a later call needs to continue (η aside, which the
schedule sets), in plain arrays and numbers, so that a fitted estimator stores
it without custom types; its "solver" entry names the optimiser it is for.
"""

import math

import numpy as np


class SGD:
    """Mini-batch gradient descent, with optional (Nesterov) momentum.

    With momentum μ the step follows a velocity v ← μ v − η g instead of −η g
    alone; Nesterov's variant steps by μ v − η g, looking ahead along v.
    """

    name = "sgd"

    def __init__(self, n_params, dtype, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._step = np.empty(n_params, dtype=dtype)

    @property
    def state(self):
        return {"solver": self.name, "velocity": self.velocity.copy()}

    @state.setter
    def state(self, state):
        self.velocity[...] = state["velocity"]

    def vectors(self):
        """The vectors that a step updates in place: the velocity (and no second)."""
        return self.velocity, None

    def count_steps(self, n_steps):
        """Steps taken elsewhere on ``vectors()`` (the compiled step): SGD counts none."""

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
    """Adam: steps scaled by running means of the gradient and its square.

    The means m ← β₁ m + (1 − β₁) g and v ← β₂ v + (1 − β₂) g² are kept
    without their factors (1 − β): as m / (1 − β₁) and v / (1 − β₂), which
    take one vector operation less each per step, and the factors fold into
    the step size. ``state`` gives and takes m and v themselves.
    """

    name = "adam"

    def __init__(self, n_params, dtype, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self._m_sum = np.zeros(n_params, dtype=dtype)  # m / (1 − β₁)
        self._v_sum = np.zeros(n_params, dtype=dtype)  # v / (1 − β₂)
        self._scratch = np.empty(n_params, dtype=dtype)

    @property
    def m(self):
        return self._m_sum * (1 - self.beta_1)

    @property
    def v(self):
        return self._v_sum * (1 - self.beta_2)

    @property
    def state(self):
        return {"solver": self.name, "t": self.t, "m": self.m, "v": self.v}

    @state.setter
    def state(self, state):
        self.t = state["t"]
        np.divide(state["m"], 1 - self.beta_1, out=self._m_sum)
        np.divide(state["v"], 1 - self.beta_2, out=self._v_sum)

    def vectors(self):
        """The vectors that a step updates in place: m / (1 − β₁) and v / (1 − β₂)."""
        return self._m_sum, self._v_sum

    def count_steps(self, n_steps):
        """Steps taken elsewhere on ``vectors()`` (the compiled step): t counts them."""
        self.t += n_steps

    def step(self, theta, grad):
        self.t += 1
        b1, b2, s = self.beta_1, self.beta_2, self._scratch
        m_sum, v_sum = self._m_sum, self._v_sum
        m_sum *= b1
        m_sum += grad
        v_sum *= b2
        v_sum += np.multiply(grad, grad, out=s)
        # θ ← θ − η m̂ / (√v + ε) with the bias-corrected m̂ = m / (1 − β₁ᵗ), as
        # scikit-learn's MLP does; written in the sums, √v + ε is
        # √(1 − β₂) (√v_sum + ε / √(1 − β₂)), and all scalar factors meet in η_t
        sqrt_1_b2 = math.sqrt(1 - b2)
        eta = (
            self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t) * (1 - b1) / sqrt_1_b2
        )
        np.sqrt(v_sum, out=s)
        s += self.epsilon / sqrt_1_b2
        np.divide(m_sum, s, out=s)
        s *= eta
        theta -= s


OPTIMIZERS = {optimizer.name: optimizer for optimizer in (SGD, Adam)}
