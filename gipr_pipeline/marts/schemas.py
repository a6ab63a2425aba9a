"""pandera (polars) schemas, one per asset boundary, built from the template data.

Allowed codes (sections, tables, rows, columns, rules, rejection reasons) come from the template
package and ``model.py``, so a template change updates the schemas with it. Schemas do not coerce:
dtypes are part of the contract (``marts.py`` produces them exactly). The checked mart carries
the hard balance rules as dataframe-level checks, so an inconsistent report cannot enter it.

pandera ignores ``Check(groupby=...)`` for polars: group-wise rules are written as
``@pa.dataframe_check`` with polars window expressions (``.over("report_id")``).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from gipr_pipeline.marts import continuity, corrections, yoy
from gipr_pipeline.marts.inventory import FIRST_YEAR, PIPELINE_REJECTION_REASONS, YEAR_SOURCES
from gipr_pipeline.marts.marts import APPLICANT_COLUMNS
from gipr_pipeline.parser.model import REJECTION_REASONS
from gipr_pipeline.template import SECTION_CODES, TABLE_CODES, VERSIONS, load_template

TEMPLATES = [load_template(v) for v in VERSIONS]


def _union(items) -> list[str]:
    return sorted({x for it in items for x in it})


def row_codes(table: str) -> list[str]:
    return _union(t.table(table).row_codes for t in TEMPLATES if table in t.table_by_code)


def column_codes(table: str) -> list[str]:
    return _union(t.table(table).columns for t in TEMPLATES if table in t.table_by_code)


ALL_ROWS = _union(row_codes(t) for t in TABLE_CODES)
ALL_COLUMNS = _union(column_codes(t) for t in TABLE_CODES)
# Every valid (template, table, row, column) cell, as "template|table|row|column".
VALID_CELLS = sorted(
    f"{t.version}|{tb.code}|{r}|{c}" for t in TEMPLATES for tb in t.tables for r, c in tb.cells()
)
# Cells that may be negative (2019 section 二: 本年增/减), same key.
SIGNED_CELLS = sorted(
    f"{t.version}|{tb.code}|{r}|{c}"
    for t in TEMPLATES
    for tb in t.tables
    for r, c in tb.cells()
    if c in tb.signed
)
_CELL_KEY = pl.concat_str(["template", "table_code", "row_code", "column_code"], separator="|")
# Rule ids of the public contract (TEMPLATE.md): the template's rules and the two soft ones.
RULE_IDS = _union(
    [
        [r.id for t in TEMPLATES for r in t.rules],
        ["applications.carryover_continuity", "narrative.agreement"],
    ]
)
REASONS = sorted({*REJECTION_REASONS, *PIPELINE_REJECTION_REASONS})
SHA256 = r"^[0-9a-f]{64}$"


def _rule(rule_id: str) -> tuple[str, list[str], list[str]]:
    """(per, total, parts) of a rule, parts united over templates: each report holds only its
    own template's rows, so the union selects exactly that template's parts."""
    rules = [r for t in TEMPLATES for r in t.rules if r.id == rule_id]
    return rules[0].per, list(rules[0].total), _union(r.parts for r in rules)


def _column_rule_holds(rule_id: str) -> pl.Expr:
    """Per report and column: sum of the total rows = sum of the part rows (window over report)."""
    _, total, parts = _rule(rule_id)
    rc = pl.col("row_code")
    checks = [
        pl.when(rc.is_in(total)).then(pl.col(c)).otherwise(0).sum().over("report_id")
        == pl.when(rc.is_in(parts)).then(pl.col(c)).otherwise(0).sum().over("report_id")
        for c in APPLICANT_COLUMNS
    ]
    return pl.all_horizontal(checks).alias(rule_id)


def _row_rule_holds(rule_id: str) -> pl.Expr:
    _, total, parts = _rule(rule_id)
    return (pl.sum_horizontal(total) == pl.sum_horizontal(parts)).alias(rule_id)


def _row_in_template(table: str) -> pl.Expr:
    expr = pl.lit(False)
    for t in TEMPLATES:
        if table in t.table_by_code:
            codes = list(t.table(table).row_codes)
            expr = (
                pl.when(pl.col("template") == t.version)
                .then(pl.col("row_code").is_in(codes))
                .otherwise(expr)
            )
    return expr


# ---------------------------------------------------------------- base tables
class RawReports(pa.DataFrameModel):
    """One row per distinct input (content hash) in the partition. Not the content: the bytes
    stay in the raw folder (report_id is their sha256), the text is in report_sections."""

    report_id: str = pa.Field(
        unique=True, str_matches=SHA256, description="sha256 of the bytes: the report id"
    )
    year: pl.Int32 = pa.Field(
        ge=FIRST_YEAR, description="partition: statistical year (see inventory rule)"
    )
    path: str = pa.Field(description="first path (sorted) under the raw folder")
    paths: pl.List(pl.String) = pa.Field(description="every path holding this content")
    n_paths: pl.Int32 = pa.Field(ge=1)
    size: pl.Int64 = pa.Field(ge=0, description="bytes")
    accepted: bool = pa.Field(description="a report of this year (else in rejected_reports)")
    year_source: str = pa.Field(isin=list(YEAR_SOURCES))
    format: str = pa.Field(isin=["text", "html", "docx", "pdf"])
    encoding: str = pa.Field(nullable=True, description="detected encoding (null for binary)")

    class Config:
        strict = True
        coerce = False


class ReportSections(pa.DataFrameModel):
    report_id: str = pa.Field(str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    agency: str = pa.Field(nullable=True)
    published: pl.Date = pa.Field(nullable=True)
    template: str = pa.Field(isin=list(VERSIONS))
    section_code: str = pa.Field(isin=list(SECTION_CODES))
    section_order: pl.Int32 = pa.Field(ge=0)
    text: str

    class Config:
        strict = True
        coerce = False
        unique = ("report_id", "section_code")


class ReportFacts(pa.DataFrameModel):
    """The long facts table: one value per (report, table, row, column) of the template."""

    report_id: str = pa.Field(str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    agency: str = pa.Field(nullable=True)
    template: str = pa.Field(isin=list(VERSIONS))
    table_code: str = pa.Field(isin=list(TABLE_CODES))
    row_code: str = pa.Field(isin=ALL_ROWS)
    column_code: str = pa.Field(isin=ALL_COLUMNS)
    value: pl.Float64 = pa.Field(description=">= 0 except in signed columns (本年增/减)")

    class Config:
        strict = True
        coerce = False
        unique = ("report_id", "table_code", "row_code", "column_code")

    @pa.dataframe_check(description="(template, table, row, column) is a cell of the template")
    def cell_in_template(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_CELL_KEY.is_in(VALID_CELLS))

    @pa.dataframe_check(description="value >= 0 unless the template's column is signed")
    def non_negative_unless_signed(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("value") >= 0) | _CELL_KEY.is_in(SIGNED_CELLS))


class ReportProblems(pa.DataFrameModel):
    report_id: str = pa.Field(str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    kind: str = pa.Field(isin=["problem", "missing_table", "violation"])
    code: str
    detail: str
    table_code: str = pa.Field(nullable=True, isin=list(TABLE_CODES))
    row_code: str = pa.Field(nullable=True, isin=ALL_ROWS)
    column_code: str = pa.Field(nullable=True, isin=ALL_COLUMNS)
    expected: pl.Float64 = pa.Field(nullable=True)
    actual: pl.Float64 = pa.Field(nullable=True)
    severity: str = pa.Field(isin=["hard", "soft"])

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(description="a violation names a rule of the contract")
    def violation_rule_known(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("kind") != "violation") | pl.col("code").is_in(RULE_IDS)
        )


class RejectedReports(pa.DataFrameModel):
    """Every input of the partition that did not become a report, with a reason code."""

    report_id: str = pa.Field(unique=True, str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    path: str
    paths: pl.List(pl.String)
    size: pl.Int64 = pa.Field(ge=0)
    reason: str = pa.Field(isin=REASONS)
    message: str
    year_source: str = pa.Field(isin=list(YEAR_SOURCES))

    class Config:
        strict = True
        coerce = False


# ---------------------------------------------------------------- marts
class _Wide(pa.DataFrameModel):
    report_id: str = pa.Field(str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    agency: str = pa.Field(nullable=True)
    template: str = pa.Field(isin=list(VERSIONS))
    row_order: pl.Int32 = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ("report_id", "row_code")


class Applications(_Wide):
    """Section 三 per report: one row per row code, the seven applicant columns."""

    row_code: str = pa.Field(isin=row_codes("applications"))
    natural_person: pl.Int64 = pa.Field(ge=0, nullable=True, description="自然人")
    commercial_enterprise: pl.Int64 = pa.Field(ge=0, nullable=True, description="商业企业")
    research_institution: pl.Int64 = pa.Field(ge=0, nullable=True, description="科研机构")
    social_welfare_org: pl.Int64 = pa.Field(ge=0, nullable=True, description="社会公益组织")
    legal_service_org: pl.Int64 = pa.Field(ge=0, nullable=True, description="法律服务机构")
    other_org: pl.Int64 = pa.Field(ge=0, nullable=True, description="其他")
    total: pl.Int64 = pa.Field(ge=0, nullable=True, description="总计")

    @pa.dataframe_check(description="row_code is a row of the report's template")
    def row_in_template(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_row_in_template("applications"))


class ApplicationsChecked(Applications):
    """Applications of reports that pass every hard rule, with complete tables."""

    natural_person: pl.Int64 = pa.Field(ge=0, description="自然人")
    commercial_enterprise: pl.Int64 = pa.Field(ge=0, description="商业企业")
    research_institution: pl.Int64 = pa.Field(ge=0, description="科研机构")
    social_welfare_org: pl.Int64 = pa.Field(ge=0, description="社会公益组织")
    legal_service_org: pl.Int64 = pa.Field(ge=0, description="法律服务机构")
    other_org: pl.Int64 = pa.Field(ge=0, description="其他")
    total: pl.Int64 = pa.Field(ge=0, description="总计")

    @pa.dataframe_check(description="complete: every row of the report's template, once")
    def complete(cls, data) -> pl.LazyFrame:
        n = pl.lit(0)
        for t in TEMPLATES:
            n = (
                pl.when(pl.col("template") == t.version)
                .then(len(t.table("applications").rows))
                .otherwise(n)
            )
        return data.lazyframe.select(pl.len().over("report_id") == n)

    @pa.dataframe_check(
        description="applications.balance: row 1 + row 2 = row 3.7 + row 4, per column"
    )
    def balance(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_column_rule_holds("applications.balance"))

    @pa.dataframe_check(
        description="applications.row_total: total = sum of the six applicant columns"
    )
    def row_total(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_row_rule_holds("applications.row_total"))

    @pa.dataframe_check(
        description="applications.results_sum: row 3.7 = sum of outcome rows 3.1 … 3.6.x"
    )
    def results_sum(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_column_rule_holds("applications.results_sum"))


class ReviewLitigation(_Wide):
    """Section 四: administrative review and litigation, one row per case kind."""

    row_code: str = pa.Field(isin=row_codes("review_litigation"))
    upheld: pl.Int64 = pa.Field(ge=0, nullable=True, description="结果维持")
    corrected: pl.Int64 = pa.Field(ge=0, nullable=True, description="结果纠正")
    other: pl.Int64 = pa.Field(ge=0, nullable=True, description="其他结果")
    pending: pl.Int64 = pa.Field(ge=0, nullable=True, description="尚未审结")
    total: pl.Int64 = pa.Field(ge=0, nullable=True, description="总计")


class ActiveDisclosure(_Wide):
    """Section 二: documents, decisions, fees (and, 2019 template, procurement); every
    template's columns, cells a row lacks are null."""

    row_code: str = pa.Field(isin=row_codes("active_disclosure"))
    issued: pl.Int64 = pa.Field(ge=0, nullable=True, description="本年制发件数")
    repealed: pl.Int64 = pa.Field(ge=0, nullable=True, description="本年废止件数")
    in_force: pl.Int64 = pa.Field(ge=0, nullable=True, description="现行有效件数")
    decisions: pl.Int64 = pa.Field(ge=0, nullable=True, description="本年处理决定数量")
    amount_10k_yuan: pl.Float64 = pa.Field(ge=0, nullable=True, description="本年收费金额(万元)")
    made: pl.Int64 = pa.Field(ge=0, nullable=True, description="2019: 本年新制作数量")
    published: pl.Int64 = pa.Field(ge=0, nullable=True, description="2019: 本年新公开数量")
    total_public: pl.Int64 = pa.Field(ge=0, nullable=True, description="2019: 对外公开总数量")
    previous_count: pl.Int64 = pa.Field(ge=0, nullable=True, description="2019: 上一年项目数量")
    change: pl.Int64 = pa.Field(nullable=True, description="2019: 本年增/减 (may be negative)")
    procurement_items: pl.Int64 = pa.Field(ge=0, nullable=True, description="2019: 采购项目数量")
    procurement_amount: pl.Float64 = pa.Field(
        ge=0, nullable=True, description="2019: 采购总金额 (as printed, mostly 万元)"
    )


