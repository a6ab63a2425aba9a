"""The annual report: one self-contained HTML file per year (Plotly charts with plotly.js
inline, no CDN, viewable offline), from the year's marts.

Contents: the year's totals, the outcome mix, the applicant mix, review and litigation outcomes,
agencies ranked by requests received, and the rule violations per agency with the failing cells.
Sums use verified numbers only (``applications_checked``; review rows of reports without hard
violations), as ``year_summary`` does; the ranking lists every report read, marking the ones
that break a rule.

Used by the Dagster asset ``annual_report`` and by ``gipr report`` (warehouse → HTML). Plotly and
polars are imported inside the functions: the CLI loads this module for its arguments only.
``frames`` may be eager or lazy: a national year's marts hold millions of rows, and the report
shows aggregates, so every table is read as a lazy query that keeps only what is shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gipr_pipeline.outputs import review
from gipr_pipeline.outputs.paths import DEFAULT_DOCS_DIR, DEFAULT_WAREHOUSE
from gipr_pipeline.template import labels

if TYPE_CHECKING:
    import polars as pl

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
# The tables the report reads (warehouse.read_year).
TABLES = (
    "year_summary",
    "applications",
    "review_litigation",
    "rule_violations",
    "rejected_reports",
    "raw_reports",
    "carryover_breaks",
    "corrections",
    "year_over_year",
)
TOP_AGENCIES = 30
# Chart titles (the browser test looks for them in the rendered page).
TITLES = {
    "outcomes": "办理结果构成",
    "applicants": "申请人构成",
    "review": "行政复议和行政诉讼结果",
    "agencies": "各机关收到申请数排名",
}
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_OUTCOMES = ("upheld", "corrected", "other", "pending")


def report_path(docs_dir: str | Path, year: int) -> Path:
    """Where a year's report lives: ``<docs_dir>/reports/annual_report_<year>.html``."""
    return Path(docs_dir) / "reports" / f"annual_report_{year}.html"


# ---------------------------------------------------------------- data for the charts
def _summary(frames: Mapping[str, pl.DataFrame], year: int) -> dict:
    s = frames["year_summary"].lazy().collect()
    if s.height:
        return s.row(0, named=True)
    from gipr_pipeline.marts import marts

    return dict.fromkeys(marts.YEAR_SUMMARY_SCHEMA, 0) | {
        "year": year,
        "disclosure_rate": None,
        "review_correction_rate": None,
    }


def _hard_ids(frames: Mapping[str, pl.DataFrame]) -> pl.LazyFrame:
    """``report_id`` of the reports breaking a hard rule, once each."""
    import polars as pl

    v = frames["rule_violations"].lazy()
    return v.filter(pl.col("severity") == "hard").select("report_id").unique()


UNKNOWN_AGENCY = "(机关未识别)"  # how the report lists a report whose agency was not found


def _agency() -> pl.Expr:
    """The agency as the report names it: one row per agency, unnamed ones together."""
    import polars as pl

    return pl.col("agency").fill_null(UNKNOWN_AGENCY)


def _row1(frames: Mapping[str, pl.DataFrame]) -> pl.LazyFrame:
    """Row 1 (new applications) of every report: the ranking's rows."""
    import polars as pl

    return frames["applications"].lazy().filter(pl.col("row_code") == "1")


def agency_count(frames: Mapping[str, pl.DataFrame]) -> int:
    """The number of agencies ``agency_ranking`` lists, without ranking them."""
    return _row1(frames).select(_agency().n_unique()).collect().item()


