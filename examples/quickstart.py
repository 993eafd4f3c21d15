"""Quickstart: the sigmoid-sum network on a raw DataFrame, beside a linear model.

Makes a table of 2,000 made-up flats (fixed seed, no download): a numeric
column whose effect on the price bends (area), one whose effect dips in the
middle and that has missing values (age), and a categorical column (district)
with a few missing entries. SigmoidNetRegressor and SigmoidNetClassifier fit
the DataFrame as it is, with their default settings: no scaler, no encoder, no
imputer. Their held-out scores are printed next to a linear model (which
cannot take the frame, so it gets a pipeline that imputes and one-hot encodes)
and HistGradientBoosting (categories from the column's dtype).
"""

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

# -- the table ---------------------------------------------------------------
rng = np.random.RandomState(0)
n = 2000
area = rng.uniform(20, 200, n)  # m², far from unit scale
age = rng.uniform(0, 80, n)  # years
districts = ["centre", "old town", "harbour", "suburb", "outskirts"]
district = rng.choice(districts, n, p=[0.15, 0.15, 0.2, 0.3, 0.2])
premium = pd.Series(district).map(dict(zip(districts, [120, 90, 60, 20, 0]))).to_numpy()
# price in thousands: it levels off for large flats, dips for flats about 40 years old
price = 400 * np.tanh(area / 70) - 60 * np.exp(-(((age - 40) / 15) ** 2)) + premium
price += rng.normal(0, 20, n)
# sold within a month: flats of middle size in good districts sell fast
p_fast = 1 / (1 + np.exp(-(1 + (premium - 60) / 30 - ((area - 100) / 40) ** 2)))
sold_fast = np.where(rng.rand(n) < p_fast, "fast", "slow")

flats = pd.DataFrame({"area_m2": area, "age_years": age, "district": pd.Categorical(district)})
flats.loc[rng.rand(n) < 0.10, "age_years"] = np.nan  # 10% of the ages unknown
flats.loc[rng.rand(n) < 0.03, "district"] = np.nan  # 3% of the districts unknown
print(flats.head(), "\n")

# -- the models --------------------------------------------------------------
# A linear model needs numbers without gaps: impute (with a 0/1 column saying
# which were missing) and one-hot encode the district.
encode = make_column_transformer(
    (SimpleImputer(add_indicator=True), ["area_m2", "age_years"]),
    (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["district"]),
)
regressors = {
    "LinearRegression (pipeline)": make_pipeline(encode, LinearRegression()),
    "HistGradientBoosting": HistGradientBoostingRegressor(
        categorical_features="from_dtype", random_state=0
    ),
    "SigmoidNetRegressor (raw)": SigmoidNetRegressor(random_state=0),
}
classifiers = {
    "LogisticRegression (pipeline)": make_pipeline(encode, LogisticRegression(max_iter=1000)),
    "HistGradientBoosting": HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0
    ),
    "SigmoidNetClassifier (raw)": SigmoidNetClassifier(random_state=0),
}

# -- held-out scores ---------------------------------------------------------
X_train, X_test, y_train, y_test, c_train, c_test = train_test_split(
    flats, price, sold_fast, random_state=0
)
print("price regression, held-out R²")
for name, model in regressors.items():
    print(f"  {name:30} {model.fit(X_train, y_train).score(X_test, y_test):.3f}")
print("sold fast or slow, held-out accuracy")
for name, model in classifiers.items():
    print(f"  {name:30} {model.fit(X_train, c_train).score(X_test, c_test):.3f}")

# The network scaled each numeric column for training and folded the scaling
# into its first layer; each district got its own row of weights, the missing
# ones too. input_names_ names the rows of coefs_[0]:
net = regressors["SigmoidNetRegressor (raw)"]
print("\nrows of coefs_[0]:", list(net.input_names_))