class RuleViolations(pa.DataFrameModel):
    """Reports that break a rule, routed here (not dropped): one row per broken rule instance.
    Hard: balance rules (the report stays out of applications_checked). Soft: warnings (blank
    cells, prose vs tables, empty section 五, fees not stated), ``detail`` says what was found."""

    report_id: str = pa.Field(str_matches=SHA256)
    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    agency: str = pa.Field(nullable=True)
    rule: str = pa.Field(isin=RULE_IDS)
    severity: str = pa.Field(isin=["hard", "soft"])
    table_code: str = pa.Field(
        nullable=True, isin=list(TABLE_CODES), description="null for report-level soft rules"
    )
    row_code: str = pa.Field(nullable=True, isin=ALL_ROWS, description="null for per-column rules")
    column_code: str = pa.Field(
        nullable=True, isin=ALL_COLUMNS, description="null for per-row rules"
    )
    expected: pl.Float64 = pa.Field(
        nullable=True, description="sum of the parts (narrative: the table's value)"
    )
    actual: pl.Float64 = pa.Field(
        nullable=True, description="the printed total (narrative: the number in the prose)"
    )
    difference: pl.Float64 = pa.Field(nullable=True, description="actual - expected")
    detail: str = pa.Field(description="what was found, e.g. the sentence quoted")

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(description="a hard violation names a table and actual != expected")
    def differs(cls, data) -> pl.LazyFrame:
        c = pl.col
        hard = (
            c("table_code").is_not_null()
            & c("actual").is_not_null()
            & c("expected").is_not_null()
            & (c("actual") != c("expected"))
        )
        return data.lazyframe.select((c("severity") == "soft") | hard.fill_null(False))


