"""The estimators' default settings on real data, beside MLP, a linear model and HGB.

Every model runs with its default parameters inside the pipeline a new user
would write: a ColumnTransformer that imputes and standardises the numeric
columns and imputes and one-hot encodes the categorical ones. Targets stay in
their own units (prices in dollars, salaries in thousands): that is what users
pass. Each model is cross-validated (5 folds, shuffled with a fixed seed,
stratified for classifiers) on the data sets of ``defaults_data.py``, all of
which ship with scikit-learn or a package of the ``benchmark`` extra; nothing is
downloaded. ``random_state=0`` is the only setting given to the models that
take one, so that a rerun gives the same numbers.

``--ours key=value ...`` overrides our estimators' parameters, to measure
candidate defaults; ``--cache PATH`` keeps the results of the other models,
whose settings do not change, so that such a sweep refits only ours.

``--mode`` says how the data reaches the models (one mode or several):

- ``pipeline`` (the default): the preprocessing pipeline above, for every model.
- ``raw``: the loader's DataFrame itself, numeric columns unscaled, categorical
  columns as they come (``object`` / ``str`` / ``category``), missing values
  left in. Ours gets ``fit(df, y)`` with no preprocessing at all. HGB gets
  ``HistGradientBoosting*(categorical_features="from_dtype", random_state=0)``
  behind one stateless step that turns the ``object`` / ``str`` columns into
  pandas ``category`` (HGB's ``from_dtype`` reads only that dtype) with each
  column's set of categories fixed beforehand from the whole column (which says
  nothing about the target), so that a category missing from a training fold
  cannot break a fold; it runs inside each fold's fit. MLP and the linear model
  cannot take such a frame and are left out of this mode (their ``pipeline``
  results are not reused under its name).
- ``no-scaler``: the pipeline without the ``StandardScaler`` on the numeric
  columns (imputing and one-hot encoding kept), the most common slip of a user,
  for all four models (HGB, which does not care about scale, as a check).

Each mode prints its own table, named by the mode; ``--out`` and ``--cache``
keep the mode of every result. With more than one mode, e.g. ``--mode pipeline
raw no-scaler``, a combined table follows: per data set, ours in each mode
beside HGB in the ``pipeline`` and ``raw`` modes, ours − HGB in each mode (HGB
of the same mode), and ours' fit seconds in each other mode over ``pipeline``;
below it, per mode, the mean and median of ours − HGB and the count of data
sets where ours ≥ HGB − 0.01, the count where ours in each other mode ≥ ours in
``pipeline`` − 0.01, and the median and maximum of that fit-time ratio.

Run ``python benchmarks/bench_defaults.py`` for the full table (several
minutes on two cores) or ``--quick`` for a smoke run (seconds; its numbers mean
little).
"""

import argparse
import ast
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn
from defaults_data import DATASETS, REGRESSION
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_sigmoidnet
from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

MODELS = ("ours", "mlp", "linear", "hgb", "lgbm", "realmlp")
# lgbm and realmlp, anchors of the `anchors` extra, run only when --models names them
DEFAULT_MODELS = ("ours", "mlp", "linear", "hgb")
MODES = ("pipeline", "raw", "no-scaler")
# the models that can take the data the way the mode passes it
MODE_MODELS = {
    "pipeline": MODELS, "raw": ("ours", "hgb", "lgbm", "realmlp"), "no-scaler": MODELS
}  # fmt: skip
LABELS = {"ours": "ours", "mlp": "MLP", "linear": "linear", "hgb": "HGB", "lgbm": "LightGBM",
          "realmlp": "RealMLP-TD"}  # fmt: skip
# what each fold reports beside the score: a classifier's probabilities scored too
SCORES = ("score", "log_loss", "brier")
QUICK_DATASETS = ("iris", "diabetes", "penguins_body_mass")
QUICK_OURS = {"epochs": 5}


def preprocessor(scale=True):
    """The user's pipeline; ``scale=False`` leaves out the StandardScaler (mode ``no-scaler``)."""
    numeric = make_pipeline(SimpleImputer(), StandardScaler()) if scale else SimpleImputer()
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ],
        # HistGradientBoosting takes dense input only
        sparse_threshold=0,
    )


def category_sets(X):
    """Each ``object`` / string column's categories, from the whole column (no target).

    Fixed before the folds are drawn, so that a value that one training fold
    lacks is still a known category in that fold's model. Columns that already
    are ``category`` keep their own categories.
    """
    return {
        column: sorted(X[column].dropna().unique().tolist(), key=str)
        for column in X.columns
        if not pd.api.types.is_numeric_dtype(X[column])
        and not isinstance(X[column].dtype, pd.CategoricalDtype)
    }


