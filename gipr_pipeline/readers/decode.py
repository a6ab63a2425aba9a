"""Bytes → normalized text: encoding detection, binary detection, NFKC normalization."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

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


def normalize(text: str) -> str:
    """NFKC (full-width digits, parentheses, colons → ASCII), drop zero-width characters,
    unify line breaks."""
    # Each fix-up runs only when its characters occur: most texts need none of them, and a
    # regex pass (or str.translate) over every character costs more than the decoding.
    if _holds_any(text, _ZERO_WIDTH_CHARS):
        text = _ZERO_WIDTH.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    if _holds_any(text, _ODD_NEWLINE_CHARS):
        text = _NEWLINES.sub("\n", text)
    if _holds_any(text, _LOOKALIKE_CHARS):
        text = _LOOKALIKES.sub(lambda m: _LOOKALIKE_MAP[m.group()], text)
    return text
