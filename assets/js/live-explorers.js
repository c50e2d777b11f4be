// Live explorers in a page of the book: Python runs in the reader's browser.
//
// Loaded by widgets-embed.js only when the reader presses an explorer's
// "Make it live" button; nothing of this (nor Python) is downloaded before.
// One Web Worker per page (live-worker.js) runs Pyodide; each explorer made
// live is built there again from its recipe, with the same cnnedu code as in
// a notebook, and its view replaces the static one. Between the two, the
// messages of the Jupyter widget protocol travel as they would between a
// kernel and JupyterLab, with a comm object per widget (LiveComm) instead of
// a kernel connection. A control moved in the page is sent to Python, which
// redraws the picture and sends it back.
(function () {
  "use strict";
  var here = document.currentScript.src;
  var RUNTIME = new URL("../live/runtime.json", here).href;

  var worker = null;
  var ready = null;            // promise: Python is running
  var manager = null;          // the widget manager of the live views
  var comms = {};              // comm id -> LiveComm
  var opening = [];            // promises of the models being created
  var pending = {};            // message id -> {callbacks} or {resolve, reject}
  var nextId = 1;
  var statusListeners = [];

  function supported() {
    if (location.protocol === "file:") {
      return "a page opened from the disk cannot start Python: open the book from a web " +
             "server (for example `python -m http.server` in _build/html)";
    }
    if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
      return "this browser cannot run Python in a page (it needs WebAssembly and Web Workers)";
    }
    return null;
  }

  // ------------------------------------------------------------ comms
  function LiveComm(id, target) {
    this.comm_id = id;
    this.target_name = target;
    this._onMsg = null;
    this._onClose = null;
    this._early = [];          // messages that came before the model listened
  }
  LiveComm.prototype.on_msg = function (callback) {
    this._onMsg = callback;
    var early = this._early;
    this._early = [];
    early.forEach(function (msg) { callback(msg); });
  };
  LiveComm.prototype.on_close = function (callback) { this._onClose = callback; };
  LiveComm.prototype.open = function () { return ""; };
  LiveComm.prototype.close = function () { delete comms[this.comm_id]; return ""; };
  LiveComm.prototype.send = function (data, callbacks, metadata, buffers) {
    var id = nextId++;
    pending[id] = { callbacks: callbacks };
    worker.postMessage({ type: "comm_msg", id: id, comm_id: this.comm_id, data: data,
                         buffers: buffers || [] });
    return "live-" + id;
  };
  LiveComm.prototype.handle = function (msg) {
    if (this._onMsg) this._onMsg(msg);
    else this._early.push(msg);
  };

  function kernelMessage(m, type) {
    return { header: { msg_type: type, msg_id: "" }, parent_header: {}, metadata: m.metadata || {},
             content: { comm_id: m.comm_id, target_name: m.target_name, data: m.data },
             buffers: m.buffers || [] };
  }

  function onMessage(event) {
    var m = event.data, entry;
    if (m.type === "status") {
      statusListeners.forEach(function (listener) { listener(m.text); });
    } else if (m.type === "comm_open") {
      var comm = new LiveComm(m.comm_id, m.target_name);
      comms[m.comm_id] = comm;
      opening.push(manager.handle_comm_open(comm, kernelMessage(m, "comm_open")));
    } else if (m.type === "comm_msg") {
      if (comms[m.comm_id]) comms[m.comm_id].handle(kernelMessage(m, "comm_msg"));
    } else if (m.type === "comm_close") {
      entry = comms[m.comm_id];
      delete comms[m.comm_id];
      if (entry && entry._onClose) entry._onClose(kernelMessage(m, "comm_close"));
    } else if (m.type === "done" || m.type === "built" || m.type === "error" ||
               m.type === "ready") {
      entry = pending[m.id === undefined ? "start" : m.id];
      delete pending[m.id === undefined ? "start" : m.id];
      if (m.type === "error") {
        if (entry && entry.reject) entry.reject(new Error(m.text));
        else console.error("Python in the page: " + m.text);
        if (entry && entry.callbacks) idle(entry.callbacks);
      } else if (m.type === "done") {
        if (entry && entry.callbacks) idle(entry.callbacks);
      } else if (entry && entry.resolve) {
        entry.resolve(m);
      }
    }
  }

  function idle(callbacks) {
    // what a kernel says when it has handled a message: the model may send the next one
    var status = callbacks && callbacks.iopub && callbacks.iopub.status;
    if (status) {
      status({ header: { msg_type: "status" }, parent_header: {}, metadata: {},
               content: { execution_state: "idle" } });
    }
  }

  function request(message) {
    return new Promise(function (resolve, reject) {
      var id = message.type === "start" ? "start" : nextId++;
      if (message.type !== "start") message.id = id;
      pending[id] = { resolve: resolve, reject: reject };
      worker.postMessage(message);
    });
  }

  function widgetManager() {
    return new Promise(function (resolve, reject) {
      window.require(["@jupyter-widgets/html-manager"], function (htmlmanager) {
        var m = new htmlmanager.HTMLManager({
          loader: function (name, version) {
            return Promise.reject(new Error("the widget module " + name + "@" + version +
                                            " is not served by this book"));
          }
        });
        if (window.cnneduWidgets) window.cnneduWidgets.adaptViews(m);
        resolve(m);
      }, reject);
    });
  }

  var startup = null;           // how long each phase of starting Python took (ms)

  function startPython() {
    if (ready) return ready;
    ready = widgetManager().then(function (m) {
      manager = m;
      worker = new Worker(new URL("live-worker.js", here).href);
      worker.onmessage = onMessage;
      worker.onerror = function (event) {
        var entry = pending.start;
        delete pending.start;
        if (entry) entry.reject(new Error(event.message || "the Python worker failed to start"));
      };
      return request({ type: "start", runtime: RUNTIME });
    }).then(function (m) {
      startup = m.phases;
      return m;
    });
    ready.catch(function () { ready = null; });
    return ready;
  }

  // ------------------------------------------------------------ explorers
  // The state the reader left the static controls in: selections by index,
  // other controls by value (what the browser would send to a kernel).
  function staticValues(staticManager, controls) {
    var names = Object.keys(controls || {});
    return Promise.all(names.map(function (name) {
      return staticManager.get_model(controls[name]).then(function (model) {
        if (model.get("_options_labels") !== undefined) return { index: model.get("index") };
        return { value: model.get("value") };
      }, function () { return null; });
    })).then(function (states) {
      var values = {};
      names.forEach(function (name, i) { if (states[i]) values[name] = states[i]; });
      return values;
    });
  }

  // Make one explorer live. options: area (the element holding the static
  // view), root (its model), staticManager, recipe (URL), status(text).
  function makeLive(options) {
    var why = supported();
    if (why) return Promise.reject(new Error(why));
    var listener = options.status || function () {};
    statusListeners.push(listener);
    var t0 = performance.now();
    return startPython().then(function () {
      listener("building the explorer in Python");
      return staticValues(options.staticManager, options.root.get("_live_controls"));
    }).then(function (values) {
      opening = [];
      return request({ type: "build", recipe: new URL(options.recipe, document.baseURI).href,
                       values: values });
    }).then(function (built) {
      return Promise.all(opening).then(function () { return manager.get_model(built.root); });
    }).then(function (model) {
      return manager.create_view(model);
    }).then(function (view) {
      var area = document.createElement("div");
      area.className = "widget-subarea cnnedu-live-view";
      options.area.parentElement.insertBefore(area, options.area);
      return manager.display_view(view, area).then(function () {
        options.area.parentElement.removeChild(options.area);
        return { area: area, view: view, seconds: (performance.now() - t0) / 1000 };
      });
    }).finally(function () {
      statusListeners = statusListeners.filter(function (l) { return l !== listener; });
    });
  }

  window.cnneduLive = {
    makeLive: makeLive,
    supported: supported,
    startup: function () { return startup; }
  };
})();
