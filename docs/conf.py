"""Sphinx configuration: numpydoc API pages, the sphinx-gallery of examples/, the pydata theme."""

import re
import sys
from pathlib import Path

import sklearn_sigmoidnet

sys.path.insert(0, str(Path(__file__).parent / "sphinxext"))

project = "sklearn-sigmoidnet"
author = "sklearn-sigmoidnet developers"
copyright = "sklearn-sigmoidnet developers"
version = release = sklearn_sigmoidnet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "sg_execution_times.rst"]
root_doc = "index"
language = "en"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # run only the plot_*.py scripts; other scripts (examples/integrations/) are shown, not run
    "filename_pattern": r"/plot_",
    # the command-line quickstart is not a gallery page
    "ignore_pattern": r"__init__\.py|^quickstart\.py$",
    "within_subsection_order": "gallery_order.LectureOrder",
    "doc_module": ("sklearn_sigmoidnet",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_sigmoidnet": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-sigmoidnet {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False


# Methods inherited from scikit-learn (score, set_fit_request, ...) keep scikit-learn's
# docstrings, whose :ref: and :term: roles point into scikit-learn's own documentation.
# Without a link to it (no intersphinx: the build runs offline) they are shown as text.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^>]*)>)?`")


def _sklearn_roles_as_text(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn."):
        return
    for index, line in enumerate(lines):
        lines[index] = _SKLEARN_ROLE.sub(lambda match: match.group(1) or match.group(2), line)


def setup(app):
    app.connect("autodoc-process-docstring", _sklearn_roles_as_text)
