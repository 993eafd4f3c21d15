"""The lecture's sigmoid-sum neural network as scikit-learn estimators.

ŷ = b + cᵀ σ(b + W x), stacked into hidden layers and trained by mini-batch
gradient descent.
"""

from importlib.metadata import version

from ._classifier import SigmoidNetClassifier
from ._display import LossCurveDisplay
from ._regressor import SigmoidNetRegressor
from ._sigmoid_sum_display import SigmoidSumDisplay
from ._step import kernel_variant

__version__ = version("sklearn-sigmoidnet")  # set in meson.build

__all__ = [
    "LossCurveDisplay",
    "SigmoidNetClassifier",
    "SigmoidNetRegressor",
    "SigmoidSumDisplay",
    "kernel_variant",
    "__version__",
]
