"""Every table a user has: pandas (numpy- or Arrow-backed), polars, pyarrow, numpy
and sparse X give the model, the names and the errors of the same pandas frame."""

import datetime
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from scipy import sparse

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

N = 120
PARAMS = dict(hidden_layer_sizes=(6,), epochs=8, random_state=0)
NUMERIC_KINDS = ["float", "int", "nullable", "bool", "constant", "tiny_scale", "huge_constant"]
KINDS = [*NUMERIC_KINDS, "category", "string", "all_missing"]


def column(kind, n, rng):
    """One column of the kind, as pandas holds it."""
    if kind == "float":
        return rng.normal(size=n)
    if kind == "int":
        return rng.randint(0, 10, n)
    if kind == "nullable":
        return pd.array(np.where(rng.uniform(size=n) < 0.2, None, rng.randint(0, 5, n)), "Int64")
    if kind == "bool":
        return rng.uniform(size=n) < 0.5
    if kind == "constant":
        return np.full(n, 3.0)
    if kind == "tiny_scale":
        return rng.normal(size=n) * 1e-15
    if kind == "huge_constant":
        return np.full(n, 1e20)
    if kind == "category":
        return pd.Categorical(rng.choice(["p", "q", "r"], n))
    if kind == "string":
        return pd.array(rng.choice(["u", "v", None], n), dtype="string")
    assert kind == "all_missing"
    return pd.Categorical([None] * n, categories=["p", "q"])


def frame(kinds, n=N, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({f"x{j}": column(kind, n, rng) for j, kind in enumerate(kinds)})


def target(df):
    rng = np.random.RandomState(1)
    numbers = df.select_dtypes("number").astype(float).fillna(0).to_numpy()
    numbers = numbers / np.where(numbers.std(axis=0) > 0, numbers.std(axis=0), 1)
    return np.tanh(numbers @ rng.normal(size=numbers.shape[1])) + rng.normal(0, 0.1, len(df))


def arrow_backed(df):
    return pa.Table.from_pandas(df, preserve_index=False).to_pandas(types_mapper=pd.ArrowDtype)


CONTAINERS = {
    "pandas Arrow-backed": arrow_backed,
    "polars": pl.from_pandas,
    "pyarrow Table": lambda df: pa.Table.from_pandas(df, preserve_index=False),
}


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_frame_library_gives_the_pandas_frames_model(container, kind):
    df = frame(["float", kind, "category"])
    y = target(df)
    reference = SigmoidNetRegressor(**PARAMS).fit(df, y)
    given = CONTAINERS[container](df)
    net = SigmoidNetRegressor(**PARAMS).fit(given, y)
    assert list(net.feature_names_in_) == list(df.columns)
    assert list(net.input_names_) == list(reference.input_names_)
    np.testing.assert_allclose(net.predict(given), reference.predict(df), rtol=1e-12)
    new = frame(["float", kind, "category"], n=7, seed=5)  # other rows, as this library gives them
    np.testing.assert_allclose(
        net.predict(CONTAINERS[container](new)), reference.predict(new), rtol=1e-12
    )


@pytest.mark.parametrize("kind", NUMERIC_KINDS)
def test_a_numpy_array_gives_the_pandas_frames_model(kind):
    df = frame(["float", kind])
    y = target(df)
    reference = SigmoidNetRegressor(**PARAMS).fit(df, y)
    array = df.astype(float).to_numpy()  # pd.NA as NaN
    net = SigmoidNetRegressor(**PARAMS).fit(array, y)
    assert list(net.input_names_) == list(reference.input_names_)
    np.testing.assert_allclose(net.predict(array), reference.predict(df), rtol=1e-12)


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix])
@pytest.mark.parametrize("kind", [k for k in NUMERIC_KINDS if k != "nullable"])
def test_a_sparse_x_gives_the_dense_model(container, kind):
    df = frame(["float", kind, "float"])
    X = df.astype(float).to_numpy() * (np.random.RandomState(2).uniform(size=(N, 3)) < 0.6)
    y = target(df)
    dense = SigmoidNetRegressor(**{**PARAMS, "epochs": 15}).fit(X, y)
    net = SigmoidNetRegressor(**{**PARAMS, "epochs": 15}).fit(container(X), y)
    np.testing.assert_allclose(net.predict(container(X)), dense.predict(X), rtol=1e-6)
    # one step: the same weights to rounding
    one = dict(PARAMS, epochs=1, batch_size=N, early_stopping=False)
    dense = SigmoidNetRegressor(**one).fit(X, y)
    net = SigmoidNetRegressor(**one).fit(container(X), y)
    for W, W_dense in zip(net.coefs_, dense.coefs_):
        np.testing.assert_allclose(W, W_dense, rtol=1e-12, atol=1e-14 * abs(W_dense).max())


