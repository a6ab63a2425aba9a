"""What every reader returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    text: str  # normalized (NFKC) text: paragraphs one per line, table rows as " | " lines
    encoding: str | None  # the text encoding for text and HTML; None for DOCX and PDF
    format: str  # "text" | "html" | "docx" | "pdf"
    lossy: bool = False  # some bytes were replaced (broken or mixed encoding)
    # "code: detail" strings about the container (e.g. "html_from_script: ..."), to be added to
    # the report's problems by the parser.
    problems: tuple[str, ...] = ()
