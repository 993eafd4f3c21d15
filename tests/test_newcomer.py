"""A new user's first hour: the README followed line by line on a fresh clone.

scikit-learn's callback API (1.9+) is imported: not collected with older ones.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.callback import ProgressBar
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_sigmoidnet
from sklearn_sigmoidnet import SigmoidNetRegressor

ROOT = Path(__file__).parent.parent


def test_importing_the_source_folder_says_what_to_do(tmp_path):
    # the clone's root after `pip install .`: the folder of .py files, without the
    # compiled step, comes first on Python's path. -S: no site-packages, so that
    # no installed (or editable) sklearn_sigmoidnet is found before the folder
    source = Path(sklearn_sigmoidnet.__file__).parent
    compiled = shutil.ignore_patterns("_step*.so", "_step*.pyd", "__pycache__")
    shutil.copytree(source, tmp_path / "sklearn_sigmoidnet", ignore=compiled)
    run = subprocess.run(
        [sys.executable, "-S", "-c", "import sklearn_sigmoidnet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode != 0
    assert "imported from its source folder" in run.stderr
    assert "Start Python outside the project folder" in run.stderr
    assert "circular import" not in run.stderr


def _shell_lines(text):
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_the_readme_installs_extras_editable_after_the_development_install():
    # a plain `pip install ".[docs]"` would replace the editable install of the
    # test command, and the tests would then import the source folder
    readme = (ROOT / "README.md").read_text()
    blocks = _shell_lines(readme)
    assert "--no-build-isolation -e" in blocks[1]  # the test set-up
    for block in blocks[2:]:
        for extra in re.findall(r"pip install [^&\n]*\.\[\w+\]", block):
            assert "-e" in extra.split(), extra


def test_the_examples_say_which_extra_they_need():
    gallery = (ROOT / "examples" / "README.txt").read_text()
    assert "[plot]" in gallery
    integrations = (ROOT / "examples" / "integrations" / "README.txt").read_text()
    for extra in ("[dask]", "[onnx]", "[persist]"):
        assert extra in integrations


def test_the_readme_progress_bar_calls_work():
    # scikit-learn refuses callbacks set on an estimator inside a meta-estimator
    readme = (ROOT / "README.md").read_text()
    assert "make_pipeline(StandardScaler(), net).set_callbacks(ProgressBar())" in readme
    assert "GridSearchCV(net, grid).set_callbacks(ProgressBar())" in readme
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = X[:, 0]
    net = SigmoidNetRegressor((3,), epochs=2, random_state=0)
    grid = {"alpha": [1e-4, 1e-3]}
    make_pipeline(StandardScaler(), net).set_callbacks(ProgressBar()).fit(X, y)
    GridSearchCV(net, grid, cv=2).set_callbacks(ProgressBar()).fit(X, y)
