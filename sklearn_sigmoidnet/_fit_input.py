"""The checks of a fit's input, and the data as the network trains on it.

``check_fit_input`` is the one place that tells data in memory from data on a
cluster: either way it returns a ``FitInput`` whose ``data`` implement
``TrainingData``, the protocol that the training loops and the estimator
use. Rows in memory are ``FitData``; partitions on a cluster are ``_dask``'s.
"""

import contextlib
import copy
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
from scipy import sparse
from sklearn.base import is_regressor
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import _check_sample_weight, _check_y, validate_data

from . import _dask
from ._early_stopping import Monitor, validation_split
from ._engines import Rows, make_engine
from ._input_columns import CHUNK_ROWS
from ._input_encoding import as_table, header, native
from ._sparse import StandardisedSparse
from ._statistics import check_weight_total
from ._tables import Table


class TrainingData(Protocol):
    """A fit's data, wherever they are: what training and early stopping ask of them."""

    n_rows: int
    weight_total: float  # the sample (times class) weights' total; n_rows without weights

    def engine(self, network, objective, optimizer=None, kind="auto"):
        """The engine (``_engines.Engine``) that trains ``network`` on these data."""

    def hold_out(self, fraction, rng, targets):
        """The data to train on and the ``fraction`` to validate on, drawn by ``rng``."""

    def monitor(self, estimator, targets, model):
        """Early stopping's monitor of these data: network → (validation loss, score)."""

    def largest_values(self):
        """The largest |value| of the inputs and of the targets, by name, where known."""

    def client_threads(self):
        """A context for training on these data: the threads that this process's
        own computing may use in it."""


@dataclass
class FitData:
    """One fit's rows in memory: as given (checked) and as the network trains on
    them; all of the arrays' rows, or those that ``index`` names, which are
    not copied out (a validation split holds out rows by index)."""

    X: object  # the rows as given, checked: a ``Table``, an array or a CSR matrix
    y: np.ndarray
    U: object  # the network's input, as in ``Rows``: read from X as training goes
    Y: np.ndarray  # the network's targets
    sample_weight: np.ndarray | None  # class weights included
    n_codes: int = 0  # U's last columns that hold category codes, not values
    index: np.ndarray | None = None

    @property
    def n_rows(self):
        return self.Y.shape[0] if self.index is None else len(self.index)

    @property
    def weight_total(self):
        if self.sample_weight is None:
            return self.n_rows
        weights = self.sample_weight if self.index is None else self.sample_weight[self.index]
        return float(weights.sum())

    def rows(self, index):
        """The data of these of its rows only (indices into its rows)."""
        index = index if self.index is None else self.index[index]
        return replace(self, index=index)

    def given(self):
        """Its rows as given to fit: X's and y's."""
        if self.index is None:
            return native(self.X), self.y
        return _take(self.X, self.index), self.y[self.index]

    def chunks(self, n_rows=CHUNK_ROWS):
        """Its rows ``n_rows`` at a time, as ``Rows`` gathered from the arrays."""
        index = np.arange(self.Y.shape[0]) if self.index is None else self.index
        for start in range(0, len(index), n_rows):
            rows = index[start : start + n_rows]
            sw = None if self.sample_weight is None else self.sample_weight[rows]
            yield Rows(self.U[rows], self.Y[rows], sw)

    def engine(self, network, objective, optimizer=None, kind="auto"):
        return make_engine(network, self.U, objective, optimizer, kind)

    def hold_out(self, fraction, rng, targets):
        Y = self.Y if self.index is None else self.Y[self.index]
        sw = self.sample_weight
        if sw is not None and self.index is not None:
            sw = sw[self.index]
        train, valid = validation_split(Y, sw, rng, fraction, targets.stratify(Y))
        return self.rows(train), self.rows(valid)

    def monitor(self, estimator, targets, model):
        return Monitor(estimator, targets, self, model)

    def client_threads(self):
        return contextlib.nullcontext()  # all of them: this process does the computing

    def largest_values(self):
        largest = {"X": 0, "y": 0}
        dense = slice(0, self.U.shape[1] - self.n_codes)
        for chunk in self.chunks():
            if isinstance(chunk.U, StandardisedSparse):
                largest["X"] = max(largest["X"], chunk.U.largest())
            elif chunk.U[:, dense].size:
                largest["X"] = max(largest["X"], abs(chunk.U[:, dense]).max())
            if chunk.Y.size:
                largest["y"] = max(largest["y"], abs(chunk.Y).max())
        return largest


