"""Sphinx extension that generates the course site's pages from the project itself.

Nothing here lists a lesson, a model, a dataset or a command by hand:

- lessons: every `lessons/<chapter>/<lesson>.py` (jupytext py:percent) is copied under
  `docs/pelajaran/`, one chapter index per folder (title from the chapter's `README.md` when it
  has one, else from the folder name), lessons in file-name order;
- `docs/perintah/`: one page per `dljax` command, walked from `dljax.cli.build_parser()`;
- `docs/katalog.md`: models and datasets from the registries `MODELS` and `DATASETS`;
- `docs/hasil.md`: one readable section per `benchmarks/results/*.json` (what was measured,
  on what machine, compact tables, a few bar charts; busy-machine results greyed out);
- every lesson page: which mode produced it (FAST: a warning banner), how long the lesson
  took and on what machine, from the jupyter-cache record and `provenance.json` beside it;
  `make docs` keeps the same in `benchmarks/results/lessons.json`.

Generated files are rewritten only when their text changes, so Sphinx re-reads only what
changed. The lesson helpers (`lessons`, `read_lesson`, `cache_dir`, `execute_lesson`) are
shared with the tests, which execute lessons through the same jupyter-cache as the build.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LESSONS = ROOT / "lessons"
GENERATED = ("pelajaran", "perintah", "katalog.md", "hasil.md", "_generated")


# ------------------------------------------------------------------------------ lessons
def fast_mode() -> bool:
    """True when DLJAX_FAST is set to anything but "" or "0", read exactly as the lessons read
    it (`dljax.lesson.FAST`): unset means full mode, what `make docs` builds and what the
    site shows; `make docs-fast` and the tests set DLJAX_FAST=1."""
    return os.environ.get("DLJAX_FAST", "") not in ("", "0")


def mode_name(fast: bool | None = None) -> str:
    """`"fast"` or `"full"`: the key of a mode in lessons.json and in the cache folder."""
    return "fast" if (fast_mode() if fast is None else fast) else "full"


def cache_dir(fast: bool | None = None) -> Path:
    """The jupyter-cache folder the docs build reads; one per mode, never mixed."""
    base = Path(os.environ.get("DLJAX_DOCS_CACHE", DOCS / "_build" / ".jupyter_cache"))
    return base / mode_name(fast)


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
    the other way round; FAST and full runs live in separate caches. A new execution also
    records where and how it ran (`record_provenance`), which the lesson's page shows.
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
    load_start = load_1min()
    with TemporaryDirectory() as cwd:
        result = single_nb_execution(nb, cwd=cwd, allow_errors=False, timeout=timeout)
    if result.err is not None:
        raise RuntimeError(f"{path.name} failed:\n{result.exc_string}") from result.err
    stage = cache.add_nb_to_project(str(path), read_data={"name": "jupytext", "type": "plugin"})
    record = cache.cache_notebook_bundle(
        CacheBundleIn(nb, stage.uri, data={"execution_seconds": result.time}),
        check_validity=False,
        overwrite=True,
    )
    record_provenance(
        record,
        execution_record(result.time, machine_info(), load_start, load_1min()),
        fast=fast_mode(),
    )
    return nb, result.time, False


# ------------------------------------------------------------------------------ provenance
# What produced a lesson page: its mode, how long the lesson took and on what machine. The
# jupyter-cache record holds the outputs and `execution_seconds`; `provenance.json` beside the
# cache holds, per cache record, the machine and the load while it executed (written by the
# docs build and by `execute_lesson`); `benchmarks/results/lessons.json` is the committed copy
# that `make docs` writes after each build (`write_lesson_times`).
MODE_WORDS = {"fast": "mode cepat", "full": "mode penuh"}
MONTHS = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
FAST_BANNER_TITLE = "Mode cepat"
FAST_BANNER = (
    "Gambar dan angka di halaman ini berasal dari pelatihan singkat (model belum terlatih), "
    "bukan hasil sebenarnya. Bangun dengan `make docs` untuk versi penuh."
)
LOAD_RULE = (
    "loaded: the 1-minute load average was above half the CPU count when the build started, "
    "or above 0.75 times the CPU count (1.5 on 2 cores) when a lesson started; a full-mode "
    "build waits up to 4 minutes for that load before it executes a lesson, since "
    "the kernel of the lesson before keeps the cores busy; after a lesson it records the load "
    "at once (load_1min_end_raw: the lesson's own work) and, waiting up to 4 minutes for "
    "that work's load to decay, load_1min_end, which is judged like the start (records "
    "without load_1min_end_raw predate that wait: their end is not judged)"
)
QUIET_PER_CPU = 0.75  # a lesson starts on a quiet machine: load <= 0.75 x cores (1.5 on 2)
QUIET_WAIT_S = 240.0  # the longest a full-mode build waits for it before a lesson


def load_1min() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not available on every platform
        return None


def cpu_model() -> str | None:
    """The CPU's model name from /proc/cpuinfo (Linux), or None."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def gpu_names() -> list[str]:
    """GPUs the lessons' JAX can use: NVIDIA GPUs when a jax CUDA plugin is installed."""
    import importlib.metadata
    import subprocess

    plugins = [
        d.metadata["Name"]
        for d in importlib.metadata.distributions()
        if (d.metadata["Name"] or "").lower().startswith("jax-cuda")
    ]
    if not plugins or not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def machine_info() -> dict:
    """The machine a lesson executes on (the kernels run here, with this environment's JAX)."""
    import importlib.metadata
    import platform

    try:
        jax_version = importlib.metadata.version("jax")
    except importlib.metadata.PackageNotFoundError:
        jax_version = None
    info = {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "jax": jax_version,
    }
    gpus = gpu_names()
    if gpus:
        info["gpu"] = gpus
    return info


def is_loaded(
    start: float | None,
    end: float | None,
    cpus: int | None,
    *,
    build: bool,
    settled: bool = False,
) -> bool:
    """Whether a measurement shared the machine with other work (see `LOAD_RULE`). `end` is
    judged only when `settled` (taken after the lesson's own load decayed); otherwise it is
    the lesson's or the build's own work, recorded beside it."""
    cpus = cpus or 1
    if build:
        return start is not None and start > cpus / 2
    limit = QUIET_PER_CPU * cpus
    return (start is not None and start > limit) or (settled and end is not None and end > limit)


def wait_for_quiet(
    timeout: float = QUIET_WAIT_S, *, poll: float = 5.0, load=None, sleep=time.sleep
) -> float | None:
    """Wait until the 1-minute load is at most `QUIET_PER_CPU` x the cores, or `timeout`
    seconds passed; returns the load then (None where the platform has no load average).
    `load` and `sleep` are the clock's hands, replaceable in tests."""
    load = load or load_1min
    limit = QUIET_PER_CPU * (os.cpu_count() or 1)
    waited, now = 0.0, load()
    while now is not None and now > limit and waited < timeout:
        sleep(poll)
        waited += poll
        now = load()
    return now


def now_iso() -> str:
    from datetime import datetime

    return datetime.now().astimezone().isoformat(timespec="seconds")


