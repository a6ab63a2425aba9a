"""The reviewer's assets, year-partitioned and thin (the work is in ``marts/``):

- ``corrections``: reviewers' corrections (``data/corrections/*.csv``) of the year's reports,
  checked against the parsed facts: the audit table (``marts/corrections.py``). The marts
  (``applications``, ``review_litigation``, ``active_disclosure``, ``rule_violations``) read it
  and use the corrected values.
- ``year_over_year``: per agency, year N−1 against N (``marts/yoy.py``), paired as
  ``carryover_breaks`` records it.
- ``run_inputs``: what the year was built from (``marts/fingerprint.py``), so ``gipr run``
  rebuilds only the years whose inputs, corrections or code changed.
"""

import polars as pl
from dagster import AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from gipr_pipeline.defs.assets import _kw
from gipr_pipeline.defs.continuity import TWO_YEARS
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import fingerprint, yoy
from gipr_pipeline.marts.parts import Parts

FIRST_SHOWN = 20


def _md(df: pl.DataFrame, cols: list[str]) -> MetadataValue:
    shown = df.head(FIRST_SHOWN).select([pl.col(c).cast(pl.String).fill_null("") for c in cols])
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join(r) + " |\n" for r in shown.iter_rows())
    return MetadataValue.md(head + body if shown.height else "none")


@asset(
    **_kw(
        "corrections",
        "review",
        "Reviewers' corrections of the year's reports (data/corrections/*.csv, beside the raw "
        "folder): one row per line, applied or rejected with a reason code, the printed and the "
        "corrected value, who, when, why. The marts use the applied values.",
    ),
    ins={"raw_reports": AssetIn(metadata={"columns": ["report_id", "paths"]})},
)
def corrections(
    context: AssetExecutionContext, gipr: GiprPaths, raw_reports: pl.DataFrame, report_facts: Parts
) -> Output:
    year = int(context.partition_key)
    rows = corr.of_year(corr.read(gipr.corrections_path), year, raw_reports)
    ids = rows["current_id"].drop_nulls().unique().implode()
    cols = ["report_id", "agency", "table_code", "row_code", "column_code", "value"]
    found = [df for df in report_facts.frames(columns=cols, where=pl.col("report_id").is_in(ids))]
    facts = pl.concat(found) if found else pl.DataFrame(schema={c: pl.String for c in cols})
    df = corr.audit(year, rows, facts.cast({"value": pl.Float64}))
    rejected = df.filter(pl.col("status") == "rejected")
    return Output(
        df,
        metadata={
            "rows": df.height,
            "applied": df.height - rejected.height,
            "rejected": rejected.height,
            "folder": str(gipr.corrections_path),
            "rejected_lines": _md(rejected, ["file", "reason", "detail", "report_id"]),
        },
    )


@asset(
    **_kw(
        "year_over_year",
        "continuity",
        "Per agency, year N−1 and N side by side: requests received, granted, concluded, carried "
        "over, with the change; the carry-over check; agencies seen in one year only; ambiguous "
        "names listed, not paired (the pairing of carryover_breaks).",
    ),
    ins={"applications": AssetIn("applications", partition_mapping=TWO_YEARS)},
)
def year_over_year(
    context: AssetExecutionContext, carryover_breaks: pl.DataFrame, applications: pl.LazyFrame
) -> Output:
    year = int(context.partition_key)
    cols = ["report_id", "agency", "row_code", "total"]
    df = yoy.year_over_year(
        year,
        carryover_breaks,
        applications.filter(pl.col("year") == year - 1).select(cols),
        applications.filter(pl.col("year") == year).select(cols),
    )
    return Output(df, metadata={"rows": df.height, **yoy.summary(df)})


@asset(
    **_kw(
        "run_inputs",
        "review",
        "What the year was built from: a digest of its inputs (content hash and paths), of its "
        "corrections, of year N−1's (read by the cross-year marts) and the code version. "
        "`gipr run` rebuilds a year only when one of them changed.",
    ),
    ins={
        "raw_reports": AssetIn(
            "raw_reports",
            partition_mapping=TWO_YEARS,
            metadata={"columns": ["report_id", "year", "paths"]},
        ),
    },
    # Read after everything else of the year, so it is the last word on what the year holds.
    deps=["year_over_year", "annual_report", "data_quality_docs"],
)
def run_inputs(
    context: AssetExecutionContext, gipr: GiprPaths, raw_reports: pl.DataFrame
) -> Output:
    year = int(context.partition_key)
    lines = corr.read(gipr.corrections_path)
    digests = {}
    for y in (year - 1, year):
        raw = raw_reports.filter(pl.col("year") == y)
        digests[y] = (fingerprint.inputs_digest(raw), corr.digest(corr.of_year(lines, y, raw)))
    df = fingerprint.record(
        year,
        raw_reports.filter(pl.col("year") == year),
        digests[year][1],
        fingerprint.previous_digest(*digests[year - 1]),
    )
    return Output(df, metadata={"rows": 1, **df.row(0, named=True)})


REVIEW_ASSETS = [corrections, year_over_year, run_inputs]
