"""The network's input read from the caller's columns, never copied out whole.

A dense X reaches training as its numeric columns as they are (views of the
caller's arrays or frame, or one copy of a column that is not of the training
dtype) and the compact codes of its categorical columns. Training encodes a
batch of rows as it gathers them: x̃ = (x − shift) / scale for each number,
the missing number's fill, its 0/1 indicator, and each category's row of W
(``_input_encoding`` says what each means). So a fit holds no encoded copy of
X, and the compiled step reads these same parts (``_step.pyx``).
"""

import functools

import numpy as np

# rows encoded at once where all of the rows are read: their copies stay small
CHUNK_ROWS = 4096


class InputColumns:
    """The inputs x̃ of a dense X, encoded a block of rows at a time: ``[rows]``
    gives them as a 2-D array, its ``shape`` is theirs.

    ``numbers`` are 1-D arrays of the training ``dtype`` (NaN: missing) whose
    rows are X's; ``codes`` is an integer array with a column per categorical
    column, the row of W of each sample's category (−1: none); a number x
    enters as (x − shift) / scale, a missing one as (fill − shift) / scale;
    the numbers in ``indicated`` add a 0/1 input that says which are missing.
    With ``ramps`` (per number, the edges of its bins or None), a number of
    edges e enters as its ramps, one input per bin (``ramps``), its shift 0
    and scale 1: the encoding is computed where all rows are read, not in the
    compiled step.
    """

    def __init__(self, numbers, codes, shift, scale, fill, indicated, dtype, ramps=None):
        self.numbers, self.codes, self.indicated = numbers, codes, indicated
        self.dtype = np.dtype(dtype)
        self.shift, self.scale = shift.astype(self.dtype), scale.astype(self.dtype)
        # a missing number's input, computed as a given one's is
        self.filled = (fill.astype(self.dtype) - self.shift) / self.scale
        self.ramps = None if ramps is None else [
            None if edges is None else np.asarray(edges, self.dtype) for edges in ramps
        ]
        widths = [1 if edges is None else len(edges) - 1 for edges in self.ramps or ()]
        self.n_encoded = int(sum(widths)) if ramps is not None else len(numbers)

    def __setstate__(self, state):
        # unpickled from a message (a partition moved to another worker), a column
        # may be a view of the message's bytes at any offset: the step reads
        # aligned values only, so such a column is copied once
        state["numbers"] = [np.require(column, requirements="A") for column in state["numbers"]]
        self.__dict__.update(state)

    @functools.cached_property
    def fillable(self):
        """The numbers that may hold missing values: those whose sum is not
        finite (a NaN makes it NaN), which training looks at for them."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.flatnonzero([not np.isfinite(column.sum()) for column in self.numbers])

    @property
    def n_codes(self):
        return self.codes.shape[1]

    @property
    def shape(self):
        return self.codes.shape[0], self.n_encoded + len(self.indicated) + self.n_codes

    def __getitem__(self, rows):
        """The inputs of these rows (a slice or indices), in a new array."""
        n_numbers, n_dense = self.n_encoded, self.n_encoded + len(self.indicated)
        codes = self.codes[rows]
        U = np.empty((codes.shape[0], self.shape[1]), self.dtype)
        if self.ramps is None:
            block = _side_by_side(self.numbers, rows, U[:, :n_numbers])
        else:
            block = _side_by_side(self.numbers, rows, np.empty((len(U), len(self.numbers)),
                                                               self.dtype))  # fmt: skip
        missing = np.isnan(block)
        U[:, n_numbers:n_dense] = missing[:, self.indicated]
        block -= self.shift
        block /= self.scale
        if missing.any():
            block[missing] = np.broadcast_to(self.filled, block.shape)[missing]
        if self.ramps is not None:
            start = 0
            for column, edges in zip(block.T, self.ramps):
                if edges is None:
                    U[:, start] = column
                    start += 1
                else:
                    U[:, start : start + len(edges) - 1] = ramps(column, edges)
                    start += len(edges) - 1
        U[:, n_dense:] = codes
        return U


def ramps(x, edges):
    """The piecewise-linear encoding of the values x between ``edges``: per bin
    t, (x − eₜ) / (eₜ₊₁ − eₜ) clipped to [0, 1], the first bin open below and
    the last above, so that a weighted sum of them is a continuous function
    of x, linear in each bin and beyond the ends: the lecture's constant plus
    a sum of hard sigmoids, of one column."""
    t = (x[:, None] - edges[:-1]) / np.diff(edges)
    t[:, 1:] = np.maximum(t[:, 1:], 0)
    t[:, :-1] = np.minimum(t[:, :-1], 1)
    return t


class SideBySide:
    """Columns of one length read as a 2-D array's rows are read: ``[rows]``
    (a block of them, as float64), ``shape`` and ``len``; none is copied whole."""

    def __init__(self, columns, n_rows):
        self.columns = columns
        self.shape = n_rows, len(columns)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, rows):
        block = np.empty((len(range(self.shape[0])[rows]), self.shape[1]))
        return _side_by_side(self.columns, rows, block)


def _side_by_side(columns, rows, out):
    """These ``rows`` of the columns, each into its column of ``out``."""
    for k, column in enumerate(columns):
        out[:, k] = column[rows]
    return out
