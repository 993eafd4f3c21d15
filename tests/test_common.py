"""scikit-learn's own estimator checks, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

pytestmark = pytest.mark.oldest_sklearn


@parametrize_with_checks([
    SigmoidNetRegressor(), SigmoidNetClassifier(),
    # numeric columns as piecewise-linear ramps: another first layer, the same protocol
    SigmoidNetRegressor(numeric_bins=4), SigmoidNetClassifier(numeric_bins=4),
])  # fmt: skip
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
