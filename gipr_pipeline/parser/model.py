"""The parser's result types: what one input file becomes.

One ``ReportResult`` per input, always: rejected inputs carry a reason code instead of facts, so
nothing is silently dropped between the raw folder and the marts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

# Reason codes for rejected inputs: a fixed, documented list (README "Rejection reasons").
REJECTION_REASONS: dict[str, str] = {
    "empty": "the file is empty or holds only whitespace",
    "binary": "the file is binary (NUL bytes or a known binary signature such as PNG/ZIP/PDF)",
    "undecodable": "the bytes are not text in UTF-8, UTF-16 or GB18030/GBK",
    "not_a_report": "the text is not a 政府信息公开工作年度报告 (no template section or table found)",
    "no_tables": "the text looks like such a report but none of its three tables could be read",
    "no_text_layer": "the PDF has no text layer (a scan); OCR is out of scope",
    "no_unicode_map": "the PDF's fonts have no Unicode mapping (glyph ids only): its text cannot be read as shown",
    "unreadable_document": "the HTML/DOCX/PDF container could not be read (truncated, encrypted, corrupt)",
    # The pipeline's own: a report needs a year to have a partition.
    "year_unknown": "the report gives no statistical year (no 统计期限, title year or date)",
    "year_out_of_range": "the report's year is outside the partitions (2019 … last complete year)",
}


# Facts and violations are immutable records made by the hundred per report: NamedTuples are
# built several times faster than frozen dataclasses, and cached ones can be shared.
class Fact(NamedTuple):
    table: str
    row: str
    column: str
    value: int | float

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "row": self.row, "column": self.column, "value": self.value}


class Violation(NamedTuple):
    """A broken rule. For a balance rule, ``actual`` (the printed total) differs from
    ``expected`` (the parts). Soft rules (warnings, see the template's ``[[rules]]``) name what
    they can: a cell, or for ``narrative.agreement`` the table cell (``expected``) and the number
    stated in the prose (``actual``); ``detail`` says the rest (e.g. the sentence, quoted)."""

    rule: str
    table: str | None
    row: str | None
    column: str | None
    expected: int | float | None
    actual: int | float | None
    severity: str = "hard"
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "expected": self.expected,
            "actual": self.actual,
            "severity": self.severity,
            "detail": self.detail,
        }


@dataclass(slots=True)
class ReportMeta:
    agency: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    template: str | None = None  # "2021" | "2019"
    phone: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "template": self.template,
            "phone": self.phone,
        }


@dataclass(slots=True)
class ReportResult:
    """Everything the parser learned from one input file."""

    source: str
    status: str = "ok"  # "ok" | "rejected"
    reason: str | None = None  # a REJECTION_REASONS key when rejected
    message: str | None = None  # a human sentence for the reason
    report: ReportMeta = field(default_factory=ReportMeta)
    facts: list[Fact] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    # Problem strings are "code: detail"; the code part is stable (README "Problems").
    problems: list[str] = field(default_factory=list)
    # Not part of the JSON line: used by the pipeline's sections asset.
    sections: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    format: str = "text"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "report": self.report.to_json(),
            "facts": [f.to_json() for f in self.facts],
            "missing_tables": list(self.missing_tables),
            "violations": [v.to_json() for v in self.violations],
            "problems": list(self.problems),
        }


def json_line(result: ReportResult) -> str:
    """``result.to_json()`` as one JSON line (``gipr parse --json``), ending in a newline.

    Encoded by orjson (measured ~3x the standard library's ``json.dumps`` on a report's 200
    facts; a cache of each fact's JSON was no faster once warm and slower cold): the same
    object, key for key, as the standard library gives (a test compares them); compact
    separators; non-ASCII written as UTF-8. A string that is not valid Unicode (undecodable
    bytes of a file name kept as lone surrogates) makes orjson refuse; the line is then written
    by the standard library with ``\\uXXXX`` escapes, which keeps it lossless.
    """
    data = result.to_json()
    try:
        return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":")) + "\n"


def rejected(source: str, reason: str, message: str | None = None, **kw: Any) -> ReportResult:
    if reason not in REJECTION_REASONS:
        raise ValueError(f"unknown rejection reason {reason!r}")
    return ReportResult(
        source=source,
        status="rejected",
        reason=reason,
        message=message or REJECTION_REASONS[reason],
        **kw,
    )
