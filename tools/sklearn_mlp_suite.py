"""Run scikit-learn's own MLP tests against sklearn_sigmoidnet through a renaming shim.

scikit-learn ships the tests of ``MLPClassifier`` and ``MLPRegressor`` inside the
installed package (``sklearn/neural_network/tests/test_mlp.py``). This script
copies that file, as installed, into a temporary directory and runs it with
pytest, with ``sklearn.neural_network.MLPClassifier`` and ``MLPRegressor``
replaced by thin subclasses of ``SigmoidNetClassifier`` and
``SigmoidNetRegressor`` that take MLP's parameter names:

    MLP name             our name
    max_iter             epochs
    learning_rate_init   learning_rate           (η, a float)
    learning_rate        learning_rate_schedule  ("constant", "invscaling", "adaptive")

Every other parameter passes through unchanged, and so do the defaults: the
shims are our estimators under MLP's names (so the hidden activation defaults
to our "sigmoid", not MLP's "relu"). MLP parameters we do not have (``max_fun``)
are not accepted. ``get_params``, ``set_params``, ``clone`` and parameter
validation all speak MLP's names; ``max_iter`` and ``learning_rate_init`` are
also readable as attributes. The attribute ``learning_rate`` stays our η: it
cannot be MLP's schedule at the same time.

Tests that need MLP's private machinery are skipped with the reason "MLP
internals" (the explicit ``MLP_INTERNALS`` table below). Two private MLP
attributes whose values our estimators keep in another form are read from
that form instead: ``_optimizer.learning_rate`` (see ``_OptimizerView``) and
``_no_improvement_count`` (see ``_no_improvement_count``).

Usage, from any directory, with the environment whose sklearn_sigmoidnet and
scikit-learn are to be tested (the versions and paths used are printed)::

    python tools/sklearn_mlp_suite.py [--known KNOWN_FILE] [-- PYTEST_ARGS...]

``--known`` names a text file of test ids (as printed in the summary, e.g.
``test_adaptive_learning_rate`` or ``test_early_stopping[MLPClassifier]``),
one per line, ``#`` starting a comment: the known, deliberate differences.
With it the exit status is 0 when every failure is listed (listed tests that
now pass are reported as stale); without it, 0 when nothing fails. Arguments
after ``--`` go to pytest, e.g. ``-- -k adaptive --tb=short`` to see a
traceback.
"""

import argparse
import importlib.util
import inspect
import math
import shutil
import sys
import tempfile
import types
from pathlib import Path

import pytest
import sklearn
import sklearn.neural_network

import sklearn_sigmoidnet
from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

TEST_MODULE = "sklearn.neural_network.tests.test_mlp"

# MLP's parameter name -> ours, for the parameters whose names differ
OUR_NAME = {
    "max_iter": "epochs",
    "learning_rate_init": "learning_rate",
    "learning_rate": "learning_rate_schedule",
}
MLP_NAME = {ours: mlp for mlp, ours in OUR_NAME.items()}

# Tests that call or set MLP's private machinery, which our estimators do not
# have under any name: test function name -> why it cannot run through a shim.
MLP_INTERNALS = {
    "test_fit": "fakes a fitted MLP from its private training state (t_, _coef_velocity, "
    "_coef_grads, learning_rate_) before partial_fit",
    "test_gradient": "calls MLP's private _loss_grad_lbfgs with its layer buffers",
}


# -- the shims -----------------------------------------------------------------


class _OptimizerView:
    """MLP's ``est._optimizer.learning_rate``: the η our estimator trained its last epoch with.

    Our estimators record the η of every epoch in ``history_["learning_rate"]``;
    the last entry is the η after the last schedule step (after the last
    division of "adaptive", for instance), which is what MLP's
    ``_optimizer.learning_rate`` holds.
    """

    def __get__(self, estimator, owner=None):
        if estimator is None:
            return self
        history = getattr(estimator, "history_", None)
        if not history or not history["learning_rate"]:
            raise AttributeError(
                "shim: the estimator has no history_['learning_rate'] to show as "
                "MLP's _optimizer.learning_rate"
            )
        return types.SimpleNamespace(learning_rate=history["learning_rate"][-1])


