"""Front doors: turn a raw file of any supported format into normalized report text.

Every format ends as the same plain text the table parser reads (paragraphs one per line, tables
one row per line with cells separated by " | "), so there is one parsing core behind several
front doors. The format is chosen from the bytes (:func:`sniff`), never from the file name.
See docs/formats.md for what each reader keeps, drops and rejects.

The HTML, DOCX and PDF readers import their libraries (lxml, python-docx, pdfplumber) only when
such a file arrives: the plain-text path stays fast.
"""

from __future__ import annotations

from gipr_pipeline.readers.decode import DecodeError, decode_bytes, normalize
from gipr_pipeline.readers.document import Document
from gipr_pipeline.readers.sniff import BINARY, DOCX, HTML, PDF, ZIP, sniff

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def to_text(data: bytes) -> Document:
    """Read any supported input. Raises DecodeError(reason, message) for rejected inputs."""
    if not data or not data.strip():
        raise DecodeError("empty", "the file is empty or holds only whitespace")
    kind = sniff(data)
    if kind == HTML:
        from gipr_pipeline.readers.html import read_html

        return _guarded(read_html, data, "HTML page")
    if kind == DOCX:
        from gipr_pipeline.readers.docx import read_docx

        return _guarded(read_docx, data, "Word file")
    if kind == PDF:
        from gipr_pipeline.readers.pdf import read_pdf

        return _guarded(read_pdf, data, "PDF")
    if kind == ZIP:
        raise DecodeError("binary", "a ZIP archive that is not a Word (.docx) document")
    if data.startswith(_OLE2):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise DecodeError("unreadable_document", "the Office file is encrypted (password)")
        raise DecodeError(
            "binary", "a legacy Office file (.doc/.xls/.wps); only .docx Word files are read"
        )
    decoded = decode_bytes(data)
    return Document(normalize(decoded.text), decoded.encoding, "text", decoded.lossy)


def _guarded(reader, data: bytes, what: str) -> Document:
    """A reader's result; any error it did not name becomes ``unreadable_document``."""
    try:
        return reader(data)
    except DecodeError:
        raise
    except RecursionError:
        raise DecodeError("unreadable_document", f"the {what} is nested too deeply") from None
    except Exception as e:
        raise DecodeError(
            "unreadable_document", f"the {what} could not be read ({type(e).__name__}: {e})"
        ) from None


__all__ = ["BINARY", "DecodeError", "Document", "sniff", "to_text"]