def _error(fit):
    with pytest.raises((ValueError, TypeError)) as error:
        fit()
    return str(error.value)


@pytest.mark.parametrize(
    "values",
    [
        pd.to_datetime(["2020-01-01", "2021-06-01", None]),
        pd.to_timedelta([1, 2, None], unit="D"),
        [datetime.date(2020, 1, 1), datetime.date(2020, 1, 2), None],
    ],
    ids=["datetime", "duration", "date"],
)
def test_dates_and_durations_are_refused_the_same_way_by_every_library(values):
    df = pd.DataFrame({"d": values, "c": pd.Categorical(["p", "q", "p"])})
    y = [0.0, 1.0, 2.0]
    expected = _error(lambda: SigmoidNetRegressor().fit(df, y))
    assert "Column 'd' holds dates or times" in expected
    for name, container in CONTAINERS.items():
        assert _error(lambda: SigmoidNetRegressor().fit(container(df), y)) == expected, name
    array = np.array(["2020-01-01", "2021-06-01"], dtype="datetime64[D]").reshape(-1, 1)
    assert "dates or times" in _error(lambda: SigmoidNetRegressor().fit(array, [0.0, 1.0]))
    objects = np.array([[pd.Timestamp(0)], [pd.Timestamp(1)]], dtype=object)
    assert "Column 'x0' holds dates or times" in _error(
        lambda: SigmoidNetRegressor().fit(objects, [0.0, 1.0])
    )


def test_polars_names_are_kept_and_checked():
    df = frame(["float", "category", "string"])
    y = target(df)
    given = pl.from_pandas(df).with_columns(pl.col("x2").cast(pl.Enum(["u", "v"])))
    net = SigmoidNetRegressor(**PARAMS).fit(given, y)
    assert list(net.feature_names_in_) == ["x0", "x1", "x2"]
    with pytest.raises(ValueError, match="feature names should match"):
        net.predict(given.select(["x1", "x0", "x2"]))
    by_name = SigmoidNetRegressor(**PARAMS, categorical_features=["x1"]).fit(
        given.select(["x0", "x1"]), y
    )
    assert by_name.input_names_[0] == "x0" and len(by_name.input_names_) == 4
    assert all(name.startswith("x1_") for name in by_name.input_names_[1:])


@pytest.mark.parametrize("backed", ["python", "pyarrow"])
def test_string_columns_of_any_storage_are_categories(backed):
    df = pd.DataFrame(
        {"x": np.arange(40.0), "s": pd.array(["a", "b"] * 20, dtype=f"string[{backed}]")}
    )
    net = SigmoidNetRegressor(**PARAMS).fit(df, np.arange(40.0))
    assert list(net.input_names_) == ["x", "s_a", "s_b"]
    arrow = df.assign(s=df["s"].astype(pd.ArrowDtype(pa.string())))
    net = SigmoidNetRegressor(**PARAMS).fit(arrow, np.arange(40.0))
    assert list(net.input_names_) == ["x", "s_a", "s_b"]


def test_an_all_missing_category_column_is_one_missing_level():
    x = np.random.RandomState(0).normal(size=30)
    for column in (pd.Categorical([None] * 30, categories=["p", "q"]),
                   pd.array([None] * 30, dtype="string")):  # fmt: skip
        df = pd.DataFrame({"x": x, "c": column})
        net = SigmoidNetRegressor(**PARAMS).fit(df, x)
        assert list(net.input_names_) == ["x", "c_missing"]
        assert np.isfinite(net.predict(df.assign(c=pd.Categorical(["p"] * 30)))).all()


def test_max_categories_counts_the_row_of_the_rest():
    levels = np.repeat(["p", "q", "r"], 10)
    df = pd.DataFrame({"c": levels, "x": np.arange(30.0)})
    net = SigmoidNetRegressor(**PARAMS, max_categories=2).fit(df, np.arange(30.0))
    assert list(net.input_names_) == ["x", "c_p", "c_infrequent"]
    net = SigmoidNetRegressor(**PARAMS, max_categories=3).fit(df, np.arange(30.0))
    assert list(net.input_names_) == ["x", "c_p", "c_q", "c_r"]
    many = pd.DataFrame({"c": np.repeat([f"l{k}" for k in range(120)], 6), "x": np.arange(720.0)})
    net = SigmoidNetRegressor(**PARAMS).fit(many, np.arange(720.0))
    assert len(net.input_names_) == 1 + 64


