"""What reading a table costs: fit's checks and encodings of X, before training.

Times ``check_fit_input`` (X checked, its column kinds, statistics and
categories learnt, the network's input made) for the same 100,000 x 50 values
as a numpy array, a pandas frame, a polars frame and a pyarrow Table, with
five of the 50 columns categorical in the frames ("mixed"), or all numeric
("numeric"). Prints the median of the repeats and each container's ratio to
pandas. Run it under two builds to compare them on the numpy array:

    python benchmarks/bench_tables.py
    python benchmarks/bench_tables.py --json out.json --repeat 9
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
from machine import describe

from sklearn_sigmoidnet import SigmoidNetRegressor
from sklearn_sigmoidnet._fit_input import check_fit_input


def tables(rows, columns, categorical):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((rows, columns))
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(columns)])
    for j in range(categorical):
        frame[f"x{j}"] = pd.Categorical.from_codes(rng.randint(0, 20, rows),
                                                   [f"level{k}" for k in range(20)])  # fmt: skip
    made = {"pandas": frame}
    try:
        import polars as pl
        import pyarrow as pa

        made["polars"] = pl.from_pandas(frame)
        made["pyarrow"] = pa.Table.from_pandas(frame, preserve_index=False)
    except ImportError:
        pass
    if not categorical:
        made["numpy"] = X
    return made, X[:, -1] + rng.standard_normal(rows)


def median_seconds(X, y, repeat):
    """The median time, or None where this build refuses the container."""
    try:
        check_fit_input(SigmoidNetRegressor(), X, y, None, continuing=False, incremental=False)
    except (TypeError, ValueError):
        return None
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check_fit_input(SigmoidNetRegressor(), X, y, None, continuing=False, incremental=False)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", help="write the medians here")
    args = parser.parse_args()
    print(describe())
    results = {}
    for layout, categorical in [("numeric", 0), ("mixed", 5)]:
        made, y = tables(args.rows, args.columns, categorical)
        seconds = {name: median_seconds(X, y, args.repeat) for name, X in made.items()}
        results[layout] = seconds
        print(f"\n{layout}: {args.rows:,} x {args.columns}, {categorical} categorical columns")
        for name, value in seconds.items():
            if value is None:
                print(f"  {name:8s}   refused")
            else:
                ratio = value / seconds["pandas"]
                print(f"  {name:8s} {value * 1e3:8.1f} ms   {ratio:5.2f}x pandas")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file)


if __name__ == "__main__":
    main()
