"""Sphinx configuration of the dljax course site (Sphinx + MyST-NB + sphinx-book-theme).

Lessons are read from their jupytext sources, executed through jupyter-cache and rendered
with their outputs. Two execution modes, each with its own cache: `make docs` runs the lessons
in full mode (DLJAX_FAST unset, what a student runs and what the published site shows);
`make docs-fast` (or DLJAX_FAST=1) is the quick FAST check the tests build. jupyter-cache keys
each lesson's outputs on its code, so only changed lessons run again. Every lesson page says
which mode produced it, how long the lesson took and on what machine; a FAST page opens with
a warning. Everything is served from the build folder: no CDN, no intersphinx, so the site
builds and works offline.
"""

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import dljax_docs  # noqa: E402

# the lessons' kernels inherit the mode; `dljax_mode` makes a change of mode re-read every page
os.environ["DLJAX_FAST"] = "1" if dljax_docs.fast_mode() else "0"
dljax_mode = dljax_docs.mode_name()
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

project = "dljax: Deep Learning dengan JAX 101"
author = "kontributor dljax"
copyright = "kontributor dljax, lisensi MIT"
language = "id"

extensions = ["myst_nb", "dljax_docs"]
exclude_patterns = [
    "conf.py",
    "_build",
    "_ext",
    "_generated",
    "_static",
    "**/.ipynb_checkpoints",
    "Thumbs.db",
    ".DS_Store",
]
suppress_warnings = ["mystnb.unknown_mime_type"]

# --- MyST / MyST-NB -------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_custom_formats = {".py": ["dljax_docs.reads_lesson", {}]}
nb_execution_mode = "cache"
nb_execution_cache_path = str(dljax_docs.cache_dir())
nb_execution_in_temp = True
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# --- HTML -----------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "dljax · Deep Learning dengan JAX 101"
html_static_path = ["_static"]
html_css_files = ["dljax.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "repository_url": dljax_docs.repository_url(),
    "use_repository_button": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
html_context = {"default_mode": "light"}

# MathJax from the jupyter-server-mathjax wheel (docs extra), copied next to the pages:
# formulas render without a network connection.
_MATHJAX = DOCS / "_generated" / "static" / "mathjax"
if not (_MATHJAX / "MathJax.js").exists():
    import jupyter_server_mathjax

    shutil.copytree(
        Path(jupyter_server_mathjax.__file__).parent / "static", _MATHJAX, dirs_exist_ok=True
    )
html_static_path.append(str(_MATHJAX.parent))
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None},
    "menuSettings": {"zoom": "None"},
    # MyST marks the page body tex2jax_ignore and only the math spans are to be typeset
    "tex2jax": {"processClass": "math", "processEscapes": True},
}