@dataclass(frozen=True)
class FitInput:
    """A fit's checked input: its data, the two encodings, and the attributes of X."""

    data: TrainingData
    inputs: object  # the fitted InputEncoding
    targets: object  # the fitted target encoding
    attributes: dict  # n_features_in_, and feature_names_in_ where X has names
    holder: object  # the estimator (or its copy) on which validate_data recorded them


def check_fit_input(estimator, X, y, sample_weight, *, continuing, incremental, classes=None):
    """The fit's ``FitInput``: in memory, or on the cluster for dask collections.

    A continuing fit (warm start, partial_fit) encodes with the fitted
    encodings; any other fits new ones. Nothing is recorded on the estimator:
    a copy takes what scikit-learn's ``validate_data`` records.
    """
    if _dask.on_cluster(X, y, sample_weight):
        return FitInput(*_dask.check_fit_input(
            estimator, X, y, sample_weight, continuing=continuing, incremental=incremental,
            classes=classes,
        ))  # fmt: skip
    X = as_table(X)
    holder = estimator if continuing else copy.copy(estimator)
    validate_data(holder, header(X), y, reset=not continuing, skip_check_array=True)
    y = _check_y(y, multi_output=True, y_numeric=is_regressor(estimator))
    check_consistent_length(native(X), y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, native(X), ensure_non_negative=True)
    attributes = {"n_features_in_": holder.n_features_in_}
    if hasattr(holder, "feature_names_in_"):
        attributes["feature_names_in_"] = holder.feature_names_in_
    if continuing:
        inputs = estimator._input_encoding
        targets = estimator._new_target_encoding().learned_from(estimator._target_encoding)
        X = inputs.check(X)
        Y = targets.encode(y)
    else:
        targets = estimator._new_target_encoding()
        Y = targets.fit(y, sample_weight, classes)
        # the inputs' statistics weigh each sample as its loss does: class weights included
        X, inputs = estimator._new_input_encoding().fit(
            X, targets.weigh(Y, sample_weight, incremental), attributes.get("feature_names_in_")
        )
    data = _network_data(X, y, Y, sample_weight, inputs, targets, incremental)
    return FitInput(data, inputs, targets, attributes, holder)


def check_validation_input(given, X_val, y_val, sample_weight_val):
    """The validation data given to fit, checked and encoded like the training data
    of the ``FitInput`` ``given``."""
    if _dask.on_cluster(X_val, y_val, sample_weight_val):
        raise ValueError(
            "X_val and y_val as dask collections: give them in memory (numpy or "
            "pandas), or let early stopping hold out partitions of X."
        )
    if X_val is None or y_val is None:
        raise ValueError("X_val and y_val go together: give both, or neither.")
    X_val = as_table(X_val)
    validate_data(given.holder, header(X_val), reset=False, skip_check_array=True)
    X_val = given.inputs.check(X_val)
    y_val = _check_y(y_val, multi_output=True, y_numeric=is_regressor(given.holder))
    check_consistent_length(native(X_val), y_val)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val, native(X_val), ensure_non_negative=True
        )
    Y_val = given.targets.encode(y_val, "y_val")
    return _network_data(
        X_val, y_val, Y_val, sample_weight_val, given.inputs, given.targets, False, "validation "
    )


def _network_data(X, y, Y, sample_weight, inputs, targets, incremental, which=""):
    dtype = inputs.dtype
    Y = Y.astype(dtype, copy=False)
    if sample_weight is not None:
        # checked for weights that the cast makes infinite
        given = sample_weight
        sample_weight = check_array(given, ensure_2d=False, dtype=dtype, input_name="sample_weight")
        check_weight_total(sample_weight, f"The {which}sample weights", given)
    weighted = targets.weigh(Y, sample_weight, incremental)
    if weighted is not sample_weight:
        what = "class weights" if sample_weight is None else "sample times class weights"
        check_weight_total(weighted, f"The {which}samples' {what}")
    return FitData(X, y, inputs.training_input(X), Y, weighted, inputs.n_category_columns)


def _take(X, index):
    if isinstance(X, Table):
        return X.rows(index)
    if sparse.issparse(X):
        return X[index]
    return np.asarray(X)[index]
