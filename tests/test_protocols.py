"""The two protocols of the training path: every engine is an ``Engine``, and
the fit's data in memory and on a cluster are both ``TrainingData``."""

import inspect

import numpy as np
import pytest

from sklearn_sigmoidnet._dask._data import ClusterData
from sklearn_sigmoidnet._dask._engine import ClusterEngine
from sklearn_sigmoidnet._engines import (
    CompiledEngine,
    Engine,
    NumpyEngine,
    Objective,
    Rows,
    make_engine,
)
from sklearn_sigmoidnet._fit_input import FitData, TrainingData
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import SGD

pytestmark = pytest.mark.oldest_sklearn


def _methods(protocol):
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_")
    }


def _parameters(signature):
    return [name for name in signature.parameters if name != "self"]


def _instances():
    network = Network([3, 2, 1], ["tanh"], "identity", np.float64)
    objective = Objective("squared_error")
    U = np.zeros((4, 3))
    return {
        Engine: [NumpyEngine(network, objective), CompiledEngine(network, 3, objective),
                 ClusterEngine(network, objective, None, "auto")],
        TrainingData: [FitData(U, np.zeros(4), U, np.zeros((4, 1)), None),
                       ClusterData(None, [], [], [], 3, None, [])],
    }  # fmt: skip


@pytest.mark.parametrize("protocol", [Engine, TrainingData], ids=lambda p: p.__name__)
def test_each_implementation_has_the_protocols_members(protocol):
    methods = _methods(protocol)
    assert methods and protocol.__annotations__
    for instance in _instances()[protocol]:
        for name, signature in methods.items():
            implemented = inspect.signature(getattr(type(instance), name))
            # the same parameters, in order; an implementation may give defaults
            assert _parameters(implemented) == _parameters(signature), (instance, name)
        for name in protocol.__annotations__:
            assert hasattr(instance, name), (instance, name)


@pytest.mark.parametrize("kind", ["auto", "numpy"])
def test_rows_in_memory_choose_their_engine_and_train_through_it(kind):
    rng = np.random.RandomState(0)
    U, Y = rng.standard_normal((30, 3)), rng.standard_normal((30, 1))
    data = FitData(U, Y[:, 0], U, Y, None)
    assert (data.n_rows, data.weight_total) == (30, 30)
    network = Network([3, 4, 1], ["tanh"], "identity", np.float64)
    network.initialize(np.random.RandomState(1))
    engine = data.engine(network, Objective("squared_error"), SGD(network.theta.size,
                         np.float64, 0.01, 0.0, False), kind)  # fmt: skip
    assert isinstance(engine, CompiledEngine if kind == "auto" else NumpyEngine)
    before = engine.loss(data, 8)
    loss, updates, first = engine.run_epoch(data, 8, np.random.RandomState(2))
    assert updates == 4 and np.isfinite([loss, first]).all()
    assert engine.loss(Rows(U, Y, None), 8) < before  # other rows of the kind: Rows
    weighted = FitData(U, Y[:, 0], U, Y, np.full(30, 0.5))
    assert weighted.weight_total == 15


def test_the_data_choose_the_engine_not_the_loops():
    network = Network([3, 2, 1], ["tanh"], "identity", np.float64)
    objective = Objective("squared_error")
    assert isinstance(make_engine(network, np.zeros((1, 3)), objective), CompiledEngine)
    assert isinstance(make_engine(network, np.zeros((1, 3), np.float32), objective), NumpyEngine)
    engine = ClusterData.engine(None, network, objective, None, "numpy")
    assert isinstance(engine, ClusterEngine) and engine.kind == "numpy"
