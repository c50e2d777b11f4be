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
//   are typeset by the book's MathJax 3.
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
