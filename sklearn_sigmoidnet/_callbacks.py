"""The training run's epochs as tasks of scikit-learn's callback API (``sklearn.callback``)."""

from ._run import Hooks

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API, so no set_callbacks

    class CallbackSupportMixin:
        pass


# what scikit-learn's callback API keeps on the estimator during a fit only
FIT_CONTEXT_ATTRIBUTES = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


def callback_hooks(estimator, n_epochs, X, Y, model):
    """The fit's task and the run's hooks, or (None, None) without the callback API.

    ``model(network)`` gives the fitted attributes of the network trained so far.
    """
    if not hasattr(estimator, "_init_callback_context"):
        return None, None
    fit_task = estimator._init_callback_context(max_subtasks=n_epochs)
    fit_task.call_on_fit_task_begin(estimator=estimator, X=X, y=Y)
    return fit_task, _CallbackHooks(estimator, fit_task, X, Y, model)


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
