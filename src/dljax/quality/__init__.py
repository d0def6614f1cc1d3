"""Sample quality: statistics (Fréchet distance, precision/recall), the reference classifier
whose features they are computed on, and the report (with its floor and baseline)."""

from dljax.quality.reference import (
    REFERENCE_MODEL,
    ReferenceClassifier,
    config_hash,
    reference_config,
)
from dljax.quality.report import QUALITY_SAMPLES, QualityHook, quality_report, second_space
from dljax.quality.second_space import MLPFeatures
from dljax.quality.stats import (
    frechet_distance,
    gaussian_stats,
    knn_precision_recall,
    per_class_recall,
)

__all__ = [
    "QUALITY_SAMPLES",
    "MLPFeatures",
    "REFERENCE_MODEL",
    "QualityHook",
    "ReferenceClassifier",
    "config_hash",
    "frechet_distance",
    "gaussian_stats",
    "knn_precision_recall",
    "per_class_recall",
    "quality_report",
    "reference_config",
    "second_space",
]
