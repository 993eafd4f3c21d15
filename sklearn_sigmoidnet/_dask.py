"""Training on a dask cluster: the rows stay on the workers, θ on the client.

A fit on dask arrays or DataFrames persists their partitions on the workers
of the active ``dask.distributed`` client and never gathers them. The input
and target encodings are fitted from statistics that each partition sums
(weighted counts, sums and squared deviations; category counts) and the
client adds up; every partition is then encoded where it lies.

- lbfgs: each evaluation of L(θ) sends θ to every worker once; one task per
  worker returns the weighted loss and gradient sums of all its partitions,
  computed by the compiled step, and a pairwise tree of sum tasks reduces
  them to one vector for scipy's L-BFGS on the client. This is the
  in-process full-batch objective, up to the order of summation.
- sgd and adam: local passes with periodic averaging. In each round every
  worker runs one pass of mini-batch steps over each of its next partitions,
  starting from the averaged θ and optimiser state; a task then averages θ
  and the state, weighted by the partitions' training weights, and the next
  round starts from that average. An epoch's rounds go to the scheduler as
  one graph, so that no worker waits for the client between rounds.

dask is imported here only, so that a numpy fit never imports it.
"""

import copy
import math
import threading

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import is_regressor
from sklearn.utils import check_array
from sklearn.utils.validation import _check_sample_weight, _check_y, validate_data

from ._engines import Objective, block_rows, make_engine
from ._input_encoding import as_table, category_counts, merge_category_counts
from ._losses import per_sample_loss
from ._network import Network, feedforward, penalty
from ._target_encoding import checked_labels
from ._validation import check_weight_total


def on_cluster(*values):
    """Whether any of these is a dask collection; imports nothing."""
    return any(hasattr(value, "__dask_graph__") for value in values if value is not None)


def _client():
    try:
        from distributed import get_client
    except ImportError as error:  # dask without distributed
        raise ImportError(
            "A fit on dask input trains on a dask.distributed cluster; install it with "
            'pip install "sklearn-sigmoidnet[dask]".'
        ) from error
    try:
        return get_client()
    except ValueError as error:
        raise ValueError(
            "A fit on dask arrays or DataFrames trains on the workers of a dask.distributed "
            "cluster, and no client is active: create one first, e.g. "
            "distributed.Client(LocalCluster(...)) or Client('scheduler-address'). "
            "For data in memory, pass numpy arrays or pandas DataFrames instead."
        ) from error


class WorkerLost(RuntimeError):
    """A worker was lost and dask could not recompute what the fit needed."""


# evaluations of L(θ), local rounds and validations are functions of θ alone,
# so one that lost its inputs with a worker is run again from the same θ
_ATTEMPTS = 3


