"""
A raw DataFrame: scaling, categories and missing values inside the network
==========================================================================

A table as it comes has columns in their own units, categories as labels,
and gaps. The estimators take it as it is: each numeric column is
standardised for training, ``x̃ = (x − m) / s``, and the scaling is folded
into the first layer afterwards, so that ``coefs_[0]`` takes ``x`` in its own
units; each category gets its own row of first-layer weights (one-hot times
``W`` picks a row); a missing number counts as the column's training mean,
with a 0/1 input that says it was missing. This example fits the diabetes
table in its original units that way, beside the usual
:class:`~sklearn.pipeline.Pipeline` of imputer, scaler and one-hot encoder,
the same pipeline without the scaler, and
:class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
"""

# %%
# The diabetes table in its own units, with a categorical column and gaps
# -----------------------------------------------------------------------
# ``scaled=False`` gives the columns in their units: age in years, body mass
# index, blood pressure in mm Hg, six blood serum measurements from about 4
# to about 190. The data set codes sex as 1 and 2; here it becomes a pandas
# category. One in ten values of ``bmi`` and of ``s5`` is removed at random.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_diabetes
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetRegressor

X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
X["sex"] = pd.Categorical(X["sex"].map({1.0: "1", 2.0: "2"}))
rng = np.random.RandomState(0)
for column in ["bmi", "s5"]:
    X.loc[rng.rand(len(X)) < 0.1, column] = np.nan
numeric = [column for column in X.columns if column != "sex"]
print(X.head())
print("missing values per column:", X.isna().sum().to_dict())

# %%
# Four ways to fit it
# -------------------
# The network on the raw frame; the usual pipeline, in which the network gets
# standardised, imputed, one-hot encoded columns; the same pipeline without
# the scaler and with ``normalize_X=False``, so that the network trains on
# the columns in their own units; and gradient boosting, which takes the
# category from the column's dtype and the gaps as they are.
raw_net = SigmoidNetRegressor(random_state=0)
models = {
    "raw DataFrame": raw_net,
    "impute, scale,\none-hot pipeline": make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (OneHotEncoder(), ["sex"]),
        ),
        SigmoidNetRegressor(random_state=0),
    ),
    "pipeline without scaler,\nnormalize_X=False": make_pipeline(
        make_column_transformer((SimpleImputer(), numeric), (OneHotEncoder(), ["sex"])),
        SigmoidNetRegressor(normalize_X=False, random_state=0),
    ),
    "HistGradientBoosting": HistGradientBoostingRegressor(
        categorical_features="from_dtype", random_state=0
    ),
}
cv = KFold(5, shuffle=True, random_state=0)
scores = {name: cross_val_score(model, X, y, cv=cv) for name, model in models.items()}
for name, score in scores.items():
    label = name.replace("\n", " ")
    print(f"{label:>45}: R² {score.mean():.3f} ± {score.std():.3f}")

# %%
# Cross-validated R²
# ------------------
# Without scaling, inputs such as ``s1`` (around 190) make the sum
# ``r = b + W x`` of every unit large, where the sigmoid is flat, and the
# network learns much less. Standardising the columns, in a pipeline or
# inside the network, removes that.
fig, ax = plt.subplots(figsize=(8, 3.5))
names = list(scores)
means = [scores[name].mean() for name in names]
stds = [scores[name].std() for name in names]
ax.barh(names, means, xerr=stds, color=["C0", "C0", "C3", "C2"], capsize=4)
for k, mean in enumerate(means):
    ax.text(mean / 2, k, f"{mean:.3f}", ha="center", va="center", color="white")
ax.invert_yaxis()
ax.set_xlabel("R², mean of 5 folds (bars: ± one standard deviation)")
ax.set_title("diabetes, original units, sex as a category, 10% of bmi and s5 missing")
fig.tight_layout()
plt.show()

# %%
# The rows of the first layer have names
# --------------------------------------
# ``input_names_`` names each row of ``coefs_[0]``: the numeric columns
# first, then a missing indicator for each column that had gaps in training,
# then one row per category. The weights of a numeric column are per unit of
# that column (per year of age, per mm Hg of blood pressure).
raw_net.fit(X, y)
first_layer = pd.DataFrame(
    raw_net.coefs_[0][:, :4],
    index=raw_net.input_names_,
    columns=[f"unit {i}" for i in range(4)],
)
print(first_layer.round(4))

# %%
# The first layer by hand
# -----------------------
# For one patient whose ``bmi`` is missing, the input vector has the numeric
# values in their own units (the missing ``bmi`` as the mean of the training
# column), a 1 in ``missingindicator_bmi``, and a 1 in the row of the
# patient's sex: one-hot times ``W`` picks that row. Then
# ``r = b + W x`` with ``b = intercepts_[0]`` and ``Wᵀ = coefs_[0]``, and
# ``transform`` returns ``a = σ(r)``.
row = int(np.flatnonzero(X["bmi"].isna().to_numpy())[0])
patient = X.iloc[row]
u = pd.Series(0.0, index=raw_net.input_names_)
for column in numeric:
    value = patient[column]
    u[column] = X[column].mean() if np.isnan(value) else value
    if np.isnan(value):
        u[f"missingindicator_{column}"] = 1.0
u[f"sex_{patient['sex']}"] = 1.0
print("the patient:", patient.to_dict())
print("nonzero inputs:", u[u != 0].round(3).to_dict())

r = raw_net.intercepts_[0] + u.to_numpy() @ raw_net.coefs_[0]
a = 1 / (1 + np.exp(-r))
a_net = raw_net.transform(X.iloc[[row]])[0]
print(f"largest |σ(r) by hand − transform|: {np.abs(a - a_net).max():.2e}")

# The output layer adds up the units' terms cᵢ aᵢ(x) (``decompose``) and the
# constant b; for the whole table that is ``predict``.
by_parts = raw_net.intercepts_[-1] + raw_net.decompose(X).sum(axis=1)
print(f"largest |b + Σ decompose − predict|: {np.abs(by_parts - raw_net.predict(X)).max():.2e}")

# %%
# The units' pre-activations, by hand and from the network
# --------------------------------------------------------
# Each point is one hidden unit for the patient above: ``r`` computed by hand
# from ``coefs_[0]`` and ``intercepts_[0]`` against the ``r`` behind
# ``transform`` (its logit). They lie on the diagonal.
r_net = np.log(a_net) - np.log1p(-a_net)
fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(r, r_net, s=10)
lims = [min(r.min(), r_net.min()), max(r.max(), r_net.max())]
ax.plot(lims, lims, color="grey", linewidth=1)
ax.set_xlabel("r = b + W x, by hand")
ax.set_ylabel("logit of transform(X)")
ax.set_title(f"patient {row}, {len(r)} hidden units")
fig.tight_layout()
plt.show()
