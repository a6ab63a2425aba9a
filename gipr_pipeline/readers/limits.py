"""Bounds on what one input may cost, and the pre-checks that enforce them before a library
parses a hostile file (docs/reliability.md).

Every bound is a setting (``Limits``), overridable per process with an environment variable
``GIPR_LIMIT_<NAME>`` (e.g. ``GIPR_LIMIT_PDF_PAGES=2000``). A file that hits one is rejected with
``too_large`` (it, its text or what it expands into is bigger than allowed) or
``unsafe_document`` (it uses a construct refused for safety: entity declarations, a ZIP member
whose data does not match its declared size, nesting deeper than the parser allows). The time and
memory per file are enforced by the parse workers' watchdog (``parser.batch``), which rejects a
file as ``resource_limit``.

The numbers are generous: a real annual report is 10–40 pages, about 20,000 characters, and a
DOCX of well under 1 MB unzipped; every bound is at least 50× that (a 50 MB page of notices
around a report, and a 1 MB line, are still read: tests in parser/test_bad_input.py).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, fields

from gipr_pipeline.readers.decode import DecodeError

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file bounds. Sizes in bytes or characters, time in seconds, memory in MiB."""

    file_bytes: int = 100 * _MB  # the raw file
    text_chars: int = 32_000_000  # the normalized text a reader produces (a 50 MB page is read)
    line_chars: int = 2_000_000  # one line of that text (the parser is linear up to it)
    zip_members: int = 2_000  # entries of a DOCX package
    unzipped_bytes: int = 256 * _MB  # a DOCX's members, declared and actually decompressed
    zip_ratio: int = 200  # decompressed : compressed, per member above 1 MiB (XML: 10–50×)
    pdf_pages: int = 1_000
    pdf_stream_bytes: int = 128 * _MB  # decompressed Flate streams other than images, in total
    seconds: float = 120.0  # wall time to parse one file (watchdog)
    memory_mb: int = 2048  # resident memory of a parse worker (watchdog)

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> Limits:
        """The defaults, each overridden by ``GIPR_LIMIT_<NAME>`` when set (a bad value is a
        ValueError naming the variable)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"GIPR_LIMIT_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = float(raw) if f.name == "seconds" else int(raw)
            except ValueError:
                raise ValueError(f"GIPR_LIMIT_{f.name.upper()}={raw!r} is not a number") from None
        return cls(**values)


_CURRENT: Limits | None = None


def limits() -> Limits:
    """The process's limits (read from the environment once)."""
    global _CURRENT
    if _CURRENT is None:
        _CURRENT = Limits.from_env()
    return _CURRENT


def set_limits(value: Limits | None) -> None:
    """Replace the process's limits (None: read the environment again). For tests and workers."""
    global _CURRENT
    _CURRENT = value


def _mb(n: int) -> str:
    return f"{n / _MB:.0f} MiB" if n >= _MB else f"{n:,} bytes"


# ----------------------------------------------------------------- sizes of any input
def check_file(data: bytes) -> None:
    lim = limits()
    if len(data) > lim.file_bytes:
        raise DecodeError(
            "too_large", f"the file is {_mb(len(data))}, over the limit of {_mb(lim.file_bytes)}"
        )


def check_text(text: str) -> None:
    """A reader's text: total characters and the longest line."""
    lim = limits()
    if len(text) > lim.text_chars:
        raise DecodeError(
            "too_large",
            f"the text is {len(text):,} characters, over the limit of {lim.text_chars:,}",
        )
    if len(text) > lim.line_chars:
        longest = max(map(len, text.split("\n")))
        if longest > lim.line_chars:
            raise DecodeError(
                "too_large",
                f"a line of {longest:,} characters, over the limit of {lim.line_chars:,}",
            )


# ----------------------------------------------------------------- DOCX (ZIP) packages
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_zip(data: bytes) -> None:
    """Before python-docx opens a package: member count, declared sizes and ratios, then every
    member decompressed as a stream (never whole in memory) and counted, so a member whose data
    expands beyond what it declares is caught; an XML part with a DTD (entity declarations,
    external entities) is refused: OOXML parts never carry one."""
    lim = limits()
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not openable: the reader names it unreadable_document
    with z:
        infos = z.infolist()
        if len(infos) > lim.zip_members:
            raise DecodeError(
                "too_large", f"the package has {len(infos):,} members (limit {lim.zip_members:,})"
            )
        declared = sum(i.file_size for i in infos)
        if declared > lim.unzipped_bytes:
            raise DecodeError(
                "too_large",
                f"the package declares {_mb(declared)} unzipped (limit {_mb(lim.unzipped_bytes)})",
            )
        for i in infos:
            if i.file_size > _MB and i.file_size > lim.zip_ratio * max(1, i.compress_size):
                raise DecodeError(
                    "unsafe_document",
                    f"member {i.filename!r} expands {i.file_size // max(1, i.compress_size):,}× "
                    f"(a zip bomb; limit {lim.zip_ratio:,}×)",
                )
        total = 0
        for i in infos:
            xml = i.filename.endswith((".xml", ".rels"))
            tail = b""
            try:
                with z.open(i) as fh:
                    while chunk := fh.read(_MB):
                        total += len(chunk)
                        if total > lim.unzipped_bytes:
                            raise DecodeError(
                                "too_large",
                                f"the package unzips to more than {_mb(lim.unzipped_bytes)}",
                            )
                        if xml and _DTD.search(tail + chunk):
                            raise DecodeError(
                                "unsafe_document",
                                f"member {i.filename!r} declares a DTD (entities are refused)",
                            )
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                raise DecodeError(
                    "unsafe_document",
                    f"member {i.filename!r} does not match its declared size or checksum ({e})",
                ) from None
            except DecodeError:
                raise
            except Exception:
                # Encrypted, unsupported compression, a damaged header: not a bound this module
                # enforces; python-docx then fails and the reader names it unreadable_document.
                return


# ----------------------------------------------------------------- PDF
_STREAM = re.compile(rb"stream\r?\n")
_ENDSTREAM = b"endstream"
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_FLATE = re.compile(rb"/FlateDecode|/Fl\b")


def check_pdf(data: bytes) -> None:
    """Before pdfminer reads a PDF: its Flate streams other than images (page contents, object
    streams, fonts) decompressed as a stream and counted, so a stream bomb or an operator flood
    stops at ``pdf_stream_bytes`` instead of filling memory."""
    lim = limits()
    budget = lim.pdf_stream_bytes
    total = 0
    pos = 0
    while (m := _STREAM.search(data, pos)) is not None:
        start = m.end()
        end = data.find(_ENDSTREAM, start)
        if end < 0:
            break
        pos = end + len(_ENDSTREAM)
        head = data[max(0, m.start() - 512) : m.start()]
        head = head[head.rfind(b"<<") :] if b"<<" in head else head
        if not _FLATE.search(head) or _IMAGE.search(head):
            continue
        d = zlib.decompressobj()
        buf = data[start:end]
        try:
            while buf:
                out = d.decompress(buf, _MB)
                total += len(out)
                if total > budget:
                    raise DecodeError(
                        "too_large",
                        f"the PDF's streams decompress to more than {_mb(budget)} "
                        "(a stream bomb or operator flood)",
                    )
                buf = d.unconsumed_tail
                if not out:
                    break
        except zlib.error:
            continue  # a broken stream: pdfminer skips or rejects it


def check_pdf_pages(n: int) -> None:
    lim = limits()
    if n > lim.pdf_pages:
        raise DecodeError("too_large", f"the PDF has {n:,} pages (limit {lim.pdf_pages:,})")
