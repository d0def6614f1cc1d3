"""What the site machinery writes, checked without building the site: the mode banner and
provenance line of a lesson page, lessons.json, the results page, the chapter list and the
chapters' introductions. Fast: nothing here executes a lesson."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_from_doctree
from docutils.utils import new_document

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import dljax_docs  # noqa: E402

MACHINE = {
    "cpu_count": 2,
    "cpu_model": "AMD EPYC",
    "processor": "x86_64",
    "platform": "Linux-6.1-x86_64",
    "python": "3.11.7",
    "jax": "0.10.2",
}
EXECUTION = {
    "seconds": 146.21,
    "executed": "2025-06-12T10:00:00+07:00",
    "load_1min_start": 0.42,
    "load_1min_end": 1.9,
    "loaded": False,
    "machine": MACHINE,
}


def lesson_page(mode: str, execution: dict | None) -> str:
    """A one-section page with the nodes a lesson page gets, as HTML."""
    doc = new_document("<lesson>")
    section = nodes.section(ids=["vektor"])
    section += nodes.title("1.1 Vektor", "1.1 Vektor")
    section += nodes.paragraph("", "Hampir semua yang kita olah adalah vektor.")
    doc += section
    dljax_docs.add_mode_nodes(doc, mode, execution)
    page = publish_from_doctree(doc, writer="html5").decode("utf-8")
    return page[page.index("<body>") :]


def test_a_fast_page_carries_the_banner_and_a_full_page_does_not():
    fast = lesson_page("fast", {**EXECUTION, "seconds": 43.8})
    full = lesson_page("full", EXECUTION)
    assert "dljax-mode-fast" in fast and "Mode cepat" in fast
    assert "belum terlatih" in fast and "make docs" in fast
    assert "dljax-mode-fast" not in full and "Mode cepat" not in full
    assert "admonition" not in full
    # both say which mode produced them, right under the title
    assert "Halaman ini dari eksekusi mode cepat: 44 dtk" in fast
    assert "Halaman ini dari eksekusi mode penuh: 146 dtk" in full
    for page in (fast, full):
        assert (
            page.index("1.1 Vektor</h")
            < page.index("Halaman ini dari eksekusi")
            < page.index("Hampir")
        )
    assert dljax_docs.mode_banner("full") is None
    assert dljax_docs.mode_banner("fast")[0] == "Mode cepat"


def test_provenance_sentence_says_mode_seconds_machine_date_and_load():
    assert dljax_docs.provenance_sentence("full", EXECUTION) == (
        "Halaman ini dari eksekusi mode penuh: 146 dtk pada CPU 2 inti (AMD EPYC, x86_64), "
        "JAX 0.10.2, 12 Juni 2025 (beban 1 menit 0,4 → 1,9)."
    )
    busy = dljax_docs.provenance_sentence("fast", {**EXECUTION, "seconds": 8.44, "loaded": True})
    assert busy.startswith("Halaman ini dari eksekusi mode cepat: 8,4 dtk pada CPU 2 inti")
    assert busy.endswith("sibuk dengan pekerjaan lain, jadi waktunya pesimistis.")
    unknown = dljax_docs.provenance_sentence("full", {"seconds": 1234.5, "machine": None})
    assert unknown == "Halaman ini dari eksekusi mode penuh: 1.234 dtk (mesinnya tidak tercatat)."
    assert "tidak tercatat" in dljax_docs.provenance_sentence("fast", None)


def test_machine_descriptions():
    gpu = {**MACHINE, "cpu_count": 16, "gpu": ["NVIDIA H200"]}
    assert dljax_docs.describe_machine(gpu) == "GPU NVIDIA H200 (CPU 16 inti), JAX 0.10.2"
    legacy = {"processor": "x86_64", "cpu_count": 2}  # a results file's `machine: "x86_64"`
    assert dljax_docs.describe_machine(legacy) == "CPU 2 inti (x86_64)"
    assert dljax_docs.describe_machine(None) is None
    info = dljax_docs.machine_info()
    assert info["cpu_count"] and info["platform"] and "jax" in info


def test_modes_and_caches(monkeypatch):
    monkeypatch.delenv("DLJAX_FAST", raising=False)
    assert dljax_docs.mode_name() == "full"  # unset: full mode, as the lessons read it
    monkeypatch.setenv("DLJAX_FAST", "1")
    assert dljax_docs.mode_name() == "fast"
    monkeypatch.setenv("DLJAX_FAST", "0")
    assert dljax_docs.mode_name() == "full"
    assert dljax_docs.cache_dir(True) != dljax_docs.cache_dir(False)


def test_lesson_times_merge_subset_builds_and_name_other_machines():
    legacy = json.loads((ROOT / "benchmarks" / "results" / "lessons.json").read_text())
    current = dljax_docs.migrate_lesson_times(legacy)
    assert "cpu_count" not in current and current["fast"]["lessons"], current
    first = {"date": "2025-06-12T10:00:00+07:00", "machine": MACHINE}
    first |= {"load_1min_start": 0.2, "load_1min_end": 1.8}
    runs = {"1-maths/01-vektor": EXECUTION, "2-mlp/01-autograd": {**EXECUTION, "seconds": 90.0}}
    once = dljax_docs.merge_lesson_times({}, "full", first, runs)
    full = once["full"]
    assert full["machine"] == MACHINE and full["loaded"] is False
    assert set(full["lessons"]) == set(runs)
    assert "machine" not in full["lessons"]["1-maths/01-vektor"]  # same as the build's
    other = {**MACHINE, "cpu_count": 16, "gpu": ["NVIDIA H200"]}
    second = {**first, "machine": other, "load_1min_start": 3.5}
    rerun = {"2-mlp/01-autograd": {**EXECUTION, "seconds": 20.0, "machine": other}}
    twice = dljax_docs.merge_lesson_times(once, "full", second, rerun)["full"]
    assert twice["lessons"]["2-mlp/01-autograd"]["seconds"] == 20.0
    assert twice["lessons"]["1-maths/01-vektor"]["machine"] == MACHINE  # kept, named
    assert twice["machine"] == other and twice["loaded"] is False  # 3,5 on 16 cores: quiet
    assert dljax_docs.is_loaded(1.5, None, 2, build=True) is True
    assert once.get("fast") is None and "note" not in twice


def test_a_lesson_is_judged_by_the_load_at_its_start():
    """On 2 cores a lesson that starts above 1,5 is loaded, whatever its own work drives the
    load to at its end; a merge re-judges records written under an older rule."""
    assert dljax_docs.is_loaded(1.5, 3.9, 2, build=False) is False
    assert dljax_docs.is_loaded(1.51, 0.1, 2, build=False) is True
    assert dljax_docs.is_loaded(3.5, None, 16, build=False) is False
    # an end taken after the lesson's own load decayed is judged like the start
    assert dljax_docs.is_loaded(1.2, 1.4, 2, build=False, settled=True) is False
    assert dljax_docs.is_loaded(1.2, 1.9, 2, build=False, settled=True) is True
    settled = dljax_docs.execution_record(60.0, MACHINE, 1.2, 1.9, load_end_raw=2.1)
    assert settled["load_1min_end_raw"] == 2.1 and settled["loaded"] is True
    assert "load_1min_end_raw" not in dljax_docs.execution_record(60.0, MACHINE, 1.2, 1.9)
    old = {**EXECUTION, "load_1min_start": 1.89, "loaded": False}
    merged = dljax_docs.merge_lesson_times(
        {}, "full", {"machine": MACHINE}, {"6-diffusion/02-ddpm-ddim": old}
    )
    assert merged["full"]["lessons"]["6-diffusion/02-ddpm-ddim"]["loaded"] is True
    busy_end = {**EXECUTION, "load_1min_start": 1.2, "load_1min_end": 1.8, "loaded": False}
    merged = dljax_docs.merge_lesson_times(
        {},
        "full",
        {"machine": MACHINE},
        {"a/b": busy_end, "a/c": {**busy_end, "load_1min_end_raw": 2.0}},
    )
    assert merged["full"]["lessons"]["a/b"]["loaded"] is False  # a raw end: not judged
    assert merged["full"]["lessons"]["a/c"]["loaded"] is True


def test_wait_for_quiet_polls_until_the_load_falls_or_the_time_is_up(monkeypatch):
    monkeypatch.setattr(dljax_docs.os, "cpu_count", lambda: 2)
    loads, slept = iter([2.4, 1.9, 1.4, 0.2]), []
    load = dljax_docs.wait_for_quiet(60, poll=5, load=lambda: next(loads), sleep=slept.append)
    assert load == 1.4 and slept == [5, 5]
    slept.clear()
    load = dljax_docs.wait_for_quiet(10, poll=5, load=lambda: 3.0, sleep=slept.append)
    assert load == 3.0 and slept == [5, 5]  # gave up after `timeout` seconds
    assert dljax_docs.wait_for_quiet(10, load=lambda: None, sleep=slept.append) is None


def test_results_page_reads_like_a_report(tmp_path):
    page = dljax_docs.results_page(images=tmp_path)
    files = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    sections = re.split(r"^## ", page, flags=re.MULTILINE)[1:]
    assert len(sections) == len(files)
    for path, section in zip(files, sections, strict=True):
        assert f"`{path.name}`" in section, path.name
    assert "| kunci | nilai |" not in page  # no raw dump of every leaf
    rows = [line for line in page.splitlines() if line.startswith("|")]
    assert len(rows) < 400, len(rows)
    widths = {line.count(" | ") for line in rows}
    assert max(widths) <= dljax_docs.MAX_COLUMNS, max(widths)
    charts = re.findall(r"^```\{figure\} (\S+)", page, flags=re.MULTILINE)
    assert 3 <= len(charts) <= 3 * len(files), charts
    assert all(Path(c).exists() for c in charts)


def test_results_file_sentence_tables_and_busy_rows(tmp_path):
    data = {
        "description": "langkah latih per detik tiga model",
        "machine": {"cpu_count": 4, "processor": "x86_64", "jax": "0.10.2"},
        "load_1min_start": 0.5,
        "load_1min_end": 3.2,
        "loaded": False,
        "runs": [
            {"model": "mlp", "steps_per_s": 230.5, "test_accuracy": 0.978},
            {"model": "cnn", "steps_per_s": 1.44, "test_accuracy": 0.989, "loaded": True},
            {"model": "vit", "steps_per_s": 12.3, "test_accuracy": 0.978},
        ],
    }
    section = dljax_docs.results_section(tmp_path / "contoh.json", data, tmp_path, set())
    assert section.startswith("## Contoh\n\nLangkah latih per detik tiga model. Diukur pada ")
    assert "CPU 4 inti (x86_64), JAX 0.10.2 (beban 1 menit 0,5 → 3,2)" in section
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| model | langkah per detik | akurasi uji |"
    assert "| {dljax-sibuk-baris}`cnn` | 1,44 | 98,9 % |" in rows
    assert "dljax-loaded" not in section
    busy = dljax_docs.results_section(
        tmp_path / "contoh.json", {**data, "loaded": True}, tmp_path, set()
    )
    assert "::::{container} dljax-loaded" in busy and "sedang sibuk" in busy
    # today's files: no description, machine as a string, load under another name
    legacy = {"machine": "x86_64", "cpu_count": 2, "load_average_at_start": 12.2, "x": 1.5}
    text = dljax_docs.results_section(tmp_path / "lama.json", legacy, tmp_path, set())
    assert "Diukur pada CPU 2 inti (x86_64) (beban 1 menit 12,2 di awal)." in text


def test_chapter_list_and_readmes(monkeypatch):
    monkeypatch.delenv("DLJAX_DOCS_LESSONS", raising=False)
    chapters = dljax_docs.chapters()
    listing = dljax_docs.chapter_list()
    folders = sorted({p.parent.name for p in dljax_docs.lessons()})
    assert [c.folder for c in chapters] == sorted(folders, key=dljax_docs.chapter_key)
    for chapter in chapters:
        number = chapter.folder.split("-")[0]
        readme = ROOT / "lessons" / chapter.folder / "README.md"
        assert readme.is_file(), f"{chapter.folder} has no README.md"
        assert re.match(rf"Bab {number}: \S", chapter.title), chapter.title
        assert chapter.intro, f"{chapter.folder}/README.md has no introduction"
        assert f"</pelajaran/{chapter.folder}/index>" in listing
    assert "mode cepat" in dljax_docs.site_mode_note("fast")
    assert "warning" not in dljax_docs.site_mode_note("full")


def test_a_subset_build_takes_comma_separated_globs(monkeypatch):
    monkeypatch.setenv("DLJAX_DOCS_LESSONS", "1-maths/01-*,6-diffusion/0[23]-*")
    chapters = {c.folder: [p.stem for p in c.lessons] for c in dljax_docs.chapters()}
    assert chapters == {
        "1-maths": ["01-vektor"],
        "6-diffusion": ["02-ddpm-ddim", "03-guidance"],
    }


@pytest.mark.parametrize("source", dljax_docs.lessons(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_lesson_opens_without_empty_code_cells(source):
    """Colab and Jupyter show every cell of the notebook (the site drops empty ones)."""
    nb = dljax_docs.read_lesson(source)
    empty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not c.source.strip()]
    assert not empty, (
        f"{source.relative_to(ROOT)}: empty code cells {empty}; delete their `# %%` lines and "
        f"run `jupytext --sync {source.relative_to(ROOT)}`"
    )
