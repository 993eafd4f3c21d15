"""
pandas in, pandas labels out
============================

.. note:: This example is not executed when the documentation is built, so this
   page shows its code without output. To run it, from a checkout of the repository:
   ``pip install .`` (it needs no extra), then
   ``python examples/integrations/pandas_workflow.py``.

A table of customers with numeric and categorical columns goes through a
:class:`~sklearn.compose.ColumnTransformer` into a
:class:`~sklearn_sigmoidnet.SigmoidNetClassifier`. The target is a pandas
categorical column, and the predictions come back as the same labels. The
network remembers the names of the columns it was fitted on and refuses a table
whose columns were renamed or reordered. A weight per customer, kept as a
column of the table, reaches the network through scikit-learn's metadata
routing, inside a Pipeline and a grid search.
"""

# %%
# A table of made-up customers
# ----------------------------
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier

warnings.simplefilter("ignore", ConvergenceWarning)  # short trainings, on purpose

rng = np.random.default_rng(0)
n = 600
customers = pd.DataFrame(
    {
        "age": rng.integers(18, 80, n),
        "monthly_spend": rng.lognormal(4, 0.6, n),
        "city": rng.choice(["Taipei", "Tainan", "Hsinchu"], n),
        "plan": pd.Categorical(rng.choice(["basic", "pro"], n)),
        "weight": rng.uniform(0.5, 2.0, n),  # how much each customer counts
    }
)
loyalty = (
    (customers["age"] - 45) / 15
    + np.log(customers["monthly_spend"])
    - 4
    + (customers["plan"] == "pro")
    + rng.normal(0, 0.3, n)
)
customers["segment"] = pd.cut(
    loyalty, [-np.inf, -0.5, 0.8, np.inf], labels=["at risk", "steady", "loyal"]
)
print(customers.head())
print(customers["segment"].dtype)

features = ["age", "monthly_spend", "city", "plan"]
train, test = train_test_split(customers, random_state=0, stratify=customers["segment"])

# %%
# A ColumnTransformer in front of the network
# -------------------------------------------
# Numbers are standardised and categories one-hot encoded. With pandas output
# the network sees named columns, and keeps their names in
# ``feature_names_in_``.
preprocess = ColumnTransformer(
    [
        ("scaled", StandardScaler(), ["age", "monthly_spend"]),
        ("onehot", OneHotEncoder(sparse_output=False), ["city", "plan"]),
    ]
)
model = make_pipeline(
    preprocess,
    SigmoidNetClassifier((16,), learning_rate=0.01, epochs=150, random_state=0),
).set_output(transform="pandas")
model.fit(train[features], train["segment"])

net = model[-1]
print("the network's inputs:", list(net.feature_names_in_))
print("classes:", list(model.classes_))

# %%
# Predictions are the original labels
# -----------------------------------
# ``predict`` gives back the segments' names, and ``predict_proba`` one column
# per class in the order of ``classes_``, which makes a readable table.
predicted = model.predict(test[features])
print(predicted[:5])
proba = pd.DataFrame(model.predict_proba(test[features]), columns=model.classes_, index=test.index)
print(proba.head().round(3))
print(f"held-out accuracy: {model.score(test[features], test['segment']):.3f}")

# %%
# Column names are checked
# ------------------------
# The network was fitted on named columns, so a table with other names or
# another order is refused with scikit-learn's message, instead of silently
# mixing up the inputs.
X_test = model[0].transform(test[features])
reordered = X_test[X_test.columns[::-1]]
renamed = X_test.rename(columns={"scaled__age": "age"})
for name, table in [("reordered", reordered), ("renamed", renamed)]:
    try:
        net.predict(table)
    except ValueError as error:
        print(f"{name} columns refused: {error}")

# %%
# Sample weights from a column, routed to the network
# ---------------------------------------------------
# With metadata routing switched on, each step says which metadata it wants.
# The network asks for ``sample_weight`` in ``fit`` and in ``score`` (so that
# the grid search also weighs the held-out customers), and the scaler, which
# could take weights too, declines them. The Pipeline and the grid search then
# pass the weight column to every fit and score of the network.
with sklearn.config_context(enable_metadata_routing=True):
    scaler = StandardScaler().set_fit_request(sample_weight=False)
    weighted_net = SigmoidNetClassifier((16,), learning_rate=0.01, epochs=60, random_state=0)
    weighted_net.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
    weighted = make_pipeline(
        ColumnTransformer(
            [
                ("scaled", scaler, ["age", "monthly_spend"]),
                ("onehot", OneHotEncoder(sparse_output=False), ["city", "plan"]),
            ]
        ),
        weighted_net,
    )
    search = GridSearchCV(weighted, {"sigmoidnetclassifier__alpha": [1e-4, 1e-2, 1.0]}, cv=3)
    search.fit(train[features], train["segment"], sample_weight=train["weight"])
    held_out = search.score(test[features], test["segment"], sample_weight=test["weight"])

print(pd.DataFrame(search.cv_results_)[["param_sigmoidnetclassifier__alpha", "mean_test_score"]])
print("best alpha:", search.best_params_["sigmoidnetclassifier__alpha"])
print(f"weighted held-out accuracy: {held_out:.3f}")
