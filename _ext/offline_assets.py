"""Keep every page of the book self-contained.

A Sphinx extension of this book (registered in ``_config.yml``):

- drops scripts and style sheets listed twice on a page (sphinx-thebe adds its
  ``const THEBE_JS_URL`` script twice, and the second declaration is a
  JavaScript error);
- warns (an error under ``-W``) when a page would load a script or a style
  sheet from another host: everything a page loads comes from ``_static``;
- leaves the widget scripts (``nb_ipywidgets_js`` in ``_config.yml``:
  require.js and the book's widget loader, which loads the widget manager)
  and the widget state out of a page that shows no widget output;
- leaves MathJax (and its configuration) out of a page with no formula and
  no widget output (the front page, the bibliography), and sphinx-thebe's
  scripts out of every page while the book offers no Thebe launch button;
- moves each page's saved widget state (the JSON that myst-nb writes into the
  page's head) into a script of its own, ``_static/widget-state/<page>.js``,
  named by the state tag's ``data-src``: the browser parses and shows the
  page without it, and the book's widget loader
  (``assets/js/widgets-embed.js``) loads it while MathJax typesets (a script,
  not a JSON file: a page opened from the disk may load scripts but not
  fetch files);
- makes the explorers of that state honest for a page without a kernel
  (:func:`static_explorers`): a control the page cannot answer is disabled
  and says why on hover; a swept integer slider offers only the span of its
  precomputed values; a slot of the frames that shows the live picture in a
  notebook shows a note instead ("not precomputed for the web page");
- takes every picture out of that state: each ``Image`` widget's PNG (an
  explorer's precomputed frames, its live picture) goes to a file of its own,
  ``_static/frames/<sha1>.png`` (named by its bytes: a picture used twice is
  stored once), and the widget becomes a URL image (``format='url'``) with the
  file's address relative to the page (it shows from the disk too). A Stack
  of frames draws only the child it shows, so the browser fetches a frame
  when the reader moves a control to it, not with the page;
- marks the figures of a page ``loading="lazy"``: the browser fetches a
  figure when it comes close to the screen, not those far below with the page;
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

import base64
import hashlib
import html
import json
import os
import re
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
WIDGET_VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_DIR = "_static/widget-state"
FRAMES_DIR = "_static/frames"


def _is_widget_state(asset) -> bool:
    return (getattr(asset, "attributes", {}) or {}).get("type") == WIDGET_STATE_TYPE


def drop_unused_widget_scripts(app, pagename, templatename, context, doctree):
    """On a page that shows no widget output, leave out the widget scripts and state."""
    assets = context.get("script_files")
    if not assets or app.builder.format != "html":
        return
    if WIDGET_VIEW_TYPE in (context.get("body") or ""):
        return
    widget_js = set()
    for filename in getattr(app.config, "nb_ipywidgets_js", None) or {}:
        widget_js |= {filename, f"_static/{filename}"}
    assets[:] = [asset for asset in assets
                 if _key(asset)[0] not in widget_js and not _is_widget_state(asset)]


def drop_unused_mathjax(app, pagename, templatename, context, doctree):
    """On a page with no formula and no widget output, leave out MathJax and its configuration.

    Sphinx's math renders as ``class="math ..."`` elements; widget labels may
    hold formulas that MathJax typesets, so a page with widgets keeps it.
    """
    assets = context.get("script_files")
    mathjax = app.config.mathjax_path
    if not assets or not mathjax or app.builder.format != "html":
        return
    body = context.get("body") or ""
    if 'class="math' in body or WIDGET_VIEW_TYPE in body:
        return
    config = "window.MathJax"
    assets[:] = [asset for asset in assets
                 if _key(asset)[0] not in (mathjax, f"_static/{mathjax}")
                 and not str((getattr(asset, "attributes", {}) or {}).get("body", ""))
                 .lstrip().startswith(config)]


def _uses_thebe(app) -> bool:
    options = getattr(app.config, "html_theme_options", None) or {}
    return bool((options.get("launch_buttons") or {}).get("thebe"))


def _is_thebe(asset) -> bool:
    attributes = getattr(asset, "attributes", {}) or {}
    body = str(attributes.get("body") or "").lstrip()
    return (_key(asset)[0].endswith("sphinx-thebe.js") or body.startswith("const THEBE_JS_URL")
            or attributes.get("type") == "text/x-thebe-config")


def drop_unused_thebe(app, pagename, templatename, context, doctree):
    """Leave out sphinx-thebe's scripts when the book offers no Thebe launch button."""
    assets = context.get("script_files")
    if assets and app.builder.format == "html" and not _uses_thebe(app):
        assets[:] = [asset for asset in assets if not _is_thebe(asset)]


