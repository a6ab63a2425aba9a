"""Chinese names for what people read: one name per concept, for column headers (xlsx, CSV),
sheet names and the annual report.

Cell columns take the template's own ``column_labels`` and rows the template's row labels, so
the exports say what the printed report says; the few concepts the template does not print
(keys, rules, the year's sums) are named here once. Light imports only (the CLI loads this).
"""

from __future__ import annotations

from functools import cache

from gipr_pipeline.template import TABLE_CODES, VERSIONS, load_template

KEYS = {
    "report_id": "报告编号",
    "year": "统计年度",
    "agency": "机关",
    "template": "模板",
    "table_code": "表",
    "row_code": "行代码",
    "row_label": "项目",
    "row_order": "行序",
    "column_code": "列代码",
    "column_label": "列",
}
TABLES = {
    "applications": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
    "active_disclosure": "主动公开政府信息情况",
}
# The marts people open: sheet names (Excel allows 31 characters) and titles.
MARTS = {
    "year_summary": "年度汇总",
    "applications": "申请办理(全部报告)",
    "applications_checked": "申请办理(已核验)",
    "review_litigation": "行政复议和诉讼",
    "active_disclosure": "主动公开",
    "rule_violations": "勾稽关系问题",
    "rejected_reports": "未能读取的文件",
    "carryover_breaks": "跨年度结转核对",
    "corrections": "更正记录",
    "year_over_year": "与上年比较",
}
# Outcome groups of section 三 (year_summary ``outcome_<group>``; marts.OUTCOME_GROUPS).
OUTCOMES = {
    "granted": "予以公开",
    "partly_granted": "部分公开",
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other_handling": "其他处理",
    "total": "办理结果总计",
}
RULES = {
    "applications.balance": "新收+上年结转=办理结果总计+结转下年",
    "applications.row_total": "总计=各类申请人之和",
    "applications.results_sum": "(七)总计=(一)至(六)之和",
    "review_litigation.total": "总计=维持+纠正+其他+尚未审结",
    "applications.carryover_continuity": "上年结转=上年度结转下年",
    "narrative.agreement": "正文数字与表格一致",
    "cells.blank": "空白单元格按0计",
    "sections.problems_empty": "存在的主要问题及改进情况为空",
    "fees.unreported": "未填报收费金额",
}
VIOLATIONS = {
    "rule": "规则",
    "rule_label": "规则说明",
    "severity": "性质",
    "expected": "应为(各项之和)",
    "actual": "实际(所列总计)",
    "difference": "差额(实际−应为)",
    "detail": "详情",
}
SEVERITY = {"hard": "勾稽关系(必须相符)", "soft": "提示(不影响核验)"}
# The carryover_breaks mart (marts/continuity.py): statuses worded so that an agency without a
# previous-year report reads as "not checked", never as a break.
CARRYOVER_STATUS = {
    "matched": "已配对核对",
    "break": "结转不一致",
    "unmatched": "未核对:上年度无可配对的报告",
    "missing_in_year": "本年度无报告(上年度有)",
    "ambiguous": "名称不唯一,未配对",
}
CARRYOVER = {
    "status": "核对结果",
    "agency_key": "配对名称",
    "previous_year": "上年度",
    "previous_report_id": "上年度报告编号",
    "previous_agency": "上年度机关",
    "carried_in": "本年度上年结转",
    "carried_out_previous": "上年度结转下年",
    "carryover_difference": "差额(本年度上年结转−上年度结转下年)",
}
REJECTED = {
    "path": "文件",
    "paths": "所有路径",
    "size": "字节数",
    "reason": "原因代码",
    "message": "说明",
    "year_source": "年度来源",
}


@cache
def cell_columns() -> dict[str, str]:
    """Cell column code → the template's column label (the 2021 template first)."""
    out: dict[str, str] = {}
    for v in VERSIONS:
        t = load_template(v)
        for code in TABLE_CODES:
            if code in t.table_by_code:
                tb = t.table(code)
                for c, label in zip(tb.columns, tb.column_labels, strict=True):
                    out.setdefault(c, label)
    return out


@cache
def summary_columns() -> dict[str, str]:
    cells = cell_columns()
    app = load_template("2021").table("applications")
    out = {
        "reports": "输入文件数(去重)",
        "reports_accepted": "读取的报告数",
        "reports_rejected": "未能读取的文件数",
        "reports_with_violations": "违反勾稽关系的报告数",
        "reports_checked": "通过核验的报告数",
        **{f"received_{c}": f"本年新收申请·{cells[c]}" for c in app.columns},
        "carried_over_in": "上年结转申请",
        **{f"outcome_{g}": label for g, label in OUTCOMES.items()},
        "carried_over_out": "结转下年度继续办理",
        "disclosure_rate": "公开率((予以公开+部分公开)/总计)",
        "review_cases": "行政复议已审结",
        "review_corrected": "行政复议结果纠正",
        "review_correction_rate": "行政复议纠错率",
    }
    return out


@cache
def headers() -> dict[str, str]:
    """Column code → Chinese header, for every column of every mart."""
    return {
        **cell_columns(),
        **summary_columns(),
        **VIOLATIONS,
        **REJECTED,
        **CARRYOVER,
        **KEYS,
    }


def rule_label(rule: str) -> str:
    """A rule in words: the name above, else the template's description, else the id."""
    if rule in RULES:
        return RULES[rule]
    for v in VERSIONS:
        for r in load_template(v).rules:
            if r.id == rule and r.description:
                return r.description
    return rule


def header(code: str) -> str:
    return headers().get(code, code)


@cache
def row_labels() -> dict[tuple[str, str, str], str]:
    """(template, table, row code) → the template's row label."""
    return {
        (v, tb.code, r.code): r.label
        for v in VERSIONS
        for tb in load_template(v).tables
        for r in tb.rows
    }


def row_label(template: str | None, table: str, row: str | None) -> str:
    if row is None:
        return ""
    labels = row_labels()
    for v in (template, *VERSIONS):
        if (v, table, row) in labels:
            return labels[(v, table, row)]
    return row


def cell_label(template: str | None, table: str, row: str | None, column: str | None) -> str:
    """Where a rule broke, in words: the row label and/or the column label."""
    parts = []
    if row is not None:
        parts.append(row_label(template, table, row))
    if column is not None:
        parts.append(cell_columns().get(column, column))
    return " · ".join(parts)