class YearSummary(pa.DataFrameModel):
    """One row per year: counts over every input, sums and rates over verified numbers."""

    year: pl.Int32 = pa.Field(ge=FIRST_YEAR, unique=True)
    reports: pl.Int64 = pa.Field(ge=0, description="distinct inputs accounted in the year")
    reports_accepted: pl.Int64 = pa.Field(ge=0)
    reports_rejected: pl.Int64 = pa.Field(ge=0)
    reports_with_violations: pl.Int64 = pa.Field(ge=0, description="reports breaking a hard rule")
    reports_checked: pl.Int64 = pa.Field(ge=0, description="reports in applications_checked")
    received_natural_person: pl.Int64 = pa.Field(ge=0)
    received_commercial_enterprise: pl.Int64 = pa.Field(ge=0)
    received_research_institution: pl.Int64 = pa.Field(ge=0)
    received_social_welfare_org: pl.Int64 = pa.Field(ge=0)
    received_legal_service_org: pl.Int64 = pa.Field(ge=0)
    received_other_org: pl.Int64 = pa.Field(ge=0)
    received_total: pl.Int64 = pa.Field(ge=0, description="row 1, total column")
    carried_over_in: pl.Int64 = pa.Field(ge=0, description="row 2, total column")
    outcome_granted: pl.Int64 = pa.Field(ge=0, description="3.1")
    outcome_partly_granted: pl.Int64 = pa.Field(ge=0, description="3.2")
    outcome_withheld: pl.Int64 = pa.Field(ge=0, description="3.3.x")
    outcome_unavailable: pl.Int64 = pa.Field(ge=0, description="3.4.x")
    outcome_not_processed: pl.Int64 = pa.Field(ge=0, description="3.5.x")
    outcome_other_handling: pl.Int64 = pa.Field(ge=0, description="3.6 / 3.6.x")
    outcome_total: pl.Int64 = pa.Field(ge=0, description="3.7")
    carried_over_out: pl.Int64 = pa.Field(ge=0, description="row 4, total column")
    disclosure_rate: pl.Float64 = pa.Field(
        ge=0, le=1, nullable=True, description="(3.1 + 3.2) / 3.7"
    )
    review_cases: pl.Int64 = pa.Field(
        ge=0, description="concluded reviews: upheld + corrected + other"
    )
    review_corrected: pl.Int64 = pa.Field(ge=0)
    review_correction_rate: pl.Float64 = pa.Field(
        ge=0, le=1, nullable=True, description="corrected / concluded"
    )

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(
        description="reports = accepted + rejected; checked + with violations <= accepted"
    )
    def counts_add_up(cls, data) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("reports") == c("reports_accepted") + c("reports_rejected"))
            & (c("reports_checked") + c("reports_with_violations") <= c("reports_accepted"))
        )

    @pa.dataframe_check(
        description="verified sums balance: received + carried in = total + carried out"
    )
    def balance(cls, data) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            c("received_total") + c("carried_over_in") == c("outcome_total") + c("carried_over_out")
        )


