"""Each gallery figure links to its image file, so that a click shows it at full size.

sphinx-gallery (0.22) has no option for this: its ``image-sg`` node is written as a bare
``<img>``, scaled down to the width of the page. This extension wraps that ``<img>`` in a
link to the same file, which sphinx-gallery copies into the images directory under the
figure's own file name.
"""

import posixpath
from pathlib import PurePosixPath

from sphinx_gallery.directives import depart_imgsg_html, imgsgnode, visit_imgsg_html


def visit_linked_figure(self, node):
    href = posixpath.join(self.builder.imgpath, PurePosixPath(node["uri"]).name)
    self.body.append(f'<a class="reference internal image-reference" href="{self.attval(href)}">')
    visit_imgsg_html(self, node)


def depart_linked_figure(self, node):
    depart_imgsg_html(self, node)
    self.body.append("</a>")


def setup(app):
    app.setup_extension("sphinx_gallery.gen_gallery")
    app.add_node(imgsgnode, override=True, html=(visit_linked_figure, depart_linked_figure))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
