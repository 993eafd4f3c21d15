"""What the shape of the numeric columns is worth: encodings of them tried in front of ours.

Our estimators standardise each numeric column (a linear map, folded into the
first layer). Heavy tails and outliers are where other tabular networks do
more: RealMLP scales robustly and clips smoothly, others encode each number
piecewise-linearly. Before any of these becomes an input encoding of the
package, this script measures them as a scikit-learn step in front of our
default estimator, on the raw DataFrames of ``defaults_data.py`` (the numeric
columns transformed, the others passed through as they are; NaN stays NaN, for
the estimator's own missing-value encoding), cross-validated as
``bench_defaults.py --mode raw`` does (5 folds, ``random_state=0``):

- ``none``: the frame itself (``bench_defaults.py --mode raw``'s ours);
- ``clip``: standardised, then clipped to ±3;
- ``smooth-clip``: centred on the median, divided by the interquartile range,
  then x / √(1 + (x / 3)²), RealMLP's robust scaling and smooth clipping;
- ``quantile``: ``QuantileTransformer(output_distribution="normal")``;
- ``ple``: a piecewise-linear encoding, 8 bins (``pleN``: N) at the quantiles: per
  bin t, (x − qₜ) / (qₜ₊₁ − qₜ) clipped to [0, 1] (the first bin unclipped
  below, the last above), the lecture's "constant plus a sum of hard
  sigmoids" of each column;
- ``impute-mean``, ``impute-median`` (not run unless named): the numeric
  columns' missing values filled with their mean or median, so that ours sees
  no NaN and learns no indicator;
- ``choose-V`` (not run unless named; V another variant, e.g. ``choose-ple16``,
  or several joined by +): ``none`` or V, whichever scores best on a fifth of
  the fold's training rows held out when each is fitted on the rest, then
  fitted on all of them: what a switch chosen on the validation split would do;
  ``pick-V`` the same without the refit (the chosen one as fitted on four fifths);
- ``binsN`` (not run unless named): no step, the estimator's own
  ``numeric_bins=N``, the same ramps inside the network's first layer
  (edges at the weighted quantiles, 0/1 columns left as values);
- ``keep-V`` (not run unless named): ``none`` and V each fitted on all the
  fold's training rows, and the one whose early stopping scored best on the
  share of them it held out (``best_validation_score_``) kept, with no refit:
  a switch chosen inside the estimator on the rows it holds out anyway.

It prints each variant's score per data set, ours − HGB (HGB from
``--hgb``, a ``bench_defaults.py --out`` JSON of the same machine), and the
summary: per variant the mean gap, the count within 0.01 of HGB, the count
more than 0.01 below ``none``, the median fit time over ``none``'s. Needs the
``benchmark`` extra.

    python benchmarks/bench_numeric_shape.py --hgb defaults.json
"""

import argparse
import json
import statistics

import numpy as np
import pandas as pd
from bench_defaults import cross_validate_model
from defaults_data import DATASETS, REGRESSION
from machine import describe
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

VARIANTS = ("none", "clip", "smooth-clip", "quantile", "ple")
# the missing values of the numeric columns filled before ours sees them: no
# indicator (``--variants none,impute-mean,impute-median``)
IMPUTERS = ("impute-mean", "impute-median")


class PiecewiseLinear(TransformerMixin, BaseEstimator):
    """Each column as ``n_bins`` ramps between its quantiles: the bin's share of
    x, 0 below the bin and 1 above it (the first bin open below, the last above)."""

    def __init__(self, n_bins=8):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        levels = np.linspace(0, 1, self.n_bins + 1)
        self.edges_ = [np.unique(np.nanquantile(column, levels)) for column in X.T]
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        blocks = []
        for column, edges in zip(X.T, self.edges_):
            if len(edges) < 2:  # a constant column: itself
                blocks.append(column[:, None])
                continue
            low, high = edges[:-1], edges[1:]
            share = (column[:, None] - low) / (high - low)
            share[:, 1:] = np.maximum(share[:, 1:], 0)
            share[:, :-1] = np.minimum(share[:, :-1], 1)
            blocks.append(share)  # NaN stays NaN in every ramp
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else range(self.n_features_in_)
        return np.array([
            f"{name}_ple{t}" for name, edges in zip(names, self.edges_)
            for t in range(max(len(edges) - 1, 1))
        ], dtype=object)  # fmt: skip


def _smooth_clip(X):
    return X / np.sqrt(1 + (X / 3) ** 2)


def numeric_step(variant, n_rows):
    if variant == "clip":
        return make_pipeline(
            StandardScaler(),
            FunctionTransformer(np.clip, kw_args={"a_min": -3, "a_max": 3},
                                feature_names_out="one-to-one"),
        )  # fmt: skip
    if variant == "smooth-clip":
        return make_pipeline(
            RobustScaler(), FunctionTransformer(_smooth_clip, feature_names_out="one-to-one")
        )
    if variant == "quantile":
        return QuantileTransformer(output_distribution="normal", n_quantiles=min(1000, n_rows))
    if variant in IMPUTERS:
        return SimpleImputer(strategy=variant.removeprefix("impute-"))
    if variant.startswith("ple"):  # "ple": 8 bins, "pleN": N
        return PiecewiseLinear(int(variant[3:] or 8))
    raise ValueError(f"unknown variant {variant!r}: one of {VARIANTS + IMPUTERS} or pleN")