class CarryoverBreaks(pa.DataFrameModel):
    """applications.carryover_continuity (soft), year N against N−1: every pairing decision
    by agency key (matched, unmatched, missing_in_year, ambiguous) and one row per break."""

    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    status: str = pa.Field(isin=list(continuity.STATUSES))
    agency_key: str = pa.Field(nullable=True, description="normalized name without prefixes")
    report_id: str = pa.Field(nullable=True, str_matches=SHA256, description="year N's report")
    agency: str = pa.Field(nullable=True)
    previous_year: pl.Int32 = pa.Field(ge=FIRST_YEAR - 1)
    previous_report_id: str = pa.Field(
        nullable=True, str_matches=SHA256, description="year N−1's report"
    )
    previous_agency: str = pa.Field(nullable=True)
    column_code: str = pa.Field(nullable=True, isin=list(APPLICANT_COLUMNS))
    carried_in: pl.Int64 = pa.Field(nullable=True, ge=0, description="row 2 of year N")
    carried_out_previous: pl.Int64 = pa.Field(nullable=True, ge=0, description="row 4 of year N−1")
    difference: pl.Int64 = pa.Field(nullable=True, description="carried_in − carried_out_previous")

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(description="a break names a column and differs; other rows do not")
    def breaks_differ(cls, data) -> pl.LazyFrame:
        c = pl.col
        is_break = c("status") == "break"
        return data.lazyframe.select(
            pl.when(is_break)
            .then(c("column_code").is_not_null() & (c("difference") != 0))
            .otherwise(c("column_code").is_null())
        )


