"""Data-parallel training on dask against the same fit in process.

The same rows and settings, in this process, on a ``LocalCluster`` of 1 worker
process and of 2 (single-threaded, 127.0.0.1 only), the configurations
interleaved per repeat; for sgd/adam also dask-ml's ``Incremental`` on 2
workers. Reports, per configuration:

- lbfgs: seconds per iteration, and the final loss against the in-process one;
- adam: seconds to reach the in-process model's held-out R² − 0.005;
- the workers' busy share during training (task compute time over the span
  of the fit's tasks × workers, from the scheduler's task stream), and for adam
  the share spent waiting at a round's end for a slower worker;
- bytes sent per lbfgs evaluation (θ to every worker, the cross-worker sums and
  the result: counted from the tree, not sniffed from the network);
- the client's and the workers' peak resident memory.

Then a projection to 16 and 64 workers from the measured compute/overhead split.

    python benchmarks/bench_dask.py --rows 2000000 --blocks 40
"""

import argparse
import math
import time
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, get_task_stream, wait
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from sklearn_sigmoidnet import SigmoidNetRegressor

warnings.simplefilter("ignore", ConvergenceWarning)


def make_data(rows, columns, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, columns))
    y = (
        np.sin(X[:, 0])
        + 0.5 * X[:, 1] * X[:, 2]
        + 0.3 * X[:, 3:8].sum(1)
        + 0.05 * rng.normal(size=rows)
    )
    return X, y


def peak_mb(field="VmHWM"):
    """This process's peak resident memory (VmHWM; or another field, VmRSS), in MB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field))
    return int(line.split()[1]) / 1024


class ClientGrowth:
    """How far the client's resident memory rose above its level at the start
    (Linux: the peak is reset through /proc/self/clear_refs), in MB."""

    def __enter__(self):
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        self.start = peak_mb("VmRSS")
        return self

    def __exit__(self, *exc_info):
        self.mb = peak_mb() - self.start


def computes(tasks):
    """(start, stop, worker) of every compute of ``tasks`` in a task stream."""
    return [
        (part["start"], part["stop"], task["worker"])
        for task in tasks
        for part in task["startstops"]
        if part["action"] == "compute"
    ]


def busy_share(tasks, n_workers):
    """The workers' compute time in ``tasks`` over the span from the first one's
    start to the last one's end, times the workers; and that compute time."""
    spans = computes(tasks)
    compute = sum(stop - start for start, stop, _ in spans)
    wall = max(stop for _, stop, _ in spans) - min(start for start, _, _ in spans)
    return compute / (wall * n_workers), compute


def waiting_share(stream, n_workers):
    """The share of the workers' time, over the span of the local passes, spent
    waiting at the end of a round for a slower worker's passes of the same round:
    the round's passes are those that ended before its averaging task began."""
    passes = sorted(computes([t for t in stream if "_local_pass" in t["key"]]), key=lambda p: p[1])
    averagings = sorted(start for start, _, _ in computes(
        [t for t in stream if "_averaged" in t["key"]]))  # fmt: skip
    waited, done = 0.0, 0
    for begins in averagings:
        round_ = [p for p in passes[done:] if p[1] <= begins]
        done += len(round_)
        if round_:
            last = max(stop for _, stop, _ in round_)
            waited += sum(last - stop for _, stop, _ in round_)
    wall = max(p[1] for p in passes) - min(p[0] for p in passes)
    return waited / (wall * n_workers)


def time_to_target(model, target):
    """Seconds of training until the held-out score first reached ``target``."""
    elapsed = np.cumsum(model.history_["duration_s"])
    reached = np.flatnonzero(np.asarray(model.history_["valid_score"]) >= target)
    return float(elapsed[reached[0]]) if reached.size else math.inf


