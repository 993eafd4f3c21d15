"""docs/check_offline.py, which CI runs on the built site, finds what a page would fetch.

The site itself is built and checked by .ci/run; here the checker meets a small
site made to hold every kind of outside reference it must catch.
"""

import importlib.util
from pathlib import Path

CHECKER = Path(__file__).resolve().parents[1] / "docs" / "check_offline.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_offline", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site(tmp_path, page, css=""):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "local.js").write_text("")
    (tmp_path / "_static" / "theme.css").write_text(css)
    (tmp_path / "index.html").write_text(page)
    return tmp_path


def test_a_site_that_loads_only_its_own_files_passes(tmp_path):
    page = """<html><head><script src="_static/local.js"></script>
    <link rel="stylesheet" href="_static/theme.css"></head>
    <body><a href="https://scikit-learn.org/">links may go anywhere</a>
    <img src="data:image/png;base64,AAAA"></body></html>"""
    problems, n_pages, n_css = _checker().check(_site(tmp_path, page))
    assert problems == [] and (n_pages, n_css) == (1, 1)


def test_every_outside_reference_is_reported(tmp_path):
    page = """<html><head>
    <script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
    <link rel="stylesheet" href="//cdn.example.org/datatables.css">
    <style>@import url("https://fonts.example.org/font.css");</style></head>
    <body><img srcset="small.png 1x, https://example.org/big.png 2x">
    <div style="background: url(http://example.org/bg.png)"></div>
    <script src="_static/missing.js"></script></body></html>"""
    css = "body { background: url('https://example.org/x.png'); }"
    problems, _, _ = _checker().check(_site(tmp_path, page, css))
    text = "\n".join(problems)
    for address in [
        "cdn.jsdelivr.net",
        "//cdn.example.org/datatables.css",
        "fonts.example.org",
        "https://example.org/big.png",
        "http://example.org/bg.png",
        "_static/missing.js, which is not in the site",
        "theme.css:1: CSS loads https://example.org/x.png",
    ]:
        assert address in text
    assert _checker().main(["check_offline.py", str(tmp_path)]) == 1
