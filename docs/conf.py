"""Sphinx configuration: numpydoc API pages, the sphinx-gallery of examples/, the pydata theme."""

import importlib.resources
import re
import sys
from pathlib import Path

import sklearn_sigmoidnet

sys.path.insert(0, str(Path(__file__).parent / "sphinxext"))

from sklearn_inventory import write_sklearn_inventory  # noqa: E402

project = "sklearn-sigmoidnet"
author = "sklearn-sigmoidnet developers"
copyright = "sklearn-sigmoidnet developers"
version = release = sklearn_sigmoidnet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "gallery_figure_links",
]

templates_path = ["_templates"]
# sphinx-gallery's timing pages, which load jQuery and DataTables from CDNs: it writes none
# (write_computation_times below), and any that an older build left behind are not built
exclude_patterns = ["_build", "sg_execution_times.rst", "**/sg_execution_times.rst"]
root_doc = "index"
language = "en"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# The site reads offline, so nothing may load from a network when a page is viewed.
# Sphinx takes MathJax from a CDN by default; the sphinx-mathjax-offline package ships
# MathJax 3, which is served from _static instead (its own Sphinx extension is not used: it
# hard-codes the CHTML output and does not declare itself safe for parallel builds). The SVG
# output draws each glyph as a path, so formulas do not depend on web fonts, which CHTML
# loads and a reader may have blocked.
html_static_path = [str(importlib.resources.files("sphinx-mathjax-offline") / "static")]
mathjax_path = "mathjax/tex-svg.js"

# Names from scikit-learn (sklearn.pipeline.Pipeline, GridSearchCV, ...) link to its
# documentation through intersphinx. Its objects.inv cannot be fetched, since the build runs
# without a network, so an inventory of its public classes, functions and methods is written
# here from the installed scikit-learn, pointing at the addresses of its API pages.
intersphinx_mapping = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        write_sklearn_inventory(Path(__file__).parent / "generated" / "sklearn-objects.inv"),
    ),
}

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
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    # the timing pages load jQuery and DataTables from CDNs
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-sigmoidnet {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False


# Methods inherited from scikit-learn (score, set_fit_request, ...) keep scikit-learn's
# docstrings, whose :ref: and :term: roles point at labels and glossary terms of
# scikit-learn's own documentation. The inventory written above knows its classes and
# functions but not those (they exist only in its documentation's sources), so the roles are
# shown as text rather than left unresolved.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^>]*)>)?`")


def _sklearn_roles_as_text(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn."):
        return
    for index, line in enumerate(lines):
        lines[index] = _SKLEARN_ROLE.sub(lambda match: match.group(1) or match.group(2), line)


def setup(app):
    app.connect("autodoc-process-docstring", _sklearn_roles_as_text)
