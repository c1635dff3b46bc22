"""Drive Debian's headless Chromium from tests: the DOM after JavaScript ran, and a screenshot, in one run.

No WebDriver, no downloaded browser: one `chromium --headless --dump-dom --screenshot` process per page
(about a second). `--virtual-time-budget` lets scripts (charts, fetches) finish before the DOM is dumped:
Chromium fast-forwards its clock until the page is idle or the budget is spent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

#: Where test screenshots are kept (gitignored).
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
#: Flags for a quiet, offline, sandbox-free run in a container.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)


def chromium_path() -> str | None:
    """The Chromium binary (``$CHROMIUM``, else ``chromium`` on PATH, else /usr/bin/chromium), or None."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class Page:
    """A rendered page: its DOM after scripts ran, parsed, and where its screenshot is."""

    url: str
    html: str
    screenshot: Path | None

    @property
    def tree(self) -> LexborHTMLParser:
        return LexborHTMLParser(self.html)

    def text(self, selector: str = "body") -> str:
        """The visible text under the first node matching `selector` (whitespace collapsed)."""
        node = self.tree.css_first(selector)
        return " ".join(node.text(separator=" ").split()) if node is not None else ""

    def texts(self, selector: str) -> list[str]:
        """The text of every node matching `selector`."""
        return [" ".join(n.text(separator=" ").split()) for n in self.tree.css(selector)]

    def count(self, selector: str) -> int:
        return len(self.tree.css(selector))


def render(url: str, *, screenshot: str | None = None, window: tuple[int, int] = (1280, 1600),
           budget_ms: int = 5000, timeout: float = 60.0) -> Page:
    """Load `url` in headless Chromium and return its DOM after JavaScript; with `screenshot` (a file name),
    also save a PNG of the window under test-artifacts/. Raises RuntimeError naming the URL if Chromium fails."""
    binary = chromium_path()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    shot = None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
                   f"--window-size={window[0]},{window[1]}", "--dump-dom"]
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / screenshot
            shot.unlink(missing_ok=True)
            command.append(f"--screenshot={shot}")
        completed = subprocess.run(command + [url], capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0 or not completed.stdout.strip():
        tail = completed.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{url}: chromium exited {completed.returncode}: {' / '.join(tail)}")
    return Page(url=url, html=completed.stdout, screenshot=shot if shot and shot.exists() else None)
