"""Golden sample quality: the default generative runs keep their quality above a floor.

Each case trains `dljax train MODEL` exactly (default preset, seed 0, quality numbers on) and
checks the numbers of `benchmarks/generative_quality.py` with a margin below what seed 0
measured: FD in units of its floor (train vs test images) in the reference classifier's
space, recall, FD in units of the Gaussian baseline in the second feature space (the
scikit-learn MLP's hidden layer) and, for the conditional models, label accuracy and the
lowest per-class recall. Measured values are in the comments.

The `gan` case runs in every `make test` (about a minute); the others train for two to four
minutes each and are marked `slow`: `make test-slow` runs them.
"""

import pytest

from dljax.recipes import build_config
from dljax.runs import train

# default trainings of a minute or more: XLA's full optimizations pay (conftest.py)
pytestmark = pytest.mark.optimized

# model -> {number: (bound, "max" | "min")}
CASES = {
    # seed 0: fd/floor 2,48, recall 0,92, second space 0,24 x baseline
    "gan": {
        "fd_per_floor": (4.0, "max"),
        "recall": (0.8, "min"),
        "fd_mlp_per_baseline": (0.4, "max"),
    },
    # seed 0: fd/floor 2,71, recall 0,80, second space 0,43 x baseline
    "vae": {
        "fd_per_floor": (4.0, "max"),
        "recall": (0.7, "min"),
        "fd_mlp_per_baseline": (0.5, "max"),
    },
    # seed 0: fd/floor 3,05, recall 0,76, label accuracy 0,958, lowest per-class recall 0,54
    "cgan": {
        "fd_per_floor": (4.5, "max"),
        "recall": (0.68, "min"),
        "label_accuracy": (0.93, "min"),
        "recall_class_min": (0.45, "min"),
    },
    # seed 0 (120 epochs, DDIM-50): fd/floor 4,20, recall 0,94, second space 0,24 x baseline
    "ddpm": {
        "fd_per_floor": (5.5, "max"),
        "recall": (0.85, "min"),
        "fd_mlp_per_baseline": (0.35, "max"),
    },
}
SLOW = {"vae", "cgan", "ddpm"}


def numbers(summary: dict) -> dict:
    out = {
        "fd_per_floor": summary["fd"] / summary["fd_floor"],
        "recall": summary["recall"],
        "fd_mlp_per_baseline": summary["fd_mlp"] / summary["fd_mlp_baseline"],
    }
    for key in ("label_accuracy", "recall_class_min"):
        if key in summary:
            out[key] = summary[key]
    return out


@pytest.mark.parametrize(
    "model",
    [pytest.param(m, marks=pytest.mark.slow) if m in SLOW else m for m in CASES],
)
def test_default_generative_run_keeps_its_quality(model):
    config = build_config(model, "default")
    assert config.train.seed == 0 and config.train.quality
    measured = numbers(train(config, progress=False).summary)
    failed = {
        key: (round(measured[key], 3), kind, bound)
        for key, (bound, kind) in CASES[model].items()
        if (measured[key] > bound if kind == "max" else measured[key] < bound)
    }
    assert not failed, f"`dljax train {model}`: {failed} (measured {measured})"
