"""The defaults benchmark runs, and every data set it uses loads offline as declared.

Nothing here judges a score: ``benchmarks/bench_defaults.py`` measures the
defaults, a test only checks that the measurement works.
"""

import importlib
import importlib.util
import json
import math
import socket
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(script):
    spec = importlib.util.spec_from_file_location(script, BENCHMARKS / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DATA = _load("defaults_data")


@pytest.fixture
def bench(monkeypatch):
    # the script imports its data module as a sibling, as it does when run from a shell
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("bench_defaults")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a data set loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _table(out):
    """The rows of the printed markdown table, as lists of cells, header first."""
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_quick_run_has_a_row_per_data_set_and_a_score_per_model(bench, capsys, tmp_path):
    out_json, figure = tmp_path / "results.json", tmp_path / "gaps.png"
    argv = ["--quick", "--out", str(out_json), "--figure", str(figure)]
    rows = bench.main([*argv, "--cache", str(tmp_path / "cache.json")])
    out = capsys.readouterr().out

    header, *table = _table(out)
    assert [cells[0] for cells in table] == list(bench.QUICK_DATASETS)
    assert header[5:9] == ["ours", "MLP", "linear", "HGB"]
    assert header[9:] == [
        "ours − MLP", "ours − linear", "ours s", "MLP s", "linear s", "HGB s", "ours/MLP s"
    ]  # fmt: skip
    for cells in table:
        assert len(cells) == len(header)
        assert cells[1] == "real" and cells[2] in ("reg", "cls")
        assert all(math.isfinite(float(cell)) for cell in cells[5:])  # no "error", no "–"
    for row in rows:
        for model, result in row["results"].items():
            assert not result["errors"], (row["dataset"], model)
            assert math.isfinite(result["score"]) and result["fit_s"] > 0
            assert not result["cached"]
    for row in rows:  # a classifier's probabilities are scored too
        for result in row["results"].values():
            probabilities_scored = math.isfinite(result["log_loss"]) and 0 <= result["brier"] <= 2
            assert probabilities_scored == (row["task"] != "regression")
    for line in ("mean ours − MLP, real", "worst ours − MLP", "ours more than 0.02 below linear",
                 "classification, mean log-loss and Brier", "ours − the best of HGB",
                 "fit seconds, ours / HGB"):  # fmt: skip
        assert line in out
    assert out_json.stat().st_size > 0 and figure.stat().st_size > 0


def test_cache_refits_only_ours(bench, capsys, tmp_path):
    argv = ["--quick", "--only", "iris", "--models", "ours,mlp", "--cache", str(tmp_path / "c")]
    first = bench.main(argv)
    second = bench.main([*argv, "--ours", "learning_rate=0.01"])
    capsys.readouterr()
    assert not first[0]["results"]["mlp"]["cached"]
    assert second[0]["results"]["mlp"]["cached"]
    assert second[0]["results"]["mlp"]["score"] == first[0]["results"]["mlp"]["score"]
    assert not second[0]["results"]["ours"]["cached"]


def test_probability_scores_are_the_log_loss_and_the_brier_score_of_every_class(bench):
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=1000).fit(X, y == 1)
    scores = bench.probability_scores(model, X, y == 1)
    p = model.predict_proba(X)[:, 1]
    assert scores["log_loss"] == pytest.approx(log_loss(y == 1, p))
    # two classes: the squared errors of both probabilities, twice the binary Brier score
    assert scores["brier"] == pytest.approx(2 * brier_score_loss(y == 1, p))


def test_ours_overrides_are_literals_or_strings(bench):
    pairs = ["learning_rate=0.01", "early_stopping=auto", "hidden_layer_sizes=(8, 4)", "tol=None"]
    assert bench.parse_overrides(pairs) == {
        "learning_rate": 0.01,
        "early_stopping": "auto",
        "hidden_layer_sizes": (8, 4),
        "tol": None,
    }


def test_there_are_enough_data_sets_of_each_kind():
    kinds = [kind for kind, _ in DATA.DATASETS.values()]
    assert len(kinds) >= 38
    assert kinds.count("real") >= 29 and kinds.count("generated") >= 9


