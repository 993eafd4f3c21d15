"""What the estimator learns about X, folded into the network's first layer.

A table's columns reach the network as its inputs x:

- a numeric column as itself, a missing value as the column's training mean;
  a column that had missing values in training adds a 0/1 input that says
  which were missing, and learns a weight of its own for them;
- a categorical column as a row lookup: one-hot times W picks the row of
  first-layer weights of the sample's category, so each category gets its
  own weights. The network's input holds the row's index, not the one-hot
  vector. Rare categories share one row; missing is a category of its own;
  a category never seen in training contributes nothing beyond the bias.

Training sees each numeric input standardised, x̃ = (x − m) / s, with the
training rows' weighted mean m and standard deviation s; a sigmoid fed
inputs of 50 is flat and learns nothing. After training the map is folded
into the first layer: r = b + W x̃ = (b − W′ m) + W′ x with W′ = W / s, so that
``coefs_[0]`` takes x in its own units and predicting needs no scaler.
Sparse X is only divided by s, never centred, so that it stays sparse.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils import assert_all_finite, check_array

from ._statistics import column_mean_and_std, missing_and_binary, row_blocks, scale_or_one


class InputEncoding:
    """Columns of a table as the network's inputs, and the scaling to fold.

    Parameters
    ----------
    scale : bool
        Standardise the numeric inputs for training.
    categorical_features : "from_dtype", None or array-like
        Which columns are categorical: "from_dtype" takes a DataFrame's
        ``category``, ``object`` and ``string`` columns; None takes none; or
        column names, indices, or a boolean mask.
    max_categories : int
        At most this many rows of weights per categorical column, the row
        of the rare categories included; the most frequent keep their own.
    min_frequency : int
        Categories seen in fewer training rows than this share the rare row.
    """

    def __init__(self, *, scale, categorical_features, max_categories, min_frequency):
        self.scale = scale
        self.categorical_features = categorical_features
        self.max_categories = max_categories
        self.min_frequency = min_frequency

    # -- fitting ---------------------------------------------------------------

    def fit(self, X, sample_weight, feature_names):
        """Learn the columns' kinds, categories, fill values and scaling from X.

        ``feature_names`` are the names of X's columns (None: x0, x1, ...).
        Returns the validated X (see ``check``) and the fitted encoding.
        """
        X, names = self.prepare(X, feature_names)
        numeric = self.numeric_block(X)
        fill, std = column_mean_and_std(numeric, sample_weight)
        if self.sparse:
            missing, binary = np.zeros(numeric.shape[1], bool), _sparse_is_binary(numeric)
        else:
            missing, binary = missing_and_binary(numeric)
        counts = self.category_counts(X, names)
        return X, self.learn(names, fill, scale_or_one(fill, std), missing, binary, counts)

    def prepare(self, X, feature_names):
        """The part of ``fit`` that needs X's columns only, not its rows: their kinds.

        Returns the validated X and the columns' names. A distributed fit calls
        it on an empty frame of the columns' dtypes, then ``learn`` with the
        statistics that it summed over the partitions.
        """
        self.sparse = sparse.issparse(X)
        names = _column_names(X, feature_names)
        categorical = self._categorical_mask(X, names)
        X = self.check(X, categorical=categorical)
        self.dtype_name = _float_dtype(X, categorical).name
        self.numeric = np.flatnonzero(~categorical)
        self.categorical = np.flatnonzero(categorical)
        return X, names

    def category_counts(self, X, names):
        """Per categorical column of the validated X, what ``category_counts`` gives."""
        counts = []
        for j in self.categorical:
            try:
                counts.append(category_counts(_column(X, j)))
            except TypeError as error:  # unhashable values: lists, dicts
                raise ValueError(
                    f"Column {names[j]!r} holds values that the network cannot take as "
                    f"numbers or as categories ({error}); give it numbers, strings, or a "
                    "pandas category."
                ) from error
        return counts

    def learn(self, names, fill, std, missing, binary, counts):
        """The rest of ``fit``, from the training rows' statistics.

        ``fill`` and ``std`` are the numeric columns' weighted means and
        standard deviations, ``missing`` and ``binary`` whether each had a
        missing value, and held 0/1 only; ``counts`` is, per categorical
        column, what ``category_counts`` gives.
        """
        self.fill, self.scale_by = fill, std
        self.missing = np.flatnonzero(missing).astype(np.intp)
        self.categories, self.rows, self.missing_rows, category_names = [], [], [], []
        first_row = len(self.numeric) + len(self.missing)
        for j, column_counts in zip(self.categorical, counts):
            categories, rows, missing_row, labels = self._fit_categories(
                *column_counts, first_row
            )
            self.categories.append(categories)
            self.rows.append(rows)
            self.missing_rows.append(missing_row)
            category_names += [f"{names[j]}_{label}" for label in labels]
            first_row += len(labels)
        self.n_inputs = first_row  # rows of the first layer's W
        # x̃ = (x − shift) / scale_by; sparse X keeps its zeros, and 0/1 columns (one-hot
        # or indicator columns of a pipeline) stay as they are, as the network's own do
        keep = binary | (not self.scale)
        self.shift = np.where(keep | self.sparse, 0.0, self.fill)
        self.scale_by = np.where(keep, 1.0, self.scale_by)
        self.names = np.asarray(
            [names[j] for j in self.numeric]
            + [f"missingindicator_{names[self.numeric[k]]}" for k in self.missing]
            + category_names,
            dtype=object,
        )
        return self

    def _categorical_mask(self, X, names):
        n_columns = X.shape[1]
        given = self.categorical_features
        if given is None:
            return np.zeros(n_columns, dtype=bool)
        if isinstance(given, str):  # "from_dtype"
            if not isinstance(X, pd.DataFrame):
                return np.zeros(n_columns, dtype=bool)
            return np.array([_is_categorical_dtype(X.iloc[:, j]) for j in range(n_columns)])
        given = np.asarray(given)
        if given.dtype.kind == "b":
            if given.shape != (n_columns,):
                raise ValueError(
                    f"categorical_features as a mask needs one entry per column of X "
                    f"({n_columns}); got {given.shape[0]}."
                )
            mask = given.copy()
        else:
            mask = np.zeros(n_columns, dtype=bool)
            for entry in given.ravel().tolist():  # numpy scalars as Python's
                mask[_column_index(entry, names, n_columns)] = True
        if mask.any() and sparse.issparse(X):
            raise ValueError(
                "categorical_features selects columns of a sparse X; sparse X is taken as "
                "numeric. Give a DataFrame or a dense array, or categorical_features=None."
            )
        return mask

    def _fit_categories(self, uniques, counts, has_missing, first_row):
        """The categories of one column, the weight row of each, and its names."""
        order = np.argsort(-counts, kind="stable")  # most frequent first
        frequent = order[counts[order] >= self.min_frequency]
        if len(frequent) < len(uniques):  # a row for the rest, within the bound
            frequent = frequent[: self.max_categories - 1]
        else:
            frequent = frequent[: self.max_categories]
        rows = np.full(len(uniques), -1, dtype=np.intp)
        rows[frequent] = first_row + np.arange(len(frequent))
        labels = [str(uniques[k]) for k in frequent]
        if len(frequent) < len(uniques):
            rows[rows < 0] = first_row + len(labels)
            labels.append("infrequent")
        missing_row = -1
        if has_missing:
            missing_row = first_row + len(labels)
            labels.append("missing")
        return np.asarray(uniques, dtype=object), rows, missing_row, labels

    # -- encoding --------------------------------------------------------------

    @property
    def dtype(self):
        """The network's dtype: float32 when every numeric input is float32."""
        return np.dtype(self.dtype_name)

    @property
    def n_category_columns(self):
        return len(self.categorical)

    def check(self, X, *, categorical=None):
        """X (as ``as_table`` gives it) checked, a dense array's numbers as floats.

        A column the network cannot take is a ValueError that names it.
        """
        if categorical is None:
            categorical = np.isin(np.arange(X.shape[1]), self.categorical)
        if isinstance(X, pd.DataFrame):
            for j, column in enumerate(X.columns):
                if not categorical[j]:
                    _check_numeric_column(X.iloc[:, j], column, self.categorical_features)
            return X
        if sparse.issparse(X):
            return X
        if not categorical.any():
            return _as_float(X)
        _as_float(X[:, ~categorical])  # checked here, converted when encoded
        return X

    def encode(self, X, *, scaled):
        """The network's input matrix for the validated X.

        Numeric inputs in the data's own units, or ``scaled`` as training sees
        them; then the missing indicators; then one column per categorical
        column holding the row of W that its category selects (-1: none).
        """
        numeric = self.numeric_block(X)
        if sparse.issparse(numeric):
            numeric = numeric.astype(self.dtype)  # a copy
            if scaled:
                numeric = numeric @ sparse.diags(1 / self.scale_by).astype(self.dtype)
            return numeric.tocsr()
        n_samples = numeric.shape[0]
        U = np.empty((n_samples, self.n_dense + self.n_category_columns), dtype=self.dtype)
        block = U[:, : len(self.numeric)]
        block[...] = numeric
        nan = np.isnan(block)
        U[:, len(self.numeric) : self.n_dense] = nan[:, self.missing]
        if nan.any():
            block[nan] = np.broadcast_to(self.fill, block.shape)[nan]
        if scaled:
            block -= self.shift.astype(self.dtype)
            block /= self.scale_by.astype(self.dtype)
        for k, j in enumerate(self.categorical):
            U[:, self.n_dense + k] = self._category_rows(_column(X, j), k)
        return U

    def scaling_while_read(self, X):
        """The shift and scale of X's columns in the training dtype, when training
        can standardise X's rows as it reads them: a dense array of that dtype
        whose columns are the network's inputs as they are (no categories, no
        missing values to fill or indicate). None when X needs ``encode``."""
        plain = (
            isinstance(X, np.ndarray) and X.dtype == self.dtype and not self.sparse
            and not self.n_category_columns and not len(self.missing)
        )  # fmt: skip
        if not plain or any(np.isnan(block).any() for block, _ in row_blocks(X, None)):
            return None
        return self.shift.astype(self.dtype), self.scale_by.astype(self.dtype)

    @property
    def n_dense(self):
        """Inputs that enter as values: the numeric columns and the indicators."""
        return len(self.numeric) + len(self.missing)

    def numeric_block(self, X):
        """The numeric columns of the validated X, as floats (missing: NaN)."""
        if isinstance(X, pd.DataFrame):
            return np.column_stack(
                [_numeric_values(X.iloc[:, j]) for j in self.numeric]
                or [np.empty((X.shape[0], 0))]
            ).astype(np.float64, copy=False)
        if sparse.issparse(X):
            return X[:, self.numeric] if len(self.numeric) < X.shape[1] else X
        if len(self.categorical):
            return _as_float(X[:, self.numeric])
        return X

    def _category_rows(self, values, k):
        values = pd.Series(np.asarray(values, dtype=object))
        index = pd.Index(self.categories[k]).get_indexer(values)
        rows = np.where(index >= 0, self.rows[k][index], -1)
        rows[pd.isna(values).to_numpy()] = self.missing_rows[k]
        return rows

    # -- the fold into the first layer -----------------------------------------

    def fold(self, W, b):
        """W′ and b′ of the first layer for inputs in the data's own units."""
        W, b = W.copy(), b.copy()
        numeric = W[: len(self.numeric)]
        numeric /= self.scale_by[:, None].astype(W.dtype)
        b -= (self.shift @ numeric).astype(b.dtype)
        return W, b

    def unfold(self, W, b):
        """The inverse of ``fold``: the first layer that training continues from."""
        W, b = W.copy(), b.copy()
        b += (self.shift @ W[: len(self.numeric)]).astype(b.dtype)
        W[: len(self.numeric)] *= self.scale_by[:, None].astype(W.dtype)
        return W, b


