"""The speed work: its fast paths agree with their definitions, and the benchmark runs.

Nothing here times anything: speed is measured by benchmarks/bench_vs_mlp.py,
on a quiet machine, never asserted in a test.
"""

import importlib.util
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor, _engines, _network, _step
from sklearn_sigmoidnet._activations import ACTIVATIONS, DERIVATIVES
from sklearn_sigmoidnet._losses import LOSSES, output_delta, summed_loss
from sklearn_sigmoidnet._network import feedforward

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_matches_expit_to_the_last_bits(dtype):
    r = np.concatenate([np.linspace(-40, 40, 801), [-1e4, -800, -100, 0, 100, 800, 1e4]])
    r = r.astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("error")
        a = ACTIVATIONS["sigmoid"](r.copy())
    assert a.dtype == dtype
    np.testing.assert_allclose(a, expit(r), rtol=4 * np.finfo(dtype).eps, atol=0)


def test_feedforward_saturates_the_sigmoid_without_warning():
    W, b = [np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)]
    X = np.array([[-1e4], [0.0], [1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = feedforward(X, W, b, ["sigmoid", "identity"])[-1]
    np.testing.assert_array_equal(a.ravel(), [0.0, 0.5, 1.0])


@pytest.mark.parametrize(
    "name, derivative",
    [
        ("sigmoid", lambda a: a * (1 - a)),
        ("tanh", lambda a: 1 - a**2),
        ("relu", lambda a: (a > 0).astype(a.dtype)),
        ("identity", np.ones_like),
    ],
)
def test_derivative_multiplies_delta_in_place_by_sigma_prime(name, derivative):
    rng = np.random.RandomState(0)
    a = ACTIVATIONS[name](rng.normal(size=(6, 4)))
    delta = rng.normal(size=(6, 4))
    expected = delta * derivative(a)
    a_before = a.copy()
    DERIVATIVES[name](a, delta, np.empty_like(a))
    np.testing.assert_allclose(delta, expected, rtol=1e-15)
    np.testing.assert_array_equal(a, a_before)


def _targets(loss, rng, shape):
    if loss == "log_loss":
        return np.eye(shape[1])[rng.randint(shape[1], size=shape[0])]
    if loss == "binary_log_loss":
        return rng.randint(2, size=shape).astype(float)
    if loss == "poisson":
        return rng.poisson(2.0, size=shape).astype(float)
    return rng.normal(size=shape)


def _outputs(loss, rng, shape):
    if loss == "log_loss":
        return ACTIVATIONS["softmax"](rng.normal(size=shape))
    if loss == "binary_log_loss":
        # include outputs clipped on both sides of the probability range
        p = expit(rng.normal(scale=3, size=shape))
        p[0] = [0.0, 1.0, 1e-20][: shape[1]]
        return p
    if loss == "poisson":
        return np.exp(rng.normal(size=shape))
    return rng.normal(size=shape)


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_summed_loss_matches_the_per_sample_losses(loss, weighted):
    rng = np.random.RandomState(0)
    shape = (9, 3)
    y, y_hat = _targets(loss, rng, shape), _outputs(loss, rng, shape)
    sample_weight = rng.uniform(0.5, 2, size=shape[0]) if weighted else None
    residual = output_delta(loss, y, y_hat, out=np.empty(shape))
    y_hat_before = y_hat.copy()
    total = summed_loss(loss, y, y_hat, residual, sample_weight, np.empty(shape))
    expected = np.average(LOSSES[loss](y, y_hat), weights=sample_weight) * (
        shape[0] if sample_weight is None else sample_weight.sum()
    )
    assert total == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(y_hat, y_hat_before)


def _load(script):
    if str(BENCHMARKS) not in sys.path:  # the scripts import their neighbours, as when run
        sys.path.append(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(script, BENCHMARKS / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_runs(capsys):
    rows = _load("bench_vs_mlp").main(["--quick"])
    out = capsys.readouterr().out
    assert len(rows) == 2
    for heading in ("## Fit", "## Predict", "## Peak traced memory", "## Our seconds per epoch"):
        assert heading in out
    for row in rows:
        assert row["mlp_s"] > 0 and row["ours_s"] > 0 and row["gemm_s"] > 0


def test_ensemble_mean_benchmark_scores_both_means(capsys):
    bench = _load("bench_ensemble_mean")
    means = bench.main(["--only", "iris", "--members", "2"])
    assert "| iris |" in capsys.readouterr().out
    assert len(means) == 6 and 0.8 < means[0] <= 1 and 0.8 < means[1] <= 1
    # a single member's own probabilities are the model's
    for X, y in [load_iris(return_X_y=True), make_classification(80, 4, random_state=0)]:
        model = SigmoidNetClassifier((5,), epochs=5, random_state=0).fit(X, y)
        [alone] = bench.member_probabilities(model, X)
        np.testing.assert_allclose(alone, model.predict_proba(X), rtol=1e-10)


def test_piecewise_linear_encoding_ramps_between_the_quantiles():
    ple = _load("bench_numeric_shape").PiecewiseLinear(n_bins=2)
    ple.fit(np.c_[np.linspace(0, 10, 11), np.ones(11)])  # edges 0, 5, 10; a constant
    X = np.array([[2.5, 1], [7.5, 1], [-5, 1], [20, 1], [np.nan, 1]])
    expected = [[0.5, 0, 1], [1, 0.5, 1], [-1, 0, 1], [1, 3, 1], [np.nan, np.nan, 1]]
    np.testing.assert_allclose(ple.transform(X), expected)  # open below and above
    assert list(ple.get_feature_names_out(["a", "b"])) == ["a_ple0", "a_ple1", "b_ple0"]


def test_the_choice_on_validation_takes_the_better_candidate_refitted_on_all():
    bench = _load("bench_numeric_shape")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = pd.Series(X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200))
    for candidates, chosen in [((DummyRegressor(), LinearRegression()), 1),
                               ((LinearRegression(), DummyRegressor()), 0)]:  # fmt: skip
        model = bench.ChosenOnValidation(list(candidates), classifier=False).fit(X, y)
        assert model.chosen_ == chosen
        np.testing.assert_allclose(model.predict(X), LinearRegression().fit(X, y).predict(X))
        # without the refit: the chosen candidate as fitted on four fifths of the rows
        kept = bench.ChosenOnValidation(list(candidates), classifier=False, refit=False)
        kept.fit(X, y)
        assert kept.chosen_ == chosen and kept.model_.n_features_in_ == 3
        assert not np.allclose(kept.predict(X), model.predict(X))


def test_a_choice_on_the_estimators_own_validation_keeps_the_best_scored_fit():
    # each candidate fitted on all the rows; the one whose early stopping scored
    # best on its held-out share is kept as it is
    bench = _load("bench_numeric_shape")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    y = pd.Series(np.sin(3 * X["a"]) + 0.05 * rng.normal(size=300))
    candidates = [SigmoidNetRegressor(1, epochs=5, random_state=0),
                  SigmoidNetRegressor(32, epochs=60, random_state=0)]  # fmt: skip
    model = bench.KeptOnOwnValidation(candidates).fit(X, y)
    fitted = [clone(c).fit(X, y) for c in candidates]
    scores = [f.best_validation_score_ for f in fitted]
    assert scores[1] > scores[0] and model.chosen_ == 1
    np.testing.assert_array_equal(model.predict(X), fitted[1].predict(X))


def test_numeric_shape_benchmark_runs(capsys):
    variants = ("none,clip,smooth-clip,quantile,ple,ple3,impute-median,choose-ple3+clip,"
                "pick-ple3,keep-ple3,bins3")
    rows = _load("bench_numeric_shape").main(["--only", "iris", "--folds", "2",
                                              "--variants", variants])  # fmt: skip
    assert "| iris |" in capsys.readouterr().out
    assert set(rows[0]["results"]) == set(variants.split(","))
    assert all(0.5 < result["score"] <= 1 for result in rows[0]["results"].values())


def test_kernel_benchmark_times_every_variant_against_numpy(capsys):
    _load("bench_kernels").main(["--shapes", "3x5", "--repeats", "1"])
    out = capsys.readouterr().out
    assert f"kernels: {_step.kernel_variant()}" in out
    rows = [line for line in out.splitlines() if line.startswith("| bias + sigmoid")]
    assert len(rows) == 2  # float64, float32
    assert len(rows[0].split("|")) - 2 == 4 + 2 * len(_step.kernel_variants()) + (
        {"avx2", "avx512"} <= set(_step.kernel_variants())
    )


def test_step_profile_runs(capsys):
    shapes = ["--batch", "4", "--features", "3", "--hidden", "5", "--outputs", "3"]
    rows = _load("profile_step").main(shapes)
    out = capsys.readouterr().out
    assert "whole step" in out and "paired rounds" in out and rows["ratio"] > 0


def test_step_profile_compares_the_category_lookup_with_one_hot(capsys):
    shapes = ["--categorical", "--rows", "50", "--dense", "0", "--columns", "2", "--categories",
              "3", "--hidden", "4", "--outputs", "2", "--batch", "8", "--repeats", "1"]  # fmt: skip
    medians = _load("profile_step").main(shapes)
    assert medians.keys() == {"lookup", "one-hot"} and min(medians.values()) > 0
    assert "one-hot / lookup" in capsys.readouterr().out


def test_build_comparison_times_another_builds_step_beside_this_one(capsys, tmp_path):
    other = tmp_path / Path(_step.__file__).name  # a copy: a module of its own when loaded
    shutil.copy(_step.__file__, other)
    ratios = _load("compare_builds").main([str(other), "--quick", "--repeats", "2"])
    assert len(ratios) == 2 and min(ratios.values()) > 0
    assert f"(kernels: {_step.kernel_variant()})" in capsys.readouterr().out
    assert _engines._step is _step and _network._step is _step  # this build's, again


def test_install_comparison_fits_in_both_and_compares_their_predictions(capsys):
    rows = _load("bench_installs").main([sys.executable, "--quick", "--pairs", "1"])
    assert len(rows) == 2 and all(row["identical"] and row["ratio"] > 0 for row in rows)
    assert "| identical |" in capsys.readouterr().out