# the CSS classes cnnedu.widgets._static gives the parts of an explorer with frames
EXPLORER_CLASS = "cnnedu-explorer"
SWEPT_CLASS = "cnnedu-swept"
FIXED_CLASS = "cnnedu-fixed"
LIVE_CLASS = "cnnedu-frames-live"
LIVE_RULED_OUT_CLASS = "cnnedu-frames-ruled-out"
NOT_PRECOMPUTED_CLASS = "cnnedu-not-precomputed"
RULED_OUT_CLASS = "cnnedu-ruled-out"
NO_FRAME_CLASSES = {LIVE_CLASS, LIVE_RULED_OUT_CLASS, NOT_PRECOMPUTED_CLASS, RULED_OUT_CLASS}
# models whose value a frames' link reads as a Stack slot ("value" trait)
INTEGER_MODELS = {"IntSliderModel", "BoundedIntTextModel", "PlayModel"}
REF = "IPY_MODEL_"


def _fields(models: dict, ref) -> dict:
    """The state fields of the model a reference (``'IPY_MODEL_<id>'``) names, or {}."""
    if not isinstance(ref, str) or not ref.startswith(REF):
        return {}
    return models.get(ref[len(REF):], {}).get("state", {})


def _classes(fields: dict) -> set:
    return set(fields.get("_dom_classes") or ())


