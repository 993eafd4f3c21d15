"""Pictures of a fitted network: its loss curve here, and its curve as a
constant plus sigmoids (``_sigmoid_sum_display``).

Both follow scikit-learn's display pattern: ``from_estimator`` computes what
to draw and calls ``plot``, which draws it and keeps the artists as
attributes (``ax_``, ``figure_`` and the lines) for the caller to restyle.
matplotlib is imported only when something is drawn, so the package works
without it.
"""


import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def check_matplotlib(caller_name):
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{caller_name} needs matplotlib; install it with "
            "`pip install sklearn-sigmoidnet[plot]`."
        ) from error


def axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


class LossCurveDisplay:
    """The training loss per epoch, and the validation loss when it was recorded.

    Create it with :meth:`from_estimator`; the constructor only stores the
    numbers to draw. The training loss L(θ) includes the L2 term
    ½ α ‖W‖² / N; the validation loss is the data loss alone.

    Parameters
    ----------
    steps : array-like of shape (n_epochs,)
        Position of each epoch on the x axis: the epoch number, or the number
        of updates made by its end.
    train_loss : array-like of shape (n_epochs,)
        The training loss after each epoch.
    valid_loss : array-like of shape (n_epochs,), default=None
        The validation loss after each epoch, recorded with early stopping.
    step_name : str, default="epoch"
        Label of the x axis.
    estimator_name : str, default=None
        Name of the estimator, shown in the legend.

    Attributes
    ----------
    train_line_ : matplotlib Line2D
        The training loss curve.
    valid_line_ : matplotlib Line2D or None
        The validation loss curve, if there is one.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    SigmoidSumDisplay : The fitted curve as a constant plus one term per hidden unit.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_sigmoidnet import LossCurveDisplay, SigmoidNetRegressor
    >>> X, y = make_regression(n_samples=200, n_features=3, random_state=0)
    >>> net = SigmoidNetRegressor((10,), learning_rate=0.01, epochs=200,
    ...                           early_stopping=True, random_state=0).fit(X, y / y.std())
    >>> display = LossCurveDisplay.from_estimator(net)
    >>> len(display.train_line_.get_xdata()) == net.n_iter_
    True
    """

    def __init__(
        self, *, steps, train_loss, valid_loss=None, step_name="epoch", estimator_name=None
    ):
        self.steps = steps
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.step_name = step_name
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls, estimator, *, x="epoch", ax=None, name=None, train_kw=None, valid_kw=None
    ):
        """Draw the loss curve of a fitted SigmoidNetRegressor or SigmoidNetClassifier.

        Parameters
        ----------
        estimator : SigmoidNetRegressor, SigmoidNetClassifier or Pipeline
            A fitted network, or a fitted Pipeline ending in one.
        x : {"epoch", "update"}, default="epoch"
            What the x axis counts: epochs (lbfgs iterations for "lbfgs"), or
            the gradient updates made, ``n_updates_`` spread evenly over the
            epochs: ceil(N / B) per epoch for N samples in batches of B.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        name : str, default=None
            Name in the legend; the estimator's class name when None.
        train_kw, valid_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of each curve.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        if x not in ("epoch", "update"):
            raise ValueError(f'x must be "epoch" or "update"; got {x!r}.')
        _, net = split_pipeline(estimator)
        check_is_fitted(net, "history_")
        history = net.history_
        train_loss = np.asarray(history["train_loss"], dtype=float)
        epochs = np.asarray(history["epoch"], dtype=float)
        if x == "update":
            steps = epochs * (net.n_updates_ / max(len(train_loss), 1))
            step_name = "updates"
        else:
            steps = epochs
            step_name = "iteration" if net.solver == "lbfgs" else "epoch"
        valid_loss = history.get("valid_loss")
        display = cls(
            steps=steps,
            train_loss=train_loss,
            valid_loss=None if valid_loss is None else np.asarray(valid_loss, dtype=float),
            step_name=step_name,
            estimator_name=net.__class__.__name__,
        )
        return display.plot(ax=ax, name=name, train_kw=train_kw, valid_kw=valid_kw)

    def plot(self, ax=None, *, name=None, train_kw=None, valid_kw=None):
        """Draw the stored loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        name : str, default=None
            Name in the legend; ``estimator_name`` when None.
        train_kw, valid_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of each curve.

        Returns
        -------
        display : LossCurveDisplay
            This display, with the artists set.
        """
        check_matplotlib(f"{self.__class__.__name__}.plot")
        ax = axes(ax)
        name = self.estimator_name if name is None else name
        prefix = f"{name}: " if name else ""
        (self.train_line_,) = ax.plot(
            self.steps,
            self.train_loss,
            **{"label": f"{prefix}training loss", **(train_kw or {})},
        )
        self.valid_line_ = None
        if self.valid_loss is not None:
            (self.valid_line_,) = ax.plot(
                self.steps,
                self.valid_loss,
                **{"label": f"{prefix}validation loss", "linestyle": "--", **(valid_kw or {})},
            )
        ax.set_xlabel(self.step_name)
        ax.set_ylabel("loss L(θ)")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


def split_pipeline(estimator):
    """The Pipeline's transforming steps and its final network; None and the network else."""
    if isinstance(estimator, Pipeline):
        return estimator[:-1], estimator[-1]
    return None, estimator
