"""The network in the data's own units: what the encodings learned, folded into
its first and last layers after training, and unfolded when training goes on.

Training sees inputs and targets encoded (``_input_encoding``,
``_target_encoding``), and an ensemble as its members; ``coefs_`` and
``intercepts_`` are the one wide network of the members' mean
(``Network.wide``), which takes x and gives ŷ in the data's own units, so that
the fitted network alone predicts.
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
        n_members=plan.n_members,
    )


def folded(network, inputs, targets):
    """coefs_ and intercepts_ of the trained network, its members' mean, both
    encodings folded in."""
    weights, biases = network.wide()
    coefs, intercepts = [W.copy() for W in weights], [b.copy() for b in biases]
    coefs[0], intercepts[0] = inputs.fold(coefs[0], intercepts[0])
    coefs[-1], intercepts[-1] = targets.fold(coefs[-1], intercepts[-1])
    # the members' own output constants, for a fit that goes on (training's units)
    offsets = network.member_offsets()
    return {"coefs_": coefs, "intercepts_": intercepts, "_member_offsets": offsets}


def unfold_into(network, fitted, inputs, targets):
    """Set ``network`` to the ``fitted`` model's weights (its coefs_, intercepts_
    and out_activation_), as training sees them: where a continuing fit starts."""
    shapes, fitted_shapes = network.wide_shapes(), [W.shape for W in fitted.coefs_]
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
    coefs, intercepts = list(fitted.coefs_), list(fitted.intercepts_)
    # the output layer's fold first undone, then the input's: the reverse of folding
    # (in θ's dtype after each step, as θ holds them)
    unfolded = targets.unfold(coefs[-1], intercepts[-1])
    coefs[-1], intercepts[-1] = (values.astype(network.dtype) for values in unfolded)
    coefs[0], intercepts[0] = inputs.unfold(coefs[0], intercepts[0])
    offsets = getattr(fitted, "_member_offsets", None)
    if offsets is not None and offsets.shape != (network.n_members, intercepts[-1].shape[0]):
        offsets = None  # another number of members: they start from the mean
    network.set_parameters(coefs, intercepts, offsets)
