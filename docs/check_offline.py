"""Check that a built HTML site loads nothing from outside itself.

Usage: ``python docs/check_offline.py docs/_build/html``

Every page (``.html`` file) is scanned for what a browser fetches while showing the page: script,
image, frame and media sources, stylesheets and other ``<link>`` resources, and
``@import`` / ``url(...)`` in ``<style>`` blocks and ``style`` attributes; every ``.css``
file for ``@import`` and ``url(...)``. Each such address that is absolute (``http://``,
``https://``) or protocol-relative (``//host/...``) is reported, and so is a local address
in a page whose file is missing from the site. Plain links (``<a href>``) are not fetched
and may point anywhere. The exit status is 1 when anything was reported.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# attributes whose address the browser fetches on its own, on any element
_FETCHED = {"src", "data", "poster", "background"}
_SRCSETS = {"srcset", "imagesrcset"}
# <link rel="..."> relations that only name a page, which nothing fetches
_LINK_NAVIGATION = {"alternate", "author", "canonical", "help", "license", "next", "prev", "search"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)


def _is_remote(address):
    return bool(re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", address.strip(), re.IGNORECASE))


def _is_local_file(address):
    """True for a relative or site-absolute path; False for data:, javascript:, #anchors."""
    parts = urlsplit(address.strip())
    return not parts.scheme and not parts.netloc and bool(parts.path)


def _css_addresses(text):
    for match in _CSS_URL.finditer(text):
        yield match.group(2) or match.group(4)


class _PageScanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []  # (line, what, address)
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attrs = {name: value or "" for name, value in attrs}
        for name in _FETCHED.intersection(attrs):
            self.found.append((line, f"<{tag} {name}>", attrs[name]))
        for name in _SRCSETS.intersection(attrs):
            for candidate in attrs[name].split(","):
                if candidate.strip():
                    self.found.append((line, f"<{tag} {name}>", candidate.split()[0]))
        if tag == "link" and "href" in attrs:
            relations = set(attrs.get("rel", "").lower().split())
            if not relations or not relations <= _LINK_NAVIGATION:
                self.found.append((line, f'<link rel="{attrs.get("rel", "")}">', attrs["href"]))
        if tag in ("image", "use", "feimage"):  # SVG inside the page
            for name in ("href", "xlink:href"):
                if name in attrs:
                    self.found.append((line, f"<{tag} {name}>", attrs[name]))
        for address in _css_addresses(attrs.get("style", "")):
            self.found.append((line, f"<{tag} style>", address))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for address in _css_addresses(data):
                self.found.append((self.getpos()[0], "<style>", address))


def _problems(path, line, what, address, root):
    if _is_remote(address):
        yield f"{path}:{line}: {what} loads {address} from outside the site"
    elif _is_local_file(address):
        relative = unquote(urlsplit(address.strip()).path)
        target = root / relative.lstrip("/") if relative.startswith("/") else path.parent / relative
        if not target.exists():
            yield f"{path}:{line}: {what} loads {address}, which is not in the site"


def check(root):
    """Return the problems found in the site built at ``root``, and the files checked."""
    root = Path(root)
    problems = []
    # the .html files in _static/ are not pages but theme templates (pydata-sphinx-theme's
    # webpack-macros.html) whose addresses are still Jinja expressions
    pages = sorted(page for page in root.rglob("*.html") if "_static" not in page.parts)
    for page in pages:
        scanner = _PageScanner()
        scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
        for line, what, address in scanner.found:
            problems.extend(_problems(page, line, what, address, root))
    stylesheets = sorted(root.rglob("*.css"))
    for stylesheet in stylesheets:
        text = stylesheet.read_text(encoding="utf-8", errors="replace")
        for match in _CSS_URL.finditer(text):
            address = match.group(2) or match.group(4)
            if _is_remote(address):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{stylesheet}:{line}: CSS loads {address} from outside the site")
    return problems, len(pages), len(stylesheets)


def main(argv):
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print(f"usage: python {argv[0]} BUILT_HTML_DIR", file=sys.stderr)
        return 2
    problems, n_pages, n_stylesheets = check(argv[1])
    for problem in problems:
        print(problem)
    print(
        f"{len(problems)} problem(s) in {n_pages} HTML and {n_stylesheets} CSS files "
        f"under {argv[1]}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
