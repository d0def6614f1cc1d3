"""The course site: built with Sphinx (FAST lessons, through the shared jupyter-cache), served
on 127.0.0.1 and read in headless Chromium the way a learner's browser reads it.

Besides links, figures and formulas, every page is checked for the defects a reader meets
(`page_defects`): a build path or a Python warning shown, an exercise that gives its solution
away, a display equation or table cut off without a scrollbar (at 1280 and at 390 px), and on
a lesson page the line saying which mode produced it (FAST pages: the "Mode cepat" banner).

Skipped with a reason only where no Chromium (and its driver) can be had; `.ci/run` installs
Debian's `chromium` and `chromium-driver`. Screenshots go to `$DLJAX_ARTIFACTS` or
`tests/docs/artifacts/`.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import dljax_docs  # noqa: E402

HTML = ROOT / "docs" / "_build" / "html"
ARTIFACTS = Path(os.environ.get("DLJAX_ARTIFACTS", Path(__file__).parent / "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]
# every lesson (DLJAX_DOCS_LESSONS=glob narrows the site, and these checks, while iterating)
SITE_LESSONS = [path for chapter in dljax_docs.chapters() for path in chapter.lessons]
LESSON_PAGES = [f"pelajaran/{p.parent.name}/{p.stem}.html" for p in SITE_LESSONS]
OTHER_PAGES = [
    "index.html",
    "mulai.html",
    "katalog.html",
    "hasil.html",
    "perintah/index.html",
    "pengembang.html",
]
WIDTHS = (1280, 390)  # a laptop and a phone (CSS pixels)

# ------------------------------------------------------------------------------ defects
# Paths of the machine that built the site: a reader must never see them (an absolute path in
# an output or a warning leaks the build machine; relative ones such as `.venv/bin/pip` in
# instructions are fine).
BUILD_PATHS = [str(ROOT), sys.prefix, "/work/", "/.venv/", "site-packages", "/tmp/"]
WARNING = re.compile(r"\b\w*Warning:")
# An exercise checker (dljax.exercises._common.report) prints one verdict line per check.
VERDICT = re.compile(r"^(✅|❌) (.+?): (benar!|belum tepat\.)(.*)$", flags=re.MULTILINE)
CODE_LINE = re.compile(r"(^|\n)\s*(def \w+\(|return\b)|\bdef \w+\(.*\):|\breturn \S")


def build_path_leaks(text: str) -> list[str]:
    """The build paths a page's visible text shows."""
    return sorted({p for p in BUILD_PATHS if p and p in text})


def python_warnings(outputs: list[str]) -> list[str]:
    """Lines of cell outputs that are Python warnings (`...Warning: ...`)."""
    return [line for out in outputs for line in out.splitlines() if WARNING.search(line)]


def exercise_leaks(cells: list[dict]) -> list[str]:
    """How a page gives an exercise's solution away. Conventions (see the lessons' guide):

    - an exercise cell as shipped is unanswered: inside a `Latihan` section its checker says
      ❌, never ✅ (a ✅ there means the page shows a worked solution);
    - a checker's hint (after "Petunjuk:") describes the approach in words and never holds a
      code line (`def f(...):`, `return ...`);
    - a cell that runs a checker prints only the verdict: the checker's return value is not
      echoed (a stray `True`/`False` after the verdict: end the call with `;` or assign it).
    """
    leaks = []
    for cell in cells:
        printed = "\n".join(cell.get("streams", []))
        verdicts = VERDICT.findall(printed)
        for mark, name, _, hint in verdicts:
            if mark == "✅" and cell.get("section"):
                leaks.append(f"solution shown: {name!r} passes its check in the exercises")
            if CODE_LINE.search(hint) or (
                "Petunjuk:" in printed and CODE_LINE.search(printed.split("Petunjuk:", 1)[1])
            ):
                leaks.append(f"hint of {name!r} holds code: {hint.strip()[:80]!r}")
        if verdicts and any(r in ("True", "False") for r in cell.get("results", [])):
            leaks.append(f"checker result echoed after {verdicts[0][1]!r}: {cell['results']}")
    return list(dict.fromkeys(leaks))


