"""Data-parallel training on dask against the same fit in process.

The same rows and settings, in this process and on a ``LocalCluster`` of each
number of ``--workers`` (single-threaded worker processes, 127.0.0.1 only),
the configurations interleaved per repeat; for adam also dask-ml's
``Incremental`` on 2 workers. Reports, per configuration:

- lbfgs: seconds per iteration, the final loss against the in-process one,
  and where an iteration's time goes (from the fit's DEBUG records of
  ``sklearn_sigmoidnet.dask``, one per call on the workers' shards): the
  slowest shard's compute, a shard's CPU time in it and its time off a core
  (the thread ready but not running), the wait for it by the others (imbalance), the
  communication (each call's round trip less its slowest shard's compute)
  and the client's own time (scipy's step and the training loop: the
  iteration's time less its calls' round trips). The overhead is the
  communication and the client's time: what does not shrink with more workers;
- adam: seconds to reach the in-process model's held-out R² − 0.005, and the
  same breakdown per epoch (a call per round of local passes);
- bytes sent per lbfgs evaluation (θ to every shard, a sum back from each:
  counted from the calls, not sniffed from the network);
- the client's and the workers' peak resident memory.

Then, on every cluster, an evaluation's call on shards without partitions (no
compute), 300 times: its round trip and the client process's CPU per call; and
a projection to 16 and 64 workers, at ``--rows`` and at ``--project-rows``:
T(n) = C / n + o(1) + k c (n - 1), C the compute of one iteration on 1 worker
(scaled by rows), o(1) the overhead measured on 1 worker, k the calls per
iteration and c the client's CPU per shard and call (the slope of the idle
calls' CPU over the clusters' sizes): the client sends θ to, and takes a sum
from, every shard in turn. A third cluster size (``--workers 1 2 4``) checks
the model's overhead against the measured one. With ``--tree``, lbfgs is
fitted again on every cluster of 2 or more with its shards called in groups
(forced from 2 shards): the 2-worker pair gives the hop's cost h, and the
projection in groups of about √n, T(n) = C / n + o(1) + k (c (m - 1) + h +
c (g - 1)) for m groups of g, is printed beside the flat one.

    python benchmarks/bench_dask.py --rows 2000000 --blocks 40
    python benchmarks/bench_dask.py --rows 1000000 --units 32 --iterations 15 --epochs 0 \
        --repeats 3 --via scheduler direct --tree
"""

import argparse
import logging
import math
import time
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, wait
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from sklearn_sigmoidnet import SigmoidNetRegressor
from sklearn_sigmoidnet._dask import _data
from sklearn_sigmoidnet._dask._client import gather
from sklearn_sigmoidnet._dask._shards import Shard, request
from sklearn_sigmoidnet._engines import Objective

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


