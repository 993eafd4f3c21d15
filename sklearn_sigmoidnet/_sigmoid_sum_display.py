"""The picture of the lecture's curve: a fitted network's output along one
feature as the constant b plus one sigmoid piece per hidden unit."""

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from ._display import axes, check_matplotlib, split_pipeline


class SigmoidSumDisplay:
    """One feature's fitted curve, drawn as the constant b plus one piece per hidden unit.

    This is the lecture's picture: ŷ = b + Σᵢ cᵢ·aᵢ(x), a constant plus a sum
    of sigmoids cᵢ·sigmoid(bᵢ + Σⱼ wᵢⱼ xⱼ) (for a one-hidden-layer sigmoid
    network). One feature varies along a grid while the others are held
    fixed; the pieces are ``decompose`` of that grid, and the curve is their
    sum plus ``intercepts_[-1]``: the prediction for the identity output,
    ``decision_function`` for a classifier.

    Create it with :meth:`from_estimator`; the constructor only stores the
    numbers to draw.

    Parameters
    ----------
    grid : ndarray of shape (n_points,)
        The values of the chosen feature.
    pieces : ndarray of shape (n_points, n_units)
        cᵢ·aᵢ(x) of every unit of the last hidden layer at each grid point.
    constant : float
        The output layer's bias b.
    feature_name : str, default=None
        Label of the x axis.
    output_name : str, default="ŷ"
        Label of the y axis.
    data : tuple of two arrays, default=None
        The chosen feature and the targets of samples to scatter behind the
        curve.

    Attributes
    ----------
    curve : ndarray of shape (n_points,)
        ``constant + pieces.sum(axis=1)``.
    curve_line_ : matplotlib Line2D
        The fitted curve.
    constant_line_ : matplotlib Line2D
        The horizontal line at b.
    piece_lines_ : list of matplotlib Line2D
        One line per hidden unit, its piece cᵢ·aᵢ(x).
    data_points_ : matplotlib PathCollection or None
        The scattered samples, if ``data`` was given.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    LossCurveDisplay : The loss per epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_sigmoidnet import SigmoidNetRegressor, SigmoidSumDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> y = np.abs(X[:, 0])
    >>> net = SigmoidNetRegressor((3,), solver="lbfgs", epochs=500,
    ...                           random_state=0).fit(X, y)
    >>> display = SigmoidSumDisplay.from_estimator(net, X, feature=0, y=y)
    >>> len(display.piece_lines_)
    3
    >>> bool(np.allclose(display.curve, net.predict(display.grid[:, None])))
    True
    """

    def __init__(self, *, grid, pieces, constant, feature_name=None, output_name="ŷ", data=None):
        self.grid = grid
        self.pieces = pieces
        self.constant = constant
        self.feature_name = feature_name
        self.output_name = output_name
        self.data = data

    @property
    def curve(self):
        return self.constant + np.asarray(self.pieces).sum(axis=1)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        feature,
        *,
        y=None,
        fixed=None,
        target=None,
        grid_resolution=200,
        grid_range=None,
        ax=None,
        curve_kw=None,
        constant_kw=None,
        piece_kw=None,
        data_kw=None,
    ):
        """Draw the curve of one feature as the constant b plus the hidden units' pieces.

        Parameters
        ----------
        estimator : SigmoidNetRegressor, SigmoidNetClassifier or Pipeline
            A fitted network with at least one hidden layer, or a fitted
            Pipeline ending in one; its earlier steps transform the grid, so
            the x axis is in the units of ``X``.
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Data giving the grid's range and the other features' fixed values.
        feature : int or str
            The feature to vary: a column index, or a column name of a
            DataFrame ``X``.
        y : array-like of shape (n_samples,), default=None
            Targets to scatter against the feature behind the curve. They are
            the data, not the curve: with other features they need not lie on it.
        fixed : dict, default=None
            Values for the other features, by index or name; a feature not in
            it is held at its mean (its most frequent value when not numeric).
        target : int or class label, default=None
            Which output to draw when there are several: an output index for
            a multi-output regressor, a class label for a multiclass
            classifier. The first output when None. A binary classifier has
            one output, whose raw value favours ``classes_[1]``.
        grid_resolution : int, default=200
            Number of grid points.
        grid_range : tuple of two floats, default=None
            The grid's ends; the feature's minimum and maximum in ``X`` when None.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        curve_kw, constant_kw, piece_kw, data_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the curve, the
            constant and each piece, and for ``scatter`` of the data.

        Returns
        -------
        display : SigmoidSumDisplay
            The display, drawn.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        display = cls(**_sigmoid_sum(estimator, X, feature, y, fixed, target,
                                     grid_resolution, grid_range))  # fmt: skip
        return display.plot(
            ax=ax, curve_kw=curve_kw, constant_kw=constant_kw, piece_kw=piece_kw, data_kw=data_kw
        )

    def plot(self, ax=None, *, curve_kw=None, constant_kw=None, piece_kw=None, data_kw=None):
        """Draw the stored curve, constant and pieces.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made when None.
        curve_kw, constant_kw, piece_kw, data_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the curve, the
            constant and each piece, and for ``scatter`` of the data.

        Returns
        -------
        display : SigmoidSumDisplay
            This display, with the artists set.
        """
        check_matplotlib(f"{self.__class__.__name__}.plot")
        ax = axes(ax)
        grid = np.asarray(self.grid)
        pieces = np.asarray(self.pieces)
        self.data_points_ = None
        if self.data is not None:
            self.data_points_ = ax.scatter(
                *self.data, **{"s": 8, "color": "0.7", "label": "data", **(data_kw or {})}
            )
        self.piece_lines_ = []
        for unit in range(pieces.shape[1]):
            label = "cᵢ·aᵢ(x), one per hidden unit" if unit == 0 else "_nolegend_"
            style = {"linewidth": 1, "alpha": 0.8, "label": label, **(piece_kw or {})}
            (line,) = ax.plot(grid, pieces[:, unit], **style)
            self.piece_lines_.append(line)
        (self.constant_line_,) = ax.plot(
            grid[[0, -1]],
            [self.constant, self.constant],
            **{"color": "k", "linestyle": ":", "label": "constant b", **(constant_kw or {})},
        )
        (self.curve_line_,) = ax.plot(
            grid,
            self.curve,
            **{"color": "k", "linewidth": 2.5, "label": "b + Σ cᵢ·aᵢ(x)", **(curve_kw or {})},
        )
        ax.set_xlabel(self.feature_name if self.feature_name is not None else "x")
        ax.set_ylabel(self.output_name)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _sigmoid_sum(estimator, X, feature, y, fixed, target, grid_resolution, grid_range):
    """``SigmoidSumDisplay``'s arguments: the curve of ``feature`` over a grid, as
    the constant b plus the last hidden layer's pieces."""
    preprocess, net = split_pipeline(estimator)
    check_is_fitted(net, "coefs_")
    if len(net.coefs_) < 2:
        raise ValueError("SigmoidSumDisplay needs a network with at least one hidden layer.")
    column, feature_name = _feature_column(X, feature)
    values = _column_values(X, column, feature_name)
    low, high = (np.nanmin(values), np.nanmax(values)) if grid_range is None else grid_range
    grid = np.linspace(float(low), float(high), grid_resolution)
    X_grid = _grid_rows(X, column, grid, fixed or {})
    if preprocess is not None:
        X_grid = preprocess.transform(X_grid)
    pieces = net.decompose(X_grid)
    output = _output_index(net, target)
    if pieces.ndim == 3:
        pieces = pieces[:, :, output]
    if hasattr(net, "classes_"):
        output_name = "raw output r (decision_function)"
    elif net.out_activation_ != "identity":
        output_name = f"raw output r (ŷ = {net.out_activation_}(r))"
    else:
        output_name = "ŷ"
    return {
        "grid": grid,
        "pieces": pieces,
        "constant": float(net.intercepts_[-1][output]),
        "feature_name": feature_name,
        "output_name": output_name,
        "data": None if y is None else (values, np.asarray(y)),
    }


