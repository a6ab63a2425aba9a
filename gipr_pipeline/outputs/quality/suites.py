"""The suites: Great Expectations expectations declared as plain data from the template (row
codes per template, rows per template, the balance rules with their totals and parts), each on a
view of its mart (``views``). Imports fast: GX itself is imported only in ``docs``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from gipr_pipeline.marts import marts
from gipr_pipeline.marts.schemas import RULE_IDS, SHA256
from gipr_pipeline.outputs.quality.views import (
    REPORT_KEYS,
    ROW_KEYS,
    VIOLATION_READS,
    _by_column_view,
    _minus,
    _report_view,
    _row_col,
    _rows_view,
    _rules,
    _templates_with,
    _violations_view,
    _with_minus,
)
from gipr_pipeline.template import TABLE_CODES, VERSIONS

YEAR = {"$PARAMETER": "year"}  # the partition year, given at validation time
MARTS = (
    "applications",
    "review_litigation",
    "active_disclosure",
    "rule_violations",
    "applications_checked",
    "year_summary",
)
# Marts that hold reports as printed (a failure is a finding about a source report, routed to
# rule_violations): "warn". Derived marts must hold: "error".
SEVERITY = {
    "applications": "warn",
    "review_litigation": "warn",
    "active_disclosure": "warn",
    "rule_violations": "error",
    "applications_checked": "error",
    "year_summary": "error",
}


@dataclass(frozen=True)
class Expect:
    """One expectation: a GX 1.x expectation class name and its arguments.

    ``when`` is a row condition, an AND of ``column == value`` (or ``column in [values]``).
    ``rule`` names the balance rule (TEMPLATE.md) an expectation stands for.
    """

    kind: str
    kwargs: Mapping[str, Any]
    note: str = ""
    when: tuple[tuple[str, Any], ...] = ()
    rule: str | None = None


@dataclass(frozen=True)
class Suite:
    name: str  # GX suite (and data asset) name
    mart: str  # the asset it guards
    view: Callable[[pl.LazyFrame], pl.DataFrame]  # the batch GX validates, from the mart
    expectations: tuple[Expect, ...] = field(repr=False)
    # columns that name a failing row in the results (which report, which agency)
    index: tuple[str, ...] = ("agency", "report_id", "row_code")
    reads: tuple[str, ...] | None = None  # the mart's columns the view reads (None: all)
    grain: str = ""  # what one row of the view stands for (the suite's notes)


# ---------------------------------------------------------------- small builders
def _not_null(*cols: str) -> list[Expect]:
    return [Expect("ExpectColumnValuesToNotBeNull", {"column": c}, "key: never null") for c in cols]


def _year() -> Expect:
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {"column": "year", "min_value": YEAR, "max_value": YEAR},
        "every row belongs to the partition's year",
    )


def _agency() -> Expect:
    return Expect(
        "ExpectColumnValueLengthsToBeBetween",
        {"column": "agency", "min_value": 1},
        "a known agency (null = not found by the parser) is never an empty name",
    )


def _report_id() -> Expect:
    return Expect(
        "ExpectColumnValuesToMatchRegex",
        {"column": "report_id", "regex": SHA256},
        "report id = sha256 of the input's bytes",
    )


def _non_negative(cols, note: str = "counts are never negative") -> list[Expect]:
    return [
        Expect("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}, note) for c in cols
    ]


# ---------------------------------------------------------------- suites, from the template
def _report_expectations(table: str) -> list[Expect]:
    """Per report: keys, rows per report (by template), no repeated row, the per-row rules."""
    out = [
        *_not_null(*REPORT_KEYS),
        _report_id(),
        _year(),
        _agency(),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "template", "value_set": list(VERSIONS)},
            "a known template version",
        ),
        Expect(
            "ExpectColumnValuesToBeBetween",
            {"column": "duplicate_rows", "min_value": 0, "max_value": 0},
            "one row per (report, row code): no row code twice in a report",
        ),
    ]
    for t in _templates_with(table):
        n = len(t.table(table).rows)
        out.append(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "rows_in_report", "min_value": n, "max_value": n},
                f"a {t.version}-template report has exactly {n} rows in this table",
                when=(("template", t.version),),
            )
        )
    for rule_id, (total, parts, desc) in _rules(table, "row").items():
        out.append(
            Expect(
                "ExpectMulticolumnSumToEqual",
                {
                    "column_list": [*parts, *(_minus(c) for c in total)],
                    "sum_total": 0,
                    "ignore_row_if": "any_value_is_missing",
                },
                f"{rule_id}: {desc} (minus_x = −x; each report shows its first row breaking "
                "the rule; rows with an unread cell are skipped, as the parser skips the rule)",
                rule=rule_id,
            )
        )
    return out


def _rows_expectations(table: str, value_columns: list[str], strict: bool) -> list[Expect]:
    """Per template row and cell pattern: row codes of the template, counts ≥ 0, cells set."""
    out = list(_not_null(*ROW_KEYS))
    for t in _templates_with(table):
        out.append(
            Expect(
                "ExpectColumnValuesToBeInSet",
                {"column": "row_code", "value_set": list(t.table(table).row_codes)},
                f"rows of the {t.version} template",
                when=(("template", t.version),),
            )
        )
    out += _non_negative([c for c in value_columns if c not in marts.SIGNED_COLUMNS])
    if strict:
        out += _not_null(*value_columns)
    return out


def _by_column_expectations(table: str) -> list[Expect]:
    out = []
    for rule_id, (total, parts, desc) in _rules(table, "column").items():
        out.append(
            Expect(
                "ExpectMulticolumnSumToEqual",
                {
                    "column_list": [
                        *(_row_col(p) for p in parts),
                        *(_minus(_row_col(t)) for t in total),
                    ],
                    "sum_total": 0,
                    "ignore_row_if": "never",
                },
                f"{rule_id}: {desc}, per report and column (minus_x = −x; each report shows its "
                "first column breaking the rule)",
                rule=rule_id,
            )
        )
    return out


def _disclosure_expectations() -> list[Expect]:
    """Section 二: each row's own cells are filled, the cells it lacks are null; fees are
    decimals (万元)."""
    out = []
    for t in _templates_with("active_disclosure"):
        tb = t.table("active_disclosure")
        for c in tb.columns:
            has = [r.code for r in tb.rows if c in r.columns]
            lacks = [r.code for r in tb.rows if c not in r.columns]
            if has:
                out.append(
                    Expect(
                        "ExpectColumnValuesToNotBeNull",
                        {"column": c},
                        f"{t.version}: rows {', '.join(has)} have this cell",
                        when=(("template", t.version), ("row_code", has)),
                    )
                )
            if lacks:
                out.append(
                    Expect(
                        "ExpectColumnValuesToBeNull",
                        {"column": c},
                        f"{t.version}: rows {', '.join(lacks)} have no such cell",
                        when=(("template", t.version), ("row_code", lacks)),
                    )
                )
    for c in sorted(marts.DECIMAL_COLUMNS):
        out.append(
            Expect(
                "ExpectColumnValuesToBeOfType",
                {"column": c, "type_": "float64"},
                "amounts (万元) are decimals",
            )
        )
    return out


def _violations_expectations() -> list[Expect]:
    hard = (("severity", "hard"),)
    return [
        *_not_null("report_id", "year", "rule", "severity"),
        *(
            Expect(
                "ExpectColumnValuesToNotBeNull",
                {"column": c},
                "a broken balance rule names its table and both sides",
                when=hard,
            )
            for c in ("table_code", "expected", "actual")
        ),
        _report_id(),
        _year(),
        _agency(),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "rule", "value_set": RULE_IDS},
            "rule ids of the contract",
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "severity", "value_set": ["hard", "soft"]},
            "hard rules route a report here; soft ones only warn",
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "table_code", "value_set": list(TABLE_CODES)},
            "a table of the template (null for rules on the text)",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": ["expected", "difference", "minus_actual"],
                "sum_total": 0,
                "ignore_row_if": "any_value_is_missing",
            },
            "difference = actual − expected",
        ),
        Expect(
            "ExpectColumnValuesToNotBeInSet",
            {"column": "difference", "value_set": [0]},
            "a violation means actual ≠ expected",
            when=hard,
        ),
    ]


def _summary_expectations() -> list[Expect]:
    counts = [c for c, t in marts.YEAR_SUMMARY_SCHEMA.items() if t == pl.Int64]
    received = [f"received_{c}" for c in marts.APPLICANT_COLUMNS if c != "total"]
    outcomes = [f"outcome_{g}" for g in marts.OUTCOME_GROUPS if g != "total"]
    return [
        Expect("ExpectTableRowCountToEqual", {"value": 1}, "one row for the year"),
        *_not_null(*counts, "year"),
        _year(),
        *_non_negative(counts),
        *(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": c, "min_value": 0, "max_value": 1},
                "a rate (null when its denominator is 0)",
            )
            for c in ("disclosure_rate", "review_correction_rate")
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "reports", "column_B": "reports_accepted", "or_equal": True},
            "inputs ≥ accepted reports",
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "reports_accepted", "column_B": "reports_checked", "or_equal": True},
            "accepted reports ≥ verified reports",
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "review_cases", "column_B": "review_corrected", "or_equal": True},
            "concluded reviews ≥ corrected reviews",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": ["reports_accepted", "reports_rejected", "minus_reports"],
                "sum_total": 0,
            },
            "reports = accepted + rejected",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {"column_list": [*received, "minus_received_total"], "sum_total": 0},
            "applications.row_total on the year's verified sums: received total = sum of the six "
            "applicant types",
            rule="applications.row_total",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": [
                    "received_total",
                    "carried_over_in",
                    "minus_outcome_total",
                    "minus_carried_over_out",
                ],
                "sum_total": 0,
            },
            "applications.balance on the year's verified sums: received + carried in = handled "
            "+ carried out",
            rule="applications.balance",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {"column_list": [*outcomes, "minus_outcome_total"], "sum_total": 0},
            "applications.results_sum on the year's verified sums: handled = sum of the six "
            "outcome groups",
            rule="applications.results_sum",
        ),
    ]


_REPORT_GRAIN = (
    "one row per report: its keys, row count and repeated row codes, and the cells of its first "
    "row breaking a per-row rule (else of its first row)"
)
_ROWS_GRAIN = (
    "one row per template, row code and pattern of null / negative cells: the smallest value "
    "of each column, an example report (report_id) and how many reports share the pattern"
)
_ROWS_INDEX = ("agency", "report_id", "row_code", "reports")


def _wide_suites(mart: str, table: str, value_columns: list[str], strict: bool) -> list[Suite]:
    reads = (*marts.KEYS, *ROW_KEYS, *value_columns)
    rows = _rows_expectations(table, value_columns, strict)
    if table == "active_disclosure":
        rows += _disclosure_expectations()
    suites = [
        Suite(
            mart,
            mart,
            _report_view(table, value_columns),
            tuple(_report_expectations(table)),
            reads=reads,
            grain=_REPORT_GRAIN,
        ),
        Suite(
            f"{mart}_rows",
            mart,
            _rows_view(value_columns),
            tuple(rows),
            index=_ROWS_INDEX,
            reads=reads,
            grain=_ROWS_GRAIN,
        ),
    ]
    if _rules(table, "column"):
        suites.append(
            Suite(
                f"{mart}_by_column",
                mart,
                _by_column_view(table),
                tuple(_by_column_expectations(table)),
                index=("agency", "report_id", "column_code"),
                reads=reads,
                grain="complete tables only: per report, its first applicant column breaking "
                "each column rule (else its first column), one column per row code",
            )
        )
    return suites


def _suites() -> tuple[Suite, ...]:
    app_cols = list(marts.APPLICANT_COLUMNS)
    suites = [
        *_wide_suites("applications", "applications", app_cols, strict=False),
        *_wide_suites("applications_checked", "applications", app_cols, strict=True),
        *_wide_suites(
            "review_litigation", "review_litigation", list(marts.REVIEW_COLUMNS), strict=False
        ),
        *_wide_suites(
            "active_disclosure", "active_disclosure", list(marts.DISCLOSURE_COLUMNS), strict=False
        ),
        Suite(
            "rule_violations",
            "rule_violations",
            _violations_view,
            tuple(_violations_expectations()),
            index=("agency", "report_id", "rule"),
            reads=VIOLATION_READS,
            grain="the mart's distinct rows without cell codes and detail (rows: how many "
            "mart rows each stands for)",
        ),
        Suite(
            "year_summary",
            "year_summary",
            _with_minus(("reports", "received_total", "outcome_total", "carried_over_out")),
            tuple(_summary_expectations()),
            index=("year",),
            grain="the mart: one row for the year",
        ),
    ]
    order = {m: i for i, m in enumerate(MARTS)}
    return tuple(sorted(suites, key=lambda s: (order[s.mart], s.name)))


SUITES: tuple[Suite, ...] = _suites()
