import pytest

from sklearn_sigmoidnet import _step
from sklearn_sigmoidnet._engines import CompiledEngine


@pytest.fixture(params=_step.kernel_variants())
def kernel_variant(request):
    """Each variant of the compiled step's kernels that this CPU runs, in turn:
    the compiled step runs it for the test, and the chosen one afterwards."""
    before = _step.use_kernel_variant(request.param)
    yield request.param
    _step.use_kernel_variant(before)


@pytest.fixture
def compiled_calls(monkeypatch):
    """Counts of the calls into the compiled engine, by method."""
    calls = {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}
    for name in calls:
        original = getattr(CompiledEngine, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(CompiledEngine, name, spy)
    return calls


@pytest.fixture(scope="module")
def client(request):
    """A dask.distributed client of a LocalCluster for the test module that asks for
    it, listening on 127.0.0.1 only, with the module's ``DASK_CLUSTER`` options
    (workers, threads, processes, status page); shut down with its cluster after
    the module's tests. Without distributed installed, those tests are skipped."""
    distributed = pytest.importorskip("distributed")
    options = request.module.DASK_CLUSTER
    with (
        distributed.LocalCluster(host="127.0.0.1", **options) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
