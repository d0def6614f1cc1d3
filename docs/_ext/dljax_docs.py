"""Sphinx extension that generates the course site's pages from the project itself.

Nothing here lists a lesson, a model, a dataset or a command by hand:

- lessons: every `lessons/<chapter>/<lesson>.py` (jupytext py:percent) is copied under
  `docs/pelajaran/`, one chapter index per folder (title from the chapter's `README.md` when it
  has one, else from the folder name), lessons in file-name order;
- `docs/perintah/`: one page per `dljax` command, walked from `dljax.cli.build_parser()`;
- `docs/katalog.md`: models and datasets from the registries `MODELS` and `DATASETS`;
- `docs/hasil.md`: tables and bar charts of every `benchmarks/results/*.json`.

Generated files are rewritten only when their text changes, so Sphinx re-reads only what
changed. The lesson helpers (`lessons`, `read_lesson`, `cache_dir`, `execute_lesson`) are
shared with the tests, which execute lessons through the same jupyter-cache as the build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LESSONS = ROOT / "lessons"
GENERATED = ("pelajaran", "perintah", "katalog.md", "hasil.md", "_generated")


# ------------------------------------------------------------------------------ lessons
def fast_mode() -> bool:
    """The docs build (and `make docs`) runs lessons in FAST mode unless DLJAX_FAST=0."""
    return os.environ.get("DLJAX_FAST", "1") not in ("", "0")


def cache_dir(fast: bool | None = None) -> Path:
    """The jupyter-cache folder the docs build reads; one per mode, never mixed."""
    fast = fast_mode() if fast is None else fast
    base = Path(os.environ.get("DLJAX_DOCS_CACHE", DOCS / "_build" / ".jupyter_cache"))
    return base / ("fast" if fast else "full")


def lessons() -> list[Path]:
    """Every lesson source, in chapter then file order (discovered, never listed)."""
    return sorted(LESSONS.glob("*/*.py"), key=lambda p: (chapter_key(p.parent.name), p.name))


def chapter_key(folder: str) -> tuple:
    number = re.match(r"(\d+)", folder)
    return (int(number.group(1)) if number else 10**6, folder)


COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def reads_lesson(text: str):
    """A py:percent lesson as a notebook with a Python kernelspec (MyST-NB's reader,
    `nb_custom_formats`; the kernelspec is part of the jupyter-cache key)."""
    import jupytext

    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:  # the site shows a local badge: it must render offline
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(COLAB_BADGE_IMAGE, "/_static/colab-badge.svg")
    return nb


def read_lesson(path: Path):
    """The lesson as a notebook, read exactly as the docs build reads it."""
    return reads_lesson(path.read_text(encoding="utf-8"))


def execute_lesson(path: Path, *, timeout: int = 600):
    """The executed lesson from the docs build's cache; executes and caches it on a miss.

    Returns `(notebook, seconds, from_cache)`. Raises the execution error when a cell fails.
    The cache key is the code of the notebook, so the docs build reuses what a test ran and
    the other way round; FAST and full runs live in separate caches.
    """
    from tempfile import TemporaryDirectory

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    nb = read_lesson(path)
    cache = get_cache(str(cache_dir()))
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        record = None
    if record is not None:
        _, merged = cache.merge_match_into_notebook(nb)
        return merged, record.data.get("execution_seconds"), True
    with TemporaryDirectory() as cwd:
        result = single_nb_execution(nb, cwd=cwd, allow_errors=False, timeout=timeout)
    if result.err is not None:
        raise RuntimeError(f"{path.name} failed:\n{result.exc_string}") from result.err
    stage = cache.add_nb_to_project(str(path), read_data={"name": "jupytext", "type": "plugin"})
    cache.cache_notebook_bundle(
        CacheBundleIn(nb, stage.uri, data={"execution_seconds": result.time}),
        check_validity=False,
        overwrite=True,
    )
    return nb, result.time, False


@dataclass(frozen=True)
class Chapter:
    folder: str
    title: str
    intro: str
    lessons: tuple[Path, ...]


def chapters() -> list[Chapter]:
    """Chapters from the lesson folders; title and intro from an optional README.md.

    `DLJAX_DOCS_LESSONS=2-mlp/0[12]*` (a glob under `lessons/`) builds a subset of the
    site while iterating on the docs."""
    from fnmatch import fnmatch

    subset = os.environ.get("DLJAX_DOCS_LESSONS", "")
    by_folder: dict[str, list[Path]] = {}
    for path in lessons():
        if subset and not fnmatch(path.relative_to(LESSONS).as_posix(), subset):
            continue
        by_folder.setdefault(path.parent.name, []).append(path)
    out = []
    for folder, paths in by_folder.items():
        readme = LESSONS / folder / "README.md"
        title, intro = chapter_title_from_folder(folder), ""
        if readme.is_file():
            text = readme.read_text(encoding="utf-8").strip()
            heading = re.match(r"#\s+(.+)\n?", text)
            if heading:
                title, intro = heading.group(1).strip(), text[heading.end() :].strip()
            else:
                intro = text
        out.append(Chapter(folder, title, intro, tuple(paths)))
    return out


def chapter_title_from_folder(folder: str) -> str:
    number, _, name = folder.partition("-")
    return f"Bab {number}: {name.replace('-', ' ')}" if name else f"Bab {folder}"


def lesson_title(path: Path) -> str:
    """The first `# N.M Title` heading of a lesson."""
    match = re.search(r"^# # (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return match.group(1).strip() if match else path.stem


# ------------------------------------------------------------------------------ colab
def repository_url() -> str:
    """The repository address, kept in one place: `[project.urls] Repository`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["urls"]["Repository"].rstrip("/")


