"""Quickstart: the sigmoid-sum network beside a linear model on bundled data.

Fits SigmoidNetRegressor on the diabetes data and SigmoidNetClassifier on the
digits, each in a Pipeline with a StandardScaler, and prints their held-out
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
y = y / y.std()  # targets of order 1 suit the network's initial scale
print("diabetes regression, held-out R²")
print(f"  LinearRegression      {held_out_score(LinearRegression(), X, y):.3f}")
net = SigmoidNetRegressor((8,), learning_rate=0.01, epochs=300, alpha=1.0, random_state=0)
print(f"  SigmoidNetRegressor   {held_out_score(net, X, y):.3f}")

X, y = load_digits(return_X_y=True)
print("digits classification, held-out accuracy")
print(f"  LogisticRegression    {held_out_score(LogisticRegression(max_iter=1000), X, y):.3f}")
net = SigmoidNetClassifier((100,), learning_rate=0.01, random_state=0)
print(f"  SigmoidNetClassifier  {held_out_score(net, X, y):.3f}")
