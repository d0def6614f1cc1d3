"""Recipes: every model `dljax train NAME` knows, with its task, input kind and presets.

`MODELS` is the registry (a mapping from names to `Recipe`s, in the order `dljax list`
shows them); `build_config(name, preset, overrides)` makes a run's `Config`.
"""

from dljax.recipes import classifiers, generative, sequences
from dljax.recipes.base import INPUTS, MODELS, Recipe, build_config, check_compatible

for _recipe in (*classifiers.RECIPES, *sequences.RECIPES, *generative.RECIPES):
    MODELS.register(_recipe.name, _recipe)

__all__ = ["INPUTS", "MODELS", "Recipe", "build_config", "check_compatible"]
