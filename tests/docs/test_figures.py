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


def test_a_metric_only_evaluated_gets_its_test_curve(tmp_path):
    """An autoencoder keeps only its loss in training; its test MSE still gets a curve."""
    history = [
        {"epoch": e, "train_loss": 1 / e, "test_loss": 1.1 / e, "test_mse": 0.1 / e}
        for e in (1, 2, 3)
    ]
    paths = viz.plot_learning_curves(history, tmp_path)
    assert [p.name for p in paths] == ["loss.png", "mse.png"]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_results_charts_fit_the_page_without_overlapping_text(tmp_path, monkeypatch):
    """The results page's bar charts: at most ~800 px wide, every label, value and legend
    entry readable (no two texts overlap, none outside the figure)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
    import dljax_docs

    figures = []
    monkeypatch.setattr(
        "matplotlib.figure.Figure.savefig", lambda fig, path, **kw: figures.append(fig)
    )
    monkeypatch.setattr("matplotlib.pyplot.close", lambda fig=None: None)
    labels = [
        "3.2 Konvolusi pada suara: mendeteksi nada dengan *matched filter*",
        "mlp",
        "dcgan_16x16_w32 dengan nama yang sangat panjang sekali",
        "gan",
    ]
    dljax_docs.plot_bars(
        tmp_path / "a.png",
        labels,
        {"dljax": [233.6, 1.44, 0.59, None], "torch": [144.5, 4.66, 2.01, 82.05]},
        xlabel="langkah per detik",
        loaded=[False, True, False, False],
    )
    dljax_docs.plot_bars(
        tmp_path / "b.png",
        labels,
        {"akurasi uji": [0.978, 0.989, 0.1, 1.0]},
        xlabel="akurasi uji (%)",
        percent=True,
        budget=(0.5, "anggaran"),
    )
    assert len(figures) == 2
    for fig in figures:
        assert fig.get_size_inches()[0] * fig.dpi <= 800
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        hidden = set()  # tick labels outside the axis limits are not drawn
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                lo, hi = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                        hidden |= {id(tick.label1), id(tick.label2)}
        texts = [
            t
            for t in fig.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text() and id(t) not in hidden
        ]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        frame = fig.bbox
        for text, box in boxes:
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, f"{text!r} leaves the figure"
            assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, f"{text!r} leaves the figure"
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1 :]:
                assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
        assert "*" not in " ".join(t for t, _ in boxes)  # markdown stripped from labels
    plt.close("all")