def as_categories(X, categories):
    """The frame with the given columns turned into pandas ``category`` of the given sets.

    Stateless: the same result whichever rows it sees, so it can sit in a fold's pipeline.
    """
    return X.astype({column: pd.CategoricalDtype(cats) for column, cats in categories.items()})


def make_model(name, task, ours_params, mode="pipeline", categories=None):
    """The model as ``mode`` passes it the data; ``categories`` (raw HGB) from ``category_sets``."""
    regression = task == REGRESSION
    if name not in MODE_MODELS[mode]:
        raise ValueError(f"model {name!r} does not run in mode {mode!r}")
    if name == "ours":
        net = SigmoidNetRegressor if regression else SigmoidNetClassifier
        estimator = net(**{"random_state": 0, **ours_params})
    elif name == "mlp":
        estimator = (MLPRegressor if regression else MLPClassifier)(random_state=0)
    elif name == "linear":
        estimator = RidgeCV() if regression else LogisticRegression(max_iter=10_000)
    elif name == "lgbm":
        import lightgbm  # the `anchors` extra

        lgbm = lightgbm.LGBMRegressor if regression else lightgbm.LGBMClassifier
        estimator = lgbm(random_state=0, verbose=-1)
        if mode == "raw":  # LightGBM reads pandas category columns and NaN itself
            return make_pipeline(_to_categories(categories), estimator)
    elif name == "realmlp":
        import pytabkit  # the `anchors` extra; on the CPU, one thread

        realmlp = pytabkit.RealMLP_TD_Regressor if regression else pytabkit.RealMLP_TD_Classifier
        estimator = realmlp(random_state=0, n_threads=1, device="cpu", verbosity=0)
        if mode == "raw":  # RealMLP reads pandas category columns and NaN itself
            return make_pipeline(_to_categories(categories), estimator)
    else:
        hgb = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
        if mode == "raw":
            return make_pipeline(
                _to_categories(categories), hgb(categorical_features="from_dtype", random_state=0)
            )
        estimator = hgb(random_state=0)
    if mode == "raw":
        return estimator  # ours: the DataFrame itself, no preprocessing at all
    return make_pipeline(preprocessor(scale=mode != "no-scaler"), estimator)


def _to_categories(categories):
    return FunctionTransformer(
        as_categories, kw_args={"categories": categories or {}}, feature_names_out="one-to-one"
    )


def probability_scores(model, X, y):
    """A classifier's log-loss and Brier score (the squared error of the
    probabilities of every class, summed per sample) on (X, y)."""
    proba, classes = model.predict_proba(X), model.classes_
    return {
        "log_loss": float(log_loss(y, proba, labels=classes)),
        "brier": brier_score(y, proba, classes),
    }


def brier_score(y, proba, classes):
    """The squared errors of every class's probability, summed per sample, averaged."""
    onehot = (np.asarray(y)[:, None] == classes[None, :]).astype(float)
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def _fit_and_score(model, X, y, train, test, metric, threads):
    """One fold: the score (and a classifier's log-loss and Brier score), the
    fit's seconds, and the warnings it raised (silenced).

    ``threads`` are the BLAS and OpenMP thread limits (None: the library's own),
    set here so that they hold in joblib's worker processes too.
    """
    result = {"score": math.nan, "log_loss": math.nan, "brier": math.nan, "fit_s": math.nan,
              "error": None}  # fmt: skip
    blas_threads, openmp_threads = threads
    with (
        threadpool_limits(blas_threads, user_api="blas"),
        threadpool_limits(openmp_threads, user_api="openmp"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            model.fit(X.iloc[train], y.iloc[train])
            result["fit_s"] = time.perf_counter() - start
            result["score"] = float(metric(y.iloc[test], model.predict(X.iloc[test])))
            if metric is accuracy_score:
                result.update(probability_scores(model, X.iloc[test], y.iloc[test]))
        except Exception as exc:  # a diverging candidate must not end a long sweep
            result["error"] = f"{type(exc).__name__}: {exc}"
    result["convergence_warnings"] = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    result["other_warnings"] = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if not issubclass(w.category, ConvergenceWarning)
    ]
    return result


def cross_validate_model(model, X, y, task, n_splits, n_jobs, threads):
    """Mean score and fit seconds over the folds, with the warnings counted."""
    if task == REGRESSION:
        cv, metric = KFold(n_splits, shuffle=True, random_state=0), r2_score
    else:
        cv, metric = StratifiedKFold(n_splits, shuffle=True, random_state=0), accuracy_score
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(clone(model), X, y, train, test, metric, threads)
        for train, test in cv.split(X, y)
    )
    errors = [fold["error"] for fold in folds if fold["error"]]
    fit_times = [fold["fit_s"] for fold in folds if not fold["error"]]
    return {
        # any failed fold makes the model's scores on the data set unknown
        **{
            name: math.nan if errors else float(np.mean([fold[name] for fold in folds]))
            for name in SCORES
        },
        "fit_s": float(np.mean(fit_times)) if fit_times else math.nan,
        "convergence_warnings": sum(fold["convergence_warnings"] for fold in folds),
        "other_warnings": sorted({w for fold in folds for w in fold["other_warnings"]}),
        "errors": sorted(set(errors)),
    }


