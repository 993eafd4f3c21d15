"""The input encoding: raw tables (scales, categories, missing values) in, folded out.

The network trains on standardised numeric inputs, missing-value indicators and
category rows; after training the scaling is folded into the first layer, so
that ``coefs_[0]`` takes x in its own units.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet._activations import ACTIVATIONS


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def table(n=400, seed=0):
    """Numbers on large scales, a category, a categorical with NaN, and missing values."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "area": rng.uniform(50, 250, n),  # square metres
            "year": rng.randint(1900, 2020, n).astype(float),
            "city": rng.choice(["north", "south", "east"], n),
            "kind": pd.Categorical(rng.choice(["flat", "house", None], n, p=[0.5, 0.4, 0.1])),
        }
    )
    y = (
        3000 * np.sin(frame["area"] / 40)
        + 20 * (frame["year"] - 1960)
        + frame["city"].map({"north": 2000.0, "south": 0.0, "east": -1500.0})
        + 1000 * (frame["kind"] == "house")
    ).to_numpy() + rng.normal(0, 100, n)
    frame.loc[rng.uniform(size=n) < 0.1, "area"] = np.nan
    return frame, y


def by_hand(net, frame):
    """The lecture's ŷ = b + cᵀσ(b′ + W′x) on raw x: NaN as the mean, a category as its row."""
    names = list(net.input_names_)
    W, b = net.coefs_[0], net.intercepts_[0]
    r = np.tile(b, (len(frame), 1))
    for column in frame.columns:
        values = frame[column]
        if column in names:  # numeric, in its own units
            filled = values.fillna(net._input_encoding.fill[names.index(column)])
            r += np.outer(filled.to_numpy(float), W[names.index(column)])
            indicator = f"missingindicator_{column}"
            if indicator in names:
                r += np.outer(values.isna().to_numpy(float), W[names.index(indicator)])
        else:
            for i, value in enumerate(values):
                label = "missing" if pd.isna(value) else value
                if f"{column}_{label}" in names:
                    r[i] += W[names.index(f"{column}_{label}")]
    a = ACTIVATIONS["sigmoid"](r)
    return net.intercepts_[-1] + a @ net.coefs_[-1]


def test_folded_first_layer_takes_x_in_its_own_units():
    frame, y = table()
    net = SigmoidNetRegressor((8,), random_state=0).fit(frame, y)
    names = list(net.input_names_)
    # numeric columns, their missing indicators, then each column's categories,
    # most frequent first, and missing last
    assert names[:3] == ["area", "year", "missingindicator_area"]
    assert sorted(names[3:6]) == ["city_east", "city_north", "city_south"]
    assert names[6:] == ["kind_flat", "kind_house", "kind_missing"]
    assert net.coefs_[0].shape[0] == len(net.input_names_)
    np.testing.assert_allclose(net.predict(frame), by_hand(net, frame)[:, 0], rtol=1e-10)
    # the lecture's sum of sigmoids adds back up to the prediction
    np.testing.assert_allclose(
        net.intercepts_[-1] + net.decompose(frame).sum(axis=1), net.predict(frame), rtol=1e-10
    )


def test_a_raw_frame_fits_as_well_as_the_scaled_pipeline():
    frame, y = table(1500)
    train, test = slice(0, 1200), slice(1200, None)
    raw = SigmoidNetRegressor(random_state=0).fit(frame[train], y[train])
    raw_score = raw.score(frame[test], y[test])
    filled = frame.fillna({"area": frame["area"][train].mean()}).astype({"kind": str})
    pipeline = make_pipeline(
        make_column_transformer(
            (StandardScaler(), ["area", "year"]), (OneHotEncoder(), ["city", "kind"])
        ),
        SigmoidNetRegressor(random_state=0),
    ).fit(filled[train], y[train])
    assert raw_score > 0.9
    assert raw_score > pipeline.score(filled[test], y[test]) - 0.02
    # without the scaling the sigmoids saturate on areas of 50 to 250, years near 2000
    unscaled = SigmoidNetRegressor(random_state=0, normalize_X=False, categorical_features=None)
    numeric = filled[["area", "year"]]
    assert unscaled.fit(numeric[train], y[train]).score(numeric[test], y[test]) < 0.5


