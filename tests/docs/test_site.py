"""The course site: built with Sphinx (FAST lessons, through the shared jupyter-cache), served
on 127.0.0.1 and read in headless Chromium the way a learner's browser reads it.

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
    from dljax.models import MODELS

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
    if page == LESSON_PAGES[min(5, len(LESSON_PAGES) - 1)]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.execute_script(
            "document.querySelector('div.cell_output img').scrollIntoView({block: 'center'})"
        )
        time.sleep(0.3)
        browser.save_screenshot(str(ARTIFACTS / "lesson.png"))


def test_home_page_and_screenshot(server, browser):
    load(browser, server)
    assert "Deep Learning dengan JAX" in browser.title
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
    status, body = fetch(urljoin(server, "searchindex.js"))
    assert status == 200 and json.dumps("pelajaran")[1:-1] in body
