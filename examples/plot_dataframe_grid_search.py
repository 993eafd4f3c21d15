"""
A pandas DataFrame, a ColumnTransformer and a grid search
=========================================================

Real tables mix numbers and categories. The network takes such a DataFrame as
it is (see :ref:`sphx_glr_auto_examples_plot_raw_dataframe.py`); here the
encoding is spelled out in a :class:`~sklearn.compose.ColumnTransformer` that
standardises the numeric columns and one-hot encodes the categorical one, as
for any other model. The network sits at the end of a
:class:`~sklearn.pipeline.Pipeline`, and
:class:`~sklearn.model_selection.GridSearchCV` chooses the hyperparameters
(超参数) ``hidden_layer_sizes`` and ``alpha`` by cross-validation. The
feature names travel with the DataFrame.
"""

# %%
# A small table of made-up flats
# ------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetRegressor, SigmoidSumDisplay

rng = np.random.RandomState(0)
n = 600
flats = pd.DataFrame(
    {
        "area_m2": rng.uniform(30, 150, n),
        "age_years": rng.uniform(0, 60, n),
        "district": pd.Categorical(rng.choice(["centre", "suburb", "outskirts"], n)),
    }
)
premium = flats["district"].map({"centre": 1.5, "suburb": 0.5, "outskirts": 0.0}).astype(float)
# the price flattens out for large flats and dips for flats of middle age
price = (
    3 * np.tanh(flats["area_m2"] / 60)
    - 0.6 * np.exp(-(((flats["age_years"] - 30) / 12) ** 2))
    + premium
    + rng.normal(0, 0.15, n)
)
print(flats.head())

# %%
# The pipeline and the grid
# -------------------------
preprocess = make_column_transformer(
    (StandardScaler(), ["area_m2", "age_years"]),
    (OneHotEncoder(), ["district"]),
)
model = make_pipeline(preprocess, SigmoidNetRegressor(solver="lbfgs", epochs=500, random_state=0))
grid = {
    "sigmoidnetregressor__hidden_layer_sizes": [(2,), (8,), (32,)],
    "sigmoidnetregressor__alpha": [1e-3, 1.0, 30.0],
}
X_train, X_test, y_train, y_test = train_test_split(flats, price, random_state=0)
# the grid's weakest models stop at the 500-iteration cap; that is fine for a comparison
warnings.filterwarnings("ignore", category=ConvergenceWarning)
search = GridSearchCV(model, grid, cv=3).fit(X_train, y_train)
print("best:", search.best_params_)
print(f"held-out R² of the best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# Cross-validated R² of every combination, and the chosen model's curve
# ---------------------------------------------------------------------
# Left: too few units or too strong a penalty underfit. Right: the best
# pipeline's curve over ``area_m2`` (the other columns held at their mean, and
# the most frequent district), drawn in square metres because the display
# passes the grid through the pipeline's ColumnTransformer first.
results = pd.DataFrame(search.cv_results_)
table = results.pivot(
    index="param_sigmoidnetregressor__hidden_layer_sizes",
    columns="param_sigmoidnetregressor__alpha",
    values="mean_test_score",
)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
image = left.imshow(table.to_numpy(), cmap="viridis", vmin=0, vmax=1)
left.set_xticks(range(table.shape[1]), [f"{a:g}" for a in table.columns])
left.set_yticks(range(table.shape[0]), [str(s) for s in table.index])
for (row, column), score in np.ndenumerate(table.to_numpy()):
    color = "black" if score > 0.5 else "white"
    left.text(column, row, f"{score:.3f}", ha="center", va="center", color=color)
left.set_xlabel("alpha")
left.set_ylabel("hidden_layer_sizes")
left.set_title("mean cross-validated R²")
fig.colorbar(image, ax=left)

SigmoidSumDisplay.from_estimator(
    search.best_estimator_, X_train, "area_m2", ax=right, piece_kw={"alpha": 0.5}
)
right.set_title("best pipeline: price over area_m2")
right.legend(fontsize="small", loc="center right")
fig.tight_layout()
plt.show()
