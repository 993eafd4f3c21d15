"""The workers' memory during a cluster fit: how far one worker's peak resident
set rose during an lbfgs fit on a persisted 1,000,000 x 20 float64 dask array
(153 MiB, ten blocks), above its peak before the fit. A LocalCluster of one
single-threaded worker process on 127.0.0.1; needs the ``dask`` extra, Linux.

    python benchmarks/dask_worker_memory.py
"""

import resource
import warnings

import dask.array as da
from distributed import Client, LocalCluster

from sklearn_sigmoidnet import SigmoidNetRegressor


def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss():
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def main():
    cluster = dict(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                   dashboard_address=None)  # fmt: skip
    with LocalCluster(**cluster) as c, Client(c) as client:
        X = da.random.RandomState(0).standard_normal((1_000_000, 20), chunks=(100_000, 20))
        X = X.persist()
        y = (X[:, 0] + X[:, 1] ** 2).persist()
        before = next(iter(client.run(peak).values()))
        now = next(iter(client.run(rss).values()))
        SigmoidNetRegressor((32,), solver="lbfgs", epochs=3, early_stopping=False).fit(X, y)
        after = next(iter(client.run(peak).values()))
        print(f"worker RSS before fit {now:.0f} MiB (peak {before:.0f}), peak during fit "
              f"{after:.0f} MiB: +{after - before:.0f} MiB above the earlier peak; "
              f"X is {X.nbytes / 2**20:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    main()
