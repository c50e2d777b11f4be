"""The front-end files the book serves itself (assets/vendor, scripts/vendor_assets.sh)."""
import hashlib
import re
from pathlib import Path

import ipywidgets
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "assets" / "vendor"
CONFIG = (ROOT / "_config.yml").read_text()


def listed_sums():
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return dict(reversed(line.split(maxsplit=1)) for line in lines if line.strip())


def test_vendored_files_match_their_recorded_sha256():
    sums = listed_sums()
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*")
               if p.is_file() and p.name != "SHA256SUMS"}
    assert present == set(sums), (
        f"not listed: {present - set(sums)}; missing: {set(sums) - present}")
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("package", ["html-manager", "requirejs", "mathjax"])
def test_each_package_is_pinned_and_carries_its_licence(package):
    folders = list(VENDOR.glob(f"{package}-*"))
    assert len(folders) == 1, f"one pinned version of {package}, found {folders}"
    assert (folders[0] / "LICENSE").is_file()
    version = folders[0].name.removeprefix(f"{package}-")
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert re.search(rf"^{package.upper().replace('-', '_')}={re.escape(version)}$",
                     (ROOT / "scripts" / "vendor_assets.sh").read_text(), flags=re.M)


def test_widget_manager_matches_ipywidgets():
    """ipywidgets 8 states need @jupyter-widgets/html-manager 1.x (ipywidgets asks for ^1.0.1)."""
    (folder,) = VENDOR.glob("html-manager-*")
    major, minor, patch = map(int, folder.name.removeprefix("html-manager-").split("."))
    wanted = ipywidgets._version.__html_manager_version__
    assert wanted.startswith("^1."), wanted
    assert major == 1 and (minor, patch) >= tuple(map(int, wanted[1:].split(".")[1:]))


def test_pages_load_the_vendored_files_and_nothing_remote():
    scripts = re.findall(r"^\s+(\S+\.js): \{", CONFIG, flags=re.M)
    mathjax = re.search(r"^\s+mathjax_path: (\S+)$", CONFIG, flags=re.M).group(1)
    assert mathjax.startswith("vendor/mathjax-") and mathjax.endswith("/tex-chtml.js")
    for path in scripts + [mathjax]:
        assert (ROOT / "assets" / path).is_file(), path
    embed = (ROOT / "assets" / "js" / "widgets-embed.js").read_text()
    (folder,) = VENDOR.glob("html-manager-*")
    assert f"../vendor/{folder.name}/dist/" in embed
    assert (folder / "dist" / "libembed-amd.js").is_file()
    assert "://" not in "".join(scripts + [mathjax])
