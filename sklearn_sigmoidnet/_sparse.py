"""A sparse X standardised without densifying it: X̃ = (X − 1 mᵀ) / s, never formed.

Training sees each input standardised, x̃ = (x − m) / s. Centring a sparse X
would fill in its zeros; but the network needs X̃ only in the first layer's two
products, and each takes the centring as a rank-one term:

    X̃ W  = X (W / s) − 1 ((m / s)ᵀ W)         (the forward pass)
    X̃ᵀ δ = (Xᵀ δ) / s − (m / s) (1ᵀ δ)        (the weight gradient)

Each term costs O(columns × width) per batch, as the dense gradient and the
optimiser's update of W do already, and nothing per row; so a sparse X and
the same values dense train the same model, to rounding.
"""

import numpy as np


class StandardisedSparse:
    """(X − 1 centreᵀ) ⊙ inverse of a sparse X, with centre = m / s and inverse =
    1 / s, as a matrix that multiplies: ``@ W``, ``.T @ delta``, its ``shape``
    and its rows (``[rows]``). An inverse of 0 makes a column 0."""

    def __init__(self, X, centre, inverse):
        self.X, self.centre, self.inverse = X, centre, inverse

    @property
    def shape(self):
        return self.X.shape

    def __getitem__(self, rows):
        return StandardisedSparse(self.X[rows], self.centre, self.inverse)

    def __matmul__(self, W):
        product = np.asarray(self.X @ (W * self.inverse[:, None]))
        product -= self.centre @ W
        return product

    @property
    def T(self):
        return _Transposed(self)

    def largest(self):
        """The largest |x̃| of its rows: of the stored values, and of the zeros
        where a column has some."""
        X = self.X.tocsr()  # its indices: the stored values' columns
        stored = np.abs(X.data * self.inverse[X.indices] - self.centre[X.indices])
        has_zeros = np.bincount(X.indices, minlength=X.shape[1]) < X.shape[0]
        zeros = np.abs(self.centre)[has_zeros]
        return float(np.max(np.concatenate([stored, zeros, [0.0]])))


class _Transposed:
    def __init__(self, standardised):
        self.of = standardised

    def __matmul__(self, delta):
        of = self.of
        product = np.asarray(of.X.T @ delta) * of.inverse[:, None]
        product -= np.outer(of.centre, delta.sum(axis=0))
        return product
