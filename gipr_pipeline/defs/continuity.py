"""Cross-year continuity in Dagster: ``carryover_breaks`` (year N) depends on two partitions of
``applications`` (N−1 and N, one time-window mapping), and a non-blocking check on it.

It re-runs when either year changes: a run of year N includes it; a change of year N−1 reaches
year N through the automation condition (any dependency partition updated), evaluated by
``carryover_automation`` — a sensor that starts stopped like the project's other automation.
The work is in ``continuity.py``.
"""

import warnings

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetIn,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    BetaWarning,
    MetadataValue,
    Output,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
)

from gipr_pipeline.defs.assets import _kw
from gipr_pipeline.defs.metadata import per_partition
from gipr_pipeline.defs.partitions import partition_years, years_partitions
from gipr_pipeline.marts import continuity

# allow_nonexistent_upstream_partitions is a beta parameter; the first partition (2019) has
# no 2018 to read, which is exactly what it allows.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*allow_nonexistent.*")

FIRST_SHOWN = 20

# Year N reads applications of N−1 and N (one frame, both partitions).
TWO_YEARS = TimeWindowPartitionMapping(
    start_offset=-1, end_offset=0, allow_nonexistent_upstream_partitions=True
)

# Re-materialize when a dependency partition (applications N−1 or N) was updated by a run that
# did not also build this partition, unless something is missing or running.
WHEN_A_YEAR_CHANGES = (
    AutomationCondition.any_deps_updated().since_last_handled()
    & ~AutomationCondition.any_deps_missing()
    & ~AutomationCondition.any_deps_in_progress()
    & ~AutomationCondition.in_progress()
).with_label("applications of year N or N−1 updated")


@asset(
    **_kw(
        "carryover_breaks",
        "continuity",
        "applications.carryover_continuity (soft): row 2 (上年结转) of year N against row 4 "
        "(结转下年度继续办理) of year N−1, per column, for the same agency (matched by a "
        "normalized name; the key is recorded, doubtful pairs are listed as unmatched or "
        "ambiguous, not guessed).",
    ),
    ins={"applications": AssetIn("applications", partition_mapping=TWO_YEARS)},
    automation_condition=WHEN_A_YEAR_CHANGES,
)
def carryover_breaks(context: AssetExecutionContext, applications: pl.LazyFrame) -> Output:
    # Lazy: two national years of applications are about 5 M rows; only rows 2 and 4 are read.
    year = int(context.partition_key)
    if year == partition_years()[0]:  # no year before the first partition
        df = pl.DataFrame(schema=continuity.SCHEMA)
    else:
        df = continuity.carryover_breaks(
            year,
            applications.filter(pl.col("year") == year - 1),
            applications.filter(pl.col("year") == year),
        )
    return Output(df, metadata=continuity.summary(df))


def _table(df: pl.DataFrame, cols: list[str]) -> MetadataValue:
    shown = df.head(FIRST_SHOWN).select([pl.col(c).cast(pl.String).fill_null("") for c in cols])
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join(r) + " |\n" for r in shown.iter_rows())
    return MetadataValue.md(head + body if shown.height else "none")


@asset_check(
    asset=carryover_breaks,
    partitions_def=years_partitions,
    blocking=False,
    description="applications.carryover_continuity (soft, warn): no break between year N's "
    "上年结转 and year N−1's 结转下年度继续办理 for paired agencies. Agencies may legitimately "
    "re-count; check the listed pairs and the unmatched agencies.",
)
def carryover_continuity(
    context: AssetCheckExecutionContext, carryover_breaks: pl.DataFrame
) -> AssetCheckResult:
    s = continuity.summary(carryover_breaks)
    breaks = carryover_breaks.filter(pl.col("status") == "break")
    doubtful = carryover_breaks.filter(
        pl.col("status").is_in(["unmatched", "missing_in_year", "ambiguous"])
    )
    return AssetCheckResult(
        passed=breaks.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata=per_partition(context.partition_key if context.has_partition_key else None, s)
        | {
            "first_breaks": _table(
                breaks,
                [
                    "agency",
                    "previous_agency",
                    "agency_key",
                    "column_code",
                    "carried_in",
                    "carried_out_previous",
                    "report_id",
                ],
            ),
            "unmatched_agencies": _table(
                doubtful, ["status", "agency", "previous_agency", "agency_key"]
            ),
        },
    )


carryover_automation = AutomationConditionSensorDefinition(
    "carryover_automation",
    # year_over_year (defs/review.py) reads the same two years, with the same condition.
    target=AssetSelection.assets("carryover_breaks", "year_over_year"),
    description="Re-runs carryover_breaks and year_over_year of year N when applications of "
    "N−1 or N change (e.g. year N−1 was re-materialized). Starts stopped.",
)

ASSETS = [carryover_breaks]
CHECKS = [carryover_continuity]
SENSORS = [carryover_automation]
