"""The reviewer's assets, year-partitioned and thin (the work is in ``marts/``); the
``corrections`` audit asset, between the facts and the marts, is in ``assets.py``.

- ``year_over_year``: per agency, year N−1 against N (``marts/yoy.py``), paired as
  ``carryover_breaks`` records it.
- ``run_inputs``: what the year was built from (``marts/fingerprint.py``), so ``gipr run``
  rebuilds only the years whose inputs, corrections or code changed.
"""

import polars as pl
from dagster import AssetExecutionContext, AssetIn, Output, asset

from gipr_pipeline.defs.assets import _kw
from gipr_pipeline.defs.continuity import TWO_YEARS, WHEN_A_YEAR_CHANGES
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import fingerprint, yoy


@asset(
    **_kw(
        "year_over_year",
        "continuity",
        "Per agency, year N−1 and N side by side: requests received, granted, concluded, carried "
        "over, with the change; the carry-over check; agencies seen in one year only; ambiguous "
        "names listed, not paired (the pairing of carryover_breaks).",
    ),
    ins={"applications": AssetIn("applications", partition_mapping=TWO_YEARS)},
    automation_condition=WHEN_A_YEAR_CHANGES,
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
    return Output(df, metadata=yoy.summary(df))  # the I/O manager adds dagster/row_count


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
    return Output(df, metadata=df.row(0, named=True))


REVIEW_ASSETS = [year_over_year, run_inputs]