def _gather(client, futures):
    """The results of futures; a lost worker that dask gave up on is a clear error."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    try:
        return client.gather(futures)
    except (KilledWorker, FutureCancelledError, OSError) as error:  # CommClosedError: OSError
        raise WorkerLost(
            f"A dask worker was lost during the fit and dask gave up retrying ({error!r}); "
            "the estimator is left as it was. Check the workers' memory limits and logs."
        ) from error


def _retried(run, *args):
    """``run(*args)``, run again from the start when a lost worker took its inputs."""
    for attempt in range(_ATTEMPTS):
        try:
            return run(*args)
        except WorkerLost:
            if attempt == _ATTEMPTS - 1:
                raise


def _everywhere(client, value):
    """``value`` sent once to every worker, for the tasks to share."""
    return client.scatter(value, broadcast=True, hash=False)


# -- the partitions -----------------------------------------------------------


def _row_blocks(values, row_chunks=None):
    """The delayed row blocks of a dask array or DataFrame, and their lengths."""
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(values, da.Array):
        if values.ndim == 2:
            values = values.rechunk({1: -1})
        if row_chunks is not None and values.chunks[0] != row_chunks:
            values = values.rechunk({0: row_chunks})
        return list(values.to_delayed().ravel()), values.chunks[0]
    if isinstance(values, (dd.DataFrame, dd.Series)):
        return list(values.to_delayed()), (math.nan,) * values.npartitions
    raise TypeError(f"Expected a dask array or DataFrame; got {type(values).__name__}.")


def _aligned_blocks(X, y, sample_weight):
    """The delayed blocks of X, y and the sample weights, partition by partition."""
    import dask.array as da

    X_blocks, lengths = _row_blocks(X)
    known = all(math.isfinite(length) for length in lengths)
    blocks = [X_blocks]
    for name, values in [("y", y), ("sample_weight", sample_weight)]:
        if values is None:
            blocks.append([None] * len(X_blocks))
            continue
        rows = np.shape(values)[0]  # nan for a dask collection of unknown lengths
        if known and not math.isnan(rows) and rows != sum(lengths):
            raise ValueError(f"X has {sum(lengths)} rows and {name} {rows}.")
        if not on_cluster(values):
            if not known:
                raise ValueError(
                    f"{name} is in memory and X a dask DataFrame: give {name} as a dask "
                    "collection with X's partitions."
                )
            values = da.from_array(np.asarray(values), chunks=(lengths,) + np.shape(values)[1:])
        part_blocks, _ = _row_blocks(values, lengths if known else None)
        if len(part_blocks) != len(X_blocks):
            raise ValueError(
                f"{name} has {len(part_blocks)} partitions and X {len(X_blocks)}: give them "
                "the same partitions (for arrays, the same row chunks)."
            )
        blocks.append(part_blocks)
    return list(zip(*blocks))


def _raw_partition(X, y, sample_weight, regressor):
    """One partition as checked numpy and pandas values: what the stages read."""
    if sparse.issparse(X):  # found here: a dask array's metadata need not say so
        raise ValueError("A fit on dask input takes dense arrays or DataFrames, not sparse blocks.")
    X = as_table(X)
    y = _check_y(np.asarray(y), multi_output=True, y_numeric=regressor)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"A partition of X has {X.shape[0]} rows and its y {y.shape[0]}.")
    if sample_weight is not None:
        sample_weight = _check_sample_weight(np.asarray(sample_weight), X, ensure_non_negative=True)
    return X, y, sample_weight


def _meta(X):
    """An empty-of-data stand-in for X's columns: their names and dtypes, one row."""
    if hasattr(X, "_meta_nonempty"):  # a dask DataFrame
        return X._meta_nonempty.iloc[:1]
    return np.zeros((1, X.shape[1]), dtype=X.dtype)


# -- the encodings, from statistics summed over the partitions ----------------


def _target_summary(part, targets):
    """Regressor: the weighted sums of y; classifier: the partition's labels."""
    _, y, w = part
    if hasattr(targets, "class_weight"):  # LabelTargets
        y = checked_labels(y, "y")
        return np.unique(y, axis=0) if y.ndim == 2 else np.unique(y)
    Y = targets._checked(y, "y")
    w = np.ones(len(Y)) if w is None else w
    return w.sum(), w @ Y


def _target_deviation(part, targets, shift):
    _, y, w = part
    Y = targets._checked(y, "y") - shift
    w = np.ones(len(Y)) if w is None else w
    return _deviation_sums(Y, w)


def _class_counts(part, targets):
    _, y, _ = part
    return np.bincount(targets._class_index(targets.encode(y)), minlength=len(targets.classes))


def _deviation_sums(deviation, w):
    """The largest |deviation| per column and Σ w (deviation / largest)²: squares of
    order one, so that huge values cannot overflow."""
    largest = np.abs(deviation).max(axis=0) if len(deviation) else np.zeros(deviation.shape[1])
    unit = np.where(largest > 0, largest, 1.0)
    return largest, w @ (deviation / unit) ** 2


def _std_from_parts(parts, total):
    """The standard deviation from the partitions' ``_deviation_sums``."""
    largest = np.max([part[0] for part in parts], axis=0)
    unit = np.where(largest > 0, largest, 1.0)
    squares = sum(part[1] * (np.where(part[0] > 0, part[0], 1.0) / unit) ** 2 for part in parts)
    safe = np.where(total > 0, total, 1.0)
    return unit * np.sqrt(squares / safe)


def _keep_scale(shift, scale):
    # a constant column (to rounding) keeps s = 1, as in-process
    rounding = 10 * np.finfo(np.float64).eps * np.maximum(np.abs(shift), 1.0)
    return np.where(scale > rounding, scale, 1.0)


