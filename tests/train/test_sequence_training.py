import numpy as np

from dljax.cli import main
from dljax.train import Trainer


def test_lstm_classifies_temporal_order_tiny(tiny):
    config = tiny("lstm", data__difficulty="easy", train__epochs=3)
    trainer = Trainer(config)
    result = trainer.fit(progress=False)
    losses = [r["train_loss"] for r in result.history]
    assert losses[-1] < losses[0] and np.isfinite(losses).all()
    assert trainer.dispatch == "scan"


def test_char_lstm_trains_and_samples(tiny, tmp_path, capsys):
    config = tiny("char_lstm", train__epochs=2)
    trainer = Trainer(config)
    traces = {}
    result = trainer.fit(
        progress=False, on_epoch_end=lambda e, r: traces.update(trainer.fns.traces) if e == 1 else 0
    )
    first, last = result.history[0], result.history[-1]
    assert last["train_loss"] < first["train_loss"]
    assert np.isclose(last["test_perplexity"], np.exp(last["test_loss"]))
    assert dict(trainer.fns.traces) == traces  # no recompilation after the first epoch

    out = str(tmp_path / "lm")
    assert main(["train", "char_lstm", "--preset", "tiny", "--quiet", "--out", out]) == 0
    capsys.readouterr()
    args = ["sample", out, "--prompt", "Aku", "--length", "25", "--seed", "3"]
    assert main(args) == 0
    first_text = capsys.readouterr().out.strip()
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == first_text
    assert first_text.startswith("Aku") and len(first_text) == 28
    assert main(["sample", out, "--prompt", "Ω"]) == 2
    assert "kosakata" in capsys.readouterr().err


def test_lstm_learns_the_delayed_echo_per_step(tiny):
    config = tiny(
        "lstm", data__name="echo", data__difficulty="easy", train__epochs=3, model__hidden=16
    )
    trainer = Trainer(config)
    batch = {k: v[:4] for k, v in trainer.dataset.test.arrays.items()}
    assert trainer.model()(batch["input"]).shape == (4, 40, 2)  # one prediction per step
    result = trainer.fit(progress=False)
    assert result.history[-1]["test_accuracy"] > 0.9  # chance is 0.5
