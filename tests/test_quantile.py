"""loss="quantile": the pinball loss, whose minimiser is the quantile α of y given x."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_sigmoidnet import SigmoidNetRegressor

rng = np.random.RandomState(0)
x = rng.uniform(-3, 3, 4_000)
y = np.sin(x) + (0.2 + 0.15 * np.abs(x)) * rng.normal(size=x.size)  # the spread grows with |x|
X = x.reshape(-1, 1)


@pytest.mark.parametrize("level", [0.1, 0.5, 0.9])
def test_a_quantile_model_leaves_its_share_of_targets_below(level):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    net = SigmoidNetRegressor((16,), loss="quantile", quantile=level, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_train, y_train)
    below = np.mean(y_test < net.predict(X_test))
    assert below == pytest.approx(level, abs=0.04)
    # and it follows the spread: wide apart at |x| = 3, close at 0
    if level == 0.9:
        assert net.predict([[3.0]])[0] - np.sin(3.0) > net.predict([[0.0]])[0] - np.sin(0.0)


def test_quantile_needs_its_level():
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        SigmoidNetRegressor(loss="quantile").fit(X[:50], y[:50])
    for bad in [0.0, 1.0, 1.5]:
        with pytest.raises(ValueError, match="quantile"):
            SigmoidNetRegressor(loss="quantile", quantile=bad).fit(X[:50], y[:50])