def _no_improvement_count(estimator):
    """MLP's ``_no_improvement_count``, re-counted from our per-epoch record.

    Our stopping rule keeps its count for the length of a fit call only; the
    count after the call is that of the trailing epochs that did not improve
    on the best before them by ``tol``: the validation scores with early
    stopping, else the training losses (negated, so that higher is better).
    """
    scores = estimator.validation_scores_
    if scores is None:
        scores = [-loss for loss in estimator.loss_curve_]
    count, best = 0, -math.inf
    for score in scores:
        count = 0 if score >= best + estimator.tol else count + 1
        best = max(best, score)
    return count


def _alias(ours):
    """An attribute under MLP's name that reads and writes our parameter ``ours``."""
    return property(
        lambda self: getattr(self, ours),
        lambda self, value: setattr(self, ours, value),
        doc=f"MLP's name for our parameter {ours!r}.",
    )


def _mlp_signature(estimator_class):
    """Our estimator's ``__init__`` signature with MLP's parameter names."""
    signature = inspect.signature(estimator_class.__init__)
    renamed = [p.replace(name=MLP_NAME.get(p.name, p.name)) for p in signature.parameters.values()]
    return signature.replace(parameters=renamed)


def make_shim(estimator_class, name):
    """A subclass of ``estimator_class`` that takes MLP's parameter names and does nothing else."""

    def __init__(self, *args, **params):
        estimator_class.__init__(self, *args, **{OUR_NAME.get(k, k): v for k, v in params.items()})

    # BaseEstimator reads the parameter names from this signature
    __init__.__signature__ = _mlp_signature(estimator_class)

    def get_params(self, deep=True):
        params = {}
        for key in self._get_param_names():
            value = getattr(self, OUR_NAME.get(key, key))
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            params[key] = value
        return params

    def set_params(self, **params):
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {name}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, OUR_NAME.get(key, key), value)
        return self

    namespace = {
        "__init__": __init__,
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"{estimator_class.__name__} under MLP's parameter names (a test shim).",
        "get_params": get_params,
        "set_params": set_params,
        # validated through get_params, so keyed by MLP's names
        "_parameter_constraints": {
            MLP_NAME.get(key, key): constraints
            for key, constraints in estimator_class._parameter_constraints.items()
        },
        "max_iter": _alias("epochs"),
        "learning_rate_init": _alias("learning_rate"),
        "_optimizer": _OptimizerView(),
        "_no_improvement_count": property(_no_improvement_count),
    }
    return type(name, (estimator_class,), namespace)


# module-level, so that pickle (the joblib test) finds them
MLPClassifier = make_shim(SigmoidNetClassifier, "MLPClassifier")
MLPRegressor = make_shim(SigmoidNetRegressor, "MLPRegressor")


# -- running the tests -----------------------------------------------------------


class ShimPlugin:
    """The pytest plugin: seeds, the internals skips, and every outcome recorded."""

    def __init__(self):
        self.outcomes = {}  # test id -> (outcome, first line of the message)

    def pytest_generate_tests(self, metafunc):
        # scikit-learn's conftest parametrizes this fixture; 42 is its default seed
        if "global_random_seed" in metafunc.fixturenames:
            metafunc.parametrize("global_random_seed", [42])

    def pytest_collection_modifyitems(self, items):
        for item in items:
            reason = MLP_INTERNALS.get(item.originalname)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=f"MLP internals: {reason}"))

    def pytest_runtest_logreport(self, report):
        test_id = report.nodeid.split("::", 1)[1]
        if report.failed:
            when = "" if report.when == "call" else f"(in {report.when}) "
            self.outcomes[test_id] = ("failed", when + _first_line(report))
        elif report.skipped:
            self.outcomes[test_id] = ("skipped", _first_line(report))
        elif report.when == "call" and test_id not in self.outcomes:
            self.outcomes[test_id] = ("passed", "")


def _first_line(report):
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [line.strip() for line in text.strip().splitlines()]
    if not lines:
        return ""
    # pytest.raises(match=...) names the message it got on a later line
    actual = [line for line in lines[1:] if line.startswith("Actual message:")]
    return " ".join(lines[:1] + actual)


