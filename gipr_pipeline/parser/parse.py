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
from dataclasses import dataclass, field
from pathlib import Path

from gipr_pipeline.parser import audits, clean, metadata, rules, runtogether, sections, tables
from gipr_pipeline.parser.model import Fact, ReportResult, rejected
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
    """Parse normalized report text (see ``decode.normalize``).

    When the plain read misses a table or a row and the text looks like a crawler dump (cells
    run together, ``runtogether``), the text is re-segmented and read again; the second read is
    kept only when it reads more cells."""
    result = _parse_text(text, source)
    if _read_failed(result) and runtogether.looks_run_together(text):
        seg = runtogether.resegment(text, load_template(result.report.template or "2021"))
        again = _parse_text(seg.text, source)
        if again.ok and len(again.facts) > len(result.facts):
            again.problems[:0] = seg.problems
            return again
    return result


def _read_failed(result: ReportResult) -> bool:
    if not result.ok or result.missing_tables:
        return True
    return any(p.startswith(("cell_count", "row_missing")) for p in result.problems)


def _parse_text(text: str, source: str) -> ReportResult:
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

    choice = _choose_template(split, cleaned.text, meta.year)
    template, reads = choice.template, choice.reads
    meta.template = template.version
    result.report = meta
    if choice.how != "reference":  # chosen from the rows, section 二, the year, or by default
        result.problems.append(
            f"template_guessed: {template.version} (from the {choice.how}; no 30号/60号 reference)"
        )
    result.problems += choice.problems

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
    if choice.one_row is not None and "applications" in cells:
        violations, skipped = _check_one_row(cells, choice.one_row, violations, skipped)
    result.violations = violations
    result.problems.extend(skipped)
    result.sections = dict(split.sections)
    # Soft rules (warnings): blank cells, empty section 五, fees, prose vs tables.
    result.violations += audits.evaluate(template, reads, split.sections)
    return result


# Section 二's column headings name the template (spaces and line breaks removed; the pieces
# survive a heading split over two lines, 本年 / 制发件数).
_COLUMNS = {
    "2021": ("制发件数", "废止件数", "有效件数"),
    "2019": ("新制作数量", "新公开数量", "公开总数量"),
}
_WS = re.compile(r"\s+")
_OTHER_ROWS = ("3.6.1", "3.6.2", "3.6.3")


@dataclass(slots=True)
class _Choice:
    template: Template
    how: str  # "reference", "rows", "section 二 columns", "year" or "default"
    reads: dict[str, tables.TableRead]
    problems: list[str] = field(default_factory=list)
    # (六)其他处理 printed as one non-zero row in a 2021 report: its cells, by (row "3.6", column).
    one_row: dict[tuple[str, str], int | float] | None = None


def section_columns(text: str) -> str | None:
    """The template whose section 二 column headings ``text`` prints (本年制发件数… → "2021",
    本年新制作数量… → "2019"), or None when it prints neither or both."""
    compact = _WS.sub("", text)
    found = [v for v, keys in _COLUMNS.items() if any(k in compact for k in keys)]
    return found[0] if len(found) == 1 else None


def _choose_template(split: sections.Sectioned, text: str, year: int | None) -> _Choice:
    """The template named by the 30号/60号 reference; else the signals together: the
    applications table's (六)其他处理 rows when they are 3.6.1–3.6.3 (only the 2021 template has
    them), section 二's column headings, the year (< 2021 → 2019), and last (六) printed as one
    row (the 2019 form, but 2021 reports made from old files print it too). ``how`` names the
    first signal that agrees with the choice (rows, section 二 columns, year)."""
    new, old = load_template("2021"), load_template("2019")
    version = metadata.referenced_template(text)
    old_reads = None
    if version is not None:
        template = new if version == "2021" else old
        choice = _Choice(template, "reference", _read_tables(split, template, text))
    else:
        reads = _read_tables(split, new, text)
        app = reads["applications"].values
        old_reads = _read_tables(split, old, text)
        rows = (
            "2021"
            if ("3.6.1", "total") in app or ("3.6.2", "total") in app
            else ("2019" if ("3.6", "total") in old_reads["applications"].values else None)
        )
        sec = split.sections.get("active_disclosure")
        columns = section_columns(sec if sec is not None else text[:20000])
        by_year = None if year is None else ("2021" if year >= 2021 else "2019")
        chosen = "2021" if rows == "2021" else columns or by_year or rows or "2021"
        signals = (("rows", rows), ("section 二 columns", columns), ("year", by_year))
        how = next((name for name, v in signals if v == chosen), "default")
        choice = _Choice(
            new if chosen == "2021" else old, how, reads if chosen == "2021" else old_reads
        )
        if rows == "2021" and columns == "2019":
            choice.problems.append(
                "template_conflict: section 二 prints the 2019 columns (本年新制作数量…) but the"
                " (六)其他处理 rows are the 2021 ones; read as 2021"
            )
    if choice.template is new:
        _one_row_other(choice, split, text, old_reads)
    return choice


