"""The classifier: the sigmoid-sum network with a sigmoid or softmax output."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import unique_labels

from ._base import BaseSigmoidNet, _is_stochastic, blockwise
from ._target_encoding import LabelTargets, check_one_label_type


class SigmoidNetClassifier(ClassifierMixin, BaseSigmoidNet):
    """A network of sigmoid sums, trained by mini-batch gradient descent, for classification.

    The hidden layers are the lecture's sigmoid sums r = b + W x, a = σ(r);
    the output layer turns the last sum into class probabilities: one sigmoid
    unit for two classes, a softmax over the classes for more, one sigmoid per
    label for multilabel targets. All parameters θ are trained by mini-batch
    gradient descent on the log loss: one update θ ← θ − η ∇L(θ) per batch of
    ``batch_size`` samples, ceil(N / B) updates per epoch.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units per hidden layer, as a tuple, list or 1-D array; ``()`` leaves
        none: logistic regression.
    activation : {"sigmoid", "logistic", "relu", "tanh", "identity"} or \
            sequence of those, default="sigmoid"
        The hidden layers' activation σ ("logistic" is another name for the
        sigmoid), or one per hidden layer.
    n_members : int, default=1
        Members of an ensemble trained as one network: k networks of these
        hidden layers, side by side, each starting from its own random
        weights and trained on its own loss (the fit minimises the mean of
        the members' losses), all on the same batches. The mean of their
        logits, then the softmax (or sigmoid), is itself a network of the
        same form, k times as wide: the members' units side by side, each
        later layer's weights block-diagonal, so that ``coefs_`` and every
        method see one network. 1 is a single network.
    loss : {"log_loss"}, default="log_loss"
        The loss L: the cross-entropy of the predicted probabilities.
    solver : {"sgd", "adam", "lbfgs"}, default="adam"
        Mini-batch gradient descent (with momentum), Adam, or full-batch L-BFGS.
    alpha : float, default=1e-4
        Strength of the L2 penalty ½ α ‖W‖² / N on the weights (N the total
        sample weight of the training data, in every batch's loss).
    batch_size : int or "auto", default="auto"
        Samples per mini-batch; "auto" is ``min(32, n_samples)``. A number
        larger than the training samples is clipped to them, with a warning.
    epochs : int, default=200
        Passes over the training data (sgd, adam); iterations for lbfgs.
    learning_rate : float or "auto", default="auto"
        The learning rate η; "auto" is 0.005 when every hidden layer is a
        sigmoid (whose units pass on at most a quarter of the gradient) and
        0.001 otherwise. The schedule is ``learning_rate_schedule``.
    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        "invscaling" uses η / t^power_t in epoch t; "adaptive" divides η by 5
        whenever the monitored score stalls instead of stopping, until it
        falls below 1e-6.
    power_t : float, default=0.5
        The exponent of "invscaling".
    momentum : float, default=0.9
        Momentum of "sgd", in [0, 1].
    nesterovs_momentum : bool, default=True
        Whether "sgd" uses Nesterov's momentum.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's running means of the gradient and its square.
    epsilon : float, default=1e-8
        Adam's guard against division by zero.
    shuffle : bool, default=True
        Whether to reshuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling and the validation split.
    tol : float, default=1e-4
        Improvement of the monitored score that counts as progress (sgd,
        adam); for lbfgs, scipy's tolerance on the projected gradient.
    n_iter_no_change : int or np.inf, default=20
        Training (sgd, adam) stops once more than this many epochs in a row
        made no progress; ``np.inf`` runs every epoch, and then does not warn
        that it did.
    early_stopping : "auto" or bool, default="auto"
        Hold out a stratified ``validation_fraction`` of the data, watch
        ``scoring`` on it in place of the training loss, and restore the best
        weights at the end (sgd, adam). "auto" does so when ``fit`` gets at
        least 100 samples. ``partial_fit`` never holds data out (True is an
        error there), and lbfgs trains on all of it (True warns).
    scoring : "loss", str, callable or None, default="loss"
        What early stopping watches on the validation set: "loss", the
        negative loss of training; None, the estimator's ``score``; or a
        scorer name (such as "neg_mean_absolute_error") or a callable
        ``scorer(estimator, X, y)``, given the model trained so far.
    validation_fraction : float, default=0.2
        The share of the training data held out for early stopping.
    warm_start : bool, default=False
        Continue from the previous fit's weights and optimiser state.
    verbose : int, default=0
        1 prints one table row per epoch.
    engine : {"auto", "numpy"}, default="auto"
        How training computes. "auto" runs the compiled training step
        wherever it applies (dense X) and the numpy network elsewhere;
        "numpy" always runs the numpy network, the lecture's equations in
        code, which the tests hold the compiled step to: slower than
        the compiled step, the same model up to rounding.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, multiplying the sample weights;
        "balanced" weighs each class inversely to its frequency in the data
        given to ``fit``, so ``partial_fit``, which sees part of it, refuses
        it. Not for multilabel targets.
    normalize_X : bool, default=True
        Train on the numeric inputs standardised per column,
        x̃ = (x − m) / s, with the training rows' mean m and standard
        deviation s (weighted by ``sample_weight`` times the class weights,
        rows of weight 0 left out); a column of equal values is 0 for
        training and left out of the fold, and a column of only 0s and 1s
        (one-hot or indicator columns of a pipeline) is left as it is. After
        training the scaling is folded
        into the first layer, W′ = W / s and b′ = b − W′ m, so that ``coefs_[0]`` and
        ``intercepts_[0]`` take x in its own units and predicting needs no
        scaler. A sparse X is centred implicitly and stays sparse: the
        model of the same values dense. ``warm_start`` and ``partial_fit`` keep the scaling of
        the first fit. False trains on X as given.
    numeric_bins : int or None, default=None
        None: each numeric column enters as its value (standardised by
        ``normalize_X``). An int k: as k piecewise-linear ramps between its
        weighted quantiles, per bin t the value (x − qₜ) / (qₜ₊₁ − qₜ)
        clipped to [0, 1] (the first bin open below, the last above), each
        with its own row of first-layer weights: the network sees a
        constant plus a sum of hard sigmoids of each column, and a weighted
        sum of them is any continuous function of x that is linear between
        the quantiles. Columns of only 0s and 1s, and those with fewer than
        three distinct quantiles, enter as values. The ramps take x in its
        own units, so ``coefs_[0]`` has a row per ramp (``input_names_``
        ``<column>_bin<t>``) and predicting needs no encoder; training holds
        the encoded rows, k times X's numbers. Dense X in memory only; the
        ONNX export refuses such a model. Worth a try on tables with
        heavy-tailed or step-like columns, chosen by cross-validation
        (docs/defaults.rst measures it on the benchmark's tables).
    categorical_features : "from_dtype", array-like of str or int, \
            array-like of bool or None, default="from_dtype"
        The columns whose values are categories. "from_dtype" takes a
        DataFrame's categorical, enum and string columns (of pandas, polars,
        pyarrow, ...) and its ``object`` columns of strings (an array then
        has none); column names, indices
        or a boolean mask of one entry per column select them, in a
        DataFrame or an array; None takes none, and a column that is not
        numeric is then a ValueError that names it. Each category kept
        gets its own row of first-layer weights (one-hot times W picks a
        row; the network looks the row up, no one-hot matrix is built); a
        missing value is a category of its own, and a category not seen in
        training adds nothing beyond the bias.
    max_categories : int, default=64
        At most this many rows of first-layer weights per categorical
        column, the row shared by the infrequent categories included (the
        row of missing values comes on top); the most frequent categories
        keep their own rows.
    min_frequency : int, default=5
        Categories seen in fewer training rows than this share one row,
        ``<column>_infrequent``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, the label indices).
    coefs_ : list of ndarray
        Weight matrix of each layer, shape (fan_in, fan_out): the transpose of
        the lecture's W.
    intercepts_ : list of ndarray
        Bias vector of each layer.
    n_layers_ : int
        Number of layers, the input and output layers included.
    n_outputs_ : int
        Number of output units.
    hidden_activations_ : list of str
        The activation of each hidden layer, as trained; predictions use
        these, not the current ``activation`` parameter.
    out_activation_ : str
        "logistic" (two classes, multilabel) or "softmax".
    loss_ : float
        The training loss L(θ), L2 term included, of the weights kept: the
        last epoch's, or the restored epoch's with early stopping or after a
        divergence.
    best_loss_ : float
        The smallest training loss seen.
    loss_curve_ : list of float
        The training loss after each epoch.
    validation_scores_ : list of float or None
        The validation score (see ``scoring``) after each epoch, with early
        stopping.
    best_validation_score_ : float or None
        The best validation score, with early stopping.
    n_iter_ : int
        Epochs run by the last call to fit or partial_fit.
    n_updates_ : int
        Gradient steps taken (the lecture's "updates"); warm starts and
        partial_fit add to it.
    history_ : dict of list
        One entry per epoch under "epoch", "train_loss", "learning_rate",
        "duration_s", and "valid_loss", "valid_score" with early stopping.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when they are all strings.
    input_names_ : ndarray of str objects of shape (`coefs_[0].shape[0]`,)
        The name of each row of ``coefs_[0]``, the network's inputs: the
        numeric columns first (their names, or ``x0``, ``x1``, ... for an array;
        with ``numeric_bins``, ``<column>_bin<t>`` for each ramp of a column),
        then ``missingindicator_<column>`` for each numeric column that had
        missing values in training, then one per category kept,
        ``<column>_<category>``, ``<column>_infrequent`` and ``<column>_missing``.

    See Also
    --------
    SigmoidNetRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.

    Notes
    -----
    X needs no scaler: a sigmoid fed large weighted inputs is flat and learns
    nothing, so with ``normalize_X=True`` the network trains on standardised
    numeric inputs and folds the scaling into its first layer (a
    ``StandardScaler`` in a pipeline before it still works). A DataFrame
    (pandas, polars, pyarrow, ...) may hold categorical columns (``categorical_features``) and
    missing values: a missing number counts as its column's training mean,
    and a column that had missing values in training adds a 0/1 input,
    ``missingindicator_<column>``, with weights of its own; a missing number
    at prediction time in a column that had none counts as the mean.
    Infinite values, and columns of dates or times, are a ValueError that
    names the column. The ONNX export (``sklearn_sigmoidnet.onnx``) takes
    models of numeric inputs only, without categories or missing
    indicators.

    A call of ``fit`` or ``partial_fit`` that raises leaves the estimator as
    it was. Training that diverges (a loss that is not finite, or that ends
    more than ten times above where it started) keeps the weights
    with the lowest loss and warns; a first fit that never improved on its
    starting weights raises a ``ValueError`` instead.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_sigmoidnet import SigmoidNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SigmoidNetClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseSigmoidNet._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="sigmoid",
        n_members=1,
        loss="log_loss",
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        epochs=200,
        learning_rate="auto",
        learning_rate_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        n_iter_no_change=20,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.2,
        warm_start=False,
        verbose=0,
        engine="auto",
        class_weight=None,
        normalize_X=True,
        numeric_bins=None,
        categorical_features="from_dtype",
        max_categories=64,
        min_frequency=5,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            n_members=n_members,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            epochs=epochs,
            learning_rate=learning_rate,
            learning_rate_schedule=learning_rate_schedule,
            power_t=power_t,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            scoring=scoring,
            validation_fraction=validation_fraction,
            warm_start=warm_start,
            verbose=verbose,
            engine=engine,
            normalize_X=normalize_X,
            numeric_bins=numeric_bins,
            categorical_features=categorical_features,
            max_categories=max_categories,
            min_frequency=min_frequency,
        )
        self.loss = loss
        self.class_weight = class_weight

    def _new_target_encoding(self):
        return LabelTargets(self.class_weight)

    # -- fitting one epoch at a time -------------------------------------------

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for exactly one epoch on (X, y), continuing any previous training.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None weighs all equally.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call may see; required on the first call,
            which later calls cannot extend.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if classes is not None:
            check_one_label_type(np.asarray(classes), "classes")
        if not hasattr(self, "coefs_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(
                f"classes={unique_labels(classes).tolist()} differs from the classes "
                f"{self.classes_.tolist()} of the first call to partial_fit."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # -- prediction ------------------------------------------------------------

    @blockwise
    def decision_function(self, X):
        """The output layer's raw value r for X, before the sigmoid or softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        r : ndarray of shape (n_samples,) for two classes, else (n_samples, n_outputs)
            Positive values favour ``classes_[1]`` when there are two classes.
        """
        r = self._forward(X, output_activation="identity")[-1]
        return r.ravel() if r.shape[1] == 1 else r

    @blockwise
    def predict_proba(self, X):
        """Class probabilities of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class in ``classes_`` (for multilabel
            targets, of each label independently).
        """
        p = self._forward(X)[-1]
        if p.shape[1] == 1 and not self._target_encoding.multilabel:
            return np.hstack([1 - p, p])
        return p

    @blockwise
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log of ``predict_proba(X)``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @blockwise
    def predict(self, X):
        """Predict the class of each sample in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted labels, of the type given in fit; a 0/1 indicator
            matrix for multilabel targets.
        """
        p = self._forward(X)[-1]
        if self._target_encoding.multilabel:
            return (p > 0.5).astype(int)
        if self.out_activation_ == "softmax":
            return self.classes_[p.argmax(axis=1)]
        return self.classes_[(p[:, 0] > 0.5).astype(np.intp)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
