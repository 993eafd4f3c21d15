"""What a sparse X costs: fits of the same values dense and as CSR, side by side.

A sparse X trains with the numpy network, centred implicitly (``_sparse.py``);
a dense one with the compiled step. The fits alternate, one BLAS thread, and
the medians of the repeats and the ratio CSR / dense are printed, with the
largest difference of their predictions.

    python benchmarks/bench_sparse.py
    python benchmarks/bench_sparse.py --repeat 7
"""

import argparse
import time
import warnings

import numpy as np
from machine import describe
from scipy import sparse
from threadpoolctl import threadpool_limits

from sklearn_sigmoidnet import SigmoidNetRegressor

# (rows, columns, share of the values that are not 0, batch size)
WORKLOADS = [(20_000, 20, 0.3, 200), (5_000, 500, 0.05, 32)]


def data(rows, columns, density):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((rows, columns)) * (rng.uniform(size=(rows, columns)) < density)
    X[:, 0] += 2 * (X[:, 0] != 0)  # a column of mean far from 0: its centring matters
    y = np.tanh(X[:, :5].sum(axis=1)) + 0.1 * rng.standard_normal(rows)
    return X, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    for rows, columns, density, batch in WORKLOADS:
        X, y = data(rows, columns, density)
        given = {"dense": X, "CSR": sparse.csr_matrix(X)}
        times = {name: [] for name in given}
        predictions = {}
        for _ in range(args.repeat):
            for name, values in given.items():
                net = SigmoidNetRegressor(
                    (64,), batch_size=batch, epochs=args.epochs, random_state=0,
                    early_stopping=False,
                )  # fmt: skip
                with threadpool_limits(1), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    net.fit(values, y)
                    times[name].append(time.perf_counter() - start)
                predictions[name] = net.predict(values)
        dense, csr = (float(np.median(times[name])) for name in given)
        gap = np.abs(predictions["CSR"] - predictions["dense"]).max()
        print(
            f"{rows:,} x {columns}, {density:.0%} non-zero, batch {batch}, {args.epochs} epochs: "
            f"dense {dense:.2f} s, CSR {csr:.2f} s, CSR / dense {csr / dense:.2f}; "
            f"predictions differ by {gap:.1e} at most"
        )


if __name__ == "__main__":
    main()
