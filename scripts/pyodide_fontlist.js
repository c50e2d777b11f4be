// Matplotlib's font list for the Python that runs in the book's pages.
//
// The first time matplotlib draws text, it scans its fonts and keeps what it
// found in a cache file (fontlist-v330.json for matplotlib 3.8). In a page,
// Python starts with an empty file system each time, so the scan (about 2 s
// of WebAssembly) would delay every first picture. This script runs the
// book's own Pyodide (assets/pyodide, with Node.js) and its matplotlib, lets
// matplotlib make the list, and writes it to assets/live/; the page's worker
// (assets/js/live-worker.js) puts it where Pyodide's matplotlib looks
// (matplotlib/fontlist.json, next to the package) before importing it. Its
// paths are relative to matplotlib's data folder, so it does not depend on
// where Python keeps matplotlib.
//
//   node scripts/pyodide_fontlist.js           write assets/live/fontlist-v330.json
//   node scripts/pyodide_fontlist.js --check   exit 1 if the committed file differs
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const indexURL = path.join(root, "assets", "pyodide") + path.sep;
const target = path.join(root, "assets", "live", "fontlist-v330.json");

(async () => {
  const { loadPyodide } = require(path.join(indexURL, "pyodide.js"));
  // a fixed hash seed: matplotlib lists the fonts it finds from a set
  const pyodide = await loadPyodide({ indexURL, env: { PYTHONHASHSEED: "0" },
                                      stdout: () => {}, stderr: () => {} });
  await pyodide.loadPackage(["matplotlib"], { messageCallback: () => {} });
  const made = pyodide.runPython(`
import matplotlib
import matplotlib.font_manager as fm
assert fm.FontManager.__version__ == 330, fm.FontManager.__version__
# Pyodide's matplotlib keeps its font list next to the package, not in a cache folder
source = fm._load_fontmanager.__code__.co_consts
assert "fontlist.json" in source, "this matplotlib keeps its font list elsewhere"
fm.json_dump(fm.fontManager, "/tmp/fontlist.json")
with open("/tmp/fontlist.json") as f:
    text = f.read()
text + "\\n"
`);
  if (process.argv.includes("--check")) {
    const committed = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (committed !== made) {
      console.error(`${path.relative(root, target)} is not matplotlib's font list of the ` +
                    "book's Pyodide: run node scripts/pyodide_fontlist.js");
      process.exit(1);
    }
    console.log(`${path.relative(root, target)}: up to date`);
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, made);
    console.log(`wrote ${path.relative(root, target)} (${made.length} bytes)`);
  }
})().catch((err) => { console.error(String(err)); process.exit(1); });