def test_standardised_data_passes_through_a_near_identity_map():
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.normal(3, 7, size=(300, 4)))
    y = np.sin(X[:, 0]) + X[:, 1]
    on = SigmoidNetRegressor((6,), random_state=0).fit(X, y)
    off = SigmoidNetRegressor((6,), random_state=0, normalize_X=False).fit(X, y)
    np.testing.assert_allclose(on._input_encoding.shift, 0, atol=1e-12)
    np.testing.assert_allclose(on._input_encoding.scale_by, 1, rtol=1e-12)
    np.testing.assert_allclose(on.predict(X), off.predict(X), rtol=1e-6, atol=1e-8)


def test_switched_off_the_network_trains_on_x_as_given():
    rng = np.random.RandomState(1)
    X = rng.normal(10, 5, size=(200, 3))
    y = X @ [1.0, -2.0, 0.5]
    off = SigmoidNetRegressor((5,), epochs=20, random_state=0, normalize_X=False).fit(X, y)
    encoding = off._input_encoding
    assert (encoding.shift == 0).all() and (encoding.scale_by == 1).all()
    # the same as training the network on X as given: scaling X by hand with
    # normalize_X=False, and by the encoding, give the same model
    m, s = X.mean(axis=0), X.std(axis=0)
    by_hand = SigmoidNetRegressor((5,), epochs=20, random_state=0, normalize_X=False)
    by_hand.fit((X - m) / s, y)
    scaled = SigmoidNetRegressor((5,), epochs=20, random_state=0).fit(X, y)
    np.testing.assert_allclose(scaled.predict(X), by_hand.predict((X - m) / s), rtol=1e-8)
    np.testing.assert_allclose(scaled.coefs_[0] * s[:, None], by_hand.coefs_[0], rtol=1e-8)


def test_weighted_statistics_are_those_of_repeated_samples():
    rng = np.random.RandomState(0)
    X = rng.normal(5, 3, size=(40, 3))
    X[::5, 1] = np.nan
    y = rng.normal(size=40)
    weights = rng.randint(1, 4, 40)
    weighted = SigmoidNetRegressor((3,), epochs=2, random_state=0).fit(X, y, sample_weight=weights)
    repeated = SigmoidNetRegressor((3,), epochs=2, random_state=0).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    for name in ("fill", "shift", "scale_by"):
        np.testing.assert_allclose(
            getattr(weighted._input_encoding, name), getattr(repeated._input_encoding, name)
        )
    present = ~np.isnan(X[:, 1])
    mean = np.average(X[present, 1], weights=weights[present])
    assert weighted._input_encoding.shift[1] == pytest.approx(mean)


def test_a_constant_column_is_centred_but_not_divided():
    X = np.column_stack([np.full(50, 7.0), np.linspace(0, 100, 50)])
    net = SigmoidNetRegressor((3,), epochs=3, random_state=0).fit(X, np.linspace(0, 1, 50))
    assert net._input_encoding.scale_by[0] == 1.0
    assert net._input_encoding.shift[0] == 7.0
    assert np.isfinite(net.coefs_[0]).all()


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix])
def test_sparse_x_trains_the_model_of_the_same_values_dense(container):
    # centred implicitly: the sparse X stays sparse, and the model is the dense one's
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6)) * (rng.uniform(size=(200, 6)) < 0.3) * [1, 10, 100, 1, 1, 1e3]
    X[:, 3] += 5 * (rng.uniform(size=200) < 0.5)  # a column of large mean
    y = X[:, 0] + X[:, 1] / 10 + X[:, 3]
    for solver, epochs in [("adam", 15), ("lbfgs", 20)]:
        params = dict(hidden_layer_sizes=(5,), epochs=epochs, random_state=0, solver=solver)
        dense = SigmoidNetRegressor(**params).fit(X, y)
        given = container(X)
        net = SigmoidNetRegressor(**params).fit(given, y)
        assert sparse.issparse(given) and given.nnz == np.count_nonzero(X)  # left as given
        np.testing.assert_allclose(net._input_encoding.shift, dense._input_encoding.shift)
        for W, W_dense in zip(net.coefs_ + net.intercepts_, dense.coefs_ + dense.intercepts_):
            np.testing.assert_allclose(W, W_dense, rtol=1e-6, atol=1e-9 * abs(W_dense).max())
        np.testing.assert_allclose(net.predict(container(X)), dense.predict(X), rtol=1e-6)


