"""Training and prediction speed of the sigmoid nets against scikit-learn's MLP.

Both estimators get the same data, architecture, activation (sigmoid, which
MLP calls "logistic"), solver (adam), learning rate, batch size and number of
epochs, with ``tol=0`` and no early stop, so that they do the same work. Fits
alternate between the two (the one that goes first swaps every repeat) and the
table reports medians over the repeats, so a noisy machine slows both alike.
Each repeat uses another ``random_state`` for both, and the held-out score is
the median over the repeats.

The GEMM floor is the time the matrix products of the forward and backward
passes alone take at the same shapes, for the same batches: what a fit would
cost if everything besides the products were free.

Run ``python benchmarks/bench_vs_mlp.py`` for the full table (a few minutes)
or ``--quick`` for a smoke run on small data (seconds; its times mean little).
"""

import argparse
import math
import platform
import threading
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
import sklearn
from machine import describe
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor


@dataclass
class Case:
    name: str
    task: str  # "regression" or "classification"
    data: tuple  # X_train, X_test, y_train, y_test
    hidden: tuple
    batch_size: int
    epochs: int
    speedup_goal: float
    learning_rate: float = 1e-3


def _teacher_regression(n_train, n_test, n_features, dtype, seed):
    """Targets from a random sigmoid network with noise: learnable, not linear."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_train + n_test, n_features))
    A = rng.normal(size=(n_features, 16)) / math.sqrt(n_features)
    y = np.tanh(2 * X @ A) @ rng.normal(size=16) + 0.1 * rng.normal(size=X.shape[0])
    y = (y - y.mean()) / y.std()
    return train_test_split(X.astype(dtype), y.astype(dtype), train_size=n_train, random_state=0)


def _classification(n_train, n_test, n_features, n_classes, dtype, seed):
    X, y = make_classification(
        n_samples=n_train + n_test,
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=n_classes,
        class_sep=1.0,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X).astype(dtype)
    return train_test_split(X, y, train_size=n_train, random_state=0, stratify=y)


def _digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def make_cases(quick):
    if quick:
        n, n_test = 600, 200
        return [
            Case(
                "reg 600x20, (16,), b32, f64",
                "regression",
                _teacher_regression(n, n_test, 20, np.float64, 0),
                (16,),
                32,
                2,
                3.0,
            ),
            Case(
                "cls 600x8 4-class, (8,8), b64, f32",
                "classification",
                _classification(n, n_test, 8, 4, np.float32, 0),
                (8, 8),
                64,
                2,
                3.0,
            ),
        ]
    reg20 = _teacher_regression(20_000, 5_000, 20, np.float64, 0)
    return [
        Case("reg 20k x 20, (100,), b32, f64", "regression", reg20, (100,), 32, 20, 5.0),
        Case("reg 20k x 20, (100,), b200, f64", "regression", reg20, (100,), 200, 20, 3.0),
        Case(
            "reg 20k x 50, (256,256), b256, f32",
            "regression",
            _teacher_regression(20_000, 5_000, 50, np.float32, 1),
            (256, 256),
            256,
            10,
            1.7,
        ),
        Case("digits, (100,), b32, f64", "classification", _digits(), (100,), 32, 100, 5.0),
        Case(
            "cls 20k x 40 4-class, (64,64), b64, f32",
            "classification",
            _classification(20_000, 5_000, 40, 4, np.float32, 2),
            (64, 64),
            64,
            20,
            5.0,
        ),
    ]


def make_estimators(case, seed):
    common_mlp = dict(
        hidden_layer_sizes=case.hidden,
        activation="logistic",
        solver="adam",
        batch_size=case.batch_size,
        learning_rate_init=case.learning_rate,
        max_iter=case.epochs,
        tol=0,
        n_iter_no_change=case.epochs + 1,
        random_state=seed,
    )
    common_ours = dict(
        activation="sigmoid",
        solver="adam",
        batch_size=case.batch_size,
        learning_rate=case.learning_rate,
        epochs=case.epochs,
        tol=0,
        n_iter_no_change=case.epochs + 1,
        early_stopping=False,  # MLP's default: both train on all the data
        random_state=seed,
    )
    if case.task == "regression":
        return MLPRegressor(**common_mlp), SigmoidNetRegressor(case.hidden, **common_ours)
    return MLPClassifier(**common_mlp), SigmoidNetClassifier(case.hidden, **common_ours)


def _score(case, estimator, X_test, y_test):
    metric = r2_score if case.task == "regression" else accuracy_score
    return metric(y_test, estimator.predict(X_test))


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def gemm_floor(case, n_rows, n_features, n_outputs, dtype, repeats):
    """Median time of the forward and backward matrix products alone for one fit."""
    sizes = [n_features, *case.hidden, n_outputs]
    rng = np.random.RandomState(0)
    W = [rng.normal(size=shape).astype(dtype) for shape in zip(sizes[:-1], sizes[1:])]
    batches = [case.batch_size] * (n_rows // case.batch_size)
    if n_rows % case.batch_size:
        batches.append(n_rows % case.batch_size)
    # one set of buffers per distinct batch size, made before the clock starts
    buffers = {}
    for n in set(batches):
        a = [rng.normal(size=(n, size)).astype(dtype) for size in sizes]
        delta = [rng.normal(size=x.shape).astype(dtype) for x in a]
        buffers[n] = (a, delta, [np.empty_like(w) for w in W])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(case.epochs):
            for n in batches:
                a, delta, dW = buffers[n]
                for layer, w in enumerate(W):  # r = a W, per layer
                    np.matmul(a[layer], w, out=a[layer + 1])
                for layer in range(len(W) - 1, -1, -1):  # g_W = aᵀ δ, δ_in = δ Wᵀ
                    np.matmul(a[layer].T, delta[layer + 1], out=dW[layer])
                    if layer:
                        np.matmul(delta[layer + 1], W[layer].T, out=delta[layer])
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def bench_case(case, repeats):
    X_train, X_test, y_train, y_test = case.data
    times = {"mlp": [], "ours": []}
    scores = {"mlp": [], "ours": []}
    for repeat in range(repeats):
        mlp, ours = make_estimators(case, seed=repeat)
        pair = [("mlp", mlp), ("ours", ours)]
        for name, estimator in pair if repeat % 2 == 0 else pair[::-1]:
            times[name].append(_timed_fit(estimator, X_train, y_train))
            scores[name].append(_score(case, estimator, X_test, y_test))
            assert estimator.n_iter_ == case.epochs, (name, estimator.n_iter_)
    n_outputs = 1 if case.task == "regression" else ours.coefs_[-1].shape[1]
    floor = gemm_floor(case, X_train.shape[0], X_train.shape[1], n_outputs, X_train.dtype, repeats)
    mlp_s, ours_s = np.median(times["mlp"]), np.median(times["ours"])
    return {
        "case": case.name,
        "epochs": case.epochs,
        "mlp_s": mlp_s,
        "ours_s": ours_s,
        "ratio": mlp_s / ours_s,
        "goal": case.speedup_goal,
        "gemm_s": floor,
        "ours_over_gemm": ours_s / floor,
        "mlp_score": np.median(scores["mlp"]),
        "ours_score": np.median(scores["ours"]),
        "metric": "R²" if case.task == "regression" else "acc",
    }


def print_fit_table(rows):
    print("\n## Fit: median seconds per fit, side by side\n")
    print(
        "| case | epochs | MLP s | ours s | MLP/ours | goal | GEMM floor s | ours/GEMM "
        "| MLP score | ours score | Δ score |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        met = "met" if r["ratio"] >= r["goal"] else "NOT met"
        print(
            f"| {r['case']} | {r['epochs']} | {r['mlp_s']:.3f} | {r['ours_s']:.3f} "
            f"| **{r['ratio']:.2f}×** | ≥ {r['goal']}× ({met}) | {r['gemm_s']:.3f} "
            f"| {r['ours_over_gemm']:.2f}× | {r['metric']} {r['mlp_score']:.4f} "
            f"| {r['ours_score']:.4f} | {r['ours_score'] - r['mlp_score']:+.4f} |"
        )


def _median_call_time(function, min_seconds):
    """Median time of one call, over batches of calls lasting about min_seconds/10."""
    function()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < min_seconds / 10:
        function()
        calls += 1
    per_batch = max(calls, 1)
    samples = []
    for _ in range(10):
        start = time.perf_counter()
        for _ in range(per_batch):
            function()
        samples.append((time.perf_counter() - start) / per_batch)
    return float(np.median(samples))


def bench_predict(case, n_rows, min_seconds):
    """Median predict time for one row and for n_rows rows, alternating the estimators."""
    X_train, _, y_train, _ = case.data
    fitted = make_estimators(case, seed=0)
    for estimator in fitted:
        estimator.fit(X_train, y_train)
    rng = np.random.RandomState(0)
    rows = {1: X_train[:1], n_rows: X_train[rng.randint(X_train.shape[0], size=n_rows)]}
    results = []
    for n, X in rows.items():
        times = {"mlp": [], "ours": []}
        for repeat in range(3):
            for name, estimator in zip(("mlp", "ours"), fitted):
                times[name].append(_median_call_time(lambda: estimator.predict(X), min_seconds / 6))
        results.append((n, np.median(times["mlp"]), np.median(times["ours"])))
    return results


def bench_memory(case):
    """Peak traced memory (numpy's allocations included) during one fit of each."""
    X_train, _, y_train, _ = case.data
    peaks = {}
    for name, estimator in zip(("mlp", "ours"), make_estimators(case, seed=0)):
        estimator.set_params(**{"max_iter" if name == "mlp" else "epochs": 2}, n_iter_no_change=3)
        tracemalloc.start()
        estimator.fit(X_train, y_train)
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peaks


def bench_scaling(case, sizes, repeats):
    """Seconds per epoch of our fit for growing numbers of rows, with per-row cost."""
    rng = np.random.RandomState(0)
    n_features = case.data[0].shape[1]
    results = []
    for n in sizes:
        X = rng.normal(size=(n, n_features)).astype(case.data[0].dtype)
        y = X[:, 0] - X[:, 1] * X[:, 2]
        ours = make_estimators(case, seed=0)[1].set_params(epochs=2, n_iter_no_change=3)
        times = [_timed_fit(ours, X, y) / 2 for _ in range(repeats)]
        results.append((n, float(np.median(times))))
    return results


def bench_threads(case, repeats):
    """Median seconds to fit two of our models one after the other, and in two threads.

    The compiled step releases the GIL for a whole epoch, so two threads can
    train at once; with one BLAS thread each, two cores give up to 2×.
    """
    X_train, _, y_train, _ = case.data
    sequential, threaded = [], []
    for repeat in range(repeats):
        pair = [make_estimators(case, seed=repeat + i)[1] for i in range(2)]
        start = time.perf_counter()
        for estimator in pair:
            estimator.fit(X_train, y_train)
        sequential.append(time.perf_counter() - start)
        threads = [threading.Thread(target=e.fit, args=(X_train, y_train)) for e in pair]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        threaded.append(time.perf_counter() - start)
    return float(np.median(sequential)), float(np.median(threaded))


def describe_environment():
    print(describe())
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run on small data")
    parser.add_argument("--repeats", type=int, default=None, help="fits per estimator and case")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit the BLAS to this many threads, for both estimators (default: BLAS's own)",
    )
    parser.add_argument(
        "--only", default=None, help="run only the fit cases whose name has this, and nothing else"
    )
    args = parser.parse_args(argv)
    with threadpool_limits(args.blas_threads, user_api="blas"):
        return run(args)


def run(args):
    repeats = args.repeats or (1 if args.quick else 5)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    describe_environment()
    cases = [case for case in make_cases(args.quick) if args.only is None or args.only in case.name]
    rows = []
    for case in cases:
        rows.append(bench_case(case, repeats))
        print(f"  done: {case.name}", flush=True)
    print_fit_table(rows)
    if args.only is not None:
        return rows

    first = cases[0]
    n_predict = 1_000 if args.quick else 100_000
    print("\n## Predict: median seconds per call\n")
    print("| rows | MLP | ours | MLP/ours |")
    print("|---:|---:|---:|---:|")
    for n, mlp_s, ours_s in bench_predict(first, n_predict, 0.3 if args.quick else 3.0):
        print(f"| {n} | {mlp_s * 1e6:.1f} µs | {ours_s * 1e6:.1f} µs | {mlp_s / ours_s:.2f}× |")

    print(f"\n## Peak traced memory during a 2-epoch fit ({first.name})\n")
    peaks = bench_memory(first)
    print("| MLP | ours | ours/MLP |")
    print("|---:|---:|---:|")
    print(
        f"| {peaks['mlp'] / 2**20:.2f} MiB | {peaks['ours'] / 2**20:.2f} MiB "
        f"| {peaks['ours'] / peaks['mlp']:.2f} |"
    )

    print("\n## Two of our fits: one after the other, and in two threads\n")
    print("| case | sequential s | two threads s | sequential / threads |")
    print("|---|---:|---:|---:|")
    for case in cases:
        sequential_s, threaded_s = bench_threads(case, repeats)
        print(
            f"| {case.name} | {sequential_s:.3f} | {threaded_s:.3f} "
            f"| {sequential_s / threaded_s:.2f}× |"
        )

    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
    print(f"\n## Our seconds per epoch against rows ({first.name.split(',', 1)[1].strip()})\n")
    print("| rows | s / epoch | µs / row |")
    print("|---:|---:|---:|")
    for n, seconds in bench_scaling(first, sizes, 1 if args.quick else 3):
        print(f"| {n} | {seconds:.3f} | {seconds / n * 1e6:.2f} |")
    return rows


if __name__ == "__main__":
    main()
