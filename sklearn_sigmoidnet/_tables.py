"""Any data frame as the columns that the input encoding reads, one way for all.

pandas (numpy- or Arrow-backed), polars, pyarrow Tables and the other data
frames that narwhals knows are read through narwhals, a data-frame-agnostic
layer; a frame that only speaks the interchange protocol is read as pandas.
Each column is, by its dtype, numbers (integers, floats, booleans, decimals),
categories (categorical, enum, string and binary dtypes), dates (dates, times,
durations), or other values (nested, complex); a column of Python objects is
told by its values. So every library's frame gives the same kinds, values
and names, and the same errors.
"""

import warnings

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from scipy import sparse

NUMBERS, CATEGORIES, DATES, OTHER = "numbers", "categories", "dates", "other"

_DTYPE_KINDS = [
    (NUMBERS, (nw.Boolean,)),
    (CATEGORIES, (nw.Categorical, nw.Enum, nw.String, nw.Binary)),
    (DATES, (nw.Datetime, nw.Date, nw.Duration, nw.Time)),
    (OTHER, (nw.List, nw.Array, nw.Struct)),
]
# what pandas' infer_dtype says of a column of Python objects
_VALUE_KINDS = {
    NUMBERS: ("integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"),
    CATEGORIES: ("string", "bytes", "categorical", "mixed-integer", "mixed"),
    DATES: ("datetime", "datetime64", "date", "timedelta", "timedelta64", "time", "period"),
}


def is_frame(X):
    if isinstance(X, (np.ndarray, Table)) or sparse.issparse(X):  # the common cases, quickly
        return False
    return nw.dependencies.is_into_dataframe(X) or hasattr(X, "__dataframe__")


def is_lazy(X):
    """Whether X is a lazy frame (polars' LazyFrame, a DuckDB relation, ...)."""
    if isinstance(X, np.ndarray) or sparse.issparse(X):
        return False
    return isinstance(nw.from_native(X, pass_through=True), nw.LazyFrame)


class Table:
    """A data frame's columns: their names, kinds, and values as numpy arrays.

    ``native`` is the frame as given; ``labels`` its column labels as the
    library holds them, ``shape`` its (rows, columns).
    """

    def __init__(self, native):
        if not nw.dependencies.is_into_dataframe(native):  # the interchange protocol only
            native = _from_interchange(native)
        self.native = native
        self._frame = nw.from_native(native, eager_only=True)
        self.labels = list(self._frame.columns)
        self.shape = self._frame.shape
        self._dtypes = list(self._frame.schema.values())  # looked up once: not cheap
        self._kinds = [None] * self.shape[1]

    def _column(self, j):
        return self._frame.get_column(self.labels[j])

    def kind(self, j):
        """NUMBERS, CATEGORIES, DATES or OTHER: what column j holds."""
        if self._kinds[j] is None:
            dtype = self._dtypes[j]
            kinds = [kind for kind, dtypes in _DTYPE_KINDS if isinstance(dtype, dtypes)]
            if kinds:
                self._kinds[j] = kinds[0]
            elif dtype.is_numeric():
                self._kinds[j] = NUMBERS
            else:  # Python objects, or a dtype narwhals does not know: by the values
                self._kinds[j] = kind_of_values(self.values(j))
        return self._kinds[j]

    def is_float32(self, j):
        return self._dtypes[j] == nw.Float32

    def numbers(self, j):
        """Column j of kind NUMBERS as floats, missing values as NaN: the frame's
        own values where they are float32 or float64 (not copied), else float64."""
        dtype = self._dtypes[j]
        if not (dtype.is_numeric() or dtype == nw.Boolean):
            return numbers_of_values(self.values(j))
        column = self._column(j)
        values = column.to_numpy()
        if values.dtype in (np.float32, np.float64):
            return values
        if values.dtype.kind in "iub":  # numpy's own: a cast, no missing values to mark
            return values.astype(np.float64)
        return column.cast(nw.Float64).to_numpy()  # nullable: its missing values as NaN

    def values(self, j, rows=slice(None)):
        """Column j as an object array (a category's values, or anything's); of
        these ``rows`` only (a slice), which is all that is made of them."""
        column = self._column(j)[rows]
        values = np.asarray(column.to_numpy(), dtype=object)
        if isinstance(self._dtypes[j], (nw.Categorical, nw.Enum)):
            values[column.is_null().to_numpy()] = None  # pyarrow's dictionaries lose them
        return values

    def rows(self, index):
        """The frame as given, of these rows only."""
        return self._frame[np.asarray(index)].to_native()


def _from_interchange(X):
    # pandas reads the protocol, which it deprecates as libraries move to Arrow's
    # PyCapsule interface (the frames narwhals knows never come here)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pd.api.interchange.from_dataframe(X)


def kind_of_values(values):
    """The kind of a column of Python objects (missing values: None, NaN or pd.NA)."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    return next((kind for kind, names in _VALUE_KINDS.items() if inferred in names), OTHER)


def numbers_of_values(values):
    """Python objects of kind NUMBERS as float64, missing values as NaN."""
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="raise")
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def describe(values):
    """A few words on what a column of kind OTHER holds, for an error message."""
    present = [value for value in values if value is not None and not _is_missing(value)]
    if not present:
        return "no values"
    return f"values such as {present[0]!r}"


def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like value: not missing
        return False
