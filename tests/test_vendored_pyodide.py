"""The Python runtime the book serves (assets/pyodide, scripts/vendor_pyodide.py).

``--check`` passes on the committed folder, and fails, naming the file, on a
copy with one altered byte, a missing file, an extra file or an edited lock.
Offline: nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "assets" / "pyodide"
SCRIPT = ROOT / "scripts" / "vendor_pyodide.py"

# what the live explorers and the live notebook's kernel load from the lock
NEEDED = ["numpy", "matplotlib", "ipython", "threadpoolctl", "micropip", "ssl", "sqlite3", "jedi"]


def load_script():
    spec = importlib.util.spec_from_file_location("vendor_pyodide", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vendor = load_script()


def run_check(folder: Path, capsys) -> tuple[int, str, str]:
    status = vendor.main(["--check", "--dir", str(folder)])
    out, err = capsys.readouterr()
    return status, out, err


def flip_byte(path: Path) -> str:
    """Alter one byte in the middle of ``path``; return the file's new sha256."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "pyodide"
    shutil.copytree(FOLDER, target)
    return target


def lock_entries(folder: Path) -> dict:
    return json.loads((folder / "pyodide-lock.json").read_text())["packages"]


def test_the_committed_folder_passes_the_check():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    files = sum(1 for p in FOLDER.rglob("*") if p.is_file())
    assert f": {files} files, " in result.stdout and "verified" in result.stdout
    assert result.stdout.count("\n") == 1


def test_the_lock_holds_what_the_book_loads_and_is_closed_under_depends():
    packages = lock_entries(FOLDER)
    official = json.loads((FOLDER / "pyodide-lock.official.json").read_text())["packages"]

    def key(name):
        return name.lower().replace("_", "-").replace(".", "-")

    assert set(NEEDED) <= set(packages)
    reached, todo = set(), list(NEEDED)
    while todo:
        name = key(todo.pop())
        if name not in reached:
            reached.add(name)
            todo += packages[name]["depends"]
    assert reached == set(packages), "only the packages the book loads, and all they need"
    for name, entry in packages.items():
        assert entry == official[name], name
        assert (FOLDER / entry["file_name"]).is_file(), entry["file_name"]
    assert len(official) > 10 * len(packages)


def test_every_file_has_a_version_and_a_licence():
    lines = (FOLDER / "VERSIONS").read_text().splitlines()[2:]
    listed = {line.split()[0] for line in lines}
    present = {p.relative_to(FOLDER).as_posix() for p in FOLDER.rglob("*") if p.is_file()}
    metadata = {"README.md", "SOURCES", "VERSIONS", "pyodide-lock.json",
                "pyodide-lock.official.json"}
    assert listed == present - metadata
    for line in lines:
        name, version, size, licence = line.split(maxsplit=3)
        assert int(size) == (FOLDER / name).stat().st_size, name
        assert version in name or name in vendor.CORE_FILES, name
        assert licence.strip(), name
    readme = (FOLDER / "README.md").read_text()
    assert "MPL-2.0" in readme and "https://www.mozilla.org/en-US/MPL/2.0/" in readme


@pytest.mark.parametrize("name", ["numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl",
                                  "pyodide.asm.wasm",
                                  "pypi/ipywidgets-8.1.9-py3-none-any.whl"])
def test_one_altered_byte_fails_and_names_the_file(copy, capsys, name):
    expected = hashlib.sha256((copy / name).read_bytes()).hexdigest()
    actual = flip_byte(copy / name)
    status, out, err = run_check(copy, capsys)
    assert status == 1 and out == ""
    assert f"sha256 mismatch: {name}: expected {expected}" in err
    assert f"actual {actual}" in err


def test_an_altered_core_file_fails_even_with_its_sha256_edited_in_sources(copy, capsys):
    expected = hashlib.sha256((copy / "pyodide.asm.wasm").read_bytes()).hexdigest()
    actual = flip_byte(copy / "pyodide.asm.wasm")
    sources = copy / "SOURCES"
    sources.write_text(sources.read_text().replace(expected, actual))
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert f"sha256 mismatch: pyodide.asm.wasm: expected {expected}" in err
    assert "SOURCES differs from the pins" in err


def test_a_wheel_altered_together_with_its_lock_entry_fails(copy, capsys):
    name = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    actual = flip_byte(copy / name)
    lock = json.loads((copy / "pyodide-lock.json").read_text())
    lock["packages"]["numpy"]["sha256"] = actual
    (copy / "pyodide-lock.json").write_text(json.dumps(lock))
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert "pyodide-lock.json: entry 'numpy' differs from the official lock's" in err
    assert f"sha256 mismatch: {name}: expected" in err


@pytest.mark.parametrize("name", ["notes.txt", "pypi/extra-1.0-py3-none-any.whl"])
def test_an_extra_file_fails_and_is_named(copy, capsys, name):
    (copy / name).write_bytes(b"not listed anywhere")
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert f"unexpected file (not checked): {name}" in err


def test_a_missing_file_fails_and_is_named(copy, capsys):
    (copy / "python_stdlib.zip").unlink()
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert "missing file: python_stdlib.zip" in err


def test_an_edited_licence_list_fails(copy, capsys):
    versions = copy / "VERSIONS"
    versions.write_text(versions.read_text().replace("HPND", "MIT"))
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert "VERSIONS differs from what scripts/vendor_pyodide.py writes" in err


def test_an_altered_official_lock_fails(copy, capsys):
    official = copy / "pyodide-lock.official.json"
    official.write_text(official.read_text().replace('"0.27.7"', '"0.27.8"', 1))
    status, _, err = run_check(copy, capsys)
    assert status == 1
    assert "sha256 mismatch: pyodide-lock.official.json" in err