@pytest.mark.parametrize("value", [1e15, 1e17, 1e20, -3e300])
def test_a_constant_column_of_any_magnitude_changes_nothing(value):
    # training sees 0 in a constant column, whatever its value: the model of zeros
    x = np.random.RandomState(0).normal(size=300)
    y = 3 * x + 1
    params = {**PARAMS, "epochs": 60}
    zeros = SigmoidNetRegressor(**params).fit(np.c_[x, np.zeros(300)], y)
    net = SigmoidNetRegressor(**params).fit(np.c_[x, np.full(300, value)], y)
    np.testing.assert_array_equal(
        net.predict(np.c_[x, np.full(300, value)]), zeros.predict(np.c_[x, np.zeros(300)])
    )
    assert net.coefs_[0][1].tolist() == [0.0] * 6  # dropped from the fold, exactly
    assert net.score(np.c_[x, np.full(300, value)], y) > 0.95


def test_a_column_constant_where_the_weights_are_positive_predicts_row_by_row_the_same():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=200), np.full(200, 1e17)]
    weights = np.ones(200)
    X[:20, 1] = rng.normal(size=20)  # other values only in rows that weigh nothing
    weights[:20] = 0
    net = SigmoidNetRegressor(**{**PARAMS, "epochs": 60}).fit(
        X, np.sin(X[:, 0]), sample_weight=weights
    )
    together = net.predict(X)
    one_by_one = [net.predict(X[i : i + 1])[0] for i in range(0, 200, 7)]
    np.testing.assert_allclose(one_by_one, together[::7], rtol=1e-12)
    assert net.score(X[20:], np.sin(X[20:, 0])) > 0.9


@pytest.mark.parametrize("scale", [1e-15, 2.0**-60, 1e-300])
def test_a_column_of_small_scale_is_standardised(scale):
    x = np.random.RandomState(0).normal(size=200)
    y = np.sin(x)
    unit = SigmoidNetRegressor(**PARAMS).fit(x[:, None], y)
    small = SigmoidNetRegressor(**PARAMS).fit(x[:, None] * scale, y)
    assert small.score(x[:, None] * scale, y) == pytest.approx(unit.score(x[:, None], y), abs=1e-6)
    if np.log2(scale) == int(np.log2(scale)):  # a power of two: the same model exactly
        np.testing.assert_array_equal(small.predict(x[:, None] * scale), unit.predict(x[:, None]))
    else:
        np.testing.assert_allclose(small.predict(x[:, None] * scale), unit.predict(x[:, None]),
                                   rtol=1e-6)  # fmt: skip


def test_pd_na_in_an_object_array_is_a_missing_value():
    values = pd.DataFrame({"a": pd.array([1, None, 3, 4] * 10, "Int64"), "b": np.arange(40.0)})
    objects = values.to_numpy(dtype=object)
    net = SigmoidNetRegressor(**PARAMS).fit(objects, np.arange(40.0))
    reference = SigmoidNetRegressor(**PARAMS).fit(values.astype(float).to_numpy(), np.arange(40.0))
    np.testing.assert_allclose(net.predict(objects), reference.predict(values.astype(float)))
    assert list(net.input_names_) == ["x0", "x1", "missingindicator_x0"]


def test_a_column_of_another_kind_than_fits_says_what_fit_saw():
    df = pd.DataFrame({"a": np.arange(30.0), "c": pd.Categorical(["p", "q", "r"] * 10)})
    net = SigmoidNetRegressor(**PARAMS).fit(df, np.arange(30.0))
    with pytest.raises(ValueError, match="Column 'a' held numbers in fit, and here holds strings"):
        net.predict(df.assign(a=df["a"].astype(str)))
    with pytest.raises(
        ValueError, match="Column 'a' held numbers in fit, and here holds strings or categories"
    ):
        net.predict(df.assign(a=df["a"].astype("category")))
    with pytest.raises(ValueError, match="Column 'a' held numbers in fit"):
        net.predict(pl.from_pandas(df).with_columns(pl.col("a").cast(pl.String)))