def library_versions():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "sklearn_sigmoidnet": sklearn_sigmoidnet.__version__,
        **_anchor_versions(),
    }


def _anchor_versions():
    versions = {}
    for name in ("lightgbm", "pytabkit", "torch"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


class ResultCache:
    """Cross-validation results kept in a JSON file between runs.

    The key covers everything the result depends on: the data set's name and
    contents, the mode (how the data reaches the model), the model (its
    pipeline, parameters included), the folds, the thread limits and the library
    versions (our package's left out: the models cached never use it).
    """

    def __init__(self, path):
        self.path = Path(path) if path else None
        self.entries = {}
        if self.path and self.path.exists():
            self.entries = json.loads(self.path.read_text())

    @staticmethod
    def key(dataset, mode, name, model, X, y, n_splits, threads):
        versions = library_versions()
        del versions["sklearn_sigmoidnet"]
        material = json.dumps(
            [mode, joblib.hash((X, y)), joblib.hash(model), n_splits, threads, versions, SCORES]
        )
        return f"{dataset}/{mode}/{name}/{hashlib.sha256(material.encode()).hexdigest()[:16]}"

    def get(self, key):
        return self.entries.get(key) if self.path else None

    def put(self, key, result):
        if self.path:
            self.entries[key] = result

    def save(self):
        if self.path:
            self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True))


def mode_models(mode, models):
    """The models of ``models`` that run in ``mode``, in the table's order."""
    return [m for m in models if m in MODE_MODELS[mode]]


def bench_dataset(name, models, ours_params, args, cache, modes=("pipeline",)):
    """One row per mode: the data set loaded once, each model cross-validated in each mode."""
    kind, load = DATASETS[name]
    X, y, task = load()
    categories = category_sets(X)
    rows = []
    for mode in modes:
        start = time.perf_counter()
        row = bench_mode(name, kind, X, y, task, mode, categories, models, ours_params, args, cache)
        row["wall_s"] = time.perf_counter() - start
        rows.append(row)
    return rows


def bench_mode(name, kind, X, y, task, mode, categories, models, ours_params, args, cache):
    row = {
        "dataset": name,
        "mode": mode,
        "kind": kind,
        "task": task,
        "n_rows": X.shape[0],
        "n_features": X.shape[1],
        "results": {},
    }
    for model_name in mode_models(mode, models):
        model = make_model(model_name, task, ours_params, mode, categories)
        key = None
        if model_name != "ours":
            key = ResultCache.key(name, mode, model_name, model, X, y, args.folds, args.threads)
        result = cache.get(key) if key else None
        if result is None:
            result = cross_validate_model(model, X, y, task, args.folds, args.n_jobs, args.threads)
            if key and not result["errors"]:
                cache.put(key, result)
            result = {**result, "cached": False}
        else:
            result = {**result, "cached": True}
        row["results"][model_name] = result
    res = row["results"]
    if "ours" in res and "mlp" in res:
        row["ours_minus_mlp"] = res["ours"]["score"] - res["mlp"]["score"]
        row["ours_over_mlp_fit_s"] = res["ours"]["fit_s"] / res["mlp"]["fit_s"]
    if "ours" in res and "linear" in res:
        row["ours_minus_linear"] = res["ours"]["score"] - res["linear"]["score"]
    return row


def _num(value, digits=3):
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _gap(value):
    return "–" if value is None or math.isnan(value) else f"{value:+.3f}"


