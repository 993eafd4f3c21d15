"""How an ensemble classifier's members are best averaged: their logits or their probabilities.

``SigmoidNetClassifier(n_members=k)`` predicts the softmax (sigmoid) of the
members' mean logits, which is one wide network of the lecture's form. The
other usual choice, the mean of the members' probabilities, is not one
network. This script cross-validates the classifier on the classification
tables of ``defaults_data.py`` (raw DataFrames, 5 stratified folds,
``random_state=0``) and scores both on each test fold, from the same fitted
members: accuracy, log-loss and Brier score. Needs the ``benchmark`` extra.

    python benchmarks/bench_ensemble_mean.py --members 4
"""

import argparse
import warnings

import numpy as np
from bench_defaults import brier_score
from defaults_data import CLASSIFICATION, DATASETS
from machine import describe
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold

from sklearn_sigmoidnet import SigmoidNetClassifier


def _softmax(r):
    if r.shape[1] == 1:  # one logit: the positive class
        p = 1 / (1 + np.exp(-r))
        return np.hstack([1 - p, p])
    e = np.exp(r - r.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def member_probabilities(model, X):
    """Each member's own probabilities: its block of the wide network's output
    weights times k, its own output constant."""
    k = model.n_members
    a = model.transform(X)  # the last hidden layer: the members' units side by side
    width = a.shape[1] // k
    c, b = model.coefs_[-1], model.intercepts_[-1]
    return [
        _softmax(a[:, m * width : (m + 1) * width] @ (k * c[m * width : (m + 1) * width])
                 + b + model._member_offsets[m])
        for m in range(k)
    ]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    print(describe())
    print(f"SigmoidNetClassifier(n_members={args.members}, random_state=0), raw frames, 5 folds\n")
    print("| data set | acc logits | acc probs | log-loss logits | log-loss probs "
          "| Brier logits | Brier probs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = []
    for name, (_, load) in DATASETS.items():
        X, y, task = load()
        if task != CLASSIFICATION or (args.only and args.only not in name):
            continue
        y = np.asarray(y)
        scores = []
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        for train, test in folds.split(X, y):
            model = SigmoidNetClassifier(n_members=args.members, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X.iloc[train], y[train])
            X_test, y_test, classes = X.iloc[test], y[test], model.classes_
            logits = model.predict_proba(X_test)
            probs = np.mean(member_probabilities(model, X_test), axis=0)
            scores.append([
                accuracy_score(y_test, classes[logits.argmax(1)]),
                accuracy_score(y_test, classes[probs.argmax(1)]),
                log_loss(y_test, logits, labels=classes),
                log_loss(y_test, probs, labels=classes),
                brier_score(y_test, logits, classes),
                brier_score(y_test, probs, classes),
            ])  # fmt: skip
        mean = np.mean(scores, axis=0)
        totals.append(mean)
        print(f"| {name} | " + " | ".join(f"{v:.4f}" for v in mean) + " |", flush=True)
    print("| **mean** | " + " | ".join(f"{v:.4f}" for v in np.mean(totals, axis=0)) + " |")
    return np.mean(totals, axis=0)


if __name__ == "__main__":
    main()
