"""Build the embedded corpus `corpus/pelajaran.txt` from the course's own Indonesian prose.

The prose is the markdown cells of every lesson (`lessons/*/*.py`, py:percent) and the chapter
READMEs (`lessons/*/README.md`), in path order, with markdown syntax removed: code blocks,
display maths, HTML and images are dropped, links keep their text, emphasis and inline-code
markers go, and paragraphs are joined into single lines. The result is plain Indonesian text
for the character language models (`char_lstm`, `gpt`) to learn from.

    python -m dljax.data.lesson_corpus          # rewrite the committed file (make corpus)
    python -m dljax.data.lesson_corpus --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CORPUS_NAME = "pelajaran.txt"
HEADER = "Tulisan kursus dljax, dirangkum dari pelajaran-pelajarannya.\n\n"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) -> text; images dropped below
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
_MARKS = re.compile(r"(\*\*|__|`|\*)")


def markdown_cells(source: str) -> list[str]:
    """The markdown cells of a py:percent file, comment markers removed."""
    cells, current = [], None
    for line in source.splitlines():
        if line.startswith("# %%"):
            if current is not None:
                cells.append("\n".join(current))
            current = [] if "[markdown]" in line else None
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append("\n".join(current))
    return cells


def plain_text(markdown: str) -> str:
    """Markdown -> paragraphs of plain text, one per line."""
    paragraphs, current, fenced, maths = [], [], False, False
    for raw in markdown.splitlines() + [""]:
        line = raw.strip()
        if line.startswith("```"):
            fenced = not fenced
            continue
        if line.startswith("$$"):
            maths = not (maths or line.endswith("$$") and len(line) > 2)
            continue
        if fenced or maths or line.startswith("|") or "colab-badge" in line:
            continue  # code, display maths, tables, the Colab badge
        if not line:
            if current:
                paragraphs.append(" ".join(current))
            current = []
            continue
        line = _IMAGE.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _HTML.sub("", line)
        line = _MARKS.sub("", line)
        line = re.sub(r"^#+\s*", "", line)  # headings
        line = re.sub(r"^([-+>]|\d+\.)\s+", "", line)  # bullets, numbers, quotes
        line = line.strip()
        if line:
            current.append(line)
    return "\n".join(p for p in paragraphs if len(p) > 1)


def lesson_prose(lessons_dir: str | Path) -> str:
    """The corpus text built from a `lessons/` folder."""
    root = Path(lessons_dir)
    parts = []
    for chapter in sorted(p for p in root.iterdir() if p.is_dir()):
        readme = chapter / "README.md"
        if readme.is_file():
            parts.append(plain_text(readme.read_text("utf-8")))
        for lesson in sorted(chapter.glob("*.py")):
            cells = markdown_cells(lesson.read_text("utf-8"))
            parts.extend(plain_text(cell) for cell in cells)
    return HEADER + "\n\n".join(p for p in parts if p) + "\n"


def corpus_path() -> Path:
    return Path(__file__).parent / "corpus" / CORPUS_NAME


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lessons = Path(__file__).resolve().parents[3] / "lessons"
    if not lessons.is_dir():
        print(f"Folder pelajaran tidak ditemukan: {lessons}", file=sys.stderr)
        return 2
    text = lesson_prose(lessons)
    path = corpus_path()
    if "--check" in argv:
        if path.read_text("utf-8") != text:
            print(f"{path} tidak sesuai dengan pelajaran; jalankan: make corpus", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, "utf-8")
    print(f"{path}: {len(text):,} karakter".replace(",", "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
