"""Export fitted sigmoid-sum networks to ONNX with skl2onnx.

Call :func:`register_converters` once; from then on ``skl2onnx.to_onnx``
converts :class:`~sklearn_sigmoidnet.SigmoidNetRegressor` and
:class:`~sklearn_sigmoidnet.SigmoidNetClassifier`, alone or as a step of a
scikit-learn Pipeline. The ONNX graph is the network's forward pass, layer by
layer r = a W + b, a = σ(r), in the input's float type (float32 for integer
input), followed by the output layer's activation:

- regressor: one output ``variable`` of shape (N, n_outputs), also for a
  single output, after the identity or, for ``loss="poisson"``, exp;
- classifier: ``label`` of shape (N,) and ``probabilities`` of shape
  (N, n_classes), as skl2onnx gives for its own classifiers (by default
  ``probabilities`` becomes a list of dicts; pass ``options={"zipmap": False}``
  to ``to_onnx`` for an array, and ``"nocl": True`` for class indices instead
  of labels). Labels are strings or 64-bit integers (whole-number float and
  bool labels become integers). Multilabel classifiers need ``zipmap=False``
  and give ``label`` of shape (N, n_labels).

The input scaling is folded into the first layer, so the graph takes X in its
own units. It takes numbers only: a model fitted with categorical columns, or
with missing values in training (whose indicators have weights of their own),
is refused with a ValueError; encode such columns in a Pipeline before the
network instead. A NaN given to the graph is not imputed.

The converters need the ``onnx`` extra: ``pip install sklearn-sigmoidnet[onnx]``.
"""

import numbers

import numpy as np

from ._classifier import SigmoidNetClassifier
from ._regressor import SigmoidNetRegressor

__all__ = ["register_converters"]

# ONNX operators of the activations; the identity needs none.
_ONNX_ACTIVATIONS = {
    "sigmoid": "Sigmoid",
    "logistic": "Sigmoid",
    "relu": "Relu",
    "tanh": "Tanh",
    "exp": "Exp",
    "softmax": "Softmax",
    "identity": None,
}


def register_converters():
    """Teach skl2onnx to convert SigmoidNetRegressor and SigmoidNetClassifier.

    Registers a shape calculator and a converter for each estimator with
    ``skl2onnx.update_registered_converter``. Calling it again is harmless.

    Raises
    ------
    ImportError
        When skl2onnx is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime
    >>> from skl2onnx import to_onnx
    >>> from sklearn_sigmoidnet import SigmoidNetRegressor
    >>> from sklearn_sigmoidnet.onnx import register_converters
    >>> register_converters()
    >>> X = np.linspace(-2, 2, 50, dtype=np.float32).reshape(-1, 1)
    >>> reg = SigmoidNetRegressor((5,), solver="lbfgs", epochs=500, random_state=0)
    >>> reg = reg.fit(X, np.sin(X).ravel())
    >>> model = to_onnx(reg, X[:1])
    >>> session = onnxruntime.InferenceSession(
    ...     model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> y_onnx = session.run(None, {"X": X})[0]
    >>> y_onnx.shape
    (50, 1)
    >>> bool(np.allclose(y_onnx.ravel(), reg.predict(X), atol=1e-5))
    True
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as error:
        raise ImportError(
            "Exporting to ONNX needs skl2onnx and onnxruntime; install them with "
            "`pip install sklearn-sigmoidnet[onnx]`."
        ) from error

    update_registered_converter(
        SigmoidNetRegressor,
        "SklearnSigmoidNetRegressor",
        _regressor_shapes,
        _convert_regressor,
    )
    update_registered_converter(
        SigmoidNetClassifier,
        "SklearnSigmoidNetClassifier",
        _classifier_shapes,
        _convert_classifier,
        # the zipmap option also makes skl2onnx parse it as a classifier;
        # nocl=True gives class indices 0, 1, ... instead of the labels
        options={"zipmap": [True, False, "columns"], "nocl": [False, True]},
    )


# -- shape calculators: the output types, before any node is made -------------


def _is_double(input_type):
    from skl2onnx.common.data_types import DoubleTensorType

    return isinstance(input_type, DoubleTensorType)


def _float_tensor_type(input_type):
    """The tensor type the network computes in: float64 stays, all else is float32."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return DoubleTensorType if _is_double(input_type) else FloatTensorType


def _check_single_input(operator, n_outputs):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType
    from skl2onnx.common.utils import check_input_and_output_numbers, check_input_and_output_types

    _check_numeric_inputs(operator.raw_operator)
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=n_outputs)
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType]
    )


def _check_numeric_inputs(model):
    """The graph is the network on numbers: refuse a model that looks up categories or
    learned weights for missing values, which it would need to encode X first."""
    inputs = model._input_encoding
    if inputs.ramped.any():
        raise ValueError(
            f"The ONNX export takes numeric inputs that enter as values, and this model "
            f"(numeric_bins={model.numeric_bins}) encodes {int(inputs.ramped.sum())} of them "
            "as piecewise-linear ramps. Export a model fitted with numeric_bins=None."
        )
    names = np.asarray(model.input_names_)
    columns = names[len(inputs.numeric) :].tolist()  # the indicators, then the categories
    if columns:
        raise ValueError(
            "The ONNX export takes numeric inputs only, and this model's first layer also "
            f"has weights of categories or missing-value indicators ({', '.join(columns[:5])}"
            f"{', ...' if len(columns) > 5 else ''}). Export a Pipeline instead that encodes "
            "X with scikit-learn's SimpleImputer and OneHotEncoder (which skl2onnx converts) "
            "before a network fitted with categorical_features=None on their output."
        )


