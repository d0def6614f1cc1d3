"""dljax: Deep Learning dengan JAX 101.

The course library: data sources and pipelines (`dljax.data`), models (`dljax.models`),
one training engine (`dljax.train`) and the `dljax` command (`dljax.cli`).
"""

__version__ = "0.1.0"
