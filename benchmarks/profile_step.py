"""Where one training step's time goes: each numpy call of a batch, timed alone.

A profiler's own overhead is as large as these calls, so each step of the
forward pass, the backward pass and the Adam update of the numpy reference is
timed on its own with timeit (median of 7 runs) at the shapes of one benchmark
case, next to the whole step, and next to the compiled step that training
runs (per batch of an epoch of 100 batches). The compiled step's ratio to the
five matrix products is taken from rounds that time the two one right after
the other (the median of 15 rounds' ratios). The default shapes are the
digits case of bench_vs_mlp.py (batch 32, 64 → 100 sigmoid units → 10
softmax outputs, float64).

    python benchmarks/profile_step.py [--batch 32 --features 64 --hidden 100 --outputs 10
                                       --dtype float64]

With --categorical it times something else: one compiled epoch over X with
category columns, looked up as rows of the first layer's weights, against the
same network trained on the same data one-hot encoded, epochs of the two
alternating (median of --repeats each). The default is 20 000 rows of 5 dense
columns and 5 category columns of 20 categories each, one-hot 5 + 100 columns.

    python benchmarks/profile_step.py --categorical [--rows 20000 --dense 5 --columns 5
                                       --categories 20 --batch 32 --hidden 100 ...]
"""

import argparse
import time
import timeit

import numpy as np
from machine import describe
from threadpoolctl import threadpool_limits

from sklearn_sigmoidnet._activations import ACTIVATIONS, DERIVATIVES
from sklearn_sigmoidnet._engines import CompiledEngine, Objective, Rows
from sklearn_sigmoidnet._losses import output_delta, summed_loss
from sklearn_sigmoidnet._network import Network
from sklearn_sigmoidnet._optimizers import Adam

PAIRED_ROUNDS = 15


def _median_us(function, number=2000):
    function()
    return (
        float(np.median([timeit.timeit(function, number=number) for _ in range(7)])) / number * 1e6
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--outputs", type=int, default=10)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--categorical", action="store_true", help="lookup against one-hot")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--dense", type=int, default=5)
    parser.add_argument("--columns", type=int, default=5, help="category columns")
    parser.add_argument("--categories", type=int, default=20, help="per category column")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(describe())
    if args.categorical:
        return categorical(args)
    n, d, h, k, dtype = args.batch, args.features, args.hidden, args.outputs, args.dtype

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(n, d)).astype(dtype)
    Y = np.eye(k, dtype=dtype)[rng.randint(k, size=n)]
    network = Network([d, h, k], ["sigmoid"], "softmax", dtype)  # the numpy reference
    network.initialize(rng)
    adam = Adam(network.theta.size, dtype, 1e-3)
    (a, y_hat), (delta_1, delta_2), scratch = network._buffers(n)
    (W1, W2), (b1, b2), (dW1, dW2), (db1, db2) = network.W, network.b, network.dW, network.db
    ones = network._ones[:n]
    r_1, r_2 = rng.normal(size=(n, h)).astype(dtype), rng.normal(size=(n, k)).astype(dtype)
    g = (rng.normal(size=network.theta.size) * 1e-3).astype(dtype)
    network.loss_and_gradient(X, Y, None, "log_loss", 1e-4)  # fills the buffers with real values
    steps = {
        "GEMM r = X W (hidden)": lambda: np.matmul(X, W1, out=a),
        "GEMM r = a W (output)": lambda: np.matmul(a, W2, out=y_hat),
        "GEMM g_W = aᵀ δ (output)": lambda: np.matmul(a.T, delta_2, out=dW2),
        # as the network does: an outer product for a single output, by broadcasting
        "δ = δ Wᵀ (to hidden)": lambda: (np.multiply if k == 1 else np.matmul)(
            delta_2, W2.T, out=delta_1
        ),
        "GEMM g_W = Xᵀ δ (hidden)": lambda: np.matmul(X.T, delta_1, out=dW1),
        "bias adds r += b, 2 layers": lambda: (np.add(a, b1, out=a), np.add(y_hat, b2, out=y_hat)),
        "bias sums 1ᵀ δ, 2 layers": lambda: (
            np.matmul(ones, delta_2, out=db2),
            np.matmul(ones, delta_1, out=db1),
        ),
        "copy (part of the next two rows)": lambda: np.copyto(a, r_1),
        "sigmoid, 4 ufuncs": lambda: ACTIVATIONS["sigmoid"](np.copyto(a, r_1) or a),
        "softmax": lambda: ACTIVATIONS["softmax"](np.copyto(y_hat, r_2) or y_hat),
        "σ'(r) into δ, 3 ufuncs": lambda: DERIVATIVES["sigmoid"](a, delta_1, scratch[0]),
        "residual e, batch loss, δ /= n": lambda: (
            output_delta("log_loss", Y, y_hat, out=delta_2),
            summed_loss("log_loss", Y, y_hat, delta_2, None, scratch[1]),
            np.divide(delta_2, n, out=delta_2),
        ),
        "L2 term g += α θ_W, 2 ufuncs": lambda: np.add(
            network.grad,
            np.multiply(network.theta, network._l2_scale, out=network._l2_term),
            out=network.grad,
        ),
        "Adam step, 9 ufuncs": lambda: adam.step(network.theta, g),
    }

    def whole_step():
        network.loss_and_gradient(X, Y, None, "log_loss", 1e-4)
        adam.step(network.theta, network.grad)

    compiled = Network([d, h, k], ["sigmoid"], "softmax", dtype)
    compiled.set_parameters(network.W, network.b)
    compiled_adam = Adam(compiled.theta.size, dtype, 1e-3)
    engine = CompiledEngine(compiled, d, Objective("log_loss", 1e-4), compiled_adam)
    X_epoch, Y_epoch = np.tile(X, (100, 1)), np.tile(Y, (100, 1))

    def compiled_epoch():
        engine.run_epoch(Rows(X_epoch, Y_epoch, None), n)

    products = list(steps.values())[:5]

    def five_products():
        for product in products:
            product()

    with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore"):
        rows = [(name, _median_us(step)) for name, step in steps.items()]
        rows.append(("whole step: loss_and_gradient + Adam step", _median_us(whole_step)))
        rows.append(
            ("compiled step (the same, one call per epoch)", _median_us(compiled_epoch, 20) / 100)
        )
        # the ratio from rounds that time both, one right after the other, so
        # that a busy machine slows both alike
        ratios = []
        for round_ in range(PAIRED_ROUNDS):
            order = [(five_products, 200), (compiled_epoch, 2)]  # 200 batches each
            if round_ % 2:
                order.reverse()
            seconds = {call: timeit.timeit(call, number=number) for call, number in order}
            ratios.append(seconds[compiled_epoch] / seconds[five_products])
    print(f"batch {n}, {d} → {h} sigmoid → {k} softmax, {dtype}, {network.theta.size} parameters")
    print("\n| step | µs per batch |\n|---|---:|")
    for name, us in rows:
        print(f"| {name} | {us:.1f} |")
    products_us = sum(us for name, us in rows[:5])
    print(f"\nthe five products: {products_us:.1f} µs; compiled step / products, median of "
          f"{PAIRED_ROUNDS} paired rounds: {np.median(ratios):.2f}× "
          f"({min(ratios):.2f}–{max(ratios):.2f})")  # fmt: skip
    return dict(rows, ratio=float(np.median(ratios)))


