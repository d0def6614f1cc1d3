"""Recurrent-model quality on fixed budgets. Writes `benchmarks/results/recurrent_quality.json`.

1. `temporal_order` (easy, normal): `lstm` and `rnn` with the same default config and epochs,
   test accuracy on fresh sequences (the test split is generated with another seed) and the
   training time (target: LSTM >= 99% in under 3 minutes).
2. `char_lstm` on a text (default: Chairil Anwar's poems from shared/data when present,
   else the embedded corpus), 90/10 split, within a CPU budget (`--budget-s`, 300): one
   epoch is timed, then a fresh run trains for as many epochs as fit. Held-out loss
   (nats/char) and perplexity next to the unigram baseline (character frequencies of the
   training part, add-one smoothed, evaluated on the held-out part).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from dljax.data.text import char_dataset, embedded_corpus, read_text_file
from dljax.lesson import find_shared_file
from dljax.recipes import build_config
from dljax.train import Trainer

RESULTS = Path(__file__).parent / "results" / "recurrent_quality.json"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-s", type=float, default=300.0)
    args = parser.parse_args()
    report = {
        "cpu_count": os.cpu_count(),
        "temporal_order": temporal_order_rows(),
        "char_lstm": char_lm_row(args.budget_s),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
