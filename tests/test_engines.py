"""Which engine trains (``_engines.make_engine``), and what the engines do
beyond the step itself.

Dense X of θ's dtype trains by the compiled engine, sparse X, ``engine="numpy"``
and an optimiser the compiled step does not know by the numpy engine (the
``compiled_calls`` fixture of conftest.py counts the calls into the compiled
one). ``CompiledEngine`` runs a full batch a block of rows at a time
(``block_rows``) with the gradient of all the rows, and refuses X of a width
that does not fit the network.
"""

import numpy as np
import pytest
from compiled_helpers import (
    LOSS_FLOOR,
    assert_close,
    data,
    make_estimator,
    make_pair,
    predictions,
    regression_data,
)
from scipy import sparse

from sklearn_sigmoidnet._engines import (
    CompiledEngine,
    NumpyEngine,
    Objective,
    Rows,
    block_rows,
    make_engine,
)
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import SGD


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_dense_data_trains_compiled_and_sparse_data_with_numpy(kind, dtype, compiled_calls):
    X, y = data(kind, dtype)
    X[np.abs(X) < 0.5] = 0  # some zeros, for a sparse matrix to leave out
    dense = make_estimator(kind, "adam", early_stopping=False).fit(X, y)
    # the loss of the starting weights, and of those kept
    assert compiled_calls == {"run_epoch": dense.n_iter_, "loss": 2, "loss_and_gradient": 0}
    assert dense.n_iter_ == 6

    compiled_calls.update(run_epoch=0, loss=0)
    sparse_fit = make_estimator(kind, "adam", early_stopping=False).fit(sparse.csr_matrix(X), y)
    assert compiled_calls == {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}
    assert sparse_fit.coefs_[0].dtype == dtype
    assert_close(sparse_fit.loss_curve_, dense.loss_curve_, dtype, "loss curve")
    assert_close(predictions(sparse_fit, X), predictions(dense, X), dtype, "predictions")

    lbfgs = make_estimator(kind, "lbfgs").fit(X, y)
    assert compiled_calls["loss_and_gradient"] > lbfgs.n_iter_ > 0
    compiled_calls["loss_and_gradient"] = 0
    lbfgs_sparse = make_estimator(kind, "lbfgs").fit(sparse.csr_matrix(X), y)
    assert compiled_calls["loss_and_gradient"] == 0
    assert lbfgs_sparse.n_iter_ == lbfgs.n_iter_
    assert_close(predictions(lbfgs_sparse, X), predictions(lbfgs, X), dtype, "lbfgs")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_numpy_engine_never_calls_the_compiled_step(compiled_calls):
    X, y = regression_data(np.float64)
    for solver in ("adam", "lbfgs"):
        make_estimator("regressor", solver, engine="numpy").fit(X, y)
    assert compiled_calls == {"run_epoch": 0, "loss": 0, "loss_and_gradient": 0}


def test_an_optimizer_the_compiled_step_does_not_know_trains_with_numpy(compiled_calls):
    class Custom(SGD):  # an SGD that the compiled step must not take for its own
        pass

    rng = np.random.RandomState(10)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    pair = make_pair([3, 4, 1], ["tanh"], "identity", np.float64, 10, "nesterov", 0.005)
    custom, known = pair[1][0], pair[0][0]
    optimizer = Custom(custom.theta.size, np.float64, 0.005, 0.9, True)
    objective = Objective("squared_error", 0.01)
    engine = make_engine(custom, X, objective, optimizer)
    assert isinstance(engine, NumpyEngine)
    engine.run_epoch(Rows(X, Y, None), 6)
    assert compiled_calls["run_epoch"] == 0
    make_engine(known, X, objective, pair[0][1]).run_epoch(Rows(X, Y, None), 6)
    assert compiled_calls["run_epoch"] == 1
    assert_close(custom.theta, known.theta, np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [None, "a weightless block"])
def test_a_full_batch_runs_in_blocks_with_the_gradient_of_all_rows(weights, dtype):
    # blocks of a few hundred rows for this width (block_rows), and rows for several
    (compiled, _), (reference, _) = make_pair([4, 300, 2], ["tanh"], "identity", dtype, 17)
    n = 5 * block_rows(compiled) + 7
    rng = np.random.RandomState(17)
    X, Y = rng.standard_normal((n, 4)).astype(dtype), rng.standard_normal((n, 2)).astype(dtype)
    sw = None if weights is None else rng.uniform(0.5, 2, n).astype(dtype)
    if weights == "a weightless block":
        sw[block_rows(compiled) : 2 * block_rows(compiled) + 3] = 0
    with np.errstate(all="ignore"):
        got = compiled.loss_and_gradient(X, Y, sw, "huber", 0.1)
        expected = reference.loss_and_gradient(X, Y, sw, "huber", 0.1)
    assert_close(got, expected, dtype, "loss", LOSS_FLOOR)
    assert_close(compiled.grad, reference.grad, dtype, "gradient", LOSS_FLOOR)


@pytest.mark.parametrize("n_codes, width", [(0, 4), (0, 6), (2, 9), (2, 1)])
def test_the_compiled_step_refuses_x_of_another_width(n_codes, width):
    # W[0] has 5 rows: 5 dense columns, or up to 5 dense ones and 2 columns of codes
    network = Network([5, 3, 1], ["tanh"], "identity", np.float64, n_codes)
    with pytest.raises(ValueError, match="do not fit a first layer of 5 inputs"):
        CompiledEngine(network, width, Objective("squared_error"))
    engine = CompiledEngine(network, 5 + n_codes - (n_codes > 0), Objective("squared_error"))
    X, Y = np.zeros((4, width)), np.zeros((4, 1))
    with pytest.raises(ValueError, match="do not fit the network"):
        engine.loss_and_gradient(Rows(X, Y, None))