def category_counts(values):
    """A column's categories in the order they first appear, their counts, and
    whether any value is missing: what ``learn`` needs of a categorical column."""
    missing = pd.isna(values)
    codes, uniques = pd.factorize(values[~missing], sort=False)
    return np.asarray(uniques, dtype=object), np.bincount(codes, minlength=len(uniques)), (
        bool(missing.any())
    )


def merge_category_counts(parts):
    """``category_counts`` of consecutive parts of a column, as of the whole column."""
    index, counts, has_missing = {}, [], False
    for uniques, part_counts, part_missing in parts:
        for value, count in zip(uniques.tolist(), part_counts.tolist()):
            if value not in index:  # first appearance across the parts, in order
                index[value] = len(counts)
                counts.append(0)
            counts[index[value]] += count
        has_missing |= part_missing
    uniques = np.empty(len(index), dtype=object)
    uniques[:] = list(index)
    return uniques, np.asarray(counts, dtype=np.intp), has_missing


def _column_names(X, feature_names):
    if feature_names is not None:
        return [str(name) for name in feature_names]
    return [f"x{j}" for j in range(X.shape[1])]


def _column_index(entry, names, n_columns):
    if isinstance(entry, str):
        if entry not in names:
            raise ValueError(
                f"categorical_features names the column {entry!r}, which X does not have; "
                f"its columns are {names}."
            )
        return names.index(entry)
    if isinstance(entry, Integral) and -n_columns <= entry < n_columns:
        return int(entry)
    raise ValueError(
        f"categorical_features holds {entry!r}: give column names, indices in "
        f"[0, {n_columns}), or a boolean mask."
    )


