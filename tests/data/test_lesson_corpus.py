"""The embedded corpus `pelajaran.txt` is the lessons' prose, rebuilt by `make corpus`."""

from pathlib import Path

from dljax.data import lesson_corpus, text

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


def test_committed_corpus_is_up_to_date_with_the_lessons():
    committed = lesson_corpus.corpus_path().read_text("utf-8")
    assert committed == lesson_corpus.lesson_prose(LESSONS), "run: make corpus"
    assert lesson_corpus.main(["--check"]) == 0


def test_markdown_becomes_plain_paragraphs():
    source = (
        "# %%\nx = 1\n# %% [markdown]\n# ## Judul **tebal**\n#\n# Baris [tautan](http://a.b)\n"
        "# dan `kode`.\n#\n# ```python\n# tidak_ikut()\n# ```\n#\n# $$\n# a^2\n# $$\n"
        "#\n# - butir *satu*\n"
    )
    cells = lesson_corpus.markdown_cells(source)
    assert len(cells) == 1
    assert lesson_corpus.plain_text(cells[0]) == "Judul tebal\nBaris tautan dan kode.\nbutir satu"


def test_embedded_corpus_holds_both_files():
    corpus = text.embedded_corpus()
    assert corpus.startswith("Belajar deep learning")
    assert "Tulisan kursus dljax" in corpus and len(corpus) > 90_000
