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

With ``bins`` (the estimators' ``numeric_bins``) a numeric column enters
instead as its piecewise-linear ramps between its quantiles, one input per
bin (``_input_columns.ramps``): they take x in its own units, in training
as after it, so their rows of W need no fold.

Training sees each numeric input standardised, x̃ = (x − m) / s, with the
training rows' weighted mean m and standard deviation s; a sigmoid fed
inputs of 50 is flat and learns nothing. After training the map is folded
into the first layer: r = b + W x̃ = (b − W′ m) + W′ x with W′ = W / s, so that
``coefs_[0]`` takes x in its own units and predicting needs no scaler. A
column whose values do not spread is 0 for training and has no weights in
the fold (W′ = 0, nothing subtracted from b): a constant of 10²⁰ cannot
cancel against b. A sparse X stays sparse: training centres it implicitly
(``_sparse``), into the same model as the same values dense.

Training reads a dense X where it lies (``_input_columns``): its numeric
columns as they are and its categories as compact codes, each batch encoded
as it is gathered; no encoded copy of X is made, but for ramps, which are
encoded once.

Tables of any library are read through ``_tables``; arrays and sparse
matrices are checked here, with the same messages.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils import check_array

from ._input_columns import InputColumns, SideBySide
from ._sparse import StandardisedSparse
from ._statistics import (
    column_mean_and_std,
    has_spread,
    missing_and_binary,
    quantile_edges,
    row_blocks,
)
from ._tables import (
    CATEGORIES,
    DATES,
    NUMBERS,
    OTHER,
    Table,
    describe,
    is_frame,
    is_lazy,
    kind_of_values,
    numbers_of_values,
)


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
    bins : int or None
        Each numeric column (but 0/1 ones) as this many piecewise-linear ramps
        between its weighted quantiles (``ramps``), where it has that many
        distinct ones; None: each enters as its value.
    """

    def __init__(self, *, scale, categorical_features, max_categories, min_frequency, bins=None):
        self.scale = scale
        self.categorical_features = categorical_features
        self.max_categories = max_categories
        self.min_frequency = min_frequency
        self.bins = bins

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
            missing = np.zeros(numeric.shape[1], bool)
            binary = _sparse_is_binary(numeric, sample_weight)
        else:
            missing, binary = missing_and_binary(numeric, sample_weight)
        counts = self.category_counts(X, names, sample_weight)
        edges = None
        if self.bins is not None:
            if self.sparse:  # a TypeError, as scikit-learn's for dense-only estimators
                raise TypeError(
                    f"numeric_bins={self.bins} encodes each numeric column as ramps, a dense "
                    "input of each; X is sparse. Give numeric_bins=None, or a dense X "
                    "(X.toarray())."
                )
            edges = [quantile_edges(column, sample_weight, self.bins)
                     for column in self.numeric_columns(X)]  # fmt: skip
        return X, self.learn(names, fill, std, missing, binary, counts, edges)

    def prepare(self, X, feature_names):
        """The part of ``fit`` that needs X's columns only, not its rows: their kinds.

        Returns the validated X and the columns' names. A distributed fit calls
        it on an empty frame of the columns' dtypes, then ``learn`` with the
        statistics that it summed over the partitions.
        """
        X = as_table(X)
        self.sparse = sparse.issparse(X)
        names = _column_names(X, feature_names)
        self.columns = names
        categorical = self._categorical_mask(X, names)
        X = self.check(X, categorical=categorical, names=names)
        self.dtype_name = _float_dtype(X, categorical).name
        self.numeric = np.flatnonzero(~categorical)
        self.categorical = np.flatnonzero(categorical)
        return X, names

    def category_counts(self, X, names, sample_weight=None):
        """Per categorical column of the validated X, what ``category_counts`` gives
        of its rows of positive weight."""
        counts = []
        for j in self.categorical:
            parts = []
            for rows in _category_blocks(X.shape[0]):  # a table's values are made a block at a time
                values = _column(X, j, rows)
                weights = None if sample_weight is None else sample_weight[rows]
                try:
                    parts.append(category_counts(values, weights))
                except TypeError as error:  # unhashable values: lists, dicts
                    raise ValueError(_cannot_take(names[j], values)) from error
            counts.append(merge_category_counts(parts))
        return counts

    def learn(self, names, fill, std, missing, binary, counts, edges=None):
        """The rest of ``fit``, from the training rows' statistics.

        ``fill`` and ``std`` are the numeric columns' weighted means and
        standard deviations (exact for columns of equal values, as
        ``_statistics`` gives them), ``missing`` and ``binary`` whether each had
        a missing value, and held 0/1 only; ``counts`` is, per categorical
        column, what ``category_counts`` gives; ``edges``, with ``bins``, the
        numeric columns' quantiles (``quantile_edges``).
        """
        if self.bins is not None and edges is None:
            raise ValueError(
                f"numeric_bins={self.bins} places each numeric column's bins at its "
                "quantiles, which a fit on dask input does not compute. Give "
                "numeric_bins=None there, or fit in memory."
            )
        self.fill = fill
        self.missing = np.flatnonzero(missing).astype(np.intp)
        # ramps for a column of at least two bins, not for a 0/1 one
        self.ramps = [
            None if edges is None or len(edges[k]) < 3 or binary[k] else edges[k]
            for k in range(len(self.numeric))
        ]
        widths = [1 if ramps is None else len(ramps) - 1 for ramps in self.ramps]
        self.number_rows = np.concatenate([[0], np.cumsum(widths)]).astype(np.intp)
        self.categories, self.rows, self.missing_rows, category_names = [], [], [], []
        first_row = int(self.number_rows[-1]) + len(self.missing)
        for j, column_counts in zip(self.categorical, counts):
            categories, rows, missing_row, labels = self._fit_categories(*column_counts, first_row)
            self.categories.append(categories)
            self.rows.append(rows)
            self.missing_rows.append(missing_row)
            category_names += [f"{names[j]}_{label}" for label in labels]
            first_row += len(labels)
        self.n_inputs = first_row  # rows of the first layer's W
        # x̃ = (x − shift) / scale_by; 0/1 columns (one-hot or indicator columns of a
        # pipeline) stay as they are, as the network's own do; columns that do not
        # spread are 0 (``training_scaling``) and left out of the fold
        keep = binary | (not self.scale)
        self.constant = ~keep & ~has_spread(std, self.dtype)
        self.shift = np.where(keep, 0.0, self.fill)
        self.scale_by = np.where(keep | self.constant, 1.0, std)
        number_names = []
        for j, ramps in zip(self.numeric, self.ramps):
            number_names += [names[j]] if ramps is None else [
                f"{names[j]}_bin{t}" for t in range(len(ramps) - 1)
            ]
        self.names = np.asarray(
            number_names
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
            if not isinstance(X, Table):
                return np.zeros(n_columns, dtype=bool)
            return np.array([X.kind(j) == CATEGORIES for j in range(n_columns)], dtype=bool)
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
        if len(frequent) < len(uniques) or len(frequent) > self.max_categories:
            frequent = frequent[: self.max_categories - 1]  # and a row for the rest
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

    def check(self, X, *, categorical=None, names=None):
        """X (as ``as_table`` gives it) checked, a dense array's numbers as floats.

        A column the network cannot take is a ValueError that names it. Fit
        gives the columns' kinds and ``names``; after fit (None), a column of
        another kind than fit's says what fit saw there.
        """
        X = _readable(X)
        fitted = categorical is None
        if fitted:
            categorical = np.isin(np.arange(X.shape[1]), self.categorical)
            names = self.columns
        if isinstance(X, Table):
            for j in range(X.shape[1]):
                self._check_column(X, j, names[j], categorical[j], fitted)
            return X
        if sparse.issparse(X):
            return X
        if not categorical.any():
            return _as_float(X, names)
        _as_float(X[:, ~categorical], [n for n, c in zip(names, categorical) if not c])
        return X

    def _check_column(self, X, j, name, categorical, fitted):
        kind = X.kind(j)
        if kind == DATES:
            raise ValueError(_dates(name))
        if categorical:
            if kind == OTHER:
                raise ValueError(_cannot_take(name, X.values(j)))
            return
        if kind == NUMBERS:  # its values are checked as they are read (numeric_block)
            return
        what = "strings or categories" if kind == CATEGORIES else describe(X.values(j))
        if fitted:
            raise ValueError(
                f"Column {name!r} held numbers in fit, and here holds {what}; give it "
                "numbers, as in fit."
            )
        if kind == OTHER:
            raise ValueError(_cannot_take(name, X.values(j)))
        raise ValueError(
            f"Column {name!r} holds {what}, not numbers, and is not among the categorical "
            f"features (categorical_features={self.categorical_features!r}). List it in "
            'categorical_features, or use categorical_features="from_dtype".'
        )

    def encode(self, X, *, scaled):
        """The network's input matrix for the validated X.

        Numeric inputs in the data's own units, or ``scaled`` as training sees
        them; then the missing indicators; then one column per categorical
        column holding the row of W that its category selects (-1: none). A
        sparse X comes as it is: training centres and scales it as it reads it.
        """
        X = _readable(X)
        if sparse.issparse(X):
            return self.numeric_block(X).astype(self.dtype, copy=False).tocsr()
        return self.input_columns(X, scaled=scaled)[:]

    def training_input(self, X):
        """The validated X as training reads it: ``InputColumns`` of a dense X, a
        ``StandardisedSparse`` of a sparse one; X's values are not copied. With
        ramps, the inputs encoded once, a row of ramps per column (``bins``
        times X's numbers)."""
        if not sparse.issparse(X):
            columns = self.input_columns(X, scaled=True)
            return columns[:] if self.ramped.any() else columns
        shift, scale = self.training_scaling
        return StandardisedSparse(self.encode(X, scaled=False), shift / scale, 1 / scale)

    def input_columns(self, X, *, scaled):
        """The dense, validated X as ``InputColumns``: its numeric columns where
        they lie (a column not of the network's dtype, or not aligned, as one
        copy that is), its categories as the rows of W they select,
        standardised if ``scaled``."""
        X = _readable(X)
        # an array that came over the network may not be aligned: then a copy
        numbers = [np.require(c, self.dtype, "A") for c in self.numeric_columns(X)]
        if scaled:
            shift, scale = self.training_scaling
            # ramps of a number as it is, in training as in the fold
            shift, scale = np.where(self.ramped, 0, shift), np.where(self.ramped, 1, scale)
        else:
            shift, scale = np.zeros(len(numbers)), np.ones(len(numbers))
        return InputColumns(
            numbers, self.category_codes(X), shift, scale, self.fill, self.missing, self.dtype,
            ramps=self.ramps if self.ramped.any() else None,
        )  # fmt: skip

    def category_codes(self, X):
        """Per categorical column of the validated X, the row of W that each
        sample's category selects (−1: none), in the smallest integers that hold them."""
        n = X.shape[0]
        codes = np.empty((n, len(self.categorical)), _codes_dtype(self.n_inputs))
        for k, j in enumerate(self.categorical):
            index = pd.Index(self.categories[k])
            for rows in _category_blocks(n):  # a block at a time: the values and the lookups
                codes[rows, k] = self._category_rows(_column(X, j, rows), k, index)
        return codes

    @property
    def training_scaling(self):
        """The numeric inputs' shift and scale as training applies them, in the
        training dtype: x̃ = (x − shift) / scale, exactly 0 for the columns that
        do not spread (scale ∞), which the fold drops."""
        scale = np.where(self.constant, np.inf, self.scale_by)
        return self.shift.astype(self.dtype), scale.astype(self.dtype)

    @property
    def n_dense(self):
        """Inputs that enter as values: the numeric columns (or their ramps) and
        the indicators."""
        return int(self.number_rows[-1]) + len(self.missing)

    @property
    def ramped(self):
        """Per numeric column, whether it enters as ramps."""
        return np.array([ramps is not None for ramps in self.ramps], dtype=bool)

    def numeric_block(self, X):
        """The numeric columns of the validated X, as floats (missing: NaN): an
        array, a sparse matrix, or for a table its columns ``SideBySide``, whose
        blocks of rows are float64 arrays."""
        if isinstance(X, Table):
            return SideBySide(self.numeric_columns(X), X.shape[0])
        if sparse.issparse(X):
            return X[:, self.numeric] if len(self.numeric) < X.shape[1] else X
        if len(self.categorical):
            return _as_float(X[:, self.numeric], [self.columns[j] for j in self.numeric])
        return X

    def numeric_columns(self, X):
        """The numeric columns of the dense, validated X, each a 1-D array of
        floats (missing: NaN), the caller's own where it is one."""
        if isinstance(X, Table):
            columns = [X.numbers(j) for j in self.numeric]
            for column, j in zip(columns, self.numeric):
                _check_finite(column, self.columns[j])
            return columns
        block = self.numeric_block(X)
        return [block[:, k] for k in range(block.shape[1])]

    def _category_rows(self, values, k, index):
        """The rows of W of column k's ``values``; ``index``: its categories'."""
        rows = np.append(self.rows[k], -1)[index.get_indexer(values)]  # −1: a category not seen
        rows[pd.isna(values)] = self.missing_rows[k]
        return rows

    # -- the fold into the first layer -----------------------------------------

    def fold(self, W, b):
        """W′ and b′ of the first layer for inputs in the data's own units (ramps
        take the numbers as they are: their rows stay)."""
        W, b = W.copy(), b.copy()
        linear = ~self.ramped
        rows = self.number_rows[:-1][linear]
        numeric = W[rows] / self.scale_by[linear, None].astype(W.dtype)
        numeric[self.constant[linear]] = 0  # training saw 0 there: nothing to subtract
        b -= (self.shift[linear] @ numeric).astype(b.dtype)
        W[rows] = numeric
        return W, b

    def unfold(self, W, b):
        """The inverse of ``fold``: the first layer that training continues from."""
        W, b = W.copy(), b.copy()
        linear = ~self.ramped
        rows = self.number_rows[:-1][linear]
        b += (self.shift[linear] @ W[rows]).astype(b.dtype)
        W[rows] *= self.scale_by[linear, None].astype(W.dtype)
        return W, b


# rows of a categorical column read at once: a table makes an object for each
# value it gives (a string of pandas' str dtype, ...), so never all of them
_CATEGORY_ROWS = 1 << 16


def _category_blocks(n_rows):
    return [slice(start, start + _CATEGORY_ROWS) for start in range(0, max(n_rows, 1),
                                                                     _CATEGORY_ROWS)]


def _codes_dtype(n_inputs):
    """The smallest signed integers that hold the rows of W, 0 to n_inputs − 1, and −1."""
    return next(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64)
                if n_inputs <= np.iinfo(t).max + 1)  # fmt: skip


def category_counts(values, sample_weight=None):
    """A column's categories in the order they first appear, their counts, and
    whether any value is missing, in the rows of positive weight: what ``learn``
    needs of a categorical column."""
    if sample_weight is not None:
        values = values[np.asarray(sample_weight) > 0]
    missing = pd.isna(values)
    codes, uniques = pd.factorize(values[~missing], sort=False)
    counts = np.bincount(codes, minlength=len(uniques))
    return np.asarray(uniques, dtype=object), counts, bool(missing.any())


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


def _dates(name, subject="Column {!r}"):
    return (
        f"{subject.format(name)} holds dates or times, which the network cannot take; turn them "
        "into numbers first (for instance the year, month and day of week as their own "
        "columns, or the time since a start date)."
    )


def _cannot_take(name, values):
    return (
        f"Column {name!r} holds values that the network cannot take as numbers or as "
        f"categories ({describe(values)}); give it numbers, strings or categories."
    )


def _check_finite(values, name):
    """Raise unless the float array ``values`` (a column, or columns ``name``
    names) is finite or NaN, naming the column."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(values.sum()):  # the quick answer, for X without inf or NaN
            return
    for block, _ in row_blocks(values.reshape(len(values), -1), None):
        infinite = np.isinf(block).any(axis=0)
        if infinite.any():
            column = name if isinstance(name, str) else name[int(np.argmax(infinite))]
            raise ValueError(
                f"Column {column!r} holds infinite values; replace them (by NaN, which is "
                "taken as missing, or by a finite number)."
            )


def as_table(X):
    """X as a ``Table`` (a data frame of any library), a CSR matrix or a 2-D array
    of its own dtype, of one sample or more."""
    if isinstance(X, Table):
        return X
    if is_frame(X):
        X = Table(X)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"Found a DataFrame of shape {X.shape}: at least 1 sample and 1 feature "
                "are required."
            )
        return X
    if is_lazy(X):
        raise ValueError(
            f"X is a lazy frame ({type(X).__name__}), whose rows are not computed yet; "
            "collect it first (for polars, X.collect()): training reads its rows many times."
        )
    X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False)
    if sparse.issparse(X):
        X = check_array(
            X, accept_sparse="csr", dtype=(np.float64, np.float32), ensure_all_finite=False
        ).tocsr()
        bad = ~np.isfinite(X.data)
        if bad.any():
            column, value = X.indices[np.argmax(bad)], X.data[np.argmax(bad)]
            if np.isnan(value):
                raise ValueError(
                    f"Column 'x{column}' holds NaN; a sparse X takes no missing values. "
                    "Fill them, or give X dense (NaN is then taken as missing)."
                )
            _check_finite(np.array([value]), f"x{column}")
    elif X.dtype.kind in "mM":
        raise ValueError(_dates(X.dtype, "X ({})"))
    return X


def _readable(X):
    """A data frame as a ``Table`` (a dask DataFrame's partition comes as pandas')."""
    return Table(X) if is_frame(X) else X


def header(X):
    """What scikit-learn's ``validate_data`` reads X's feature names from: the
    frame itself for pandas, an empty pandas frame of its columns for other
    libraries (the same names whatever scikit-learn's version reads)."""
    if not isinstance(X, Table):
        return X
    if isinstance(X.native, pd.DataFrame):
        return X.native
    return pd.DataFrame(columns=X.labels)


def native(X):
    """X as given: a ``Table``'s frame, or X itself."""
    return X.native if isinstance(X, Table) else X


def _as_float(X, names):
    """A dense array's values as floats; NaN (None, pd.NA in an object array)
    stays, as missing. ``names`` are its columns'."""
    if X.dtype in (np.float64, np.float32):
        _check_finite(X, names)
        return X
    if X.dtype.kind in "biu":
        return X.astype(np.float64)
    numbers = np.empty(X.shape)
    for j in range(X.shape[1]):  # Python objects or strings: each column by its values
        values = np.asarray(X[:, j], dtype=object)
        kind = kind_of_values(values)
        if kind == DATES:
            raise ValueError(_dates(names[j]))
        try:  # numbers, or strings of numbers
            numbers[:, j] = numbers_of_values(values) if kind == NUMBERS else values.astype(float)
        except (TypeError, ValueError) as error:
            example = next(v for v in values if not _is_number(v))
            message = (
                f"Column {names[j]!r} holds values that are not numbers, such as "
                f"{example!r}. Pass a DataFrame whose categorical columns have a "
                "category or string dtype, or name the column in categorical_features."
            )
            if isinstance(error, TypeError):  # neither numbers nor strings: dicts, lists
                raise TypeError(f"{message} ({error})") from None
            raise ValueError(message) from None
    _check_finite(numbers, names)
    return numbers


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _float_dtype(X, categorical):
    """float32 when every numeric input is float32; float64 otherwise."""
    if isinstance(X, Table):
        numeric = np.flatnonzero(~categorical)
        single = len(numeric) and all(X.is_float32(j) for j in numeric)
        return np.dtype(np.float32 if single else np.float64)
    if X.dtype == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _column(X, j, rows=slice(None)):
    if isinstance(X, Table):
        return X.values(j, rows)
    return np.asarray(X[rows, j], dtype=object)


def _sparse_is_binary(X, sample_weight=None):
    """Which columns of a sparse X hold no values but 0 and 1 (in its rows of
    positive weight)."""
    if sample_weight is not None:
        X = X[np.asarray(sample_weight) > 0]
    X = sparse.csc_matrix(X)
    stored = np.diff(X.indptr)
    column = np.repeat(np.arange(X.shape[1]), stored)
    ones = np.bincount(column[X.data == 1], minlength=X.shape[1])
    return ones == stored