@pytest.mark.usefixtures("no_network")
def test_there_are_large_real_regressions_and_real_multiclass_problems():
    large_regressions, multiclass = 0, 0
    for kind, load in DATA.DATASETS.values():
        if kind != "real":
            continue
        X, y, task = load()
        if task == "regression":
            large_regressions += len(X) > 1_000
        else:
            multiclass += y.nunique() > 2
    # the defaults must generalise beyond small, near-linear tables
    assert large_regressions >= 6 and multiclass >= 6


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("name", list(DATA.DATASETS))
def test_loader_returns_the_declared_task_offline(name):
    kind, load = DATA.DATASETS[name]
    X, y, task = load()
    assert kind in ("real", "generated")
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert 100 <= X.shape[0] <= 10_000 and X.shape[1] >= 1 and len(y) == len(X)
    assert X.columns.is_unique
    assert y.notna().all()
    numeric = X.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numeric).any()
    if task == "regression":
        assert pd.api.types.is_numeric_dtype(y) and np.isfinite(y).all()
        assert y.nunique() > 20
    else:
        assert task == "classification"
        counts = y.value_counts()
        # enough of every class for a stratified 5-fold split
        assert 2 <= len(counts) <= 10 and counts.min() >= 5


def test_quick_run_in_three_modes_names_each_and_combines_them(bench, capsys, tmp_path):
    out_json, cache = tmp_path / "results.json", tmp_path / "cache.json"
    argv = ["--quick", "--mode", "pipeline", "raw", "no-scaler", "--out", str(out_json)]
    rows = bench.main([*argv, "--cache", str(cache), "--figure", str(tmp_path / "gaps.png")])
    out = capsys.readouterr().out

    for mode in ("pipeline", "raw", "no-scaler"):
        assert f"## Mode {mode}: cross-validated score" in out
        assert (tmp_path / f"gaps-{mode}.png").stat().st_size > 0
    assert "## Modes side by side: pipeline, raw, no-scaler" in out
    assert [(row["dataset"], row["mode"]) for row in rows] == [
        (name, mode) for name in bench.QUICK_DATASETS for mode in ("pipeline", "raw", "no-scaler")
    ]
    for row in rows:
        results = row["results"]
        if row["mode"] == "raw":
            # MLP and the linear model cannot take a raw frame: left out, not relabelled
            assert set(results) == {"ours", "hgb"}
            assert not results["hgb"]["errors"] and math.isfinite(results["hgb"]["score"])
            # today's package cannot fit the penguins' strings: that is an error, not a crash
            ours = results["ours"]
            assert bool(ours["errors"]) != math.isfinite(ours["score"])
        else:
            assert set(results) == set(bench.DEFAULT_MODELS)
            for model in ("mlp", "linear", "hgb"):
                assert not results[model]["errors"], (row["dataset"], row["mode"], model)

    combined_header = next(
        cells for cells in _table(out) if cells[:2] == ["data set", "kind"] and "HGB (raw)" in cells
    )
    for column in ("ours (pipeline)", "ours (raw)", "ours (no-scaler)", "HGB (pipeline)"):
        assert column in combined_header
    assert "ours − HGB (raw)" in combined_header and "ours s raw/pipeline" in combined_header
    assert "ours (raw) ≥ ours (pipeline) − 0.01 on" in out
    assert "ours fit s, raw / pipeline: median" in out

    document = json.loads(out_json.read_text())
    assert document["modes"] == ["pipeline", "raw", "no-scaler"]
    assert set(document["summary"]) == {"pipeline", "raw", "no-scaler"}
    assert {row["mode"] for row in document["datasets"]} == {"pipeline", "raw", "no-scaler"}
    assert set(document["environment"]["mode_wall_s"]) == {"pipeline", "raw", "no-scaler"}
    assert "ours − HGB, raw" in document["combined"]["summary"]
    assert len(document["combined"]["datasets"]) == len(bench.QUICK_DATASETS)

    # the cache keeps each mode's results apart, and never ours
    keys = json.loads(cache.read_text())
    assert {key.split("/")[1] for key in keys} == {"pipeline", "raw", "no-scaler"}
    assert not [key for key in keys if key.split("/")[2] == "ours"]
    assert not [key for key in keys if key.split("/")[1] == "raw" and key.split("/")[2] != "hgb"]