class Corrections(pa.DataFrameModel):
    """The audit of reviewers' corrections (``corrections.py``): one row per corrections-file
    line of the year's reports, applied or rejected with a reason code."""

    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    report_id: str = pa.Field(nullable=True, str_matches=SHA256)
    source: str = pa.Field(nullable=True, description="path under the raw folder, as written")
    agency: str = pa.Field(nullable=True)
    table_code: str = pa.Field(nullable=True)
    row_code: str = pa.Field(nullable=True)
    column_code: str = pa.Field(nullable=True)
    printed: pl.Float64 = pa.Field(nullable=True, description="the value read from the report")
    value: pl.Float64 = pa.Field(nullable=True, description="the corrected value")
    status: str = pa.Field(isin=list(corrections.STATUSES))
    reason: str = pa.Field(nullable=True, isin=list(corrections.REASONS))
    detail: str = pa.Field(nullable=True)
    who: str = pa.Field(nullable=True)
    corrected_on: pl.Date = pa.Field(nullable=True)
    why: str = pa.Field(nullable=True)
    file: str = pa.Field(description="corrections file and line, e.g. 2024.csv:3")

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(description="applied rows name a read cell and have no reason")
    def applied_is_complete(cls, data) -> pl.LazyFrame:
        c = pl.col
        ok = c("reason").is_null() & c("printed").is_not_null() & c("value").is_not_null()
        return data.lazyframe.select(
            pl.when(c("status") == "applied").then(ok).otherwise(c("reason").is_not_null())
        )