def _is_categorical_dtype(column):
    dtype = column.dtype
    if isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)):
        return True
    if dtype.kind == "O":  # numbers in an object column stay numbers
        kind = pd.api.types.infer_dtype(column, skipna=True)
        return kind in ("string", "categorical", "mixed", "bytes")
    return False


def _check_numeric_column(column, name, categorical_features):
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_complex_dtype(dtype):
            raise ValueError(f"Column {name!r} holds complex numbers; the network takes reals.")
        values = _numeric_values(column)
        if np.isinf(values).any():
            raise ValueError(
                f"Column {name!r} holds infinite values; replace them (by NaN, which is "
                "taken as missing, or by a finite number)."
            )
        return
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise ValueError(
            f"Column {name!r} holds dates or times ({dtype}), which the network cannot take; "
            "turn it into numbers first (for instance the year, month and day of week as "
            "their own columns, or the time since a start date)."
        )
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"):
        _check_numeric_column(pd.to_numeric(column), name, categorical_features)
        return
    if categorical_features is None or not isinstance(categorical_features, str):
        raise ValueError(
            f"Column {name!r} is not numeric ({dtype}, values of kind {kind!r}) and not "
            f"among the categorical features (categorical_features={categorical_features!r}). "
            'List it in categorical_features, or use categorical_features="from_dtype".'
        )
    raise ValueError(
        f"Column {name!r} holds values of kind {kind!r} ({dtype}), which the network cannot "
        "take as numbers or as categories; give it numbers, strings, or a pandas category."
    )


