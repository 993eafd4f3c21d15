"""How to scale the inputs: the weighted mean and standard deviation, or a robust
centre and scale (the median and the interquartile range / 1.349)?

Cross-validates our regressor and classifier with their defaults on the raw
DataFrames of the real tables of ``defaults_data.py`` (as ``bench_defaults.py
--mode raw`` does), with the input encoding's statistics swapped for the variant
named on the command line. Run from ``benchmarks/``, one variant a process:
``python bench_input_scaling.py std`` and ``python bench_input_scaling.py robust``.
The mean/std variant is the package's; docs/defaults.rst gives the figures.
"""

import sys
import warnings

import bench_defaults as bd
import numpy as np
from defaults_data import DATASETS

import sklearn_sigmoidnet._input_encoding as ie
from sklearn_sigmoidnet import SigmoidNetClassifier, SigmoidNetRegressor

warnings.simplefilter("ignore")  # convergence warnings are counted by bench_defaults.py

std_stats = ie._weighted_mean_and_std


def robust_stats(X, w):
    mean, std = std_stats(X, w)
    if hasattr(X, "tocsr"):
        return mean, std
    q1, med, q3 = np.nanpercentile(X, [25, 50, 75], axis=0)
    iqr = (q3 - q1) / 1.349
    scale = np.where(iqr > 1e-12 * np.maximum(np.abs(med), 1), iqr, std)
    return np.where(np.isnan(med), 0.0, med), scale


variant = sys.argv[1]
if variant == "robust":
    ie._weighted_mean_and_std = robust_stats
scores = {}
for name, (kind, load) in DATASETS.items():
    if kind != "real":
        continue
    X, y, task = load()
    net = SigmoidNetRegressor if task == bd.REGRESSION else SigmoidNetClassifier
    model = net(random_state=0)
    r = bd.cross_validate_model(model, X, y, task, 5, 1, (1, 1))
    scores[name] = r["score"]
    print(name, round(r["score"], 4), flush=True)
print("MEAN", np.nanmean(list(scores.values())))