class YearOverYear(pa.DataFrameModel):
    """Per agency, year N−1 and N side by side (``yoy.py``), paired as ``carryover_breaks``."""

    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    status: str = pa.Field(isin=list(yoy.STATUSES))
    agency_key: str = pa.Field(nullable=True)
    agency: str = pa.Field(nullable=True)
    report_id: str = pa.Field(nullable=True, str_matches=SHA256)
    previous_agency: str = pa.Field(nullable=True)
    previous_report_id: str = pa.Field(nullable=True, str_matches=SHA256)
    received_previous: pl.Int64 = pa.Field(nullable=True)
    received: pl.Int64 = pa.Field(nullable=True)
    received_change: pl.Int64 = pa.Field(nullable=True)
    granted_previous: pl.Int64 = pa.Field(nullable=True)
    granted: pl.Int64 = pa.Field(nullable=True)
    granted_change: pl.Int64 = pa.Field(nullable=True)
    concluded_previous: pl.Int64 = pa.Field(nullable=True)
    concluded: pl.Int64 = pa.Field(nullable=True)
    concluded_change: pl.Int64 = pa.Field(nullable=True)
    carried_out_previous: pl.Int64 = pa.Field(nullable=True)
    carried_out: pl.Int64 = pa.Field(nullable=True)
    carried_out_change: pl.Int64 = pa.Field(nullable=True)
    carried_in: pl.Int64 = pa.Field(nullable=True)
    carryover: str = pa.Field(nullable=True, isin=["ok", "break"])
    carryover_breaks: pl.Int32 = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(description="a matched row has both reports, others at most one year")
    def sides(cls, data) -> pl.LazyFrame:
        c = pl.col
        both = c("report_id").is_not_null() & c("previous_report_id").is_not_null()
        return data.lazyframe.select(pl.when(c("status") == "matched").then(both).otherwise(~both))


class RunInputs(pa.DataFrameModel):
    """What each year was built from (``fingerprint.py``): incremental runs compare it."""

    year: pl.Int32 = pa.Field(ge=FIRST_YEAR)
    inputs: pl.Int64 = pa.Field(ge=0)
    inputs_digest: str = pa.Field(str_matches=SHA256)
    corrections_digest: str = pa.Field(str_matches=SHA256)
    previous_digest: str = pa.Field(str_matches=SHA256)
    code_version: str = pa.Field(str_matches=SHA256)

    class Config:
        strict = True
        coerce = False


# Asset name → schema: the one place the Dagster layer looks schemas up.
SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "raw_reports": RawReports,
    "report_sections": ReportSections,
    "report_facts": ReportFacts,
    "report_problems": ReportProblems,
    "rejected_reports": RejectedReports,
    "applications": Applications,
    "review_litigation": ReviewLitigation,
    "active_disclosure": ActiveDisclosure,
    "rule_violations": RuleViolations,
    "applications_checked": ApplicationsChecked,
    "year_summary": YearSummary,
    "carryover_breaks": CarryoverBreaks,
    "corrections": Corrections,
    "year_over_year": YearOverYear,
    "run_inputs": RunInputs,
}
