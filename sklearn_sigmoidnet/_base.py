"""What the regressor and the classifier share: the estimator protocol.

``fit`` and ``partial_fit`` check the input, fit what the estimator learns
about the data (the input encoding, ``_input_encoding``, folded into the first
layer, and the target encoding, ``_target_encoding``, folded into the last),
and build a network. The training run (``_training``) works on that network
alone, and the fitted attributes replace the estimator's in one step at the
end, so that a call that raises leaves the estimator as it was. Prediction
reads fitted attributes only.
"""

import functools
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils import TransformerTags, check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from ._activations import HIDDEN_ACTIVATIONS
from ._callbacks import CallbackSupportMixin, callback_hooks
from ._dask import blockwise
from ._engines import ENGINES
from ._fit_input import check_fit_input, check_validation_input
from ._folding import folded, network_for, unfold_into
from ._input_encoding import InputEncoding, as_table, header
from ._network import feedforward
from ._outcome import raise_or_warn
from ._persistence import plain_state, restored_state
from ._run import Progress
from ._settings import check_early_stopping, plan_fit
from ._training import train_lbfgs, train_stochastic


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
        "n_members": [Interval(Integral, 1, None, closed="left")],
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
        "engine": [StrOptions(set(ENGINES))],
        "normalize_X": ["boolean"],
        "numeric_bins": [Interval(Integral, 2, None, closed="left"), None],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "max_categories": [Interval(Integral, 2, None, closed="left")],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        *,
        activation,
        n_members,
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
        engine,
        normalize_X,
        numeric_bins,
        categorical_features,
        max_categories,
        min_frequency,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_members = n_members
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
        self.engine = engine
        self.normalize_X = normalize_X
        self.numeric_bins = numeric_bins
        self.categorical_features = categorical_features
        self.max_categories = max_categories
        self.min_frequency = min_frequency

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

    @abstractmethod
    def _new_target_encoding(self):
        """An unfitted target encoding (``_target_encoding``) of these parameters."""

    def _new_input_encoding(self):
        return InputEncoding(
            scale=self.normalize_X,
            categorical_features=self.categorical_features,
            max_categories=self.max_categories,
            min_frequency=self.min_frequency,
            bins=self.numeric_bins,
        )

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
        if incremental and self.__sklearn_is_fitted__():
            # _fit_context leaves the parameters of a fitted model's partial_fit unchecked
            self._validate_params()
        check_early_stopping(self, incremental, any(value is not None for value in validation))
        continuing = self.__sklearn_is_fitted__() and (incremental or self.warm_start)
        given = check_fit_input(self, X, y, sample_weight, continuing=continuing,
                                incremental=incremental, classes=classes)  # fmt: skip
        inputs, targets = given.inputs, given.targets
        plan = plan_fit(self, targets, incremental)
        network = network_for(plan, inputs, targets)
        rng = check_random_state(self.random_state)
        if continuing:
            unfold_into(network, self, inputs, targets)
            progress = self._progress()
        else:
            network.initialize(rng, input_width=inputs.n_dense + inputs.n_category_columns)
            progress = Progress()
        fitted = {**given.attributes, **self._fitted_architecture(network, inputs, targets)}
        model = functools.partial(self._model, fitted, inputs, targets)
        data, monitor, split_state = self._early_stopping(
            given, plan, validation, rng, continuing, model
        )
        if split_state is not None:
            fitted["_split_state"] = split_state
        settings = plan.run_settings(data.n_rows)
        n_tasks = 1 if incremental else self.epochs
        fit_task, hooks = callback_hooks(self, n_tasks, X, y, model)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), data.client_threads():
            if plan.solver == "lbfgs":
                result = train_lbfgs(network, data, settings, progress, hooks=hooks)
            else:
                optimizer = plan.optimizer(network, progress.optimizer_state)
                result = train_stochastic(network, optimizer, data, settings, progress, rng,
                                          monitor=monitor, hooks=hooks)  # fmt: skip
        raise_or_warn(result, plan.solver, settings, continuing=continuing, data=data)
        fitted.update(folded(network, inputs, targets))
        fitted.update(self._fitted_progress(result, continuing))
        self._commit(fitted)
        if fit_task:
            fit_task.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _fitted_architecture(self, network, inputs, targets):
        return {
            "_input_encoding": inputs,
            "_target_encoding": targets,
            "n_layers_": len(network.W) + 1,
            "n_outputs_": targets.n_outputs,
            "hidden_activations_": network.activations[:-1],
            "out_activation_": targets.out_activation,
            "input_names_": inputs.names,
            **targets.attributes,
        }

    def _model(self, fitted, inputs, targets, network):
        """The fitted attributes of a model of ``network``'s weights: a copy of this
        estimator with these predicts as the network does."""
        return {**fitted, **folded(network, inputs, targets)}

    def _early_stopping(self, given, plan, validation, rng, continuing, model):
        """The data to train on, early stopping's monitor (or None), and the
        random state of the split (None when nothing is held out).

        Early stopping watches the validation data given to fit, or a share of
        the fit's data held out. A warm start holds out as its first fit did,
        so that it validates on the same rows and compares with the same best
        score.
        """
        data, targets = given.data, given.targets
        if any(value is not None for value in validation) and plan.solver != "lbfgs":
            valid = check_validation_input(given, *validation)
            return data, valid.monitor(self, targets, model), None
        if not plan.holds_out(data.n_rows):
            return data, None, None
        split_state = self.__dict__.get("_split_state") if continuing else None
        if split_state is None:
            split_state, split_rng = rng.get_state(), rng
        else:
            split_rng = np.random.RandomState()
            split_rng.set_state(split_state)
        train, valid = data.hold_out(plan.validation_fraction, split_rng, targets)
        return train, valid.monitor(self, targets, model), split_state

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
            epochs_without_improvement=self._epochs_without_improvement,
        )

    def _fitted_progress(self, result, continuing):
        progress = result.progress
        return {
            "n_iter_": result.n_iter,
            "n_updates_": result.n_updates + (self.n_updates_ if continuing else 0),
            "loss_": progress.loss,
            "best_loss_": progress.best_loss,
            "loss_curve_": list(progress.history["train_loss"]),
            "history_": progress.history,
            "validation_scores_": progress.validation_scores,
            "best_validation_score_": progress.best_validation_score,
            "_start_loss": progress.start_loss,
            "_optimizer_state": progress.optimizer_state,
            "_epochs_without_improvement": progress.epochs_without_improvement,
        }

    def _commit(self, fitted):
        """Replace every fitted attribute at once."""
        if "feature_names_in_" not in fitted:
            self.__dict__.pop("feature_names_in_", None)
        self.__dict__.update(fitted)

    def __getstate__(self):
        return plain_state(super().__getstate__())

    def __setstate__(self, state):
        super().__setstate__(restored_state(state))

    # -- prediction ------------------------------------------------------------

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coefs_")

    def _check_fitted(self):
        # what check_is_fitted does, minus its generic look-ups (it computes the
        # estimator's tags), a noticeable share of predicting one row
        if not hasattr(self, "coefs_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' first."
            )

    def _forward(self, X, output_activation=None):
        """Every layer's output for validated X; the output layer's last."""
        self._check_fitted()
        X = as_table(X)
        validate_data(self, header(X), reset=False, skip_check_array=True)
        inputs = self._input_encoding
        U = inputs.encode(inputs.check(X), scaled=False)
        activations = [*self.hidden_activations_, output_activation or self.out_activation_]
        outputs = feedforward(
            U, self.coefs_, self.intercepts_, activations, inputs.n_category_columns
        )
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

    @blockwise
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

    @blockwise
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
        tags.input_tags.sparse = self.numeric_bins is None  # ramps are a dense input
        tags.input_tags.allow_nan = True
        # transform gives the learned features; the estimator stays a regressor
        # or classifier (its estimator_type), and float32 stays float32
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64", "float32"])
        return tags
