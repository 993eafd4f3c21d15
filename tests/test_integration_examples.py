"""The integration examples run from start to end, without warnings they do not expect."""

import runpy
import warnings
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples" / "integrations"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_every_integration_has_an_example():
    names = {script.stem for script in SCRIPTS}
    assert names == {"dask_scaling", "onnx_export", "pandas_workflow", "persistence"}
    # without the plot_ prefix, the docs show them but do not run them
    assert not any(name.startswith("plot_") for name in names)
    title, underline = (EXAMPLES / "README.txt").read_text(encoding="utf-8").splitlines()[:2]
    assert set(underline) == {"-"} and len(underline) == len(title)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.stem)
def test_example_runs(script, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # anything an example writes lands here
    with warnings.catch_warnings():
        # each example silences the warnings it expects; any other fails it
        warnings.simplefilter("error")
        runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out
    assert not list(tmp_path.iterdir())
