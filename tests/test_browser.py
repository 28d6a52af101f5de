"""The built book in a real browser: headless Chromium, network blocked.

Every page of a small test book is opened from disk through the DevTools protocol
(``--remote-debugging-pipe``, standard library only).  A page passes when it logs no
console error, throws no exception, requests nothing outside the book, opens every
code cell with the "Show code" button, and does not scroll sideways on a phone-width
screen.  Screenshots are saved under ``outputs/browser-test/``.

Needs Debian's ``chromium`` (``make browser`` installs it); skipped without it, except
where ``NSSF_REQUIRE_BROWSER=1`` (as in CI), where a missing browser fails the test.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_book import Built

from nssf_analysis import catalog as catalog_mod

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
#: Screenshots for a person to look at (the real outputs folder, not the test's).
SHOTS = Path(os.environ.get("NSSF_OUTPUTS") or ROOT / "outputs") / "browser-test"

REQUIRED = os.environ.get("NSSF_REQUIRE_BROWSER") == "1"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="Debian's chromium is not installed (make browser)",
)


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, profile: Path):
        to_browser_r, self._w = os.pipe()
        self._r, from_browser_w = os.pipe()
        # move the browser's ends above 9 so that the shell can map them onto 3 and 4
        r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        cmd = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            f"--user-data-dir={profile}",
            # the network is blocked: no name resolves, every proxy connection fails
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        shell = f'exec "$@" 3<&{r} 4>&{w} {r}<&- {w}>&-'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", shell, "bash", *cmd],
            pass_fds=(r, w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(r)
        os.close(w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, params=None, session=None, timeout=60) -> dict:
        self._id += 1
        mid = self._id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method: str, session: str, timeout=60) -> dict:
        for i, e in enumerate(self.events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._next(deadline)
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)

    def new_page(self) -> str:
        """Open a tab, attach to it and enable the domains the tests read; return its session."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.send(method, session=session)
        return session

    def load(self, page: Path, session: str) -> None:
        """Open a file of the book and wait until it has loaded."""
        self.send("Page.navigate", {"url": page.as_uri()}, session=session)
        self.wait_for("Page.loadEventFired", session)

    def screen(self, session: str, width: int, height: int, mobile: bool = False) -> None:
        """Emulate a screen of ``width`` × ``height`` CSS pixels."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=session,
        )

    def screenshot(self, session: str, target: Path) -> None:
        shot = self.send("Page.captureScreenshot", {"format": "png"}, session=session)
        target.write_bytes(base64.b64decode(shot["data"]))

    def evaluate(self, expression: str, session: str):
        res = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
        )
        return res.get("result", {}).get("value")

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the browser did not answer in time")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise RuntimeError("the browser closed the pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._r)
        os.close(self._w)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory, kernel):
    base = tmp_path_factory.mktemp("browser-book")
    b = Built(base)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NSSF_OUTPUTS", str(b.outputs))
        catalog_mod._clear_caches()
        b.build(years=[2021, 2022])
    return b


def problems(events: list[dict], session: str, book_dir: Path) -> list[str]:
    """Console errors, exceptions and requests outside the book among ``events``."""
    inside = book_dir.resolve().parent.parent.as_uri() + "/"  # outputs/: both years
    found = []
    for e in events:
        if e.get("sessionId") != session:
            continue
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            found.append(f"console {p['type']}: {p.get('args')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            found.append(f"log error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not (url.startswith(inside) or url.startswith("data:")):
                found.append(f"request outside the book: {url}")
        elif method == "Network.loadingFailed":
            found.append(f"failed to load: {p.get('errorText')}")
    return found


def assert_fits(browser: Browser, session: str, page: Path, width: int) -> None:
    scroll = browser.evaluate("document.documentElement.scrollWidth", session)
    assert scroll <= width, f"{page.name} is {scroll}px wide on a {width}px screen"


def visit(browser: Browser, session: str, pages: list[Path], book_dir: Path, check) -> dict:
    """Open each page, run ``check(page)`` on it; return the problems seen, per page."""
    report = {}
    for page in pages:
        browser.events.clear()
        browser.load(page, session)
        assert browser.evaluate("document.readyState", session) == "complete"
        assert "NSSF annual report 2022" in browser.evaluate("document.title", session), page
        check(page)
        browser.evaluate("new Promise(r => setTimeout(r, 100))", session)
        report[page.name] = problems(browser.events, session, book_dir)
    return report


def on_a_phone(browser: Browser, session: str, pages: list[Path], shots: dict[str, str]) -> None:
    """Every page fits a phone-width screen (no sideways scrolling); save ``shots``."""
    browser.screen(session, 390, 844, mobile=True)
    for page in pages:
        browser.load(page, session)
        assert_fits(browser, session, page, 390)
        if page.stem in shots:
            browser.screenshot(session, SHOTS / shots[page.stem])
    browser.screen(session, 1280, 900)


def on_a_desktop(browser: Browser, session: str, book_dir: Path, shots: dict[str, str]) -> None:
    for stem, name in shots.items():
        browser.load(book_dir / f"{stem}.html", session)
        browser.screenshot(session, SHOTS / name)


def test_every_page_in_headless_chromium(small_book, tmp_path):
    assert CHROMIUM is not None, "NSSF_REQUIRE_BROWSER=1 but chromium is missing: make browser"
    book_dir = small_book.book
    pages = sorted(book_dir.glob("*.html"))
    assert len(pages) == 6
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = Browser(tmp_path / "profile")

    def check(page):
        # stylesheets applied (from the book's own files)
        assert browser.evaluate("document.styleSheets.length", session) == 2
        if page.name[:2].isdigit():
            closed = "document.querySelectorAll('details.nssf-code:not([open])').length"
            assert browser.evaluate(closed, session) > 0, "code should start hidden"
            browser.evaluate("document.getElementById('toggle-code').click()", session)
            assert browser.evaluate(closed, session) == 0, "the toggle opens all code"
            browser.evaluate("document.getElementById('toggle-code').click()", session)
            assert browser.evaluate(closed, session) > 0, "… and closes it again"

    try:
        session = browser.new_page()
        report = visit(browser, session, pages, book_dir, check)
        on_a_phone(browser, session, pages, {s: f"phone-{s}.png" for s in ("index", "01_first")})
        on_a_desktop(
            browser, session, book_dir, {s: f"desktop-{s}.png" for s in ("index", "01_first")}
        )
        # the year switcher leads to the other year's same page
        browser.load(book_dir / "02_second.html", session)
        browser.evaluate("document.querySelector('.years a.year').click()", session)
        browser.wait_for("Page.loadEventFired", session)
        assert browser.evaluate("location.href", session).endswith("/2021/book/02_second.html")
    finally:
        browser.close()
    assert {name: found for name, found in report.items() if found} == {}
    assert (SHOTS / "desktop-01_first.png").stat().st_size > 10_000


def test_the_published_book_in_headless_chromium(published, tmp_path):
    """Every page of the real 2022 book: no console error, nothing from outside, fits a phone."""
    assert CHROMIUM is not None, "NSSF_REQUIRE_BROWSER=1 but chromium is missing: make browser"
    book_dir, _ = published
    pages = sorted(book_dir.glob("*.html"))
    assert len(pages) == 12  # nine chapters, index, methodology, catalog
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = Browser(tmp_path / "profile")

    def check(page):
        # every image of the page decoded (the graphics are embedded, not fetched)
        broken = "[...document.images].filter(i => !i.complete || !i.naturalWidth).length"
        assert browser.evaluate(broken, session) == 0, page.name

    try:
        session = browser.new_page()
        report = visit(browser, session, pages, book_dir, check)
        graphics = "[...document.images].filter(i => /^Graphic \\d+: /.test(i.alt)).length"
        browser.load(book_dir / "01_occupational_risk.html", session)
        assert browser.evaluate(graphics, session) == 7  # Graphics 1-7 are drawn in section A
        stems = ("index", "01_occupational_risk")
        on_a_phone(browser, session, pages, {s: f"published-phone-{s}.png" for s in stems})
        stems = ("index", "01_occupational_risk", "07_analysis", "08_data_quality")
        on_a_desktop(browser, session, book_dir, {s: f"published-desktop-{s}.png" for s in stems})
    finally:
        browser.close()
    assert {name: found for name, found in report.items() if found} == {}