def _regressor_shapes(operator):
    _check_single_input(operator, 1)
    n_samples = operator.inputs[0].get_first_dimension()
    tensor_type = _float_tensor_type(operator.inputs[0].type)
    operator.outputs[0].type = tensor_type([n_samples, operator.raw_operator.n_outputs_])


def _classifier_shapes(operator):
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType

    _check_single_input(operator, 2)
    model = operator.raw_operator
    n_samples = operator.inputs[0].get_first_dimension()
    if _is_multilabel(model):
        operator.outputs[0].type = Int64TensorType([n_samples, model.n_outputs_])
    else:
        strings = _onnx_labels(operator.scope_inst, model).dtype == object
        label_type = StringTensorType if strings else Int64TensorType
        operator.outputs[0].type = label_type([n_samples])
    tensor_type = _float_tensor_type(operator.inputs[0].type)
    operator.outputs[1].type = tensor_type([n_samples, len(model.classes_)])


def _is_multilabel(model):
    # a binary classifier has one logistic output; a multilabel one, one per label
    return model.out_activation_ == "logistic" and model.n_outputs_ > 1


def _onnx_labels(scope, model):
    """The class labels as ONNX can hold them: int64 or (object) strings."""
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, model))  # handles the nocl option
    if classes.dtype == np.bool_ or np.issubdtype(classes.dtype, np.integer):
        return classes.astype(np.int64)
    if all(isinstance(label, str) for label in classes):
        return classes.astype(object)
    if all(isinstance(label, numbers.Real) and float(label).is_integer() for label in classes):
        return classes.astype(np.int64)
    raise ValueError(
        f"ONNX labels are integers or strings; classes_ {classes.tolist()} are neither. "
        "Fit the classifier on integer or string labels to export it."
    )


# -- converters: the forward pass as ONNX nodes ---------------------------------


class _GraphBuilder:
    """Adds uniquely named nodes and constants to skl2onnx's container."""

    def __init__(self, scope, container, input_type):
        self.scope, self.container = scope, container
        self.dtype = np.dtype(np.float64 if _is_double(input_type) else np.float32)

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def constant(self, hint, values):
        values = np.asarray(values)
        name = self.name(hint)
        if values.dtype == object:
            content = [label.encode("utf-8") for label in values.ravel()]
        else:
            content = values.ravel()
        self.container.add_initializer(name, _onnx_type(values.dtype), list(values.shape), content)
        return name

    def float_constant(self, hint, values):
        return self.constant(hint, np.asarray(values, dtype=self.dtype))

    def node(self, op_type, inputs, output=None, **attributes):
        output = output or self.name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output

    def cast(self, name, input_type):
        """``name`` in the builder's float type, cast only when it is of another type."""
        from skl2onnx.common.data_types import guess_numpy_type

        if guess_numpy_type(input_type) == self.dtype:
            return name
        return self.node("Cast", [name], to=_onnx_type(self.dtype))

    def activation(self, name, activation):
        op_type = _ONNX_ACTIVATIONS[activation]
        if op_type is None:
            return name
        attributes = {"axis": 1} if op_type == "Softmax" else {}
        return self.node(op_type, [name], **attributes)


def _network_output(builder, model, operator):
    """The forward pass; returns the output layer's a = σ(r) (σ = out_activation_)."""
    input_variable = operator.inputs[0]
    a = builder.cast(input_variable.full_name, input_variable.type)
    activations = [*model.hidden_activations_, model.out_activation_]
    for layer, (W, b, activation) in enumerate(zip(model.coefs_, model.intercepts_, activations)):
        weights = builder.float_constant(f"coefs_{layer}", W)
        biases = builder.float_constant(f"intercepts_{layer}", b)
        r = builder.node("Add", [builder.node("MatMul", [a, weights]), biases])
        a = builder.activation(r, activation)
    return a


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    builder = _GraphBuilder(scope, container, operator.inputs[0].type)
    y = _network_output(builder, model, operator)
    builder.node("Identity", [y], operator.outputs[0].full_name)


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    builder = _GraphBuilder(scope, container, operator.inputs[0].type)
    label, probabilities = (output.full_name for output in operator.outputs)
    p = _network_output(builder, model, operator)

    if _is_multilabel(model):
        if container.get_options(model, {"zipmap": True})["zipmap"] is not False:
            raise RuntimeError(
                "A multilabel SigmoidNetClassifier gives one probability per label, which "
                "zipmap cannot pair with the classes; convert it with "
                "options={'zipmap': False}."
            )
        builder.node("Identity", [p], probabilities)
        above_half = builder.node("Greater", [p, builder.float_constant("half", [0.5])])
        builder.node("Cast", [above_half], label, to=_onnx_type(np.dtype(np.int64)))
        return

    if model.n_outputs_ == 1:  # binary: one sigmoid unit gives P(classes_[1])
        one_minus_p = builder.node("Sub", [builder.float_constant("one", [1.0]), p])
        builder.node("Concat", [one_minus_p, p], probabilities, axis=1)
    else:
        builder.node("Identity", [p], probabilities)
    # ArgMax picks the first of equal maxima, as numpy's argmax does
    index = builder.node("ArgMax", [probabilities], axis=1, keepdims=0)
    classes = builder.constant("classes", _onnx_labels(scope, model))
    builder.node("Gather", [classes, index], label, axis=0)


def _onnx_type(dtype):
    """The ONNX element type of a numpy dtype; object arrays hold strings."""
    from onnx import TensorProto

    return {
        np.dtype(np.float32): TensorProto.FLOAT,
        np.dtype(np.float64): TensorProto.DOUBLE,
        np.dtype(np.int64): TensorProto.INT64,
        np.dtype(object): TensorProto.STRING,
    }[dtype]
