"""``data_quality_docs``: the year's marts validated by the Great Expectations suites of
``gipr_pipeline.outputs.quality``, Data Docs written as static HTML, one asset check per mart.

The asset stores nothing in the warehouse (it returns a ``MaterializeResult``): what it makes is
the Data Docs folder, linked from its metadata (``docs`` path, ``docs_url``) so the UI shows where
to open it. Each mart's suite result is an asset check on this asset (``gx_<mart>``, partitioned
by year), so a failing expectation shows in the UI as a failed check with the failing
expectations, the agencies and reports they name, and the Data Docs page of that validation.
Great Expectations is imported inside the asset only (about 5 s).
"""

import warnings
from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    PreviewWarning,
    asset,
)
from pydantic import Field

from gipr_pipeline.defs.metadata import per_partition
from gipr_pipeline.defs.partitions import years_partitions
from gipr_pipeline.outputs import quality, report
from gipr_pipeline.outputs.paths import DEFAULT_WAREHOUSE, docs_dir_for

# Partitioned check specs are a preview in dagster 1.13 (see defs/checks.py).
warnings.filterwarnings("ignore", category=PreviewWarning, message=".*partitions_def.*")

FIRST_FAILURES = 10


class GiprDocs(ConfigurableResource):
    """Where the pipeline writes what people open: Data Docs and the annual reports.

    ``docs_dir`` if set; else ``data/docs`` for the project's warehouse, or a ``docs`` folder
    beside any other warehouse file (tests and other warehouses keep their output next to their
    data). Resolved at run time, so an ``EnvVar`` warehouse works too.
    """

    warehouse: str = Field(default=DEFAULT_WAREHOUSE, description="DuckDB warehouse file")
    docs_dir: str | None = Field(default=None, description="folder for HTML output")

    @property
    def path(self) -> Path:
        return Path(self.docs_dir or docs_dir_for(self.warehouse))


_SEVERITY = {"warn": AssetCheckSeverity.WARN, "error": AssetCheckSeverity.ERROR}
_WHAT = {
    "applications": "reports as printed: a failure names reports routed to rule_violations "
    "(broken balance rule) or with incomplete tables",
    "review_litigation": "reports as printed: a failure names a report breaking "
    "review_litigation.total",
    "active_disclosure": "reports as printed: each row's own cells filled, fees decimal",
    "rule_violations": "derived: must hold",
    "applications_checked": "derived: complete tables only, every balance rule holds",
    "year_summary": "derived: one row, verified sums balance",
}
CHECK_SPECS = [
    AssetCheckSpec(
        f"gx_{mart}",
        asset="data_quality_docs",
        partitions_def=years_partitions,
        additional_deps=[mart],
        description=f"Great Expectations suite(s) on {mart} ({_WHAT[mart]}). Severity "
        f"{quality.SEVERITY[mart]}. The failing expectations and the Data Docs page are in the "
        "check's metadata.",
    )
    for mart in quality.MARTS
]


def _first_failures(failed: list[quality.Failure]) -> MetadataValue:
    if not failed:
        return MetadataValue.md("no failures")
    lines = ["| suite | expectation | columns | rule | unexpected | first rows |", "|---" * 6 + "|"]
    for f in failed[:FIRST_FAILURES]:
        rows = f.sample_text(3)
        cells = [f.suite, f.expectation, f.columns, f.rule or "", str(f.unexpected), rows]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return MetadataValue.md("\n".join(lines))


def check_results(q: quality.YearQuality) -> list[AssetCheckResult]:
    out = []
    for mart in quality.MARTS:
        m = q.marts.get(mart)
        if m is None:
            continue
        out.append(
            AssetCheckResult(
                check_name=f"gx_{mart}",
                passed=m.success,
                severity=_SEVERITY[m.severity],
                metadata=per_partition(
                    str(q.year),
                    {
                        "expectations": m.evaluated,
                        "failed": len(m.failed),
                        "failed_expectations": _first_failures(m.failed),
                        **{
                            f"page_{i}" if i else "page": MetadataValue.path(str(p.resolve()))
                            for i, p in enumerate(m.pages)
                        },
                    },
                ),
            )
        )
    return out


@asset(
    name="data_quality_docs",
    group_name="quality",
    partitions_def=years_partitions,
    check_specs=CHECK_SPECS,
    kinds={"great_expectations", "html"},
    description="The year's marts validated with Great Expectations (one suite per mart, from "
    "the template data: keys, ranges, rows per report, years, agencies, balance rules); Data "
    "Docs as static HTML in <docs_dir>/quality/<year>/index.html (path in the metadata).",
)
def data_quality_docs(
    context: AssetExecutionContext,
    docs: GiprDocs,
    # Lazy scans of the staged parquet: the marts of a national year are millions of rows, and
    # validate_year reads only the columns its views need, one mart at a time.
    applications: pl.LazyFrame,
    review_litigation: pl.LazyFrame,
    active_disclosure: pl.LazyFrame,
    rule_violations: pl.LazyFrame,
    applications_checked: pl.LazyFrame,
    year_summary: pl.LazyFrame,
) -> MaterializeResult:
    year = int(context.partition_key)
    frames = {
        "applications": applications,
        "review_litigation": review_litigation,
        "active_disclosure": active_disclosure,
        "rule_violations": rule_violations,
        "applications_checked": applications_checked,
        "year_summary": year_summary,
    }
    q = quality.validate_year(frames, year, docs.path)
    report.write_index(docs.path)
    index = q.index.resolve()
    failing = sorted(m for m, r in q.marts.items() if not r.success)
    context.log.info(f"Data Docs: {index} ({failing or 'all suites pass'})")
    return MaterializeResult(
        metadata={
            "docs": MetadataValue.path(str(index)),
            "docs_url": MetadataValue.url(index.as_uri()),
            "summary": MetadataValue.path(str(q.summary.resolve())),
            "suites": len([s for s in quality.SUITES if s.mart in frames]),
            "expectations": sum(m.evaluated for m in q.marts.values()),
            "failed_expectations": sum(len(m.failed) for m in q.marts.values()),
            "marts_failing": MetadataValue.json(failing),
        },
        check_results=check_results(q),
    )


QUALITY_ASSETS = [data_quality_docs]
