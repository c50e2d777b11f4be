"""Every page of the built book on a phone (390 x 844, touch) and on a desktop (1280 x 800).

For each page listed in ``_toc.yml``, at both sizes (one load per page and size):

- the page is no wider than the screen: long inline code, links, tables,
  display math and code blocks wrap or scroll inside their own box;
- every slider of an explorer has a track of at least 120 px;
- every control that the reader can use lies inside the screen (once scrolled
  to) and is reached by the Tab key; a control that the static page cannot
  answer (CSS class ``cnnedu-fixed``) is never reached by Tab, has no
  focusable part (its slider handle has tabindex -1), does not change when an
  arrow key is pressed on it, and says why (``aria-disabled``, a title and an
  ``aria-describedby`` that mention the notebook);
- the "-" and "+" buttons of every slider that the precomputed frames follow
  (touch targets of at least 32 px, with names such as "next test digit")
  move it by exactly one step and switch the picture, and so does the arrow
  key on its handle;
- explorer pictures are legible: shown at 0.9 of their natural size or more,
  never enlarged, and whole when the column is wide enough, as it is on the
  desktop for every picture; a wider picture (on the phone) pans sideways
  inside its own box (a touch swipe), which says so, while the page stays put.
"""
from __future__ import annotations

import pytest

from tests.browser.test_pages import (ALL_WIDGETS, PAGES, PICTURE, PICTURE_CHANGED, PICTURE_IS,
                                      VIEW, Visit, load)

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEVICES = {"390": PHONE, "1280": DESKTOP}

MIN_TRACK_PX = 120
MIN_TOUCH_PX = 32
#: a picture is legible at this fraction of its natural size or more
MIN_SCALE = 0.9
#: a picture wider than its box by more than this says that it pans
HINT_OVERFLOW_PX = 24

# The interactive parts of the widgets on the page and, for each, the control it
# belongs to: a slider, drop-down, row of toggle buttons, play widget or button.
# Parts that are not shown (a Stack's other slots, a part hidden on the web page)
# are left out. Each part and control gets a data attribute to find it again.
MARK_CONTROLS = """() => {
  const PARTS = 'button, select, input, textarea, [role=slider], [contenteditable], [tabindex]';
  const ROOT = '.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-play, '
             + '.widget-text, .widget-textarea, .widget-checkbox, .widget-inline-hbox';
  const shown = el => el.getClientRects().length > 0
                      && getComputedStyle(el).visibility !== 'hidden';
  const controls = new Map();
  let k = 0;
  for (const area of document.querySelectorAll('.widget-subarea')) {
    for (const part of area.querySelectorAll(PARTS)) {
      if (!shown(part) || part.closest('.cnnedu-pan')) continue;
      const root = part.closest(ROOT) || part;
      if (!controls.has(root)) {
        root.setAttribute('data-test-control', String(controls.size));
        controls.set(root, []);
      }
      part.setAttribute('data-test-part', String(k++));
      controls.get(root).push(part);
    }
  }
  return Array.from(controls, ([root, parts]) => {
    const label = root.querySelector('.widget-label');
    const fixed = root.closest('.cnnedu-fixed') !== null;
    const usable = parts.filter(p => !p.disabled && p.tabIndex >= 0);
    return {id: root.getAttribute('data-test-control'),
            name: (label && label.textContent.trim()) || root.className.split(' ').pop(),
            area: Array.from(document.querySelectorAll('.widget-subarea'))
                       .indexOf(root.closest('.widget-subarea')),
            fixed, enabled: !fixed && usable.length > 0,
            parts: parts.map(p => p.getAttribute('data-test-part'))};
  });
}"""

