"""The defaults benchmark runs, and every data set it uses loads offline as declared.

Nothing here judges a score: ``benchmarks/bench_defaults.py`` measures the
defaults, a test only checks that the measurement works.
"""

import importlib
import importlib.util
import math
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
    assert header[9:] == ["ours − MLP", "ours − linear", "ours s", "MLP s", "ours/MLP s"]
    for cells in table:
        assert len(cells) == len(header)
        assert cells[1] == "real" and cells[2] in ("reg", "cls")
        assert all(math.isfinite(float(cell)) for cell in cells[5:])  # no "error", no "–"
    for row in rows:
        for model, result in row["results"].items():
            assert not result["errors"], (row["dataset"], model)
            assert math.isfinite(result["score"]) and result["fit_s"] > 0
            assert not result["cached"]
    for line in ("mean ours − MLP, real", "worst ours − MLP", "ours more than 0.02 below linear"):
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
