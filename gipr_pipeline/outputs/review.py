"""What reviewers read about their own work: the corrections on record and the comparison with
the previous year, as sections of the annual report (``report.py``) and sheets of the xlsx
export (``export.py``), and the marks on corrected cells in the xlsx.

Input frames: the ``corrections`` mart (``marts/corrections.py``) and the ``year_over_year``
mart (``marts/yoy.py``) of one year, eager or lazy. polars is imported inside the functions: the
CLI loads this module for its constants only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from gipr_pipeline.template import labels

if TYPE_CHECKING:
    import polars as pl

# The marts this module shows (sheet names: labels.MARTS).
SHEETS = {m: labels.MARTS[m] for m in ("corrections", "year_over_year")}
CORRECTED_MARK = "✎"  # beside a corrected number in the report
STATUS = {"applied": "已采用", "rejected": "未采用"}
REASONS = {
    "invalid": "该行格式不符(见详情)",
    "report_changed": "该文件内容已变化,不再是更正所指的报告",
    "cell_not_found": "报告中没有这个单元格",
    "printed_changed": "现在读出的值与记录的原值不同",
    "value_not_allowed": "数值不适合该单元格(件数须为非负整数)",
    "unchanged": "更正值与读出的值相同",
    "superseded": "同一单元格有更晚的更正",
}
PAIRING = {
    "matched": "两年均有报告",
    "unmatched": "上年无对应报告(新出现、更名或上年未报)",
    "missing_in_year": "本年无对应报告(未再出现、更名或本年未报)",
    "ambiguous": "名称对应不唯一(未配对)",
}
FIGURES = {
    "received": "本年新收申请",
    "granted": "予以公开+部分公开",
    "concluded": "办理结果总计",
    "carried_out": "结转下年度继续办理",
}
CORRECTION_HEADERS = {
    "agency": labels.KEYS["agency"],
    "cell": "单元格",
    "printed": "原值(报告所列)",
    "value": "更正值",
    "status": "状态",
    "reason": "原因代码",
    "reason_label": "未采用原因",
    "detail": "详情",
    "who": "更正人",
    "corrected_on": "更正日期",
    "why": "更正理由",
    "source": "文件",
    "report_id": labels.KEYS["report_id"],
    "file": "更正记录行",
}


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def number(v) -> str:
    if v is None:
        return "—"
    v = float(v)
    return f"{int(v):,}" if v == int(v) else f"{v:,.2f}".rstrip("0").rstrip(".")


def _change(v) -> str:
    if v is None:
        return "—"
    return f"+{v:,}" if v > 0 else f"{v:,}"


def _table(head: list[str], rows: list[list[str]], cls: str) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def cell_words(r: Mapping) -> str:
    """A corrected cell in words: table · row label · column label."""
    table = labels.TABLES.get(r["table_code"] or "", r["table_code"] or "")
    where = labels.cell_label(None, r["table_code"] or "", r["row_code"], r["column_code"])
    return f"{table} · {where}" if where else table


# ---------------------------------------------------------------- the annual report
def corrections_section(frames: Mapping[str, pl.DataFrame]) -> str:
    """The report's 更正记录 section: every applied correction (printed and corrected value,
    who, when, why), the rejected ones folded with their reasons."""
    import polars as pl

    if "corrections" not in frames:
        return ""
    df = frames["corrections"].lazy().collect()
    head = '<h2 id="corrections">更正记录</h2>'
    if df.is_empty():
        return head + '<p class="empty">本年度没有更正记录:所有数字均为报告原文所列。</p>'
    applied = df.filter(pl.col("status") == "applied").sort("agency", "table_code", "row_code")
    rejected = df.filter(pl.col("status") == "rejected").sort("file")
    note = (
        f'<p class="note">审核人员记录的更正({CORRECTED_MARK}):汇总和勾稽关系核验使用更正值,'
        "原文件不改。已采用 "
        f"{applied.height} 条,未采用 {rejected.height} 条。</p>"
    )
    rows = [
        [
            _e(r["agency"]),
            f"{CORRECTED_MARK} {_e(cell_words(r))}",
            number(r["printed"]),
            f"<b>{number(r['value'])}</b>",
            _e(r["who"]),
            _e(r["corrected_on"]),
            _e(r["why"]),
            f"<code>{_e(r['source'] or (r['report_id'] or '')[:12])}</code>",
        ]
        for r in applied.iter_rows(named=True)
    ]
    out = head + note
    if rows:
        out += _table(
            ["机关", "单元格", "原值", "更正值", "更正人", "日期", "理由", "文件"],
            rows,
            "corrections",
        )
    if rejected.height:
        rrows = [
            [
                _e(r["file"]),
                _e(r["agency"] or r["source"] or (r["report_id"] or "")[:12]),
                _e(cell_words(r)),
                f'<span class="bad">{_e(REASONS.get(r["reason"], r["reason"]))}</span>'
                f" <code>{_e(r['reason'])}</code>",
                _e(r["detail"]),
            ]
            for r in rejected.iter_rows(named=True)
        ]
        out += (
            f"<details><summary>未采用的更正:{rejected.height} 条</summary>"
            + _table(["更正记录行", "报告", "单元格", "原因", "详情"], rrows, "corrections")
            + "</details>"
        )
    return out


def yoy_section(year: int, frames: Mapping[str, pl.DataFrame]) -> str:
    """The report's 与上年比较 section: the paired agencies side by side, then the agencies seen
    in one year only and the ambiguous names, worded so that no pairing is implied."""
    import polars as pl

    if "year_over_year" not in frames:
        return ""
    df = frames["year_over_year"].lazy().collect()
    head = f'<h2 id="year-over-year">与上年({year - 1})比较</h2>'
    n = {s: df.filter(pl.col("status") == s).height for s in PAIRING}
    if not (n["matched"] or n["missing_in_year"] or n["ambiguous"]):
        return head + (
            f'<p class="empty">仓库中没有可与本年比较的 {year - 1} 年度报告'
            f"(本年 {n['unmatched']} 份报告均无上年对应),无法比较。</p>"
        )
    breaks = df.filter(pl.col("carryover") == "break").height
    note = (
        f'<p class="note">按机关名称(去掉省、市前缀后)配对:两年均有 {n["matched"]} 个机关,'
        f"其中 {breaks} 个的上年结转与上年报告的结转下年不一致;上年无对应 {n['unmatched']} 个,"
        f"本年无对应 {n['missing_in_year']} 个,名称对应不唯一 {n['ambiguous']} 份报告(不配对)。"
        "没有配对的机关不作结转核对,不能视为不一致。</p>"
    )
    matched = df.filter(pl.col("status") == "matched").sort("agency_key")
    rows = []
    for r in matched.iter_rows(named=True):
        cells = [_e(r["agency"])]
        if r["previous_agency"] != r["agency"]:
            cells[0] += f'<br><span class="note">{year - 1}:{_e(r["previous_agency"])}</span>'
        for f in FIGURES:
            cells.append(
                f'{number(r[f + "_previous"])} → {number(r[f])} <span class="note">'
                f"({_change(r[f + '_change'])})</span>"
            )
        cells.append(
            '<span class="ok">一致</span>'
            if r["carryover"] == "ok"
            else f'<span class="bad">不一致({r["carryover_breaks"]} 列)</span>'
        )
        rows.append(cells)
    out = head + note
    if rows:
        out += _table(
            ["机关", *[f"{v}({year - 1} → {year})" for v in FIGURES.values()], "上年结转核对"],
            rows,
            "yoy",
        )
    for status in ("unmatched", "missing_in_year", "ambiguous"):
        g = df.filter(pl.col("status") == status).sort("agency_key")
        if g.is_empty():
            continue
        items = [
            [
                _e(r["agency"] or r["previous_agency"]),
                str(year if r["report_id"] else year - 1),
                number(r["received"] if r["report_id"] else r["received_previous"]),
            ]
            for r in g.iter_rows(named=True)
        ]
        out += (
            f"<details><summary>{_e(PAIRING[status])}:{g.height}</summary>"
            + _table(["机关", "报告年度", "新收申请"], items, "yoy")
            + "</details>"
        )
    return out


# ---------------------------------------------------------------- the xlsx
def for_people(mart: str, df: pl.DataFrame) -> pl.DataFrame:
    """The corrections / year_over_year mart as its sheet shows it (Chinese headers, labels)."""
    import polars as pl

    if mart == "corrections":
        cells = [cell_words(r) for r in df.iter_rows(named=True)]
        out = df.with_columns(
            cell=pl.Series(cells, dtype=pl.String),
            status=pl.col("status").replace_strict(STATUS, default=pl.col("status")),
            reason_label=pl.col("reason").replace_strict(REASONS, default=None),
        ).select(list(CORRECTION_HEADERS))
        return out.rename(CORRECTION_HEADERS)
    if mart == "year_over_year":
        cols = {
            "agency": "机关",
            "previous_agency": "上年机关名称",
            "status": "配对",
        }
        for f, label in FIGURES.items():
            cols |= {
                f"{f}_previous": f"{label}·上年",
                f: f"{label}·本年",
                f"{f}_change": f"{label}·增减",
            }
        cols |= {
            "carried_in": "上年结转·本年所列",
            "carryover": "上年结转核对",
            "carryover_breaks": "不一致列数",
            "agency_key": "配对用名称",
            "report_id": labels.KEYS["report_id"],
            "previous_report_id": "上年报告编号",
        }
        out = df.with_columns(
            status=pl.col("status").replace_strict(PAIRING, default=pl.col("status")),
            carryover=pl.col("carryover").replace_strict(
                {"ok": "一致", "break": "不一致"}, default=None
            ),
        ).select(list(cols))
        return out.rename(cols)
    raise KeyError(mart)


def mark_corrected(ws, wb, people: pl.DataFrame, df: pl.DataFrame, table: str, fixes) -> int:
    """Mark the corrected cells of a wide mart's sheet (``people`` as written, ``df`` the mart):
    a fill and a comment with the printed value, who, when and why. Returns the cells marked."""
    import polars as pl

    mine = fixes.filter(pl.col("table_code") == table)
    if mine.is_empty() or df.is_empty():
        return 0
    fmt = wb.add_format({"bg_color": "#FFF2CC", "num_format": "#,##0.##"})
    index = {
        (rid, rc): i for i, (rid, rc) in enumerate(df.select("report_id", "row_code").iter_rows())
    }
    headers = list(people.columns)
    n = 0
    for r in mine.iter_rows(named=True):
        i = index.get((r["report_id"], r["row_code"]))
        h = labels.header(r["column_code"])
        if i is None or h not in headers:
            continue
        col = headers.index(h)
        ws.write_number(i + 1, col, r["value"], fmt)
        ws.write_comment(
            i + 1,
            col,
            f"{CORRECTED_MARK} 已更正:原值 {number(r['printed'])},更正值 {number(r['value'])}\n"
            f"{r['who']} {r['corrected_on']}:{r['why']}",
        )
        n += 1
    return n
