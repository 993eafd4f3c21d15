"""The network in the data's own units: what the encodings learned, folded into
its first and last layers after training, and unfolded when training goes on.

Training sees inputs and targets encoded (``_input_encoding``,
``_target_encoding``); ``coefs_`` and ``intercepts_`` take x and give ŷ in
the data's own units, so that the fitted network alone predicts.
"""

from ._network import Network


def network_for(plan, inputs, targets):
    """An untrained network of the ``FitPlan``'s layers for these encodings."""
    return Network(
        [inputs.n_inputs, *plan.hidden_layer_sizes, targets.n_outputs],
        plan.hidden_activations,
        targets.out_activation,
        inputs.dtype,
        n_category_columns=inputs.n_category_columns,
    )


def folded(network, inputs, targets):
    """coefs_ and intercepts_ of the trained network, both encodings folded in."""
    coefs, intercepts = [W.copy() for W in network.W], [b.copy() for b in network.b]
    coefs[0], intercepts[0] = inputs.fold(coefs[0], intercepts[0])
    coefs[-1], intercepts[-1] = targets.fold(coefs[-1], intercepts[-1])
    return {"coefs_": coefs, "intercepts_": intercepts}


def unfold_into(network, fitted, inputs, targets):
    """Set ``network`` to the ``fitted`` model's weights (its coefs_, intercepts_
    and out_activation_), as training sees them: where a continuing fit starts."""
    shapes, fitted_shapes = [W.shape for W in network.W], [W.shape for W in fitted.coefs_]
    if shapes != fitted_shapes:
        raise ValueError(
            "warm_start and partial_fit continue the fitted network, whose layer "
            f"shapes are {fitted_shapes}; the current parameters give {shapes}."
        )
    if targets.out_activation != fitted.out_activation_:
        raise ValueError(
            "warm_start and partial_fit continue the fitted network, whose output "
            f"activation is {fitted.out_activation_!r}; the current loss needs "
            f"{targets.out_activation!r}."
        )
    network.set_parameters(fitted.coefs_, fitted.intercepts_)
    # the output layer's fold first undone, then the input's: the reverse of folding
    network.W[-1][...], network.b[-1][...] = targets.unfold(network.W[-1], network.b[-1])
    network.W[0][...], network.b[0][...] = inputs.unfold(network.W[0], network.b[0])