def execution_record(
    seconds, machine, load_start, load_end, executed: str | None = None, *, load_end_raw=None
):
    """One lesson execution as lessons.json and provenance.json keep it; with `load_end_raw`
    (the load right after the lesson) `load_end` is the settled load after it (`LOAD_RULE`)."""
    cpus = (machine or {}).get("cpu_count")
    settled = load_end_raw is not None
    return {
        "seconds": None if seconds is None else round(float(seconds), 2),
        "executed": executed or now_iso(),
        "load_1min_start": load_start,
        **({"load_1min_end_raw": load_end_raw} if settled else {}),
        "load_1min_end": load_end,
        "loaded": is_loaded(load_start, load_end, cpus, build=False, settled=settled),
        "machine": machine,
    }


def _provenance_file(fast: bool) -> Path:
    return cache_dir(fast) / "provenance.json"


def _record_key(record) -> str:
    return f"{record.pk}:{record.hashkey}"


def read_provenance(fast: bool) -> dict:
    path = _provenance_file(fast)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_provenance(record, execution: dict, *, fast: bool) -> None:
    """Keep where and how the cache record `record` was executed (atomic rewrite)."""
    path = _provenance_file(fast)
    data = read_provenance(fast)
    data[_record_key(record)] = execution
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def cached_record(path: Path, fast: bool | None = None):
    """The jupyter-cache record of the lesson's current code in a mode's cache, or None."""
    from jupyter_cache import get_cache

    fast = fast_mode() if fast is None else fast
    folder = cache_dir(fast)
    if not folder.exists():
        return None
    try:
        return get_cache(str(folder)).match_cache_notebook(read_lesson(path))
    except KeyError:
        return None


def lesson_provenance(path: Path, fast: bool | None = None) -> dict | None:
    """How the outputs a page shows were produced: `execution_record` fields, from
    provenance.json when the execution was recorded, else only what the cache knows
    (`machine` None). None when the lesson is not in the cache."""
    fast = fast_mode() if fast is None else fast
    record = cached_record(path, fast)
    if record is None:
        return None
    known = read_provenance(fast).get(_record_key(record))
    if known:
        return known
    created = record.created.replace(tzinfo=UTC).astimezone() if record.created else None
    return {
        "seconds": (record.data or {}).get("execution_seconds"),
        "executed": created.isoformat(timespec="seconds") if created else None,
        "load_1min_start": None,
        "load_1min_end": None,
        "loaded": False,
        "machine": None,
    }


def format_date(iso: str | None) -> str | None:
    """`2025-06-12T10:00:00+07:00` -> `12 Juni 2025`."""
    from datetime import datetime

    if not iso:
        return None
    try:
        day = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_seconds(seconds: float) -> str:
    from dljax.formatting import format_float, format_int

    if seconds < 10:
        return f"{format_float(seconds, 1)} dtk"
    return f"{format_int(round(seconds))} dtk"


def describe_machine(machine: dict | None) -> str | None:
    """`CPU 2 inti (AMD EPYC, x86_64), JAX 0.10.2` from a `machine_info()` dict (or the
    `machine` dict of a results file); None when nothing is known."""
    from dljax.formatting import format_int

    if not machine:
        return None
    cpus = machine.get("cpu_count")
    detail = ", ".join(
        str(v)
        for v in dict.fromkeys([machine.get("cpu_model"), machine.get("processor")])
        if v and str(v).strip()
    )
    if machine.get("gpu"):
        gpus = machine["gpu"]
        names = ", ".join(dict.fromkeys(gpus)) if isinstance(gpus, list) else str(gpus)
        count = f"{len(gpus)}× " if isinstance(gpus, list) and len(gpus) > 1 else ""
        text = f"GPU {count}{names}"
        if cpus:
            text += f" (CPU {format_int(cpus)} inti)"
    elif cpus:
        text = f"CPU {format_int(cpus)} inti" + (f" ({detail})" if detail else "")
    elif detail:
        text = detail
    else:
        text = ""
    backend = machine.get("jax_backend") or machine.get("backend")
    if machine.get("jax"):
        text += (", " if text else "") + f"JAX {machine['jax']}"
        if backend and backend != "cpu" and not machine.get("gpu"):
            text += f" ({backend})"
    return text or None


def describe_load(start: float | None, end: float | None) -> str | None:
    """`beban 1 menit 0,4 → 1,9` (either end may be missing)."""
    from dljax.formatting import format_float

    if start is None and end is None:
        return None
    if start is not None and end is not None:
        return f"beban 1 menit {format_float(start, 1)} → {format_float(end, 1)}"
    if start is not None:
        return f"beban 1 menit {format_float(start, 1)} di awal"
    return f"beban 1 menit {format_float(end, 1)} di akhir"


def provenance_sentence(mode: str, execution: dict | None) -> str:
    """The line every lesson page carries: which mode produced it, how long the lesson took
    and on what machine, e.g. "Halaman ini dari eksekusi mode penuh: 146 dtk pada CPU 2 inti
    (AMD EPYC, x86_64), JAX 0.10.2, 12 Juni 2025 (beban 1 menit 0,4 → 1,9)."."""
    text = f"Halaman ini dari eksekusi {MODE_WORDS[mode]}"
    execution = execution or {}
    seconds = execution.get("seconds")
    if seconds is None:
        return text + " (lama dan mesinnya tidak tercatat)."
    text += f": {format_seconds(float(seconds))}"
    machine = describe_machine(execution.get("machine"))
    text += f" pada {machine}" if machine else " (mesinnya tidak tercatat)"
    date = format_date(execution.get("executed"))
    if date:
        text += f", {date}"
    load = describe_load(execution.get("load_1min_start"), execution.get("load_1min_end"))
    if load:
        text += f" ({load})"
    text += "."
    if execution.get("loaded"):
        text += " Mesinnya sedang sibuk dengan pekerjaan lain, jadi waktunya pesimistis."
    return text


def mode_banner(mode: str) -> tuple[str, str] | None:
    """`(title, text)` of the warning a FAST-built page opens with; None in full mode."""
    return (FAST_BANNER_TITLE, FAST_BANNER) if mode == "fast" else None


def _inline_nodes(text: str) -> list:
    """Text with `code` spans as docutils nodes."""
    from docutils import nodes

    out = []
    for i, part in enumerate(re.split(r"`([^`]+)`", text)):
        if part:
            out.append(nodes.literal(part, part) if i % 2 else nodes.Text(part))
    return out


def mode_nodes(mode: str, execution: dict | None) -> list:
    """The nodes at the top of a lesson page: the FAST banner (a warning admonition that
    also holds the provenance line), or in full mode only the provenance line."""
    from docutils import nodes

    line = nodes.paragraph("", "", *_inline_nodes(provenance_sentence(mode, execution)))
    line["classes"].append("dljax-provenance")
    banner = mode_banner(mode)
    if banner is None:
        return [line]
    title, text = banner
    box = nodes.admonition("", classes=["warning", "dljax-mode-fast"])
    box += nodes.title(title, title)
    box += nodes.paragraph("", "", *_inline_nodes(text))
    box += line
    return [box]


