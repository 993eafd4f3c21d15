"""Our fits with this build's compiled step against another build's, in one process.

On a shared machine two runs of a benchmark minutes apart differ by more than
a change to the kernels does. This script loads another build's ``_step``
extension beside this one's and times the same fits (``bench_vs_mlp.py``'s
cases, our estimator only) alternating between the two, the one that goes
first swapping every repeat, so that a busy machine slows both alike. It
prints per case the median seconds and the median and range of the paired
ratios other / this. Both builds take the same kernel variant.

To compare with the code before a change, check that commit out elsewhere
(``git worktree add ../before <commit>``), install it editable in a venv of
its own as the README says, and give its built extension::

    python benchmarks/compare_builds.py \
        ../before/build/cp311/sklearn_sigmoidnet/_step.cpython-311-x86_64-linux-gnu.so \
        [--variant avx2] [--repeats 7] [--only TEXT]

The other build must have this one's Python interface to ``_step``.
"""

import argparse
import importlib.machinery
import importlib.util
import time
import warnings

import numpy as np
from bench_vs_mlp import make_cases, make_estimators
from machine import describe
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_sigmoidnet import _engines, _network


def load_step(path):
    """The ``_step`` extension module at ``path``, under a name of its own."""
    loader = importlib.machinery.ExtensionFileLoader("other_build._step", path)
    spec = importlib.util.spec_from_file_location("other_build._step", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def use(step):
    """Make training (``_engines``) and prediction (``_network``) call ``step``."""
    _engines._step = _network._step = step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", help="path of the other build's _step extension")
    parser.add_argument("--variant", help="the kernel variant both builds take")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--quick", action="store_true", help="small data, for a smoke run")
    args = parser.parse_args(argv)

    builds = {"other": load_step(args.other), "this": _engines._step}
    if args.variant:
        for step in builds.values():
            step.use_kernel_variant(args.variant)
    print(describe())
    print(f"other build: {args.other} (kernels: {builds['other'].kernel_variant()})")
    print("\n| case | other s | this s | other / this | paired range |\n|---|---:|---:|---:|---:|")
    cases = [c for c in make_cases(args.quick) if args.only is None or args.only in c.name]
    results = {}
    try:
        with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for case in cases:
                X, _, y, _ = case.data
                times = {"other": [], "this": []}
                for repeat in range(args.repeats):
                    order = ("other", "this") if repeat % 2 else ("this", "other")
                    for name in order:
                        use(builds[name])
                        estimator = make_estimators(case, repeat)[1]
                        start = time.perf_counter()
                        estimator.fit(X, y)
                        times[name].append(time.perf_counter() - start)
                ratios = np.divide(times["other"], times["this"])
                other, this = np.median(times["other"]), np.median(times["this"])
                print(f"| {case.name} | {other:.3f} | {this:.3f} | {np.median(ratios):.2f}× | "
                      f"{ratios.min():.2f}–{ratios.max():.2f} |", flush=True)  # fmt: skip
                results[case.name] = float(np.median(ratios))
    finally:
        use(builds["this"])
    return results


if __name__ == "__main__":
    main()
