"""The lecture's sigmoid-sum neural network as scikit-learn estimators.

ŷ = b + cᵀ σ(b + W x), stacked into hidden layers and trained by mini-batch
gradient descent.
"""

from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

try:  # the compiled training step, which every module below needs
    from ._step import kernel_variant
except ImportError:
    if find_spec(f"{__name__}._step") is not None:  # built, and failed to load: its error
        raise
    raise ImportError(
        f"sklearn_sigmoidnet is imported from its source folder, {Path(__file__).parent}, "
        "which holds no compiled training step (_step): Python looks in the current folder "
        "first. "
        "Start Python outside the project folder to use the installed package, or "
        "install it for development, which builds the step and serves it to this "
        "folder: pip install meson-python meson ninja Cython scipy && "
        'pip install --no-build-isolation -e ".[test]"'
    ) from None  # not the "circular import" that Python would say

from ._classifier import SigmoidNetClassifier
from ._display import LossCurveDisplay
from ._regressor import SigmoidNetRegressor
from ._sigmoid_sum_display import SigmoidSumDisplay

__version__ = version("sklearn-sigmoidnet")  # set in meson.build

__all__ = [
    "LossCurveDisplay",
    "SigmoidNetClassifier",
    "SigmoidNetRegressor",
    "SigmoidSumDisplay",
    "kernel_variant",
    "__version__",
]
