"""``annual_report``: the year's self-contained HTML report (``gipr_pipeline.outputs.report``), written
to ``<docs_dir>/reports/annual_report_<year>.html``; its path is in the asset's metadata so the
UI links it. Stores nothing in the warehouse (returns a ``MaterializeResult``)."""

import polars as pl
from dagster import AssetExecutionContext, AssetIn, MaterializeResult, MetadataValue, asset

from gipr_pipeline.defs.partitions import years_partitions
from gipr_pipeline.defs.quality import GiprDocs
from gipr_pipeline.outputs import report


@asset(
    name="annual_report",
    group_name="reports",
    partitions_def=years_partitions,
    kinds={"plotly", "html"},
    # Only the columns the report shows: raw_reports-sized tables are not loaded.
    ins={
        "rejected_reports": AssetIn(metadata={"columns": ["path", "reason", "message"]}),
        "raw_reports": AssetIn(metadata={"columns": ["report_id", "path"]}),
    },
    description="One self-contained HTML file per year (charts inline, opens offline): totals, "
    "outcome and applicant mix, review and litigation outcomes, agencies ranked by requests, "
    "rule violations per agency with the failing cells and source files, cross-year carry-over "
    "breaks. Path in the metadata.",
)
def annual_report(
    context: AssetExecutionContext,
    docs: GiprDocs,
    # Lazy scans: the report shows aggregates of marts of millions of rows (report.py reads
    # only the columns and rows it needs).
    year_summary: pl.LazyFrame,
    applications: pl.LazyFrame,
    review_litigation: pl.LazyFrame,
    rule_violations: pl.LazyFrame,
    rejected_reports: pl.LazyFrame,
    raw_reports: pl.LazyFrame,
    carryover_breaks: pl.LazyFrame,
    corrections: pl.LazyFrame,
    year_over_year: pl.LazyFrame,
) -> MaterializeResult:
    year = int(context.partition_key)
    frames = {
        "year_summary": year_summary,
        "applications": applications,
        "review_litigation": review_litigation,
        "rule_violations": rule_violations,
        "rejected_reports": rejected_reports,
        "raw_reports": raw_reports,
        "carryover_breaks": carryover_breaks,
        "corrections": corrections,
        "year_over_year": year_over_year,
    }
    path = report.write_report(year, frames, report.report_path(docs.path, year)).resolve()
    index = report.write_index(docs.path).resolve()
    context.log.info(f"annual report: {path}")
    violating = rule_violations.select(pl.col("agency").n_unique())
    return MaterializeResult(
        metadata={
            "report": MetadataValue.path(str(path)),
            "report_url": MetadataValue.url(path.as_uri()),
            "index": MetadataValue.path(str(index)),
            "bytes": path.stat().st_size,
            "agencies": report.agency_count(frames),
            "agencies_with_violations": violating.collect().item(),
        }
    )


PUBLISH_ASSETS = [annual_report]
