"""Models: pure Flax NNX networks, one file per family, each with its config dataclass and a
`build(config, info, rngs)` that sizes it for a dataset. What trains them (the task) and
which command trains them (the recipe) live in `dljax.tasks` and `dljax.recipes`."""

from dljax.models.autoencoder import Autoencoder, AutoencoderConfig
from dljax.models.cnn import CNN, CNNConfig
from dljax.models.gan import GAN, GANConfig
from dljax.models.gpt import GPT, GPTConfig
from dljax.models.lenet import LeNet5, LeNet5Config
from dljax.models.mlp import MLP, MLPConfig
from dljax.models.recurrent import CharLM, CharLMConfig, SequenceClassifier, SequenceConfig
from dljax.models.resnet import ResNet, ResNetConfig
from dljax.models.unet import UNet, UNetConfig
from dljax.models.vae import VAE, VAEConfig
from dljax.models.vgg import VGG, VGGConfig
from dljax.models.vit import ViT, ViTConfig

__all__ = [
    "CNN",
    "GAN",
    "GPT",
    "MLP",
    "VAE",
    "VGG",
    "Autoencoder",
    "AutoencoderConfig",
    "CNNConfig",
    "CharLM",
    "CharLMConfig",
    "GANConfig",
    "GPTConfig",
    "LeNet5",
    "LeNet5Config",
    "MLPConfig",
    "ResNet",
    "ResNetConfig",
    "SequenceClassifier",
    "SequenceConfig",
    "UNet",
    "UNetConfig",
    "VAEConfig",
    "VGGConfig",
    "ViT",
    "ViTConfig",
]