def colab_url(path: Path) -> str:
    """Colab address of a lesson notebook on the default branch of the repository."""
    repo = re.sub(r"^https://github\.com/", "", repository_url())
    rel = path.with_suffix(".ipynb").relative_to(ROOT).as_posix()
    return f"https://colab.research.google.com/github/{repo}/blob/main/{rel}"


def colab_badge(path: Path) -> str:
    return f"[![Buka di Colab]({COLAB_BADGE_IMAGE})]({colab_url(path)})"


def install_cell() -> str:
    """The lesson's first code cell: installs dljax from the repository, on Colab only."""
    return (
        "import sys\n\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n\n"
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "git+{repository_url()}"],\n'
        "        check=True,\n"
        "    )"
    )


_BADGE = re.compile(r"^# \[!\[Buka di Colab\]\(.*\)\]\(.*\)$", flags=re.MULTILINE)
_INSTALL = re.compile(
    r'^import sys\n\nif "google.colab" in sys\.modules:\n(?:    .*\n|\n)*?    \)$',
    flags=re.MULTILINE,
)


def update_lesson_header(path: Path) -> bool:
    """Rewrite the Colab badge and install cell of a lesson from `pyproject.toml`.

    Returns True when the file changed (then run `jupytext --sync` on it).
    """
    text = path.read_text(encoding="utf-8")
    new = _BADGE.sub(lambda _: "# " + colab_badge(path), text, count=1)
    new = _INSTALL.sub(lambda _: install_cell(), new, count=1)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# ------------------------------------------------------------------------------ writing
def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_if_changed(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)


