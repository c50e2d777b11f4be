"""Keep every page of the book self-contained.

A Sphinx extension of this book (registered in ``_config.yml``):

- drops scripts and style sheets listed twice on a page (sphinx-thebe adds its
  ``const THEBE_JS_URL`` script twice, and the second declaration is a
  JavaScript error);
- warns (an error under ``-W``) when a page would load a script or a style
  sheet from another host: everything a page loads comes from ``_static``;
- stops the theme's Font Awesome script from watching the page: it swaps
  every ``<i class="fa ...">`` added to the page for an ``<svg>``, including
  the icons inside widgets, whose code then fails (the Play button looks its
  ``<i>`` up again). The theme's icons, present when the page loads, are
  still drawn; the widgets' icons come from their own style sheet.
"""
from __future__ import annotations

import os

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _key(asset):
    attributes = getattr(asset, "attributes", {}) or {}
    return (os.fspath(getattr(asset, "filename", asset) or ""), tuple(sorted(attributes.items())))


def _is_remote(filename: str) -> bool:
    return "://" in filename or filename.startswith("//")


def keep_page_local(app, pagename, templatename, context, doctree):
    for name in ("script_files", "css_files"):
        assets = context.get(name)
        if not assets:
            continue
        seen, unique = set(), []
        for asset in assets:
            key = _key(asset)
            if key not in seen:
                seen.add(key)
                unique.append(asset)
        assets[:] = unique
        for asset in unique:
            filename = _key(asset)[0]
            if _is_remote(filename):
                logger.warning(f"page {pagename} loads {filename} from another host; "
                               f"serve it from _static (see scripts/vendor_assets.sh)",
                               location=pagename)


FONTAWESOME_CONFIG = "window.FontAwesomeConfig = { observeMutations: false };"


def setup(app):
    app.add_js_file(None, body=FONTAWESOME_CONFIG, priority=100)
    # after every other handler of the event has added its files
    app.connect("html-page-context", keep_page_local, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
