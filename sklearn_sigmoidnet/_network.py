"""The lecture's network, layer by layer: r = b + W x, a = σ(r), ŷ = b + cᵀ a.

A network of hidden layers stacks the sigmoid sum: each layer's output a is the
next layer's input, and the last layer (the weights c and the constant b)
combines the last hidden outputs into ŷ. All unknown parameters together are
one flat vector θ; each layer's weights and biases are views into it, and their
gradients are views into the flat gradient g = ∇L(θ). An optimiser then updates
θ with a few vector operations, and nothing is rebuilt per batch.

Rows are samples: a batch X of shape (n, n_features) gives R = X W + b, so the
weight matrix of a layer has shape (fan_in, fan_out), the transpose of the
lecture's W (as in scikit-learn's ``coefs_``).

Categorical inputs enter the first layer as row codes, not one-hot columns:
one-hot x times W picks one row of W, so each category has its own row of
W[0], and the last ``n_category_columns`` columns of X hold, per sample, the
index of that row (−1: no category, nothing added). Rows 0 … n_dense − 1 of
W[0] belong to X's dense columns, the rest to the categories. The first
layer's r = b + W x is then the dense columns' product plus the looked-up rows,
and its gradient adds each sample's δ into the rows that sample looked up.

An ensemble of k members is one such network, k times as wide: the first
layer holds every member's units side by side (one product, all members
reading the same x), and each later layer one block of W per member, which
reads only its own member's units. So member m predicts ŷₘ = bₘ + cₘᵀ aₘ, and
training minimises the mean of the members' losses (and penalties), each
member fitting y on its own. The ensemble's prediction, the mean of the
members', is the lecture's network with the members' blocks on the diagonal of
each later layer's W, the output weights cₘ / k and the constant b = mean bₘ
(``Network.wide``): one network, k times as wide.

Training runs the same computations compiled (``_step.pyx``) wherever they
apply, dense X; the numpy code here is their reference (``_engines.py``
chooses).
"""

import numpy as np
import scipy.linalg

from . import _step
from ._activations import ACTIVATIONS, DERIVATIVES
from ._losses import output_delta, summed_loss


def _matmul(a, b, out):
    """a @ b into ``out``; only the input rows X may be a scipy.sparse matrix."""
    if isinstance(a, np.ndarray):
        return np.matmul(a, b, out=out)
    out[...] = a @ b  # a sparse operand: its product is dense
    return out


def _first_product(X, W, n_category_columns, out):
    """r = X W for the first layer: the dense columns' product, plus for each
    category column the row of W that its code names."""
    if not n_category_columns:
        return _matmul(X, W, out)
    n_dense = X.shape[1] - n_category_columns
    np.matmul(X[:, :n_dense], W[:n_dense], out=out)
    for codes in X[:, n_dense:].T:
        seen = codes >= 0  # −1: no category
        out[seen] += W[codes[seen].astype(np.intp)]
    return out


def feedforward(X, weights, biases, activations, n_category_columns=0):
    """Return the output a of every layer for the input rows X (prediction).

    ``activations`` names one function per weight layer, the output layer's
    last. Each layer's biases and activation run compiled, in one pass
    (``_step.activate_layer``), and so does the first layer's row lookup when
    X's last ``n_category_columns`` columns are category codes
    (``_step.lookup_product``); ``_feedforward`` is their numpy reference.
    New arrays hold the outputs, so that prediction shares no state between
    calls. e^-r → inf in the sigmoid gives its limit σ = 0; outputs that
    overflow further are the caller's to check.
    """
    outputs = [np.empty((X.shape[0], W.shape[1]), W.dtype) for W in weights]
    a = X
    for W, b, activation, r in zip(weights, biases, activations, outputs):
        if a is X and n_category_columns:  # the first layer's row lookup
            _step.lookup_product(X, W, n_category_columns, r)
        else:
            _matmul(a, W, out=r)
        _step.activate_layer(activation, r, np.ascontiguousarray(b, dtype=r.dtype))
        a = r
    return outputs


def _feedforward(X, weights, biases, activations, outputs, n_category_columns=0):
    # callers silence overflow: the training loop enters np.errstate once per
    # epoch rather than per batch
    a = X
    for W, b, activation, r in zip(weights, biases, activations, outputs):
        if a is X:
            _first_product(X, W, n_category_columns, r)
        else:
            _member_products(a, W, r)
        r += b
        # in place, on rows of a member's units: the softmax normalises each member's
        ACTIVATIONS[activation](r.reshape(-1, W.shape[-1]))
        a = r
    return outputs


def _blocks(W):
    """The members' blocks of a layer's W, of shape (k, fan_in, fan_out); the
    first layer, one block for all members."""
    return W if W.ndim == 3 else W[None]