def generate_lessons(out: Path = DOCS / "pelajaran") -> list[str]:
    """Copy the lessons and write one index per chapter; returns the chapter docnames."""
    wanted: set[Path] = set()
    docnames = []
    for chapter in chapters():
        folder = out / chapter.folder
        entries = []
        for path in chapter.lessons:
            dst = folder / path.name
            copy_if_changed(path, dst)
            wanted.add(dst)
            entries.append(path.stem)
        index = folder / "index.md"
        body = f"# {chapter.title}\n\n"
        if chapter.intro:
            body += chapter.intro + "\n\n"
        body += "```{toctree}\n:maxdepth: 1\n\n" + "\n".join(entries) + "\n```\n"
        write_if_changed(index, body)
        wanted.add(index)
        docnames.append(f"pelajaran/{chapter.folder}/index")
    for stale in out.rglob("*"):  # lessons removed from lessons/ leave the site too
        if stale.is_file() and stale not in wanted:
            stale.unlink()
    # the home page includes this toctree: chapters in number order (1, 2, ..., 10)
    write_if_changed(
        DOCS / "_generated" / "toc-pelajaran.md",
        "```{toctree}\n:caption: Pelajaran\n:maxdepth: 1\n\n"
        + "\n".join(f"/{name}" for name in docnames)
        + "\n```\n",
    )
    return docnames


