"""The compiled step's elementwise kernels, each variant against numpy, in ns per value.

For each kernel (e^x, bias + sigmoid, tanh and softmax, σ', the L2 term, and
Adam's update), each dtype and each shape, it times numpy's way of computing
the same thing (numpy's ufuncs and scipy's expit, as the numpy reference
network does) and every kernel variant that this CPU runs (avx512, avx2,
baseline; ``_step.use_kernel_variant``), all in one process and interleaved
round by round, so that a busy machine slows them alike. The kernels work in
place, so each call first copies its input back; the median time of that copy
is subtracted. It prints the median over --repeats rounds, one BLAS thread
(none is used), and the ratios that the issue's targets are stated in.

    python benchmarks/bench_kernels.py [--shapes 200x100 32x100] [--repeats 15]

numpy's SIMD path is its own, chosen for this CPU: machine.py says how to
make numpy, OpenBLAS and the kernels all take their AVX2 paths on an AVX-512
machine.
"""

import argparse
import timeit

import numpy as np
from machine import describe
from scipy.special import expit

from sklearn_sigmoidnet import _step
from sklearn_sigmoidnet._activations import ACTIVATIONS, DERIVATIVES
from sklearn_sigmoidnet._optimizers import Adam

DTYPES = (np.float64, np.float32)


def contenders(rows, units, dtype, rng):
    """Per kernel: numpy's way and the kernel's, as calls on arrays made here,
    and whether the kernel's call includes the copy that restores its input."""
    r0 = rng.normal(scale=3, size=(rows, units)).astype(dtype)
    b = rng.normal(size=units).astype(dtype)
    r, out = np.empty_like(r0), np.empty_like(r0)
    a = expit(r0)
    delta0 = rng.normal(size=r0.size).astype(dtype)
    delta, scratch = np.empty_like(delta0), np.empty_like(delta0)
    a_flat = a.ravel()
    n = r0.size
    theta, grad = rng.normal(size=n).astype(dtype), rng.normal(size=n).astype(dtype)
    l2, l2_term = dtype(1e-4), np.empty(n, dtype)
    adam = Adam(n, dtype, 1e-3)
    m_sum, v_sum = np.zeros(n, dtype), np.zeros(n, dtype)

    def activation(name, numpy_function):
        def numpy_way():
            np.add(r0, b, out=out)
            numpy_function(out)

        def kernel():
            r[...] = r0
            _step.activate_layer(name, r, b)

        return numpy_way, kernel

    def numpy_exp(x):
        np.exp(x, out=x)

    def numpy_sigmoid(x):
        expit(x, out=x)

    def numpy_tanh(x):
        np.tanh(x, out=x)

    def numpy_derivative():
        delta[...] = delta0
        DERIVATIVES["sigmoid"](a_flat, delta, scratch)

    def kernel_derivative():
        delta[...] = delta0
        _step.times_derivative_kernel("sigmoid", a_flat, delta)

    def numpy_l2():
        grad.__iadd__(np.multiply(theta, l2, out=l2_term))

    def kernel_l2():
        _step.add_scaled_kernel(grad, theta, l2)

    def numpy_adam():
        adam.step(theta, grad)

    def kernel_adam():
        _step.adam_kernel(theta, grad, m_sum, v_sum, 0.9, 0.999, 1e-3, 1e-8)

    def restore_rows():
        r[...] = r0

    def restore_deltas():
        delta[...] = delta0

    return {
        "bias + e^x": (*activation("exp", numpy_exp), restore_rows),
        "bias + sigmoid": (*activation("sigmoid", numpy_sigmoid), restore_rows),
        "bias + tanh": (*activation("tanh", numpy_tanh), restore_rows),
        "bias + softmax": (*activation("softmax", ACTIVATIONS["softmax"]), restore_rows),
        "σ' (sigmoid)": (numpy_derivative, kernel_derivative, restore_deltas),
        "L2 term": (numpy_l2, kernel_l2, None),
        "Adam": (numpy_adam, kernel_adam, None),
    }, n


def median_ns(samples, n):
    return float(np.median(samples)) * 1e9 / n


def measure(rows, units, dtype, repeats, rng):
    calls, n = contenders(rows, units, dtype, rng)
    variants = _step.kernel_variants()
    results = {}
    for kernel, (numpy_way, compiled, restore) in calls.items():
        timed = {"numpy": numpy_way, **dict.fromkeys(variants, compiled)}
        if restore is not None:  # numpy's way reads its input, restored by these copies too
            timed["copy"] = restore
        number = max(1, int(2e-3 / max(timeit.timeit(numpy_way, number=3) / 3, 1e-7)))
        samples = {name: [] for name in timed}
        for _ in range(repeats):
            for name, call in timed.items():
                if name in variants:
                    _step.use_kernel_variant(name)
                samples[name].append(timeit.timeit(call, number=number) / number)
        copy = median_ns(samples.pop("copy"), n) if restore is not None else 0.0
        medians = {name: median_ns(times, n) for name, times in samples.items()}
        if kernel == "σ' (sigmoid)":  # both ways copy the deltas back first
            medians["numpy"] -= copy
        for variant in variants:
            medians[variant] -= copy
        results[kernel] = medians
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["200x100", "32x100"])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    print(describe())
    chosen = _step.kernel_variant()
    variants = _step.kernel_variants()
    rng = np.random.default_rng(0)
    ratios = [f"{v} / numpy" for v in variants]
    if "avx2" in variants and "avx512" in variants:
        ratios.append("avx2 / avx512")
    header = ["kernel", "dtype", "shape", "numpy", *variants, *ratios]
    print("\nns per value, median of", args.repeats, "rounds\n")
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|" + "---:|" * (len(header) - 3))
    try:
        for shape in args.shapes:
            rows, units = (int(size) for size in shape.split("x"))
            for dtype in DTYPES:
                for kernel, medians in measure(rows, units, dtype, args.repeats, rng).items():
                    cells = [kernel, np.dtype(dtype).name, shape, f"{medians['numpy']:.2f}"]
                    cells += [f"{medians[v]:.2f}" for v in variants]
                    cells += [f"{medians[v] / medians['numpy']:.2f}" for v in variants]
                    if "avx2 / avx512" in ratios:
                        cells.append(f"{medians['avx2'] / medians['avx512']:.2f}")
                    print("| " + " | ".join(cells) + " |", flush=True)
    finally:
        _step.use_kernel_variant(chosen)


if __name__ == "__main__":
    main()