def test_float32_columns_train_in_float32():
    frame, y = table(200)
    frame32 = frame.astype({"area": np.float32, "year": np.float32})
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame32, y)
    assert all(W.dtype == np.float32 for W in net.coefs_)
    assert net.predict(frame32).dtype == np.float32
    mixed = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame, y)
    assert mixed.coefs_[0].dtype == np.float64


def test_unseen_rare_and_missing_categories():
    rng = np.random.RandomState(0)
    colours = np.array(["red"] * 50 + ["blue"] * 40 + ["green"] * 3 + ["grey"] * 2 + [None] * 5)
    frame = pd.DataFrame({"colour": colours, "x": rng.normal(size=100)})
    y = (frame["colour"] == "red") * 2.0 + frame["x"]
    net = SigmoidNetRegressor((4,), epochs=5, random_state=0).fit(frame, y)
    # green and grey are rarer than min_frequency=5: they share one row
    assert list(net.input_names_) == [
        "x", "colour_red", "colour_blue", "colour_infrequent", "colour_missing"
    ]  # fmt: skip
    new = pd.DataFrame({"colour": ["purple", "green", "grey", None, "red"], "x": [0.0] * 5})
    U = net._input_encoding.encode(new, scaled=False)
    rows = dict(zip(net.input_names_, range(len(net.input_names_))))
    assert U[:, -1].tolist() == [
        -1, rows["colour_infrequent"], rows["colour_infrequent"], rows["colour_missing"],
        rows["colour_red"],
    ]  # fmt: skip
    # an unseen category adds nothing beyond the bias: as if its one-hot row were all zero
    W, b = net.coefs_[0], net.intercepts_[0]
    r_unseen = b + 0.0 * W[0]
    a = ACTIVATIONS["sigmoid"](r_unseen)
    expected = net.intercepts_[-1] + a @ net.coefs_[-1]
    assert net.predict(new.iloc[:1])[0] == pytest.approx(expected[0], rel=1e-10)


def test_high_cardinality_is_bounded():
    rng = np.random.RandomState(0)
    ids = rng.randint(0, 500, 3000).astype(str)  # about 6 rows an id
    frame = pd.DataFrame({"id": ids, "x": rng.normal(size=3000)})
    net = SigmoidNetRegressor((3,), epochs=2, random_state=0, max_categories=20).fit(
        frame, frame["x"]
    )
    assert len(net.input_names_) == 1 + 20
    assert net.input_names_[-1] == "id_infrequent"


def test_categorical_features_by_name_index_and_mask():
    frame, y = table(150)
    frame = frame.assign(code=np.arange(150) % 3)  # numbers meant as categories
    expected = ["code_0", "code_1", "code_2"]
    for given in (["city", "kind", "code"], [2, 3, 4], [False, False, True, True, True]):
        net = SigmoidNetRegressor((3,), epochs=2, random_state=0, categorical_features=given)
        names = list(net.fit(frame, y).input_names_)
        assert [name for name in names if name.startswith("code")] == expected
    array = frame[["year", "code"]].to_numpy()
    net = SigmoidNetRegressor((3,), epochs=2, random_state=0, categorical_features=[1])
    assert list(net.fit(array, y).input_names_) == ["x0", "x1_0.0", "x1_1.0", "x1_2.0"]
    with pytest.raises(ValueError, match="names the column 'nope'"):
        SigmoidNetRegressor(categorical_features=["nope"]).fit(frame, y)
    with pytest.raises(ValueError, match="one entry per column"):
        SigmoidNetRegressor(categorical_features=[True, False]).fit(frame, y)


