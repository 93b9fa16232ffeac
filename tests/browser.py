"""Open every page of a built book in headless Chromium, as a reader would, and list what is wrong.

Used by test_book.py. A page fails on: a request to any host but the local file server, a console
error, an image that did not load, TeX left untypeset outside code, or a link to a page or anchor
that does not exist. Each page is also saved as a full-page screenshot for review.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\\frac|\\begin\{|\\mathbf|\\sum_")
# Text outside code, after MathJax has typeset the page.
VISIBLE_PROSE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const copy = document.querySelector('main, article, body').cloneNode(true);
  copy.querySelectorAll('pre, code, .highlight, mjx-container, script, style, .cell_input').forEach(e => e.remove());
  return copy.innerText;
}"""
BROKEN_IMAGES = "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not shutil.which("chromium"):
        return "no Chromium on this machine (apt-get install chromium; .ci/run installs it)"
    return None


@contextmanager
def serve(folder: Path, missing: list[str] | None = None):
    """The folder on a local HTTP server; yields its base URL. Paths it answered 404 go to ``missing``.

    The server's own record catches requests the browser makes for itself (such as /favicon.ico),
    which the page's response events do not show and whose console error depends on timing.
    """
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # the test reports what matters
            pass

        def send_error(self, code, message=None, explain=None) -> None:
            if missing is not None and code == 404:
                missing.append(unquote(urlparse(self.path).path))
            super().send_error(code, message, explain)

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def _link_problem(link: str, base: str, html: Path) -> str | None:
    if not link.startswith(base):
        return None  # external links are the reader's to follow, not loaded by the page
    parts = urlparse(link)
    target = html / unquote(parts.path[len(urlparse(base).path):])
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"dead link {link}"
    if parts.fragment and target.suffix == ".html":
        if f'id="{unquote(parts.fragment)}"' not in _text(target):
            return f"link to a missing anchor {link}"
    return None


@functools.lru_cache(maxsize=None)
def _text(path: Path) -> str:
    return path.read_text("utf-8")


def check_book(html: Path, screenshots: Path, only: set[str] | None = None) -> dict[str, list[str]]:
    """Problems found on each page (pages without problems are left out); ``only``: these file names."""
    from playwright.sync_api import sync_playwright

    screenshots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and (only is None or p.name in only))
    missing: list[str] = []
    reported = 0  # missing[:reported] are already listed under a page
    with serve(html, missing) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        host = urlparse(base).netloc
        for path in pages:
            name = path.relative_to(html).as_posix()
            found: list[str] = []
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: found.append(f"request to another host: {r.url}")
                    if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).netloc != host else None)  # fmt: skip
            page.on("console", lambda m: found.append(f"console error: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: found.append(f"page error: {e}"))
            page.on("response", lambda r: found.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
            page.goto(base + name, wait_until="networkidle")
            found += [f"broken image {src}" for src in page.evaluate(BROKEN_IMAGES)]
            found += [f"the server has no {missed}" for missed in missing[reported:]]
            reported = len(missing)
            raw = RAW_TEX.findall(page.evaluate(VISIBLE_PROSE))
            if raw:
                found.append(f"untypeset TeX: {sorted(set(raw))}")
            found += [m for m in (_link_problem(link, base, html) for link in set(page.evaluate(LINKS))) if m]
            page.screenshot(path=str(screenshots / (name.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
            page.close()
            if found:
                problems[name] = found
        problems.update(_search_problems(browser, base))
        browser.close()
    if missing[reported:]:  # asked for by the search page, or after the page it belongs to was checked
        problems["(file server)"] = [f"the server has no {missed}" for missed in missing[reported:]]
    return problems


def _search_problems(browser, base: str) -> dict[str, list[str]]:
    """The search page must find a word every chapter uses, without the network."""
    page = browser.new_page()
    page.goto(base + "search.html?q=pneumonia", wait_until="networkidle")
    try:
        page.wait_for_selector("#search-results li", timeout=15_000)
    except Exception:
        return {"search.html": ["searching for 'pneumonia' found nothing"]}
    finally:
        page.close()
    return {}
