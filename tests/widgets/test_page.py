"""The comm layer of explorers made live in a page (cnnedu.widgets._page).

The page's widget manager is played here by a list of the messages Python
sends and by ``_page.receive`` for the messages the page would send: the
widget protocol's messages, as a kernel and JupyterLab exchange them.
"""
import comm
import pytest
from ipywidgets.widgets import widget as ipywidget

from cnnedu.widgets import _page, _recipe
from cnnedu.widgets.conv import kernel_slider


@pytest.fixture
def page(monkeypatch):
    """Messages to the page, collected; the comm layer restored afterwards."""
    monkeypatch.setattr(comm, "create_comm", comm.create_comm)
    monkeypatch.setattr(ipywidget, "JUPYTER_WIDGETS_ECHO", ipywidget.JUPYTER_WIDGETS_ECHO)
    monkeypatch.setenv("JUPYTER_WIDGETS_ECHO", "1")
    sent = []
    _page.install(sent.append)
    return sent


def by_id(messages):
    return {m["comm_id"]: m for m in messages if m["type"] == "comm_open"}


def test_build_opens_every_widget_of_the_explorer_before_its_root(page):
    recipe = _recipe.encode(kernel_slider())
    root = _page.build(recipe, {"position": {"value": 11}})
    opened = by_id(page)
    assert root in opened
    assert opened[root]["data"]["state"]["_model_name"] == "VBoxModel"
    assert all(m["target_name"] == "jupyter.widget" for m in opened.values())
    assert all(m["metadata"]["version"].startswith("2.") for m in opened.values())
    order = [m["comm_id"] for m in page if m["type"] == "comm_open"]
    children = [c.removeprefix("IPY_MODEL_") for c in opened[root]["data"]["state"]["children"]]
    assert all(order.index(child) < order.index(root) for child in children)


def test_the_reader_left_values_are_applied_like_a_browser_message(page):
    native = kernel_slider()
    native.set_values(kernel="laplacian_8", position=11)
    options = list(native.controls["kernel"].options)
    root = _page.build(_recipe.encode(kernel_slider()),
                       {"position": {"value": 11},
                        "kernel": {"index": options.index("laplacian_8")}})
    images = [m for m in page if m["type"] in ("comm_open", "comm_msg")
              and m["data"].get("state", {}).get("_model_name", "") in ("ImageModel", "")
              and m["buffers"]]
    assert root and images
    assert images[-1]["buffers"][0] == native.render_png()


def test_a_control_moved_in_the_page_sends_the_new_picture_back(page):
    root = _page.build(_recipe.encode(kernel_slider()), {})
    opened = by_id(page)
    slider = next(i for i, m in opened.items()
                  if m["data"]["state"].get("description") == "position")
    image = next(i for i, m in opened.items()
                 if m["data"]["state"].get("_model_name") == "ImageModel")
    page.clear()
    _page.receive(slider, {"method": "update", "state": {"value": 23}, "buffer_paths": []})
    pictures = [m for m in page if m["comm_id"] == image and m["type"] == "comm_msg"]
    assert len(pictures) == 1
    native = kernel_slider()
    native.controls["position"].value = 23
    assert pictures[0]["buffers"][0] == native.render_png()
    # no echo of the page's own change back to the page
    assert not [m for m in page if m["comm_id"] == slider
                and m["data"].get("method") == "echo_update"]
    assert root


def test_a_message_for_an_unknown_widget_names_it(page):
    with pytest.raises(KeyError, match="no widget with comm id 'nope'"):
        _page.receive("nope", {"method": "update", "state": {}})


def test_sending_without_install_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(_page, "_send", None)
    with pytest.raises(RuntimeError, match="install"):
        _page.PageComm(target_name="jupyter.widget", data={})


STAND_IN_RUN = r"""
import sys
from importlib.machinery import PathFinder


class NoIPython(PathFinder):
    # a Python where IPython is not installed, as in the page
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name == "IPython" or name.startswith("IPython."):
            return None
        return super().find_spec(name, path, target)


sys.meta_path = [f for f in sys.meta_path if f is not PathFinder] + [NoIPython]
sys.path_importer_cache.clear()
from cnnedu import _no_ipython

assert _no_ipython.register_if_missing()
from cnnedu.widgets import _page

sent = []
_page.install(sent.append)
import IPython
import ipywidgets
from cnnedu.widgets import _recipe
from cnnedu.widgets.conv import kernel_slider

assert IPython.__cnnedu_stand_in__ and IPython.get_ipython() is None
root = _page.build(_recipe.encode(kernel_slider()), {"position": {"value": 11}})
opened = {m["comm_id"]: m for m in sent if m["type"] == "comm_open"}
slider = next(i for i, m in opened.items() if m["data"]["state"].get("description") == "position")
image = next(i for i, m in opened.items() if m["data"]["state"].get("_model_name") == "ImageModel")
sent.clear()
_page.receive(slider, {"method": "update", "state": {"value": 23}, "buffer_paths": []})
picture = [m for m in sent if m["comm_id"] == image and m["type"] == "comm_msg"][0]
sys.stdout.buffer.write(picture["buffers"][0])
real = sorted(m for m in sys.modules if m.startswith(("IPython.", "prompt_toolkit", "jedi")))
sys.stderr.write("modules: " + " ".join(real) + "\n")
"""


def test_without_ipython_the_page_runs_on_the_stand_in(tmp_path):
    """In a Python without IPython (as in the page), the stand-in is registered, and an
    explorer builds and answers a moved control with the same picture as with IPython."""
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(STAND_IN_RUN)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    modules = run.stderr.decode().split("modules:")[-1].split()
    assert modules == ["IPython.core", "IPython.core.getipython",
                       "IPython.core.interactiveshell", "IPython.display"]
    native = kernel_slider()
    native.controls["position"].value = 23
    assert run.stdout == native.render_png()


def test_with_ipython_installed_the_stand_in_is_not_registered(page):
    import IPython

    from cnnedu import _no_ipython

    assert not _no_ipython.register_if_missing()
    assert not getattr(IPython, "__cnnedu_stand_in__", False)
    assert hasattr(IPython, "version_info")
