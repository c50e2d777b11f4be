"""Keep every page of the book self-contained.

A Sphinx extension of this book (registered in ``_config.yml``):

- drops scripts and style sheets listed twice on a page (sphinx-thebe adds its
  ``const THEBE_JS_URL`` script twice, and the second declaration is a
  JavaScript error);
- warns (an error under ``-W``) when a page would load a script or a style
  sheet from another host: everything a page loads comes from ``_static``;
- moves each page's saved widget state (the JSON that myst-nb writes into the
  page's head, with every explorer's precomputed frames: megabytes) into a
  script of its own, ``_static/widget-state/<page>.js``, named by the state
  tag's ``data-src``: the browser parses and shows the page without it, and
  the book's widget loader (``assets/js/widgets-embed.js``) loads it while
  MathJax typesets (a script, not a JSON file: a page opened from the disk
  may load scripts but not fetch files);
- on pages with formulas, asks the browser to fetch MathJax's main fonts and
  its ``ui/lazy`` extension at once, in parallel with the page, rather than
  when MathJax first typesets (the first screen shows sooner);
- stops the theme's Font Awesome script from watching the page: it swaps
  every ``<i class="fa ...">`` added to the page for an ``<svg>``, including
  the icons inside widgets, whose code then fails (the Play button looks its
  ``<i>`` up again). The theme's icons, present when the page loads, are
  still drawn; the widgets' icons come from their own style sheet.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript
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


WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
WIDGET_STATE_DIR = "_static/widget-state"


def move_widget_state(app, pagename, templatename, context, doctree):
    """Replace the page's inline widget state by a tag naming a file that holds it."""
    assets = context.get("script_files")
    if not assets or app.builder.format != "html":
        return
    for index, asset in enumerate(assets):
        attributes = dict(getattr(asset, "attributes", {}) or {})
        if attributes.get("type") != WIDGET_STATE_TYPE or not attributes.get("body"):
            continue
        target = f"{WIDGET_STATE_DIR}/{pagename}.js"
        path = Path(app.outdir, target)
        path.parent.mkdir(parents=True, exist_ok=True)
        # the JSON as myst-nb wrote it for a script tag ("</" escaped): a JavaScript literal
        path.write_text("window.bookWidgetStates = window.bookWidgetStates || {};\n"
                        f"window.bookWidgetStates[{json.dumps(pagename)}] = "
                        f"{attributes.pop('body')};\n", encoding="utf-8")
        attributes["data-src"] = context["pathto"](target, 1)
        attributes["data-key"] = pagename
        assets[index] = _JavaScript(os.fspath(getattr(asset, "filename", "") or ""),
                                    priority=getattr(asset, "priority", 500), **attributes)


# what MathJax (tex-chtml, ui/lazy) fetches first on a page with formulas: the
# fonts of ordinary text and italic letters, and the font it measures with
MATHJAX_FIRST_FETCHES = [("script", "ui/lazy.js"),
                         ("font", "output/chtml/fonts/woff-v2/MathJax_Zero.woff"),
                         ("font", "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"),
                         ("font", "output/chtml/fonts/woff-v2/MathJax_Math-Italic.woff")]


def preload_mathjax(app, pagename, templatename, context, doctree):
    """On a page that loads MathJax, preload what it fetches first."""
    mathjax = app.config.mathjax_path
    if not mathjax or _is_remote(mathjax) or app.builder.format != "html":
        return
    # Sphinx lists a local script by its path under the output folder
    if not any(_key(asset)[0] in (mathjax, f"_static/{mathjax}")
               for asset in context.get("script_files") or ()):
        return
    base = mathjax.rsplit("/", 1)[0]
    links = []
    for kind, name in MATHJAX_FIRST_FETCHES:
        # html_static_path is copied to _static after the pages are written: look there
        if not any(Path(app.confdir, folder, base, name).is_file()
                   for folder in app.config.html_static_path):
            logger.warning(f"MathJax has no {base}/{name} to preload; update "
                           f"MATHJAX_FIRST_FETCHES in _ext/offline_assets.py", location=pagename)
            continue
        href = context["pathto"](f"_static/{base}/{name}", 1)
        extra = ' type="font/woff" crossorigin' if kind == "font" else ""
        links.append(f'<link rel="preload" as="{kind}" href="{href}"{extra} />')
    context["metatags"] = context.get("metatags", "") + "\n".join(links) + "\n"


FONTAWESOME_CONFIG = "window.FontAwesomeConfig = { observeMutations: false };"


def setup(app):
    app.add_js_file(None, body=FONTAWESOME_CONFIG, priority=100)
    # after every other handler of the event has added its files
    app.connect("html-page-context", keep_page_local, priority=900)
    app.connect("html-page-context", move_widget_state, priority=910)
    app.connect("html-page-context", preload_mathjax, priority=920)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