_SPACING = re.compile(r"[\s|/]+")


def _other_labels(choice: _Choice) -> list:
    """Rows 3.6.1 and 3.6.2 of the 2021 template (3.6.3 is 其他, printed everywhere)."""
    return [choice.template.table("applications").row(r) for r in _OTHER_ROWS[:2]]


def _one_row_other(
    choice: _Choice,
    split: sections.Sectioned,
    text: str,
    old_reads: dict[str, tables.TableRead] | None,
) -> None:
    """A 2021 report whose (六)其他处理 is printed as one row (the 2019 form): read the
    applications table with the 2019 rows. A row of zeros gives 3.6.1 = 3.6.2 = 3.6.3 = 0; a row
    with a count cannot be split, so 3.6.1–3.6.3 are not stored and the row stands for their
    sum in the rules that need it (``_check_one_row``). Either way a problem names it."""
    read = choice.reads["applications"]
    if not read.found or any((r, "total") in read.values for r in _OTHER_ROWS):
        return
    # A table that prints the labels of 3.6.1/3.6.2 is no one-row (六), even when its rows could
    # not be placed (a converter's layout wraps them over lines; a (六) label followed by 3.6.1's
    # numbers would pass for one): its rows stay named as not read, never read as 2019 rows.
    compact = _SPACING.sub("", split.sections.get("applications", ""))
    if any(min(r.aliases or (r.label,), key=len) in compact for r in _other_labels(choice)):
        return
    if old_reads is None:
        old_reads = _read_tables(split, load_template("2019"), text)
    old = old_reads["applications"]
    table = load_template("2019").table("applications")
    one = {(r, c): v for (r, c), v in old.values.items() if r == "3.6"}
    if len(one) != len(table.row("3.6").columns):
        return
    out = tables.TableRead(found=True, problems=list(old.problems))
    zero = not any(one.values())
    for f in old.facts:
        if f.row != "3.6":
            out.facts.append(f)
            out.values[(f.row, f.column)] = f.value
        elif zero:
            for r in _OTHER_ROWS:
                out.facts.append(Fact(f.table, r, f.column, 0))
                out.values[(r, f.column)] = 0
    # Facts in template order: the three rows where the one row was.
    order = {r.code: i for i, r in enumerate(choice.template.table("applications").rows)}
    out.facts.sort(key=lambda f: order.get(f.row, 0))
    for row, col, printed in old.blanks:
        if row != "3.6":
            out.blanks.append((row, col, printed))
        elif zero:
            out.blanks += [(r, col, printed) for r in _OTHER_ROWS]
    if zero:
        out.problems.append(
            "other_handling_one_row: applications (六)其他处理 printed as one row of zeros (the"
            " 2019 form); 3.6.1, 3.6.2, 3.6.3 read as 0"
        )
    else:
        shown = ", ".join(f"{c}={v}" for (_, c), v in one.items() if v)
        out.problems.append(
            f"other_handling_one_row: applications (六)其他处理 printed as one row ({shown});"
            " it cannot be split into 3.6.1–3.6.3, so they are not stored; the rules that need"
            " them are checked with the row as their sum"
        )
        choice.one_row = one
    choice.reads["applications"] = out


def _check_one_row(
    cells: dict, one_row: dict, violations: list, skipped: list[str]
) -> tuple[list, list[str]]:
    """The 2021 rules with a one-row (六)其他处理 standing for 3.6.1 + 3.6.2 + 3.6.3: the rules
    that need those rows (results_sum, the row's own total) are evaluated as the 2019 template
    states them, on the same cells plus the one row (violations of its total name row 3.6)."""
    old = load_template("2019")
    app = {**cells["applications"], **one_row}
    v19, s19 = rules.evaluate({"applications": app}, old)

    def needs_other(rule: str, row: str | None) -> bool:
        return rule == "applications.results_sum" or row == "3.6"

    # The one row stands for 3.6.1–3.6.3: their rules are checked on it instead.
    skipped = [
        p
        for p in skipped
        if not p.startswith("rule_skipped: applications.results_sum")
        and not any(f" row {r} " in p for r in _OTHER_ROWS)
    ]
    violations = violations + [v for v in v19 if needs_other(v.rule, v.row)]
    skipped += [
        p for p in s19 if p.startswith("rule_skipped: applications.results_sum") or " row 3.6 " in p
    ]
    return violations, skipped


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
            read = tables.read_table(text, t, template)
        out[t.code] = read
    return out
