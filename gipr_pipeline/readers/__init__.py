"""Front doors: turn a raw file of any supported format into normalized report text.

Every format ends as the same plain text the table parser reads (tables one row per line,
cells separated by " | "), so there is one parsing core behind several front doors.
"""

from __future__ import annotations

from dataclasses import dataclass

from gipr_pipeline.decode import DecodeError, decode_bytes, normalize


@dataclass(frozen=True, slots=True)
class Document:
    text: str  # normalized (NFKC) text
    encoding: str | None
    format: str  # "text" | "html" | "docx" | "pdf"
    lossy: bool = False


def to_text(data: bytes) -> Document:
    """Read any supported input. Raises DecodeError(reason, message) for rejected inputs."""
    decoded = decode_bytes(data)
    return Document(normalize(decoded.text), decoded.encoding, "text", decoded.lossy)


__all__ = ["DecodeError", "Document", "to_text"]