def _fit_targets(client, parts, targets, classes):
    """The target encoding fitted from the partitions, and the one that weighs them."""
    if hasattr(targets, "class_weight"):  # LabelTargets: the labels of all partitions
        labels = _gather(client, [client.submit(_target_summary, p, targets) for p in parts])
        targets.fit(np.concatenate(labels), None, classes)
        weighing = targets
        if targets.class_weight == "balanced" and not targets.multilabel:
            # n / (n_classes · count), of the counts summed over the partitions
            counts = sum(_gather(client, [client.submit(_class_counts, p, targets) for p in parts]))
            if not counts.all():
                missing = targets.classes[counts == 0].tolist()
                raise ValueError(f"class_weight='balanced': no sample of the classes {missing}.")
            weights = counts.sum() / (len(counts) * counts)
            weighing = copy.copy(targets)
            weighing.class_weight = dict(zip(targets.classes.tolist(), weights.tolist()))
        return targets, weighing
    if targets.normalize and targets.loss in ("absolute_error", "huber", "quantile"):
        raise ValueError(
            f"loss={targets.loss!r} scales y by its weighted median, which cannot be summed "
            "over partitions: on dask input, fit with normalize_y=False (and y on a scale "
            "of about one), or fit in memory."
        )
    sums = _gather(client, [client.submit(_target_summary, p, targets) for p in parts])
    total = sum(s[0] for s in sums)
    weighted = sum(s[1] for s in sums)
    n_outputs = len(weighted)
    if not targets.normalize:
        targets.shift, targets.scale = np.zeros(n_outputs), np.ones(n_outputs)
    elif targets.loss == "poisson":
        targets.shift, targets.scale = np.zeros(n_outputs), weighted / total
    else:
        shift = weighted / total
        deviations = _gather(
            client, [client.submit(_target_deviation, p, targets, shift) for p in parts]
        )
        targets.shift, targets.scale = shift, _std_from_parts(deviations, total)
    targets.scale = _keep_scale(targets.shift, targets.scale)
    return targets, targets


def _input_sums(part, inputs, targets, weighing):
    """What ``InputEncoding.learn`` needs of one partition, as sums and counts."""
    X, y, w = part
    X = inputs.check(X)
    numeric = inputs._numeric_block(X)
    weights = weighing.weigh(targets.encode(y), w, False)
    weights = np.ones(len(numeric)) if weights is None else np.asarray(weights, np.float64)
    present = ~np.isnan(numeric)
    values = np.where(present, numeric, 0.0)
    columns = [X.iloc[:, j].to_numpy(dtype=object) if isinstance(X, pd.DataFrame)
               else np.asarray(X[:, j], dtype=object) for j in inputs.categorical]  # fmt: skip
    return {
        "total": weights @ present,
        "sum": weights @ values,
        "missing": (~present).any(axis=0),
        "binary": ((values == 0) | (values == 1)).all(axis=0),
        "counts": [category_counts(column) for column in columns],
        "rows": len(numeric),
        "weight": float(weights.sum()),
    }


def _input_deviation(part, inputs, targets, weighing, mean):
    X, y, w = part
    numeric = inputs._numeric_block(inputs.check(X))
    weights = weighing.weigh(targets.encode(y), w, False)
    weights = np.ones(len(numeric)) if weights is None else np.asarray(weights, np.float64)
    present = ~np.isnan(numeric)
    return _deviation_sums(np.where(present, numeric - mean, 0.0), weights)


def _fit_inputs(client, parts, inputs, targets, weighing, meta, names):
    """The input encoding learnt from sums over the partitions, as ``InputEncoding.fit``."""
    _, names = inputs.prepare(meta, names)
    shared = [_everywhere(client, value) for value in (inputs, targets, weighing)]
    sums = _gather(client, [client.submit(_input_sums, p, *shared) for p in parts])
    total = sum(s["total"] for s in sums)
    safe = np.where(total > 0, total, 1.0)
    mean = sum(s["sum"] for s in sums) / safe
    deviations = _gather(client, [client.submit(_input_deviation, p, *shared, mean) for p in parts])
    std = _std_from_parts(deviations, total)
    mean = np.where(total > 0, mean, 0.0)
    counts = [
        merge_category_counts([s["counts"][k] for s in sums])
        for k in range(len(inputs.categorical))
    ]
    inputs.learn(
        names,
        mean,
        _keep_scale(mean, std),
        np.logical_or.reduce([s["missing"] for s in sums]),
        np.logical_and.reduce([s["binary"] for s in sums]),
        counts,
    )
    return sums


