"""A fitted estimator's state as it pickles: plain data, so that skops needs to
trust the estimator's class alone, and without a fit's callback context."""

from ._callbacks import FIT_CONTEXT_ATTRIBUTES
from ._input_encoding import InputEncoding
from ._target_encoding import LabelTargets, ScaledTargets

# the fitted encodings, and the classes they may be
_ENCODINGS = ("_input_encoding", "_target_encoding")
_ENCODING_KINDS = {kind.__name__: kind for kind in (InputEncoding, ScaledTargets, LabelTargets)}


def plain_state(state):
    """The estimator's ``__getstate__``, its encodings as dicts of their fields."""
    state = dict(state)
    # a model pickled from within a callback leaves the fit's context behind
    for name in FIT_CONTEXT_ATTRIBUTES:
        state.pop(name, None)
    for name in _ENCODINGS:
        if name in state:
            state[name] = {"kind": type(state[name]).__name__, **vars(state[name])}
    return state


def restored_state(state):
    """The inverse of ``plain_state``: the encodings as objects again."""
    state = dict(state)
    for name in _ENCODINGS:
        if name in state:
            fields = dict(state[name])
            encoding = object.__new__(_ENCODING_KINDS[fields.pop("kind")])
            encoding.__dict__.update(fields)
            state[name] = encoding
    return state
