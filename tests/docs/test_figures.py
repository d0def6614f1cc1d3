"""Figures a learner sees: learning curves tick whole epochs only."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from dljax import viz  # noqa: E402


def test_learning_curves_tick_whole_epochs(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(
        "matplotlib.figure.Figure.savefig", lambda fig, path, **kw: saved.append(fig)
    )
    history = [
        {"epoch": 1, "train_loss": 0.9, "test_loss": 1.0, "train_accuracy": 0.6},
        {"epoch": 2, "train_loss": 0.5, "test_loss": 0.7, "train_accuracy": 0.8},
    ]
    paths = viz.plot_learning_curves(history, tmp_path)
    assert [p.name for p in paths] == ["accuracy.png", "loss.png"]
    for fig in saved:
        ax = fig.axes[0]
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator)
    plt.close("all")
