"""What the regressor and the classifier share: the estimator protocol.

``fit`` and ``partial_fit`` validate the input and build everything anew: the
network, the training settings and the fitted attributes. The training run
(``_training``) works on those alone, and the fitted attributes replace the
estimator's in one step at the end, so that a call that raises leaves the
estimator as it was. Prediction reads fitted attributes only.
"""

import copy
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    is_regressor,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import TransformerTags, check_array, check_consistent_length, check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._activations import HIDDEN_ACTIVATIONS
from ._losses import per_sample_loss
from ._network import Network, feedforward
from ._optimizers import OPTIMIZERS
from ._training import Hooks, Progress, Settings, train_lbfgs, train_stochastic

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API, so no set_callbacks

    class CallbackSupportMixin:
        pass


# The "auto" settings, as benchmarks/bench_defaults.py measured them best
# (docs/defaults.rst): early stopping from this many samples on, below which a
# validation share would be too small to judge by; batches of this many rows;
# and η for networks of sigmoid units or of others. Sigmoid units pass on at
# most a quarter of the gradient (σ' ≤ 1/4), so they take larger steps.
_AUTO_EARLY_STOPPING_SAMPLES = 100
_AUTO_BATCH_SIZE = 32
_AUTO_LEARNING_RATE = {"sigmoid": 0.005, "other": 0.001}
# A fit whose loss fell by less than this fraction of where it started did not train.
_NO_PROGRESS = 1e-6
# what scikit-learn's callback API keeps on the estimator during a fit only
_FIT_CONTEXT_ATTRIBUTES = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


def _is_stochastic(estimator):
    return estimator.solver != "lbfgs"


