"""scikit-learn's callback API (1.9+): a task per epoch, stop requests, progress bars."""

import pickle
import warnings

import pytest
from sklearn.callback import ProgressBar
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sigmoidnet import SigmoidNetClassifier

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = StandardScaler().fit_transform(X_iris)


class _InterruptAfter:
    """A callback that presses Ctrl-C at the end of a given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.parent is not None and context.task_id + 1 == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_ctrl_c_stops_cleanly_with_a_usable_model(solver):
    est = SigmoidNetClassifier((6,), solver=solver, epochs=100, random_state=0)
    est.set_callbacks(_InterruptAfter(epoch=3))
    with pytest.warns(UserWarning, match="interrupted by the user"):
        est.fit(X_iris, y_iris)
    assert len(est.loss_curve_) == 3
    assert est.predict(X_iris).shape == y_iris.shape


class _StopAfter(_InterruptAfter):
    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.parent is None:
            return False
        self.last_score = fitted_estimator.score(X_iris, y_iris)
        return context.task_id + 1 == self.epoch


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_a_callback_can_stop_training(solver):
    callback = _StopAfter(epoch=4)
    est = SigmoidNetClassifier((6,), solver=solver, random_state=0).set_callbacks(callback)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a requested stop is no failure
        est.fit(X_iris, y_iris)
    assert est.n_iter_ == 4
    assert callback.last_score == est.score(X_iris, y_iris)


def test_progress_bar_in_a_grid_search():
    pipe = make_pipeline(StandardScaler(), SigmoidNetClassifier(epochs=3, random_state=0))
    search = GridSearchCV(pipe, {"sigmoidnetclassifier__hidden_layer_sizes": [(2,), (3,)]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.set_callbacks(ProgressBar()).fit(X_iris, y_iris)
    assert search.best_estimator_[-1].n_iter_ == 3


class _PickleEachEpoch(_InterruptAfter):
    def __init__(self):
        self.pickles = []

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.pickles.append(pickle.dumps(estimator))


def test_a_model_pickled_during_fit_loads_without_the_fit_context():
    callback = _PickleEachEpoch()
    est = SigmoidNetClassifier((4,), epochs=3, random_state=0).set_callbacks(callback)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X_iris, y_iris)
    assert hasattr(est, "_skl_callbacks")
    loaded = pickle.loads(callback.pickles[-1])  # pickled when the fit's task ended
    assert not hasattr(loaded, "_callback_fit_ctx")
    assert not hasattr(loaded, "_skl_callbacks_to_teardown")
    assert (loaded.predict(X_iris) == est.predict(X_iris)).all()
