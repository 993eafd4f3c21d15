"""Fits of the estimators by the compiled step: bit-for-bit reproducible, in
agreement with the same fits by the numpy engine (``engine="numpy"``) with
every kernel variant that this CPU runs, and leaving the caller's arrays as
they were, whatever their layout.
"""

import numpy as np
import pytest
from compiled_helpers import (
    _frozen,
    assert_close,
    data,
    laid_out,
    make_estimator,
    predictions,
    regression_data,
)

FIT_CASES = [
    (solver, early_stopping)
    for solver in ("adam", "sgd", "lbfgs")
    for early_stopping in ((False, True) if solver != "lbfgs" else (False,))
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver, early_stopping", FIT_CASES)
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_compiled_fits_are_bit_identical(kind, solver, early_stopping, dtype):
    X, y = data(kind, dtype)
    fits = [make_estimator(kind, solver, early_stopping=early_stopping).fit(X, y) for _ in range(2)]
    first, second = fits
    assert first.coefs_[0].dtype == dtype
    for a, b in zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert first.n_iter_ == second.n_iter_ and len(first.loss_curve_) >= 2
    if early_stopping:
        np.testing.assert_array_equal(first.validation_scores_, second.validation_scores_)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    np.testing.assert_array_equal(predictions(first, X), predictions(second, X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_numpy_fit_agrees_with_the_compiled_fit(kind, solver, dtype, kernel_variant):
    X, y = data(kind, dtype)
    compiled = make_estimator(kind, solver, early_stopping=False).fit(X, y)
    reference = make_estimator(kind, solver, early_stopping=False, engine="numpy").fit(X, y)
    assert compiled.n_iter_ == reference.n_iter_
    assert_close(compiled.loss_curve_, reference.loss_curve_, dtype, "loss curve")
    weights = zip(compiled.coefs_ + compiled.intercepts_, reference.coefs_ + reference.intercepts_)
    for a, b in weights:
        assert_close(a, b, dtype, "weights")
    assert_close(predictions(compiled, X), predictions(reference, X), dtype, "predictions")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_fit_leaves_the_callers_arrays_unchanged(layout, early_stopping, dtype):
    X, y = regression_data(dtype)
    X = laid_out(X, layout)
    y = laid_out(y.astype(dtype), layout)
    sw = laid_out(np.random.RandomState(5).uniform(0.5, 2, y.shape[0]).astype(dtype), layout)
    before = _frozen(X, y, sw)
    flags = [(A.flags.c_contiguous, A.flags.f_contiguous) for A in (X, y, sw)]
    make_estimator("regressor", "sgd", early_stopping=early_stopping).fit(X, y, sw)
    for A, copy in zip((X, y, sw), before):
        np.testing.assert_array_equal(A, copy)
    assert [(A.flags.c_contiguous, A.flags.f_contiguous) for A in (X, y, sw)] == flags
    if layout == "strided":  # nor the memory around a view
        for A in (X, y, sw):
            assert np.isnan(A.base).sum() == A.base.size - A.size