class Calls(logging.Handler):
    """The fit's calls on the shards, as ``ClusterData.on_shards`` logs them."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        logger = logging.getLogger("sklearn_sigmoidnet.dask")
        self.level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc_info):
        logger = logging.getLogger("sklearn_sigmoidnet.dask")
        logger.removeHandler(self)
        logger.setLevel(self.level)

    def of(self, method):
        return [record for record in self.records if record.method == method]


def breakdown(calls, wall, n_steps):
    """Per step (an lbfgs iteration, an adam epoch) of ``wall`` seconds in all:
    the slowest shard's compute, a shard's mean CPU time in it and its time
    off a core (waiting for one while it computed), the others' wait for the
    slowest, the communication, the client's own time, and their overhead
    (communication + client)."""
    slowest = sum(max(c.computed_s) for c in calls)
    mean = sum(np.mean(c.computed_s) for c in calls)
    cpu = sum(np.mean(c.cpu_s) for c in calls)
    round_trips = sum(c.round_trip_s for c in calls)
    out = {
        "calls": len(calls) / n_steps,
        "compute": slowest / n_steps,
        "compute_cpu": cpu / n_steps,
        "off_core": (mean - cpu) / n_steps,
        "imbalance": (slowest - mean) / n_steps,
        "communication": (round_trips - slowest) / n_steps,
        "client": (wall - round_trips) / n_steps,
    }
    out["overhead"] = out["communication"] + out["client"]
    return out


def idle_calls(client, theta_size, n_calls=300):
    """An evaluation's call on a shard on every worker, ``n_calls`` times, as the
    fit makes it (``Shard.call``, θ of ``theta_size``) but on shards without
    partitions: the median round trip, and the client process's CPU per call
    (its threads, and a LocalCluster's scheduler: what the client spends on the
    messages to and from every shard, in turn)."""
    shards = client.gather([client.submit(Shard, [], [], actor=True, workers=[w], pure=False)
                            for w in sorted(client.nthreads())])  # fmt: skip
    layout = ((20, 32, 1), ("sigmoid",), "identity", "float64", 0, 1)
    call = request("gradient_sums", np.ones(theta_size), layout, Objective("squared_error"),
                   "auto", True)  # fmt: skip
    times = []
    for _ in range(20):  # connections made, code warm
        gather(client, [shard.call(call) for shard in shards])
    cpu = time.process_time()
    for _ in range(n_calls):
        start = time.perf_counter()
        gather(client, [shard.call(call) for shard in shards])
        times.append(time.perf_counter() - start)
    return float(np.median(times)), (time.process_time() - cpu) / n_calls


def time_to_target(model, target):
    """Seconds of training until the held-out score first reached ``target``."""
    elapsed = np.cumsum(model.history_["duration_s"])
    reached = np.flatnonzero(np.asarray(model.history_["valid_score"]) >= target)
    return float(elapsed[reached[0]]) if reached.size else math.inf


def run_cluster(n_workers, X, y, X_test, y_test, args, local, direct):
    """lbfgs and adam on a fresh cluster of ``n_workers``, the client calling the
    workers ``direct``ly or through the scheduler; Incremental too on 2."""
    out = {}
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster, direct_to_workers=direct) as client:  # fmt: skip
        dX = da.from_array(X, chunks=(len(X) // args.blocks, X.shape[1])).persist()
        dy = da.from_array(y, chunks=len(X) // args.blocks).persist()
        client.wait_for_workers(n_workers)
        # persist returns at once: unwaited, the upload of the rows made here runs
        # during the first fit, and its buffers count as that fit's client memory
        wait([dX, dy])
        lbfgs = SigmoidNetRegressor(args.units, solver="lbfgs", epochs=args.iterations,
                                    random_state=0)  # fmt: skip
        with Calls() as calls, ClientGrowth() as growth:
            start = time.perf_counter()
            model = lbfgs.fit(dX, dy)
            wall = time.perf_counter() - start
        training = sum(model.history_["duration_s"])
        # the first evaluation, at the starting weights, comes before the first iteration
        evaluations = calls.of("gradient_sums")[1:]
        theta_bytes = sum(W.size + b.size for W, b in zip(model.coefs_, model.intercepts_)) * 8
        out["lbfgs"] = {
            "s_per_iter": training / model.n_iter_,
            "fit_s": wall,
            "loss": model.loss_,
            "rel_loss": abs(model.loss_ - local["lbfgs_loss"]) / local["lbfgs_loss"],
            # θ to each shard, a sum vector and the loss back from each
            "bytes_per_eval": theta_bytes * n_workers + (theta_bytes + 8) * n_workers,
            "client_growth_mb": growth.mb,
            **breakdown(evaluations, training, model.n_iter_),
        }
        if args.tree and n_workers > 1:  # the same fit with its shards called in groups
            groups_from, _data.GROUPS_FROM = _data.GROUPS_FROM, 2
            try:
                with Calls() as calls:
                    model = lbfgs.fit(dX, dy)
            finally:
                _data.GROUPS_FROM = groups_from
            training = sum(model.history_["duration_s"])
            out["lbfgs_tree"] = {
                "s_per_iter": training / model.n_iter_,
                "rel_loss": abs(model.loss_ - local["lbfgs_loss"]) / local["lbfgs_loss"],
                **breakdown(calls.of("gradient_sums")[1:], training, model.n_iter_),
            }
        if args.epochs:
            adam = SigmoidNetRegressor(args.units, solver="adam", epochs=args.epochs,
                                       batch_size=32, early_stopping=True,
                                       n_iter_no_change=np.inf, scoring=None,
                                       random_state=0)  # fmt: skip
            with Calls() as calls, ClientGrowth() as growth:
                model = adam.fit(dX, dy, X_val=X_test, y_val=y_test)
            training = sum(model.history_["duration_s"])
            rounds = calls.of("local_passes")
            out["adam"] = {
                "to_target_s": time_to_target(model, local["target"]),
                "best": model.best_validation_score_,
                "s_per_epoch": training / model.n_iter_,
                "rounds": len(rounds) / model.n_iter_,
                "us_per_row": sum(sum(r.computed_s) for r in rounds)
                / (len(X) * model.n_iter_) * 1e6,
                "client_growth_mb": growth.mb,
                **breakdown(rounds, training, model.n_iter_),
            }
            if n_workers == 2 and args.incremental:
                out["incremental"] = run_incremental(dX, dy, X_test, y_test, args, local)
        out["idle_round_trip"], out["idle_client_cpu"] = idle_calls(client, theta_bytes // 8)
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
    out = {"lbfgs_loss": model.loss_, "lbfgs": {"s_per_iter": lbfgs_s[1], "fit_s": lbfgs_s[0]}}
    if args.epochs:
        model = SigmoidNetRegressor(args.units, solver="adam", epochs=args.epochs,
                                    batch_size=32, early_stopping=True,
                                    n_iter_no_change=np.inf, scoring=None,
                                    random_state=0)  # fmt: skip
        model.fit(X, y, X_val=X_test, y_val=y_test)
        out["target"] = target = model.best_validation_score_ - 0.005
        out["adam"] = {
            "to_target_s": time_to_target(model, target),
            "best": model.best_validation_score_,
            "s_per_epoch": sum(model.history_["duration_s"]) / model.n_iter_,
        }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--units", type=int, nargs="+", default=[100])
    parser.add_argument("--iterations", type=int, default=10, help="lbfgs iterations")
    parser.add_argument("--epochs", type=int, default=5, help="adam epochs (0: no adam)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--project-rows", type=int, default=2_000_000,
                        help="rows of the projection to 16 and 64 workers, beside --rows")
    parser.add_argument("--no-incremental", dest="incremental", action="store_false")
    parser.add_argument("--tree", action="store_true",
                        help="on 2 workers and more, the lbfgs fit again with the shards "
                             "called in groups (a tree of calls, forced): the hop's cost")
    parser.add_argument("--via", nargs="+", choices=["scheduler", "direct"],
                        default=["scheduler"],
                        help="the client calls the workers through the scheduler (dask's "
                             "default) or directly (direct_to_workers=True); each in turn")
    args = parser.parse_args()
    args.units = tuple(args.units)
    X, y = make_data(args.rows, args.columns)
    X_test, y_test = make_data(20_000, args.columns, seed=1)
    with open("/proc/loadavg") as f:
        print(f"load before: {f.read().split()[:3]}")
    summary = []
    for repeat in range(args.repeats):  # in process, then each cluster, interleaved
        local = run_local(X, y, X_test, y_test, args)
        summary.append({})
        for via in args.via:
            results = {"in-process": local}
            for n in args.workers:
                results[n] = run_cluster(n, X, y, X_test, y_test, args, local, via == "direct")
            figures = report(results, args, repeat, via)
            summary[-1].update(
                {f"{key} ({via})" if len(args.via) > 1 else key: v for key, v in figures.items()}
            )
    if args.repeats > 1:
        print("\n## medians over the repeats")
        for key in summary[0]:
            print(f"{key}: {np.median([s[key] for s in summary]):.3f} "
                  f"({', '.join(f'{s[key]:.3f}' for s in summary)})")  # fmt: skip
    print(f"\nclient peak RSS: {peak_mb():.0f} MB (holds X itself: the benchmark made it here)")
    with open("/proc/loadavg") as f:
        print(f"load after: {f.read().split()[:3]}")


def report(results, args, repeat, via):
    local = results["in-process"]
    clusters = list(args.workers)
    print(f"\n## repeat {repeat}: {args.rows:,} x {args.columns}, {args.blocks} blocks, "
          f"{args.units} units; lbfgs {args.iterations} iterations, adam {args.epochs} epochs, "
          f"batch 32; client {'direct to workers' if via == 'direct' else 'through the scheduler'}")
    names = ["in process"] + [f"{n} worker{'s' * (n > 1)}" for n in clusters]
    incremental = "incremental" in results.get(2, {})
    print("| | " + " | ".join(names + ["Incremental, 2 workers"] * incremental) + " |")
    print("|---" * (len(names) + 1 + incremental) + "|")
    runs = [results[n] for n in clusters]

    def row(name, solver, key, form, in_process=False, inc=False):
        cells = [form.format(local[solver][key]) if in_process else "–"]
        cells += [form.format(r[solver][key]) for r in runs]
        if incremental:
            cells.append(form.format(results[2]["incremental"][key]) if inc else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")

    row("lbfgs s / iteration", "lbfgs", "s_per_iter", "{:.3f}", in_process=True)
    row("lbfgs loss, relative to in process", "lbfgs", "rel_loss", "{:.1e}")
    row("lbfgs evaluations / iteration", "lbfgs", "calls", "{:.2f}")
    row("lbfgs slowest shard's compute / iteration, s", "lbfgs", "compute", "{:.3f}")
    row("lbfgs a shard's CPU time / iteration, s", "lbfgs", "compute_cpu", "{:.3f}")
    for key, name in [("off_core", "a shard's time off a core while computing"),
                      ("imbalance", "wait for the slowest shard"),
                      ("communication", "communication"), ("client", "client's own time"),
                      ("overhead", "overhead (communication + client)")]:  # fmt: skip
        cells = ["–"] + [f"{1e3 * r['lbfgs'][key]:.1f}" for r in runs] + ["–"] * incremental
        print(f"| lbfgs {name} / iteration, ms | " + " | ".join(cells) + " |")
    for key, name in [("idle_round_trip", "a call on every shard, no compute: round trip"),
                      ("idle_client_cpu", "a call on every shard, no compute: client's CPU")]:
        cells = ["–"] + [f"{1e3 * r[key]:.2f}" for r in runs] + ["–"] * incremental
        print(f"| {name}, ms | " + " | ".join(cells) + " |")
    row("lbfgs bytes sent / evaluation", "lbfgs", "bytes_per_eval", "{:,}")
    if args.tree:
        for key, name, form in [("s_per_iter", "s / iteration", "{:.3f}"),
                                ("rel_loss", "loss, relative to in process", "{:.1e}")]:
            cells = ["–"] + [form.format(r["lbfgs_tree"][key]) if "lbfgs_tree" in r else "–"
                             for r in runs] + ["–"] * incremental  # fmt: skip
            print(f"| lbfgs in groups, {name} | " + " | ".join(cells) + " |")
        cells = ["–"] + [f"{1e3 * r['lbfgs_tree']['overhead']:.1f}" if "lbfgs_tree" in r
                         else "–" for r in runs] + ["–"] * incremental  # fmt: skip
        print("| lbfgs in groups, overhead / iteration, ms | " + " | ".join(cells) + " |")
    if args.epochs:
        row("adam s to target", "adam", "to_target_s", "{:.2f}", in_process=True, inc=True)
        row("adam best held-out R²", "adam", "best", "{:.4f}", in_process=True, inc=True)
        row("adam s / epoch", "adam", "s_per_epoch", "{:.3f}", in_process=True, inc=True)
        row("adam rounds / epoch", "adam", "rounds", "{:.1f}")
        row("adam shards' compute, µs / row", "adam", "us_per_row", "{:.3f}")
        parts = [("imbalance", "wait for the slowest shard"),
                 ("communication", "communication"), ("client", "client's own time")]  # fmt: skip
        for key, name in parts:
            cells = ["–"] + [f"{1e3 * r['adam'][key]:.1f}" for r in runs] + ["–"] * incremental
            print(f"| adam {name} / epoch, ms | " + " | ".join(cells) + " |")
    row("client RSS growth in lbfgs fit, MB", "lbfgs", "client_growth_mb", "{:.0f}")
    cells = ["–"] + [f"{r['worker_peak_mb']:.0f}" for r in runs] + ["(same cluster)"] * incremental
    print("| worker peak RSS, MB | " + " | ".join(cells) + " |")

    summary = {}
    one = results[clusters[0]]
    for n in clusters[1:]:
        other = results[n]
        summary[f"lbfgs speed-up {n} vs {clusters[0]}"] = (
            one["lbfgs"]["s_per_iter"] / other["lbfgs"]["s_per_iter"]
        )
        if args.epochs:
            summary[f"adam sooner {n} vs {clusters[0]}"] = (
                one["adam"]["to_target_s"] / other["adam"]["to_target_s"]
            )
        # more compute per row on n workers than on one: the machine did not give the
        # n processes n cores' worth; the speed-up at equal compute is the code's figure
        cost = other["lbfgs"]["compute"] * n / (one["lbfgs"]["compute"] * clusters[0])
        summary[f"lbfgs compute per row {n} / {clusters[0]}"] = cost
        # of CPU time: above 1, the workers computed slower (not only waited for a core)
        cpu = other["lbfgs"]["compute_cpu"] * n / (one["lbfgs"]["compute_cpu"] * clusters[0])
        summary[f"lbfgs CPU per row {n} / {clusters[0]}"] = cpu
    if args.epochs and incremental:
        summary["adam sooner than Incremental, 2 workers"] = (
            results[2]["incremental"]["to_target_s"] / results[2]["adam"]["to_target_s"]
        )
    for n in clusters:
        overhead_ms = 1e3 * results[n]["lbfgs"]["overhead"]
        summary[f"lbfgs overhead / iteration, {n} workers, ms"] = overhead_ms
        if "lbfgs_tree" in results[n]:
            overhead_ms = 1e3 * results[n]["lbfgs_tree"]["overhead"]
            summary[f"lbfgs in groups, overhead / iteration, {n} workers, ms"] = overhead_ms
    print()
    for key, value in summary.items():
        print(f"{key}: {value:.3f}")
    projection(results, clusters, args.rows, args.project_rows)
    return summary


def projection(results, clusters, rows, project_rows):
    """T(n) = C / n + o(n): C the compute of one iteration on 1 worker, scaled
    by rows; o(n) = o(1) + k c (n - 1) for flat calls, o(1) the overhead
    measured on 1 worker, k the calls per iteration and c what the client
    spends on one more shard in a call (it sends θ to, and takes a sum from,
    every shard in turn): the slope of the client's CPU per idle call over the
    clusters' sizes. The workers compute in parallel, and the rest of a call's
    latency does not grow with them. In m groups of g (the fit's from
    ``_data.GROUPS_FROM`` shards on), o(n) = o(1) + k (c (m - 1) + h + c (g - 1)):
    the client calls m leaders, the last passes the call on to g - 1 shards
    (at about the client's cost each), and the hop there and back costs h, the
    overhead of the 2-worker fit in one group less that of its flat fit, per
    call (``--tree``). Checked against the overhead measured on any cluster
    beyond the two smallest."""
    if len(clusters) < 2 or clusters[0] != 1:
        return
    one = results[1]["lbfgs"]
    cpu = [results[n]["idle_client_cpu"] for n in clusters]
    per_shard = max(np.polyfit(clusters, cpu, 1)[0], 0.0)
    calls, o1 = one["calls"], one["overhead"]
    flat = lambda n: o1 + calls * per_shard * (n - 1)  # noqa: E731
    print(f"lbfgs overhead o(n) = {1e3 * o1:.1f} ms + {calls:.2f} calls x "
          f"{1e3 * per_shard:.2f} ms a shard x (n - 1)")  # fmt: skip
    models = {"flat": flat}
    if "lbfgs_tree" in results[clusters[1]]:
        pair = results[clusters[1]]
        hop = max((pair["lbfgs_tree"]["overhead"] - pair["lbfgs"]["overhead"]) / calls, 0.0)

        def grouped(n, size=None):
            size = size or max(2, math.isqrt(n))
            return o1 + calls * (per_shard * (math.ceil(n / size) - 1) + hop
                                 + per_shard * (size - 1))  # fmt: skip

        models["in groups of about √n"] = grouped
        print(f"in groups: + h = {1e3 * hop:.2f} ms a call (the hop), measured on "
              f"{clusters[1]} workers")  # fmt: skip
    for n in clusters[2:]:
        print(f"  check on {n} workers: overhead measured "
              f"{1e3 * results[n]['lbfgs']['overhead']:.1f} ms, the model gives "
              f"{1e3 * flat(n):.1f} ms")  # fmt: skip
        if "lbfgs_tree" in results[n] and len(models) > 1:
            print(f"  in groups of 2 on {n} workers: overhead measured "
                  f"{1e3 * results[n]['lbfgs_tree']['overhead']:.1f} ms, the model gives "
                  f"{1e3 * grouped(n, 2):.1f} ms")  # fmt: skip
    for at_rows in dict.fromkeys([rows, project_rows]):
        compute = one["compute"] * at_rows / rows
        t1 = compute + o1
        print(f"at {at_rows:,} rows: C = {compute:.3f} s an iteration on 1 worker")
        for name, overhead in models.items():
            for n in (16, 64):
                projected, even = compute / n + overhead(n), overhead(n) * at_rows / compute
                print(f"  {name}, projected s / iteration on {n} workers: {projected:.4f} "
                      f"(speed-up {t1 / projected:.1f}x over 1 worker); a worker's compute "
                      f"equals the overhead at {even:,.0f} rows per worker")  # fmt: skip


if __name__ == "__main__":
    main()