# The page's visible text, its outputs, and per code cell its printed lines, its echoed
# results and whether it sits in an exercise section (`## Latihan`).
PAGE_FACTS_JS = """
const article = document.querySelector('article') || document.body;
const text = e => (e ? e.innerText : '');
const outputs = [...article.querySelectorAll('div.cell_output')].map(text);
const all = (cell, css) => [...cell.querySelectorAll(css)].map(text);
const cells = [...article.querySelectorAll('div.cell')].map(cell => ({
  streams: all(cell, 'div.cell_output .output.stream, div.cell_output .output.stderr'),
  results: all(cell, 'div.cell_output .output.text_plain').map(s => s.trim()),
  section: (cell.closest('section[id^="latihan"]') || {}).id || null,
}));
return {text: article.innerText, outputs: outputs, cells: cells};
"""
# Display equations and tables that overflow their box without a way to scroll to the rest:
# no box inside them clips its content, and walking up from the element, the first box its
# content overflows scrolls (overflow-x auto/scroll); one that clips (hidden/clip), or the
# article itself overflowing, is a defect.
OVERFLOW_JS = """
const article = document.querySelector('article') || document.body;
const bad = [];
const over = n => n.scrollWidth > n.clientWidth + 1;
const ox = n => getComputedStyle(n).overflowX;
const classes = e => String(e.className || '').trim().split(/\\s+/).filter(Boolean);
const name = e => [e.tagName.toLowerCase(), ...classes(e)].join('.');
for (const el of article.querySelectorAll('div.math, table')) {
  // whole characters (a formula's 𝑆 is two UTF-16 units: never cut one in half)
  const words = (el.innerText || '').trim().replace(/\\s+/g, ' ');
  const what = name(el) + ' ' + Array.from(words).slice(0, 50).join('');
  // inside: a box that clips what it holds (MathJax 2 typesets into span.math boxes)
  const clipper = [...el.querySelectorAll('*')].find(
    e => over(e) && ['hidden', 'clip'].includes(ox(e)));
  if (clipper) {
    bad.push(what + ' (cut off by ' + name(clipper) + ' inside it)');
    continue;
  }
  // a box that holds its own content (or scrolls it) and fits in the text column is fine,
  // even where MathJax leaves zero-width struts beyond it
  const box = el.getBoundingClientRect(), col = article.getBoundingClientRect();
  if (!over(el) && box.left >= col.left - 1 && box.right <= col.right + 1) continue;
  let n = el;
  while (n) {
    const o = ox(n);
    if (over(n)) {
      if (o === 'auto' || o === 'scroll') break;
      if (o === 'hidden' || o === 'clip') {
        bad.push(what + ' (cut off by ' + name(n) + ')');
        break;
      }
      if (n === article) {
        bad.push(what + ' (spills out of the text column)');
        break;
      }
    } else if (n !== el) {
      break;
    }
    n = n.parentElement;
  }
}
return bad;
"""


