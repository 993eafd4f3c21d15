import pytest

from sklearn_sigmoidnet import _step


@pytest.fixture(params=_step.kernel_variants())
def kernel_variant(request):
    """Each variant of the compiled step's kernels that this CPU runs, in turn:
    the compiled step runs it for the test, and the chosen one afterwards."""
    before = _step.use_kernel_variant(request.param)
    yield request.param
    _step.use_kernel_variant(before)
