"""Golden metrics: every accuracy the README states about a default run is re-measured here
(seeded, CPU) and must stay above a floor, so a change that quietly makes a model worse fails.

The stated numbers live in CLAIMS only; `test_readme_states_exactly_these_numbers` checks that
the README's table says the same, in Indonesian format. The floor allows two more wrong test
examples than the stated result (seeds are fixed, but another CPU may round differently).
"""

import re
from pathlib import Path

import pytest

from dljax.formatting import format_percent
from dljax.recipes import build_config
from dljax.runs import train

# default trainings of a minute or more: XLA's full optimizations pay (conftest.py)
pytestmark = pytest.mark.optimized

ROOT = Path(__file__).resolve().parents[1]

# (command as the README writes it, model, --set overrides, stated test accuracy)
CLAIMS = [
    ("dljax train mlp", "mlp", {}, 0.978),
    ("dljax train cnn", "cnn", {}, 0.989),
    ("dljax train lenet5", "lenet5", {}, 0.983),
    ("dljax train lstm --set data.difficulty=easy", "lstm", {"data.difficulty": "easy"}, 1.0),
]


def test_readme_states_exactly_these_numbers():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(dljax train [^`]+)`[^|]*\| ([\d,]+ %) \|", readme, re.M))
    assert rows == {command: format_percent(acc, 1) for command, _, _, acc in CLAIMS}


@pytest.mark.parametrize(
    ("command", "model", "overrides", "stated"), CLAIMS, ids=[c[1] for c in CLAIMS]
)
def test_default_run_keeps_its_accuracy(command, model, overrides, stated):
    config = build_config(model, "default", overrides)
    assert config.train.seed == 0
    result = train(config, progress=False)
    n_test = len(result.trainer.dataset.test)
    floor = stated - 2 / n_test
    accuracy = result.summary["test_accuracy"]
    assert accuracy >= floor, (
        f"`{command}`: test accuracy {accuracy:.4f} fell below {floor:.4f} "
        f"(README states {format_percent(stated, 1)})"
    )