def print_table(rows, models):
    show_ours_mlp = "ours" in models and "mlp" in models
    show_ours_linear = "ours" in models and "linear" in models
    header = ["data set", "kind", "task", "rows", "features", *(LABELS[m] for m in models)]
    align = ["---", "---", "---", "---:", "---:", *("---:" for _ in models)]
    if show_ours_mlp:
        header.append("ours − MLP")
    if show_ours_linear:
        header.append("ours − linear")
    align += ["---:"] * (show_ours_mlp + show_ours_linear)
    header += [f"{LABELS[m]} s" for m in models]
    align += ["---:" for m in models]
    if show_ours_mlp:
        header.append("ours/MLP s")
        align.append("---:")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(align) + "|")
    for row in rows:
        res = row["results"]
        cells = [
            row["dataset"],
            row["kind"],
            "reg" if row["task"] == REGRESSION else "cls",
            str(row["n_rows"]),
            str(row["n_features"]),
        ]
        cells += ["error" if res[m]["errors"] else _num(res[m]["score"]) for m in models]
        if show_ours_mlp:
            cells.append(_gap(row["ours_minus_mlp"]))
        if show_ours_linear:
            cells.append(_gap(row["ours_minus_linear"]))
        cells += [_num(res[m]["fit_s"], 2) for m in models]
        if show_ours_mlp:
            cells.append(_num(row["ours_over_mlp_fit_s"], 2))
        print("| " + " | ".join(cells) + " |")


def summarise(rows, models):
    """The summary numbers of the run, also printed below the table."""
    summary = {}
    if "ours" in models and "mlp" in models:
        gaps = pd.DataFrame(
            [(r["dataset"], r["kind"], r["task"], r["ours_minus_mlp"]) for r in rows],
            columns=["dataset", "kind", "task", "gap"],
        )
        for label, subset in [
            ("real", gaps[gaps.kind == "real"]),
            ("generated", gaps[gaps.kind == "generated"]),
            ("regression (R²)", gaps[gaps.task == REGRESSION]),
            ("classification (accuracy)", gaps[gaps.task != REGRESSION]),
            ("all", gaps),
        ]:
            summary[f"mean ours − MLP, {label}"] = {
                "mean": float(subset.gap.mean()) if len(subset) else math.nan,
                # R² has no floor, so one failed regression can carry the mean
                "median": float(subset.gap.median()) if len(subset) else math.nan,
                "n": int(subset.gap.notna().sum()),
                "failed": int(subset.gap.isna().sum()),
            }
        if gaps.gap.notna().any():
            worst = gaps.loc[gaps.gap.idxmin()]
            summary["worst ours − MLP"] = {"gap": float(worst.gap), "dataset": worst.dataset}
    if "ours" in models and "linear" in models:
        real_regression = [r for r in rows if r["kind"] == "real" and r["task"] == REGRESSION]
        below = [
            r["dataset"]
            for r in real_regression
            if not r["ours_minus_linear"] >= -0.02  # a failed fit (NaN) counts as below
        ]
        summary["real regression, ours more than 0.02 below linear"] = {
            "count": len(below),
            "of": len(real_regression),
            "datasets": below,
        }
    classification = [r for r in rows if r["task"] != REGRESSION]
    if classification:
        # over the data sets where every model scored: the means compare like with like
        scored = [r for r in classification if not any(r["results"][m]["errors"] for m in models)]
        summary["classification, mean log-loss and Brier"] = {
            m: {
                "log_loss": float(np.mean([r["results"][m]["log_loss"] for r in scored])),
                "brier": float(np.mean([r["results"][m]["brier"] for r in scored])),
                "n": len(scored),
            }
            for m in models
        }
    for anchor in ("hgb", "lgbm", "realmlp"):
        if "ours" in models and anchor in models:
            ratios = [r["results"]["ours"]["fit_s"] / r["results"][anchor]["fit_s"] for r in rows]
            summary[f"fit seconds, ours / {LABELS[anchor]}"] = {
                "median": float(np.nanmedian(ratios)),
                "max": float(np.nanmax(ratios)),
            }
    anchors = [m for m in ("hgb", "lgbm", "realmlp") if m in models]
    if "ours" in models and anchors:
        # the best anchor that scored (a failed fit scores NaN)
        best = [np.nanmax([r["results"][m]["score"] for m in anchors]) for r in rows]
        gaps = [r["results"]["ours"]["score"] - b for r, b in zip(rows, best)]
        summary["ours − the best of " + " and ".join(LABELS[m] for m in anchors)] = {
            "mean": float(np.mean(gaps)),
            "within 0.01": sum(gap >= -0.01 for gap in gaps),  # NaN (a failed fit) counts out
            "of": len(gaps),
        }
    summary["warnings"] = {
        m: {
            "convergence": sum(r["results"][m]["convergence_warnings"] for r in rows),
            "other": sum(len(r["results"][m]["other_warnings"]) for r in rows),
            "failed data sets": sum(bool(r["results"][m]["errors"]) for r in rows),
            "from cache": sum(r["results"][m]["cached"] for r in rows),
        }
        for m in models
    }
    return summary


