"""pandas workflows: DataFrames through a ColumnTransformer, labels, feature names, weights."""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

NUMERIC = ["age", "income"]
CATEGORICAL = ["city", "plan"]
SMALL = {"learning_rate": 0.01, "epochs": 40, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet_convergence():
    # short trainings on purpose: the tests check plumbing, not convergence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def customers(n=240, seed=0):
    """A table of mixed column types, a numeric and a label target, and weights."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "income": rng.lognormal(10, 0.5, n),
            "city": rng.choice(["Taipei", "Tainan", "Hsinchu"], n),
            "plan": pd.Categorical(rng.choice(["basic", "pro"], n)),
            "weight": rng.uniform(0.2, 3.0, n),
        }
    )
    score = (
        (df["age"] - 50) / 15
        + np.log(df["income"])
        - 10
        + (df["city"] == "Taipei")
        - (df["plan"] == "basic").astype(float)
    )
    df["spend"] = score + rng.normal(0, 0.1, n)
    df["churn"] = np.where(score > 0, "stays", "leaves")
    df["tier"] = pd.Categorical(
        np.select([score < -0.7, score < 0.7], ["bronze", "silver"], "gold"),
        categories=["bronze", "silver", "gold"],
    )
    return df


def preprocess(routing=False):
    scaler = StandardScaler()
    if routing:  # the scaler takes sample weights too; these are meant for the network only
        scaler.set_fit_request(sample_weight=False)
    return ColumnTransformer(
        [
            ("num", scaler, NUMERIC),
            ("cat", OneHotEncoder(sparse_output=False), CATEGORICAL),
        ]
    )


def regressor(**params):
    return SigmoidNetRegressor((8,), **{**SMALL, **params})


def classifier(**params):
    return SigmoidNetClassifier((8,), **{**SMALL, **params})


def test_column_transformer_into_regressor():
    df = customers()
    model = make_pipeline(preprocess(), regressor(epochs=150)).fit(df, df["spend"])
    assert model[-1].n_features_in_ == 2 + 3 + 2  # two scaled numbers, 3 cities, 2 plans
    prediction = model.predict(df)
    assert prediction.shape == (len(df),)
    assert model.score(df, df["spend"]) > 0.8


def test_column_transformer_with_pandas_output_keeps_names():
    df = customers()
    model = make_pipeline(preprocess(), classifier()).set_output(transform="pandas")
    model.fit(df, df["churn"])
    net = model[-1]
    assert list(net.feature_names_in_) == [
        "num__age",
        "num__income",
        "cat__city_Hsinchu",
        "cat__city_Tainan",
        "cat__city_Taipei",
        "cat__plan_basic",
        "cat__plan_pro",
    ]
    assert set(model.predict(df)) <= {"leaves", "stays"}


@pytest.mark.parametrize(
    "make_labels",
    [
        pytest.param(lambda df: df["churn"].astype(object), id="object-strings"),
        pytest.param(lambda df: df["churn"].astype("string"), id="string-dtype"),
        pytest.param(lambda df: df["churn"].astype("category"), id="binary-categorical"),
        pytest.param(lambda df: df["tier"], id="multiclass-categorical"),
    ],
)
def test_label_targets_predict_in_the_original_labels(make_labels):
    df = customers()
    y = make_labels(df)
    model = make_pipeline(preprocess(), classifier(epochs=150)).fit(df, y)
    labels = sorted(set(y))
    assert model.classes_.tolist() == labels
    prediction = model.predict(df)
    assert prediction.shape == (len(df),)
    assert all(isinstance(label, str) for label in prediction)
    assert set(prediction) <= set(labels)
    assert model.predict_proba(df).shape == (len(df), len(labels))
    assert model.score(df, y) > 0.8


def test_categorical_with_integer_categories_predicts_integers():
    df = customers()
    y = pd.Series(pd.Categorical(df["tier"].cat.codes * 10))
    model = make_pipeline(preprocess(), classifier(epochs=150)).fit(df, y)
    assert model.classes_.tolist() == [0, 10, 20]
    prediction = model.predict(df)
    assert np.issubdtype(prediction.dtype, np.integer)
    assert set(prediction.tolist()) <= {0, 10, 20}


@pytest.mark.parametrize("make_estimator", [regressor, classifier])
def test_feature_names_are_kept_and_checked(make_estimator):
    df = customers()
    X = df[NUMERIC].assign(income=np.log(df["income"]) - 10)
    y = df["spend"] if make_estimator is regressor else df["churn"]
    est = make_estimator().fit(X, y)
    np.testing.assert_array_equal(est.feature_names_in_, NUMERIC)
    assert est.feature_names_in_.dtype == object

    reordered = X[NUMERIC[::-1]]
    with pytest.raises(ValueError, match="must be in the same order as they were in fit"):
        est.predict(reordered)
    renamed = X.rename(columns={"age": "years"})
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        est.predict(renamed)

    # the same values without names predict the same, with sklearn's warning
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        bare = est.predict(X.to_numpy())
    np.testing.assert_array_equal(est.predict(X), bare)


def test_array_at_fit_has_no_feature_names_and_a_frame_at_predict_warns():
    df = customers()
    est = regressor().fit(df[NUMERIC].to_numpy(dtype=float) / 50, df["spend"])
    assert not hasattr(est, "feature_names_in_")
    with pytest.warns(UserWarning, match="fitted without feature names"):
        est.predict(df[NUMERIC] / 50)


# -- sample_weight from a DataFrame column, routed by metadata routing ---------


def test_sample_weight_column_routed_through_pipeline():
    df = customers()
    X, y, w = df[NUMERIC + CATEGORICAL], df["spend"], df["weight"]
    with sklearn.config_context(enable_metadata_routing=True):
        weighted = make_pipeline(
            preprocess(routing=True), regressor().set_fit_request(sample_weight=True)
        )
        weighted.fit(X, y, sample_weight=w)
        unweighted = make_pipeline(
            preprocess(routing=True), regressor().set_fit_request(sample_weight=True)
        )
        unweighted.fit(X, y)

    direct = regressor().fit(preprocess().fit_transform(X), y, sample_weight=w.to_numpy())
    for fitted, expected in zip(weighted[-1].coefs_, direct.coefs_):
        np.testing.assert_array_equal(fitted, expected)
    assert not np.allclose(weighted[-1].coefs_[0], unweighted[-1].coefs_[0])


def test_sample_weight_column_routed_through_grid_search():
    df = customers()
    X, y, w = df[NUMERIC + CATEGORICAL], df["churn"], df["weight"]
    grid = {"sigmoidnetclassifier__alpha": [1e-4, 1e-1]}
    cv = KFold(3, shuffle=True, random_state=0)

    def search():
        pipe = make_pipeline(
            preprocess(routing=True), classifier().set_fit_request(sample_weight=True)
        )
        # the scorer takes no weights, so that only the fits' weights change the scores
        scorer = get_scorer("neg_log_loss").set_score_request(sample_weight=False)
        return GridSearchCV(pipe, grid, cv=cv, scoring=scorer)

    with sklearn.config_context(enable_metadata_routing=True):
        weighted = search().fit(X, y, sample_weight=w)
        unweighted = search().fit(X, y)

    best_alpha = weighted.best_params_["sigmoidnetclassifier__alpha"]
    direct = classifier(alpha=best_alpha).fit(
        preprocess().fit_transform(X), y, sample_weight=w.to_numpy()
    )
    for fitted, expected in zip(weighted.best_estimator_[-1].coefs_, direct.coefs_):
        np.testing.assert_array_equal(fitted, expected)

    # the weights reach every fold's fit too: their held-out log losses differ
    assert not np.allclose(
        weighted.cv_results_["mean_test_score"], unweighted.cv_results_["mean_test_score"]
    )
    assert not np.allclose(
        weighted.best_estimator_.predict_proba(X), unweighted.best_estimator_.predict_proba(X)
    )


def test_routing_requires_the_request():
    df = customers()
    X, y, w = df[NUMERIC + CATEGORICAL], df["spend"], df["weight"]
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(preprocess(routing=True), regressor())
        with pytest.raises(ValueError, match="sample_weight"):
            pipe.fit(X, y, sample_weight=w)
