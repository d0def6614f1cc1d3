"""Image classifiers (chapters 2, 3 and 7): MLP, small CNN, LeNet-5, VGG, ResNet, ViT."""

from __future__ import annotations

from dljax.models import cnn, lenet, mlp, resnet, vgg, vit
from dljax.recipes.base import Recipe
from dljax.tasks import ClassificationTask

RECIPES = (
    Recipe(
        "mlp",
        "Multilayer perceptron (lapisan Linear + ReLU + dropout)",
        mlp.MLPConfig,
        mlp.build,
        ClassificationTask,
        inputs="vector",
        presets={"tiny": {"model.hidden": (32,)}, "full": {"model.hidden": (512, 512)}},
    ),
    Recipe(
        "cnn",
        "Jaringan konvolusi kecil (blok konvolusi 3x3 + batch norm + max-pool)",
        cnn.CNNConfig,
        cnn.build,
        ClassificationTask,
        inputs="image",
        scan_on_cpu=False,
        presets={"tiny": {"model.channels": (8,), "model.hidden": 16}},
    ),
    Recipe(
        "lenet5",
        "LeNet-5 (LeCun dkk. 1998): konvolusi 5x5, subsampling, 120-84-10; gambar ke 32x32",
        lenet.LeNet5Config,
        lenet.build,
        ClassificationTask,
        inputs="image",
        scan_on_cpu=False,
        # default: measured >= 98% test accuracy on digits in ~35-50 s on 2 CPU cores
        presets={
            "tiny": {"model.variant": "modern"},
            "default": {"data.batch_size": 32, "train.epochs": 40, "train.lr": 3e-3},
        },
    ),
    Recipe(
        "vgg",
        "VGG (Simonyan & Zisserman 2015): tumpukan konvolusi 3x3 + batch norm; "
        "--set model.depth=11|13|16|19",
        vgg.VGGConfig,
        vgg.build,
        ClassificationTask,
        inputs="image",
        scan_on_cpu=False,
        presets={
            "tiny": {"model.width": 4, "model.hidden": 16},
            "default": {"model.width": 32, "model.hidden": 256},
        },
    ),
    Recipe(
        "resnet",
        "ResNet (He dkk. 2016) dengan batch norm: ResNet-20 (CIFAR) atau ResNet-18; "
        "--set model.depth=18|20|32|...",
        resnet.ResNetConfig,
        resnet.build,
        ClassificationTask,
        inputs="image",
        scan_on_cpu=False,
        presets={"tiny": {"model.depth": 8, "model.width": 4}},
    ),
    Recipe(
        "vit",
        "Vision Transformer: potongan gambar (patch) + blok transformer; peta perhatian",
        vit.ViTConfig,
        vit.build_vit,
        ClassificationTask,
        inputs="image",
        presets={
            "tiny": {"model.dim": 16, "model.depth": 1, "model.heads": 2, "model.dropout": 0.0},
            # measured >= 97% test accuracy on digits (benchmarks/default_runs.py)
            "default": {"train.epochs": 60, "train.lr": 1e-3},
        },
    ),
)