def add_mode_nodes(doctree, mode: str, execution: dict | None) -> None:
    """Put `mode_nodes` right under the page title (at the top when there is none)."""
    from docutils import nodes

    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        parent, index = section, 1
    else:
        parent, index = doctree, 0
    for offset, node in enumerate(mode_nodes(mode, execution)):
        parent.insert(index + offset, node)


@dataclass(frozen=True)
class Chapter:
    folder: str
    title: str
    intro: str
    lessons: tuple[Path, ...]


def chapters() -> list[Chapter]:
    """Chapters from the lesson folders; title and intro from an optional README.md.

    `DLJAX_DOCS_LESSONS=2-mlp/0[12]*` (globs under `lessons/`, comma-separated) builds a
    subset of the site while iterating on the docs, or re-measures some lessons."""
    from fnmatch import fnmatch

    subset = [g for g in os.environ.get("DLJAX_DOCS_LESSONS", "").split(",") if g]
    by_folder: dict[str, list[Path]] = {}
    for path in lessons():
        name = path.relative_to(LESSONS).as_posix()
        if subset and not any(fnmatch(name, glob) for glob in subset):
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
        "```{toctree}\n:caption: Pelajaran\n:maxdepth: 1\n:hidden:\n\n"
        + "\n".join(f"/{name}" for name in docnames)
        + "\n```\n",
    )
    # ... and this list of every chapter with its first sentence
    write_if_changed(DOCS / "_generated" / "daftar-bab.md", chapter_list())
    write_if_changed(DOCS / "_generated" / "mode-situs.md", site_mode_note(mode_name()))
    return docnames


def first_sentence(text: str) -> str:
    """The first sentence of a chapter introduction, on one line."""
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


def chapter_list() -> str:
    """Markdown list of the chapters (home page): title, lesson count, first sentence."""
    lines = []
    for chapter in chapters():
        count = len(chapter.lessons)
        plain = chapter.title.replace("`", "")  # a role's text cannot hold backticks
        item = f"- {{doc}}`{plain} </pelajaran/{chapter.folder}/index>` ({count} pelajaran)"
        if chapter.intro:
            item += ": " + first_sentence(chapter.intro)
        lines.append(item)
    return "\n".join(lines) + "\n"


def site_mode_note(mode: str) -> str:
    """What the home page says about the mode this build executed the lessons in."""
    if mode == "fast":
        return (
            ":::{warning}\n**Situs ini dibangun dalam mode cepat** (`DLJAX_FAST=1`): setiap "
            "pelajaran hanya diperiksa bisa berjalan, dengan pelatihan yang sangat singkat, jadi "
            "gambar dan angkanya belum menunjukkan hasil sebenarnya. `make docs` membangun "
            "versi penuh.\n:::\n"
        )
    return (
        "Situs ini dibangun dalam **mode penuh**: setiap model dilatih seperti saat kamu "
        "menjalankan pelajarannya sendiri.\n"
    )


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
    parser = find_object("build_parser", CLI_MODULES)()
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


# Where the generated pages find the project's registries and parser (the first module that
# has the name wins, so a module moved during a refactoring keeps the site building).
MODEL_MODULES = ("dljax.models", "dljax.recipes")
DATASET_MODULES = ("dljax.data",)
CLI_MODULES = ("dljax.cli",)


def find_object(name: str, modules: tuple[str, ...]):
    """`name` from the first of `modules` that defines it; ImportError naming every try."""
    import importlib

    tried = []
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as err:
            tried.append(f"{module}.{name} ({type(err).__name__}: {err})")
    raise ImportError("tidak ditemukan: " + "; ".join(tried))


def _task_name(task) -> str:
    if isinstance(task, str):
        return task
    for attr in ("label", "kind", "name"):
        value = getattr(task, attr, None)
        if isinstance(value, str):
            return value
    name = getattr(task, "__name__", type(task).__name__)
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Task")).lower()


def catalogue_page() -> str:
    """Models and datasets, straight from the registries."""
    DATASETS = find_object("DATASETS", DATASET_MODULES)
    MODELS = find_object("MODELS", MODEL_MODULES)

    text = "# Katalog model dan dataset\n\n"
    text += (
        "Halaman ini dibuat dari registry model (`MODELS`) dan dataset (`DATASETS`) `dljax` "
        "setiap kali situs dibangun; model atau dataset baru muncul di sini tanpa "
        "menyunting dokumentasi. Di terminal: `dljax list`.\n\n"
    )
    text += f"## Model ({len(MODELS)})\n\n"
    text += "Latih model mana pun dengan `dljax train NAMA` (mis. `dljax train mlp`).\n\n"
    text += "| model | keterangan | tugas | dataset bawaan |\n"
    text += "| --- | --- | --- | --- |\n"
    for name, spec in MODELS.items():
        text += (
            f"| `{name}` | {_cell(spec.description)} | {_cell(_task_name(spec.task))} | "
            f"`{spec.default_dataset}` |\n"
        )
    text += f"\n## Dataset ({len(DATASETS)})\n\n"
    text += "| dataset | keterangan | tanpa internet |\n| --- | --- | --- |\n"
    for name, entry in DATASETS.items():
        offline = "ya" if entry.offline else "tidak (diunduh sekali, lalu di-cache)"
        text += f"| `{name}` | {_cell(entry.description)} | {offline} |\n"
    return text