def _feature_column(X, feature):
    """The column index of ``feature`` in X, and a name for the axis."""
    columns = getattr(X, "columns", None)
    if isinstance(feature, str):
        if columns is None or feature not in list(columns):
            raise ValueError(f"feature {feature!r} is not a column name of X.")
        return list(columns).index(feature), feature
    if not isinstance(feature, Integral):
        raise ValueError(f"feature must be a column index or name; got {feature!r}.")
    n_features = X.shape[1]
    if not -n_features <= feature < n_features:
        raise ValueError(f"feature={feature} is out of range for X with {n_features} columns.")
    column = int(feature) % n_features
    return column, (str(columns[column]) if columns is not None else f"x{column + 1}")


def _column_values(X, column, name):
    try:
        if hasattr(X, "iloc"):
            return np.asarray(X.iloc[:, column], dtype=float)
        if sparse.issparse(X):
            return X[:, [column]].toarray().ravel().astype(float)
        return np.asarray(X, dtype=float)[:, column]
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"feature {name!r} is not numeric; SigmoidSumDisplay varies a numeric feature."
        ) from error


def _grid_rows(X, column, grid, fixed):
    """Rows holding every feature at its fixed value but ``column``, which runs over grid."""
    n = len(grid)
    if hasattr(X, "iloc"):
        names = list(X.columns)
        rows = {}
        for index, name in enumerate(names):
            if index == column:
                rows[name] = grid
                continue
            value = fixed.get(name, fixed.get(index))
            if value is None:
                value = _typical_value(X[name])
            rows[name] = [value] * n
        frame = type(X)(rows, columns=names)
        other = [name for index, name in enumerate(names) if index != column]
        return frame.astype({name: X[name].dtype for name in other})
    row = np.asarray(X.mean(axis=0) if sparse.issparse(X) else np.mean(X, axis=0), dtype=float)
    row = row.ravel()
    for key, value in fixed.items():
        row[key] = value
    rows = np.tile(row, (n, 1))
    rows[:, column] = grid
    return rows


def _typical_value(series):
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        return series.mean()
    return series.mode().iloc[0]


def _output_index(net, target):
    n_outputs = net.coefs_[-1].shape[1]
    if target is None or n_outputs == 1:
        if target is not None and hasattr(net, "classes_") and target not in net.classes_:
            raise ValueError(f"target {target!r} is not one of classes_ {net.classes_.tolist()}.")
        return 0
    if hasattr(net, "classes_"):
        matches = np.flatnonzero(net.classes_ == target)
        if not matches.size:
            raise ValueError(f"target {target!r} is not one of classes_ {net.classes_.tolist()}.")
        return int(matches[0])
    if not isinstance(target, Integral) or not 0 <= target < n_outputs:
        raise ValueError(f"target must be an output index below {n_outputs}; got {target!r}.")
    return int(target)
