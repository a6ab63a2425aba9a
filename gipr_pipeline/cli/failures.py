"""What failed, said so a reviewer can act on it: per failing report its agency and its source
file (a line each, never folded or cut), then one row per broken rule: the rule in Chinese, the cell by
its Chinese row and column labels (``template.labels``), the printed value and what its parts add
up to. Used by ``gipr check`` (from parse results) and by ``gipr run`` / ``make run`` (from the
warehouse after the run).

Tables fit an 80-column terminal: the rule and cell columns wrap, the numbers never do; the names
sit on their own line so they are never cut.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gipr_pipeline.parser.batch import text_path
from gipr_pipeline.parser.model import ReportResult
from gipr_pipeline.template import labels

UNKNOWN_AGENCY = "(机关未识别)"
# A national year can hold thousands of failing reports: the terminal shows the first ones and
# says where the full list is.
MAX_REPORTS = 40
# Cells of one soft rule named one by one in a report's table; more are counted (``_rows``).
SOFT_SHOWN = 3


@dataclass(frozen=True)
class Finding:
    """One broken rule of one report. ``printed`` is the total the report prints (a violation's
    ``actual``), ``expected`` what its parts add up to; ``detail`` is a soft rule's quote."""

    rule: str
    severity: str  # "hard" | "soft"
    where: str  # the cell in words ("一、本年新收政府信息公开申请数量 · 总计"), "" if none
    printed: float | int | None
    expected: float | int | None
    detail: str | None = None


@dataclass
class Failing:
    """A report that was rejected or breaks a rule: who, which file, what."""

    agency: str
    source: str
    rejected: str | None = None  # "reason: message" of a rejected file
    findings: list[Finding] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)

    @property
    def hard(self) -> bool:
        return self.rejected is not None or any(f.severity == "hard" for f in self.findings)


def where(template: str | None, table: str | None, row: str | None, column: str | None) -> str:
    """The cell by the template's Chinese row and column labels, with the table's name when the
    rule names a whole column (a per-column rule has no row)."""
    if table is None:
        return ""
    cell = labels.cell_label(template, table, row, column)
    return cell if row is not None else f"{labels.TABLES.get(table, table)} · {cell}"


def from_result(r: ReportResult) -> Failing | None:
    """The parse result of one file as a failing report; None when nothing is to be said."""
    if not r.ok:
        return Failing(
            UNKNOWN_AGENCY, text_path(r.source), rejected=f"{r.reason}: {r.message or ''}"
        )
    if not r.violations and not r.missing_tables:
        return None
    template = r.report.template
    return Failing(
        r.report.agency or UNKNOWN_AGENCY,
        text_path(r.source),  # undecodable bytes of a name as \xNN, printable
        findings=[
            Finding(
                v.rule,
                v.severity,
                where(template, v.table, v.row, v.column),
                v.actual,
                v.expected,
                v.detail,
            )
            for v in r.violations
        ],
        missing_tables=list(r.missing_tables),
    )