@pytest.mark.parametrize("make", [np.asarray, pl.from_numpy], ids=["numpy", "polars"])
def test_infinity_is_refused_naming_its_column(make):
    X = np.random.RandomState(0).normal(size=(30, 3))
    X[4, 2] = np.inf
    message = "Column 'x2'" if make is np.asarray else "Column 'column_2'"
    with pytest.raises(ValueError, match=f"{message} holds infinite values"):
        SigmoidNetRegressor().fit(make(X), np.arange(30.0))
    with pytest.raises(ValueError, match="Column 'x1' holds infinite values"):
        SigmoidNetRegressor().fit(sparse.csr_matrix(np.c_[np.zeros(3), [0, np.inf, 0]]), [0, 1, 2])


def test_a_lazy_frame_is_refused_with_what_to_do():
    lazy = pl.DataFrame({"a": np.arange(20.0)}).lazy()
    with pytest.raises(ValueError, match=r"X is a lazy frame \(LazyFrame\).*X.collect\(\)"):
        SigmoidNetRegressor().fit(lazy, np.arange(20.0))


class _OnlyInterchange:
    """A data frame known by the interchange protocol alone."""

    def __init__(self, table):
        self.table = table

    def __dataframe__(self, *args, **kwargs):
        return self.table.__dataframe__(*args, **kwargs)


def test_a_frame_of_the_interchange_protocol_is_read_as_pandas():
    df = frame(["float", "category", "nullable"])
    y = target(df)
    reference = SigmoidNetRegressor(**PARAMS).fit(df, y)
    given = _OnlyInterchange(pa.Table.from_pandas(df, preserve_index=False))
    net = SigmoidNetRegressor(**PARAMS).fit(given, y)
    assert list(net.feature_names_in_) == list(df.columns)
    np.testing.assert_allclose(net.predict(given), reference.predict(df), rtol=1e-12)


def test_an_object_column_of_numbers_and_strings_is_categories():
    for values in ([1, "a", 2] * 10, [1.5, "a", 2.5] * 10):
        df = pd.DataFrame({"x": np.arange(30.0), "o": np.array(values, dtype=object)})
        net = SigmoidNetRegressor(**PARAMS).fit(df, np.arange(30.0))
        assert len(net.input_names_) == 4


CASE_KINDS = [*KINDS, "date"]


def _case_frame(rng, n):
    kinds = list(rng.choice(CASE_KINDS, rng.randint(1, 5)))
    df = pd.DataFrame({
        f"c{j}": pd.date_range("2020", periods=n) if kind == "date" else column(kind, n, rng)
        for j, kind in enumerate(kinds)
    })  # fmt: skip
    if rng.uniform() < 0.3:  # missing values in every column
        df = df.apply(lambda values: values.where(rng.uniform(size=n) > 0.1))
    return df, kinds


@pytest.mark.parametrize("seed", range(60))
def test_generated_tables(seed):
    """Random column kinds, containers, targets and parameters: each fit either
    refuses a date column by name, or fits, predicts other rows (unseen
    categories, new missing values, one row), pickles and refits."""
    rng = np.random.RandomState(seed)
    df, kinds = _case_frame(rng, 60)
    containers = [lambda d: d, *CONTAINERS.values()]
    if set(kinds) <= set(NUMERIC_KINDS):  # numbers only: an array, a sparse matrix too
        containers.append(lambda d: d.astype(float).to_numpy())
        if not df.isna().any().any():
            containers.append(lambda d: sparse.csr_matrix(d.astype(float).to_numpy()))
    container = containers[rng.randint(len(containers))]
    classifier = rng.uniform() < 0.5
    y = (np.arange(60) % 3).astype(str) if classifier else rng.normal(size=60)
    Estimator = SigmoidNetClassifier if classifier else SigmoidNetRegressor
    net = Estimator(
        (4,),
        epochs=3,
        random_state=seed,
        solver=rng.choice(["adam", "lbfgs"]),
        max_categories=int(rng.randint(2, 5)),
        min_frequency=int(rng.randint(1, 10)),
    )
    given = container(df)
    if "date" in kinds:
        with pytest.raises(ValueError, match="holds dates or times"):
            net.fit(given, y)
        return
    net.fit(given, y)
    new, _ = _case_frame(np.random.RandomState(seed), 9)  # the same kinds, other values
    if rng.uniform() < 0.5:  # categories that fit did not see
        new = new.apply(lambda values: values.astype(object).replace("p", "unseen")
                        if isinstance(values.dtype, pd.CategoricalDtype) else values)  # fmt: skip
    predicted = net.predict(container(new))
    assert len(predicted) == 9
    assert len(net.predict(container(new.iloc[:1]))) == 1
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.predict(container(new)), predicted)
    net.fit(given, y)
