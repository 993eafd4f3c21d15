"""What the regressor and the classifier share: parameters, training, prediction.

The network maths lives in modules that know nothing of scikit-learn; this
base holds the estimator protocol around it: parameter and input validation,
the epoch loop with its stopping rules and bookkeeping, and the fitted
attributes named as in scikit-learn's MLP.
"""

import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._activations import HIDDEN_ACTIVATIONS
from ._losses import LOSSES
from ._network import Network, feedforward, penalty
from ._optimizers import SGD, Adam
from ._training import run_epoch

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API, so no set_callbacks

    class CallbackSupportMixin:
        pass


_MIN_ADAPTIVE_LEARNING_RATE = 1e-6


def _is_stochastic(estimator):
    return estimator.solver != "lbfgs"


class BaseSigmoidNet(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Base of the sigmoid-sum network estimators; not for direct use."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        *,
        activation,
        solver,
        alpha,
        batch_size,
        epochs,
        learning_rate,
        learning_rate_schedule,
        power_t,
        momentum,
        nesterovs_momentum,
        beta_1,
        beta_2,
        epsilon,
        shuffle,
        random_state,
        tol,
        n_iter_no_change,
        early_stopping,
        validation_fraction,
        warm_start,
        verbose,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.verbose = verbose

    # -- what the regressor and the classifier each define --------------------

    @abstractmethod
    def _encode_targets(self, y, *, first_call, classes=None):
        """Validated ``y`` as the network's 2-D target matrix Y, one column per output."""

    @abstractmethod
    def _output_activation(self):
        """The output layer's activation, once the targets are known."""

    @abstractmethod
    def _loss_name(self):
        """The key of the training loss in ``LOSSES``."""

    @abstractmethod
    def _score_outputs(self, Y, Y_hat, sample_weight):
        """The validation score (higher is better) of network outputs Y_hat."""

    def _class_weights(self, Y, sample_weight, incremental):
        """The sample weights, times the class weights where there are any."""
        return sample_weight

    def _stratify(self, Y):
        """Labels to stratify the validation split by, or None."""
        return None

    # -- fitting ---------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on (X, y) for up to ``epochs`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None weighs all equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: it trains on the data it "
                "is given and holds none out. Set early_stopping=False."
            )
        first_call = not hasattr(self, "coefs_") or not (incremental or self.warm_start)
        X, Y, sample_weight = self._validate_training_data(
            X, y, sample_weight, first_call=first_call, incremental=incremental, classes=classes
        )
        hidden_sizes = self._hidden_layer_sizes()
        network = Network(
            [X.shape[1], *hidden_sizes, Y.shape[1]],
            self._hidden_activations(len(hidden_sizes)),
            self._output_activation(),
            X.dtype,
        )
        rng = check_random_state(self.random_state)
        if first_call:
            network.initialize(rng)
            self._start_bookkeeping()
        else:
            self._check_continuation(network)
            network.set_parameters(self.coefs_, self.intercepts_)

        self.n_layers_ = len(network.W) + 1
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = network.activations[-1]
        # the fitted weights are views into θ from now on, also while training
        self.coefs_, self.intercepts_ = network.W, network.b

        n_tasks = 1 if incremental else self.epochs
        fit_task = self._init_callback_context(max_subtasks=n_tasks) if self._callbacks else None
        if fit_task:
            fit_task.call_on_fit_task_begin(estimator=self, X=X, y=Y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(network, X, Y, sample_weight, fit_task)
            else:
                self._fit_stochastic(network, X, Y, sample_weight, rng, incremental, fit_task)
        if fit_task:
            fit_task.call_on_fit_task_end(estimator=self, X=X, y=Y)
        return self

    @property
    def _callbacks(self):
        """Whether scikit-learn's callback API is there to report to."""
        return hasattr(self, "_init_callback_context")

    def _begin_task(self, fit_task, name, X, Y):
        """Open a subtask (an epoch, an lbfgs iteration) for the callbacks."""
        if fit_task is None:
            return None
        task = fit_task.subcontext(task_name=name)
        task.call_on_fit_task_begin(estimator=self, X=X, y=Y)
        return task

    def _end_task_asks_stop(self, task, network, X, Y):
        """Close the subtask; True when a callback asks training to stop."""
        if task is None:
            return False
        return task.call_on_fit_task_end(
            estimator=self,
            X=X,
            y=Y,
            reconstruction_attributes=lambda: {
                "coefs_": [W.copy() for W in network.W],
                "intercepts_": [b.copy() for b in network.b],
            },
        )

    def _validate_training_data(self, X, y, sample_weight, *, first_call, incremental, classes):
        dtype = (np.float64, np.float32) if first_call else self.coefs_[0].dtype
        X, y = validate_data(
            self,
            X,
            y,
            reset=first_call,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=dtype,
            y_numeric=is_regressor(self),
        )
        if sparse.issparse(X):
            X = X.tocsr()  # batches are row slices
        Y = self._encode_targets(y, first_call=first_call, classes=classes).astype(
            X.dtype, copy=False
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        sample_weight = self._class_weights(Y, sample_weight, incremental)
        return X, Y, sample_weight

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not all(isinstance(size, Integral) and size >= 1 for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold integers >= 1; got {self.hidden_layer_sizes!r}."
            )
        return sizes

    def _hidden_activations(self, n_hidden):
        if isinstance(self.activation, str):
            return [self.activation] * n_hidden
        activations = list(self.activation)
        if len(activations) != n_hidden:
            raise ValueError(
                f"activation has {len(activations)} entries but hidden_layer_sizes has "
                f"{n_hidden} hidden layers; give one activation per hidden layer."
            )
        unknown = [name for name in activations if name not in HIDDEN_ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"activation {unknown[0]!r} is not one of {sorted(HIDDEN_ACTIVATIONS)}."
            )
        return activations

    def _check_continuation(self, network):
        shapes = [W.shape for W in network.W]
        fitted = [W.shape for W in self.coefs_]
        if shapes != fitted:
            raise ValueError(
                "warm_start and partial_fit continue the fitted network, whose layer "
                f"shapes are {fitted}; the current parameters give {shapes}."
            )

    def _start_bookkeeping(self):
        self.n_updates_ = 0
        self.loss_curve_ = []
        self.history_ = {"epoch": [], "train_loss": [], "learning_rate": [], "duration_s": []}
        self.best_loss_ = np.inf
        self.validation_scores_ = self.best_validation_score_ = None
        self._no_improvement_count = 0
        self._optimizer_state = None

    def _make_optimizer(self, network):
        n_params, dtype = network.theta.size, network.dtype
        if self.solver == "sgd":
            return SGD(n_params, dtype, self.learning_rate, self.momentum, self.nesterovs_momentum)
        return Adam(n_params, dtype, self.learning_rate, self.beta_1, self.beta_2, self.epsilon)

    def _fit_stochastic(self, network, X, Y, sample_weight, rng, incremental, fit_task):
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            X, X_val, Y, Y_val, sample_weight, sw_val = self._validation_split(
                X, Y, sample_weight, rng
            )
            self._start_validation_bookkeeping()
        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        optimizer = self._make_optimizer(network)
        # continue the optimiser's state, unless the solver changed in between
        if (
            self._optimizer_state is not None
            and self._optimizer_state.keys() == optimizer.state.keys()
        ):
            optimizer.state = self._optimizer_state
        if not incremental:
            optimizer.learning_rate = self.learning_rate
        weight_total = n_samples if sample_weight is None else sample_weight.sum()
        loss = self._loss_name()
        last_good = network.theta.copy()
        best_theta = network.theta.copy() if early_stopping else None
        self.n_iter_ = 0
        stop = False
        try:
            for _ in range(1 if incremental else self.epochs):
                start = time.perf_counter()
                epoch = len(self.loss_curve_) + 1
                task = self._begin_task(fit_task, f"epoch {epoch}", X, Y)
                if self.learning_rate_schedule == "invscaling":
                    optimizer.learning_rate = self.learning_rate / epoch**self.power_t
                # one batch needs no shuffle, and skipping it keeps a full batch exact
                order = None
                if self.shuffle and n_samples > batch_size:
                    order = rng.permutation(n_samples)
                data_loss, n_updates = run_epoch(
                    network,
                    optimizer,
                    X,
                    Y,
                    sample_weight,
                    batch_size=batch_size,
                    loss=loss,
                    alpha=self.alpha,
                    order=order,
                )
                train_loss = float(data_loss + 0.5 * self.alpha * penalty(network.W) / weight_total)
                if not (np.isfinite(train_loss) and np.isfinite(network.theta).all()):
                    network.theta[...] = last_good
                    self._diverged(epoch)
                    stop = True
                    break
                last_good[...] = network.theta
                self.n_iter_ += 1
                self.n_updates_ += n_updates
                self.loss_ = train_loss
                self.loss_curve_.append(train_loss)
                row = {"epoch": epoch, "train_loss": train_loss}
                if early_stopping:
                    Y_hat = feedforward(X_val, network.W, network.b, network.activations)[-1]
                    row["valid_loss"] = _mean(LOSSES[loss](Y_val, Y_hat), sw_val)
                    row["valid_score"] = self._score_outputs(Y_val, Y_hat, sw_val)
                    self.validation_scores_.append(row["valid_score"])
                row["learning_rate"] = optimizer.learning_rate
                row["duration_s"] = time.perf_counter() - start
                self._record(row)

                stop = self._end_task_asks_stop(task, network, X, Y)
                if not incremental:
                    stop = self._no_improvement(row, optimizer) or stop
                # the best values move only after the stopping rule compared against them
                if early_stopping and row["valid_score"] > self.best_validation_score_:
                    self.best_validation_score_ = row["valid_score"]
                    best_theta[...] = network.theta
                self.best_loss_ = min(self.best_loss_, train_loss)
                if stop:
                    break
        except KeyboardInterrupt:
            network.theta[...] = last_good
            warnings.warn(
                "Training interrupted by the user; the weights of the last complete epoch "
                "are kept.",
                UserWarning,
            )
            stop = True
        self._optimizer_state = optimizer.state
        if early_stopping:
            network.theta[...] = best_theta
        if not (incremental or stop):
            warnings.warn(
                f"Training ran all epochs={self.epochs} and the monitored score was still "
                "improving; more epochs or a larger learning_rate may fit better.",
                ConvergenceWarning,
            )

    def _diverged(self, epoch):
        if not self.loss_curve_:
            raise ValueError(
                "Training diverged in the first epoch: the loss is not finite. The input "
                "data may hold values too large for the network; scale X (and y), or "
                "lower learning_rate."
            )
        warnings.warn(
            f"Training diverged in epoch {epoch}: the loss is not finite. The weights of "
            "the last finite epoch are kept; a smaller learning_rate or scaled inputs "
            "usually help.",
            ConvergenceWarning,
        )

    def _start_validation_bookkeeping(self):
        """Add the validation columns, the first time this model stops early."""
        if self.validation_scores_ is None:
            missing = [np.nan] * len(self.loss_curve_)
            self.history_.update(valid_loss=list(missing), valid_score=list(missing))
            self.validation_scores_, self.best_validation_score_ = [], -np.inf

    def _no_improvement(self, row, optimizer):
        """Update the stopping rule's counters; True when training should stop."""
        if self.early_stopping:
            improved = row["valid_score"] >= self.best_validation_score_ + self.tol
        else:
            improved = row["train_loss"] <= self.best_loss_ - self.tol
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        monitored = "validation score" if self.early_stopping else "training loss"
        if (
            self.learning_rate_schedule == "adaptive"
            and optimizer.learning_rate / 5 >= _MIN_ADAPTIVE_LEARNING_RATE
        ):
            optimizer.learning_rate /= 5
            self._no_improvement_count = 0
            if self.verbose:
                print(
                    f"The {monitored} did not improve: learning_rate now "
                    f"{optimizer.learning_rate:g}"
                )
            return False
        if self.verbose:
            print(
                f"The {monitored} did not improve by tol={self.tol} for "
                f"{self.n_iter_no_change} consecutive epochs. Stopping."
            )
        return True

    def _record(self, row):
        for key, value in row.items():
            self.history_[key].append(value)
        if self.verbose:
            columns = [key for key in self.history_ if key not in ("learning_rate", "duration_s")]
            columns.append("duration_s")
            if self.n_iter_ == 1:  # a header over each call's rows
                print(" ".join(f"{name:>12}" for name in columns))
            print(" ".join(_format_cell(row[name]) for name in columns))

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                f"samples; it is clipped to {n_samples}.",
                UserWarning,
            )
            return n_samples
        return self.batch_size

    def _validation_split(self, X, Y, sample_weight, rng):
        n_samples = X.shape[0]
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        stratify = self._stratify(Y)
        n_classes = 1 if stratify is None else len(np.unique(stratify))
        if n_valid < max(2, n_classes) or n_samples - n_valid < max(1, n_classes):
            per_class = f" each of the {n_classes} classes" if n_classes > 1 else ""
            raise ValueError(
                f"early_stopping holds out validation_fraction={self.validation_fraction} "
                f"of the {n_samples} samples: {n_valid} to validate and "
                f"{n_samples - n_valid} to train on, too few to score{per_class}. Give more "
                "samples or a larger validation_fraction."
            )
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        try:
            split = train_test_split(
                *arrays, test_size=n_valid, random_state=rng, stratify=stratify
            )
        except ValueError as error:
            raise ValueError(
                f"early_stopping could not hold out a stratified validation set: {error}"
            ) from error
        if sample_weight is None:
            split += [None, None]
        return split

    def _fit_lbfgs(self, network, X, Y, sample_weight, fit_task):
        loss, theta = self._loss_name(), network.theta
        weight_total = X.shape[0] if sample_weight is None else sample_weight.sum()
        iterate = theta.astype(np.float64)  # scipy works in float64
        self.n_iter_ = 0
        # the clock, the open callback task, and whether a callback stopped training
        state = {"clock": time.perf_counter(), "stopped": False}
        state["task"] = self._begin_task(fit_task, "iteration 1", X, Y)

        def objective(x):
            theta[...] = x
            data_loss = network.loss_and_gradient(X, Y, sample_weight, loss, self.alpha)
            value = data_loss + 0.5 * self.alpha * penalty(network.W) / weight_total
            return float(value), network.grad.astype(np.float64)

        def record_iteration(intermediate_result):
            iterate[...] = intermediate_result.x
            self.n_iter_ += 1
            self.loss_curve_.append(float(intermediate_result.fun))
            now = time.perf_counter()
            self._record(
                {
                    "epoch": len(self.loss_curve_),
                    "train_loss": self.loss_curve_[-1],
                    "learning_rate": np.nan,
                    "duration_s": now - state["clock"],
                }
            )
            state["clock"] = now
            theta[...] = iterate  # the callbacks see this iterate, not a line-search probe
            task, state["task"] = state["task"], None
            if self._end_task_asks_stop(task, network, X, Y):
                state["stopped"] = True
                raise StopIteration  # scipy ends the minimisation at this iterate
            if self.n_iter_ < self.epochs:
                state["task"] = self._begin_task(fit_task, f"iteration {self.n_iter_ + 1}", X, Y)

        try:
            result = scipy.optimize.minimize(
                objective,
                iterate.copy(),
                method="L-BFGS-B",
                jac=True,
                callback=record_iteration,
                options={"maxiter": self.epochs, "gtol": self.tol},
            )
            if np.isfinite(result.x).all():
                iterate = result.x
            if result.status != 0 and not state["stopped"]:
                warnings.warn(
                    f"lbfgs stopped before converging ({result.message}); epochs caps its "
                    f"iterations at {self.epochs}.",
                    ConvergenceWarning,
                )
        except KeyboardInterrupt:
            warnings.warn(
                "Training interrupted by the user; the last lbfgs iterate is kept.", UserWarning
            )
        if state["task"] is not None:  # opened for an iteration that scipy did not run
            state["task"].call_on_fit_task_end(estimator=self)
        self.loss_ = objective(iterate)[0]
        self.n_updates_ += self.n_iter_
        self.best_loss_ = min(self.best_loss_, self.loss_)

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for exactly one epoch on (X, y), continuing any previous training.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None weighs all equally.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    # -- prediction ------------------------------------------------------------

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coefs_")

    def _check_fitted(self):
        # what check_is_fitted does, minus its generic look-ups: a tenth of
        # the time of predicting one row
        if not hasattr(self, "coefs_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' first."
            )

    def _forward(self, X, output_activation=None):
        """Every layer's output for validated X; the output layer's last."""
        self._check_fitted()
        X = validate_data(
            self, X, reset=False, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
        )
        activations = self._hidden_activations(self.n_layers_ - 2)
        activations.append(output_activation or self.out_activation_)
        return feedforward(X, self.coefs_, self.intercepts_, activations)

    def decompose(self, X):
        """The last hidden layer's per-unit contributions cᵢ·aᵢ(x) to the output.

        The lecture's curve is a constant plus a sum of sigmoids,
        ŷ = b + Σᵢ cᵢ·σ(bᵢ + Σⱼ wᵢⱼ xⱼ); this returns the terms of that sum, so
        that ``intercepts_[-1] + decompose(X).sum(axis=1)`` is the output
        layer's raw value r (before the output activation).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_units) or \
                (n_samples, n_units, n_outputs)
            cᵢ·aᵢ(x) for each unit i of the last hidden layer; the output axis
            is there when the network has several outputs.
        """
        self._check_fitted()
        if self.n_layers_ < 3:
            raise ValueError("decompose needs at least one hidden layer; this network has none.")
        a = self._forward(X)[-2]
        c = self.coefs_[-1]
        contributions = a[:, :, np.newaxis] * c[np.newaxis, :, :]
        return contributions[:, :, 0] if c.shape[1] == 1 else contributions

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _mean(values, sample_weight):
    return float(np.average(values, weights=sample_weight))


def _format_cell(value):
    if isinstance(value, Integral):
        return f"{value:>12d}"
    return f"{value:>12.6g}"