# The control (data-test-control) and the part (data-test-part) that has the focus.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const part = el.closest('[data-test-part]'), control = el.closest('[data-test-control]');
  return {part: part && part.getAttribute('data-test-part'),
          control: control && control.getAttribute('data-test-control'),
          inArea: el.closest('.widget-subarea') !== null,
          area: Array.from(document.querySelectorAll('.widget-subarea'))
                     .indexOf(el.closest('.widget-subarea'))};
}"""

# A focusable placeholder just before a widget output, where a Tab walk through it starts.
TAB_START = """(index) => {
  document.querySelectorAll('.test-tab-start').forEach(el => el.remove());
  const area = document.querySelectorAll('.widget-subarea')[index];
  const start = document.createElement('span');
  start.className = 'test-tab-start';
  start.tabIndex = 0;
  area.parentElement.insertBefore(start, area);
  start.focus();
  return document.activeElement === start;
}"""

devices = pytest.mark.parametrize("device", list(DEVICES), ids=[f"{w}px" for w in DEVICES])


@pytest.fixture(scope="session")
def device_visits(browser, book_url):
    """One cached visit per page and device, closed at the end of the session."""
    cache: dict[tuple[str, str], Visit] = {}
    yield cache
    for visit in cache.values():
        visit.context.close()


@pytest.fixture
def shown(request, device_visits, browser, book_url, device) -> Visit:
    """The page (the test's ``path``) as the device shows it."""
    from tests.browser.test_pages import ROOT

    path = request.node.callspec.params["path"]
    key = (path, device)
    if key not in device_visits:
        if not (ROOT / "_build" / "html" / path).is_file():
            pytest.fail(f"{path} is listed in _toc.yml but was not built")
        device_visits[key] = load(browser, book_url + path, DEVICES[device])
    visit = device_visits[key]
    visit.page.evaluate("() => window.scrollTo(0, 0)")
    return visit


every_page = pytest.mark.parametrize("path", PAGES, ids=PAGES)


def _widget_page(visit: Visit) -> None:
    if visit.page.locator(VIEW).count() == 0:
        pytest.skip("no widget on this page")


# ------------------------------------------------------------------------ the page
@every_page
@devices
def test_no_page_is_wider_than_the_screen(shown, path, device):
    page = shown.page
    width, scroll_width, offenders = page.evaluate("""() => {
      const vw = document.documentElement.clientWidth, out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > vw + 1) {
          // reported only when no ancestor clips or scrolls it
          let p = el.parentElement, inside = false;
          for (; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible'
                && p.getBoundingClientRect().right <= vw + 1) { inside = true; break; }
          }
          if (!inside) out.push(el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]
                                + ' ' + Math.round(r.right) + 'px: '
                                + (el.textContent || '').trim().slice(0, 50));
        }
      }
      return [vw, document.documentElement.scrollWidth, out.slice(0, 5)];
    }""")
    assert scroll_width <= width, (
        f"the page is {scroll_width} px wide on a {width} px screen: {offenders}")


# ------------------------------------------------------------------------ controls
@every_page
@devices
def test_slider_tracks_are_long_enough(shown, path, device):
    _widget_page(shown)
    tracks = shown.page.evaluate("""() => Array.from(
      document.querySelectorAll('.widget-subarea .widget-hslider'), s => {
        const t = s.querySelector('.noUi-target'), l = s.querySelector('.widget-label');
        return [l ? l.textContent.trim() : '?', t ? t.getBoundingClientRect().width : 0,
                s.getClientRects().length > 0];
      }).filter(s => s[2])""")
    short = [(name, round(width)) for name, width, _ in tracks if width < MIN_TRACK_PX]
    assert short == [], f"slider tracks shorter than {MIN_TRACK_PX} px: {short}"


@every_page
@devices
def test_enabled_controls_are_on_screen_and_reached_by_tab(shown, path, device):
    _widget_page(shown)
    page = shown.page
    controls = page.evaluate(MARK_CONTROLS)
    enabled = [c for c in controls if c["enabled"]]
    assert enabled or not controls, "no control of this page can be used"
    width = page.evaluate("() => document.documentElement.clientWidth")
    outside = []
    for control in enabled:
        box = page.locator(f'[data-test-control="{control["id"]}"]')
        box.scroll_into_view_if_needed()
        left, right = box.evaluate("el => { const r = el.getBoundingClientRect();"
                                   " return [r.left, r.right]; }")
        if left < -0.5 or right > width + 0.5:
            outside.append((control["name"], round(left), round(right)))
    assert outside == [], f"controls not inside the {width} px screen: {outside}"

    # a Tab walk through every widget output, from just before it until the focus leaves it
    reached, fixed_reached = set(), []
    fixed = {c["id"]: c["name"] for c in controls if c["fixed"] or not c["enabled"]}
    for area in sorted({c["area"] for c in controls}):
        assert page.evaluate(TAB_START, area)
        for _ in range(200):
            page.keyboard.press("Tab")
            now = page.evaluate(FOCUSED)
            if now is None or now["area"] != area:
                break
            if now["control"] is not None:
                reached.add(now["control"])
                if now["control"] in fixed:
                    fixed_reached.append(fixed[now["control"]])
        else:
            pytest.fail(f"the Tab key never leaves widget output {area}")
    page.evaluate("() => document.querySelectorAll('.test-tab-start').forEach(e => e.remove())")
    missed = [c["name"] for c in enabled if c["id"] not in reached]
    assert missed == [], f"enabled controls that the Tab key never reaches: {missed}"
    assert fixed_reached == [], f"the Tab key lands in disabled controls: {fixed_reached}"


# Everything wrong with the disabled controls shown on the page: a part that takes
# the focus or edits, a slider handle in the Tab order, no reason given.
FIXED_PROBLEMS = """() => {
  const out = [];
  for (const root of document.querySelectorAll('.widget-subarea .cnnedu-fixed')) {
    if (!root.getClientRects().length) continue;
    const name = (root.querySelector('.widget-label') || root).textContent.trim().slice(0, 30);
    for (const part of root.querySelectorAll(
        'button, select, input, textarea, [role=slider], [tabindex], [contenteditable]')) {
      const focusable = part.tabIndex >= 0 && !part.disabled;
      if (focusable) out.push(name + ': focusable ' + part.tagName.toLowerCase()
                              + '.' + String(part.className).split(' ')[0]);
      if (part.isContentEditable) out.push(name + ': editable ' + part.className);
      if (part.classList.contains('noUi-handle') && part.getAttribute('tabindex') !== '-1')
        out.push(name + ': slider handle with tabindex ' + part.getAttribute('tabindex'));
    }
    if (root.getAttribute('aria-disabled') !== 'true') out.push(name + ': not aria-disabled');
    const title = root.getAttribute('title') || '';
    const described = document.getElementById(root.getAttribute('aria-describedby') || '');
    if (!/notebook/i.test(title)) out.push(name + ': no title that says why: ' + title);
    if (!described || !/notebook/i.test(described.textContent))
      out.push(name + ': no aria-describedby that says why');
  }
  return out;
}"""


def _check_fixed_controls(page) -> int:
    """Assert that the disabled controls cannot be used; return how many sliders were tried."""
    problems = page.evaluate(FIXED_PROBLEMS)
    assert problems == [], problems
    # the keys on a disabled slider (given the focus by script) change nothing
    handles = page.locator(".widget-subarea .cnnedu-fixed .noUi-handle")
    tried = 0
    for i in range(handles.count()):
        handle = handles.nth(i)
        if not handle.is_visible():
            continue
        handle.scroll_into_view_if_needed()
        before = handle.get_attribute("aria-valuenow")
        handle.evaluate("h => h.focus()")
        for key in ("ArrowRight", "ArrowLeft", "ArrowUp", "PageUp", "End"):
            handle.press(key)
        page.wait_for_timeout(50)
        after = handle.get_attribute("aria-valuenow")
        assert after == before, f"a disabled slider moved from {before} to {after} by keys"
        tried += 1
    return tried


@every_page
@devices
def test_disabled_controls_cannot_be_changed_and_say_why(shown, path, device):
    _widget_page(shown)
    if shown.page.locator(".widget-subarea .cnnedu-fixed").count() == 0:
        pytest.skip("no control on this page that the static page cannot answer")
    _check_fixed_controls(shown.page)


def test_a_control_the_page_cannot_answer_is_disabled_even_if_saved_enabled(browser, book_url):
    """The page's renderer disables every control marked ``cnnedu-fixed``, whatever its saved
    state says: here the widget state is served with every control enabled and no tooltip."""
    import re

    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()

        def enabled_state(route):
            body = route.fetch().text()
            body = re.sub(r'"disabled": *true', '"disabled": false', body)
            body = re.sub(r'"tooltip": *"[^"]*"', '"tooltip": null', body)
            route.fulfill(body=body, content_type="text/javascript")

        page.route(re.compile(r"/_static/widget-state/.*\.js$"), enabled_state)
        page.goto(book_url + "chapters/01_convolution.html", wait_until="load")
        page.wait_for_function(ALL_WIDGETS, polling=50, timeout=60_000)
        assert page.locator(".widget-subarea .cnnedu-fixed").count() >= 2
        assert _check_fixed_controls(page) >= 1, "no disabled slider tried"
    finally:
        context.close()


def _value(slider) -> float:
    return float(slider.locator(".noUi-handle").first.get_attribute("aria-valuenow"))


def _bounds(slider) -> tuple[float, float, float]:
    """min, max and step of a slider, as its noUiSlider has them."""
    return tuple(slider.locator(".noUi-target").first.evaluate(
        "t => { const o = t.noUiSlider.options;"
        " return [o.range.min[0] ?? o.range.min, o.range.max[0] ?? o.range.max, o.step]; }"))


@every_page
@devices
def test_step_buttons_and_keys_move_a_swept_slider_one_step(shown, path, device):
    _widget_page(shown)
    page = shown.page
    swept = ".widget-hslider.cnnedu-swept:not(.cnnedu-fixed)"
    fixed_steps = page.locator(".cnnedu-fixed .cnnedu-step").count()
    assert fixed_steps == 0, "a disabled slider has step buttons"
    sliders = []
    explorers = page.locator(".cnnedu-explorer:has(.cnnedu-frames)")
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        frames = explorer.locator(".cnnedu-frames").first.element_handle()
        found = explorer.locator(swept)
        sliders += [(found.nth(j), frames) for j in range(found.count())]
    if not sliders:
        pytest.skip("no slider on this page that the precomputed frames follow")
    for slider, frames in sliders:
        name = slider.locator(".widget-label").first.inner_text().strip()
        less, more = (slider.locator(f'button.cnnedu-step[aria-label="{words} {name}"]')
                      for words in ("previous", "next"))
        assert less.count() == 1 and more.count() == 1, f"{name}: no step buttons"
        slider.scroll_into_view_if_needed()
        for button in (less, more):
            box = button.bounding_box()
            assert box["width"] >= MIN_TOUCH_PX and box["height"] >= MIN_TOUCH_PX, (
                f"{name}: step button of {box['width']:.0f} x {box['height']:.0f} px")
        low, high, step = _bounds(slider)
        start, before = _value(slider), frames.evaluate(PICTURE)
        forward = start + step <= high
        first, back = (more, less) if forward else (less, more)
        assert first.is_enabled()
        if device == "390":
            first.tap()
        else:
            first.click()
        page.wait_for_function(PICTURE_CHANGED, arg=[frames, before], timeout=5000)
        assert _value(slider) == start + (step if forward else -step), name
        (back.tap if device == "390" else back.click)()
        page.wait_for_function(PICTURE_IS, arg=[frames, before], timeout=5000)
        assert _value(slider) == start, name
        # at an end of the range, the button that would leave it is disabled
        assert less.is_disabled() == (start - step < low)
        assert more.is_disabled() == (start + step > high)
        # the arrow keys step one value at a time too
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        handle.press("ArrowRight" if forward else "ArrowLeft")
        page.wait_for_function(PICTURE_CHANGED, arg=[frames, before], timeout=5000)
        assert _value(slider) == start + (step if forward else -step), name
        handle.press("ArrowLeft" if forward else "ArrowRight")
        page.wait_for_function(PICTURE_IS, arg=[frames, before], timeout=5000)
        assert _value(slider) == start, name


# ------------------------------------------------------------------------ pictures
PICTURES = """() => Array.from(document.querySelectorAll('.widget-subarea img.widget-image'),
                               img => {
  if (!img.getClientRects().length || !img.complete || !img.naturalWidth) return null;
  const pan = img.closest('.cnnedu-pan'), box = img.closest('.cnnedu-picture');
  const hint = box && box.querySelector('.cnnedu-pan-hint');
  return {src: img.src.split('/').pop(), natural: img.naturalWidth,
          shown: img.getBoundingClientRect().width,
          column: box ? box.getBoundingClientRect().width : null,
          overflow: pan ? pan.scrollWidth - pan.clientWidth : null,
          hint: hint ? hint.getClientRects().length > 0 : false};
}).filter(p => p !== null)"""


@every_page
@devices
def test_explorer_pictures_are_legible(shown, path, device):
    _widget_page(shown)
    page = shown.page
    page.wait_for_function("() => Array.from(document.querySelectorAll("
                           "'.widget-subarea img.widget-image')).every(i => i.complete)")
    pictures = page.evaluate(PICTURES)
    if not pictures:
        pytest.skip("no picture in the widgets of this page")
    for p in pictures:
        assert p["column"] is not None, f"{p['src']} is not in a picture box that can pan"
        scale = p["shown"] / p["natural"]
        assert MIN_SCALE <= scale <= 1.001, (
            f"{p['src']} shown at {scale:.2f} of its size ({p['shown']:.0f} of {p['natural']} px)")
        if p["natural"] <= p["column"]:
            assert scale == pytest.approx(1, abs=0.002), f"{p['src']} fits but is shrunk"
        assert p["hint"] == (p["overflow"] > HINT_OVERFLOW_PX), (
            f"{p['src']}: overflows by {p['overflow']} px, hint shown: {p['hint']}")
        if device == "1280":
            # the book's column is 688 px wide on this screen: a picture of up
            # to 764 px fits it whole at 0.9 of its size, without panning
            assert p["overflow"] <= HINT_OVERFLOW_PX, (
                f"{p['src']} ({p['natural']} px) pans on the desktop: its column is "
                f"{p['column']:.0f} px, so at 0.9 of its size it must be at most "
                f"{p['column'] / MIN_SCALE:.0f} px wide")


def test_a_wide_picture_pans_by_touch_and_the_page_stays(browser, book_url, device_visits):
    """On the phone, a swipe over a picture wider than the screen moves the picture, not the
    page (the pan box scrolls, the page does not)."""
    path = "chapters/01_convolution.html"
    key = (path, "390")
    if key not in device_visits:
        device_visits[key] = load(browser, book_url + path, PHONE)
    page = device_visits[key].page
    pan = page.locator(".cnnedu-picture.cnnedu-overflows .cnnedu-pan").first
    assert pan.count(), "no picture wider than the phone's screen"
    pan.scroll_into_view_if_needed()
    assert pan.evaluate("p => p.scrollLeft") == 0
    box = pan.bounding_box()
    # a finger put on the picture and moved 200 px to the left
    session = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] * 0.8, box["y"] + min(box["height"], 300) / 2
    session.send("Input.dispatchTouchEvent",
                 {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for moved in range(20, 201, 20):
        session.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": x - moved, "y": y}]})
        page.wait_for_timeout(16)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("p => p.scrollLeft > 100", arg=pan.element_handle(), timeout=5000)
    assert page.evaluate("() => window.scrollX") == 0
    pan.evaluate("p => { p.scrollLeft = 0; }")
