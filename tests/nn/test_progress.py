"""Tests of the progress bar that fit prints, and of its metrics text."""
import io

from cnnedu.nn.progress import ProgressBar, format_metrics


def test_progress_bar_redraws_at_most_about_20_times():
    buf = io.StringIO()
    bar = ProgressBar(100, epoch=2, epochs=5, verbose=1, file=buf)
    for done in range(1, 101):
        bar.update(done, {"loss": 1.0 / done})
    bar.finish({"loss": 0.01, "val_loss": 0.02})
    frames = buf.getvalue().split("\r")[1:]
    assert [int(f.split()[2].split("/")[0]) for f in frames] == list(range(5, 101, 5)) + [100]
    assert frames[0].startswith("Epoch 2/5    5/100 [=>")
    assert "loss 0.0100 - val_loss 0.0200" in frames[-1] and frames[-1].endswith("\n")
    # a shorter line is padded so that no characters of the previous one remain
    assert len(frames[-1].rstrip("\n")) >= len(frames[-2])


def test_format_metrics():
    assert format_metrics({"loss": 0.5, "accuracy": 0.875}) == "loss 0.5000 - accuracy 0.8750"
