"""The gallery scripts are in sphinx-gallery's format and in the lecture's order.

The docs build runs every script; these checks are static, so they stay fast.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def _lecture_order():
    path = ROOT / "docs" / "sphinxext" / "gallery_order.py"
    spec = importlib.util.spec_from_file_location("gallery_order", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LECTURE_ORDER


def test_the_gallery_has_a_header_and_examples():
    assert (ROOT / "examples" / "README.txt").is_file()
    assert EXAMPLES


def test_every_example_has_its_place_in_the_lecture_order():
    order = _lecture_order()
    assert sorted(order) == sorted(path.name for path in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_is_a_gallery_script(path):
    source = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source), clean=False)
    assert source.startswith('"""'), "the docstring must come first"
    title, underline = docstring.strip("\n").splitlines()[:2]
    assert underline == "=" * len(title), f"title {title!r} needs an '=' underline as long"
    assert "# %%" in source, "cells are separated by '# %%'"
    assert "plt.show()" in source, "each example draws a figure"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_each_figure_is_finished_in_the_cell_that_makes_it(path):
    # sphinx-gallery captures and closes the open figures at the end of every cell
    for cell in path.read_text(encoding="utf-8").split("# %%"):
        if "plt.subplots(" in cell:
            assert "plt.show()" in cell, f"a cell makes a figure without showing it:{cell}"
