"""The checks of a fit's input, and the data as the network trains on it."""

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import is_regressor
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import _check_sample_weight, _check_y, validate_data

from ._input_encoding import as_table
from ._validation import check_weight_total


@dataclass
class FitData:
    """One fit's data: as given (checked) and as the network trains on it."""

    X: object  # the rows as given: a DataFrame, an array or a CSR matrix
    y: np.ndarray
    U: object  # the network's input: encoded and scaled
    Y: np.ndarray  # the network's targets
    sample_weight: np.ndarray | None  # class weights included

    def rows(self, index):
        """The data of these rows only."""
        sw = None if self.sample_weight is None else self.sample_weight[index]
        return FitData(_take(self.X, index), self.y[index], self.U[index], self.Y[index], sw)


def check_fit_input(estimator, X, y, sample_weight, *, continuing, incremental, classes=None):
    """The fit's data, its input and target encodings, and the attributes of X.

    A continuing fit (warm start, partial_fit) encodes with the fitted
    encodings; any other fits new ones. Nothing is recorded on the estimator:
    a copy takes what scikit-learn's ``validate_data`` records.
    """
    X = as_table(X)
    holder = estimator if continuing else copy.copy(estimator)
    validate_data(holder, X, y, reset=not continuing, skip_check_array=True)
    y = _check_y(y, multi_output=True, y_numeric=is_regressor(estimator))
    check_consistent_length(X, y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
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
    return data, inputs, targets, attributes, holder


def check_validation_input(holder, inputs, targets, X_val, y_val, sample_weight_val):
    """The validation data given to fit, checked and encoded like the training data."""
    if X_val is None or y_val is None:
        raise ValueError("X_val and y_val go together: give both, or neither.")
    X_val = as_table(X_val)
    validate_data(holder, X_val, reset=False, skip_check_array=True)
    X_val = inputs.check(X_val)
    y_val = _check_y(y_val, multi_output=True, y_numeric=is_regressor(holder))
    check_consistent_length(X_val, y_val)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(sample_weight_val, X_val, ensure_non_negative=True)
    Y_val = targets.encode(y_val, "y_val")
    return _network_data(
        X_val, y_val, Y_val, sample_weight_val, inputs, targets, False, "validation "
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
    U = inputs.encode(X, scaled=True)
    return FitData(X, y, U, Y, weighted)


def _take(X, index):
    if isinstance(X, pd.DataFrame):
        return X.iloc[index]
    if sparse.issparse(X):
        return X[index]
    return np.asarray(X)[index]
