"""How a fit computes: the numpy network, or the compiled step.

An engine (``Engine``) evaluates the loss L(θ) and its gradient, and runs
epochs of an optimiser's mini-batch steps, for one network, one objective
(the loss, the L2 coefficient and the quantile level) and one optimiser, all
fixed for the fit, on a fit's data: the rows it is given (``Rows``: the
network's input U, its targets Y and the sample weights). The data choose
their engine: rows in memory through ``make_engine``, the one place that
chooses between the compiled step (``_step.pyx``) wherever it applies, dense
U of θ's dtype, and the numpy network (``_network.py``, ``_epoch.py``,
``_optimizers.py``), the readable reference that the tests hold the compiled
step to, everywhere else or when asked for; partitions on a cluster train
where they lie (``_dask``), each by the engine ``make_engine`` chooses there.

U is the inputs as an array, or read as training goes from X as the caller
gave it: ``InputColumns`` (dense X, each batch encoded as it is gathered) or
``StandardisedSparse`` (sparse X, centred and scaled in the products).
"""

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from . import _step
from ._epoch import run_epoch
from ._input_columns import InputColumns
from ._network import penalty
from ._optimizers import OPTIMIZERS

ENGINES = ("auto", "numpy")
# the outputs and deltas of one call of the compiled step over this many bytes
# stay in the CPU's cache: a full batch of many rows runs a block at a time
_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class Objective:
    """What training minimises: the mean ``loss`` plus ½ ``l2`` ‖W‖²."""

    loss: str
    l2: float = 0.0
    quantile_level: float | None = None  # the α of loss="quantile"


class Rows(NamedTuple):
    """Rows as the network trains on them: all of the arrays' rows, or those
    that ``index`` names, which are not copied out."""

    U: object  # the network's input: an array, ``InputColumns`` or ``StandardisedSparse``
    Y: np.ndarray  # its targets
    sample_weight: np.ndarray | None  # class weights included
    index: np.ndarray | None = None


def n_rows(data):
    return data.U.shape[0] if data.index is None else len(data.index)


def rows_in(data, order):
    """The arrays' rows of ``data`` in ``order`` (its own row numbers; None: as
    they come), or None for all of the arrays' rows as they are."""
    if data.index is None:
        return order
    return data.index if order is None else data.index[order]


def gathered(data):
    """``data`` with its rows copied out of the arrays, when it names them, and
    its inputs as an array that multiplies (the numpy network's)."""
    if data.index is None:
        return Rows(multiplying(data.U), data.Y, data.sample_weight)
    sw = None if data.sample_weight is None else data.sample_weight[data.index]
    return Rows(multiplying(data.U[data.index]), data.Y[data.index], sw)


def multiplying(U):
    """U as the numpy network multiplies it: ``InputColumns`` encoded, in a new
    array; an array or a ``StandardisedSparse`` as it is."""
    return U[:] if isinstance(U, InputColumns) else U


class Engine(Protocol):
    """What the training loops ask of an engine. ``data`` are those the engine
    was made for, or other data of their kind and width (``Rows`` in memory)."""

    network: object  # the Network whose θ and g = ∇L(θ) the engine reads and fills

    def loss(self, data, chunk_rows: int) -> float:
        """L(θ) on all of the data, penalty included, ``chunk_rows`` rows at a time."""

    def loss_and_gradient(self, data) -> float:
        """Fill ``network.grad`` with ∇L(θ) on all of the data; return the mean data loss."""

    def run_epoch(self, data, batch_size: int, rng) -> tuple[float, int, float]:
        """One pass of mini-batch steps, shuffled by the RandomState ``rng``
        unless it is None; the batches' mean data loss, the updates made and
        the first batch's loss."""


