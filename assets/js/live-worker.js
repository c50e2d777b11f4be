// Python for the live explorers of a page of the book: a Web Worker running
// Pyodide (Python compiled to WebAssembly), served by the book itself.
//
// Started by live-explorers.js when the reader makes an explorer live. It
// loads the runtime and the packages named in live/runtime.json (written by
// the book's build: the Pyodide packages, then the wheels of ipywidgets, comm
// and cnnedu), then builds explorers from their recipes
// (cnnedu.widgets._recipe) and carries the widget messages between them and
// the page (cnnedu.widgets._page): the messages a Jupyter kernel would send,
// with no kernel and no server.
//
// Messages from the page: {type: "start", runtime: URL of runtime.json},
// {type: "build", id, recipe: URL, values}, {type: "comm_msg", id, comm_id,
// data, buffers}. To the page: {type: "status", text}, {type: "ready",
// seconds}, {type: "comm_open" | "comm_msg" | "comm_close", ...} (see
// cnnedu.widgets._page), {type: "built", id, root}, {type: "done", id} (a
// message has been handled: its updates were sent before), {type: "error",
// id, text}.
"use strict";

var pyodide = null;
var page = null;           // the Python module cnnedu.widgets._page
var queue = Promise.resolve();

function post(message) { self.postMessage(message); }

function sendToPage(proxy) {
  // a dict made in Python (cnnedu.widgets._page): bytes become Uint8Arrays (copies)
  var message = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  post(message);
}

async function start(runtimeUrl) {
  var t0 = performance.now();
  var response = await fetch(runtimeUrl);
  if (!response.ok) throw new Error("could not load " + runtimeUrl + " (" + response.status + ")");
  var runtime = await response.json();
  var base = new URL(runtimeUrl, self.location.href);
  var indexURL = new URL(runtime.indexURL, base).href;
  post({ type: "status", text: "starting Python" });
  importScripts(indexURL + "pyodide.js");
  // the wheels are fetched while Pyodide starts
  var wheels = runtime.wheels.map(function (w) {
    var url = new URL(w, base).href;
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("could not load " + url + " (" + r.status + ")");
      return r.arrayBuffer();
    });
  });
  var phases = {};
  function lap(name) { phases[name] = Math.round(performance.now() - t0); }
  // matplotlib's font list, made once by scripts/pyodide_fontlist.js: without it
  // matplotlib would scan its fonts (about 2 s) before the first picture
  var fontlist = fetch(new URL(runtime.fontlist, base).href).then(function (r) {
    if (!r.ok) throw new Error("could not load " + r.url + " (" + r.status + ")");
    return r.text();
  });
  // the packages are fetched and unpacked while Python finishes starting
  pyodide = await loadPyodide({ indexURL: indexURL, checkAPIVersion: true,
                                packages: runtime.packages });
  lap("packages");
  post({ type: "status", text: "installing cnnedu" });
  (await Promise.all(wheels)).forEach(function (buffer) {
    pyodide.unpackArchive(buffer, "wheel");
  });
  // Pyodide's matplotlib reads its font list from matplotlib/fontlist.json
  pyodide.globals.set("_fontlist", await fontlist);
  pyodide.runPython([
    "import importlib.util, pathlib",
    "pathlib.Path(importlib.util.find_spec('matplotlib').submodule_search_locations[0],",
    "             'fontlist.json').write_text(_fontlist)",
    "del _fontlist"
  ].join("\n"));
  lap("wheels");
  self.sendToPage = sendToPage;
  pyodide.runPython([
    "import matplotlib",
    "matplotlib.use('agg')",
    "import js",
    // no IPython here: a stand-in for the names ipywidgets imports from it
    "from cnnedu import _no_ipython",
    "_no_ipython.register_if_missing()",
    "from cnnedu.widgets import _page",
    "_page.install(js.sendToPage)",
    "import ipywidgets",
  ].join("\n"));
  page = pyodide.pyimport("cnnedu.widgets._page");
  lap("imports");
  post({ type: "ready", seconds: (performance.now() - t0) / 1000, phases: phases });
}

async function build(message) {
  var response = await fetch(new URL(message.recipe, self.location.href).href);
  if (!response.ok) throw new Error("could not load " + message.recipe + " (" + response.status + ")");
  var recipe = new Uint8Array(await response.arrayBuffer());
  var values = pyodide.toPy(message.values || {});
  try {
    var root = page.build(recipe, values);
    post({ type: "built", id: message.id, root: root });
  } finally {
    values.destroy();
  }
}

function receive(message) {
  var data = pyodide.toPy(message.data || {});
  var buffers = pyodide.toPy((message.buffers || []).map(function (b) {
    return b instanceof ArrayBuffer ? new Uint8Array(b)
      : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }));
  try {
    page.receive(message.comm_id, data, buffers);
  } finally {
    data.destroy();
    buffers.destroy();
  }
  post({ type: "done", id: message.id });
}

self.onmessage = function (event) {
  var message = event.data;
  // one message at a time, in order: Python runs one thing at a time anyway
  queue = queue.then(function () {
    if (message.type === "start") return start(message.runtime);
    if (message.type === "build") return build(message);
    if (message.type === "comm_msg") return receive(message);
    throw new Error("unknown message " + message.type);
  }).catch(function (err) {
    post({ type: "error", id: message.id, text: String(err && err.message || err) });
  });
};
