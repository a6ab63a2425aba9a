"""The raw folder as an inventory: distinct inputs by content hash, each assigned to one year.

Pure Python (no Dagster): the ``raw_reports`` asset, the raw-folder sensor and ``orchestrate``
all use these functions, so they agree on which file belongs to which year partition.

Partition rule (README "Partitions"): a report belongs to the statistical year read from its
content. An input whose content gives no usable year (empty, binary, not a report, no year, or a
year outside the partition range) is still accounted for, as a rejected input, in:
1. the content year clamped into the range, when the parser read one;
2. else a year written in its path (a folder ``2024/`` or a name like ``…2024年度…``);
3. else the newest partition — the year currently being collected.
The rule does not use file dates, so touching or re-cloning files never moves an input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gipr_pipeline.parser.batch import discover
from gipr_pipeline.parser.model import REJECTION_REASONS, ReportResult
from gipr_pipeline.parser.parse import parse_bytes, read_input
from gipr_pipeline.readers import DecodeError, to_text

FIRST_YEAR = 2019  # the first year of the 2019 template (国办公开办函〔2019〕60号)

# Why an input that the parser read fine still cannot be a report of a partition. These extend
# model.REJECTION_REASONS (the parser's codes) for the pipeline's own partition rule.
PIPELINE_REJECTION_REASONS: dict[str, str] = {
    k: REJECTION_REASONS[k] for k in ("year_unknown", "year_out_of_range")
}

YEAR_SOURCES = ("content", "content_clamped", "path", "newest")

_PATH_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class RawInput:
    """One distinct content under the raw folder, with every path that holds it."""

    report_id: str  # sha256 of the bytes
    paths: tuple[str, ...]  # posix paths relative to the raw folder, sorted
    data: bytes

    @property
    def path(self) -> str:
        return self.paths[0]

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an input is accounted: its partition year and whether it is a report there."""

    year: int
    year_source: str  # one of YEAR_SOURCES
    accepted: bool  # a report of that year (else a rejected input in that year)
    reason: str | None = None  # rejection reason code when not accepted
    message: str | None = None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_inputs(raw_dir: str | Path) -> list[RawInput]:
    """Every distinct content under ``raw_dir`` (recursively, hidden files skipped), sorted by
    first path. A missing folder is an empty inventory, not an error: nothing to do yet."""
    root = Path(raw_dir)
    if not root.is_dir():
        return []
    by_hash: dict[str, tuple[list[str], bytes]] = {}
    for f in discover([root]):
        try:
            data = read_input(f)
        except DecodeError:
            continue  # not a readable file: accounted by ingest.scan, which the pipeline uses
        digest = content_hash(data)
        by_hash.setdefault(digest, ([], data))[0].append(f.relative_to(root).as_posix())
    inputs = [RawInput(h, tuple(sorted(p)), d) for h, (p, d) in by_hash.items()]
    return sorted(inputs, key=lambda i: i.path)


# Parsing is deterministic in (bytes, source); a backfill scans the same folder once per
# partition, so results are cached by content hash within the process.
_PARSED: dict[tuple[str, str], ReportResult] = {}
_PARSED_MAX = 20_000


def parse_input(inp: RawInput) -> ReportResult:
    key = (inp.report_id, inp.path)
    hit = _PARSED.get(key)
    if hit is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        hit = _PARSED[key] = parse_bytes(inp.data, inp.path)
    return hit


def decoded_text(data: bytes) -> tuple[str | None, str | None]:
    """(normalized text, encoding) as the readers see it, or (None, None) for rejected bytes."""
    try:
        doc = to_text(data)
    except DecodeError:
        return None, None
    return doc.text, doc.encoding


def path_year(paths: Sequence[str], years: Sequence[int]) -> int | None:
    """The first year in ``years`` written in any of the paths (folders or file names)."""
    for p in paths:
        for m in _PATH_YEAR.finditer(p):
            y = int(m.group(1))
            if y in years:
                return y
    return None


def assign(inp: RawInput, result: ReportResult, years: Sequence[int]) -> Assignment:
    """The partition an input is accounted in (see the module docstring for the rule)."""
    if not years:
        raise ValueError("no partition years")
    lo, hi = min(years), max(years)
    y = result.report.year
    if result.ok and y is not None and lo <= y <= hi:
        return Assignment(y, "content", True)
    if result.ok:
        code = "year_unknown" if y is None else "year_out_of_range"
        reason, message = code, PIPELINE_REJECTION_REASONS[code]
        if y is not None:
            message = f"{message}: {y}"
    else:
        reason, message = result.reason, result.message
    if y is not None:
        return Assignment(min(max(y, lo), hi), "content_clamped", False, reason, message)
    hint = path_year(inp.paths, years)
    if hint is not None:
        return Assignment(hint, "path", False, reason, message)
    return Assignment(hi, "newest", False, reason, message)


def inventory(
    raw_dir: str | Path, years: Sequence[int]
) -> list[tuple[RawInput, ReportResult, Assignment]]:
    """Every distinct input under ``raw_dir`` with its parse result and partition."""
    out = []
    for inp in read_inputs(raw_dir):
        result = parse_input(inp)
        out.append((inp, result, assign(inp, result, years)))
    return out


def affected_years(before: Mapping[str, int], after: Mapping[str, int]) -> set[int]:
    """Years whose inputs changed between two scans: new content, removed content (a file
    deleted or edited away) and content that moved year."""
    changed = {after[h] for h in after.keys() - before.keys()}
    changed |= {before[h] for h in before.keys() - after.keys()}
    changed |= {
        y
        for h in before.keys() & after.keys()
        if before[h] != after[h]
        for y in (before[h], after[h])
    }
    return changed