def make_engine(network, U, objective, optimizer=None, engine="auto"):
    """The engine that trains ``network`` on rows whose input is of U's kind and width.

    ``engine="numpy"`` asks for the numpy reference; "auto" takes the compiled
    step where it applies.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine={engine!r}: expected one of {', '.join(ENGINES)}")
    compiled = (
        engine == "auto"
        and isinstance(U, (np.ndarray, InputColumns))
        and U.dtype == network.dtype
        and network.dtype in (np.float32, np.float64)
        and (optimizer is None or type(optimizer) in OPTIMIZERS.values())
    )
    if compiled:
        return CompiledEngine(network, U.shape[1], objective, optimizer)
    return NumpyEngine(network, objective, optimizer)


def block_rows(network):
    """Rows per block of a full-batch pass: their outputs and deltas take about
    ``_BLOCK_BYTES``, so that they stay in the CPU's cache: faster than one
    block of all the rows (benchmarks/results/0.4.0.md), and fits of millions
    of rows do not hold every row's activations."""
    return max(64, _BLOCK_BYTES // (2 * network.n_units * network.dtype.itemsize))


def shuffled(rng, n_rows, batch_size):
    """An epoch's row order: a permutation from ``rng``, or None for the rows as
    they are, when not shuffling or when one batch holds them all (which keeps
    a full batch exact)."""
    return rng.permutation(n_rows) if rng is not None and n_rows > batch_size else None


class _RowsEngine:
    """An engine of rows in memory, which can also run an epoch in a given order."""

    def loss_and_gradient(self, data):
        """Fill ``network.grad`` with ∇L(θ); return the mean data loss: a block of
        rows at a time (``block_rows``), the blocks' mean losses and gradients
        added with their shares of the weight."""
        grad, rows, n = self.network.grad, block_rows(self.network), n_rows(data)
        starts = range(0, n, rows)
        if data.sample_weight is None:
            weights = [min(rows, n - start) for start in starts]
        else:
            weights = data.sample_weight if data.index is None else data.sample_weight[data.index]
            weights = [float(weights[start : start + rows].sum()) for start in starts]
        total = sum(weights)
        if len(starts) <= 1 or not total:  # one block; or no weight: NaN, as in one block
            return self.block_loss_and_gradient(data, 0, n)
        loss, summed = 0.0, np.zeros(grad.size)
        for start, weight in zip(starts, weights):
            if weight:  # a weightless block adds nothing, and its mean is 0 / 0
                loss += weight / total * self.block_loss_and_gradient(data, start, rows)
                summed += weight / total * grad
        grad[...] = summed
        return loss

    def run_epoch(self, data, batch_size, rng=None):
        order = shuffled(rng, n_rows(data), batch_size)
        return self.run_epoch_in_order(data, batch_size, rows_in(data, order))


class NumpyEngine(_RowsEngine):
    """The numpy network: ``Network.loss_and_gradient`` and the optimiser's ``step``."""

    def __init__(self, network, objective, optimizer=None):
        self.network, self.objective, self.optimizer = network, objective, optimizer

    def loss(self, data, chunk_rows):
        o = self.objective
        return self.network.loss(
            multiplying(data.U), data.Y, data.sample_weight, o.loss, o.l2, chunk_rows,
            o.quantile_level, rows=data.index,
        )

    def block_loss_and_gradient(self, data, start, n):
        """``loss_and_gradient`` of the ``n`` rows of ``data`` from ``start`` on."""
        o = self.objective
        total = n_rows(data)
        if start or n < total:
            rows = rows_in(data, np.arange(start, min(start + n, total)))
            data = Rows(data.U, data.Y, data.sample_weight, rows)
        data = gathered(data)
        return self.network.loss_and_gradient(
            data.U, data.Y, data.sample_weight, o.loss, o.l2, o.quantile_level
        )

    def run_epoch_in_order(self, data, batch_size, order):
        """``run_epoch`` over the arrays' rows in ``order``, or all as they are for None."""
        o = self.objective
        return run_epoch(
            self.network, self.optimizer, multiplying(data.U), data.Y, data.sample_weight,
            batch_size=batch_size, loss=o.loss, l2=o.l2, order=order,
            quantile_level=o.quantile_level,
        )  # fmt: skip


class CompiledEngine(_RowsEngine):
    """The compiled step, built once: the same computations as ``NumpyEngine``."""

    def __init__(self, network, x_width, objective, optimizer=None):
        self.network, self.objective, self.optimizer = network, objective, optimizer
        self.step = _step.CompiledStep(
            network.layer_sizes, network.activations, x_width, network.n_category_columns,
            network.dtype, objective.loss, objective.l2, objective.quantile_level,
            network.n_members,
        )  # fmt: skip
        if optimizer is not None:
            self.vectors = optimizer.vectors()

    def _typed(self, Y, sample_weight):
        dtype = self.network.dtype
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(sample_weight, dtype=dtype)
        return np.asarray(Y, dtype=dtype), sample_weight

    def loss(self, data, chunk_rows):
        network = self.network
        Y, sample_weight = self._typed(data.Y, data.sample_weight)
        data_loss = self.step.loss(
            network.theta, network.grad, data.U, Y, sample_weight, chunk_rows, data.index
        )
        return data_loss + 0.5 * self.objective.l2 * penalty(network.W)

    def loss_and_gradient(self, data):
        Y, sample_weight = self._typed(data.Y, data.sample_weight)  # once, not per block
        return super().loss_and_gradient(Rows(data.U, Y, sample_weight, data.index))

    def block_loss_and_gradient(self, data, start, n):
        """``loss_and_gradient`` of the ``n`` rows of ``data`` (typed) from ``start`` on."""
        network = self.network
        return self.step.loss_and_gradient(
            network.theta, network.grad, data.U, data.Y, data.sample_weight, data.index, start, n
        )

    def run_epoch_in_order(self, data, batch_size, order):
        network, optimizer = self.network, self.optimizer
        Y, sample_weight = self._typed(data.Y, data.sample_weight)
        result = self.step.run_epoch(
            network.theta, network.grad, data.U, Y, sample_weight, batch_size, order,
            *_rule(optimizer), *self.vectors,
        )  # fmt: skip
        optimizer.count_steps(result[1])
        return result


def _rule(optimizer):
    """The optimiser's settings in the compiled step's order: adam, η, momentum,
    Nesterov, β₁, β₂, ε and Adam's step count."""
    if optimizer.name == "adam":
        return (True, optimizer.learning_rate, 0.0, False, optimizer.beta_1, optimizer.beta_2,
                optimizer.epsilon, optimizer.t)  # fmt: skip
    return False, optimizer.learning_rate, optimizer.momentum, optimizer.nesterov, 0.0, 0.0, 0.0, 0