class BaseSigmoidNet(
    CallbackSupportMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base of the sigmoid-sum network estimators; not for direct use."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
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
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "scoring": [str, callable, None],
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
        scoring,
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
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.verbose = verbose

    def _validate_params(self):
        if self.learning_rate in ("constant", "invscaling", "adaptive"):
            # scikit-learn's MLP names its schedule learning_rate, and the step learning_rate_init
            raise InvalidParameterError(
                f"learning_rate={self.learning_rate!r}: learning_rate is the step size η, a "
                'float > 0 or "auto". The schedule is learning_rate_schedule: use '
                f"learning_rate_schedule={self.learning_rate!r}. (scikit-learn's MLP calls "
                "the schedule learning_rate and the step size learning_rate_init.)"
            )
        super()._validate_params()

    # -- what the regressor and the classifier each define --------------------
    # ``targets`` is the dict of fitted attributes that describe the targets
    # (the classifier's classes_, the regressor's scaling), as _encode_targets
    # returns it.

    @abstractmethod
    def _encode_targets(self, y, sample_weight, *, continuing, classes=None):
        """The validated ``y`` as the network's 2-D target matrix Y, and ``targets``.

        When ``continuing``, the targets must fit the fitted ``targets``.
        """

    @abstractmethod
    def _encode_validation_targets(self, y_val, targets):
        """The validation targets as a target matrix, encoded as for ``targets``."""

    @abstractmethod
    def _output_activation(self, targets):
        """The output layer's activation."""

    @abstractmethod
    def _loss_name(self, out_activation):
        """The name of the training loss (a key of ``LOSSES``, or "quantile")."""

    @abstractmethod
    def _score_outputs(self, Y, Y_hat, sample_weight, out_activation):
        """The validation score (higher is better) of network outputs Y_hat."""

    def _class_weights(self, Y, sample_weight, incremental, targets):
        """The sample weights, times the class weights where there are any."""
        return sample_weight

    def _stratify(self, Y, targets):
        """Labels to stratify the validation split by, or None."""
        return None

    def _quantile_level(self):
        """The α of the "quantile" loss; None for every other loss."""
        return None

    def _fold_output(self, W, b, fitted):
        """The output layer's c and b as fitted attributes, from those trained."""
        return W, b

    def _unfold_output(self, W, b, fitted):
        """The output layer's c and b to train on, from the fitted attributes."""
        return W, b

    # -- fitting ---------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Train the network on (X, y) for up to ``epochs`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None weighs all equally.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Data for early stopping to validate on, instead of holding out
            ``validation_fraction`` of X; it switches early stopping on
            when ``early_stopping="auto"``. In a Pipeline, the steps before
            can transform it too with ``Pipeline(..., transform_input=["X_val"])``.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            The targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(
            X, y, sample_weight, incremental=False,
            validation=(X_val, y_val, sample_weight_val),
        )  # fmt: skip

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

    def _fit(self, X, y, sample_weight, *, incremental, classes=None, validation=(None,) * 3):
        given_validation = any(value is not None for value in validation)
        self._check_fit_parameters(incremental, given_validation)
        continuing = self.__sklearn_is_fitted__() and (incremental or self.warm_start)
        X, y, fitted, holder = self._validate_input(X, y, continuing)
        if sample_weight is not None:
            sample_weight = _checked_sample_weight(sample_weight, X, "The sample weights")
        Y, targets = self._encode_targets(y, sample_weight, continuing=continuing, classes=classes)
        Y = Y.astype(X.dtype, copy=False)
        fitted.update(targets)
        sample_weight = self._weighted(Y, sample_weight, incremental, targets)
        if given_validation and self.solver != "lbfgs":
            validation = self._validation_data(holder, *validation, X.dtype, targets)
        else:
            validation = None

        hidden_sizes = self._hidden_layer_sizes()
        fitted.update(
            n_layers_=len(hidden_sizes) + 2,
            n_outputs_=Y.shape[1],
            hidden_activations_=self._hidden_activations(len(hidden_sizes)),
            out_activation_=self._output_activation(targets),
        )
        network = Network(
            [X.shape[1], *hidden_sizes, Y.shape[1]],
            fitted["hidden_activations_"],
            fitted["out_activation_"],
            X.dtype,
        )
        rng = check_random_state(self.random_state)
        if continuing:
            self._check_continuation(network)
            network.set_parameters(self.coefs_, self.intercepts_)
            network.W[-1][...], network.b[-1][...] = self._unfold_output(
                network.W[-1], network.b[-1], fitted
            )
            progress = self._progress()
        else:
            network.initialize(rng)
            progress = Progress()

        def model(network):  # a copy of this estimator with these is a fitted model
            return {**fitted, **self._fitted_weights(network, fitted, copy=True)}

        monitor = None
        if validation is not None or self._holds_out(X.shape[0], incremental):
            X, y, Y, sample_weight, monitor = self._hold_out(
                X, y, Y, sample_weight, rng, fitted, model, validation
            )
        settings = self._settings(
            X.shape[0], incremental, fitted["hidden_activations_"], fitted["out_activation_"]
        )

        fit_task = hooks = None
        if hasattr(self, "_init_callback_context"):  # scikit-learn's callback API is there
            fit_task = self._init_callback_context(max_subtasks=1 if incremental else self.epochs)
            fit_task.call_on_fit_task_begin(estimator=self, X=X, y=Y)
            hooks = _CallbackHooks(self, fit_task, X, Y, model)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                result = train_lbfgs(network, X, Y, sample_weight, settings, progress, hooks=hooks)
            else:
                optimizer = self._make_optimizer(
                    network, progress.optimizer_state, settings.learning_rate
                )
                result = train_stochastic(
                    network, optimizer, X, Y, sample_weight, settings, progress, rng,
                    monitor=monitor, hooks=hooks,
                )  # fmt: skip
        self._report(result, settings, continuing=continuing, X=X, Y=Y)

        progress = result.progress
        fitted.update(
            self._fitted_weights(network, fitted),
            n_iter_=result.n_iter,
            n_updates_=result.n_updates + (self.n_updates_ if continuing else 0),
            loss_=progress.loss,
            best_loss_=progress.best_loss,
            loss_curve_=list(progress.history["train_loss"]),
            history_=progress.history,
            validation_scores_=progress.validation_scores,
            best_validation_score_=progress.best_validation_score,
            _start_loss=progress.start_loss,
            _optimizer_state=progress.optimizer_state,
        )
        self._commit(fitted)
        if fit_task:
            fit_task.call_on_fit_task_end(estimator=self, X=X, y=Y)
        return self

    def _check_fit_parameters(self, incremental, given_validation):
        if incremental and self.__sklearn_is_fitted__():
            # _fit_context leaves the parameters of a fitted model's partial_fit unchecked
            self._validate_params()
        explicit = self.early_stopping not in ("auto", False)
        if incremental and explicit:
            raise ValueError(
                "partial_fit does not support early_stopping=True: it trains on the data it "
                'is given and holds none out. Set early_stopping="auto" or False.'
            )
        if given_validation and not explicit and self.early_stopping != "auto":
            raise ValueError(
                "X_val and y_val are data for early stopping, which early_stopping=False "
                'switches off; set early_stopping="auto" or True to use them.'
            )
        if self.solver == "lbfgs" and (explicit or given_validation):
            warnings.warn(
                "Early stopping (early_stopping=True, or X_val and y_val) is ignored by "
                "solver='lbfgs', which trains on all of the data at once; use "
                "solver='adam' or 'sgd' to stop early.",
                UserWarning,
            )

    def _weighted(self, Y, sample_weight, incremental, targets):
        """The sample weights times the class weights, checked to add up."""
        weighted = self._class_weights(Y, sample_weight, incremental, targets)
        if weighted is not sample_weight:
            what = "class weights" if sample_weight is None else "sample times class weights"
            _check_weight_total(weighted, f"The samples' {what}")
        return weighted

    def _validation_data(self, holder, X_val, y_val, sample_weight_val, dtype, targets):
        """The validation data given to fit, checked like the training data."""
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val go together: give both, or neither.")
        X_val = validate_data(holder, X_val, reset=False, accept_sparse=["csr", "csc"], dtype=dtype)
        if sparse.issparse(X_val):
            X_val = X_val.tocsr()
        y_val = check_array(y_val, ensure_2d=False, dtype=None, input_name="y_val")
        check_consistent_length(X_val, y_val)
        Y_val = self._encode_validation_targets(y_val, targets).astype(dtype, copy=False)
        if sample_weight_val is not None:
            sample_weight_val = _checked_sample_weight(
                sample_weight_val, X_val, "The validation sample weights"
            )
        sample_weight_val = self._weighted(Y_val, sample_weight_val, False, targets)
        return X_val, y_val, Y_val, sample_weight_val

    def _validate_input(self, X, y, continuing):
        """Validated X and y, the fitted attributes that describe X, and the
        estimator that recorded them (to check validation data against)."""
        # validate_data(reset=True) records n_features_in_ and feature_names_in_ on
        # the estimator it is given: a copy keeps them off this one until the commit
        holder = self if continuing else copy.copy(self)
        X, y = validate_data(
            holder,
            X,
            y,
            reset=not continuing,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=self.coefs_[0].dtype if continuing else (np.float64, np.float32),
            y_numeric=is_regressor(self),
        )
        if sparse.issparse(X):
            X = X.tocsr()  # batches are row slices
        fitted = {"n_features_in_": holder.n_features_in_}
        if hasattr(holder, "feature_names_in_"):
            fitted["feature_names_in_"] = holder.feature_names_in_
        return X, y, fitted, holder

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not all(isinstance(size, Integral) and size >= 1 for size in sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold integers >= 1; got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(size) for size in sizes)

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
        if network.activations[-1] != self.out_activation_:
            raise ValueError(
                "warm_start and partial_fit continue the fitted network, whose output "
                f"activation is {self.out_activation_!r}; the current loss needs "
                f"{network.activations[-1]!r}."
            )

    def _progress(self):
        """What the fitted model hands on to a continuing fit."""
        return Progress(
            history=self.history_,
            start_loss=self._start_loss,
            loss=self.loss_,
            best_loss=self.best_loss_,
            validation_scores=self.validation_scores_,
            best_validation_score=self.best_validation_score_,
            optimizer_state=self._optimizer_state,
        )

    def _settings(self, n_samples, incremental, hidden_activations, out_activation):
        return Settings(
            loss=self._loss_name(out_activation),
            alpha=self.alpha,
            quantile_level=self._quantile_level(),
            epochs=1 if incremental else self.epochs,
            batch_size=self._batch_size(n_samples),
            learning_rate=self._learning_rate(hidden_activations),
            schedule=self.learning_rate_schedule,
            power_t=self.power_t,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            stopping_rule=not incremental,
            verbose=self.verbose,
        )

    def _learning_rate(self, hidden_activations):
        if self.learning_rate != "auto":
            return self.learning_rate
        sigmoid = all(name in ("sigmoid", "logistic") for name in hidden_activations)
        return _AUTO_LEARNING_RATE["sigmoid" if sigmoid else "other"]

    def _batch_size(self, n_samples):
        if self.solver == "lbfgs":
            return n_samples
        if self.batch_size == "auto":
            return min(_AUTO_BATCH_SIZE, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                f"samples; it is clipped to {n_samples}.",
                UserWarning,
            )
            return n_samples
        return self.batch_size

    def _make_optimizer(self, network, state, learning_rate):
        n_params, dtype = network.theta.size, network.dtype
        if self.solver == "sgd":
            optimizer = OPTIMIZERS["sgd"](
                n_params, dtype, learning_rate, self.momentum, self.nesterovs_momentum
            )
        else:
            optimizer = OPTIMIZERS["adam"](
                n_params, dtype, learning_rate, self.beta_1, self.beta_2, self.epsilon
            )
        # continue the optimiser's state, unless the solver changed in between
        if state is not None and state["solver"] == optimizer.name:
            optimizer.state = state
        return optimizer

    def _holds_out(self, n_samples, incremental):
        """Whether this fit holds out a validation set for early stopping."""
        if incremental or self.solver == "lbfgs":
            return False
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_SAMPLES
        return self.early_stopping

    def _hold_out(self, X, y, Y, sample_weight, rng, fitted, model, validation):
        """The training data, and a monitor of the validation data.

        The validation data are those given to ``fit``, or else a held-out
        part of the training data. The monitor gives the validation loss and
        the score that early stopping watches: the negative loss for
        ``scoring="loss"``, the estimator's own score (R², accuracy) for None,
        else the scorer's, of ``model(network)``: the network's weights as a
        fitted estimator.
        """
        if validation is not None:
            X_val, y_val, Y_val, sw_val = validation
        else:
            train, valid = self._validation_split(Y, sample_weight, rng, fitted)
            X, X_val = X[train], X[valid]
            y, y_val, Y, Y_val = y[train], y[valid], Y[train], Y[valid]
            sw_val = None
            if sample_weight is not None:
                sample_weight, sw_val = sample_weight[train], sample_weight[valid]
        out_activation = fitted["out_activation_"]
        loss = self._loss_name(out_activation)
        scorer = None
        if self.scoring not in ("loss", None):
            scorer = check_scoring(self, scoring=self.scoring)
            weights = {} if sw_val is None else {"sample_weight": sw_val}

        def monitor(network):
            Y_hat = feedforward(X_val, network.W, network.b, network.activations)[-1]
            losses = per_sample_loss(loss, Y_val, Y_hat, self._quantile_level())
            valid_loss = float(np.average(losses, weights=sw_val))
            if self.scoring == "loss":
                return valid_loss, -valid_loss
            if scorer is None:
                return valid_loss, float(self._score_outputs(Y_val, Y_hat, sw_val, out_activation))
            estimator = copy.copy(self)
            estimator.__dict__.update(model(network))
            return valid_loss, float(scorer(estimator, X_val, y_val, **weights))

        return X, y, Y, sample_weight, monitor

    def _validation_split(self, Y, sample_weight, rng, targets):
        """The row indices to train on and to validate on."""
        n_samples = Y.shape[0]
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        stratify = self._stratify(Y, targets)
        n_classes = 1 if stratify is None else len(np.unique(stratify))
        if n_valid < max(2, n_classes) or n_samples - n_valid < max(1, n_classes):
            per_class = f" each of the {n_classes} classes" if n_classes > 1 else ""
            raise ValueError(
                f"early_stopping holds out validation_fraction={self.validation_fraction} "
                f"of the {n_samples} samples: {n_valid} to validate and "
                f"{n_samples - n_valid} to train on, too few to score{per_class}. Give more "
                "samples or a larger validation_fraction."
            )
        try:
            train, valid = train_test_split(
                np.arange(n_samples), test_size=n_valid, random_state=rng, stratify=stratify
            )
        except ValueError as error:
            raise ValueError(
                f"early_stopping could not hold out a stratified validation set: {error}"
            ) from error
        if sample_weight is not None:
            _check_weight_total(sample_weight[train], "The sample weights of the training split")
            _check_weight_total(sample_weight[valid], "The sample weights of the validation split")
        return train, valid

    def _report(self, result, settings, *, continuing, X, Y):
        """Raise or warn about how training ended: before the commit, so that a
        warning that is turned into an error leaves the estimator as it was."""
        progress = result.progress
        # a first fit that never got below its random starting weights has nothing to keep
        if not (continuing or progress.best_loss < progress.start_loss * (1 - _NO_PROGRESS)):
            if result.outcome == "diverged":
                raise ValueError(
                    f"Training diverged before it improved on the starting weights: "
                    f"{result.message}. {self._divergence_hint(X, Y, settings, diverged=True)}"
                )
            hint = self._divergence_hint(X, Y, settings, diverged=False)
            warnings.warn(
                "Training did not lower the loss from the starting weights' "
                f"{progress.start_loss:.4g}. {hint}",
                ConvergenceWarning,
            )
        elif result.outcome == "diverged":
            if self.solver == "lbfgs":  # it has no optimiser state and no learning_rate
                hint = self._divergence_hint(X, Y, settings, diverged=True)
                advice = f"kept. {hint or 'Scaled inputs usually help.'}"
            else:
                advice = (
                    "kept and the optimiser's state is reset; a smaller learning_rate, or "
                    "scaled inputs, usually help."
                )
            warnings.warn(
                f"Training diverged: {result.message}. The weights with the lowest training "
                f"loss are {advice}",
                ConvergenceWarning,
            )
        elif result.outcome == "interrupted":
            warnings.warn(
                "Training interrupted by the user; the weights of the last complete epoch "
                "are kept.",
                UserWarning,
            )
        elif result.outcome == "ran_out" and self.solver == "lbfgs":
            warnings.warn(
                f"lbfgs stopped before converging ({result.message}); epochs caps its "
                f"iterations at {self.epochs}.",
                ConvergenceWarning,
            )
        elif result.outcome == "ran_out":
            warnings.warn(
                f"Training ran all epochs={self.epochs} and the monitored score was still "
                "improving; more epochs or a larger learning_rate may fit better.",
                ConvergenceWarning,
            )

    def _divergence_hint(self, X, Y, settings, *, diverged):
        causes = []
        for name, values in [("X", X), ("y", Y)]:
            largest = abs(values).max()
            if largest > 1e3:  # standardised data stays within a few units
                causes.append(f"{name} holds values as large as {largest:.3g}; scale it")
        if diverged and self.solver != "lbfgs":
            causes.append(f"learning_rate={settings.learning_rate:g} may be too large")
        return f"Likely causes: {'; '.join(causes)}." if causes else ""

    def _fitted_weights(self, network, fitted, copy=False):
        """coefs_ and intercepts_ of the trained network, the output layer folded.

        Without ``copy`` they may be views into θ: a network that no one trains
        any further.
        """
        coefs, intercepts = list(network.W), list(network.b)
        if copy:
            coefs, intercepts = [W.copy() for W in coefs], [b.copy() for b in intercepts]
        coefs[-1], intercepts[-1] = self._fold_output(coefs[-1], intercepts[-1], fitted)
        return {"coefs_": coefs, "intercepts_": intercepts}

    def _commit(self, fitted):
        """Replace every fitted attribute at once."""
        if "feature_names_in_" not in fitted:
            self.__dict__.pop("feature_names_in_", None)
        self.__dict__.update(fitted)

    def __getstate__(self):
        # a model pickled from within a callback leaves the fit's context behind
        state = dict(super().__getstate__())
        for name in _FIT_CONTEXT_ATTRIBUTES:
            state.pop(name, None)
        return state

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
        activations = [*self.hidden_activations_, output_activation or self.out_activation_]
        outputs = feedforward(X, self.coefs_, self.intercepts_, activations)
        if not np.isfinite(outputs[-1]).all():
            warnings.warn(
                "The network's output is not finite (inf or NaN) for some samples: X, or "
                "the fitted weights, are far from the scale the network was trained at.",
                RuntimeWarning,
            )
        return outputs

    @property
    def _n_features_out(self):
        """Units of the last hidden layer: the features that transform gives."""
        return self.coefs_[-1].shape[0]

    def transform(self, X):
        """The learned features: the last hidden layer's outputs a = σ(b + W x).

        The output layer fits ŷ = b + cᵀa on these; any other model can too.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            The outputs of the last hidden layer's units.
        """
        self._check_fitted()
        if self.n_layers_ < 3:
            raise ValueError("transform needs at least one hidden layer; this network has none.")
        return self._forward(X)[-2]

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
        # transform gives the learned features; the estimator stays a regressor
        # or classifier (its estimator_type), and float32 stays float32
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64", "float32"])
        return tags


def _checked_sample_weight(sample_weight, X, what):
    """The sample weights in X's dtype, checked to add up.

    They are checked in float64 first, so that weights that the cast to float32
    turns into zeros are not taken for weights given as zeros.
    """
    given = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    weights = check_array(given, ensure_2d=False, dtype=X.dtype, input_name="sample_weight")
    _check_weight_total(weights, what, given)
    return weights


def _check_weight_total(sample_weight, what, given=None):
    total = float(sample_weight.sum())
    tiny = np.finfo(sample_weight.dtype).tiny
    if not total >= tiny:
        cast = ""
        if given is not None and given.sum() >= np.finfo(given.dtype).tiny:
            # enough as given: the cast to X's dtype made them zeros, or too small
            lost = np.count_nonzero(given) - np.count_nonzero(sample_weight)
            made = f"made {lost} of them 0" if lost else "made them this small"
            cast = (
                f" As given they sum to {given.sum():.3g}: the cast to {sample_weight.dtype}, "
                f"X's dtype, {made}. Scale them up (alpha's L2 term is divided by the "
                "training weights' total)."
            )
        raise ValueError(
            f"{what} sum to {total:g}: training needs a positive total weight, and one "
            f"large enough to compute with (at least one sample weighing more than {tiny:.3g})."
            f"{cast}"
        )


class _CallbackHooks(Hooks):
    """The training run's epochs as tasks of scikit-learn's callback API.

    ``model(network)`` gives the fitted attributes of the network trained so far.
    """

    def __init__(self, estimator, fit_task, X, Y, model):
        self.estimator, self.fit_task, self.X, self.Y = estimator, fit_task, X, Y
        self.model = model
        self.unit = "iteration" if estimator.solver == "lbfgs" else "epoch"

    def begin(self, epoch):
        task = self.fit_task.subcontext(task_name=f"{self.unit} {epoch}")
        task.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.Y)
        return task

    def end(self, task, network):
        if task is None:
            return False
        if network is None:
            task.call_on_fit_task_end(estimator=self.estimator)
            return False
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.Y,
            reconstruction_attributes=lambda: self.model(network),
        )