@pytest.fixture(scope="session")
def site() -> Path:
    """Build the site once per session (FAST lessons; a lesson already executed by the lesson
    tests, or by an earlier build with the same code, comes from the cache)."""
    env = {**os.environ, "DLJAX_FAST": "1"}
    env.pop("DLJAX_LESSONS_JSON", None)  # timings are written by `make docs`, not tests
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-a",  # rewrite every page: the navigation of unchanged pages must show new chapters
        "-q",
        "-W",
        "--keep-going",
        str(ROOT / "docs"),
        str(HTML),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3000)
    assert result.returncode == 0, (
        f"sphinx failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    )
    return HTML


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "no Chromium here: `apt-get install -y chromium chromium-driver` "
            "(.ci/run does it) to run the browser checks"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait_for(driver, script: str, polls: int = 150):
    """The first truthy value of `script`, polling up to `polls` times (0.2 s apart); a
    bounded wait for the page's JavaScript, not a measurement of its speed."""
    value = None
    for _ in range(polls):
        value = driver.execute_script(script)
        if value:
            break
        time.sleep(0.2)
    return value


def load(driver, url: str) -> None:
    driver.get(url)
    ready = wait_for(driver, 'return document.readyState === "complete"')
    if not ready:
        pytest.fail(f"{url} did not finish loading")


@functools.cache
def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, ""


def wait_for_mathjax(driver) -> None:
    """Formulas are typeset (MathJax 2 queue empty) before anything is measured."""
    wait_for(
        driver,
        "return !document.querySelector('.math') || (window.MathJax && MathJax.Hub &&"
        " MathJax.isReady && MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0"
        " && document.querySelectorAll('.MathJax, .MathJax_Display').length > 0)",
    )


def set_width(driver, width: int) -> None:
    """Lay the page out as a `width`-CSS-pixel wide screen (1280: laptop, 390: phone)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def page_defects(driver, url: str) -> list[str]:
    """Everything a reader of `url` should not meet, at every width in WIDTHS."""
    defects = []
    for width in WIDTHS:
        set_width(driver, width)
        load(driver, url)
        wait_for_mathjax(driver)
        if width == WIDTHS[0]:
            facts = driver.execute_script(PAGE_FACTS_JS)
            defects += [f"shows the build path {p!r}" for p in build_path_leaks(facts["text"])]
            defects += [
                f"shows a Python warning: {w[:160]!r}" for w in python_warnings(facts["outputs"])
            ]
            defects += exercise_leaks(facts["cells"])
        defects += [f"at {width} px: {o}" for o in driver.execute_script(OVERFLOW_JS)]
    set_width(driver, WIDTHS[0])
    return defects


def test_defect_checks_catch_each_class():
    """The checks of `page_defects` find what they are meant to find (no site needed)."""
    leaked = (
        "/work/main/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: "
        "IProgress not found."
    )
    assert build_path_leaks(leaked) and not build_path_leaks(".venv/bin/pip install jupyterlab")
    assert python_warnings([leaked]) and not python_warnings(["peringatan: belum ada data"])
    unanswered = {"streams": ["❌ Latihan hasil kali dalam: belum tepat. Petunjuk: jumlahkan."]}
    assert exercise_leaks([{**unanswered, "section": "latihan", "results": []}]) == []
    echoed = {**unanswered, "section": "latihan", "results": ["False"]}
    assert "echoed" in exercise_leaks([echoed])[0]
    solved = {"streams": ["✅ Latihan gradien: benar!"], "section": "latihan", "results": []}
    assert "solution shown" in exercise_leaks([solved])[0]
    assert exercise_leaks([{**solved, "section": None}]) == []  # a worked example, not a Latihan
    code_hint = {
        "streams": ["❌ Latihan X: belum tepat. Petunjuk: def f(x):\n    return x.sum()"],
        "section": "latihan",
        "results": [],
    }
    assert "holds code" in exercise_leaks([code_hint])[0]


def test_every_lesson_has_a_page(site):
    assert LESSON_PAGES, "no lessons found under lessons/"
    for page in LESSON_PAGES:
        assert (site / page).is_file(), f"{page} missing from the site"
    home = (site / "index.html").read_text()
    for chapter in dljax_docs.chapters():
        assert f"pelajaran/{chapter.folder}/index.html" in home, chapter.folder
    # every page's navigation lists every chapter (no stale sidebars after adding one)
    titles = [html.escape(c.title, quote=False) for c in dljax_docs.chapters()]
    for page in [*LESSON_PAGES, "katalog.html", "perintah/index.html"]:
        text = (site / page).read_text()
        missing = [t for t in titles if t not in text]
        assert not missing, f"{page}: navigation lacks {missing}"


def test_generated_pages_follow_the_code(site):
    """Catalogue and command pages list what the registries and the parser hold."""
    from dljax.cli import build_parser
    from dljax.data import DATASETS
    from dljax.recipes import MODELS

    catalogue = (site / "katalog.html").read_text()
    for name in [*MODELS, *DATASETS]:
        assert (
            f'<code class="docutils literal notranslate"><span class="pre">{name}</span>'
            in catalogue
        ), name
    commands = dljax_docs._subcommands(build_parser())
    assert commands
    for name in commands:
        assert (site / "perintah" / f"{name}.html").is_file(), name
    results = (site / "hasil.html").read_text()
    for path in (ROOT / "benchmarks" / "results").glob("*.json"):
        assert path.name in results, path.name


@pytest.mark.parametrize("page", LESSON_PAGES)
def test_lesson_page_in_browser(page, server, browser):
    url = urljoin(server, page)
    load(browser, url)
    assert browser.find_elements("css selector", "article h1"), f"{page}: no title"
    figures = wait_for(
        browser,
        "return [...document.querySelectorAll('div.cell_output img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length",
    )
    assert figures >= 1, f"{page}: no rendered figure"
    text = browser.find_element("css selector", "article").text
    assert "Traceback" not in text, f"{page}: shows a traceback"
    assert not browser.find_elements("css selector", ".output.traceback, .output.error"), page
    stderr = " ".join(e.text for e in browser.find_elements("css selector", ".output.stderr"))
    assert not re.search(r"\b\w*(Error|Exception)\b", stderr), f"{page}: error output {stderr!r}"
    # every asset comes from the site itself: the page works offline
    assets = browser.execute_script(
        "return [...document.querySelectorAll('script[src], link[rel=stylesheet], img')]"
        ".map(e => e.src || e.href)"
    )
    foreign = [a for a in assets if urlparse(a).hostname not in ("127.0.0.1", None)]
    assert not foreign, f"{page}: loads assets from the network: {foreign}"
    broken = browser.execute_script(
        "return [...document.querySelectorAll('img')]"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{page}: broken images {broken}"
    # internal links resolve (page and #anchor)
    links = browser.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
    )
    for link in links:
        if urlparse(link).hostname != "127.0.0.1":
            continue
        target, anchor = urldefrag(link)
        status, body = fetch(target)
        assert status == 200, f"{page}: broken link {link}"
        if anchor and target.endswith(".html"):
            assert f'id="{anchor}"' in body, f"{page}: missing anchor {link}"
    # formulas are typeset by the local MathJax
    if browser.find_elements("css selector", ".math"):
        assert wait_for(
            browser, "return document.querySelectorAll('.MathJax, .MathJax_Display').length"
        ), f"{page}: formulas not typeset (MathJax missing?)"
    # which mode produced the page, right under its title; this build is FAST: the banner
    top = browser.execute_script(
        "const h = document.querySelector('article h1');"
        "const next = h && h.nextElementSibling;"
        "return next ? [next.className, next.innerText] : null"
    )
    assert top and "dljax-mode-fast" in top[0], f"{page}: no FAST banner under the title: {top}"
    assert top[1].startswith("Mode cepat") and "belum terlatih" in top[1], top
    assert "Halaman ini dari eksekusi mode cepat: " in top[1] and " dtk" in top[1], top
    if page == LESSON_PAGES[min(5, len(LESSON_PAGES) - 1)]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.execute_script(
            "document.querySelector('div.cell_output img').scrollIntoView({block: 'center'})"
        )
        time.sleep(0.3)
        browser.save_screenshot(str(ARTIFACTS / "lesson.png"))


@pytest.mark.parametrize("page", [*LESSON_PAGES, *OTHER_PAGES])
def test_page_shows_no_defects(page, server, browser):
    """No build path, no Python warning, no solution given away, nothing cut off."""
    defects = page_defects(browser, urljoin(server, page))
    assert not defects, f"{page}:\n" + "\n".join(defects)


@pytest.mark.parametrize("page", ["katalog.html", "perintah/index.html"])
def test_reference_tables_fit_a_laptop_screen(page, server, browser):
    """At 1280 px the catalogue and command tables fit the text column: a reader does not have
    to find a scrollbar at the bottom of a long table to read its last columns."""
    set_width(browser, 1280)
    load(browser, urljoin(server, page))
    wide = browser.execute_script(
        "return [...document.querySelectorAll('article table')]"
        ".filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)"
        ".map(t => t.innerText.slice(0, 60))"
    )
    assert not wide, f"{page}: tables wider than the text column at 1280 px: {wide}"


def test_home_page_and_screenshot(server, browser):
    load(browser, server)
    assert "Deep Learning dengan JAX" in browser.title
    article = browser.find_element("css selector", "article").text
    for chapter in dljax_docs.chapters():  # every chapter listed, generated from lessons/
        assert chapter.title in article, f"home page does not list {chapter.title!r}"
    assert "mode cepat" in article  # this build's mode, said honestly
    assert "yang sebenarnya" not in article
    nav = browser.execute_script(
        "return [...document.querySelectorAll('nav a')].map(a => a.textContent.trim())"
    )
    titles = [dljax_docs.lesson_title(p) for p in SITE_LESSONS]
    assert any(t in " ".join(nav) for t in titles) or "Mulai" in nav, nav
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "home.png"))


def test_search_finds_a_word_from_a_lesson(server, browser):
    lesson = SITE_LESSONS[0]
    words = re.findall(r"[A-Za-z]{6,}", dljax_docs.lesson_title(lesson))
    assert words, lesson
    word = max(words, key=len)
    load(browser, urljoin(server, f"search.html?q={word}"))
    hits = wait_for(
        browser,
        "const r = document.querySelectorAll('#search-results li a');"
        "return r.length ? [...r].map(a => a.href) : null",
    )
    assert hits, f"search for {word!r} found nothing"
    assert any(f"{lesson.parent.name}/{lesson.stem}.html" in h for h in hits), (word, hits)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "search.png"))


def test_results_page_has_plots(server, browser):
    load(browser, urljoin(server, "hasil.html"))
    images = wait_for(
        browser,
        "return [...document.querySelectorAll('article img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length",
    )
    assert images >= 1
    # a report, not a dump: one heading per results file, readable length at 1280 px
    files = list((ROOT / "benchmarks" / "results").glob("*.json"))
    headings = browser.execute_script(
        "return [...document.querySelectorAll('article section > h2')].map(h => h.innerText)"
    )
    assert len(headings) == len(files), headings
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < 40000, f"results page is {height} px long"
    wide = browser.execute_script(
        "return [...document.querySelectorAll('article img')]"
        ".filter(i => i.getBoundingClientRect().width > i.closest('article').clientWidth + 1)"
        ".map(i => i.src)"
    )
    assert not wide, f"charts wider than the page: {wide}"
    status, body = fetch(urljoin(server, "searchindex.js"))
    assert status == 200 and json.dumps("pelajaran")[1:-1] in body
