"""One input file → one ReportResult: decode, clean, section, read tables, check rules.

Pure Python, no Dagster: the CLI, the Dagster assets and the benchmark all call ``parse_bytes``.
It never raises on bad input; anything it cannot read becomes a rejection with a reason code.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from pathlib import Path

from gipr_pipeline.parser import audits, clean, metadata, rules, sections, tables
from gipr_pipeline.parser.model import ReportResult, rejected
from gipr_pipeline.readers import DecodeError, to_text
from gipr_pipeline.readers.limits import limits
from gipr_pipeline.template import Template, load_template

# Words that only a 政府信息公开工作年度报告 uses; a text with none of them is not one.
_REPORT_MARKERS = re.compile(
    r"政府信息公开|信息公开工作年度报告|依申请公开|主动公开|本年新收政府信息公开申请|行政复议"
)


@functools.lru_cache(maxsize=4096)
def _blank_name(blank: tuple[str, str, str]) -> str:
    row, col, printed = blank
    return f"{row}/{col}={printed or 'blank'}"


def parse_path(path: str | Path) -> ReportResult:
    """One file, never raising: a path that is not a readable regular file is rejected
    (``not_a_file``, ``unreadable_file``, ``too_large``) without its bytes being read."""
    try:
        data = read_input(path)
    except DecodeError as e:
        return rejected(str(path), e.reason, e.message)
    return parse_bytes(data, str(path))


_SPECIAL = (
    (stat.S_ISDIR, "a folder (reached again through a symlink loop, or not listable)"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_input(path: str | Path) -> bytes:
    """The bytes of a regular file. Raises DecodeError: ``not_a_file`` (FIFO, device, socket,
    folder, dangling symlink, symlink loop: never opened, so a FIFO cannot block the run),
    ``unreadable_file`` (permission denied, I/O error), ``too_large`` (over
    ``Limits.file_bytes``: not read)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DecodeError("not_a_file", "a symlink loop") from None
        if e.errno == errno.ENOENT and os.path.islink(path):
            raise DecodeError(
                "not_a_file", "a dangling symlink (its target does not exist)"
            ) from None
        raise DecodeError("unreadable_file", f"cannot read the file: {e.strerror}") from None
    _check_regular(st)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())  # the file opened is the one checked (no swap in between)
            _check_regular(st)
            cap = limits().file_bytes
            if st.st_size > cap:
                raise DecodeError(
                    "too_large", f"the file is {st.st_size:,} bytes, over the limit of {cap:,}"
                )
            return fh.read(cap + 1)  # a file growing while read is still bounded
    except OSError as e:
        raise DecodeError("unreadable_file", f"cannot read the file: {e.strerror}") from None


def _check_regular(st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    for test, what in _SPECIAL:
        if test(st.st_mode):
            raise DecodeError("not_a_file", f"not a regular file: {what}")
    raise DecodeError("not_a_file", "not a regular file")


def parse_bytes(data: bytes, source: str) -> ReportResult:
    try:
        doc = to_text(data)
    except DecodeError as e:
        return rejected(source, e.reason, e.message)
    result = parse_text(doc.text, source)
    result.encoding, result.format = doc.encoding, doc.format
    if doc.lossy:
        result.problems.insert(
            0, "decode_replaced: some bytes were not valid in the detected encoding"
        )
    result.problems.extend(doc.problems)
    return result


def parse_text(text: str, source: str) -> ReportResult:
    """Parse normalized report text (see ``decode.normalize``)."""
    base = load_template("2021")
    candidates = sections.heading_candidates(text, base)
    cleaned = clean.clean(text, sections.first_heading_line(text, base, candidates))
    if not cleaned.text.strip():
        return rejected(source, "empty")
    # When cleaning only dropped the final line breaks, the lines (and offsets) are the same.
    same = cleaned.text == text.rstrip("\n")
    split = sections.split_sections(cleaned.text, base, candidates if same else None)
    if not split.sections and not _REPORT_MARKERS.search(cleaned.text):
        return rejected(
            source, "not_a_report", "no template section heading and no report wording found"
        )

    result = ReportResult(source=source)
    if cleaned.duplicated:
        result.problems.append("duplicated_copy: the report appears twice; the first copy was kept")
        if cleaned.copies_differ:
            result.problems.append("duplicated_copy_differs: the two copies are not identical")
    meta, meta_problems = metadata.extract_checked(split.preamble, cleaned.text)
    result.problems += meta_problems

    template, how, reads = _choose_template(split, cleaned.text, meta.year)
    meta.template = template.version
    result.report = meta
    if how != "reference":  # chosen from the row structure, the year, or by default
        result.problems.append(
            f"template_guessed: {template.version} (from the {how}; no 30号/60号 reference)"
        )

    for t in template.tables:
        read = reads[t.code]
        if not read.found:
            result.missing_tables.append(t.code)
            continue
        result.problems.extend(read.problems)
        if read.blanks:
            named = ", ".join(map(_blank_name, read.blanks))
            result.problems.append(f"blank_as_zero: {t.code} {named}")
        result.facts += read.facts

    if len(result.missing_tables) == len(template.tables):
        return rejected(
            source,
            "no_tables",
            "none of the tables (applications, review_litigation, active_disclosure) could be read",
            report=meta,
            problems=result.problems,
        )
    for s in split.missing:
        result.problems.append(f"section_missing: {s}")
    if meta.year is None:
        result.problems.append("year_unknown: no 统计期限, title year or publication date")
    if meta.agency is None:
        result.problems.append(
            "agency_unknown: no title, signature or introduction names the agency"
        )

    # The same cells as the facts (each read holds only its table's cells).
    cells = {t.code: reads[t.code].values for t in template.tables if reads[t.code].found}
    violations, skipped = rules.evaluate(cells, template)
    result.violations = violations
    result.problems.extend(skipped)
    result.sections = dict(split.sections)
    # Soft rules (warnings): blank cells, empty section 五, fees, prose vs tables.
    result.violations += audits.evaluate(template, reads, split.sections)
    return result


def _choose_template(
    split: sections.Sectioned, text: str, year: int | None
) -> tuple[Template, str, dict[str, tables.TableRead]]:
    """The template named by the 30号/60号 reference, else the one whose (六)其他处理 rows the
    applications table has, else the one in force for the year."""
    new, old = load_template("2021"), load_template("2019")
    version = metadata.referenced_template(text)
    if version is not None:
        template = new if version == "2021" else old
        return template, "reference", _read_tables(split, template, text)
    reads = _read_tables(split, new, text)
    app = reads["applications"].values
    if ("3.6.1", "total") in app or ("3.6.2", "total") in app:
        return new, "rows", reads
    old_reads = _read_tables(split, old, text)
    if ("3.6", "total") in old_reads["applications"].values:
        return old, "rows", old_reads
    if year is not None and year < 2021:
        return old, "year", old_reads
    return new, ("year" if year is not None else "default"), reads


def _read_tables(
    split: sections.Sectioned, template: Template, full: str
) -> dict[str, tables.TableRead]:
    out = {}
    for t in template.tables:
        text = split.sections.get(t.section)
        if text is None:
            # A report whose headings we could not find: labelled tables can still anchor.
            read = tables.read_table(full, t) if not t.unlabelled else tables.TableRead(found=False)
            if read.found:
                read.problems.insert(
                    0, f"section_heading_missing: {t.section} (table read from the whole text)"
                )
        else:
            read = tables.read_table(text, t)
        out[t.code] = read
    return out