def _numeric_values(column):
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiub":
        return column.to_numpy(dtype=np.float64)
    # pandas' nullable types hold pd.NA, which becomes NaN; object columns of numbers
    return pd.to_numeric(column).to_numpy(dtype=np.float64, na_value=np.nan)


def as_table(X):
    """X as a DataFrame, a CSR matrix or a 2-D array of its own dtype, of one sample or more."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"Found a DataFrame of shape {X.shape}: at least 1 sample and 1 feature "
                "are required."
            )
        return X
    X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False)
    if sparse.issparse(X):
        X = check_array(X, accept_sparse="csr", dtype=(np.float64, np.float32)).tocsr()
    return X


def _as_float(X):
    """A dense array's values as floats; NaN stays, as missing."""
    if X.dtype in (np.float64, np.float32):  # as_table checked it: only inf is left to refuse
        assert_all_finite(X, allow_nan=True, input_name="X")
        return X
    try:
        return check_array(X, dtype=(np.float64, np.float32), ensure_all_finite="allow-nan")
    except ValueError as error:
        if X.dtype.kind not in "OUS":
            raise
        for j in range(X.shape[1]):  # name the column, not numpy's conversion
            try:
                np.asarray(X[:, j], dtype=np.float64)
            except ValueError:
                example = next(v for v in X[:, j] if not _is_number(v))
                raise ValueError(
                    f"Column {j} of X holds values that are not numbers, such as "
                    f"{example!r}. Pass a DataFrame whose categorical columns have a "
                    "category or string dtype, or name the column in categorical_features."
                ) from error
        raise


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _float_dtype(X, categorical):
    """float32 when every numeric input is float32; float64 otherwise."""
    if isinstance(X, pd.DataFrame):
        dtypes = [X.dtypes.iloc[j] for j in np.flatnonzero(~categorical)]
        single = bool(dtypes) and all(dtype == np.float32 for dtype in dtypes)
        return np.dtype(np.float32 if single else np.float64)
    if X.dtype == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _column(X, j):
    if isinstance(X, pd.DataFrame):
        return X.iloc[:, j].to_numpy(dtype=object)
    return np.asarray(X[:, j], dtype=object)


def _sparse_is_binary(X):
    """Which columns of a sparse X hold no values but 0 and 1."""
    X = sparse.csc_matrix(X)
    stored = np.diff(X.indptr)
    column = np.repeat(np.arange(X.shape[1]), stored)
    ones = np.bincount(column[X.data == 1], minlength=X.shape[1])
    return ones == stored