class _OneOfCandidates(BaseEstimator):
    """A model that is one of its ``candidates``, fitted: ``model_`` predicts."""

    def _keep(self, model):
        self.model_ = model
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class ChosenOnValidation(_OneOfCandidates):
    """The better of ``candidates`` on a fifth of the training rows, held out
    while each is fitted on the rest (stratified for classifiers), then fitted
    on all of them."""

    def __init__(self, candidates, classifier, refit=True):
        self.candidates = candidates
        self.classifier = classifier
        self.refit = refit

    def fit(self, X, y):
        split = StratifiedShuffleSplit if self.classifier else ShuffleSplit
        train, valid = next(split(1, test_size=0.2, random_state=0).split(X, y))
        fitted = [clone(model).fit(X.iloc[train], y.iloc[train]) for model in self.candidates]
        scores = [model.score(X.iloc[valid], y.iloc[valid]) for model in fitted]
        self.chosen_ = int(np.argmax(scores))
        if self.refit:
            return self._keep(clone(self.candidates[self.chosen_]).fit(X, y))
        return self._keep(fitted[self.chosen_])


class KeptOnOwnValidation(_OneOfCandidates):
    """The one of ``candidates``, each fitted on all the rows, whose early
    stopping scored best on the rows it held out (the first of equals, and
    the first where none held rows out)."""

    def __init__(self, candidates):
        self.candidates = candidates

    def fit(self, X, y):
        fitted = [clone(model).fit(X, y) for model in self.candidates]
        # a fit that held nothing out (too few rows for early stopping) has no score
        scores = [_estimator(model).best_validation_score_ for model in fitted]
        self.chosen_ = int(np.argmax([-np.inf if s is None else s for s in scores]))
        return self._keep(fitted[self.chosen_])


def _estimator(model):
    return model[-1] if hasattr(model, "steps") else model


def make_model(variant, task, n_rows):
    if variant.startswith("keep-"):
        others = variant[len("keep-"):].split("+")
        return KeptOnOwnValidation([make_model(v, task, n_rows) for v in ("none", *others)])
    if variant.startswith(("choose-", "pick-")):
        rule, others = variant.split("-", 1)
        candidates = [make_model(v, task, n_rows) for v in ("none", *others.split("+"))]
        return ChosenOnValidation(candidates, task != REGRESSION, refit=rule == "choose")
    net = SigmoidNetRegressor if task == REGRESSION else SigmoidNetClassifier
    if variant.startswith("bins"):  # the estimators' own ramps: numeric_bins=N
        return net(random_state=0, numeric_bins=int(variant[4:]))
    estimator = net(random_state=0)
    if variant == "none":
        return estimator
    numeric = ColumnTransformer(
        [("numeric", numeric_step(variant, n_rows), make_column_selector(dtype_include="number"))],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")  # the other columns keep their dtypes
    return make_pipeline(numeric, estimator)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument(
        "--only", default="", help="data sets whose name contains this text (or one of several)"
    )
    parser.add_argument("--hgb", help="a bench_defaults.py --out JSON of mode raw: HGB's scores")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    hgb = {}
    if args.hgb:
        for row in json.loads(open(args.hgb).read())["datasets"]:
            if row["mode"] == "raw" and "hgb" in row["results"]:
                hgb[row["dataset"]] = row["results"]["hgb"]["score"]
    print(describe())
    print(f"ours with its defaults, random_state=0, behind each numeric step; {args.folds} folds\n")
    print("| data set | task | " + " | ".join(variants) + " | HGB |")
    print("|---|---|" + "---:|" * (len(variants) + 1))
    rows = []
    for name, (_, load) in DATASETS.items():
        if args.only and not any(part in name for part in args.only.split(",")):
            continue
        X, y, task = load()
        if not isinstance(y, pd.Series):
            y = pd.Series(y)
        results = {
            variant: cross_validate_model(make_model(variant, task, X.shape[0]), X, y, task,
                                          args.folds, None, (1, 1))  # fmt: skip
            for variant in variants
        }
        rows.append({"dataset": name, "task": task, "results": results, "hgb": hgb.get(name)})
        cells = [f"{results[v]['score']:.3f}" for v in variants]
        reference = "–" if name not in hgb else f"{hgb[name]:.3f}"
        print(f"| {name} | {task[:3]} | " + " | ".join(cells) + f" | {reference} |", flush=True)
    print()
    base = variants[0]
    for variant in variants:
        scores = [row["results"][variant]["score"] for row in rows]
        below = sum(s < row["results"][base]["score"] - 0.01 for s, row in zip(scores, rows))
        above = sum(s > row["results"][base]["score"] + 0.01 for s, row in zip(scores, rows))
        times = [row["results"][variant]["fit_s"] / row["results"][base]["fit_s"] for row in rows]
        line = f"- {variant}: vs {base} +0.01 on {above}, −0.01 on {below}"
        line += f"; fit time / {base}'s median {statistics.median(times):.2f}"
        with_hgb = [(s, row["hgb"]) for s, row in zip(scores, rows) if row["hgb"] is not None]
        if with_hgb:
            gaps = [s - h for s, h in with_hgb]
            line += (f"; ours − HGB mean {np.mean(gaps):+.4f}, ≥ HGB − 0.01 on "
                     f"{sum(g >= -0.01 for g in gaps)} of {len(gaps)}")  # fmt: skip
        print(line)
    if args.out:
        with open(args.out, "w") as out:
            json.dump(rows, out, indent=1)
    return rows


if __name__ == "__main__":
    main()