def locate_test_file():
    spec = importlib.util.find_spec(TEST_MODULE)
    if spec is None or spec.origin is None:
        sys.exit(f"{TEST_MODULE} is not installed with scikit-learn {sklearn.__version__}.")
    return Path(spec.origin)


def run_tests(test_file, pytest_args):
    """Run a temporary copy of ``test_file`` with the shims in place; the plugin and exit code."""
    plugin = ShimPlugin()
    originals = sklearn.neural_network.MLPClassifier, sklearn.neural_network.MLPRegressor
    with tempfile.TemporaryDirectory(prefix="sklearn_mlp_suite_") as tmp:
        tmp = Path(tmp)
        shutil.copyfile(test_file, tmp / test_file.name)
        # an empty config of our own, so that no project's pytest settings apply
        (tmp / "pytest.ini").write_text("[pytest]\n")
        # test_mlp.py imports the classes from sklearn.neural_network when it is collected
        sklearn.neural_network.MLPClassifier = MLPClassifier
        sklearn.neural_network.MLPRegressor = MLPRegressor
        try:
            args = ["-c", str(tmp / "pytest.ini"), "--rootdir", str(tmp), "-p", "no:cacheprovider"]
            # quiet: the summary below says what failed; later arguments override these
            args += ["-q", "--tb=no", "-rN", "--disable-warnings"]
            args += [*pytest_args, str(tmp / test_file.name)]
            exit_code = pytest.main(args, plugins=[plugin])
        finally:
            sklearn.neural_network.MLPClassifier, sklearn.neural_network.MLPRegressor = originals
    return plugin, exit_code


def read_known(path):
    known = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            known.append(line)
    return known


def summarize(outcomes, known):
    """Print the summary; return whether it is a success."""
    by_outcome = {"passed": [], "failed": [], "skipped": []}
    for test_id, (outcome, message) in outcomes.items():
        by_outcome[outcome].append((test_id, message))
    print()
    print("=" * 80)
    print(
        f"{len(by_outcome['passed'])} passed, {len(by_outcome['failed'])} failed, "
        f"{len(by_outcome['skipped'])} skipped, {len(outcomes)} in all"
    )
    if by_outcome["skipped"]:
        print("\nSkipped:")
        for test_id, message in by_outcome["skipped"]:
            print(f"  {test_id}\n      {message}")
    if by_outcome["failed"]:
        print("\nFailed:")
        for test_id, message in by_outcome["failed"]:
            mark = "" if known is None else ("  [known]" if test_id in known else "  [NEW]")
            print(f"  {test_id}{mark}\n      {message}")
    failed = {test_id for test_id, _ in by_outcome["failed"]}
    if known is None:
        return not failed
    unlisted = sorted(failed - set(known))
    stale = [test_id for test_id in known if outcomes.get(test_id, ("",))[0] == "passed"]
    absent = [test_id for test_id in known if test_id not in outcomes]
    skipped = [test_id for test_id in known if outcomes.get(test_id, ("",))[0] == "skipped"]
    print(f"\nKnown differences listed: {len(known)}; failures not listed: {len(unlisted)}")
    for title, ids in [
        ("Failures not in the known list", unlisted),
        ("Stale entries (listed, but now pass)", stale),
        ("Listed but skipped", skipped),
        ("Listed but not run (no such test id)", absent),
    ]:
        if ids:
            print(f"\n{title}:")
            for test_id in ids:
                print(f"  {test_id}")
    return not unlisted


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run scikit-learn's test_mlp.py against sklearn_sigmoidnet.",
        epilog="Arguments after -- are passed to pytest.",
    )
    parser.add_argument("--known", metavar="PATH", help="file of known failing test ids")
    parser.add_argument("pytest_args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    known = read_known(options.known) if options.known else None

    test_file = locate_test_file()
    print(f"scikit-learn {sklearn.__version__}: {test_file}")
    print(
        f"sklearn_sigmoidnet {sklearn_sigmoidnet.__version__}: "
        f"{Path(sklearn_sigmoidnet.__file__).parent}"
    )
    plugin, exit_code = run_tests(test_file, options.pytest_args)
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        print(f"pytest did not run the tests through (exit code {exit_code}).")
        return 2
    return 0 if summarize(plugin.outcomes, known) else 1


if __name__ == "__main__":
    sys.exit(main())