def print_summary(summary, rows, models, n_splits):
    print()
    for label, value in summary.items():
        if label.startswith("mean ours − MLP"):
            failed = f", {value['failed']} failed" if value["failed"] else ""
            print(
                f"- {label}: {_gap(value['mean'])} (median {_gap(value['median'])}) "
                f"over {value['n']} data sets{failed}"
            )
        elif label == "worst ours − MLP":
            print(f"- {label}: {value['gap']:+.3f} ({value['dataset']})")
        elif label.startswith("real regression"):
            names = f" ({', '.join(value['datasets'])})" if value["datasets"] else ""
            print(f"- {label}: {value['count']} of {value['of']}{names}")
        elif label.startswith("classification, mean"):
            n = next(iter(value.values()))["n"]
            print(
                f"- {label} over the {n} classification data sets where every model scored: "
                + ", ".join(
                    f"{LABELS[m]} {v['log_loss']:.4f} / {v['brier']:.4f}" for m, v in value.items()
                )
            )
        elif label.startswith("fit seconds"):
            print(f"- {label}: median {value['median']:.2f}, largest {value['max']:.2f}")
        elif label.startswith("ours − the best"):
            print(
                f"- {label}: mean {_gap(value['mean'])}, within 0.01 (or above) on "
                f"{value['within 0.01']} of {value['of']}"
            )
    fits = len(rows) * n_splits
    counts = summary["warnings"]
    print(
        f"- convergence warnings (silenced), of {fits} fits per model: "
        + ", ".join(f"{LABELS[m]} {counts[m]['convergence']}" for m in models)
    )
    cached = [f"{LABELS[m]} {counts[m]['from cache']}" for m in models if counts[m]["from cache"]]
    if cached:
        print(f"- results read from the cache (their fit seconds too): {', '.join(cached)}")
    for m in models:
        for row in rows:
            result = row["results"][m]
            for message in result["errors"]:
                print(f"- {LABELS[m]} failed on {row['dataset']}: {message[:200]}")
            for message in result["other_warnings"]:
                print(f"- {LABELS[m]} warned on {row['dataset']}: {message[:200]}")


def _score(row, model):
    """The model's score in the row, NaN where it failed or did not run."""
    result = row["results"].get(model)
    return math.nan if result is None or result["errors"] else result["score"]


def _fit_s(row, model):
    result = row["results"].get(model)
    return math.nan if result is None or result["errors"] else result["fit_s"]


