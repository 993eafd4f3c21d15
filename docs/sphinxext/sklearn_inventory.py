"""An intersphinx inventory of scikit-learn's public API, written from the installed scikit-learn.

The docs build runs without a network, so scikit-learn's own ``objects.inv`` cannot be
fetched. scikit-learn's API reference gives every public class and function a page at
``modules/generated/<dotted name>.html``, and a section per module on
``api/<sklearn.subpackage>.html``; that is enough to write the inventory here.
"""

import importlib
import inspect
import pkgutil
import zlib
from pathlib import Path

import sklearn

# not API: vendored code, the experimental switches (importing one changes other modules),
# and pytest's configuration
_SKIPPED = {"externals", "experimental", "conftest", "tests"}


def _is_private(module_name):
    return any(part.startswith("_") for part in module_name.split("."))


def _public_modules():
    yield sklearn
    for info in pkgutil.walk_packages(sklearn.__path__, "sklearn."):
        if _is_private(info.name) or _SKIPPED.intersection(info.name.split(".")):
            continue
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # a module whose optional dependency is not installed
            continue


def _public_objects(module):
    """(name, object) of the classes and functions that ``module`` offers as its API.

    Its ``__all__`` where it has one; otherwise what it defines or takes from a private
    module, leaving out what it merely imports from another public one.
    """
    if hasattr(module, "__all__"):
        names = module.__all__
    else:
        names = [name for name in vars(module) if not name.startswith("_")]
    for name in names:
        try:
            obj = getattr(module, name)
        except ImportError:  # the experimental estimators, until their module is imported
            continue
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue
        home = getattr(obj, "__module__", None) or ""
        if not home.startswith("sklearn"):
            continue
        if hasattr(module, "__all__") or home == module.__name__ or _is_private(home):
            yield name, obj


def _entries():
    """Inventory lines ``name domain:role priority uri display-name``.

    Every public dotted name points at the page of that name, as scikit-learn's API
    reference names its pages: a name it documents under another module (it documents
    ``sklearn.base.clone``, not ``sklearn.clone``) is written that way in references too.
    """
    lines = []
    for module in _public_modules():
        name = module.__name__
        section = ".".join(name.split(".")[:2])
        lines.append(f"{name} py:module 0 api/{section}.html#module-$ -")
        for short_name, obj in _public_objects(module):
            full_name = f"{name}.{short_name}"
            page = f"modules/generated/{full_name}.html"
            if inspect.isclass(obj):
                lines.append(f"{full_name} py:class 1 {page}#$ -")
                for method, _ in inspect.getmembers(obj, inspect.isroutine):
                    if not method.startswith("_"):
                        lines.append(f"{full_name}.{method} py:method 1 {page}#$ -")
            else:
                lines.append(f"{full_name} py:function 1 {page}#$ -")
    return sorted(set(lines))


def write_sklearn_inventory(path):
    """Write the inventory (Sphinx's ``objects.inv`` format, version 2) to ``path``; return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: scikit-learn\n"
        f"# Version: {sklearn.__version__}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(f"{line}\n" for line in _entries())
    path.write_bytes(header.encode() + zlib.compress(body.encode(), 9))
    return str(path)
