"""Front doors: turn a raw file of any supported format into normalized report text.

Every format ends as the same plain text the table parser reads (paragraphs one per line, tables
one row per line with cells separated by " | "), so there is one parsing core behind several
front doors. The format is chosen from the bytes (:func:`sniff`), never from the file name.
See docs/formats.md for what each reader keeps, drops and rejects.

Hostile files are bounded here, at the entry (:mod:`gipr_pipeline.readers.limits`): the file's
size before anything reads it, a DOCX package's members before python-docx opens it, a PDF's
decompressed streams before pdfminer reads it, and the text every reader returns. A file over a
bound raises ``DecodeError("too_large" | "unsafe_document", …)``.

The HTML, DOCX and PDF readers import their libraries (lxml, python-docx, pdfplumber) only when
such a file arrives: the plain-text path stays fast.
"""

from __future__ import annotations

from gipr_pipeline.readers.decode import (
    DecodeError,
    decode_bytes,
    normalize_counted,
    radical_problem,
)
from gipr_pipeline.readers.document import Document
from gipr_pipeline.readers.limits import check_file, check_pdf, check_text, check_zip
from gipr_pipeline.readers.sniff import BINARY, DOCX, HTML, PDF, ZIP, sniff

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def to_text(data: bytes) -> Document:
    """Read any supported input. Raises DecodeError(reason, message) for rejected inputs."""
    if not data or not data.strip():
        raise DecodeError("empty", "the file is empty or holds only whitespace")
    check_file(data)
    doc = _read(data)
    check_text(doc.text)
    return doc


def _read(data: bytes) -> Document:
    kind = sniff(data)
    if kind == HTML:
        from gipr_pipeline.readers.html import read_html

        return _guarded(read_html, data, "HTML page")
    if kind == DOCX:
        from gipr_pipeline.readers.docx import read_docx

        check_zip(data)
        return _guarded(read_docx, data, "Word file")
    if kind == PDF:
        from gipr_pipeline.readers.pdf import read_pdf

        check_pdf(data)
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
    text, folded = normalize_counted(decoded.text)
    problems = (radical_problem(folded),) if folded else ()
    return Document(text, decoded.encoding, "text", decoded.lossy, problems)


def _guarded(reader, data: bytes, what: str) -> Document:
    """A reader's result; any error it did not name becomes ``unreadable_document``."""
    try:
        return reader(data)
    except DecodeError as e:
        if e.reason == "unreadable_document" and "Excessive depth" in e.message:
            # libxml2's depth limit (huge_tree off) hit by python-docx's parser: a bound.
            raise DecodeError("unsafe_document", e.message) from None
        raise
    except RecursionError:
        raise DecodeError("unsafe_document", f"the {what} is nested too deeply") from None
    except MemoryError:
        raise DecodeError(
            "resource_limit", f"reading the {what} ran out of the memory allowed per file"
        ) from None
    except Exception as e:
        raise DecodeError(
            "unreadable_document", f"the {what} could not be read ({type(e).__name__}: {e})"
        ) from None


__all__ = ["BINARY", "DecodeError", "Document", "sniff", "to_text"]