def _encode(part, inputs, targets, weighing):
    """The partition as the network trains on it: U, Y and the weights, in its dtype."""
    X, y, w = part
    dtype = inputs.dtype
    Y = targets.encode(y).astype(dtype, copy=False)
    if w is not None:
        w = check_array(w, ensure_2d=False, dtype=dtype, input_name="sample_weight")
    w = weighing.weigh(Y, w, False)
    U = inputs.encode(inputs.check(X), scaled=True)
    return U, Y, None if w is None else np.asarray(w, dtype=dtype)


# -- the fit's data ------------------------------------------------------------


class ClusterData:
    """A fit's data on the cluster, standing in for ``FitData``.

    ``U`` is the ``Partitions`` (whose engine trains on the workers);
    ``Y`` only says how many rows there are.
    """

    def __init__(self, partitions):
        self.U = partitions
        self.Y = np.empty((partitions.shape[0], 0))
        self.sample_weight = None


def check_fit_input(estimator, X, y, sample_weight, *, continuing, incremental, classes=None):
    """``_fit_input.check_fit_input`` for dask input: the encodings fitted over the
    partitions, and the encoded partitions persisted on the workers."""
    if sample_weight is not None and not hasattr(sample_weight, "shape"):
        sample_weight = np.asarray(sample_weight)
    client = _client()
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"X must be 2-D; got a dask collection of {X.ndim} dimensions.")
    meta = _meta(X)
    holder = estimator if continuing else copy.copy(estimator)
    validate_data(holder, meta, reset=not continuing, skip_check_array=True)
    attributes = {"n_features_in_": holder.n_features_in_}
    if hasattr(holder, "feature_names_in_"):
        attributes["feature_names_in_"] = holder.feature_names_in_
    import dask

    regressor = is_regressor(estimator)
    raw_blocks = [
        dask.delayed(_raw_partition)(*blocks, regressor)
        for blocks in _aligned_blocks(X, y, sample_weight)
    ]
    raw = client.compute(raw_blocks)
    if continuing:
        inputs = estimator._input_encoding
        targets = estimator._new_target_encoding().learned_from(estimator._target_encoding)
        weighing = targets
        if getattr(targets, "class_weight", None) == "balanced":
            raise ValueError("class_weight='balanced' cannot continue a fit on dask input.")
        shared = [_everywhere(client, value) for value in (inputs, targets, weighing)]
        sums = _gather(client, [client.submit(_input_sums, p, *shared) for p in raw])
    else:
        targets, weighing = _fit_targets(client, raw, estimator._new_target_encoding(), classes)
        inputs = estimator._new_input_encoding()
        sums = _fit_inputs(
            client, raw, inputs, targets, weighing, meta, attributes.get("feature_names_in_")
        )
        shared = [_everywhere(client, value) for value in (inputs, targets, weighing)]
    if inputs.sparse:
        raise ValueError("A fit on dask input takes dense arrays or DataFrames, not sparse blocks.")
    weights = np.array([s["weight"] for s in sums])
    check_weight_total(weights, "The sample weights (times the class weights)")
    # partition i on worker i mod n: balanced, and the same grouping for every fit on
    # these workers, so that the averaging of sgd and adam is reproducible
    workers = sorted(client.scheduler_info()["workers"])
    # one graph from X's own, not a task on the futures above: a partition lost with its
    # worker is then made again from its source (persist X first if that is costly)
    encodings = [dask.delayed(value, traverse=False) for value in (inputs, targets, weighing)]
    encoded = [
        client.compute(
            dask.delayed(_encode)(block, *encodings),
            workers=[workers[i % len(workers)]],
            allow_other_workers=True,
        )  # fmt: skip
        for i, block in enumerate(raw_blocks)
    ]
    from distributed import wait

    wait(encoded)
    for future in encoded:  # an encoding that raised (a bad column, negative weights) raises here
        if future.status == "error":
            future.result()
    del raw  # the statistics' copy of the rows; the encoded partitions stay
    rows = np.array([s["rows"] for s in sums])
    n_columns = inputs.n_dense + inputs.n_category_columns
    assigned = [workers[i % len(workers)] for i in range(len(encoded))]
    partitions = Partitions(client, encoded, rows, weights, n_columns, targets, assigned)
    return ClusterData(partitions), inputs, targets, attributes, holder