def agency_ranking(frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Agencies by applications received (row 1, total), every report read; ``verified`` =
    the report breaks no hard rule and its table is complete."""
    import polars as pl

    from gipr_pipeline.marts import marts

    apps = frames["applications"].lazy()
    checked = (
        marts.complete_reports(apps)
        .unique("report_id")
        .join(_hard_ids(frames), on="report_id", how="anti")
        .with_columns(verified=pl.lit(True))
    )
    row1 = _row1(frames).select("agency", "total", "report_id")
    return (
        row1.join(checked, on="report_id", how="left")
        .group_by(_agency())
        .agg(
            pl.col("total").sum().alias("received"),
            pl.col("report_id").n_unique().alias("reports"),
            pl.col("verified").fill_null(False).all().alias("verified"),
        )
        .sort(["received", "agency"], descending=[True, False])
        .collect()
    )


def review_outcomes(frames: Mapping[str, pl.DataFrame]) -> dict[str, dict[str, int]]:
    """Row → outcome → cases, over reports without hard violations."""
    import polars as pl

    cols = (*REVIEW_OUTCOMES, "total")
    sums = (
        frames["review_litigation"]
        .lazy()
        .join(_hard_ids(frames), on="report_id", how="anti")
        .group_by("row_code")
        .agg(pl.col(c).fill_null(0).sum() for c in cols)
        .collect()
    )
    got = {r["row_code"]: r for r in sums.iter_rows(named=True)}
    return {r: {c: int(got.get(r, {}).get(c) or 0) for c in cols} for r in REVIEW_ROWS}


# ---------------------------------------------------------------- charts (Plotly)
def _layout(fig, title: str, height: int = 380) -> None:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 18}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=True,
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")


def _count_axis(axis, values) -> None:
    """Counts are whole numbers: integer tick labels, a tick per unit when the largest bar is
    small (Plotly would otherwise tick 0, 0.2, 0.4 …)."""
    axis(tickformat=",d", rangemode="tozero")
    if max(values, default=0) <= 5:
        axis(dtick=1)


def _bar(go, names: list[str], values: list[int], title: str, color: str):
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            text=[f"{v:,}" for v in values],
            textposition="outside",
            marker_color=color,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
            cliponaxis=False,
        )
    )
    _layout(fig, title)
    fig.update_layout(showlegend=False)
    _count_axis(fig.update_yaxes, values)
    return fig


def _figures(year: int, frames: Mapping[str, pl.DataFrame], rank: pl.DataFrame) -> dict:
    """Chart key (``TITLES``) → Plotly figure, or None when every value is 0: an empty chart
    would only show an axis for nothing (the page says so in words instead)."""
    import plotly.graph_objects as go

    s = _summary(frames, year)
    outcomes = [g for g in labels.OUTCOMES if g != "total"]
    figs = [
        _bar(
            go,
            [labels.OUTCOMES[g] for g in outcomes],
            [int(s[f"outcome_{g}"] or 0) for g in outcomes],
            f"{TITLES['outcomes']}(已核验报告,{s['outcome_total'] or 0:,} 件)",
            "#2f6db5",
        ),
        _bar(
            go,
            [labels.cell_columns()[c] for c in APPLICANTS],
            [int(s[f"received_{c}"] or 0) for c in APPLICANTS],
            f"{TITLES['applicants']}(本年新收申请,{s['received_total'] or 0:,} 件)",
            "#3a9a6a",
        ),
    ]
    rev = review_outcomes(frames)
    cols = labels.cell_columns()
    fig = go.Figure(
        [
            go.Bar(
                name=cols[o],
                x=[labels.row_label("2021", "review_litigation", r) for r in REVIEW_ROWS],
                y=[rev[r][o] for r in REVIEW_ROWS],
                marker_color=color,
                text=[f"{rev[r][o]:,}" if rev[r][o] else "" for r in REVIEW_ROWS],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x} · " + cols[o] + ": %{y:,}<extra></extra>",
            )
            for o, color in zip(
                REVIEW_OUTCOMES, ("#2f6db5", "#d2553f", "#9a9a9a", "#e0a030"), strict=True
            )
        ]
    )
    _layout(fig, TITLES["review"])
    # The legend above the plot: below it, it would collide with tick labels that a phone's
    # width tilts.
    fig.update_layout(
        barmode="group",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"t": 90},
    )
    _count_axis(fig.update_yaxes, [v for r in REVIEW_ROWS for v in rev[r].values()])
    figs.append(fig)

    rank = rank.head(TOP_AGENCIES)
    names = [a + ("" if v else " ⚠") for a, v in zip(rank["agency"], rank["verified"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=rank["received"].to_list()[::-1],
            y=names[::-1],
            orientation="h",
            marker_color="#6a5acd",
            text=[f"{v:,}" for v in rank["received"].to_list()[::-1]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    _layout(
        fig,
        # Two lines: one would run off a phone's screen.
        f"{TITLES['agencies']}<br><sub>前 {min(TOP_AGENCIES, rank.height)} 名;"
        "⚠ = 违反勾稽关系</sub>",
        height=max(300, 120 + 26 * rank.height),
    )
    fig.update_layout(showlegend=False, margin={"l": 220})
    fig.update_xaxes(title_text="本年新收申请(件)")
    _count_axis(fig.update_xaxes, rank["received"].to_list())
    figs.append(fig)
    drawn = [
        sum(s[f"outcome_{g}"] or 0 for g in outcomes),
        s["received_total"] or 0,
        sum(v for r in REVIEW_ROWS for v in rev[r].values()),
        int(rank["received"].sum() or 0),
    ]
    return {k: (f if n else None) for k, f, n in zip(TITLES, figs, drawn, strict=True)}


# ---------------------------------------------------------------- HTML
def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def _num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    return f"{v:,}"


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1%}"


def _cards(s: dict) -> str:
    items = [
        ("输入文件", _num(s["reports"])),
        ("读取的报告", _num(s["reports_accepted"])),
        ("通过核验", _num(s["reports_checked"])),
        ("违反勾稽关系", _num(s["reports_with_violations"])),
        ("未能读取", _num(s["reports_rejected"])),
        ("本年新收申请", _num(s["received_total"])),
        ("上年结转", _num(s["carried_over_in"])),
        ("办理结果总计", _num(s["outcome_total"])),
        ("结转下年", _num(s["carried_over_out"])),
        ("公开率", _pct(s["disclosure_rate"])),
        ("行政复议已审结", _num(s["review_cases"])),
        ("行政复议纠错率", _pct(s["review_correction_rate"])),
    ]
    return "".join(
        f'<div class="card"><div class="v">{v}</div><div class="k">{_e(k)}</div></div>'
        for k, v in items
    )


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; every cell carries its header (``data-label``) so that on a phone each row
    of a wide table (class ``blocks``) becomes a block of labelled lines instead of a table wider
    than the screen."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(f'<td data-label="{_e(h)}">{c}</td>' for h, c in zip(head, r, strict=True))
        + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _paths(frames, ids: pl.DataFrame | pl.LazyFrame) -> dict[str, str]:
    """report_id → the source file (its first path under the raw folder) of the given reports."""
    return dict(
        frames["raw_reports"]
        .lazy()
        .join(ids.lazy().select("report_id").unique(), on="report_id", how="semi")
        .select("report_id", "path")
        .collect()
        .iter_rows()
    )


def _source(path: str | None, report_id: str | None) -> tuple[str, str]:
    """The 文件 and 报告编号 cells: the file path in full, the id shortened (its title holds it)."""
    rid = report_id or ""
    return (
        f'<span class="path">{_e(path or "?")}</span>',
        f'<code title="{_e(rid)}">{_e(rid[:12])}</code>',
    )


def _ranking_table(rank: pl.DataFrame) -> str:
    if rank.is_empty():
        return '<p class="empty">本年度没有读取到申请表。</p>'
    rows = [
        [
            str(i),
            _e(r["agency"]),
            _num(r["received"]),
            _num(r["reports"]),
            "是" if r["verified"] else '<span class="bad">否(见下表)</span>',
        ]
        for i, r in enumerate(rank.iter_rows(named=True), 1)
    ]
    return _table(["名次", "机关", "本年新收申请(件)", "报告数", "通过核验"], rows, "rank")


def _violations_table(frames, s: dict) -> str:
    """Hard rules (勾稽关系) per agency with the failing cells; soft findings (warnings that do
    not keep a report out of the sums) counted per agency and rule, folded."""
    import polars as pl

    v = frames["rule_violations"].lazy().with_columns(_agency())
    hard = v.filter(pl.col("severity") == "hard").collect()
    # A rule evaluated again after a reviewer's correction says so (marked like the cell).
    hard = hard.with_columns(
        pl.when(pl.col("detail").str.starts_with("after correction"))
        .then(pl.col("agency") + f" {review.CORRECTED_MARK}")
        .otherwise(pl.col("agency"))
        .alias("agency")
    )
    return _hard_table(frames, hard, s) + _soft_table(v.filter(pl.col("severity") != "hard"))


def _hard_table(frames, v, s: dict) -> str:
    if v.is_empty():
        # Only a year with reports read can "conform": nothing read is nothing checked.
        if not s["reports_accepted"]:
            return '<p class="empty">本年度没有读取到报告,没有可核对的表格。</p>'
        return (
            f'<p class="ok">本年度读取的 {_num(s["reports_accepted"])} 份报告的表格'
            "均符合勾稽关系。</p>"
        )
    templates = dict(
        frames["applications"]
        .lazy()
        .join(v.lazy().select("report_id").unique(), on="report_id", how="semi")
        .select("report_id", "template")
        .unique("report_id")
        .collect()
        .iter_rows()
    )
    paths = _paths(frames, v)
    v = v.sort("agency", "report_id", "rule", "row_code", "column_code", nulls_last=True)
    head = ["机关", "规则", "表", "不符的单元格", "应为(各项之和)", "实际(所列总计)", "差额"]
    head += ["文件", "报告编号"]
    rows = []
    for agency, g in v.group_by("agency", maintain_order=True):
        for i, r in enumerate(g.iter_rows(named=True)):
            where = labels.cell_label(
                templates.get(r["report_id"]), r["table_code"], r["row_code"], r["column_code"]
            )
            values = [
                f'<span title="{_e(r["rule"])}">{_e(labels.rule_label(r["rule"]))}</span>',
                _e(labels.TABLES.get(r["table_code"], r["table_code"] or "")),
                _e(where),
                _num(r["expected"]),
                _num(r["actual"]),
                f'<span class="bad">{_num(r["difference"])}</span>',
                *_source(paths.get(r["report_id"]), r["report_id"]),
            ]
            cls = ["", "", "", "n", "n", "n", "", ""]
            cells = [
                f'<td data-label="{_e(h)}" class="{c}">{x}</td>'
                for h, c, x in zip(head[1:], cls, values, strict=True)
            ]
            if i == 0:
                cells.insert(
                    0,
                    f'<td rowspan="{g.height}" class="agency" data-label="机关">{_e(agency[0])}</td>',
                )
            rows.append("<tr>" + "".join(cells) + "</tr>")
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    return (
        f'<table class="violations blocks"><thead><tr>{th}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _soft_table(v: pl.LazyFrame) -> str:
    """Soft findings per agency and rule: how many, and the first one quoted."""
    import polars as pl

    g = (
        v.group_by("agency", "rule", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("detail").drop_nulls().first().alias("example"))
        .sort("agency", "rule")
        .collect()
    )
    if g.is_empty():
        return ""
    rows = [
        [_e(r["agency"]), _e(labels.rule_label(r["rule"])), _num(r["n"]), _e(r["example"] or "")]
        for r in g.iter_rows(named=True)
    ]
    return (
        f"<details><summary>提示(不影响核验):{g['n'].sum()} 处,{g['agency'].n_unique()} 个机关"
        "</summary>" + _table(["机关", "提示", "处数", "示例"], rows, "soft blocks") + "</details>"
    )


def _carryover_section(year: int, frames, s: dict) -> str:
    """``applications.carryover_continuity`` (soft): row 2 of year N against row 4 of the same
    agency's N−1 report (the ``carryover_breaks`` mart). Only paired agencies are checked; an
    agency without a previous-year report is listed as not checked, never as a break."""
    import polars as pl

    cb = frames["carryover_breaks"].lazy().collect()
    prev = year - 1
    rule = (
        f'<p class="note">本年度「上年结转政府信息公开申请数量」(第二行)应等于同一机关 {prev} '
        "年度报告的「结转下年度继续办理」(第四行),按列核对。机关按名称配对,"
        "只有配对成功的机关才核对;此项为提示,不影响核验和合计。</p>"
    )
    if cb.is_empty():
        why = (
            "本年度没有报告,未做跨年度核对。"
            if not s["reports_accepted"]
            else f"没有 {prev} 年度的数据可供配对(该年度不在统计范围或尚未生成),未做跨年度核对。"
        )
        return rule + f'<p class="empty">{why}</p>'

    def n(status: str) -> int:
        return cb.filter(pl.col("status") == status).height

    previous_reports = cb.filter(pl.col("previous_report_id").is_not_null())
    if previous_reports.is_empty():
        return rule + (
            f'<p class="empty">{prev} 年度没有报告可供配对,本年度的 {n("unmatched") + n("ambiguous")} '
            "份报告均未做跨年度核对(这不表示结转不一致)。</p>"
        )
    breaks = cb.filter(pl.col("status") == "break")
    with_breaks = breaks["report_id"].n_unique() if breaks.height else 0
    items = [
        f"配对并核对:{n('matched')} 个机关"
        + (
            f',其中 <b class="bad">{with_breaks} 个机关结转不一致</b>(见下表)'
            if with_breaks
            else (",结转均一致" if n("matched") else "")
        ),
        f"未核对:{n('unmatched')} 份报告在 {prev} 年度没有可配对的报告"
        "(新报告,或机关名称变化)——这不表示结转不一致",
        f"{prev} 年度有报告、本年度没有报告的机关:{n('missing_in_year')} 个",
    ]
    if n("ambiguous"):
        items.append(f"名称不唯一、未配对(未核对):{n('ambiguous')} 份报告")
    out = rule + "<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"
    if breaks.height:
        paths = _paths(frames, breaks)
        cols = labels.cell_columns()
        rows = [
            [
                _e(r["agency"] or UNKNOWN_AGENCY),
                _e(cols.get(r["column_code"], r["column_code"])),
                _num(r["carried_in"]),
                _num(r["carried_out_previous"]),
                f'<span class="bad">{_num(r["difference"])}</span>',
                _e(r["previous_agency"] or ""),
                *_source(paths.get(r["report_id"]), r["report_id"]),
            ]
            for r in breaks.sort("agency", "report_id", "column_code").iter_rows(named=True)
        ]
        head = ["机关", "列", f"{year} 年度上年结转", f"{prev} 年度结转下年", "差额"]
        out += _table([*head, f"{prev} 年度机关名称", "文件", "报告编号"], rows, "carryover blocks")
    others = cb.filter(pl.col("status").is_in(["unmatched", "missing_in_year", "ambiguous"]))
    if others.height:
        rows = [
            [
                _e(labels.CARRYOVER_STATUS[r["status"]]),
                _e(r["agency"] or r["previous_agency"] or UNKNOWN_AGENCY),
                _e(str(r["previous_year"]) if r["status"] == "missing_in_year" else str(year)),
            ]
            for r in others.iter_rows(named=True)
        ]
        out += (
            f"<details><summary>未核对的机关({others.height})</summary>"
            + _table(["情况", "机关", "报告年度"], rows, "unmatched")
            + "</details>"
        )
    return out


def _rejected_table(frames) -> str:
    r = frames["rejected_reports"].lazy().select("path", "reason", "message").collect()
    if r.is_empty():
        return ""
    rows = [[_e(x["path"]), _e(x["reason"]), _e(x["message"])] for x in r.iter_rows(named=True)]
    return "<h2>未能读取的文件</h2>" + _table(["文件", "原因代码", "说明"], rows, "blocks")


CSS = """
body { font-family: __FONT__; margin: 0; background: #f6f7f9; color: #222; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 20px; margin: 36px 0 12px;
  border-left: 4px solid #2f6db5; padding-left: 10px; }
.meta { color: #666; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; margin-top: 18px; }
.card { background: #f0f4fa; border-radius: 6px; padding: 10px 12px; }
.card .v { font-size: 22px; font-weight: 600; color: #1d4f91; } .card .k { font-size: 13px; color: #555; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.wide { grid-column: 1 / span 2; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 12px; }
th, td { border: 1px solid #ddd; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f0f2f5; } td.agency { font-weight: 600; background: #fafafa; }
table.rank td:nth-child(3), table.soft td:nth-child(3), td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #c0392b; font-weight: 600; } .ok { color: #2e7d32; } .empty { color: #888; }
.note { font-size: 13px; color: #555; }
details { margin: 8px 0; } summary { cursor: pointer; color: #555; font-size: 14px; }
code { font-size: 12px; color: #555; white-space: nowrap; } .path { overflow-wrap: anywhere; }
.charts > div, .chart { min-width: 0; }
.banner { background: #fff6e5; border: 1px solid #f0c36d; border-radius: 6px; padding: 10px 14px; }
/* A phone (400 px): one column; wide tables (.blocks) as labelled blocks, one per row; nothing
   wider than the screen. */
@media (max-width: 720px) {
  main { padding: 12px 12px 32px; }
  h1 { font-size: 21px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .charts { grid-template-columns: minmax(0, 1fr); } .wide { grid-column: auto; }
  table { font-size: 12px; } th, td { padding: 4px 5px; }
  table.blocks, .blocks thead, .blocks tbody, .blocks tr, .blocks th, .blocks td {
    display: block; width: auto; }
  .blocks thead { display: none; }
  .blocks tr { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 8px; }
  .blocks td { display: flow-root; border: none; border-bottom: 1px solid #f0f0f0;
    text-align: left !important; padding-left: 8.4em; }
  .blocks td::before { content: attr(data-label); float: left; width: 7.6em; margin-left: -7.9em;
    font-size: 12px; color: #888; font-weight: normal; }
}
""".replace("__FONT__", FONT)


def _state(year: int, s: dict) -> str:
    """A banner when the year holds nothing to sum: no input at all, or nothing readable."""
    if not s["reports"]:
        return (
            f'<p class="banner">{year} 年度没有报告:数据文件夹中没有属于该年度的文件。'
            "以下各项均为空,不是“没有问题”。</p>"
        )
    if not s["reports_accepted"]:
        return (
            f'<p class="banner">{year} 年度的 {_num(s["reports"])} 个文件都未能读取'
            "(见文末),没有可汇总或核对的报告。</p>"
        )
    if not s["reports_checked"]:
        return '<p class="banner">本年度没有通过核验的报告:下面的合计均为 0。</p>'
    return ""


def build_report(year: int, frames: Mapping[str, pl.DataFrame]) -> str:
    """The year's report as one HTML document (plotly.js inline: ~5 MB, no network).

    The body is a list of sections (heading, content) in reading order: a new section is one
    more entry in ``sections``."""
    s = _summary(frames, year)
    rank = agency_ranking(frames)
    figs = _figures(year, frames, rank)
    config = {"displaylogo": False, "responsive": True, "displayModeBar": False}
    divs: dict[str, str] = {}
    first = True
    for key, f in figs.items():
        if f is None:
            divs[key] = f'<p class="empty">{TITLES[key]}:没有数据(均为 0),不绘图。</p>'
            continue
        divs[key] = f.to_html(
            full_html=False, include_plotlyjs=first, div_id=f"chart-{key}", config=config
        )
        first = False
    sections: list[tuple[str, str]] = [
        (
            "申请和办理结果",
            f'<div class="charts"><div>{divs["outcomes"]}</div>'
            f"<div>{divs['applicants']}</div></div>",
        ),
        (
            "行政复议和行政诉讼",
            f'<div class="charts"><div class="wide">{divs["review"]}</div></div>',
        ),
        ("各机关收到的申请", divs["agencies"] + _ranking_table(rank)),
        (
            "勾稽关系问题(按机关)",
            '<p class="note">每行是一处不符:应为 = 各组成项之和,实际 = 报告所列的总计;'
            "这些报告不计入上面的合计。</p>" + _violations_table(frames, s),
        ),
        ("跨年度结转核对", _carryover_section(year, frames, s)),
    ]
    body = "".join(f"<h2>{_e(h)}</h2>\n{content}\n" for h, content in sections)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{year}年度政府信息公开工作年度报告汇总</title>
<style>{CSS}</style></head>
<body><main>
<h1>{year}年度政府信息公开工作年度报告汇总</h1>
<p class="meta">统计年度 {year} · 生成于 {generated} · gipr_pipeline</p>
{_state(year, s)}
<div class="cards">{_cards(s)}</div>
<p class="note">申请数量和办理结果只合计通过核验的报告(表格完整且符合全部勾稽关系);
违反勾稽关系的报告列在下方,不计入合计。公开率 = (予以公开 + 部分公开) / 办理结果总计。</p>
{body}{review.corrections_section(frames)}
{review.yoy_section(year, frames)}
{_rejected_table(frames)}
</main></body></html>
"""


def write_report(year: int, frames: Mapping[str, pl.DataFrame], out: str | Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(build_report(year, frames), "utf-8")
    tmp.replace(out)
    return out


def write_index(docs_dir: str | Path) -> Path:
    """``<docs_dir>/index.html``: every year's annual report and data-quality pages found under
    ``docs_dir`` (rewritten by each asset run and ``gipr report``; plain HTML, no scripts)."""
    import re

    docs = Path(docs_dir)
    years: dict[int, dict[str, str]] = {}
    for p in docs.glob("reports/annual_report_*.html"):
        m = re.fullmatch(r"annual_report_(\d{4})\.html", p.name)
        if m:
            years.setdefault(int(m[1]), {})["report"] = p.relative_to(docs).as_posix()
    for name in ("summary", "index"):
        for p in docs.glob(f"quality/*/{name}.html"):
            if p.parent.name.isdigit():
                years.setdefault(int(p.parent.name), {})[name] = p.relative_to(docs).as_posix()
    rows = "".join(
        f"<tr><td>{y}</td>"
        + "".join(
            f'<td><a href="{_e(links[k])}">{label}</a></td>' if k in links else "<td>—</td>"
            for k, label in (
                ("report", "年度报告汇总"),
                ("summary", "数据质量概览"),
                ("index", "Data Docs(英文)"),
            )
        )
        + "</tr>"
        for y, links in sorted(years.items(), reverse=True)
    )
    out = docs / "index.html"
    docs.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>政府信息公开工作年度报告 · gipr_pipeline</title><style>body {{ font-family: {FONT};
margin: 32px; }} table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #ccc;
padding: 6px 12px; }} th {{ background: #f0f2f5; }}</style></head><body>
<h1>政府信息公开工作年度报告 · 汇总与数据质量</h1>
<table><tr><th>统计年度</th><th>年度报告汇总</th><th>数据质量概览</th>
<th>Great Expectations Data Docs</th></tr>
{rows}</table>
<p>年度报告汇总和数据质量概览是中文页面,离线可完整阅读(数据质量概览是数据质量页面的入口)。
Great Expectations 生成的 Data Docs 为英文,样式和索引表格从网络加载,离线时其验证结果页仍可阅读。</p>
</body></html>
""",
        "utf-8",
    )
    return out


# ---------------------------------------------------------------- gipr report
def parse_years(spec: str | None, available: list[int]) -> list[int]:
    """``None`` → every year in the warehouse; ``YEAR`` or ``FIRST...LAST`` (inclusive)."""
    if spec is None:
        return available
    first, _, last = spec.partition("...")
    return list(range(int(first), int(last or first) + 1))


def cmd_report(args: argparse.Namespace) -> int:
    import json

    from gipr_pipeline.outputs import warehouse
    from gipr_pipeline.outputs.progress import progress

    try:
        years = parse_years(args.year, warehouse.years_in(args.warehouse))
    except ValueError:
        print(f"gipr: error: --year takes YEAR or FIRST...LAST, not {args.year!r}", file=sys.stderr)
        return 2
    if not Path(args.warehouse).exists():
        print(
            f"gipr: error: no warehouse at {args.warehouse} (run `gipr run` first)", file=sys.stderr
        )
        return 2
    one_file = args.out and args.out.lower().endswith(".html")
    if one_file and len(years) != 1:
        print("gipr: error: --out FILE.html needs exactly one --year", file=sys.stderr)
        return 2
    missing = sorted(set(years) - set(warehouse.years_in(args.warehouse)))
    if missing and not args.json:
        print(f"note: no data in the warehouse for {missing}: empty report(s)", file=sys.stderr)
    written = []
    with progress(len(years), "report", quiet=args.json) as advance:
        for y in years:
            if one_file:
                out = Path(args.out)
            elif args.out:
                out = Path(args.out) / f"annual_report_{y}.html"
            else:
                out = report_path(DEFAULT_DOCS_DIR, y)
            frames = warehouse.read_year(args.warehouse, y, TABLES)
            written.append({"year": y, "path": str(write_report(y, frames, out).resolve())})
            advance()
    if not args.out:  # the default folder: keep its index current
        write_index(DEFAULT_DOCS_DIR)
    if args.json:
        print(json.dumps(written, ensure_ascii=False))
    else:
        for w in written:
            print(f"{w['year']}: {w['path']}")
        if not written:
            print("no years in the warehouse (run `gipr run` first)", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "report", help="write the annual HTML report of a year from the warehouse (offline)"
    )
    sp.add_argument("--year", help="YEAR or FIRST...LAST (default: every year in the warehouse)")
    sp.add_argument(
        "--warehouse", default=DEFAULT_WAREHOUSE, help=f"DuckDB file (default {DEFAULT_WAREHOUSE})"
    )
    sp.add_argument(
        "--out",
        help=f"an .html file (one year) or a folder (default {DEFAULT_DOCS_DIR}/reports/)",
    )
    sp.add_argument("--json", action="store_true", help="print the files written as JSON")
    sp.set_defaults(func=cmd_report)
