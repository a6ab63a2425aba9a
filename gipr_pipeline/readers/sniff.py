"""Tell the input format from the bytes themselves, not from the file name.

Portals and collecting offices save pages as ``.txt``, Word files as ``.doc`` and PDFs without an
extension, so the extension is never trusted: the first bytes decide.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile

TEXT, HTML, DOCX, PDF, ZIP, BINARY = "text", "html", "docx", "pdf", "zip", "binary"

# The PDF header may follow a little junk (the spec tolerates up to 1024 bytes).
_PDF_WINDOW = 1024
_HTML_WINDOW = 64 * 1024
# Tag markers an HTML page or fragment opens with. Only ASCII tag names count: a report's text
# may quote "<中华人民共和国政府信息公开工作年度报告格式>" in angle brackets.
_HTML_MARKERS = re.compile(
    rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s|table[\s>]|title>)",
    re.IGNORECASE,
)
# A fragment copied out of a page: several block tags, no <html> wrapper.
_HTML_BLOCKS = re.compile(rb"<\s*(?:p|div|tr|td|br|span|h[1-6])[\s>/]", re.IGNORECASE)
_DOCX_PARTS = (b"word/document.xml", b"[Content_Types].xml", b"word/")


def sniff(data: bytes) -> str:
    """One of ``text``, ``html``, ``docx``, ``pdf``, ``zip`` (a ZIP that is not a Word file or
    cannot be opened) or ``binary`` (left to the text decoder, which names the reason)."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return PDF
    if _looks_html(data):
        return HTML
    return TEXT


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        # A truncated ZIP has no central directory; its local headers still name the parts.
        return DOCX if any(p in data[:_HTML_WINDOW] for p in _DOCX_PARTS[:2]) else ZIP
    return DOCX if "word/document.xml" in names else ZIP


def _looks_html(data: bytes) -> bool:
    window = data[:_HTML_WINDOW]
    if window.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            window = window.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:  # pragma: no cover - errors="ignore" does not raise
            return False
    if _HTML_MARKERS.search(window):
        return True
    # A fragment: it starts with a tag and holds several block tags.
    stripped = window.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"<") and len(_HTML_BLOCKS.findall(window)) >= 3