# -- work on the workers -------------------------------------------------------

_local = threading.local()
# rows that each worker trains on between two averagings of θ: the workers wait
# 5-12 ms between two rounds here, and 300,000 rows of a (100,) network take
# 200-350 ms of steps (docs/cluster.rst)
_ROUND_ROWS = 300_000


def _layout(network):
    return (
        tuple(network.layer_sizes),
        tuple(network.activations[:-1]),
        network.activations[-1],
        network.dtype.name,
        network.n_category_columns,
    )


def _worker_network(layout):
    """A Network of this layout, made once per worker thread: its buffers are reused."""
    cached = getattr(_local, "network", None)
    if cached is None or cached[0] != layout:
        sizes, activations, output, dtype, n_category_columns = layout
        network = Network(sizes, activations, output, np.dtype(dtype), n_category_columns)
        _local.network = cached = layout, network
    return cached[1]


def _worker_engine(layout, objective, engine, x_width):
    """The engine of a Network of this layout, made once per worker thread
    (with its buffers) for the objective of the fit's evaluations."""
    key = layout, objective, engine, x_width
    cached = getattr(_local, "engine", None)
    if cached is None or cached[0] != key:
        X = np.empty((0, x_width), layout[3])  # the kind of X the engine will see
        made = make_engine(_worker_network(layout), X, objective, None, engine)
        _local.engine = cached = key, made
    return cached[1]


def _gradient_sums(parts, theta, layout, objective, engine, gradient=True):
    """[Σ wᵢ Lᵢ, Σ wᵢ ∇Lᵢ] over a worker's partitions, in float64, a block of rows
    at a time."""
    out = np.zeros(1 + (theta.size if gradient else 0))
    for U, Y, w in parts:
        evaluate = _worker_engine(layout, objective, engine, U.shape[1])
        network = evaluate.network
        network.theta[...] = theta
        chunk = block_rows(network)  # the engine's buffers: a block's, not the partition's
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, U.shape[0], chunk):
                rows = slice(start, start + chunk)
                w_rows = None if w is None else w[rows]
                weight = U[rows].shape[0] if w_rows is None else float(w_rows.sum())
                if not weight:
                    continue
                if gradient:
                    mean = evaluate.loss_and_gradient(U[rows], Y[rows], w_rows)
                    out[1:] += weight * network.grad
                else:
                    mean = evaluate.loss(U[rows], Y[rows], w_rows, chunk)
                out[0] += weight * mean
    return out


def _add(a, b):
    return a + b