def combine(rows, modes):
    """Per data set, ours in each mode beside HGB in each mode, and the summary of that.

    ``ours − HGB`` of a mode compares the two models fed the same way (HGB of
    the same mode); the other modes of ours are compared with ours in
    ``pipeline``, on score and on fit seconds. A failed fit gives NaN: it counts
    in no "at least" and is counted as failed.
    """
    by_key = {(row["dataset"], row["mode"]): row for row in rows}
    names = list(dict.fromkeys(row["dataset"] for row in rows))
    ours_modes = [m for m in modes if any("ours" in by_key[n, m]["results"] for n in names)]
    hgb_modes = [m for m in modes if any("hgb" in by_key[n, m]["results"] for n in names)]
    entries = []
    for name in names:
        first = by_key[name, modes[0]]
        entry = {key: first[key] for key in ("dataset", "kind", "task", "n_rows")}
        entry["ours"] = {m: _score(by_key[name, m], "ours") for m in ours_modes}
        entry["ours_fit_s"] = {m: _fit_s(by_key[name, m], "ours") for m in ours_modes}
        entry["hgb"] = {m: _score(by_key[name, m], "hgb") for m in hgb_modes}
        entry["ours_minus_hgb"] = {
            m: entry["ours"][m] - entry["hgb"][m] for m in ours_modes if m in hgb_modes
        }
        if "pipeline" in ours_modes:
            entry["ours_minus_ours_pipeline"] = {
                m: entry["ours"][m] - entry["ours"]["pipeline"]
                for m in ours_modes
                if m != "pipeline"
            }
            entry["ours_fit_s_over_pipeline"] = {
                m: entry["ours_fit_s"][m] / entry["ours_fit_s"]["pipeline"]
                for m in ours_modes
                if m != "pipeline"
            }
        entries.append(entry)

    summary = {}
    for m in ours_modes:
        if m not in hgb_modes:
            continue
        gaps = pd.Series([e["ours_minus_hgb"][m] for e in entries], dtype=float)
        summary[f"ours − HGB, {m}"] = {
            "mean": float(gaps.mean()),
            "median": float(gaps.median()),
            "at least HGB − 0.01": int((gaps >= -0.01).sum()),
            "of": len(gaps),
            "failed": int(gaps.isna().sum()),
        }
    for m in ours_modes:
        if m == "pipeline" or "pipeline" not in ours_modes:
            continue
        gaps = pd.Series([e["ours_minus_ours_pipeline"][m] for e in entries], dtype=float)
        summary[f"ours {m} vs ours pipeline"] = {
            "mean": float(gaps.mean()),
            "median": float(gaps.median()),
            "at least pipeline − 0.01": int((gaps >= -0.01).sum()),
            "of": len(gaps),
            "failed": int(gaps.isna().sum()),
        }
        ratios = pd.Series(
            [e["ours_fit_s_over_pipeline"][m] for e in entries], index=names, dtype=float
        )
        summary[f"ours fit s, {m} / pipeline"] = {
            "median": float(ratios.median()),
            "max": float(ratios.max()),
            "max on": ratios.idxmax() if ratios.notna().any() else None,
            "n": int(ratios.notna().sum()),
        }
    return {"ours_modes": ours_modes, "hgb_modes": hgb_modes, "datasets": entries}, summary


def print_combined(combined, summary):
    ours_modes, hgb_modes = combined["ours_modes"], combined["hgb_modes"]
    # HGB bins each column by its quantiles, and scaling leaves every value in its bin: its
    # no-scaler column would repeat the pipeline one (benchmarks/results/0.3.0.md, "The
    # defaults benchmark three ways"), so only two columns
    hgb_shown = [m for m in ("pipeline", "raw") if m in hgb_modes] or hgb_modes
    gap_modes = [m for m in ours_modes if m in hgb_modes]
    ratio_modes = [m for m in ours_modes if m != "pipeline"] if "pipeline" in ours_modes else []
    header = ["data set", "kind", "task", "rows"]
    header += [f"ours ({m})" for m in ours_modes] + [f"HGB ({m})" for m in hgb_shown]
    header += [f"ours − HGB ({m})" for m in gap_modes]
    header += ["ours s (pipeline)"] if "pipeline" in ours_modes else []
    header += [f"ours s {m}/pipeline" for m in ratio_modes]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * (len(header) - 3)) + "|")
    for e in combined["datasets"]:
        cells = [e["dataset"], e["kind"], "reg" if e["task"] == REGRESSION else "cls"]
        cells.append(str(e["n_rows"]))
        cells += ["error" if math.isnan(e["ours"][m]) else _num(e["ours"][m]) for m in ours_modes]
        cells += ["error" if math.isnan(e["hgb"][m]) else _num(e["hgb"][m]) for m in hgb_shown]
        cells += [_gap(e["ours_minus_hgb"][m]) for m in gap_modes]
        if "pipeline" in ours_modes:
            cells.append(_num(e["ours_fit_s"]["pipeline"], 2))
        cells += [_num(e["ours_fit_s_over_pipeline"][m], 2) for m in ratio_modes]
        print("| " + " | ".join(cells) + " |")
    print()
    for label, value in summary.items():
        failed = f", {value['failed']} failed" if value.get("failed") else ""
        if label.startswith("ours − HGB"):
            print(
                f"- {label} (HGB of the same mode): mean {_gap(value['mean'])}, median "
                f"{_gap(value['median'])}; ours ≥ HGB − 0.01 on {value['at least HGB − 0.01']} "
                f"of {value['of']} data sets{failed}"
            )
        elif label.endswith("vs ours pipeline"):
            print(
                f"- {label}: mean {_gap(value['mean'])}, median {_gap(value['median'])}; "
                f"ours ({label.split()[1]}) ≥ ours (pipeline) − 0.01 on "
                f"{value['at least pipeline − 0.01']} of {value['of']} data sets{failed}"
            )
        else:
            where = f" ({value['max on']})" if value["max on"] else ""
            print(
                f"- {label}: median {_num(value['median'], 2)}, max "
                f"{_num(value['max'], 2)}{where}, over {value['n']} data sets fitted in both"
            )