def from_warehouse(
    warehouse: str | Path, year: int, raw_dir: str | Path | None = None
) -> list[Failing]:
    """A materialized year's failing reports, from ``rule_violations`` (hard rules only: the soft
    ones are in the annual report), ``raw_reports`` (the file) and ``rejected_reports``; files are
    shown under ``raw_dir`` when given. Sorted by agency, then file."""
    from gipr_pipeline.outputs import warehouse as wh

    # Only the failing reports' rows: a national year's marts hold millions.
    hard = wh.query(
        warehouse,
        """
        with v as (select * from main.rule_violations where year = ? and severity = 'hard')
        select v.report_id, v.agency, v.rule, v.table_code, v.row_code, v.column_code,
               v.expected, v.actual, r.path, t.template
        from v
        left join main.raw_reports r on r.report_id = v.report_id and r.year = v.year
        left join (
            select distinct report_id, template from main.applications
            where year = ? and report_id in (select report_id from v)
        ) t on t.report_id = v.report_id
        order by v.report_id, v.rule, v.row_code nulls first, v.column_code nulls first
        """,
        [year, year],
    )
    rejected = wh.query(
        warehouse,
        "select path, reason, message from main.rejected_reports where year = ? order by path",
        [year],
    )

    def shown(path: str | None) -> str:
        if path is None:
            return "?"
        return str(Path(raw_dir) / path) if raw_dir is not None else path

    out: dict[str, Failing] = {}
    for v in hard.iter_rows(named=True) if hard is not None else ():
        rid = v["report_id"]
        f = out.setdefault(rid, Failing(v["agency"] or UNKNOWN_AGENCY, shown(v["path"])))
        f.findings.append(
            Finding(
                v["rule"],
                "hard",
                where(v["template"], v["table_code"], v["row_code"], v["column_code"]),
                v["actual"],
                v["expected"],  # a hard rule's detail only repeats these two numbers
            )
        )
    failing = sorted(out.values(), key=lambda f: (f.agency, f.source))
    unread = [
        Failing(UNKNOWN_AGENCY, shown(r["path"]), rejected=f"{r['reason']}: {r['message'] or ''}")
        for r in (rejected.iter_rows(named=True) if rejected is not None else ())
    ]
    return failing + unread


def _num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def _cell(x: Finding) -> str:
    return x.where + (f"({x.detail})" if x.detail else "")


def _rows(findings: list[Finding]) -> Iterator[tuple[Finding, str]]:
    """A table row per finding, in order, except that a soft rule found in more than
    ``SOFT_SHOWN`` cells of one report is one row (at its first place): the first cells and how
    many more. A report printed with "—" for zero has a ``cells.blank`` warning in dozens of
    cells; the JSON and the warehouse keep each one."""
    count = Counter(x.rule for x in findings if x.severity != "hard")
    done: set[str] = set()
    for x in findings:
        n = count.get(x.rule, 0)
        if n <= SOFT_SHOWN:
            yield x, _cell(x)
        elif x.rule not in done:
            done.add(x.rule)
            same = [y for y in findings if y.rule == x.rule]
            cells = "; ".join(_cell(y) for y in same[:SOFT_SHOWN])
            yield x, f"{cells} 等{n}处"


def render(console, failing: Iterable[Failing], *, limit: int | None = None, more: str = "") -> int:
    """Print each failing report: a heading (agency · file) and a table of its findings.
    Returns how many reports were printed; with ``limit``, the rest are counted and ``more``
    says where to find them."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    items = list(failing)
    shown = items if limit is None else items[:limit]
    for f in shown:
        mark = Text("✗ " if f.hard else "! ", style="red" if f.hard else "yellow")
        # soft_wrap: a long agency or path runs on (the terminal wraps it), never cut or folded.
        console.print(mark + Text(f.agency, style="bold"), soft_wrap=True)
        console.print(Text(f"  {f.source}", style="dim"), soft_wrap=True)
        if f.rejected:
            console.print(Text(f"    未能读取 {f.rejected}"), soft_wrap=False)
            continue
        if f.findings:
            t = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
            t.add_column("规则", ratio=3, overflow="fold")
            t.add_column("单元格", ratio=4, overflow="fold")
            t.add_column("所列", justify="right", no_wrap=True)
            t.add_column("应为", justify="right", no_wrap=True)
            for x, cell in _rows(f.findings):
                rule = labels.rule_label(x.rule)
                if x.severity != "hard":
                    rule = f"提示:{rule}"
                t.add_row(
                    Text(rule, style="red" if x.severity == "hard" else "yellow"),
                    cell,
                    _num(x.printed),
                    _num(x.expected),
                )
            console.print(Padding(t, (0, 0, 0, 4)))
        for code in f.missing_tables:
            console.print(f"    [yellow]未找到表[/yellow] {labels.TABLES.get(code, code)}")
    if len(items) > len(shown):
        console.print(f"… 另有 {len(items) - len(shown)} 份报告未列出{more}")
    return len(shown)