def test_without_categorical_features_a_string_column_is_named():
    frame, y = table(60)
    message = "Column 'city' holds strings or categories, not numbers.*categorical_features"
    with pytest.raises(ValueError, match=message):
        SigmoidNetRegressor(categorical_features=None).fit(frame, y)


@pytest.mark.parametrize(
    "column, match",
    [
        (pd.date_range("2020-01-01", periods=60), "Column 'when' holds dates or times"),
        (pd.Series([{"a": 1}] * 60), "Column 'when' holds values that the network cannot take"),
        (pd.Series([1.0] * 59 + [np.inf]), "Column 'when' holds infinite values"),
    ],
)
def test_a_column_the_network_cannot_take_is_named(column, match):
    frame, y = table(60)
    frame["when"] = column
    net = SigmoidNetRegressor((3,), epochs=2)
    with pytest.raises(ValueError, match=match):
        net.fit(frame, y)
    assert not hasattr(net, "coefs_")


def test_nan_at_predict_time_in_a_column_that_had_none_counts_as_the_mean():
    frame, y = table(200)
    complete = frame.dropna(subset=["area"])
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(complete, y[complete.index])
    assert "missingindicator_area" not in net.input_names_
    holes = complete.iloc[:5].copy()
    holes["area"] = np.nan
    at_mean = holes.assign(area=complete["area"].mean())
    np.testing.assert_allclose(net.predict(holes), net.predict(at_mean), rtol=1e-12)


def test_pandas_missing_values_and_nullable_dtypes():
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4] * 15, dtype="Int64"),
            "f": pd.array([0.5, 1.5, None, 2.5] * 15, dtype="Float64"),
            "s": pd.array(["a", "b", None, "a"] * 15, dtype="string"),
            "o": pd.Series(["x", None, "y", np.nan] * 15, dtype=object),
        }
    )
    y = np.arange(60.0)
    net = SigmoidNetRegressor((3,), epochs=3, random_state=0).fit(frame, y)
    assert list(net.input_names_) == [
        "n", "f", "missingindicator_n", "missingindicator_f", "s_a", "s_b", "s_missing",
        "o_x", "o_y", "o_missing",
    ]  # fmt: skip
    assert np.isfinite(net.predict(frame)).all()


@pytest.mark.parametrize("continuing", ["warm_start", "partial_fit"])
def test_continuing_keeps_the_first_fits_encoding(continuing):
    frame, y = table(300)
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame, y)
    before = copy.deepcopy(vars(net._input_encoding))
    other = frame.assign(area=frame["area"] * 3 + 100, city="south").iloc[:100]
    if continuing == "warm_start":
        net.set_params(warm_start=True).fit(other, y[:100])
    else:
        net.partial_fit(other, y[:100])
    after = vars(net._input_encoding)
    assert before.keys() == after.keys()
    for key in before:
        if isinstance(before[key], list):  # one array per categorical column
            assert len(before[key]) == len(after[key])
            for a, b in zip(before[key], after[key]):
                np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_array_equal(before[key], after[key])
    # continuing unfolds the first layer and folds it back: a fit of zero steps keeps it
    first = SigmoidNetRegressor((4,), solver="sgd", learning_rate=1e-300, epochs=3, random_state=0)
    first.fit(frame, y)
    coefs = [W.copy() for W in first.coefs_]
    first.partial_fit(frame, y)
    np.testing.assert_allclose(first.coefs_[0], coefs[0], rtol=1e-12)


