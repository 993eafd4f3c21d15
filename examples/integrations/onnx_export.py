"""
Exporting to ONNX
=================

.. note:: This example is not executed when the documentation is built, so this
   page shows its code without output. To run it, from a checkout of the repository:
   ``pip install ".[onnx]"``, then ``python examples/integrations/onnx_export.py``.

`ONNX <https://onnx.ai>`_ describes a model as a graph of standard operators
that runtimes in many languages execute without Python or scikit-learn. The
network's forward pass is such a graph: per layer a matrix product, an added
bias and an activation (``MatMul``, ``Add``, ``Sigmoid``, ``Relu``, ``Tanh``),
and at the end ``Exp`` (Poisson loss), ``Softmax`` or ``ArgMax`` and the class
labels.

:func:`sklearn_sigmoidnet.onnx.register_converters` tells skl2onnx how to
build that graph; ``skl2onnx.to_onnx`` then converts the estimators alone or at
the end of a Pipeline, and onnxruntime runs the result.
"""

# %%
# A regression Pipeline with two outputs
# --------------------------------------
import warnings

import numpy as np
import onnxruntime
from skl2onnx import to_onnx
from sklearn.datasets import load_linnerud, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor
from sklearn_sigmoidnet.onnx import register_converters

warnings.simplefilter("ignore", ConvergenceWarning)  # short trainings, on purpose

register_converters()


def run(onnx_model, X):
    """Run an ONNX model with onnxruntime on X; return all its outputs."""
    session = onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


# three exercises predict two body measurements: weight and waist
X, Y = load_linnerud(return_X_y=True)
Y = Y[:, :2]
regressor = make_pipeline(
    StandardScaler(),
    SigmoidNetRegressor((8,), activation="tanh", solver="lbfgs", epochs=300, random_state=0),
)
regressor.fit(X, (Y - Y.mean(axis=0)) / Y.std(axis=0))

# %%
# The example input fixes the input's type: float32 here, as most runtimes
# expect. The output keeps both targets as columns.
onnx_regressor = to_onnx(regressor, X[:1].astype(np.float32))
print("operators:", sorted({node.op_type for node in onnx_regressor.graph.node}))
(predicted,) = run(onnx_regressor, X.astype(np.float32))
print("ONNX output shape:", predicted.shape)
difference = np.abs(predicted - regressor.predict(X)).max()
print(f"largest difference to scikit-learn: {difference:.1e}")

# %%
# A classifier with string labels
# -------------------------------
# The graph returns the labels themselves and the class probabilities. skl2onnx
# would turn the probabilities into one dictionary per sample; the option
# ``zipmap=False`` keeps them as an array, one column per class.
X, y = load_wine(return_X_y=True)
labels = np.array(["barolo", "grignolino", "barbera"])[y]
classifier = make_pipeline(
    StandardScaler(),
    SigmoidNetClassifier(
        (16, 8), activation=["relu", "sigmoid"], learning_rate=0.01, epochs=100, random_state=0
    ),
)
classifier.fit(X, labels)

onnx_classifier = to_onnx(classifier, X[:1].astype(np.float32), options={"zipmap": False})
onnx_labels, onnx_proba = run(onnx_classifier, X.astype(np.float32))
print("labels:", onnx_labels[:4])
print("same labels as predict:", np.array_equal(onnx_labels, classifier.predict(X)))
difference = np.abs(onnx_proba - classifier.predict_proba(X)).max()
print(f"largest probability difference: {difference:.1e}")

# %%
# Saving the graph
# ----------------
# ``SerializeToString`` gives the bytes of an ``.onnx`` file, which any ONNX
# runtime loads: ``open("wine.onnx", "wb").write(onnx_classifier.SerializeToString())``.
print(f"the classifier's ONNX file takes {len(onnx_classifier.SerializeToString())} bytes")
