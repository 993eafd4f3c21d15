"""How far the client's memory rises during fits on dask data that it never held.

The rows are made on the workers (``dask.array.random``), so the client's
resident memory can only grow by what the fit itself brings back. Each fit's
growth above the client's level at its start is printed (``bench_dask.py``'s
``ClientGrowth``) next to one partition's size: a fit is to keep below three.

    python benchmarks/dask_client_memory.py [--rows 4000000 --blocks 20 --workers 1]
"""

import argparse
import warnings

import dask.array as da
from bench_dask import ClientGrowth, peak_mb
from distributed import Client, LocalCluster

from sklearn_sigmoidnet import SigmoidNetRegressor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster):  # fmt: skip
        rows = args.rows // args.blocks
        X = da.random.normal(size=(args.rows, 20), chunks=(rows, 20)).persist()
        y = (da.sin(X[:, 0]) + X[:, 1]).persist()
        print(f"one partition's rows: {rows * 21 * 8 / 2**20:.1f} MB; client RSS at the start "
              f"{peak_mb('VmRSS'):.0f} MB")  # fmt: skip
        for solver in ("lbfgs", "lbfgs", "adam"):
            with ClientGrowth() as growth:
                SigmoidNetRegressor(solver=solver, epochs=2, early_stopping=False,
                                    random_state=0).fit(X, y)  # fmt: skip
            print(f"{solver} fit: the client grew by {growth.mb:.1f} MB")


if __name__ == "__main__":
    main()
