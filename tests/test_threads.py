"""A fitted estimator predicts from many threads at once as it does from one."""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

N_THREADS = 8
ROUNDS = 3


@cache
def fitted(kind, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "regressor":
            X, y = make_regression(n_samples=3000, n_features=20, n_targets=2, random_state=0)
            est = SigmoidNetRegressor((64, 32), epochs=3, random_state=0)
            return est.fit(X.astype(dtype), y / y.std()), X.astype(dtype)
        X, y = make_classification(
            n_samples=3000, n_features=20, n_informative=10, n_classes=4, random_state=0
        )
        est = SigmoidNetClassifier((64, 32), activation=["relu", "tanh"], epochs=3, random_state=0)
        return est.fit(X.astype(dtype), y), X.astype(dtype)


def run_together(function, inputs):
    """Call ``function`` on each input from its own thread, all released at once."""
    start = threading.Barrier(len(inputs))

    def call(X):
        start.wait()
        return function(X)

    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        return list(pool.map(call, inputs))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "kind, method",
    [
        ("regressor", "predict"),
        ("regressor", "decompose"),
        ("classifier", "predict"),
        ("classifier", "predict_proba"),
        ("classifier", "decision_function"),
    ],
)
def test_concurrent_predictions_equal_serial_ones(kind, method, dtype):
    est, X = fitted(kind, dtype)
    # each thread predicts its own slice, so that a mix-up between threads shows
    slices = [X[i * 300 : (i + 1) * 300 + 500] for i in range(N_THREADS)]
    expected = [getattr(est, method)(X_slice) for X_slice in slices]
    for _ in range(ROUNDS):
        results = run_together(getattr(est, method), slices)
        for result, serial in zip(results, expected):
            assert result.dtype == serial.dtype
            np.testing.assert_array_equal(result, serial)


def test_the_same_input_from_all_threads():
    est, X = fitted("classifier", np.float64)
    expected = est.predict_proba(X)
    for result in run_together(est.predict_proba, [X] * N_THREADS):
        np.testing.assert_array_equal(result, expected)