# ------------------------------------------------------------------------------ results
# A results file (`benchmarks/results/*.json`) becomes one section of the results page: a
# heading, one sentence on what was measured and on what machine (its `description`,
# `machine`, `load_1min_start`/`load_1min_end` fields), compact tables of its records and a
# few bar charts. Files or rows with `"loaded": true` (measured while the machine was busy)
# are greyed out with a note.
META_KEYS = {
    "description",
    "title",
    "machine",
    "cpu_count",
    "jax",
    "jax_backend",
    "backend",
    "platform",
    "processor",
    "gpu",
    "note",
    "loaded",
    "load_1min_start",
    "load_1min_end",
    "load_1min_end_raw",
    "load_average_at_start",
    "what",
    "benchmark",
    "date",
}
SKIPPED_KEYS = {"history", "loaded"}  # per-epoch logs (the row holds the last epoch); a flag
LABELS = {
    "test_accuracy": "akurasi uji",
    "label_accuracy": "akurasi label",
    "target_accuracy": "target akurasi",
    "accuracy": "akurasi",
    "train_time_s": "waktu latih (dtk)",
    "train_seconds": "waktu latih (dtk)",
    "train_cpu_time_s": "waktu CPU latih (dtk)",
    "cpu_time_s": "waktu CPU (dtk)",
    "target_time_s": "target waktu (dtk)",
    "seconds_with_quality": "latih + ukur mutu (dtk)",
    "sample_seconds": "waktu sampling (dtk)",
    "compile_seconds": "waktu kompilasi (dtk)",
    "time_s": "waktu (dtk)",
    "seconds": "waktu (dtk)",
    "steps_per_s": "langkah per detik",
    "samples_per_s": "sampel per detik",
    "tokens_per_s": "token per detik",
    "chars_per_s": "karakter per detik",
    "fd": "FD (jarak Fréchet)",
    "fd_floor": "batas bawah FD",
    "fd_baseline": "baseline FD",
    "speedup": "percepatan (×)",
    "epochs": "epoch",
    "steps": "langkah",
    "samples": "sampel",
    "seed": "seed",
    "meets_targets": "memenuhi target",
    "meets_target": "memenuhi target",
    "num_params": "parameter",
    "params": "parameter",
    "test_loss": "loss uji",
    "train_loss": "loss latih",
    "test_perplexity": "perplexity uji",
    "load_average": "beban 1 menit",
    "load_average_1min": "beban 1 menit",
    "fwd_bwd_ms": "maju + mundur (ms)",
    "iteration_ms": "satu iterasi (ms)",
    "guidance": "guidance",
    "sampler": "sampler",
    "model": "model",
    "difficulty": "tingkat",
    "precision": "precision",
    "recall": "recall",
    "repeats": "ulangan",
    "batch_size": "ukuran batch",
    "dataset": "dataset",
    "characters": "karakter",
    "vocab": "kosakata",
}
MAX_COLUMNS = 12  # wider tables keep their best-known columns (the JSON file has the rest)
QUALITY_METRICS = [r"accuracy$", r"(^|\.)fd$", r"perplexity$", r"precision$", r"recall$"]
QUALITY_METRICS += [r"psnr$", r"loss"]
SPEED_METRICS = [r"_per_s$", r"(speedup|_vs_|_over_)", r"_ms$", r"(seconds|_time_s|_s)$"]
NOT_CHARTED = re.compile(  # settings and context, not measurements (the key's last part)
    r"target\w*|num_\w+|n_\w+|seed|epochs?|repeats|samples|steps|params|\w*bytes\w*|load\w*"
    r"|\w*floor|\w*baseline\w*|\w+_total|\w*version"
)


def _is_scalar(value) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value) -> str:
    from dljax.formatting import format_float, format_int

    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if value is None:
        return "–"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return format_int(int(value))
        magnitude = abs(value)
        if magnitude >= 100:
            digits = 1
        elif magnitude >= 1:
            digits = 2
        elif magnitude >= 0.01:
            digits = 3
        else:  # two significant digits
            digits = 1 - math.floor(math.log10(magnitude)) if magnitude else 1
        return format_float(value, digits)
    return _cell(value)


def _value(key: str, value) -> str:
    """A table cell: accuracies as percentages, numbers the Indonesian way."""
    from dljax.formatting import format_percent

    if _is_number(value) and key.rsplit(".", 1)[-1].endswith("accuracy") and value <= 1:
        return format_percent(value, 1)
    return _number(value)


def label_of(key: str) -> str:
    """Indonesian label of a results key (`dljax.steps_per_s` -> `dljax: langkah per detik`)."""
    prefix, _, last = key.rpartition(".")
    label = LABELS.get(last)
    ratio = re.fullmatch(r"(\w+?)_(?:vs|over)_(\w+)", last)
    if label is None and ratio:
        label = f"{ratio.group(1)} ÷ {ratio.group(2)}"
    elif label is None and re.fullmatch(r"x_\w+", last):
        label = f"× {last[2:]}"
    if label is None:
        tail = re.search(r"([a-z]+_per_s)$", last)
        label = (
            f"{last[: tail.start()].rstrip('_')}: {LABELS[tail.group(1)]}"
            if tail and tail.group(1) in LABELS and tail.start()
            else last
        )
    return f"{prefix}: {label}" if prefix else label


def _known(key: str) -> bool:
    return label_of(key) != key or key in LABELS


def _header(key: str) -> str:
    return label_of(key) if _known(key) else f"`{key}`"


@dataclass
class Row:
    path: tuple[str, ...]  # keys from the file's root; list items as "#<index>"
    values: dict
    loaded: bool = False


def _shape(value) -> str | None:
    """`[8, 8, 1]` -> `8×8×1` (short lists of whole numbers, e.g. image shapes)."""
    if isinstance(value, list) and 0 < len(value) <= 4 and all(isinstance(v, int) for v in value):
        return "×".join(str(v) for v in value)
    return None


def collect_rows(obj, path: tuple[str, ...] = ()) -> list[Row]:
    """The records of a results file as table rows.

    A dict with scalar values is a record: its scalars, and the scalars of child dicts that
    hold only scalars (inlined as `child.key`), form one row; lists of numbers (repeated runs,
    their median is already a field) are left out. A dict without scalars is a collection:
    each child is walked. A list of dicts is a table, one row per item.
    """
    rows: list[Row] = []
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            if isinstance(item, dict):
                rows += collect_rows(item, (*path, f"#{i}"))
        return rows
    if not isinstance(obj, dict):
        return rows
    skip = SKIPPED_KEYS | (META_KEYS if not path else set())
    values = {}
    for key, value in obj.items():
        if key in skip:
            continue
        if _is_scalar(value):
            values[key] = value
        elif _shape(value):
            values[key] = _shape(value)
    children = [(k, v) for k, v in obj.items() if k not in skip and isinstance(v, dict | list)]
    if values or not path:
        for key, value in children:
            flat = isinstance(value, dict) and all(
                _is_scalar(v) or _shape(v) or isinstance(v, list) for v in value.values()
            )
            if flat and path:
                for k, v in value.items():
                    if k not in SKIPPED_KEYS and (_is_scalar(v) or _shape(v)):
                        values[f"{key}.{k}"] = _shape(v) or v
            else:
                rows += collect_rows(value, (*path, key))
    else:
        for key, value in children:
            rows += collect_rows(value, (*path, key))
    if values:
        rows.insert(0, Row(path, values, obj.get("loaded") is True))
    return rows


@dataclass
class Table:
    title: str
    rows: list[Row]
    labels: list[str]
    columns: list[str]
    label_column: bool = True  # False when the labels are made of the rows' own columns


def _overlap(a: set, b: set) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def group_rows(rows: list[Row]) -> list[Table]:
    """Rows of the same kind in one table: same depth and top-level key, and columns that
    mostly agree; the file's own scalars (the root row) are left to the caller."""
    groups: list[list[Row]] = []
    for row in rows:
        if not row.path:
            continue
        kind = (len(row.path), row.path[0] if len(row.path) > 1 else None)
        for group in groups:
            first = group[0]
            if (len(first.path), first.path[0] if len(first.path) > 1 else None) != kind:
                continue
            columns = set().union(*(set(r.values) for r in group))
            if _overlap(columns, set(row.values)) >= 0.5:
                group.append(row)
                break
        else:
            groups.append([row])
    tables = []
    for group in groups:
        names = [tuple(p for p in r.path if not p.startswith("#")) for r in group]
        common = 0
        while all(len(n) > common for n in names) and len({n[common] for n in names}) == 1:
            common += 1
        if len(group) == 1:
            common = len(names[0])
        title = " / ".join(names[0][:common])
        columns = list(dict.fromkeys(k for r in group for k in r.values))
        labels = [" / ".join(n[common:]) for n in names]
        own = any(not label for label in labels) and len(group) > 1
        if own:
            labels = _content_labels(group, columns)
        tables.append(Table(title, group, labels, columns, label_column=not own))
    return tables