def run_cluster(n_workers, X, y, X_test, y_test, args, local):
    """lbfgs and adam on a fresh cluster of ``n_workers``; Incremental too on 2."""
    out = {}
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster) as client:  # fmt: skip
        dX = da.from_array(X, chunks=(len(X) // args.blocks, X.shape[1])).persist()
        dy = da.from_array(y, chunks=len(X) // args.blocks).persist()
        client.wait_for_workers(n_workers)
        # persist returns at once: unwaited, the upload of the rows made here runs
        # during the first fit, and its buffers count as that fit's client memory
        wait([dX, dy])
        lbfgs = SigmoidNetRegressor(args.units, solver="lbfgs", epochs=args.iterations,
                                    random_state=0)  # fmt: skip
        with get_task_stream(client) as stream, ClientGrowth() as growth:
            start = time.perf_counter()
            model = lbfgs.fit(dX, dy)
            wall = time.perf_counter() - start
        training = sum(model.history_["duration_s"])
        share, compute = busy_share(
            [t for t in stream.data if "_gradient_sums" in t["key"] or "_add" in t["key"]],
            n_workers,
        )
        theta_bytes = sum(W.size + b.size for W, b in zip(model.coefs_, model.intercepts_)) * 8
        # θ to each worker, one sum vector per worker crossing to another, the result
        sent = theta_bytes * n_workers + (theta_bytes + 8) * n_workers
        out["lbfgs"] = {
            "s_per_iter": training / model.n_iter_,
            "fit_s": wall,
            "loss": model.loss_,
            "rel_loss": abs(model.loss_ - local["lbfgs_loss"]) / local["lbfgs_loss"],
            "busy": share,
            # the compute in one iteration's time (the task stream also holds the
            # starting evaluation's, which no iteration's time holds)
            "compute_per_iter": training / model.n_iter_ * share * n_workers,
            "bytes_per_eval": sent,
            "client_growth_mb": growth.mb,
        }
        adam = SigmoidNetRegressor(args.units, solver="adam", epochs=args.epochs,
                                   batch_size=32, early_stopping=True, n_iter_no_change=np.inf,
                                   scoring=None, random_state=0)  # fmt: skip
        with get_task_stream(client) as stream, ClientGrowth() as growth:
            model = adam.fit(dX, dy, X_val=X_test, y_val=y_test)
        training = sum(model.history_["duration_s"])
        share, compute = busy_share([t for t in stream.data if "_local_pass" in t["key"]],
                                    n_workers)  # fmt: skip
        out["adam"] = {
            "to_target_s": time_to_target(model, local["target"]),
            "best": model.best_validation_score_,
            "s_per_epoch": training / model.n_iter_,
            "busy": share,
            "waiting": waiting_share(stream.data, n_workers),
            "us_per_row": compute / (len(X) * model.n_iter_) * 1e6,
            "client_growth_mb": growth.mb,
        }
        if n_workers == 2:
            out["incremental"] = run_incremental(dX, dy, X_test, y_test, args, local)
        out["worker_peak_mb"] = max(client.run(peak_mb).values())
    return out


def run_incremental(dX, dy, X_test, y_test, args, local):
    from dask_ml.wrappers import Incremental

    net = SigmoidNetRegressor(args.units, solver="adam", batch_size=32, random_state=0)
    inc = Incremental(net, scoring="neg_mean_squared_error", shuffle_blocks=True, random_state=0)
    elapsed, reached, best = 0.0, math.inf, -math.inf
    for _ in range(args.epochs):
        start = time.perf_counter()
        inc.partial_fit(dX, dy)
        elapsed += time.perf_counter() - start
        score = r2_score(y_test, inc.estimator_.predict(X_test))
        best = max(best, score)
        if score >= local["target"] and not math.isfinite(reached):
            reached = elapsed
    return {"to_target_s": reached, "best": best, "s_per_epoch": elapsed / args.epochs}


def run_local(X, y, X_test, y_test, args):
    start = time.perf_counter()
    model = SigmoidNetRegressor(args.units, solver="lbfgs", epochs=args.iterations,
                                random_state=0).fit(X, y)  # fmt: skip
    lbfgs_s = (time.perf_counter() - start, sum(model.history_["duration_s"]) / model.n_iter_)
    lbfgs_loss = model.loss_
    model = SigmoidNetRegressor(args.units, solver="adam", epochs=args.epochs, batch_size=32,
                                early_stopping=True, n_iter_no_change=np.inf, scoring=None,
                                random_state=0)  # fmt: skip
    model.fit(X, y, X_val=X_test, y_val=y_test)
    target = model.best_validation_score_ - 0.005
    return {
        "lbfgs_loss": lbfgs_loss,
        "lbfgs": {"s_per_iter": lbfgs_s[1], "fit_s": lbfgs_s[0]},
        "target": target,
        "adam": {
            "to_target_s": time_to_target(model, target),
            "best": model.best_validation_score_,
            "s_per_epoch": sum(model.history_["duration_s"]) / model.n_iter_,
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--units", type=int, nargs="+", default=[100])
    parser.add_argument("--iterations", type=int, default=10, help="lbfgs iterations")
    parser.add_argument("--epochs", type=int, default=5, help="adam epochs")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    args.units = tuple(args.units)
    X, y = make_data(args.rows, args.columns)
    X_test, y_test = make_data(20_000, args.columns, seed=1)
    with open("/proc/loadavg") as f:
        print(f"load before: {f.read().split()[:3]}")
    for repeat in range(args.repeats):  # in process, 1 worker, 2 workers, interleaved
        local = run_local(X, y, X_test, y_test, args)
        results = {"in-process": local, 1: None, 2: None}
        for n in (1, 2):
            results[n] = run_cluster(n, X, y, X_test, y_test, args, local)
        report(results, args, repeat)
    print(f"client peak RSS: {peak_mb():.0f} MB (holds X itself: the benchmark made it here)")
    partition_mb = args.rows / args.blocks * (args.columns + 1) * 8 / 2**20
    print(f"one partition's rows (X and y, float64): {partition_mb:.1f} MB; the client's "
          f"growth during a fit is to stay below three: {3 * partition_mb:.1f} MB")  # fmt: skip
    with open("/proc/loadavg") as f:
        print(f"load after: {f.read().split()[:3]}")


def report(results, args, repeat):
    local, one, two = results["in-process"], results[1], results[2]
    print(f"\n## repeat {repeat}: {args.rows:,} x {args.columns}, {args.blocks} blocks, "
          f"{args.units} units; lbfgs {args.iterations} iterations, adam {args.epochs} epochs, "
          f"batch 32; target held-out R² {local['target']:.4f}")  # fmt: skip
    print("| | in process | 1 worker | 2 workers | Incremental, 2 workers |")
    print("|---|---|---|---|---|")
    row = lambda name, values: print(f"| {name} | " + " | ".join(values) + " |")  # noqa: E731
    row("lbfgs s / iteration", [f"{r['lbfgs']['s_per_iter']:.3f}" for r in (local, one, two)]
        + ["–"])  # fmt: skip
    row("lbfgs loss, relative to in process", ["0"] + [f"{r['lbfgs']['rel_loss']:.1e}"
                                                       for r in (one, two)] + ["–"])  # fmt: skip
    row("lbfgs busy share", ["–"] + [f"{r['lbfgs']['busy']:.0%}" for r in (one, two)] + ["–"])
    row("lbfgs bytes sent / evaluation", ["–"] + [f"{r['lbfgs']['bytes_per_eval']:,}"
                                                  for r in (one, two)] + ["–"])  # fmt: skip
    inc = two["incremental"]
    row("adam s to target", [f"{r['adam']['to_target_s']:.2f}" for r in (local, one, two)]
        + [f"{inc['to_target_s']:.2f}"])  # fmt: skip
    row("adam best held-out R²", [f"{r['adam']['best']:.4f}" for r in (local, one, two)]
        + [f"{inc['best']:.4f}"])  # fmt: skip
    row("adam s / epoch", [f"{r['adam']['s_per_epoch']:.2f}" for r in (local, one, two)]
        + [f"{inc['s_per_epoch']:.2f}"])  # fmt: skip
    row("adam busy share", ["–"] + [f"{r['adam']['busy']:.0%}" for r in (one, two)] + ["–"])
    # of the rest: waiting for a slower worker's passes of the same rows at a round's end
    row("adam share waiting for a slower worker", ["–"] + [
        f"{r['adam']['waiting']:.0%}" for r in (one, two)] + ["–"])  # fmt: skip
    # the same steps on the same rows: more µs per row on 2 workers means that the two
    # processes did not get two cores' worth of the machine
    row("adam task compute, µs / row", ["–"] + [f"{r['adam']['us_per_row']:.3f}"
                                                for r in (one, two)] + ["–"])  # fmt: skip
    row("lbfgs task compute / iteration, s", ["–"] + [
        f"{r['lbfgs']['compute_per_iter']:.3f}" for r in (one, two)] + ["–"])  # fmt: skip
    row("client RSS growth in lbfgs fit, MB", ["–"] + [
        f"{r['lbfgs']['client_growth_mb']:.0f}" for r in (one, two)] + ["–"])  # fmt: skip
    row("client RSS growth in adam fit, MB", ["–"] + [
        f"{r['adam']['client_growth_mb']:.0f}" for r in (one, two)] + ["–"])  # fmt: skip
    row("worker peak RSS, MB", ["–"] + [f"{r['worker_peak_mb']:.0f}" for r in (one, two)]
        + ["(same cluster)"])  # fmt: skip
    t1, t2 = one["lbfgs"]["s_per_iter"], two["lbfgs"]["s_per_iter"]
    lbfgs_up = t1 / t2
    adam_up = one["adam"]["to_target_s"] / two["adam"]["to_target_s"]
    print(f"\nlbfgs speed-up 2 vs 1 worker: {lbfgs_up:.2f}x; adam time to target 1 vs 2 "
          f"workers: {adam_up:.2f}x")  # fmt: skip
    # the same work took each of 2 worker processes more (or less) compute than 1 process
    # when the machine gave them less (more) than two cores' worth: the speed-ups at equal
    # compute per row, the figure that the code, not the machine's mood, decides
    lbfgs_cost = two["lbfgs"]["compute_per_iter"] / one["lbfgs"]["compute_per_iter"]
    adam_cost = two["adam"]["us_per_row"] / one["adam"]["us_per_row"]
    print(f"compute per row, 2 workers over 1: lbfgs {lbfgs_cost:.2f}, adam {adam_cost:.2f}; "
          f"speed-ups at equal compute per row: lbfgs {lbfgs_up * lbfgs_cost:.2f}x, adam "
          f"{adam_up * adam_cost:.2f}x")  # fmt: skip
    # T(n) = C / n + o log2 n: C the summed compute of one iteration (1 worker), o what
    # does not shrink with n (scheduling, θ out, sums back, scipy on the client): the
    # time per iteration that a worker of the 2-worker run waited, t2 × (1 − busy share),
    # paid again at each level of the reduction tree (log2 n levels). Measured as idle
    # time, not as t2 − C / 2, which two runs' noise can make negative.
    compute = one["lbfgs"]["compute_per_iter"]
    overhead = t2 * max(1 - two["lbfgs"]["busy"], 0.0)
    print(f"lbfgs compute per iteration (1 worker) C = {compute:.3f} s; idle per iteration "
          f"and worker on 2 workers o = {overhead:.3f} s")  # fmt: skip
    for n in (16, 64):
        projected = compute / n + overhead * math.log2(n)
        print(f"projected lbfgs s / iteration on {n} workers: {projected:.3f} "
              f"(speed-up {t1 / projected:.1f}x over 1 worker)")  # fmt: skip


if __name__ == "__main__":
    main()