def _plain(text) -> str:
    """A label as plain text (no HTML tags, entities decoded, no LaTeX dollars)."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(text or ""))).replace("$", "").strip()


def _frame_stacks(models: dict) -> dict:
    """``{model id: children refs}`` of every Stack of frames (its last slot: the live picture)."""
    stacks = {}
    for model_id, model in models.items():
        children = model.get("state", {}).get("children") or []
        if (model.get("model_name") == "StackModel" and children
                and LIVE_CLASS in _classes(_fields(models, children[-1]))):
            stacks[model_id] = children
    return stacks


def narrow_swept_sliders(state: dict) -> int:
    """Give every swept integer slider the span of the values that have a frame, in place.

    A slider's frames are the Stacks a ``DirectionalLinkModel`` links it to
    (slider ``value`` -> Stack ``selected_index``): a value has a frame when
    one of its Stacks holds, at that slot, anything but the live picture or a
    note. The slider's ``min`` and ``max`` become the smallest and largest such
    value (so chapter 6's test digits offer 0-39 of 0-299), and so do those of
    a widget jslinked to it (a ``Play``), unless the saved value lies outside
    that span. Returns how many sliders were narrowed.
    """
    models = state.get("state", {})
    stacks = _frame_stacks(models)
    framed: dict = {}
    for model in models.values():
        fields = model.get("state", {})
        if model.get("model_name") != "DirectionalLinkModel":
            continue
        source, target = fields.get("source") or [None, None], fields.get("target") or [None, None]
        stack = str(target[0])[len(REF):]
        if target[1] != "selected_index" or stack not in stacks or source[1] != "value":
            continue
        slider = str(source[0])[len(REF):]
        if models.get(slider, {}).get("model_name") not in INTEGER_MODELS:
            continue
        children = stacks[stack]
        framed.setdefault(slider, set()).update(
            slot for slot, child in enumerate(children[:-1])
            if not _classes(_fields(models, child)) & NO_FRAME_CLASSES)
    narrowed = 0
    for slider, slots in framed.items():
        fields = models[slider]["state"]
        if not slots or not min(slots) <= fields.get("value", 0) <= max(slots):
            continue
        lo, hi = min(slots), max(slots)
        if (fields.get("min", 0), fields.get("max", 100)) == (lo, hi):
            continue
        fields["min"], fields["max"] = lo, hi
        narrowed += 1
        for model in models.values():       # a Play jslinked to the slider steps the same span
            link = model.get("state", {})
            ends = [(link.get(end) or [None])[0] for end in ("source", "target")]
            if model.get("model_name") == "LinkModel" and REF + slider in ends:
                for end in ends:
                    other = _fields(models, end)
                    if end != REF + slider and "max" in other:
                        other["min"], other["max"] = lo, hi
    return narrowed


def notes_in_unframed_slots(state: dict) -> int:
    """Put the web page's notes where the frames show the live picture for want of a frame.

    In a notebook every slot of a Stack of frames without a frame holds the
    live picture (its kernel redraws it); on the web page, nothing would: such
    a slot gets the note "not precomputed for the web page" (the HTML model
    with class ``cnnedu-not-precomputed``), and a combination the explorer
    rules out (class ``cnnedu-frames-ruled-out``) the note of class
    ``cnnedu-ruled-out``. The last slot, the live picture the notebook was
    saved with, stays. Returns how many slots changed.
    """
    models = state.get("state", {})
    notes = {}
    for model_id, model in models.items():
        for cls in _classes(model.get("state", {})) & {NOT_PRECOMPUTED_CLASS, RULED_OUT_CLASS}:
            notes.setdefault(cls, REF + model_id)
    changed = 0
    for model_id, children in _frame_stacks(models).items():
        new = list(children)
        for slot, child in enumerate(children[:-1]):
            classes = _classes(_fields(models, child))
            note = (notes.get(NOT_PRECOMPUTED_CLASS) if child == children[-1] else
                    notes.get(RULED_OUT_CLASS) if LIVE_RULED_OUT_CLASS in classes else None)
            if note is not None:
                new[slot] = note
                changed += 1
        models[model_id]["state"]["children"] = new
    return changed


def _descendants(models: dict, model_id: str) -> list:
    """The state fields of every model inside a container (its children, theirs, ...),
    in the order of the page."""
    found, seen = [], set()

    def visit(current):
        if current in seen or current not in models:
            return
        seen.add(current)
        fields = models[current].get("state", {})
        found.append(fields)
        for ref in fields.get("children") or []:
            if isinstance(ref, str) and ref.startswith(REF):
                visit(ref[len(REF):])

    visit(model_id)
    return found


def disable_fixed_controls(state: dict) -> int:
    """Disable every control of an explorer that the page cannot answer, saying why, in place.

    Those are the controls with the CSS class ``cnnedu-fixed``: they get
    ``disabled: true`` and a ``tooltip`` (shown on hover, and the widget
    script gives it to screen readers) naming the controls the page follows.
    Returns how many controls were disabled.
    """
    models = state.get("state", {})
    disabled = 0
    for model_id, model in models.items():
        if EXPLORER_CLASS not in _classes(model.get("state", {})):
            continue
        inside = _descendants(models, model_id)
        swept = [_plain(fields.get("description")) or "the swept control" for fields in inside
                 if SWEPT_CLASS in _classes(fields)]
        follows = ", ".join(swept[:-1]) + " and " + swept[-1] if len(swept) > 1 else "".join(swept)
        reason = ("Needs Python: press Make it live above the explorer (or run the notebook); "
                  f"until then its picture follows only {follows}." if follows else
                  "Needs Python: press Make it live above the explorer (or run the notebook).")
        for fields in inside:
            if FIXED_CLASS in _classes(fields):
                fields["disabled"], fields["tooltip"] = True, reason
                disabled += 1
    return disabled


def static_explorers(state: dict) -> None:
    """Make a saved widget state's explorers honest for a page with no kernel, in place:
    :func:`narrow_swept_sliders`, :func:`notes_in_unframed_slots`,
    :func:`disable_fixed_controls`."""
    narrow_swept_sliders(state)
    notes_in_unframed_slots(state)
    disable_fixed_controls(state)


def picture_urls(state: dict, save_picture) -> int:
    """Turn every PNG ``Image`` of a widget state into a URL image, in place.

    ``state`` is a saved widget state (``{"state": {model id: model}}``, as
    ipywidgets embeds it: an Image's bytes are a base64 buffer at path
    ``["value"]``); ``save_picture(png_bytes)`` stores a picture and returns
    the URL the page reaches it by. Returns how many pictures were moved.
    """
    moved = 0
    for model in state.get("state", {}).values():
        fields = model.get("state", {})
        if model.get("model_name") != "ImageModel" or fields.get("format") != "png":
            continue
        for buffer in model.get("buffers", ()):
            if buffer.get("path") != ["value"] or buffer.get("encoding") != "base64":
                continue
            url = save_picture(base64.b64decode(buffer["data"]))
            buffer["data"] = base64.b64encode(url.encode("utf-8")).decode("ascii")
            fields["format"] = "url"
            moved += 1
    return moved


def save_by_content(app, context, folder: str, data: bytes, suffix: str) -> str:
    """Write ``data`` to ``<outdir>/<folder>/<sha1 of data><suffix>``; return its URL
    from the page."""
    target = f"{folder}/{hashlib.sha1(data).hexdigest()}{suffix}"
    path = Path(app.outdir, target)
    if not path.is_file():       # the name is the content: an existing file is the same
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return context["pathto"](target, 1)


def move_widget_state(app, pagename, templatename, context, doctree):
    """Replace the page's inline widget state by a tag naming a file that holds it,
    its pictures in files of their own."""
    assets = context.get("script_files")
    if not assets or app.builder.format != "html":
        return

    def save_picture(png: bytes) -> str:
        return save_by_content(app, context, FRAMES_DIR, png, ".png")

    for index, asset in enumerate(assets):
        attributes = dict(getattr(asset, "attributes", {}) or {})
        if attributes.get("type") != WIDGET_STATE_TYPE or not attributes.get("body"):
            continue
        state = json.loads(attributes.pop("body"))
        static_explorers(state)
        picture_urls(state, save_picture)
        target = f"{WIDGET_STATE_DIR}/{pagename}.js"
        path = Path(app.outdir, target)
        path.parent.mkdir(parents=True, exist_ok=True)
        # a JavaScript literal ("</" escaped, as myst-nb does for a script tag)
        literal = json.dumps(state).replace("</", "<\\/")
        path.write_text("window.bookWidgetStates = window.bookWidgetStates || {};\n"
                        f"window.bookWidgetStates[{json.dumps(pagename)}] = "
                        f"{literal};\n", encoding="utf-8")
        attributes["data-src"] = context["pathto"](target, 1)
        attributes["data-key"] = pagename
        assets[index] = _JavaScript(os.fspath(getattr(asset, "filename", "") or ""),
                                    priority=getattr(asset, "priority", 500), **attributes)


# an <img> tag that does not say when to load
EAGER_IMG = re.compile(r"<img\b(?![^>]*\bloading=)", re.I)


IMG_SRC = re.compile(r'<img loading="lazy"(?![^>]*\bwidth=)([^>]*?\bsrc="([^"]+)")', re.I)


def _picture_sizes(app) -> dict:
    """``{file name under _images: (width, height)}`` of the pictures the pages show so far."""
    from PIL import Image

    sizes = app.builder.__dict__.setdefault("_book_picture_sizes", {})
    for source, name in getattr(app.builder, "images", {}).items():
        if name in sizes:
            continue
        try:
            with Image.open(Path(app.srcdir, source)) as picture:
                sizes[name] = picture.size
        except (OSError, ValueError):
            sizes[name] = None
    return sizes


def lazy_figures(app, pagename, templatename, context, doctree):
    """Mark every picture in the page's body ``loading="lazy"``, with its size.

    The width and height (in pixels; the style sheet keeps ``height: auto``)
    reserve the picture's place before it loads, so nothing below it moves
    when it arrives.
    """
    if app.builder.format != "html" or not context.get("body"):
        return
    body = EAGER_IMG.sub('<img loading="lazy"', context["body"])
    sizes = _picture_sizes(app)

    def with_size(match):
        size = sizes.get(match.group(2).rsplit("/", 1)[-1])
        if size is None:
            return match.group(0)
        return f'<img loading="lazy" width="{size[0]}" height="{size[1]}"{match.group(1)}'

    context["body"] = IMG_SRC.sub(with_size, body)


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
    app.connect("html-page-context", drop_unused_widget_scripts, priority=905)
    app.connect("html-page-context", drop_unused_mathjax, priority=906)
    app.connect("html-page-context", drop_unused_thebe, priority=907)
    app.connect("html-page-context", move_widget_state, priority=910)
    app.connect("html-page-context", preload_mathjax, priority=920)
    app.connect("html-page-context", lazy_figures, priority=930)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
