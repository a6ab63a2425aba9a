"""Headless Chromium (Debian's ``chromium``) on a local HTML file: a screenshot and the DOM after
its scripts ran. Used by the annual report's browser test and to refresh the README screenshot:

    uv run python -m gipr_pipeline.outputs.browser data/docs/reports/annual_report_2024.html docs/annual_report.png

No network: the flags turn off every background service, and the report holds its scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)


def find_chromium() -> str | None:
    for c in CANDIDATES:
        path = shutil.which(c)
        if path:
            return path
    return None


def _run(html: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found (Debian package `chromium`)")
    with tempfile.TemporaryDirectory(prefix="gipr-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *extra, Path(html).resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def screenshot(
    html: str | Path, png: str | Path, size: tuple[int, int] = (1280, 1900), timeout: float = 60
) -> Path:
    """Open ``html`` and save a ``size`` (width, height) screenshot of the page to ``png``."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    out = _run(
        Path(html),
        [f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", "--virtual-time-budget=5000"],
        timeout,
    )
    if not png.is_file():
        raise RuntimeError(f"no screenshot written (exit {out.returncode}): {out.stderr[-2000:]}")
    return png


def dump_dom(html: str | Path, timeout: float = 60) -> str:
    """The page's DOM as HTML, serialized after its scripts ran (``--dump-dom``)."""
    out = _run(Path(html), ["--dump-dom", "--virtual-time-budget=5000"], timeout)
    if out.returncode != 0 or "<html" not in out.stdout:
        raise RuntimeError(f"--dump-dom failed (exit {out.returncode}): {out.stderr[-2000:]}")
    return out.stdout


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m gipr_pipeline.outputs.browser PAGE.html OUT.png")
    print(screenshot(sys.argv[1], sys.argv[2]))
