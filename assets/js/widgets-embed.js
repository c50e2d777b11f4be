// Render the saved widgets of a page of the book, offline and once each.
//
// Loaded with `defer` on pages with widgets, after require.js. It loads the
// widget manager (libembed-amd.js of @jupyter-widgets/html-manager, served by
// the book: see scripts/vendor_assets.sh) and renders the widget outputs, in
// place of the manager's embed-amd.js, which renders every widget output of
// the page on "load", once per widget state found on the page, looks its icon
// fonts up next to the page and fetches any unknown widget module from a CDN.
// Here:
//
// - the manager and its icon fonts are served from the book, nothing from a CDN;
// - the widget state is loaded from the script the page names (data-src), if
//   it is not inline;
// - each widget output is rendered exactly once (a view per output, by the
//   first widget state that knows its model), even if the page carries more
//   than one widget state;
// - the manager is loaded once MathJax has typeset the first screen; outputs
//   on screen (or close to it) are rendered first, the others one at a time
//   when the browser is idle, so that a long chapter shows its first screen
//   quickly;
// - the controls' labels, which the manager typesets with the MathJax 2 API,
//   are typeset by the book's MathJax 3;
// - each view is adapted to the static page once it is shown (see "Views on
//   the web page" below): a slider that the precomputed frames follow gets
//   "-" and "+" step buttons, a control that the page cannot answer is
//   disabled and says why, and a picture keeps a legible size, panning
//   sideways in a box of its own when it is wider than the column.
(function () {
  "use strict";
  var here = document.currentScript.src;
  var dist = new URL("../vendor/html-manager-1.0.15/dist/", here).href;
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';

  // libembed-amd.js defines these AMD modules; requirejs loads it when one is
  // first required. Each module finds its assets (the icon fonts) next to the
  // URL of the file that defines it.
  window.require.config({
    paths: { "widget-manager-bundle": dist + "libembed-amd" },
    bundles: {
      "widget-manager-bundle": [
        "@jupyter-widgets/base", "@jupyter-widgets/base7", "@jupyter-widgets/controls",
        "@jupyter-widgets/controls7", "@jupyter-widgets/html-manager",
        "@jupyter-widgets/html-manager/dist/libembed-amd"]
    }
  });

  function noRemoteModules(name, version) {
    return Promise.reject(new Error("the widget module " + name + "@" + version +
                                    " is not served by this book"));
  }

  function shimMathJax2() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup || String(mj.version || "").charAt(0) !== "3") return;
    mj.Hub = {
      Queue: function (job) {     // ["Typeset", MathJax.Hub, element]
        var element = job && job[2];
        if (!element) return;
        // typesetPromise exists once MathJax has started (after its extensions load)
        Promise.resolve(mj.startup.promise)
          .then(function () { return mj.typesetPromise([element]); })
          .catch(function (err) { console.warn("MathJax could not typeset a widget label", err); });
      }
    };
  }

  // The page's widget state: inline (as myst-nb writes it), or, in the book, in
  // a script of its own named by the tag's data-src (the book's Sphinx
  // extension moves it there, so that the page shows without parsing it; a
  // script rather than a JSON file, because a browser fetches no file from a
  // page opened from the disk). The script stores the state under the tag's
  // data-key in window.bookWidgetStates. It is downloaded (preloaded) as soon
  // as this script runs, but run only once MathJax has typeset the first
  // screen: evaluating megabytes of state takes the browser a few hundred
  // milliseconds that the first screen should not wait for.
  var statesLoading = null;
  function loadState(tag) {
    var src = tag.getAttribute("data-src"), key = tag.getAttribute("data-key");
    if (!src) return Promise.resolve(JSON.parse(tag.textContent));
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL(src, document.baseURI).href;
      script.onload = function () {
        var states = window.bookWidgetStates || {};
        if (key in states) resolve(states[key]);
        else reject(new Error(script.src + " holds no widget state for " + key));
      };
      script.onerror = function () { reject(new Error("could not load " + script.src)); };
      document.head.appendChild(script);
    });
  }
  function preloadStates() {
    document.querySelectorAll(STATE).forEach(function (tag) {
      var src = tag.getAttribute("data-src");
      if (!src) return;
      var link = document.createElement("link");
      link.rel = "preload";
      link.as = "script";
      link.href = new URL(src, document.baseURI).href;
      document.head.appendChild(link);
    });
  }
  function loadStates() {
    if (statesLoading === null) {
      var tags = Array.prototype.slice.call(document.querySelectorAll(STATE));
      statesLoading = Promise.all(tags.map(loadState));
    }
    return statesLoading;
  }

  function renderAll(htmlmanager) {
    return loadStates().then(function (states) {
      return Promise.all(states.map(function (state) {
        var manager = new htmlmanager.HTMLManager({ loader: noRemoteModules });
        adaptViews(manager);
        return manager.set_state(state).then(function (models) {
          var byId = {};
          models.forEach(function (model) { byId[model.model_id] = model; });
          return { manager: manager, models: byId };
        });
      }));
    }).then(function (managers) {
      var pending = Array.prototype.slice.call(document.querySelectorAll(VIEW));

      function render(tag) {
        if (tag.hasAttribute("data-widget-rendered") || !tag.parentElement) return;
        tag.setAttribute("data-widget-rendered", "");
        var id = JSON.parse(tag.textContent).model_id;
        var owner = managers.filter(function (m) { return id in m.models; })[0];
        if (!owner) {
          console.error("no saved widget state for the widget output " + id);
          return;
        }
        var area = document.createElement("div");
        area.className = "widget-subarea";
        tag.parentElement.insertBefore(area, tag);
        owner.manager.create_view(owner.models[id]).then(function (view) {
          return owner.manager.display_view(view, area);
        }).then(function () {
          var recipe = owner.models[id].get("_cnnedu_live");
          if (recipe) addLiveBar(area, owner.models[id], owner.manager, recipe);
        }).catch(function (err) { console.error("could not render widget " + id, err); });
      }

      function next() {
        while (pending.length && pending[0].hasAttribute("data-widget-rendered")) pending.shift();
        return pending.shift();
      }
      var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
      function renderWhenIdle() {
        idle(function () {
          var tag = next();
          if (!tag) return;
          render(tag);
          renderWhenIdle();
        });
      }

      if ("IntersectionObserver" in window) {
        var observer = new IntersectionObserver(function (entries) {
          entries.forEach(function (entry) {
            if (!entry.isIntersecting) return;
            observer.unobserve(entry.target);
            entry.target.querySelectorAll(VIEW).forEach(render);
          });
        }, { rootMargin: "800px 0px" });
        pending.forEach(function (tag) { observer.observe(tag.parentElement); });
      }
      renderWhenIdle();
    });
  }

  // ------------------------------------------------------ Views on the web page
  // Every view the manager creates (child views too: a box asks its model's
  // manager for them) is adapted once it is attached to the page.
  var SWEPT = "cnnedu-swept", FIXED = "cnnedu-fixed";
  var NEEDS_KERNEL = "This control needs Python: press Make it live above the explorer (or " +
                     "run the notebook). Until then the page shows precomputed pictures, which " +
                     "follow only the other controls.";

  function adaptViews(manager) {
    var create = manager.create_view;
    manager.create_view = function (model, options) {
      return create.call(manager, model, options).then(function (view) {
        if (view && view.displayed) {
          view.displayed.then(function () { adapt(view); }).catch(function (err) {
            console.error("could not adapt a widget to the web page", err);
          });
        }
        return view;
      });
    };
  }

  function adapt(view) {
    var el = view.el;
    if (!el || !el.classList) return;
    var fixed = el.closest("." + FIXED);
    if (el.classList.contains("widget-hslider")) {
      keepReadoutByTrack(el);
      handlesFollowDisabled(view);
    }
    if (fixed) {
      disable(view, fixed);
    } else if (el.classList.contains(SWEPT) && el.classList.contains("widget-hslider")
               && !view.model.get("disabled")) {
      addStepButtons(view);
    }
    if (el.tagName === "IMG" && el.classList.contains("widget-image")) panPicture(el);
  }

  // A control the page cannot answer: disabled (the model says so, which the
  // widget shows), out of the Tab order, and saying why to the mouse (title)
  // and to screen readers (aria-describedby). Its model is disabled here too
  // when the page's widget state did not say so.
  var reasons = {};
  function reasonId(text) {
    if (!(text in reasons)) {
      var note = document.createElement("div");
      note.id = "cnnedu-fixed-reason-" + Object.keys(reasons).length;
      note.hidden = true;
      note.textContent = text;
      document.body.appendChild(note);
      reasons[text] = note.id;
    }
    return reasons[text];
  }

  function disable(view, fixed) {
    var model = view.model;
    var text = model.get("tooltip") || fixed.getAttribute("title") || NEEDS_KERNEL;
    if ("disabled" in model.attributes && !model.get("disabled")) model.set("disabled", true);
    var describe = reasonId(text);
    function lock() {
      [fixed, view.el].forEach(function (el) {
        el.setAttribute("aria-disabled", "true");
        el.setAttribute("title", text);
        el.setAttribute("aria-describedby", describe);
      });
      var inside = [view.el].concat(Array.prototype.slice.call(view.el.querySelectorAll(
        "input, select, button, textarea, [tabindex], [contenteditable]")));
      inside.forEach(function (node) {
        if ("disabled" in node && /^(INPUT|SELECT|BUTTON|TEXTAREA)$/.test(node.tagName)) {
          node.disabled = true;
        }
        if (node.isContentEditable || node.getAttribute("contenteditable") === "true") {
          node.setAttribute("contenteditable", "false");
        }
        if (node.hasAttribute("tabindex") || node.classList.contains("noUi-handle")) {
          node.setAttribute("tabindex", "-1");
        }
        if (node.getAttribute("role") === "slider" || node.tagName === "SELECT"
            || node.tagName === "BUTTON" || node.tagName === "INPUT") {
          node.setAttribute("aria-disabled", "true");
          node.setAttribute("aria-describedby", describe);
        }
      });
    }
    lock();
    // the widget redraws parts of itself when its model changes
    view.listenTo(model, "change", function () { setTimeout(lock, 0); });
  }

  // A slider's value stays on the line of its track: when the row is too
  // narrow, the description goes above them (the widget finds its readout by
  // reference, not by place).
  function keepReadoutByTrack(el) {
    var track = el.querySelector(".slider-container"), readout = el.querySelector(".widget-readout");
    if (track && readout && readout.parentNode !== track) track.appendChild(readout);
  }

  // The handle of a disabled slider leaves the Tab order (the widget only greys it).
  function handlesFollowDisabled(view) {
    function follow() {
      var disabled = Boolean(view.model.get("disabled"));
      view.el.querySelectorAll(".noUi-handle").forEach(function (handle) {
        handle.setAttribute("tabindex", disabled ? "-1" : "0");
        handle.setAttribute("aria-disabled", String(disabled));
      });
    }
    follow();
    view.listenTo(view.model, "change:disabled", function () { setTimeout(follow, 0); });
  }

  // "-" and "+" next to the track of a slider the frames follow: one step each,
  // within min..max, so that a touch screen can step through a long range.
  function addStepButtons(view) {
    var model = view.model, el = view.el;
    var track = el.querySelector(".slider-container");
    if (!track || track.querySelector(".cnnedu-step")) return;
    var label = el.querySelector(".widget-label");
    var name = (label && label.textContent.trim()) || plainText(model.get("description"))
               || "value";
    function button(sign, words) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "cnnedu-step";
      b.textContent = sign > 0 ? "+" : "\u2212";
      b.setAttribute("aria-label", words + " " + name);
      b.title = words + " " + name;
      b.addEventListener("click", function () { step(sign); });
      return b;
    }
    // an integer or float slider steps its value; a selection slider its index
    var key = "index" in model.attributes ? "index" : "value";
    function range() {
      if (key === "index") return [0, (model.get("_options_labels") || []).length - 1, 1];
      return [Number(model.get("min")), Number(model.get("max")), Number(model.get("step")) || 1];
    }
    function step(sign) {
      var r = range(), now = Number(model.get(key));
      var next = Math.min(r[1], Math.max(r[0], now + sign * r[2]));
      if (next === now) return;
      model.set(key, next);
      model.save_changes();
    }
    var less = button(-1, "previous"), more = button(1, "next");
    var bar = track.querySelector(".slider");
    track.insertBefore(less, bar);
    track.insertBefore(more, bar.nextSibling);
    track.classList.add("cnnedu-stepped");
    function ends() {
      var r = range(), now = Number(model.get(key));
      less.disabled = now <= r[0];
      more.disabled = now >= r[1];
    }
    ends();
    view.listenTo(model, "change:" + key + " change:min change:max change:_options_labels", ends);
  }

  function plainText(html) {
    var div = document.createElement("div");
    div.innerHTML = html || "";
    return div.textContent.trim();
  }

  // A picture at (nearly) its natural size: never enlarged; on a wide screen
  // shrunk to the column, down to LEGIBLE of its size at most, on a narrow one
  // not at all (the style sheet says which). A wider picture pans sideways
  // inside a box of its own (touch, trackpad, or the arrow keys once the box
  // has the focus), with a short hint above it while it does.
  var LEGIBLE = 0.9;
  var TOUCH = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  var resized = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { showOverflow(entry.target); });
  }) : null;

  function panPicture(img) {
    var parent = img.parentNode;
    if (!parent || parent.classList.contains("cnnedu-pan")) return;
    var box = document.createElement("div");
    box.className = "cnnedu-picture";
    var hint = document.createElement("div");
    hint.className = "cnnedu-pan-hint";
    hint.textContent = (TOUCH ? "swipe" : "scroll") + " sideways to see the whole picture";
    var pan = document.createElement("div");
    pan.className = "cnnedu-pan";
    parent.replaceChild(box, img);
    box.appendChild(hint);
    box.appendChild(pan);
    pan.appendChild(img);
    keepInPlace(parent, img, box);
    function natural() {
      if (img.naturalWidth) {
        img.style.setProperty("--cnnedu-natural-width", img.naturalWidth + "px");
        img.style.setProperty("--cnnedu-legible-width",
                              Math.ceil(LEGIBLE * img.naturalWidth) + "px");
      }
      showOverflow(pan);
    }
    img.addEventListener("load", natural);
    if (img.complete) natural();
    if (resized) resized.observe(pan);
  }

  // A picture whose overflow is this small loses only part of its white margin:
  // it still pans, but without the hint.
  var SMALL_OVERFLOW = 24;

  function showOverflow(pan) {
    var box = pan.parentNode;
    var wide = pan.scrollWidth > pan.clientWidth + 1;
    box.classList.toggle("cnnedu-overflows", pan.scrollWidth > pan.clientWidth + SMALL_OVERFLOW);
    if (wide) {
      pan.setAttribute("tabindex", "0");
      pan.setAttribute("role", "region");
      pan.setAttribute("aria-label", "picture, wider than the page: scroll sideways");
    } else {
      pan.removeAttribute("tabindex");
      pan.removeAttribute("role");
      pan.removeAttribute("aria-label");
    }
  }

  // The widget library adds and removes a picture's node as a child of its box;
  // the picture now sits in a box of its own, which stands in for it there.
  function keepInPlace(parent, img, box) {
    var removeChild = parent.removeChild, insertBefore = parent.insertBefore;
    parent.removeChild = function (child) {
      if (child === img && box.parentNode === parent) {
        removeChild.call(parent, box);
        return child;
      }
      return removeChild.call(parent, child);
    };
    parent.insertBefore = function (node, ref) {
      return insertBefore.call(parent, node, ref === img && box.parentNode === parent ? box : ref);
    };
  }

  // ------------------------------------------------------ Making an explorer live
  // An explorer whose recipe the build saved (_cnnedu_live: its URL) gets a
  // "Make it live" button above it. Pressed, it loads live-explorers.js, which
  // starts Python in the page (downloading it once, not before) and replaces
  // the static view by a live one in which every control responds.
  var liveScript = null;
  function loadLiveScript() {
    if (!liveScript) {
      liveScript = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = new URL("live-explorers.js", here).href;
        script.onload = function () { resolve(window.cnneduLive); };
        script.onerror = function () {
          liveScript = null;
          reject(new Error("could not load " + script.src));
        };
        document.head.appendChild(script);
      });
    }
    return liveScript;
  }

  function addLiveBar(area, root, manager, recipe) {
    var bar = document.createElement("div");
    bar.className = "cnnedu-live-bar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cnnedu-go-live";
    button.textContent = "\u25B6 Make it live";
    var status = document.createElement("span");
    status.className = "cnnedu-live-status";
    status.setAttribute("role", "status");
    var megabytes = root.get("_cnnedu_live_mb");
    status.textContent = "Runs Python in this page, so that every control responds" +
      (megabytes ? " (downloads about " + megabytes + " MB, once per visit)." : ".");
    if (location.protocol === "file:") {
      button.disabled = true;
      status.textContent = "Python cannot start in a page opened from the disk: serve the " +
        "book over HTTP to make this explorer live. The pictures below follow the " +
        "precomputed controls.";
    }
    bar.appendChild(button);
    bar.appendChild(status);
    area.parentElement.insertBefore(bar, area);
    button.addEventListener("click", function () {
      button.disabled = true;
      bar.classList.add("cnnedu-live-starting");
      status.textContent = "Starting Python in this page\u2026";
      var t0 = performance.now();
      loadLiveScript().then(function (live) {
        return live.makeLive({
          area: area, root: root, staticManager: manager, recipe: recipe,
          status: function (text) { status.textContent = text.charAt(0).toUpperCase() +
                                    text.slice(1) + "\u2026"; }
        });
      }).then(function (result) {
        bar.classList.remove("cnnedu-live-starting");
        bar.classList.add("cnnedu-is-live");
        button.textContent = "\u25CF Live";
        status.textContent = "Python runs in this page: every control responds.";
        bar.setAttribute("data-live-seconds", ((performance.now() - t0) / 1000).toFixed(2));
        return result;
      }).catch(function (err) {
        bar.classList.remove("cnnedu-live-starting");
        bar.classList.add("cnnedu-live-failed");
        button.disabled = false;
        // a Python traceback's last line says what went wrong; the console has it whole
        var lines = String(err && err.message || err).trim().split("\n");
        status.textContent = "Could not make it live: " + lines[lines.length - 1].replace(/\.$/, "") +
          ". The pictures below still follow the precomputed controls.";
        console.warn("an explorer could not be made live", err);
      });
    });
  }

  window.cnneduWidgets = { adaptViews: adaptViews };

  function start() {
    if (!document.querySelector(VIEW) || !document.querySelector(STATE)) return;
    preloadStates();
    shimMathJax2();
    var mj = window.MathJax;
    var mathDone = (mj && mj.startup && mj.startup.promise) || Promise.resolve();
    Promise.resolve(mathDone).catch(function () {}).then(function () {
      loadStates().catch(function () {});    // reported when the widgets are drawn
      window.require(["@jupyter-widgets/html-manager"], function (htmlmanager) {
        renderAll(htmlmanager).catch(function (err) {
          console.error("the widgets of this page could not be drawn", err);
        });
      }, function (err) {
        console.error("the widget manager did not load", err);
      });
    });
  }

  // DOMContentLoaded comes after every deferred script (MathJax) has run,
  // whatever their order on the page
  var started = false;
  function startOnce() {
    if (!started) { started = true; start(); }
  }
  if (document.readyState === "complete") {
    startOnce();
  } else {
    document.addEventListener("DOMContentLoaded", startOnce);
    window.addEventListener("load", startOnce);
  }
})();
