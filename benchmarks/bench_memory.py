"""Memory of a fit: the peak of the memory traced during ``fit`` and the growth
of the process's resident set, for ours, scikit-learn's MLP and
HistGradientBoosting, side by side.

Each fit runs in a fresh interpreter of its own, after the data are made, so
that nothing of one fit stays behind for the next. ``tracemalloc`` sees
numpy's allocations; the resident set's growth is the peak (``ru_maxrss``)
minus the resident set just before ``fit``. The peak of a fit comes in its
first epoch (the encodings, the split, the buffers), so the fits run a few
epochs (iterations) only, with every other setting at its default.

    python benchmarks/bench_memory.py                 # 1,000,000 x 20 floats, and a raw frame
    python benchmarks/bench_memory.py --rows 200000   # smaller
"""

import argparse
import json
import subprocess
import sys

from machine import describe

CHILD = r"""
import json, resource, sys, tracemalloc
import numpy as np, pandas as pd
from threadpoolctl import threadpool_limits

kind, model, rows, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = np.random.RandomState(0)
if kind == "array":
    X = rng.standard_normal((rows, 20))
    y = X[:, :5].sum(axis=1) + np.sin(X[:, 5]) + 0.1 * rng.standard_normal(rows)
    size = X.nbytes
else:  # 5 numeric columns (NaN in one) and 5 categorical ones
    numeric = rng.standard_normal((rows, 5))
    numeric[rng.rand(rows) < 0.1, 0] = np.nan
    frame = pd.DataFrame(numeric, columns=[f"x{j}" for j in range(5)])
    for j in range(5):
        frame[f"c{j}"] = pd.Categorical.from_codes(rng.randint(0, 20, rows),
                                                   [f"level{k}" for k in range(20)])
    X = frame
    y = np.nan_to_num(numeric[:, 1]) + (frame["c0"].cat.codes % 3) + 0.1 * rng.standard_normal(rows)
    size = numeric.nbytes + sum(frame[f"c{j}"].cat.codes.to_numpy().nbytes for j in range(5))
if model == "ours":
    from sklearn_sigmoidnet import SigmoidNetRegressor
    estimator = SigmoidNetRegressor(epochs=epochs, random_state=0)
elif model == "mlp":
    from sklearn.neural_network import MLPRegressor
    estimator = MLPRegressor(max_iter=epochs, early_stopping=True, random_state=0)
else:
    from sklearn.ensemble import HistGradientBoostingRegressor
    estimator = HistGradientBoostingRegressor(max_iter=epochs, random_state=0,
                                              categorical_features="from_dtype")
import warnings
warnings.simplefilter("ignore")
with threadpool_limits(1):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_now = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() // 1024
    tracemalloc.start()
    estimator.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"size": size, "peak": peak, "rss_growth_kb": after - max(before, rss_now)}))
"""

MODELS = {"array": ["ours", "mlp", "hgb"], "frame": ["ours", "hgb"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=2, help="epochs (iterations) of each fit")
    parser.add_argument("--kinds", nargs="+", default=["array", "frame"], choices=list(MODELS))
    args = parser.parse_args(argv)
    print(describe())
    print(f"{args.rows} rows; each fit {args.epochs} epochs (iterations), one BLAS thread")
    header = ["data MiB", "peak MiB", "× data", "RSS growth MiB"]
    print(f"{'data':7} {'model':5} " + " ".join(f"{name:>9}" for name in header))
    rows = []
    for kind in args.kinds:
        for model in MODELS[kind]:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, kind, model, str(args.rows), str(args.epochs)],
                capture_output=True, text=True, check=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            mib = 2**20
            print(f"{kind:7} {model:5} {result['size'] / mib:9.1f} {result['peak'] / mib:9.1f} "
                  f"{result['peak'] / result['size']:9.2f} {result['rss_growth_kb'] / 1024:9.1f}")
            rows.append({"kind": kind, "model": model, **result})
    return rows


if __name__ == "__main__":
    main()