def _content_labels(rows: list[Row], columns: list[str]) -> list[str]:
    """Labels for the items of a list: their text fields and the numbers that tell them
    apart (`ddim, langkah 5`)."""
    parts: list[list[str]] = [[] for _ in rows]
    for column in columns:
        values = [r.values.get(column) for r in rows]
        if len({json.dumps(v) for v in values}) <= 1:
            continue
        metric = any(re.search(p, column) for p in QUALITY_METRICS + SPEED_METRICS)
        if all(isinstance(v, str) for v in values):
            for part, v in zip(parts, values, strict=True):
                part.append(v)
        elif not metric and all(_is_number(v) for v in values):
            for part, v in zip(parts, values, strict=True):
                part.append(f"{label_of(column)} {_number(v)}")
            break  # one number tells the rows apart
    return [", ".join(p) or f"#{i + 1}" for i, p in enumerate(parts)]


def _busy(text: str, *, row: bool = False) -> str:
    role = "dljax-sibuk-baris" if row else "dljax-sibuk"
    return f"{{{role}}}`{text.replace('`', '')}`"


def render_table(table: Table) -> str:
    """Markdown of one table: rows × columns, or key/value for a single record; columns
    equal in every row of a longer table are said once under it."""
    if len(table.rows) == 1:
        row = table.rows[0]
        text = "| | nilai |\n| --- | --- |\n"
        for key in table.columns:
            label = _header(key)
            text += f"| {_busy(label, row=True) if row.loaded else label} | "
            text += f"{_value(key, row.values[key])} |\n"
        return text + "\n"
    columns, constant = [], {}
    for key in table.columns:
        values = [r.values.get(key) for r in table.rows]
        if len({json.dumps(v) for v in values}) == 1:
            if values[0] is not None:
                constant[key] = values[0]
        else:
            columns.append(key)
    left_out = 0
    if len(columns) > MAX_COLUMNS:
        ranked = sorted(columns, key=lambda c: (not _known(c), columns.index(c)))
        kept = set(ranked[:MAX_COLUMNS])
        left_out = len(columns) - len(kept)
        columns = [c for c in columns if c in kept]
    if table.label_column:
        header, rule = "| |", "| --- |"
    else:
        header, rule = "|", "|"
    text = header + " " + " | ".join(_header(c) for c in columns) + " |\n"
    text += rule + " --- |" * len(columns) + "\n"
    for label, row in zip(table.labels, table.rows, strict=True):
        cells = [_value(c, row.values[c]) if c in row.values else "" for c in columns]
        if row.loaded:  # greys out the whole row (dljax.css)
            cells[0] = _busy(cells[0] or "–", row=True)
        if table.label_column:
            cells.insert(0, _cell(label))
        text += "| " + " | ".join(cells) + " |\n"
    text += "\n"
    if left_out:
        text += f"{left_out} kolom lain ada di berkas JSON-nya.\n\n"
    if constant:
        text += (
            "Sama untuk semua baris: "
            + "; ".join(f"{_header(k)} {_value(k, v)}" for k, v in constant.items())
            + ".\n\n"
        )
    return text


def chart_columns(table: Table) -> list[list[str]]:
    """The charts worth drawing for a table: up to two quality metrics (accuracy, FD, ...)
    and one speed metric; columns that share a unit (`dljax.steps_per_s`,
    `torch.steps_per_s`) go in one grouped chart."""
    if len(table.rows) < 3:  # two values read better in the table than in a chart
        return []
    candidates = []
    for key in table.columns:
        values = [r.values.get(key) for r in table.rows]
        numbers = [v for v in values if _is_number(v)]
        if (
            len(numbers) < 2
            or len(set(numbers)) < 2
            or NOT_CHARTED.fullmatch(key.rsplit(".", 1)[-1])
        ):
            continue
        if all(float(v).is_integer() for v in numbers) and not key.endswith("_per_s"):
            continue
        candidates.append(key)
    charts: list[list[str]] = []
    for pattern in QUALITY_METRICS:
        if len(charts) == 2:
            break
        hit = next((k for k in candidates if re.search(pattern, k)), None)
        if hit:
            charts.append([hit])
    for pattern in SPEED_METRICS:
        hit = next((k for k in candidates if re.search(pattern, k)), None)
        if hit:
            unit = re.search(r"([a-z]+_per_s)$", hit)
            if unit:
                charts.append([k for k in candidates if k.endswith(unit.group(1))])
            else:
                charts.append([hit])
            break
    return charts


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "_", text).strip("_") or "x"