def test_a_failed_fit_on_a_bad_frame_leaves_the_model_unchanged():
    frame, y = table(200)
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame, y)
    state = copy.deepcopy(vars(net))
    before = net.predict(frame)
    bad = frame.assign(year=pd.date_range("2000", periods=200))
    for call in (lambda: net.fit(bad, y), lambda: net.partial_fit(bad, y)):
        with pytest.raises(ValueError, match="year"):
            call()
    np.testing.assert_array_equal(net.predict(frame), before)
    assert vars(net).keys() == state.keys()
    fresh = SigmoidNetRegressor((4,))
    with pytest.raises(ValueError, match="year"):
        fresh.fit(bad, y)
    assert not hasattr(fresh, "coefs_") and not hasattr(fresh, "_input_encoding")


def test_the_callers_frame_is_not_modified():
    frame, y = table(200)
    copied = frame.copy(deep=True)
    net = SigmoidNetClassifier((4,), epochs=3, random_state=0).fit(frame, y > np.median(y))
    net.predict_proba(frame)
    pd.testing.assert_frame_equal(frame, copied)


def test_classifier_on_a_raw_frame():
    frame, y = table(600)
    labels = np.where(y > np.median(y), "high", "low")
    clf = SigmoidNetClassifier(random_state=0).fit(frame[:450], labels[:450])
    assert clf.score(frame[450:], labels[450:]) > 0.85
    assert clf.predict_proba(frame[450:]).shape == (150, 2)


def test_warm_start_validates_on_the_first_fits_split():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.sin(X[:, 0]) + X[:, 1]
    validated = []

    def scorer(estimator, X_val, y_val):  # records the rows early stopping validates on
        validated.append(np.sort(X_val[:, 0]))
        return estimator.score(X_val, y_val)

    net = SigmoidNetRegressor((5,), epochs=2, random_state=0, scoring=scorer)
    net.fit(X, y)
    net.set_params(warm_start=True).fit(X, y)
    assert len(validated) == 4
    np.testing.assert_array_equal(validated[0], validated[2])
    # the score it compares with is that of the same rows
    assert net.best_validation_score_ == max(net.validation_scores_)


def test_warm_start_carries_the_patience_count():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = X[:, 0]
    # no epoch improves by tol: the count grows by one an epoch after the first
    net = SigmoidNetRegressor((3,), random_state=0, early_stopping=False, n_iter_no_change=3)
    net.set_params(tol=1e9, epochs=2).fit(X, y)
    assert net._epochs_without_improvement == 1
    net.set_params(warm_start=True, epochs=50).fit(X, y)
    # the count goes on from 1 and stops the run once it passes 3: after 3 epochs, not 4
    assert net.n_iter_ == 3


def test_skops_round_trip_of_a_model_with_categories():
    sio = pytest.importorskip("skops.io")
    frame, y = table(200)
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame, y)
    # the encodings travel as plain data: skops needs to trust the estimator alone
    dumped = sio.dumps(net)
    assert sio.get_untrusted_types(data=dumped) == [
        "sklearn_sigmoidnet._regressor.SigmoidNetRegressor"
    ]
    loaded = sio.loads(dumped, trusted=["sklearn_sigmoidnet._regressor.SigmoidNetRegressor"])
    np.testing.assert_array_equal(loaded.predict(frame), net.predict(frame))


def test_onnx_export_refuses_categories_and_missing_indicators_clearly():
    pytest.importorskip("onnxruntime")
    from skl2onnx import to_onnx

    from sklearn_sigmoidnet.onnx import register_converters

    register_converters()
    frame, y = table(200)
    net = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(frame, y)
    with pytest.raises(ValueError, match="numeric inputs only.*missingindicator_area.*Pipeline"):
        to_onnx(net, frame[:1])
    numeric = frame[["year"]].to_numpy(np.float32)
    scaled = SigmoidNetRegressor((4,), epochs=3, random_state=0).fit(numeric, y)
    to_onnx(scaled, numeric[:1])  # the scaling is folded in: nothing to refuse


def test_columns_near_the_largest_float_are_scaled_without_overflow():
    X = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(50, 2))
    net = SigmoidNetRegressor((4,), epochs=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        net.fit(X, X[:, 0] / X.max())
    assert np.isfinite(net._input_encoding.scale_by).all()
    assert np.isfinite(net.predict(X)).all()