def _member_products(a, W, out):
    """out = a W: each member's columns of a times its block of W, into its
    columns of out."""
    for a_m, out_m, W_m in _member_columns(a, out, W):
        _matmul(a_m, W_m, out_m)
    return out


def penalty(weights):
    """‖W‖², summed over the weight matrices (not the biases)."""
    return sum(float(np.dot(W.ravel(), W.ravel())) for W in weights)


class Network:
    """θ as one flat vector, with the layers' W and b as views into it.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input features first and outputs last.
    activations : sequence of str
        One activation per hidden layer.
    output_activation : str
        The output layer's activation.
    dtype : numpy dtype
        float32 or float64; θ, its gradient and every buffer use it.
    n_category_columns : int, default 0
        How many of X's last columns are category codes: rows of W[0] to
        look up, or −1 for none. ``layer_sizes[0]`` counts W[0]'s rows, those
        of the dense columns and of the categories.
    n_members : int, default 1
        Members of the ensemble, side by side; ``layer_sizes`` are a member's.
        With k > 1 members, W[0] has k × ``layer_sizes[1]`` columns, every
        later W is the members' blocks, of shape (k, fan_in, fan_out), and
        each b holds the members' biases side by side.
    """

    def __init__(self, layer_sizes, activations, output_activation, dtype, n_category_columns=0,
                 n_members=1):  # fmt: skip
        if n_category_columns < 0:
            raise ValueError(f"n_category_columns={n_category_columns} is negative")
        if n_members < 1 or (n_members > 1 and len(layer_sizes) < 3):
            raise ValueError(f"{n_members} members need a hidden layer, and at least one member")
        self.layer_sizes = tuple(layer_sizes)
        self.n_category_columns = n_category_columns
        self.n_members = n_members
        self.activations = [*activations, output_activation]
        shapes = _shapes(self.layer_sizes, n_members)
        n_params = sum(np.prod(W) + b for W, b in shapes)
        self.theta = np.zeros(n_params, dtype=dtype)
        self.grad = np.zeros(n_params, dtype=dtype)
        self.W, self.b = _layer_views(self.theta, shapes)
        self.dW, self.db = _layer_views(self.grad, shapes)
        # l2 on the weights' entries of θ and 0 on the biases', so that the
        # penalty's gradient l2 W of all layers is one product: θ ⊙ this
        self._l2_scale = np.zeros_like(self.theta)
        self._l2_scale_W = _layer_views(self._l2_scale, shapes)[0]
        self._l2 = 0.0
        self._l2_term = np.empty_like(self.theta)
        self._n_buffered = 0

    @property
    def dtype(self):
        return self.theta.dtype

    @property
    def n_units(self):
        """Hidden and output units of all members: a row's outputs in training."""
        return self.n_members * sum(self.layer_sizes[1:])

    def initialize(self, rng, input_width=None):
        """Random starting weights and biases, drawn from the RandomState ``rng``.

        A first hidden layer of sigmoids starts with weights of standard
        deviation 1/√fan_in, so that W x has unit variance for standardised
        x, and biases of standard deviation 1, which spread the units' steps
        across the data: its sigmoids start bent, not in their nearly
        straight middle, where a network of them could only learn a
        near-linear curve first. Every other layer starts Glorot-uniform:
        U(±√(6 / (fan_in + fan_out))). A later sigmoid layer's inputs are
        sigmoids, not standardised, and its r varies over a few tenths:
        biases of standard deviation 1 there put most of its units on the
        sigmoid's shoulders, and a (256, 256) network learnt more slowly
        (docs/defaults.rst, "Deeper networks' starting weights").
        The first layer's fan_in is ``input_width``, the columns of X, when
        given: a sample adds one row of W per category column, not all of them.
        Each member draws its own; the fans are a member's.
        """
        for W, b, activation, fan_out in zip(self.W, self.b, self.activations,
                                             self.layer_sizes[1:]):  # fmt: skip
            first = W is self.W[0]
            fan_in = input_width if first and input_width else W.shape[-2]
            if activation in ("sigmoid", "logistic") and first and W is not self.W[-1]:
                W[...] = rng.uniform(-1, 1, W.shape) * np.sqrt(3 / fan_in)
                b[...] = rng.uniform(-1, 1, b.shape) * np.sqrt(3)
            else:
                bound = np.sqrt(6 / (fan_in + fan_out))
                W[...] = rng.uniform(-bound, bound, W.shape)
                b[...] = rng.uniform(-bound, bound, b.shape)

    def wide(self):
        """The weights and biases of the one network that predicts the members'
        mean: each later layer's blocks on the diagonal of its W, the output
        weights cₘ / k, the constant b = mean bₘ. A single member's are its views."""
        k = self.n_members
        if k == 1:
            return list(self.W), list(self.b)
        hidden = [scipy.linalg.block_diag(*W) for W in self.W[1:-1]]
        output = self.W[-1].reshape(-1, self.layer_sizes[-1]) / k
        biases = [b.copy() for b in self.b[:-1]] + [self.b[-1].reshape(k, -1).mean(axis=0)]
        return [self.W[0].copy(), *hidden, output], biases

    def member_offsets(self):
        """Each member's output constant bₘ less their mean, shape (k, n_outputs):
        what ``wide`` averages away."""
        b = self.b[-1].reshape(self.n_members, -1)
        return b - b.mean(axis=0)

    def wide_shapes(self):
        """The shapes of ``wide``'s weights: (fan_in, fan_out) of all members."""
        k, sizes = self.n_members, self.layer_sizes
        wide = [sizes[0]] + [k * size for size in sizes[1:-1]] + [sizes[-1]]
        return list(zip(wide[:-1], wide[1:]))

    def set_parameters(self, weights, biases, member_offsets=None):
        """Set θ to the members of the ``wide`` network of these weights and
        biases, each member's output constant b + its offset (0 when None):
        the inverse of ``wide``, which reads only W's diagonal blocks."""
        k = self.n_members
        for W, b, W_new, b_new in zip(self.W, self.b, weights, biases):
            if W.ndim == 3 and W is self.W[-1]:
                W[...] = np.reshape(W_new, W.shape) * k
                offsets = 0 if member_offsets is None else member_offsets
                b[...] = (np.asarray(b_new) + offsets).ravel()
                continue
            if W.ndim == 3:
                _, fan_in, fan_out = W.shape
                for m in range(k):
                    W[m] = W_new[m * fan_in : (m + 1) * fan_in, m * fan_out : (m + 1) * fan_out]
            else:
                W[...] = W_new
            b[...] = b_new

    def _buffers(self, n):
        """Each layer's output a, its delta ∂L/∂r and a scratch array, for n rows.

        Allocated for the largest batch seen and sliced for smaller ones, so a
        fit allocates them once; the slices of the last n are kept, as every
        batch but the last has the same size.
        """
        if n > self._n_buffered:
            sizes = self.layer_sizes[1:]
            k = self.n_members
            self._full = [[np.empty((n, k * size), self.dtype) for size in sizes] for _ in range(3)]
            self._ones = np.ones(n, self.dtype)
            self._n_buffered, self._sliced = n, None
        if self._sliced is None or self._sliced[0] != n:
            self._sliced = n, [[array[:n] for array in arrays] for arrays in self._full]
        return self._sliced[1]

    def loss(self, X, Y, sample_weight, loss, l2, chunk_rows, quantile_level=None, rows=None):
        """L(θ) on all of (X, Y), or on its ``rows`` when given: the weighted mean
        loss plus ½ l2 ‖W‖².

        Forward passes only, ``chunk_rows`` rows at a time, in the training
        buffers; callers silence overflow, as for ``loss_and_gradient``.
        """
        self.check_codes(X)
        n, total = (X.shape[0] if rows is None else len(rows)), 0.0
        for start in range(0, n, chunk_rows):
            chunk = slice(start, start + chunk_rows)
            if rows is not None:
                chunk = rows[chunk]
            outputs, deltas, scratch = self._buffers(min(chunk_rows, n - start))
            _feedforward(
                X[chunk], self.W, self.b, self.activations, outputs, self.n_category_columns
            )
            Y_chunk = self._members_targets(Y[chunk])
            residual = output_delta(loss, Y_chunk, outputs[-1], deltas[-1], quantile_level)
            sw = None if sample_weight is None else sample_weight[chunk]
            total += summed_loss(
                loss, Y_chunk, outputs[-1], residual, sw, scratch[-1], quantile_level
            )
        weights = sample_weight if rows is None or sample_weight is None else sample_weight[rows]
        weight_total = n if weights is None else float(weights.sum())
        return total / (weight_total * self.n_members) + 0.5 * l2 * penalty(self.W)

    def _members_targets(self, Y):
        """Y once for each member's outputs: side by side, as the outputs are."""
        return Y if self.n_members == 1 else np.tile(Y, (1, self.n_members))

    def loss_and_gradient(self, X, Y, sample_weight, loss, l2, quantile_level=None):
        """Fill ``self.grad`` with the batch's ∇L(θ); return its mean data loss.

        L(θ) on a batch is Σ sᵢ Lᵢ / Σ sᵢ + ½ l2 ‖W‖², the per-sample losses Lᵢ
        weighted by the sample weights sᵢ (all ones when None). The estimators
        pass l2 = α / N, N the total weight of the training data, so that every
        batch estimates the same L(θ) that full-batch training minimises, and α
        means the same whatever the batch size. Callers silence overflow, as
        ``run_epoch`` does: the sigmoid's e^-r → inf is its correct limit.
        """
        self.check_codes(X)
        n = X.shape[0]
        outputs, deltas, scratch = self._buffers(n)
        _feedforward(X, self.W, self.b, self.activations, outputs, self.n_category_columns)
        Y_hat, Y = outputs[-1], self._members_targets(Y)
        delta = output_delta(loss, Y, Y_hat, deltas[-1], quantile_level)
        data_loss = summed_loss(loss, Y, Y_hat, delta, sample_weight, scratch[-1], quantile_level)
        if sample_weight is None:
            weight_sum = n
        else:
            weight_sum = float(sample_weight.sum())
            delta *= sample_weight[:, None]
        weight_sum *= self.n_members  # the members' mean loss
        delta /= weight_sum
        self._backward(X, outputs, deltas, scratch, l2)
        return data_loss / weight_sum

    def check_codes(self, X):
        """Raise a ValueError unless X's category codes are -1 or rows of W[0]."""
        _step.check_category_codes(X, self.n_category_columns, self.layer_sizes[0])

    def _first_layer_gradient(self, X, delta):
        """dW[0] = Xᵀ δ with X's category columns one-hot: the dense rows' product,
        and each sample's δ added into every row it looked up."""
        n_dense = X.shape[1] - self.n_category_columns
        dW = self.dW[0]
        np.matmul(X[:, :n_dense].T, delta, out=dW[:n_dense])
        dW[n_dense:] = 0
        for codes in X[:, n_dense:].T:
            seen = codes >= 0
            np.add.at(dW, codes[seen].astype(np.intp), delta[seen])  # codes repeat

    def _backward(self, X, outputs, deltas, scratch, l2):
        """Back-propagate the output delta ∂L/∂r into g = ∇L(θ).

        ``deltas[-1]`` is already weighted and divided by the batch's total
        sample weight; the penalty ½ l2 ‖W‖² adds l2 W.
        """
        for layer in range(len(self.W) - 1, -1, -1):
            delta = deltas[layer]
            a_in = outputs[layer - 1] if layer else X
            if layer == 0 and self.n_category_columns:
                self._first_layer_gradient(X, delta)
            else:
                for a_m, delta_m, dW_m in _member_columns(a_in, delta, self.dW[layer]):
                    _matmul(a_m.T, delta_m, out=dW_m)
            np.matmul(self._ones[: X.shape[0]], delta, out=self.db[layer])  # Σ over the rows
            if layer:
                delta_in = deltas[layer - 1]
                for delta_m, out, W_m in _member_columns(delta, delta_in, self.W[layer]):
                    if W_m.shape[1] == 1:  # an outer product: broadcasting is faster than BLAS
                        np.multiply(delta_m, W_m.T, out=out)
                    else:
                        np.matmul(delta_m, W_m.T, out=out)
                DERIVATIVES[self.activations[layer - 1]](a_in, delta_in, scratch[layer - 1])
        if l2:
            if l2 != self._l2:
                for scale in self._l2_scale_W:
                    scale[...] = l2
                self._l2 = l2
            self.grad += np.multiply(self.theta, self._l2_scale, out=self._l2_term)


def _member_columns(a, b, W):
    """Each member's columns of a and of b, with its block of W: for W of the
    first layer, all of a and b and W itself."""
    blocks = _blocks(W)
    if len(blocks) == 1:
        return [(a, b, W)]
    k = len(blocks)
    a_width, b_width = a.shape[1] // k, b.shape[1] // k
    return [
        (a[:, m * a_width : (m + 1) * a_width], b[:, m * b_width : (m + 1) * b_width], block)
        for m, block in enumerate(blocks)
    ]


def _shapes(layer_sizes, k):
    """Each layer's (shape of W, size of b) in θ for k members of these sizes."""
    shapes = []
    for layer, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        if layer == 0:
            W = (fan_in, k * fan_out)
        else:
            W = (k, fan_in, fan_out) if k > 1 else (fan_in, fan_out)
        shapes.append((W, k * fan_out))
    return shapes


def _layer_views(flat, shapes):
    weights, biases, start = [], [], 0
    for shape, n_biases in shapes:
        stop = start + int(np.prod(shape))
        weights.append(flat[start:stop].reshape(shape))
        biases.append(flat[stop : stop + n_biases])
        start = stop + n_biases
    return weights, biases