def test_a_cached_mode_is_read_back_only_for_that_mode(bench, capsys, tmp_path):
    argv = ["--quick", "--only", "penguins", "--models", "hgb", "--cache", str(tmp_path / "c")]
    first = bench.main([*argv, "--mode", "raw"])
    second = bench.main([*argv, "--mode", "raw", "pipeline"])
    capsys.readouterr()
    raw, pipeline = second
    assert not first[0]["results"]["hgb"]["cached"]
    assert raw["mode"] == "raw" and raw["results"]["hgb"]["cached"]
    assert raw["results"]["hgb"]["score"] == first[0]["results"]["hgb"]["score"]
    assert pipeline["mode"] == "pipeline" and not pipeline["results"]["hgb"]["cached"]


def test_each_mode_feeds_the_models_as_documented(bench):
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from sklearn_sigmoidnet import SigmoidNetRegressor

    def steps(model):
        return [type(step) for step in model.named_steps["columntransformer"].transformers[0][1]]

    default = bench.make_model("mlp", DATA.REGRESSION, {})
    assert joblib.hash(default) == joblib.hash(
        bench.make_model("mlp", DATA.REGRESSION, {}, "pipeline")
    )
    assert StandardScaler in steps(default)
    no_scaler = bench.make_model("mlp", DATA.REGRESSION, {}, "no-scaler")
    numeric = no_scaler.named_steps["columntransformer"].transformers[0][1]
    assert "StandardScaler" not in repr(numeric)
    assert isinstance(bench.make_model("ours", DATA.REGRESSION, {}, "raw"), SigmoidNetRegressor)
    raw_hgb = bench.make_model("hgb", DATA.CLASSIFICATION, {}, "raw", {"a": ["x"]})
    assert isinstance(raw_hgb.steps[0][1], FunctionTransformer)
    assert raw_hgb.steps[1][1].categorical_features == "from_dtype"
    for model in ("mlp", "linear"):
        with pytest.raises(ValueError, match="does not run in mode 'raw'"):
            bench.make_model(model, DATA.REGRESSION, {}, "raw")


def test_mlp_alone_in_raw_mode_is_reported_not_run(bench, capsys):
    rows = bench.main(["--quick", "--only", "iris", "--models", "mlp", "--mode", "raw"])
    assert rows[0]["results"] == {}
    assert "none of mlp runs in it" in capsys.readouterr().out


def test_raw_hgb_takes_strings_missing_values_and_a_category_one_fold_lacks(bench):
    rng = np.random.RandomState(0)
    n = 200
    colour = rng.choice(["red", "green", "blue"], size=n).astype(object)
    colour[:5] = [None, np.nan, None, np.nan, None]
    colour[7] = "violet"  # one row only: some training folds never see it
    X = pd.DataFrame(
        {
            "size": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(1_000, 300, size=n)),
            "colour": colour,
            "shape": pd.Series(rng.choice(["round", "square"], size=n), dtype="str"),
        }
    )
    y = pd.Series((colour == "red") | (X["size"] > 1_000)).astype(int)
    categories = bench.category_sets(X)
    assert categories == {
        "colour": ["blue", "green", "red", "violet"],
        "shape": ["round", "square"],
    }
    # a part of the frame keeps the whole column's categories
    part = bench.as_categories(X.iloc[8:], categories)
    assert list(part["colour"].cat.categories) == ["blue", "green", "red", "violet"]
    assert part["size"].dtype == float

    model = bench.make_model("hgb", DATA.CLASSIFICATION, {}, "raw", categories)
    result = bench.cross_validate_model(model, X, y, DATA.CLASSIFICATION, 5, 1, (None, None))
    assert not result["errors"] and result["score"] > 0.8


def test_cache_keys_differ_by_mode(bench):
    X, y, task = DATA.iris()
    model = bench.make_model("hgb", task, {})
    keys = {
        mode: bench.ResultCache.key("iris", mode, "hgb", model, X, y, 5, (None, None))
        for mode in bench.MODES
    }
    assert len(set(keys.values())) == len(bench.MODES)
    assert all(key.startswith(f"iris/{mode}/hgb/") for mode, key in keys.items())