def categorical(args):
    """Median seconds of a compiled epoch with the category lookup and one-hot."""
    n, d, k, c, dtype = args.rows, args.dense, args.columns, args.categories, args.dtype
    rng = np.random.RandomState(0)
    # column j's categories are W[0]'s rows d + j c … d + (j + 1) c − 1
    codes = d + np.arange(k) * c + rng.randint(c, size=(n, k))
    X = np.hstack([rng.standard_normal((n, d)), codes]).astype(dtype)
    X_hot = np.zeros((n, d + k * c), dtype)
    X_hot[:, :d] = X[:, :d]
    X_hot[np.arange(n)[:, None], codes] = 1
    Y = np.eye(args.outputs, dtype=dtype)[rng.randint(args.outputs, size=n)]
    sizes = [d + k * c, args.hidden, args.outputs]
    runs = {}
    for name, X_, n_codes in (("lookup", X, k), ("one-hot", X_hot, 0)):
        network = Network(sizes, ["sigmoid"], "softmax", dtype, n_codes)
        network.initialize(np.random.RandomState(1))  # the same weights for both
        adam = Adam(network.theta.size, dtype, 1e-3)
        runs[name] = CompiledEngine(network, X_.shape[1], Objective("log_loss", 1e-4), adam), X_
    times = {name: [] for name in runs}
    with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore"):
        for repeat in range(args.repeats + 1):  # the first, a warm-up, is not counted
            order = rng.permutation(n)
            for name, (engine, X_) in runs.items():
                started = time.perf_counter()
                engine.run_epoch_in_order(Rows(X_, Y, None), args.batch, order)
                if repeat:
                    times[name].append(time.perf_counter() - started)
    medians = {name: float(np.median(values)) for name, values in times.items()}
    print(
        f"{n} rows, {d} dense + {k} category columns of {c} categories → {args.hidden} sigmoid "
        f"→ {args.outputs} softmax, batch {args.batch}, {dtype}, one compiled epoch, "
        f"median of {args.repeats}"
    )
    print("\n| first layer | X's columns | ms per epoch |\n|---|---:|---:|")
    print(f"| category lookup | {d} + {k} codes | {medians['lookup'] * 1e3:.1f} |")
    print(f"| one-hot | {d} + {k * c} | {medians['one-hot'] * 1e3:.1f} |")
    print(f"\none-hot / lookup: {medians['one-hot'] / medians['lookup']:.2f}×")
    return medians


if __name__ == "__main__":
    main()
