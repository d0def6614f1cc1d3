"""Sequence models (chapters 4 and 7): RNN/LSTM/GRU classifiers and two language models."""

from __future__ import annotations

from dljax.models import gpt, recurrent
from dljax.recipes.base import Recipe
from dljax.tasks import ClassificationTask, LanguageModelTask

CLASSIFIERS = tuple(
    Recipe(
        kind,
        f"{what} untuk klasifikasi urutan (lax.scan atas waktu)",
        recurrent.SequenceConfig,
        recurrent.build_classifier(kind),
        ClassificationTask,
        inputs="sequence",
        default_dataset="temporal_order",
        per_step_labels=True,
        presets={"tiny": {"model.hidden": 8}},
    )
    for kind, what in (("rnn", "RNN sederhana"), ("lstm", "LSTM"), ("gru", "GRU"))
)

LANGUAGE_MODELS = (
    Recipe(
        "char_lstm",
        "Model bahasa tingkat karakter: embedding + LSTM + proyeksi (dljax sample)",
        recurrent.CharLMConfig,
        recurrent.build_char_lm,
        LanguageModelTask,
        inputs="text",
        default_dataset="text",
        presets={
            "tiny": {"model.embed": 8, "model.hidden": 16, "data.seq_len": 16, "data.stride": 16},
            # the embedded corpus grew 12x (lessons' prose): windows every 8 characters
            "default": {"train.epochs": 10, "train.lr": 3e-3, "data.stride": 8},
        },
    ),
    Recipe(
        "gpt",
        "GPT tingkat karakter: blok transformer pre-LN, posisi rotary, cache kunci/nilai "
        "(dljax sample)",
        gpt.GPTConfig,
        gpt.build_gpt,
        LanguageModelTask,
        inputs="text",
        default_dataset="text",
        presets={
            "tiny": {
                "model.dim": 16,
                "model.depth": 1,
                "model.heads": 2,
                "model.dropout": 0.0,
                "data.seq_len": 16,
                "data.stride": 16,
            },
            # ~1.000 steps of 64 windows of 128 characters on the embedded corpus (not timed)
            "default": {"data.seq_len": 128, "data.stride": 8, "train.epochs": 5},
        },
    ),
)

RECIPES = (*CLASSIFIERS, *LANGUAGE_MODELS)
