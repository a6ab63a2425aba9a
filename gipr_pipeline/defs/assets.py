"""Year-partitioned assets: raw → parsed base tables → marts. Thin: the work is in
``inventory``, ``parse`` and ``marts``; the schemas in ``schemas``.

Every output is a polars frame validated by its pandera model (a DagsterType built in
``types.py``) and stored by the warehouse I/O manager in a DuckDB table of the asset's name,
replacing exactly the partition's rows (``partition_expr``).
"""

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    Output,
    asset,
    multi_asset,
)

from gipr_pipeline import inventory, marts
from gipr_pipeline.defs.io import PARTITION_EXPR
from gipr_pipeline.defs.partitions import partition_years, years_partitions
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.defs.types import pandera_type, table_schema
from gipr_pipeline.schemas import SCHEMAS


def _meta(name: str) -> dict:
    return {
        "partition_expr": PARTITION_EXPR,
        "dagster/column_schema": table_schema(SCHEMAS[name]),
        "dagster/table_name": f"main.{name}",
    }


def _kw(name: str, group: str, description: str) -> dict:
    return {
        "name": name,
        "group_name": group,
        "partitions_def": years_partitions,
        "dagster_type": pandera_type(SCHEMAS[name]),
        "metadata": _meta(name),
        "description": description,
        "kinds": {"polars", "duckdb"},
    }


def _year(context: AssetExecutionContext) -> int:
    return int(context.partition_key)


def _output(df: pl.DataFrame, **extra) -> Output:
    return Output(df, metadata={"rows": df.height, **extra})


# ---------------------------------------------------------------- ingest
@asset(
    **_kw(
        "raw_reports",
        "ingest",
        "One row per distinct input of the year (content hash = report id), every path holding "
        "it, size, detected encoding, decoded text and bytes. The year is read from the content; "
        "inputs without one are placed by the documented rule (inventory.py).",
    )
)
def raw_reports(context: AssetExecutionContext, gipr: GiprPaths) -> Output:
    year = _year(context)
    items = [x for x in inventory.inventory(gipr.raw_path, partition_years()) if x[2].year == year]
    df = marts.raw_reports(items)
    return _output(
        df,
        files=int(df["n_paths"].sum() or 0),
        accepted=int(df["accepted"].sum() or 0),
        raw_dir=str(gipr.raw_path.resolve()),
    )


# ---------------------------------------------------------------- parse
_PARSED = {
    "report_sections": "Report id, section code, order and cleaned text, with the report's "
    "metadata (agency, year, published, template).",
    "report_facts": "The long facts table: report id, table, row, column, value.",
    "report_problems": "What the parser flagged per report: problems, missing tables and rule "
    "violations (hard and soft).",
    "rejected_reports": "Every input of the year that could not become a report, with its "
    "reason code and message.",
}


@multi_asset(
    outs={
        name: AssetOut(
            dagster_type=pandera_type(SCHEMAS[name]),
            metadata=_meta(name),
            description=desc,
            group_name="parse",
            kinds={"polars", "duckdb"},
        )
        for name, desc in _PARSED.items()
    },
    partitions_def=years_partitions,
    can_subset=False,
)
def parse_reports(context: AssetExecutionContext, raw_reports: pl.DataFrame):
    """Parse each distinct input once (from the stored bytes: one snapshot for the whole run)."""
    years = partition_years()
    items = []
    for r in raw_reports.iter_rows(named=True):
        inp = inventory.RawInput(r["report_id"], tuple(r["paths"]), r["content"])
        result = inventory.parse_input(inp)
        items.append((inp, result, inventory.assign(inp, result, years)))
    accepted = [(i.report_id, a.year, r) for i, r, a in items if a.accepted]
    frames = {
        "report_sections": marts.report_sections(accepted),
        "report_facts": marts.report_facts(accepted),
        "report_problems": marts.report_problems(accepted),
        "rejected_reports": marts.rejected_reports(items),
    }
    context.log.info(f"{len(accepted)} reports, {len(items) - len(accepted)} rejected")
    for name, df in frames.items():
        yield Output(df, output_name=name, metadata={"rows": df.height})


# ---------------------------------------------------------------- marts
@asset(
    **_kw("applications", "marts", "Section 三 per report and row code, seven applicant columns.")
)
def applications(report_facts: pl.DataFrame) -> Output:
    df = marts.applications(report_facts)
    return _output(df, reports=df["report_id"].n_unique())


@asset(
    **_kw("review_litigation", "marts", "Section 四: review and litigation outcomes per report.")
)
def review_litigation(report_facts: pl.DataFrame) -> Output:
    df = marts.review_litigation(report_facts)
    return _output(df, reports=df["report_id"].n_unique())


@asset(
    **_kw("active_disclosure", "marts", "Section 二 (2021 template): documents, decisions, fees.")
)
def active_disclosure(report_facts: pl.DataFrame) -> Output:
    df = marts.active_disclosure(report_facts)
    return _output(df, reports=df["report_id"].n_unique())


@asset(
    **_kw(
        "rule_violations",
        "marts",
        "Reports breaking a balance rule (routed here, not dropped): agency, rule, row/column, "
        "expected (sum of parts), actual (printed total).",
    )
)
def rule_violations(report_problems: pl.DataFrame, report_facts: pl.DataFrame) -> Output:
    df = marts.rule_violations(report_problems, report_facts)
    return _output(df, reports=df["report_id"].n_unique())


@asset(
    **_kw(
        "applications_checked",
        "marts",
        "Applications of reports that pass every hard rule with a complete table; the balance "
        "rules are schema checks, so an inconsistent report cannot enter.",
    )
)
def applications_checked(applications: pl.DataFrame, rule_violations: pl.DataFrame) -> Output:
    df = marts.applications_checked(applications, rule_violations)
    return _output(
        df,
        reports=df["report_id"].n_unique(),
        reports_excluded=applications["report_id"].n_unique() - df["report_id"].n_unique(),
    )


@asset(
    **_kw(
        "year_summary",
        "marts",
        "Per year: reports, rejected, with violations, verified totals per applicant type and "
        "outcome, disclosure rate (3.1 + 3.2) / 3.7 and review correction rate.",
    ),
    # Only the ids: the raw table also holds every report's text and bytes.
    ins={"raw_reports": AssetIn(metadata={"columns": ["report_id"]})},
)
def year_summary(
    context: AssetExecutionContext,
    raw_reports: pl.DataFrame,
    rejected_reports: pl.DataFrame,
    rule_violations: pl.DataFrame,
    applications_checked: pl.DataFrame,
    review_litigation: pl.DataFrame,
) -> Output:
    df = marts.year_summary(
        _year(context),
        raw_reports,
        rejected_reports,
        rule_violations,
        applications_checked,
        review_litigation,
    )
    row = df.row(0, named=True)
    return _output(df, **{k: v for k, v in row.items() if k != "year" and v is not None})


ASSETS = [
    raw_reports,
    parse_reports,
    applications,
    review_litigation,
    active_disclosure,
    rule_violations,
    applications_checked,
    year_summary,
]