def _local_passes(parts, start, optimizer, learning_rate, layout, objective, engine,
                  batch_size, seeds):  # fmt: skip
    """One pass of mini-batch steps over each partition in turn, from ``start``:
    θ and the optimiser's state; partition k's rows shuffled by a
    RandomState(``seeds[k]``), unless it is None. Returns θ and the state after
    them, their weighted mean loss, the updates, the first batch's loss and the
    partitions' weight."""
    network = _worker_network(layout)
    network.theta[...], optimizer.state = start
    optimizer.learning_rate = learning_rate
    total_loss = total_weight = 0.0
    n_updates, first_loss = 0, math.nan
    for (U, Y, w), seed in zip(parts, seeds):
        rng = None if seed is None else np.random.RandomState(seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            data_loss, updates, first = make_engine(
                network, U, objective, optimizer, engine
            ).run_epoch(U, Y, w, batch_size, rng)
        weight = U.shape[0] if w is None else float(w.sum())
        if updates and not n_updates:
            first_loss = first
        if updates:
            total_loss += data_loss * weight
            total_weight += weight
        n_updates += updates
    mean_loss = total_loss / total_weight if total_weight else math.nan
    return network.theta.copy(), optimizer.state, mean_loss, n_updates, first_loss, total_weight


def _averaged(*passes):
    """θ and the optimiser's state of ``_local_passes`` results, averaged with
    the weights of their partitions: where the next round starts."""
    weights = np.array([result[5] for result in passes])
    shares = weights / weights.sum()
    theta = sum(share * result[0] for share, result in zip(shares, passes))
    return theta.astype(passes[0][0].dtype), _average_states([r[1] for r in passes], shares)


def _validation_sums(part, theta, layout, targets):
    """Σ wᵢ Lᵢ, Σ wᵢ and the sums that the score needs, of one validation partition."""
    U, Y, w = part
    network = _worker_network(layout)
    network.theta[...] = theta
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        Y_hat = feedforward(
            U, network.W, network.b, network.activations, network.n_category_columns
        )[-1]
    losses = per_sample_loss(targets.loss_name, Y, Y_hat, targets.quantile_level)
    w = np.ones(len(U)) if w is None else w.astype(np.float64)
    total = float(w.sum())
    if hasattr(targets, "classes"):  # accuracy × weight adds up
        score = [targets.score(Y, Y_hat, w) * total if total else 0.0]
    else:  # R² per output from Σ w y, Σ w y², Σ w (y − ŷ)²
        Y = Y.astype(np.float64)
        score = [w @ Y, w @ Y**2, w @ (Y - Y_hat) ** 2]
    return float(w @ losses.reshape(len(U), -1).sum(axis=1)), total, score


class Partitions:
    """The encoded training partitions, as futures on the workers.

    Training reaches them through their engine (``ClusterEngine``).
    """

    def __init__(self, client, futures, rows, weights, n_columns, targets, workers):
        self.client, self.futures = client, list(futures)
        self.rows, self.weights = np.asarray(rows), np.asarray(weights, dtype=np.float64)
        self.shape = (int(self.rows.sum()), n_columns)
        self.weight_total = float(self.weights.sum())
        self.targets = targets
        # each partition's worker, as assigned; a task per worker takes its partitions
        # in this order, every time, whichever worker holds them later
        self.workers = list(workers)
        self.by_worker = {}
        for i in sorted(range(len(self.futures)), key=lambda i: (self.workers[i], i)):
            self.by_worker.setdefault(self.workers[i], []).append(i)

    def subset(self, index):
        index = list(index)
        part = Partitions(
            self.client, [self.futures[i] for i in index], self.rows[index],
            self.weights[index], self.shape[1], self.targets, [self.workers[i] for i in index],
        )  # fmt: skip
        return part

    def _tree_sum(self, futures):
        client = self.client
        # every level's futures held until the sum arrives: a task whose inputs were
        # released cannot be rerun when a worker is lost
        held = list(futures)
        while len(futures) > 1:
            paired = [client.submit(_add, a, b, pure=False)
                      for a, b in zip(futures[::2], futures[1::2])]  # fmt: skip
            if len(futures) % 2:
                paired.append(futures[-1])
            futures = paired
            held += paired
        return _gather(self.client, futures[0])

    def _sums(self, *args):
        return _retried(self._sums_once, *args)

    def _sums_once(self, network, objective, engine, gradient):
        # one task per worker, over all its partitions: each task costs the scheduler
        # and the worker about 2 ms here (docs/cluster.rst), a partition's gradient 40 ms
        theta = _everywhere(self.client, network.theta)
        layout = _layout(network)
        futures = [
            self.client.submit(
                _gradient_sums, [self.futures[i] for i in group], theta, layout, objective,
                engine, gradient, pure=False, workers=[worker], allow_other_workers=True,
            )  # fmt: skip
            for worker, group in self.by_worker.items()
        ]
        return self._tree_sum(futures)

    def engine(self, network, objective, optimizer, engine):
        """The engine that trains on these partitions (``_engines.make_engine``)."""
        return ClusterEngine(self, network, objective, optimizer, engine)


class ClusterEngine:
    """An engine whose data is partitions on a cluster: each partition's share is
    computed on its worker, by the engine that ``make_engine`` chooses there
    (``engine``), and the client sums or averages them. Its methods take the
    partitions where an in-process engine takes X; Y and the sample weights
    are theirs."""

    def __init__(self, partitions, network, objective, optimizer, engine):
        self.partitions, self.network, self.optimizer = partitions, network, optimizer
        self.objective, self.engine = objective, engine
        # the workers' data loss and gradient, without the penalty: the client adds it
        self.data_objective = Objective(objective.loss, 0.0, objective.quantile_level)

    def loss_and_gradient(self, X, Y=None, sample_weight=None):
        """Fill ``network.grad`` with ∇L(θ) over all partitions; return the mean data loss."""
        network, parts = self.network, self.partitions
        sums = parts._sums(network, self.data_objective, self.engine, True)
        network.grad[...] = sums[1:] / parts.weight_total
        l2 = self.objective.l2
        if l2:
            for dW, W in zip(network.dW, network.W):
                dW += l2 * W
        return sums[0] / parts.weight_total

    def loss(self, X, Y=None, sample_weight=None, chunk_rows=None):
        """L(θ) over all partitions, penalty included."""
        network, parts = self.network, self.partitions
        data_loss = parts._sums(network, self.data_objective, self.engine, False)[0]
        return data_loss / parts.weight_total + 0.5 * self.objective.l2 * penalty(network.W)

    def run_epoch(self, X, Y, sample_weight, batch_size, rng=None):
        """One epoch of local passes with averaging, the partitions' order and rows
        shuffled by ``rng`` when given; returns what an in-process epoch does."""
        network, optimizer, parts = self.network, self.optimizer, self.partitions
        client = parts.client
        # a partition without weight carries no information
        queues = [[i for i in group if parts.weights[i]] for group in parts.by_worker.values()]
        queues = [queue for queue in queues if queue]
        seed = None
        if rng is not None:
            queues = [list(rng.permutation(queue)) for queue in queues]
            seed = int(rng.randint(2**31 - 1))
        queues = [_rounds(queue, parts.rows) for queue in queues]
        n_rounds = max(map(len, queues), default=0)
        if not n_rounds:
            return math.nan, 0, math.nan
        layout = _layout(network)

        def run():
            # the whole epoch is one graph: each round's passes take the previous
            # round's average, a task, so the workers go from round to round without
            # a trip to the client. θ and the optimiser go with the tasks: a few tens
            # of kB, against two more round trips to every worker for a broadcast
            sent = copy.deepcopy(optimizer)
            start = (network.theta.copy(), optimizer.state)
            rounds = []
            for round_ in range(n_rounds):
                tasks = []
                for queue in queues:
                    if round_ >= len(queue):
                        continue
                    group = queue[round_]
                    seeds = [None if seed is None else seed + 7919 * i for i in group]
                    tasks.append(client.submit(
                        _local_passes, [parts.futures[i] for i in group], start, sent,
                        optimizer.learning_rate, layout, self.objective, self.engine,
                        batch_size, seeds, pure=False, workers=[parts.workers[group[0]]],
                        allow_other_workers=True,
                    ))  # fmt: skip
                start = client.submit(_averaged, *tasks, pure=False)
                rounds.append(tasks)
            return _gather(client, [rounds, start])

        rounds, end = _retried(run)
        network.theta[...], optimizer.state = end
        # the passes' losses weighted by their rows' weights; one without updates has none
        passes = [result for results in rounds for result in results if result[5]]
        weights = np.array([result[5] for result in passes])
        first = [result for result in rounds[0] if result[5]]
        first_loss = sum(r[5] * r[4] for r in first) / sum(r[5] for r in first)
        data_loss = weights @ [result[2] for result in passes] / weights.sum()
        return float(data_loss), sum(result[3] for result in passes), float(first_loss)


def _rounds(queue, rows):
    """A worker's partitions in the groups that it trains on between two
    averagings: consecutive partitions, as many groups as ``_ROUND_ROWS`` goes
    into the worker's rows (at least one), each of at least that share of them
    but the last, which takes what is left."""
    total = sum(rows[i] for i in queue)
    share = total / max(1, total // _ROUND_ROWS)
    groups, group, group_rows = [], [], 0
    for i in queue:
        group.append(i)
        group_rows += rows[i]
        if group_rows >= share:
            groups.append(group)
            group, group_rows = [], 0
    return groups + [group] if group else groups


def _average_states(states, shares):
    """The optimisers' states averaged: their vectors weighted by ``shares``, Adam's
    step count t the weighted mean, rounded."""
    averaged = {}
    for key, value in states[0].items():
        if isinstance(value, np.ndarray):
            averaged[key] = sum(share * state[key] for share, state in zip(shares, states))
            averaged[key] = averaged[key].astype(value.dtype)
        elif key == "t":
            mean = sum(share * state[key] for share, state in zip(shares, states))
            averaged[key] = int(round(mean))
        else:
            averaged[key] = value
    return averaged


# -- early stopping ------------------------------------------------------------


def hold_out(estimator, data, targets, split_rng):
    """Partitions to train on, and a monitor of the held-out partitions.

    ``validation_fraction`` of the partitions, at least one, drawn by
    ``split_rng``, are held out whole: no rows move.
    """
    partitions = data.U
    n_parts = len(partitions.futures)
    if estimator.scoring not in (None, "loss"):
        raise ValueError(
            f"scoring={estimator.scoring!r}: early stopping on dask input scores on the "
            "workers, by scoring=None (R², accuracy) or 'loss'."
        )
    n_valid = max(1, int(round(estimator.validation_fraction * n_parts)))
    if n_parts - n_valid < 1:
        raise ValueError(
            f"early_stopping on dask input holds out whole partitions: X has {n_parts}, too "
            "few to hold out validation_fraction of them and train on the rest. Give X more "
            "partitions, or early_stopping=False."
        )
    drawn = split_rng.permutation(n_parts)
    valid, train = sorted(drawn[:n_valid]), sorted(drawn[n_valid:])
    monitor = ClusterMonitor(partitions.subset(valid), targets, estimator.scoring)
    return ClusterData(partitions.subset(train)), monitor


class ClusterMonitor:
    """The validation loss and score of a network, on held-out partitions."""

    def __init__(self, partitions, targets, scoring):
        self.partitions, self.targets, self.scoring = partitions, targets, scoring

    def _sums(self, network):
        client = self.partitions.client
        theta, shared = _everywhere(client, network.theta), _everywhere(client, self.targets)
        return _gather(client, [
            client.submit(_validation_sums, part, theta, _layout(network), shared, pure=False)
            for part in self.partitions.futures
        ])  # fmt: skip

    def __call__(self, network):
        sums = _retried(self._sums, network)
        total = sum(s[1] for s in sums)
        valid_loss = sum(s[0] for s in sums) / total
        if self.scoring == "loss":
            return valid_loss, -valid_loss
        if hasattr(self.targets, "classes"):
            return valid_loss, sum(s[2][0] for s in sums) / total
        linear, square, error = (sum(s[2][k] for s in sums) for k in range(3))
        spread = square - linear**2 / total
        r2 = np.where(spread > 0, 1 - error / np.where(spread > 0, spread, 1.0),
                      np.where(error == 0, 1.0, 0.0))  # r2_score's convention  # fmt: skip
        return valid_loss, float(np.mean(r2))


# -- prediction ----------------------------------------------------------------


def _apply(estimator, method, block):
    return getattr(estimator, method)(block)


def predict_blocks(estimator, method, X):
    """``estimator.method`` of each block of the dask X, as a dask array of its rows."""
    import dask
    import dask.array as da

    estimator._check_fitted()
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"X must be 2-D; got a dask collection of {X.ndim} dimensions.")
    sample = _apply(estimator, method, _meta(X))  # the output's dtype and trailing shape
    blocks, lengths = _row_blocks(X)
    shared = dask.delayed(estimator, traverse=False)
    return da.concatenate([
        da.from_delayed(dask.delayed(_apply)(shared, method, block),
                        shape=(length, *sample.shape[1:]), dtype=sample.dtype)
        for block, length in zip(blocks, lengths)
    ])  # fmt: skip
