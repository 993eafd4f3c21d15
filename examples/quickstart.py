"""Quickstart: the sigmoid-sum network beside a linear model on bundled data.

Fits SigmoidNetRegressor on the diabetes data (targets in their own units,
25 to 346) and SigmoidNetClassifier on the digits, each with its default
settings in a Pipeline with a StandardScaler, and prints their held-out
scores next to LinearRegression and LogisticRegression.
"""

from sklearn.datasets import load_diabetes, load_digits
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor


def held_out_score(model, X, y):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    return make_pipeline(StandardScaler(), model).fit(X_train, y_train).score(X_test, y_test)


X, y = load_diabetes(return_X_y=True)
print("diabetes regression, held-out R²")
print(f"  LinearRegression      {held_out_score(LinearRegression(), X, y):.3f}")
print(f"  SigmoidNetRegressor   {held_out_score(SigmoidNetRegressor(random_state=0), X, y):.3f}")

X, y = load_digits(return_X_y=True)
print("digits classification, held-out accuracy")
print(f"  LogisticRegression    {held_out_score(LogisticRegression(max_iter=1000), X, y):.3f}")
print(f"  SigmoidNetClassifier  {held_out_score(SigmoidNetClassifier(random_state=0), X, y):.3f}")
