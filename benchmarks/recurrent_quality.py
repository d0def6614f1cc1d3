"""Recurrent-model quality on fixed budgets. Writes `benchmarks/results/recurrent_quality.json`.

1. `temporal_order` (easy, normal): `lstm` and `rnn` with the same default config and epochs,
   test accuracy on fresh sequences (the test split is generated with another seed) and the
   training time (target: LSTM >= 99% in under 3 minutes).
2. `char_lstm` on a text (default: Chairil Anwar's poems from shared/data when present,
   else the embedded corpus), 90/10 split, within a CPU budget (`--budget-s`, 300): one
   epoch is timed, then a fresh run trains for as many epochs as fit. Held-out loss
   (nats/char) and perplexity next to the unigram baseline (character frequencies of the
   training part, add-one smoothed, evaluated on the held-out part).

    python benchmarks/recurrent_quality.py [--budget-s 300] [--allow-load] [--out PATH]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from measure import RESULTS, Session, add_arguments  # noqa: E402

from dljax.data.text import char_dataset, embedded_corpus, read_text_file  # noqa: E402
from dljax.lesson import find_shared_file  # noqa: E402
from dljax.recipes import build_config  # noqa: E402
from dljax.train import Trainer  # noqa: E402

OUT = RESULTS / "recurrent_quality.json"
TITLE = "Mutu model rekuren"
DESCRIPTION = (
    "Akurasi uji dan waktu latih `lstm` dan `rnn` pada soal urutan waktu (temporal order, "
    "mudah dan normal) dengan konfigurasi bawaan, dan loss uji (nats/karakter) `char_lstm` pada "
    "teks dalam anggaran waktu tetap, di samping baseline unigram."
)


def temporal_order_rows() -> list[dict]:
    rows = []
    for level in ("easy", "normal"):
        for model in ("lstm", "rnn"):
            config = build_config(model, overrides={"data.difficulty": level})
            trainer = Trainer(config)
            t0 = time.perf_counter()
            result = trainer.fit(progress=False)
            rows.append(
                {
                    "model": model,
                    "difficulty": level,
                    "epochs": config.train.epochs,
                    "test_accuracy": result.summary["test_accuracy"],
                    "train_time_s": time.perf_counter() - t0,
                }
            )
            print(rows[-1])
    return rows


def unigram_loss(train_tokens: np.ndarray, test_tokens: np.ndarray, vocab_size: int) -> float:
    counts = np.bincount(train_tokens, minlength=vocab_size) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(-log_p[test_tokens].mean())


def char_lm_row(budget_s: float) -> dict:
    path = find_shared_file("chairilanwar.txt")
    text = read_text_file(path) if path else embedded_corpus()
    data = char_dataset(text, name="chairilanwar" if path else "text")
    tokens = data.vocab.encode(text)
    split = len(tokens) - int(len(tokens) * 0.1)
    baseline = unigram_loss(tokens[:split], tokens[split:], data.vocab.size)

    probe = Trainer(build_config("char_lstm", overrides={"train.epochs": "1"}), dataset=data)
    t0 = time.perf_counter()
    probe.fit(progress=False)
    epoch_s = time.perf_counter() - t0
    epochs = max(1, int(budget_s // epoch_s))

    config = build_config("char_lstm", overrides={"train.epochs": str(epochs)})
    trainer = Trainer(config, dataset=data)
    t0 = time.perf_counter()
    result = trainer.fit(progress=False)
    row = {
        "text": str(path.name) if path else "embedded corpus",
        "characters": len(text),
        "vocab": data.vocab.size,
        "budget_s": budget_s,
        "epochs": epochs,
        "train_time_s": time.perf_counter() - t0,
        "test_loss_nats_per_char": result.summary["test_loss"],
        "test_perplexity": math.exp(result.summary["test_loss"]),
        "unigram_loss_nats_per_char": baseline,
        "unigram_perplexity": math.exp(baseline),
        "history": [
            {k: r[k] for k in ("epoch", "train_loss", "test_loss", "time_s")}
            for r in result.history
        ],
    }
    print({k: v for k, v in row.items() if k != "history"})
    return row


def parser() -> argparse.ArgumentParser:
    p = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]), OUT)
    p.add_argument("--budget-s", type=float, default=300.0)
    return p


def main() -> None:
    args = parser().parse_args()
    session = Session.start("recurrent_quality", allow_load=args.allow_load)
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "temporal_order": temporal_order_rows(),
        "char_lstm": char_lm_row(args.budget_s),
    }
    session.write(args.out, data)


if __name__ == "__main__":
    main()
