"""Our fits of ``bench_vs_mlp.py``'s cases under two installs of the package, side by side.

``compare_builds.py`` loads another build's compiled step into this process,
which needs the same Python interface to it. When a change reaches past the
step (how the rows are read, what the step is given), compare whole installs
instead: give the Python of another environment, which has the other build
installed, and this script runs its own fits in a child process of each
Python in turn, alternating which goes first, so that a busy machine slows
both alike. Each child fits every case once (our estimator only, with
``bench_vs_mlp.py``'s settings and seed) and reports the fit's seconds and a
fingerprint of its predictions on the held-out rows; the table gives per case
the median seconds, the median and range of the paired ratios other / this,
and whether the predictions of the two installs are identical.

    python benchmarks/bench_installs.py ../other/venv/bin/python [--pairs 5] [--only TEXT]
        [--quick]   # bench_vs_mlp.py's small cases: a smoke run

Both environments need scikit-learn and threadpoolctl; one BLAS thread.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))


def child(only, quick):
    """Fit each case once in this process; print {case: [seconds, fingerprint]}."""
    import numpy as np
    from bench_vs_mlp import make_cases, make_estimators
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = {}
    with threadpool_limits(1, user_api="blas"):
        for case in make_cases(quick):
            if only and only not in case.name:
                continue
            X_train, X_test, y_train, _ = case.data
            ours = make_estimators(case, 0)[1]
            start = time.perf_counter()
            ours.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            predicted = np.ascontiguousarray(ours.predict(X_test))
            results[case.name] = [seconds, hashlib.sha1(predicted.tobytes()).hexdigest()[:12]]
    print(json.dumps(results))


def run(python, only, quick):
    script = os.path.abspath(__file__)
    # the other environment imports bench_vs_mlp from here, and its own package
    env = {**os.environ, "PYTHONPATH": HERE}
    out = subprocess.run(
        [python, script, "--child", *(["--only", only] if only else []),
         *(["--quick"] if quick else [])],
        capture_output=True, text=True, check=True, env=env, cwd="/",
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", nargs="?", help="the Python of the other environment")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--only", default=None, help="only the cases whose name has this")
    parser.add_argument("--quick", action="store_true", help="small cases: a smoke run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.only, args.quick)
    from machine import describe

    print(describe())
    if args.other is None:
        parser.error("give the Python of the other environment")
    this, other = sys.executable, args.other
    runs = {this: [], other: []}
    for pair in range(args.pairs):
        order = (this, other) if pair % 2 == 0 else (other, this)
        for python in order:
            runs[python].append(run(python, args.only, args.quick))
        print(f"  pair {pair + 1} of {args.pairs} done", flush=True)
    print(f"\n{args.pairs} pairs; this: {this}; other: {other}\n")
    print("| case | other s | this s | other / this (median, range) | predictions |")
    print("|---|---:|---:|---|---|")
    rows = []
    for case in runs[this][0]:
        mine = [r[case][0] for r in runs[this]]
        theirs = [r[case][0] for r in runs[other]]
        ratios = [a / b for a, b in zip(theirs, mine)]
        same = {r[case][1] for r in runs[this]} == {r[case][1] for r in runs[other]}
        print(
            f"| {case} | {statistics.median(theirs):.3f} | {statistics.median(mine):.3f} "
            f"| {statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) "
            f"| {'identical' if same else 'differ'} |"
        )
        rows.append({"case": case, "ratio": statistics.median(ratios), "identical": same})
    return rows


if __name__ == "__main__":
    main()
