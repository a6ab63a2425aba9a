"""Bytes → normalized text: encoding detection, binary detection, NFKC normalization, CJK radical
look-alikes folded to their ideograph."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from gipr_pipeline.readers.radicals import EQUIVALENT

# Signatures of binary formats that portals and users save by mistake as .txt.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"PK\x03\x04",
    b"%PDF",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\xd0\xcf\x11\xe0",  # OLE2 (.doc/.xls)
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
    b"BM",
)
_CONTROL = bytes(b for b in range(32) if not 9 <= b <= 13)
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
# NFKC folds full-width forms and ideographic spaces; these look-alikes it leaves alone.
_LOOKALIKE_MAP = {"\u2015": "—", "\u2502": "|"}
_LOOKALIKE_CHARS = "".join(_LOOKALIKE_MAP)
_LOOKALIKES = re.compile(f"[{_LOOKALIKE_CHARS}]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # some bytes were replaced (mixed or broken encoding)


class DecodeError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def looks_binary(data: bytes) -> bool:
    head = data[:8]
    if any(head.startswith(m) for m in _BINARY_MAGIC if m != b"BM") or (
        head.startswith(b"BM") and b"\x00" in data[:64]
    ):
        return True
    sample = data[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    ctrl = len(sample) - len(sample.translate(None, _CONTROL))
    return ctrl > len(sample) * 0.05


def decode_bytes(data: bytes) -> Decoded:
    """Decode report bytes, trying the encodings Chinese portals actually use.

    Raises DecodeError with reason ``empty``, ``binary`` or ``undecodable``.
    """
    if not data or not data.strip():
        raise DecodeError("empty", "the file is empty or holds only whitespace")
    if data.startswith(codecs.BOM_UTF8):
        return _checked(data[3:], "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data, "utf-16")
        except DecodeError:
            raise
    if looks_binary(data):
        raise DecodeError("binary", "the file is binary, not text")
    for enc in ("utf-8", "gb18030"):
        try:
            return _checked(data, enc)
        except UnicodeDecodeError:
            continue
    # Mixed encodings (a GBK footer pasted under a UTF-8 body): keep what UTF-8 reads.
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(16, len(text) // 50):
        return Decoded(text, "utf-8", lossy=True)
    raise DecodeError("undecodable", "the bytes are not text in UTF-8, UTF-16 or GB18030/GBK")


def _checked(data: bytes, enc: str) -> Decoded:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        if enc in ("utf-8", "gb18030"):
            raise
        raise DecodeError("undecodable", f"invalid {enc} text: {e.reason}") from None
    if not text.strip():
        raise DecodeError("empty", "the file is empty or holds only whitespace")
    return Decoded(text, enc.replace("-sig", ""))


_LINE_BREAKS = "\u2028\u2029\x0b\x0c\x85"  # besides \r and \r\n
_NEWLINES = re.compile(f"\r\n?|[{_LINE_BREAKS}]")
_ODD_NEWLINE_CHARS = "\r" + _LINE_BREAKS


def _holds_any(text: str, chars: str) -> bool:
    # One ``in`` per character is a C scan several times faster than a regex over the text.
    return any(c in text for c in chars)


# CJK Radicals Supplement, Kangxi Radicals and CJK Strokes: the blocks of
# :mod:`gipr_pipeline.readers.radicals`. NFKC folds the Kangxi radicals to the same ideograph as
# the table, but silently; the table is applied first so that every fold is counted.
_RADICAL_RANGES = "\u2e80-\u2fdf\u31c0-\u31ef"
_RADICALS = re.compile(f"[{_RADICAL_RANGES}]")
_RADICAL_SPLIT = re.compile(f"([{_RADICAL_RANGES}])")
_RADICAL_FOLD = {k: chr(v) for k, v in EQUIVALENT.items()}  # for str.translate
# Every character some fix-up below acts on (U+FFE8 is what NFKC turns into U+2502), in one
# class: sre compiles it to a single lookup table, so the common text (none of them) costs one
# scan besides NFKC. Measured on 2,000 synth reports (7.2 M characters): this scan 22 ms, the
# 14 ``in`` scans it replaces 13.5 ms, a regex of the radicals' two ranges alone 44 ms (sre
# tests ranges one by one), so to_text went from 65 to 73 ms CPU.
_RARE = re.compile(
    f"[{_ZERO_WIDTH_CHARS}{_ODD_NEWLINE_CHARS}{_LOOKALIKE_CHARS}\uffe8{_RADICAL_RANGES}]"
)


def normalize(text: str) -> str:
    """NFKC (full-width digits, parentheses, colons → ASCII), drop zero-width characters,
    unify line breaks, fold CJK radical look-alikes (⺠ → 民)."""
    return normalize_counted(text)[0]


def normalize_counted(text: str, *, fold_radicals: bool = True) -> tuple[str, int]:
    """:func:`normalize`, and how many radical look-alikes it folded (for the reader's
    problem, :func:`radical_problem`). With ``fold_radicals=False`` they are kept as they are,
    Kangxi radicals too (for a table cell, so that the document's normalization counts them)."""
    if _RARE.search(text) is None:
        return unicodedata.normalize("NFKC", text), 0
    if _holds_any(text, _ZERO_WIDTH_CHARS):
        text = _ZERO_WIDTH.sub("", text)
    folded = 0
    found = _RADICALS.findall(text)
    if found and fold_radicals:
        folded = sum(ord(c) in _RADICAL_FOLD for c in found)
        text = text.translate(_RADICAL_FOLD)
    if found and not fold_radicals:
        # NFKC between the radicals only: it would fold the Kangxi ones.
        parts = _RADICAL_SPLIT.split(text)
        parts[::2] = [unicodedata.normalize("NFKC", p) for p in parts[::2]]
        text = "".join(parts)
    else:
        text = unicodedata.normalize("NFKC", text)
    if _holds_any(text, _ODD_NEWLINE_CHARS):
        text = _NEWLINES.sub("\n", text)
    if _holds_any(text, _LOOKALIKE_CHARS):
        text = _LOOKALIKES.sub(lambda m: _LOOKALIKE_MAP[m.group()], text)
    return text, folded


def radical_problem(folded: int) -> str:
    """The reader problem for ``folded`` radical look-alikes read as their ideograph."""
    return (
        f"radical_lookalikes: {folded} CJK radical(s) that look like ideographs "
        "(e.g. ⺠ for 民) read as the ideograph"
    )
