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


# Headless Chromium makes no window narrower than this; a phone-width page is laid out in an
# iframe of the wanted width inside a wider window (media queries see the iframe's width).
MIN_WINDOW = 500


def _framed(page: Path, width: int, height: int, folder: Path) -> Path:
    """A page holding ``page`` in a ``width`` × ``height`` iframe at its top-left corner; it
    copies into its own DOM (``<pre id="gipr-measure">``) what the framed page posts to it."""
    wrapper = folder / "framed.html"
    wrapper.write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff">
<iframe src="{page.resolve().as_uri()}" style="width:{width}px;height:{height}px;border:0;display:block"
 scrolling="no"></iframe>
<script>window.addEventListener("message", (ev) => {{
  const out = document.createElement("pre"); out.id = "gipr-measure";
  out.textContent = JSON.stringify(ev.data); document.body.appendChild(out);
}});</script></body></html>""",
        "utf-8",
    )
    return wrapper


def screenshot(
    html: str | Path, png: str | Path, size: tuple[int, int] = (1280, 1900), timeout: float = 60
) -> Path:
    """Open ``html`` and save a ``size`` (width, height) screenshot of the page to ``png``. A
    width below ``MIN_WINDOW`` (a phone) is laid out in an iframe of that width and the
    screenshot cropped to it."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    width, height = size
    with tempfile.TemporaryDirectory(prefix="gipr-shot-") as d:
        page = Path(html)
        if width < MIN_WINDOW:
            page = _framed(page, width, height, Path(d))
        out = _run(
            page,
            [
                f"--window-size={max(width, MIN_WINDOW)},{height}",
                f"--screenshot={png}",
                "--virtual-time-budget=5000",
            ],
            timeout,
        )
    if not png.is_file():
        raise RuntimeError(f"no screenshot written (exit {out.returncode}): {out.stderr[-2000:]}")
    if width < MIN_WINDOW:
        from PIL import Image  # pdfplumber's dependency

        with Image.open(png) as img:
            cropped = img.crop((0, 0, width, height))
        cropped.save(png)
    return png


def dump_dom(html: str | Path, timeout: float = 60, width: int | None = None) -> str:
    """The page's DOM as HTML, serialized after its scripts ran (``--dump-dom``), in a window
    ``width`` pixels wide when given."""
    size = [f"--window-size={width},1000"] if width else []
    out = _run(Path(html), ["--dump-dom", "--virtual-time-budget=5000", *size], timeout)
    if out.returncode != 0 or "<html" not in out.stdout:
        raise RuntimeError(f"--dump-dom failed (exit {out.returncode}): {out.stderr[-2000:]}")
    return out.stdout


# Run after the page's own scripts (Plotly draws on load): the layout as the reader sees it,
# posted to the framing page (a file:// frame cannot be read from outside).
_MEASURE = """<script>window.addEventListener("load", () => setTimeout(() => {
  const e = document.documentElement, wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > window.innerWidth + 1 && wide.length < 20)
      wide.push(el.tagName.toLowerCase() + ":" + Math.round(r.right));
  }
  parent.postMessage({viewport: window.innerWidth, scroll_width: e.scrollWidth, wider: wide}, "*");
}, 500));</script>"""


def measure(html: str | Path, width: int, timeout: float = 60) -> dict:
    """Open ``html`` in a viewport ``width`` pixels wide and measure its layout after its
    scripts ran: ``{"viewport": px, "scroll_width": px of the whole page, "wider": [elements
    whose right edge lies beyond the viewport, up to 20]}``. A page without sideways scrolling
    has ``scroll_width <= viewport``. The page is measured from a copy with a measuring script
    appended (the file itself is not changed), framed at ``width`` (see ``MIN_WINDOW``)."""
    import html as html_lib
    import json
    import re

    src = Path(html)
    with tempfile.TemporaryDirectory(prefix="gipr-measure-") as d:
        page = Path(d) / src.name
        page.write_text(src.read_text("utf-8").replace("</body>", _MEASURE + "</body>"), "utf-8")
        dom = dump_dom(_framed(page, width, 1000, Path(d)), timeout, width=max(width, MIN_WINDOW))
    m = re.search(r'<pre id="gipr-measure">(.*?)</pre>', dom, re.S)
    if m is None:
        raise RuntimeError("the measuring script did not report")
    return json.loads(html_lib.unescape(m[1]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m gipr_pipeline.outputs.browser PAGE.html OUT.png")
    print(screenshot(sys.argv[1], sys.argv[2]))
