"""A hostile-input corpus, generated in code: small files that expand (nothing large committed).

Each generator returns the bytes of one file of a class of docs/reliability.md. The expansions
are built by streaming compressors, so a 200 MB bomb costs the test well under a second and a few
hundred KB of memory.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import struct
import zipfile
import zlib

MB = 1024 * 1024

_CT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(
    document: bytes | None = None, stream_member: tuple[str, int] | None = None, level: int = 6
) -> bytes:
    """A minimal Word package; ``stream_member`` = (name, size) adds a member of ``size`` zero
    bytes compressed as a stream (a bomb)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr(
            "word/document.xml",
            document
            or b"<w:document "
            + _W
            + b"><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>",
        )
        if stream_member:
            name, size = stream_member
            chunk = bytes(MB)
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = level  # ZipInfo passed to open() keeps its own level
            with z.open(info, "w", force_zip64=True) as fh:
                for _ in range(size // MB):
                    fh.write(chunk)
    return buf.getvalue()


def docx_declared_bomb() -> bytes:
    """A member that declares (and holds) 300 MB of zeros: over ``unzipped_bytes``."""
    return _docx(stream_member=("word/media/bomb.bin", 300 * MB), level=1)


def docx_ratio_bomb() -> bytes:
    """A 100 MB member compressed about 1,000×: a zip bomb by ratio."""
    return _docx(stream_member=("word/media/bomb.bin", 100 * MB))


def docx_lying_sizes() -> bytes:
    """A 50 MB member whose headers declare 1,000 bytes (local header and central directory)."""
    data = bytearray(_docx(stream_member=("word/media/liar.bin", 50 * MB)))
    name = b"word/media/liar.bin"
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = 0
        while (i := data.find(sig, i)) >= 0:
            # local header: name at 30; central directory entry: name at 46
            start = i + (30 if sig == b"PK\x03\x04" else 46)
            if data[start : start + len(name)] == name:
                size = struct.unpack_from("<I", data, i + off)[0]
                if size != 0xFFFFFFFF:
                    struct.pack_into("<I", data, i + off, 1000)
                else:  # zip64: the real size is in the extra field
                    extra = data.find(b"\x01\x00", start + len(name))
                    struct.pack_into("<Q", data, extra + 4, 1000)
            i += 4
    return bytes(data)


_LOL = (
    b'<!DOCTYPE w:document [<!ENTITY lol "lollollollollollollollollollol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def docx_entity_bomb() -> bytes:
    """Billion laughs in word/document.xml."""
    return _docx(
        b'<?xml version="1.0"?>'
        + _LOL
        + b"<w:document "
        + _W
        + b"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )


def docx_external_entity() -> bytes:
    """An external entity reading /etc/passwd (XXE) in word/document.xml."""
    return _docx(
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<w:document "
        + _W
        + b"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )


def docx_deep_tables(depth: int = 2000) -> bytes:
    cell_open = b"<w:tbl><w:tr><w:tc>"
    cell_close = b"<w:p/></w:tc></w:tr></w:tbl>"
    body = cell_open * depth + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" + cell_close * depth
    return _docx(b"<w:document " + _W + b"><w:body>" + body + b"</w:body></w:document>")


_REPORT_WORDS = "政府信息公开工作年度报告 一、总体情况 本年新收政府信息公开申请".encode()


def html_entity_bomb() -> bytes:
    return (
        b'<?xml version="1.0"?>'
        + _LOL.replace(b"w:document", b"html")
        + b"<html><body><p>&lol9;</p><p>"
        + _REPORT_WORDS
        + b"</p></body></html>"
    )


def html_external_entity() -> bytes:
    return (
        b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<html><body><p>&xxe;</p><p>" + _REPORT_WORDS + b"</p></body></html>"
    )


def html_external_dtd() -> bytes:
    """An external DTD on an unroutable address: read without network (no hang)."""
    return (
        b'<!DOCTYPE html SYSTEM "http://10.255.255.1/evil.dtd">'
        b"<html><body><p>&nbsp;</p><p>not a report at all</p></body></html>"
    )


def html_deep(depth: int = 100_000) -> bytes:
    return (
        b"<html><body>" + b"<div>" * depth + _REPORT_WORDS + b"</div>" * depth + b"</body></html>"
    )


def huge_line(chars: int = 3_000_000) -> bytes:
    return ("政府信息公开 " + "1 | " * (chars // 4)).encode()


# ----------------------------------------------------------------- PDF, written by hand
def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table from numbered object bodies (1-based)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, xref)
    )
    return out.getvalue()


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def _flate_stream(size: int, unit: bytes, extra: bytes = b"") -> bytes:
    c = zlib.compressobj(1)
    block = unit * (MB // len(unit))
    parts = [c.compress(block) for _ in range(size // len(block))]
    parts.append(c.flush())
    return _stream(b"".join(parts), b" /Filter /FlateDecode" + extra)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_pages(n: int, text: bytes = b"page") -> bytes:
    """``n`` pages sharing one small content stream (``text`` in Helvetica)."""
    content = _stream(b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET")
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        content,
        _FONT,
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * n
    return _pdf(objects)


def _one_page(content: bytes, extra_objects: tuple[bytes, ...] = ()) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            content,
            _FONT,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>",
            *extra_objects,
        ]
    )


def pdf_stream_bomb() -> bytes:
    """A page whose content stream inflates to 160 MB (spaces)."""
    return _one_page(_flate_stream(160 * MB, b" "))


def pdf_operator_flood() -> bytes:
    """A page of 150 MB of path operators (about 20 million)."""
    return _one_page(_flate_stream(150 * MB, b"0 0 m 1 1 l "))


def pdf_objstm_bomb() -> bytes:
    """An object stream (not on any page) inflating to 160 MB."""
    return _one_page(
        _stream(b"BT /F1 12 Tf 72 720 Td (x) Tj ET"),
        (_flate_stream(160 * MB, b" ", b" /Type /ObjStm /N 1 /First 4"),),
    )


# ----------------------------------------------------------------- a raw folder as left by anyone
@contextlib.contextmanager
def mixed_folder(root, seed_paths):
    """Good, bad and hostile files, special files, links, loops and odd names under ``root``:
    yields (root, {entry name relative to root, as bytes: expected (status, reason)})."""
    root.mkdir()
    b = os.fsencode(root)
    expect: dict[bytes, tuple[str, str | None]] = {}

    def put(name: bytes, data: bytes, status: str, reason: str | None) -> None:
        with open(b + b"/" + name, "wb") as fh:
            fh.write(data)
        expect[name] = (status, reason)

    seed = seed_paths["000"].read_bytes()
    put(b"good.txt", seed, "ok", None)
    put(b"bad\xff\xfename.txt", seed_paths["001"].read_bytes(), "ok", None)  # not UTF-8
    put(b"new\nline.txt", seed_paths["002"].read_bytes(), "ok", None)
    put(b"-rf --help.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "rejected", "binary")
    put(("长" * 80 + ".txt").encode(), seed_paths["003"].read_bytes(), "ok", None)  # 244 bytes
    put(
        b"<script>alert(1)<\\script>'; drop table raw_reports; --.txt",
        "今天天气很好。\n".encode(),
        "rejected",
        "not_a_report",
    )
    put(b"[red]markup[bold].txt", b"", "rejected", "empty")
    put(b"entities.docx", docx_entity_bomb(), "rejected", "unsafe_document")
    put(b"deep.html", html_deep(), "rejected", "unsafe_document")
    put(b"bomb.pdf", pdf_stream_bomb(), "rejected", "too_large")
    put(b".hidden.txt", seed, "skipped", None)  # hidden: not an input (README)
    del expect[b".hidden.txt"]
    os.mkfifo(b + b"/fifo")
    expect[b"fifo"] = ("rejected", "not_a_file")
    os.symlink(b + b"/nowhere", b + b"/dangling")
    expect[b"dangling"] = ("rejected", "not_a_file")
    os.symlink(b + b"/self", b + b"/self")
    expect[b"self"] = ("rejected", "not_a_file")
    os.symlink(b"/dev/null", b + b"/device")
    expect[b"device"] = ("rejected", "not_a_file")
    os.mkdir(b + b"/sub")
    os.symlink(b"..", b + b"/sub/up")  # a folder loop: one record, not followed
    expect[b"sub/up"] = ("rejected", "not_a_file")
    put(b"sub/inner.txt", seed_paths["004"].read_bytes(), "ok", None)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind((b + b"/socket").decode("utf-8"))
    expect[b"socket"] = ("rejected", "not_a_file")
    try:
        yield root, expect
    finally:
        sock.close()


def slow_pdf() -> bytes:
    """A 37 KB PDF that takes seconds to read (200 pages sharing a stream of 300 text
    operators; about 8 s on one core), for the watchdog's time limit: a small
    ``GIPR_LIMIT_SECONDS`` rejects it long before it ends."""
    return pdf_pages(200, b"slow) Tj 0 -1 Td (" * 300 + b"x")