def plot(rows, models, path, mode="pipeline"):
    """Dot plot, per data set, of each model's score minus the best of the models' scores.

    The gap to the best rather than to MLP keeps the scale readable where MLP
    itself fails (negative R² on raw targets). Regression and classification
    side by side; gaps below a floor are drawn at the floor with their value.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    markers = {"ours": "o", "mlp": "D", "linear": "s", "hgb": "^"}
    tasks = [t for t in (REGRESSION, "classification") if any(r["task"] == t for r in rows)]
    height = max(sum(r["task"] == t for r in rows) for t in tasks)
    fig, axes = plt.subplots(
        1, len(tasks), figsize=(6.5 * len(tasks), 1.5 + 0.4 * height), squeeze=False
    )
    for ax, task in zip(axes[0], tasks):
        task_rows = [r for r in rows if r["task"] == task][::-1]
        scores = np.array([[r["results"][m]["score"] for m in models] for r in task_rows])
        gaps = scores - np.nanmax(scores, axis=1, keepdims=True)
        floor = -0.5 if task == REGRESSION else -0.25
        for i, m in enumerate(models):
            ys = np.arange(len(task_rows)) + (i - (len(models) - 1) / 2) * 0.17
            ax.scatter(
                np.maximum(gaps[:, i], floor), ys, marker=markers[m], label=LABELS[m], zorder=3
            )
            for gap, y in zip(gaps[:, i], ys):
                if gap < floor:
                    ax.annotate(
                        f"{gap:.3g}",
                        (floor, y),
                        xytext=(5, -3),
                        textcoords="offset points",
                        fontsize=6,
                    )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(range(len(task_rows)))
        ax.set_yticklabels(
            [r["dataset"] + (" (gen.)" if r["kind"] == "generated" else "") for r in task_rows],
            fontsize=8,
        )
        ax.set_xlim(floor - 0.02, 0.02)
        ax.grid(axis="x", alpha=0.3)
        metric = "R²" if task == REGRESSION else "accuracy"
        ax.set_xlabel(f"{metric} minus the best model's {metric} (left edge: {floor:g} or below)")
        ax.set_title(f"{task}, mode {mode}: {metric} short of the best model")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(models), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_results(path, rows, summary, environment, combined=None):
    """``rows`` of every mode; ``summary`` per mode; ``combined`` (with several modes)."""
    path = Path(path)
    if path.suffix == ".csv":
        records = [
            {key: row[key] for key in ("dataset", "mode", "kind", "task", "n_rows", "n_features")}
            | {"model": m}
            | {k: v for k, v in result.items() if k not in ("other_warnings", "errors")}
            | {"errors": "; ".join(result["errors"])}
            for row in rows
            for m, result in row["results"].items()
        ]
        pd.DataFrame(records).to_csv(path, index=False)
    else:
        document = {
            "environment": environment,
            "modes": environment["modes"],
            "summary": summary,
            "combined": combined,
            "datasets": rows,
        }
        path.write_text(json.dumps(document, indent=1, default=str))


def parse_overrides(pairs):
    """``key=value`` strings into parameters; values are Python literals or else strings."""
    params = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise SystemExit(f"--ours takes key=value pairs, got {pair!r}")
        try:
            params[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            params[key] = text
    return params


def describe_environment(args, ours_params):
    blas = [
        f"{info['internal_api']} {info.get('version')} ({info['num_threads']} threads)"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    environment = {
        **library_versions(),
        "cpus": os.cpu_count(),
        "blas": blas,
        "blas_threads": args.blas_threads,
        "omp_threads": args.omp_threads,
        "folds": args.folds,
        "ours_params": {k: repr(v) for k, v in ours_params.items()},
        "ours_regressor": repr(SigmoidNetRegressor(**{"random_state": 0, **ours_params})),
        "ours_classifier": repr(SigmoidNetClassifier(**{"random_state": 0, **ours_params})),
    }
    print(
        ", ".join(f"{k} {v}" for k, v in library_versions().items())
        + f"; {environment['cpus']} CPUs; BLAS: {'; '.join(blas)}; "
        f"--blas-threads {args.blas_threads}, --omp-threads {args.omp_threads}; "
        f"{args.folds}-fold CV"
    )
    print(f"ours: {environment['ours_regressor']} / {environment['ours_classifier']}")
    print(f"modes: {', '.join(args.mode)}\n")
    return environment


def select_datasets(only, quick):
    if only:
        wanted = only.split(",")
        return [name for name in DATASETS if any(text in name for text in wanted)]
    return list(QUICK_DATASETS) if quick else list(DATASETS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        help="data sets whose name contains this text (or one of several, comma-separated)",
    )
    parser.add_argument(
        "--models",
        default=",".join(DEFAULT_MODELS),
        help=f"comma-separated subset of {','.join(MODELS)} (default: all but lgbm and "
        "realmlp, which need the anchors extra)",
    )
    parser.add_argument(
        "--ours",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="parameters of our estimators, e.g. learning_rate=0.01 early_stopping=True",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {', '.join(QUICK_DATASETS)}, 2 folds, ours with "
        + ", ".join(f"{k}={v}" for k, v in QUICK_OURS.items()),
    )
    parser.add_argument(
        "--mode",
        nargs="+",
        choices=MODES,
        default=["pipeline"],
        help="how the data reaches the models: pipeline (the default), raw (the DataFrame "
        "itself; ours and HGB only), no-scaler (the pipeline without StandardScaler); "
        "several modes add a combined table",
    )
    parser.add_argument("--cache", help="JSON file keeping the results of MLP, linear and HGB")
    parser.add_argument("--out", help="write all results to this .json or .csv file")
    parser.add_argument(
        "--figure", help="draw each model's gap to the best score into this image file"
    )
    parser.add_argument("--n-jobs", type=int, default=None, help="folds fitted in parallel")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit the BLAS to this many threads in every fit (default: BLAS's own)",
    )
    parser.add_argument(
        "--omp-threads",
        type=int,
        default=None,
        help="limit OpenMP (HistGradientBoosting's threads) likewise (default: OpenMP's own)",
    )
    args = parser.parse_args(argv)

    models = [m for m in MODELS if m in args.models.split(",")]
    unknown = set(args.models.split(",")) - set(MODELS)
    if unknown or not models:
        parser.error(f"--models takes names from {','.join(MODELS)}, got {args.models!r}")
    names = select_datasets(args.only, args.quick)
    if not names:
        parser.error(f"no data set name contains {args.only!r}")
    args.mode = list(dict.fromkeys(args.mode))
    args.folds = 2 if args.quick else 5
    args.threads = (args.blas_threads, args.omp_threads)
    ours_params = {**(QUICK_OURS if args.quick else {}), **parse_overrides(args.ours)}

    start = time.perf_counter()
    environment = describe_environment(args, ours_params)
    environment["modes"] = args.mode
    cache = ResultCache(args.cache)
    rows = []
    for name in names:
        rows += bench_dataset(name, models, ours_params, args, cache, args.mode)
        cache.save()
        print(f"  done: {name} ({time.perf_counter() - start:.0f} s)", flush=True)
    summaries = {}
    environment["mode_wall_s"] = {}
    for mode in args.mode:
        mode_rows = [row for row in rows if row["mode"] == mode]
        shown = mode_models(mode, models)
        if not shown:
            print(f"\n## Mode {mode}: none of {','.join(models)} runs in it")
            continue
        print(
            f"\n## Mode {mode}: cross-validated score ({args.folds} folds; R² for reg, "
            "accuracy for cls) and mean fit seconds\n"
        )
        print_table(mode_rows, shown)
        summaries[mode] = summarise(mode_rows, shown)
        print_summary(summaries[mode], mode_rows, shown, args.folds)
        environment["mode_wall_s"][mode] = sum(row["wall_s"] for row in mode_rows)
        print(f"- mode {mode}: {environment['mode_wall_s'][mode]:.0f} s of fitting and scoring")
    combined = None
    if len(args.mode) > 1:
        table, combined_summary = combine(rows, args.mode)
        if table["ours_modes"] or table["hgb_modes"]:
            print(f"\n## Modes side by side: {', '.join(args.mode)}\n")
            print_combined(table, combined_summary)
            combined = {**table, "summary": combined_summary}
    environment["wall_s"] = time.perf_counter() - start
    print(f"\nwall time {environment['wall_s']:.0f} s")
    if args.out:
        write_results(args.out, rows, summaries, environment, combined)
    if args.figure:
        for mode in summaries:
            path = Path(args.figure)
            if len(summaries) > 1:
                path = path.with_name(f"{path.stem}-{mode}{path.suffix}")
            mode_rows = [row for row in rows if row["mode"] == mode]
            plot(mode_rows, mode_models(mode, models), path, mode)
    return rows


if __name__ == "__main__":
    main()