# ------------------------------------------------------------------------------ CLI
def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_of(parser: argparse.ArgumentParser, name: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name or choice.metavar == name:
                    return choice.help or ""
    return ""


def _argument_rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        name = ", ".join(action.option_strings) or (action.metavar or action.dest)
        if action.option_strings and action.nargs != 0:
            name += f" {action.metavar or action.dest.upper()}"
        default = action.default
        shown = "" if default in (None, False, [], argparse.SUPPRESS) else f"`{default}`"
        if action.choices and not isinstance(action.choices, dict):
            shown = (
                (shown + " " if shown else "")
                + "pilihan: "
                + ", ".join(f"`{c}`" for c in action.choices)
            )
        rows.append((f"`{name}`", (action.help or "").replace("|", "\\|"), shown))
    return rows


def command_page(path: list[str], parser: argparse.ArgumentParser, summary: str) -> str:
    title = " ".join(path)
    text = f"# `{title}`\n\n"
    if summary:
        text += summary[0].upper() + summary[1:] + ".\n\n"
    if parser.description:
        text += parser.description + "\n\n"
    rows = _argument_rows(parser)
    if rows:
        text += "| argumen | arti | bawaan |\n| --- | --- | --- |\n"
        text += "".join(f"| {a} | {h} | {d} |\n" for a, h, d in rows)
        text += "\n"
    text += "Keluaran `--help`:\n\n```text\n" + parser.format_help().rstrip() + "\n```\n"
    for name, sub in _subcommands(parser).items():
        text += "\n" + command_page([*path, name], sub, _help_of(parser, name)).replace(
            "\n# ", "\n## "
        ).replace("# `", "## `", 1)
    return text


def generate_cli(out: Path = DOCS / "perintah") -> list[str]:
    """One page per `dljax` command, from the argparse parser itself."""
    os.environ.setdefault("COLUMNS", "90")  # stable --help wrapping
    from dljax.cli import build_parser

    parser = build_parser()
    commands = _subcommands(parser)
    wanted = {out / "index.md"}
    for name, sub in commands.items():
        page = out / f"{name}.md"
        write_if_changed(page, command_page([parser.prog, name], sub, _help_of(parser, name)))
        wanted.add(page)
    index = f"# Perintah `{parser.prog}`\n\n{parser.description or ''}\n\n"
    index += "| perintah | kegunaan |\n| --- | --- |\n"
    index += "".join(
        f"| [`{parser.prog} {n}`]({n}.md) | {_help_of(parser, n)} |\n" for n in commands
    )
    index += "\n```text\n" + parser.format_help().rstrip() + "\n```\n\n"
    index += "```{toctree}\n:hidden:\n\n" + "\n".join(commands) + "\n```\n"
    write_if_changed(out / "index.md", index)
    for stale in out.glob("*.md"):
        if stale not in wanted:
            stale.unlink()
    return [f"perintah/{n}" for n in commands]


# ------------------------------------------------------------------------------ catalogue
def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def catalogue_page() -> str:
    """Models and datasets, straight from the registries."""
    from dljax.data import DATASETS
    from dljax.models import MODELS

    text = "# Katalog model dan dataset\n\n"
    text += (
        "Halaman ini dibuat dari registry `dljax.models.MODELS` dan `dljax.data.DATASETS` "
        "setiap kali situs dibangun; model atau dataset baru muncul di sini tanpa "
        "menyunting dokumentasi. Di terminal: `dljax list`.\n\n"
    )
    text += f"## Model ({len(MODELS)})\n\n"
    text += "| model | keterangan | tugas | dataset bawaan | contoh |\n"
    text += "| --- | --- | --- | --- | --- |\n"
    for name, spec in MODELS.items():
        text += (
            f"| `{name}` | {_cell(spec.description)} | {_cell(spec.task)} | "
            f"`{spec.default_dataset}` | `dljax train {name}` |\n"
        )
    text += f"\n## Dataset ({len(DATASETS)})\n\n"
    text += "| dataset | keterangan | tanpa internet |\n| --- | --- | --- |\n"
    for name, entry in DATASETS.items():
        offline = "ya" if entry.offline else "tidak (diunduh sekali, lalu di-cache)"
        text += f"| `{name}` | {_cell(entry.description)} | {offline} |\n"
    return text


# ------------------------------------------------------------------------------ results
def _is_scalar(value) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _number(value) -> str:
    from dljax.formatting import format_float, format_int

    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return format_int(int(value))
        magnitude = abs(value)
        digits = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 4
        return format_float(value, digits)
    return _cell(value)


def _label(record: dict) -> str:
    return " ".join(str(v) for v in record.values() if isinstance(v, str))


def numeric_leaves(obj, path=()) -> list[tuple[tuple[str, ...], str, float]]:
    """`(entry path, metric name, value)` for every number in a results file (lists of
    numbers, e.g. repeated runs, are left out: their median is already a leaf)."""
    out = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                out.append((path, key, float(value)))
            elif isinstance(value, dict | list):
                out += numeric_leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            if isinstance(item, dict):
                out += numeric_leaves(item, (*path, _label(item) or str(i)))
    return out


def _render(obj, level: int, title: str) -> str:
    text = f"{'#' * level} {title}\n\n" if title else ""
    if isinstance(obj, dict):
        scalars = {k: v for k, v in obj.items() if _is_scalar(v)}
        if scalars:
            text += "| kunci | nilai |\n| --- | --- |\n"
            text += "".join(f"| `{k}` | {_number(v)} |\n" for k, v in scalars.items())
            text += "\n"
        for key, value in obj.items():
            if isinstance(value, dict | list) and value:
                text += _render(value, min(level + 1, 6), f"`{key}`")
    elif isinstance(obj, list) and all(isinstance(x, dict) for x in obj):
        columns = [
            k
            for k in dict.fromkeys(k for x in obj for k in x)
            if all(_is_scalar(x.get(k)) for x in obj)
        ]
        text += "| " + " | ".join(f"`{c}`" for c in columns) + " |\n"
        text += "| " + " | ".join("---" for _ in columns) + " |\n"
        for row in obj:
            text += "| " + " | ".join(_number(row.get(c, "")) for c in columns) + " |\n"
        text += "\n"
    elif isinstance(obj, list):
        numbers = [x for x in obj if isinstance(x, int | float)]
        text += (
            f"{len(obj)} nilai"
            + (f", dari {_number(min(numbers))} sampai {_number(max(numbers))}" if numbers else "")
            + ".\n\n"
        )
    return text


def plot_metric(name: str, rows: list[tuple[str, float]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dljax.formatting import format_float

    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    labels = [label for label, _ in rows]
    values = [value for _, value in rows]
    bars = ax.barh(range(len(rows)), values, color="#3b7dd8")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(name)
    for bar, value in zip(bars, values, strict=True):
        digits = 1 if abs(value) >= 100 else 2 if abs(value) >= 1 else 3
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            " " + format_float(value, digits),
            va="center",
            fontsize=8,
        )
    ax.margins(x=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def results_page(
    results: Path = ROOT / "benchmarks" / "results", images: Path = DOCS / "_generated"
) -> str:
    """Every results file as tables, plus a bar chart per metric measured more than once."""
    text = "# Hasil terukur\n\n"
    text += (
        "Angka-angka ini dibaca dari `benchmarks/results/*.json` setiap kali situs dibangun "
        "(skrip di `benchmarks/` menulisnya; tidak ada angka yang diketik ulang di sini). "
        "Angka akurasi bawaan di README dijaga oleh `tests/test_golden_metrics.py`.\n\n"
    )
    written: set[Path] = set()
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text())
        text += f"## `{path.name}`\n\n"
        groups: dict[str, list[tuple[str, float]]] = {}
        for entry, metric, value in numeric_leaves(data):
            if entry:
                groups.setdefault(metric, []).append((" / ".join(entry), value))
        for metric, rows in groups.items():
            if not is_measurement(metric, rows):
                continue
            image = images / f"{path.stem}-{re.sub(r'[^a-zA-Z0-9_]+', '_', metric)}.png"
            plot_metric(metric, rows, image)
            written.add(image)
            text += f"```{{figure}} /{image.relative_to(DOCS).as_posix()}\n:alt: {metric}\n\n"
            text += f"`{metric}` dalam `{path.name}`\n```\n\n"
        text += _render(data, 3, "Rincian")
    for stale in images.glob("*.png"):
        if stale not in written:
            stale.unlink()
    return text


def is_measurement(metric: str, rows: list[tuple[str, float]]) -> bool:
    """Worth a chart: a measured quantity (not a setting such as epochs, sizes or targets)
    with at least two entries that differ."""
    values = [v for _, v in rows]
    settings = metric.startswith(("target", "num_", "n_")) or all(v.is_integer() for v in values)
    return len(rows) >= 2 and not settings and len(set(values)) > 1


# ------------------------------------------------------------------------------ sphinx
def generate_all(app=None) -> None:
    generate_lessons()
    generate_cli()
    write_if_changed(DOCS / "katalog.md", catalogue_page())
    write_if_changed(DOCS / "hasil.md", results_page())


def write_lesson_times(app, exception) -> None:
    """After a build, record each lesson's execution seconds (FAST or full) in the JSON
    named by $DLJAX_LESSONS_JSON (`make docs` sets it to benchmarks/results/lessons.json)."""
    target = os.environ.get("DLJAX_LESSONS_JSON")
    if exception is not None or not target:
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    mode = "fast" if fast_mode() else "full"
    seconds = {}
    for docname in sorted(app.env.found_docs):
        if not docname.startswith("pelajaran/") or docname.endswith("/index"):
            continue
        data = NbMetadataCollector.get_exec_data(app.env, docname) or {}
        if data.get("runtime") is not None:
            seconds[docname.removeprefix("pelajaran/")] = round(float(data["runtime"]), 2)
    path = Path(target)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.setdefault(
        "description",
        "seconds to execute each lesson, FAST (DLJAX_FAST=1) "
        "and full mode, as recorded by the docs build (jupyter-cache)",
    )
    current["cpu_count"] = os.cpu_count()
    # lessons share the CPU with whatever else runs: keep the load next to the seconds
    current[f"{mode}_load_average_1min"] = round(os.getloadavg()[0], 2)
    # merged: a subset build (DLJAX_DOCS_LESSONS) updates only the lessons it executed
    current[mode] = dict(sorted({**(current.get(mode) or {}), **seconds}.items()))
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")


def setup(app):
    app.connect("builder-inited", generate_all)
    app.connect("build-finished", write_lesson_times)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str]) -> int:
    """`python docs/_ext/dljax_docs.py lessons-header`: rewrite Colab badges and install
    cells from pyproject.toml, then re-pair the notebooks with jupytext."""
    import subprocess
    import sys

    if argv != ["lessons-header"]:
        print("pemakaian: python docs/_ext/dljax_docs.py lessons-header", file=sys.stderr)
        return 2
    for path in lessons():
        if update_lesson_header(path):
            subprocess.run([sys.executable, "-m", "jupytext", "--sync", str(path)], check=True)
            print(f"diperbarui: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