def plot_bars(
    out: Path,
    labels: list[str],
    series: dict[str, list[float | None]],
    *,
    xlabel: str,
    title: str = "",
    loaded: list[bool] | None = None,
    percent: bool = False,
    budget: tuple[float, str] | None = None,
) -> None:
    """A horizontal bar chart sized for the page (about 760 px wide): one bar per label, or
    one group of bars per label for several series; values written at the bar ends, wrapped
    labels, Indonesian numbers, busy rows (`loaded`) hatched grey, a log axis when the values
    span more than 30×."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from dljax.formatting import format_float, format_int

    loaded = loaded or [False] * len(labels)
    scale = 100.0 if percent else 1.0
    names = list(series)
    plain = [re.sub(r"[*`_]{1,2}(\S(?:.*?\S)?)[*`_]{1,2}", r"\1", label) for label in labels]
    wrapped = ["\n".join(textwrap.wrap(label, 30)) or "–" for label in plain]
    lines = sum(max(1, w.count("\n") + 1) for w in wrapped)
    height = 1.5 + 0.3 * max(lines, len(labels) * len(names))
    fig, ax = plt.subplots(figsize=(7.6, height), dpi=100, layout="constrained")
    values = [v * scale for s in series.values() for v in s if v is not None]
    positive = [v for v in values if v > 0]
    log = bool(positive) and min(positive) > 0 and max(positive) / min(positive) > 30
    width = 0.8 / len(names)
    colors = ["#3b7dd8", "#e07b39", "#4aa564", "#9467bd", "#8c564b"]

    def fmt(value: float) -> str:
        magnitude = abs(value)
        digits = 0 if magnitude >= 1000 else 1 if magnitude >= 10 or percent else 2
        digits = 3 if magnitude < 1 and not percent else digits
        return format_float(value, digits) + (" %" if percent else "")

    for s, name in enumerate(names):
        for i, value in enumerate(series[name]):
            if value is None:
                continue
            y = i + (s - (len(names) - 1) / 2) * width
            busy = loaded[i]
            ax.barh(
                y,
                value * scale,
                height=width * 0.9,
                color="#b8b8b8" if busy else colors[s % len(colors)],
                hatch="//" if busy else None,
                edgecolor="white" if busy else None,
            )
            ax.text(value * scale, y, " " + fmt(value * scale), va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), wrapped, fontsize=9)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        ax.set_xlim(min(positive) / 2, max(positive) * 6)
    elif values:
        low = min(0.0, min(values))
        ax.set_xlim(low, max(values) * 1.22 if max(values) > 0 else 1)

    def tick(value: float, _) -> str:
        if float(value).is_integer():
            return format_int(int(value)) + (" %" if percent else "")
        return format_float(value, max(1, min(3, 1 - math.floor(math.log10(abs(value))))))

    ax.xaxis.set_major_formatter(FuncFormatter(tick))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(xlabel, fontsize=9)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    if budget:
        ax.axvline(budget[0], color="#c0392b", linestyle="--", linewidth=1)
    handles = []
    if len(names) > 1:
        handles += [Patch(color=colors[i % len(colors)], label=n) for i, n in enumerate(names)]
    if any(loaded):
        handles.append(Patch(facecolor="#b8b8b8", hatch="//", label="diukur saat mesin sibuk"))
    if budget:
        handles.append(plt.Line2D([], [], color="#c0392b", linestyle="--", label=budget[1]))
    if handles:
        fig.legend(
            handles=handles,
            fontsize=8,
            loc="outside lower center",
            ncol=min(4, len(handles)),
            frameon=False,
        )
    ax.spines[["top", "right"]].set_visible(False)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)


def plot_metric(name: str, rows: list[tuple[str, float]], out: Path) -> None:
    """One bar per `(label, value)`, labelled `name` (a chart of one measured quantity)."""
    plot_bars(out, [r[0] for r in rows], {name: [r[1] for r in rows]}, xlabel=name)


def _figure(image: Path, alt: str, caption: str) -> str:
    where = "/" + image.relative_to(DOCS).as_posix() if image.is_relative_to(DOCS) else image
    return f"```{{figure}} {where}\n:alt: {alt}\n:width: 100%\n\n{caption}\n```\n\n"


def table_chart(table: Table, columns: list[str], image: Path) -> str:
    """Draw the chart of `columns` of a table (rows that have them) and return its figure."""
    keep = [
        i for i, row in enumerate(table.rows) if any(_is_number(row.values.get(c)) for c in columns)
    ]
    series = {}
    for column in columns:
        name = column.rsplit(".", 1)[0] if len(columns) > 1 else label_of(column)
        series[name] = [
            v if _is_number(v := table.rows[i].values.get(column)) else None for i in keep
        ]
    unit = label_of(columns[0].rsplit(".", 1)[-1] if len(columns) > 1 else columns[0])
    percent = columns[0].endswith("accuracy")
    plot_bars(
        image,
        [table.labels[i] for i in keep],
        series,
        xlabel=unit + (" (%)" if percent else ""),
        loaded=[table.rows[i].loaded for i in keep],
        percent=percent,
    )
    where = f" ({table.title})" if table.title else ""
    return _figure(image, f"{unit}{where}", f"{unit[0].upper()}{unit[1:]}{where}.")


def file_machine(data: dict) -> dict | None:
    """The machine of a results file: its `machine` dict (or string), completed with the
    top-level `cpu_count`, `jax` and backend fields that older files have."""
    raw = data.get("machine")
    machine = dict(raw) if isinstance(raw, dict) else {"processor": raw} if raw else {}
    for key in ("cpu_count", "jax", "jax_backend", "backend", "gpu"):
        if data.get(key) is not None and key not in machine:
            machine[key] = data[key]
    return machine or None


# A file written before benchmarks recorded their load (`measure.Session`): its numbers may
# come from a busy machine.
NOT_REMEASURED = (
    "**Belum diukur ulang di mesin yang sepi**: beban mesin saat berkas ini ditulis tidak "
    "tercatat, jadi waktunya bisa jauh terlalu lambat; anggap angkanya perkiraan."
)


def file_sentence(path: Path, data: dict) -> str:
    """What was measured (the file's description) and on what machine."""
    text = ""
    description = data.get("description") or data.get("what")
    if isinstance(description, str) and description.strip():
        description = description.strip()
        text += description[0].upper() + description[1:]
        text += "" if text.endswith(".") else "."
        text += " "
    if "load_1min_start" not in data:
        text += NOT_REMEASURED + " "
    machine = describe_machine(file_machine(data))
    start = data.get("load_1min_start", data.get("load_average_at_start"))
    load = describe_load(start, data.get("load_1min_end"))
    if machine or load:
        text += "Diukur pada " + (machine or "mesin yang tidak tercatat")
        text += f" ({load})." if load else "."
        text += " "
    script = ROOT / "benchmarks" / f"{path.stem}.py"
    text += f"Berkas `{path.name}`"
    text += f", ditulis oleh `benchmarks/{script.name}`." if script.exists() else "."
    return text


def results_section(path: Path, data, images: Path, written: set[Path]) -> str:
    """One results file as a section of the results page."""
    title = data.get("title") if isinstance(data, dict) else None
    text = f"## {title or path.stem.replace('_', ' ').capitalize()}\n\n"
    if not isinstance(data, dict):
        return text + f"Berkas `{path.name}` bukan objek JSON.\n\n"
    if is_lesson_times(data):
        text = f"## {title or 'Lama setiap pelajaran'}\n\n"
        return text + lesson_times_section(path, data, images, written)
    body = file_sentence(path, data) + "\n\n"
    if isinstance(data.get("note"), str):
        body += f"Catatan: {data['note']}\n\n"
    rows = collect_rows(data)
    root = next((r for r in rows if not r.path), None)
    if root:
        body += render_table(Table("", [root], [""], list(root.values)))
    for table in group_rows(rows):
        if table.title:
            body += f"**`{table.title}`**\n\n"
        body += render_table(table)
        for columns in chart_columns(table):
            image = images / f"{path.stem}-{_slug(table.title)}-{_slug(columns[0])}.png"
            body += table_chart(table, columns, image)
            written.add(image)
    if data.get("loaded") is True:
        load = describe_load(
            data.get("load_1min_start", data.get("load_average_at_start")),
            data.get("load_1min_end"),
        )
        warning = (
            ":::{warning}\nDiukur saat mesin sedang sibuk dengan pekerjaan lain"
            + (f" ({load})" if load else "")
            + ": waktu di bagian ini pesimistis dan belum bisa dibandingkan.\n:::\n\n"
        )
        return text + warning + "::::{container} dljax-loaded\n" + body + "::::\n\n"
    return text + body


def is_lesson_times(data: dict) -> bool:
    return any(isinstance(data.get(m), dict) for m in ("fast", "full")) and (
        "fast" in data and "full" in data
    )


def lesson_times_section(path: Path, data: dict, images: Path, written: set[Path]) -> str:
    """lessons.json: seconds per lesson in each mode, where and when they were measured."""
    from dljax.formatting import format_float

    data = migrate_lesson_times(data)
    text = (
        "Lama setiap pelajaran dijalankan saat situs dibangun, dalam mode cepat "
        "(`DLJAX_FAST=1`, pemeriksaan singkat yang dijalankan pengujian) dan mode penuh "
        "(yang ditampilkan situs; anggarannya ≤ 5 menit per pelajaran di CPU 2 inti). "
        f"Berkas `{path.name}`, ditulis oleh `make docs` dan `make docs-fast`.\n\n"
    )
    modes = {m: data[m] for m in ("fast", "full") if isinstance(data.get(m), dict)}
    for mode, record in modes.items():
        text += f"- **{MODE_WORDS[mode].capitalize()}**: "
        parts = []
        date = format_date(record.get("date"))
        if date:
            parts.append(f"build terakhir {date}")
        machine = describe_machine(record.get("machine"))
        if machine:
            parts.append(f"pada {machine}")
        load = describe_load(record.get("load_1min_start"), record.get("load_1min_end"))
        if load:
            parts.append(load)
        others = [
            n for n, r in record.get("lessons", {}).items() if "machine" in r and r["machine"]
        ]
        if others:
            parts.append(f"{len(others)} pelajaran diukur di mesin lain")
        text += ", ".join(parts) or "mesin tidak tercatat"
        text += " (mesin sibuk)." if record.get("loaded") else "."
        text += "\n"
    if not modes:
        return text + "Belum ada pengukuran.\n\n"
    if data.get("full") is None:
        text += "- **Mode penuh**: belum diukur (`make docs` di mesin yang sepi).\n"
    text += "\n"
    names = sorted(
        {n for r in modes.values() for n in r.get("lessons", {})},
        key=lambda n: (chapter_key(n.split("/")[0]), n),
    )
    shown = {f"{p.parent.name}/{p.stem}" for c in chapters() for p in c.lessons}

    def title(name: str) -> str:
        source = LESSONS / f"{name}.py"
        return lesson_title(source) if source.exists() else name

    def busy(mode: str, name: str) -> bool:
        record = modes[mode]
        lesson = record["lessons"].get(name, {})
        return bool(lesson.get("loaded", record.get("loaded")))

    text += "| pelajaran | " + " | ".join(f"{MODE_WORDS[m]} (dtk)" for m in modes) + " |\n"
    text += "| --- |" + " --- |" * len(modes) + "\n"
    for name in names:
        label = _cell(title(name))
        if name in shown:
            plain = label.replace("`", "")  # a role's text cannot hold backticks
            label = f"{{doc}}`{plain} </pelajaran/{name}>`"
        cells = []
        for mode, record in modes.items():
            lesson = record["lessons"].get(name)
            if not lesson or lesson.get("seconds") is None:
                cells.append("")
                continue
            value = format_float(float(lesson["seconds"]), 1)
            cells.append(_busy(value) if busy(mode, name) else value)
        text += f"| {label} | " + " | ".join(cells) + " |\n"
    text += "\nAngka abu-abu diukur saat mesin sibuk dengan pekerjaan lain (pesimistis).\n\n"
    for mode, record in modes.items():
        lessons_ = [n for n in names if n in record["lessons"]]
        lessons_ = [n for n in lessons_ if record["lessons"][n].get("seconds") is not None]
        if len(lessons_) < 2:
            continue
        image = images / f"{path.stem}-{mode}.png"
        plot_bars(
            image,
            [title(n) for n in lessons_],
            {MODE_WORDS[mode]: [float(record["lessons"][n]["seconds"]) for n in lessons_]},
            xlabel="detik per pelajaran",
            loaded=[busy(mode, n) for n in lessons_],
            budget=(300.0, "anggaran 5 menit") if mode == "full" else None,
        )
        written.add(image)
        caption = f"Lama setiap pelajaran dalam {MODE_WORDS[mode]}."
        text += _figure(image, f"detik per pelajaran, {MODE_WORDS[mode]}", caption)
    return text


def results_page(
    results: Path = ROOT / "benchmarks" / "results",
    images: Path = DOCS / "_generated" / "hasil",
) -> str:
    """Every results file as a readable section (see `results_section`)."""
    text = "# Hasil terukur\n\n"
    text += (
        "Angka-angka ini dibaca dari `benchmarks/results/*.json` setiap kali situs dibangun "
        "(skrip di `benchmarks/` menulisnya; tidak ada angka yang diketik ulang di sini). "
        "Setiap bagian menyebut apa yang diukur dan di mesin apa. Angka yang diukur saat "
        "mesin sedang sibuk dengan pekerjaan lain tampil abu-abu: waktunya pesimistis. "
        "Angka akurasi bawaan di README dijaga oleh `tests/test_golden_metrics.py`.\n\n"
    )
    written: set[Path] = set()
    for path in sorted(results.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            text += f"## {path.stem}\n\nBerkas `{path.name}` tidak bisa dibaca: {err}.\n\n"
            continue
        text += results_section(path, data, images, written)
    if images.exists():
        for stale in images.glob("*.png"):
            if stale not in written:
                stale.unlink()
    return text


# ------------------------------------------------------------------------------ lessons.json
LESSONS_JSON_DESCRIPTION = (
    "Seconds to execute each lesson in FAST (DLJAX_FAST=1) and full mode, recorded by the "
    "docs build from its jupyter-cache. Per mode: the date, machine and 1-minute load average "
    "at the start and end of the last build of that mode, and per lesson its seconds, when "
    "it executed, the load at its start and end, and its machine where that differs from "
    "the mode's (null: not recorded). A build of a subset of the lessons updates only those. "
    + LOAD_RULE
    + "."
)
LEGACY_KEYS = ("cpu_count", "fast_load_average_1min", "full_load_average_1min")


def migrate_lesson_times(current: dict) -> dict:
    """lessons.json in the current schema (older files had `{lesson: seconds}` per mode)."""
    out = {k: v for k, v in current.items() if k not in LEGACY_KEYS}
    out["description"] = LESSONS_JSON_DESCRIPTION
    cpus = current.get("cpu_count")
    for mode in ("fast", "full"):
        value = current.get(mode)
        if isinstance(value, dict) and "lessons" not in value:
            end = current.get(f"{mode}_load_average_1min")
            out[mode] = {
                "date": None,
                "machine": {"cpu_count": cpus} if cpus else None,
                "load_1min_start": None,
                "load_1min_end": end,
                "loaded": end is not None and end > 1.5 * (cpus or 1),
                "lessons": {n: {"seconds": s} for n, s in value.items()},
            }
        else:
            out[mode] = value
    if out.get("full") is None:
        out["note"] = "full-mode seconds not measured yet: run `make docs` on a quiet machine"
    else:
        out.pop("note", None)
    return out


def merge_lesson_times(current: dict, mode: str, build: dict, lessons_: dict[str, dict]):
    """lessons.json after a build of `mode` that saw `lessons_` (`execution_record`s):
    lessons the build did not see keep their records (a subset build updates only its
    own); a lesson record names its machine only where it differs from the build's."""
    current = migrate_lesson_times(current)
    old = current.get(mode) or {}
    merged = {}
    for name, record in (old.get("lessons") or {}).items():
        merged[name] = {**record, "machine": record.get("machine", old.get("machine"))}
    for name, record in lessons_.items():
        previous = merged.get(name)
        same_run = previous and previous.get("seconds") == record.get("seconds")
        if record.get("machine") is None and same_run:
            continue  # an execution recorded before, with more detail than the cache keeps
        merged[name] = dict(record)
    machine = build.get("machine")
    out = {}
    for name in sorted(merged, key=lambda n: (chapter_key(n.split("/")[0]), n)):
        record = dict(merged[name])
        if "load_1min_start" in record:  # judged by today's rule, whenever it was recorded
            cpus = (record.get("machine") or machine or {}).get("cpu_count")
            start, end = record["load_1min_start"], record.get("load_1min_end")
            settled = record.get("load_1min_end_raw") is not None
            record["loaded"] = is_loaded(start, end, cpus, build=False, settled=settled)
        if record.get("machine") == machine:
            record.pop("machine")
        out[name] = record
    start, end = build.get("load_1min_start"), build.get("load_1min_end")
    cpus = (machine or {}).get("cpu_count")
    current[mode] = {
        "date": build.get("date"),
        "machine": machine,
        "load_1min_start": start,
        "load_1min_end": end,
        "loaded": is_loaded(start, end, cpus, build=True),
        "lessons": out,
    }
    return migrate_lesson_times(current)


# ------------------------------------------------------------------------------ sphinx
BUILD: dict = {}  # this build: mode, date, machine, load at the start, cache records before it


def lesson_path(docname: str) -> Path | None:
    """The lesson source of a page `pelajaran/<chapter>/<lesson>`, or None."""
    if not docname.startswith("pelajaran/") or docname.endswith("/index"):
        return None
    path = LESSONS / f"{docname.removeprefix('pelajaran/')}.py"
    return path if path.is_file() else None


def _record_keys(fast: bool) -> set[str]:
    from jupyter_cache import get_cache

    folder = cache_dir(fast)
    if not folder.exists():
        return set()
    return {_record_key(r) for r in get_cache(str(folder)).list_cache_records()}


def builder_inited(app) -> None:
    mode = app.config.dljax_mode
    BUILD.clear()
    BUILD.update(
        mode=mode,
        date=now_iso(),
        machine=machine_info(),
        load_1min_start=load_1min(),
        known=_record_keys(mode == "fast"),
        starts={},
    )
    generate_all(app)


def source_read(app, docname, source) -> None:
    """Before MyST-NB executes a lesson: in full mode, when the cache does not hold it, wait
    for a quiet machine (`wait_for_quiet`); then note the load at the lesson's start."""
    path = lesson_path(docname)
    if path is None:
        return
    if app.config.dljax_mode == "full" and not in_cache(path):
        BUILD.setdefault("starts", {})[docname] = wait_for_quiet()
    else:
        BUILD.setdefault("starts", {})[docname] = load_1min()


def in_cache(path: Path) -> bool:
    """Whether the build's jupyter-cache holds an execution of the lesson as it is now."""
    from jupyter_cache import get_cache

    folder = cache_dir()
    if not folder.exists():
        return False
    try:
        return get_cache(str(folder)).match_cache_notebook(read_lesson(path)) is not None
    except KeyError:
        return False


def doctree_read(app, doctree) -> None:
    """After MyST-NB executed (or fetched) a lesson: record where a new execution ran."""
    docname = app.env.docname
    path = lesson_path(docname)
    if path is None or not BUILD:
        return
    fast = BUILD["mode"] == "fast"
    record = cached_record(path, fast)
    if record is None or _record_key(record) in BUILD["known"]:
        return
    if _record_key(record) in read_provenance(fast):
        return
    seconds = (record.data or {}).get("execution_seconds")
    start = BUILD["starts"].get(docname)
    if fast:
        execution = execution_record(seconds, BUILD["machine"], start, load_1min())
    else:  # the next lesson would wait for this decay anyway (`source_read`)
        raw = load_1min()
        settled = wait_for_quiet()
        execution = execution_record(seconds, BUILD["machine"], start, settled, load_end_raw=raw)
    record_provenance(record, execution, fast=fast)


def doctree_resolved(app, doctree, docname) -> None:
    """Every lesson page says which mode produced it, how long and where (FAST: a banner)."""
    path = lesson_path(docname)
    if path is None:
        return
    mode = app.config.dljax_mode
    add_mode_nodes(doctree, mode, lesson_provenance(path, mode == "fast"))


def _busy_role(classes: list[str]):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        from docutils import nodes

        return [nodes.inline(rawtext, text, classes=classes)], []

    return role


def generate_all(app=None) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    generate_lessons()
    try:
        generate_cli()
    except ImportError as err:
        logger.warning(f"dljax_docs: halaman perintah tidak dibuat: {err}")
        write_if_changed(
            DOCS / "perintah" / "index.md",
            "# Perintah `dljax`\n\nDaftar perintah tidak bisa dibuat saat situs ini dibangun.\n",
        )
    try:
        catalogue = catalogue_page()
    except ImportError as err:
        logger.warning(f"dljax_docs: katalog tidak dibuat: {err}")
        catalogue = (
            "# Katalog model dan dataset\n\nKatalog tidak bisa dibuat saat situs ini dibangun.\n"
        )
    write_if_changed(DOCS / "katalog.md", catalogue)
    write_if_changed(DOCS / "hasil.md", results_page())


def write_lesson_times(app, exception) -> None:
    """After a build, record each lesson's execution (seconds, machine, load) for the mode
    built in the JSON named by $DLJAX_LESSONS_JSON (`make docs` and `make docs-fast` set it
    to benchmarks/results/lessons.json); see `merge_lesson_times`."""
    target = os.environ.get("DLJAX_LESSONS_JSON")
    if exception is not None or not target or not BUILD:
        return
    mode = BUILD["mode"]
    seen = {}
    for docname in sorted(app.env.found_docs):
        path = lesson_path(docname)
        execution = lesson_provenance(path, mode == "fast") if path else None
        if execution and execution.get("seconds") is not None:
            seen[docname.removeprefix("pelajaran/")] = execution
    build = {
        "date": BUILD["date"],
        "machine": BUILD["machine"],
        "load_1min_start": BUILD["load_1min_start"],
        "load_1min_end": load_1min(),
    }
    path = Path(target)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current = merge_lesson_times(current, mode, build, seen)
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app):
    app.add_config_value("dljax_mode", "full", "env", types=[str])  # a new mode re-reads all
    app.add_role("dljax-sibuk", _busy_role(["dljax-sibuk"]))
    app.add_role("dljax-sibuk-baris", _busy_role(["dljax-sibuk-baris"]))
    app.connect("builder-inited", builder_inited)
    app.connect("source-read", source_read)
    app.connect("doctree-read", doctree_read)
    app.connect("doctree-resolved", doctree_resolved)
    app.connect("build-finished", write_lesson_times)
    return {"parallel_read_safe": False, "parallel_write_safe": True}


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
