"""Asset checks, partitioned by year: the balance rules on the marts, a blocking gate on
``applications_checked`` and the accounting of every input. Metadata says what to fix: how many
reports were checked and failed, and the first failures (agency, rule, row/column, expected,
actual).
"""

import warnings

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetIn,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from gipr_pipeline.defs.assets import (
    applications,
    applications_checked,
    frames,
    hard_violations,
    report_ids,
    review_litigation,
)
from gipr_pipeline.defs.metadata import per_partition
from gipr_pipeline.defs.partitions import years_partitions
from gipr_pipeline.marts import marts
from gipr_pipeline.marts.parts import Parts

FIRST_FAILURES = 10

# Partitioned checks (partitions_def on @asset_check) are a preview in dagster 1.13 but are what
# makes a check run per year; the warning is known and would repeat on every code load.
warnings.filterwarnings("ignore", category=PreviewWarning, message=".*partitions_def.*")


def _md(df: pl.DataFrame, limit: int = FIRST_FAILURES) -> MetadataValue:
    cols = ["agency", "rule", "row_code", "column_code", "expected", "actual", "report_id"]
    shown = df.head(limit).select([pl.col(c).cast(pl.String).fill_null("") for c in cols])
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join(r) + " |\n" for r in shown.iter_rows())
    return MetadataValue.md(head + body if shown.height else "no failures")


def _year(context: AssetCheckExecutionContext) -> str | None:
    return context.partition_key if context.has_partition_key else None


def _balance_result(
    context: AssetCheckExecutionContext,
    mart: Parts | pl.DataFrame,
    table: str,
    severity: AssetCheckSeverity,
    extra: dict | None = None,
) -> AssetCheckResult:
    # Per part (whole reports): the rules' long form never holds the whole mart.
    found, checked = [], 0
    for df in frames(mart):
        found.append(marts.balance_failures(df, table))
        checked += df["report_id"].n_unique()  # whole reports per frame
    failures = pl.concat(found) if found else marts.empty(marts.FAILURES_SCHEMA)
    failures = failures.sort("report_id", "rule", "row_code", "column_code", nulls_last=True)
    failing = failures["report_id"].n_unique()
    return AssetCheckResult(
        passed=failures.is_empty() and not (extra or {}).get("_fail"),
        severity=severity,
        metadata=per_partition(
            _year(context),
            {
                "reports_checked": checked,
                "reports_failing": failing,
                "failures": failures.height,
                "first_failures": _md(failures),
                **{k: v for k, v in (extra or {}).items() if not k.startswith("_")},
            },
        ),
    )


@asset_check(
    asset=applications,
    partitions_def=years_partitions,
    description="Hard balance rules of section 三 (balance, row_total, results_sum) per report. "
    "Failing reports are routed to rule_violations and kept out of applications_checked: fix the "
    "source file (or the parser) for the reports listed.",
)
def applications_balance(
    context: AssetCheckExecutionContext, applications: Parts
) -> AssetCheckResult:
    return _balance_result(context, applications, "applications", AssetCheckSeverity.WARN)


@asset_check(
    asset=review_litigation,
    partitions_def=years_partitions,
    description="review_litigation.total: total = upheld + corrected + other + pending, per row.",
)
def review_litigation_total(
    context: AssetCheckExecutionContext, review_litigation: Parts
) -> AssetCheckResult:
    return _balance_result(context, review_litigation, "review_litigation", AssetCheckSeverity.WARN)


@asset_check(
    asset=applications_checked,
    partitions_def=years_partitions,
    blocking=True,
    additional_ins={"rule_violations": AssetIn("rule_violations")},
    description="Gate: 100 % of applications_checked must pass every hard rule, be complete and "
    "hold no report listed in rule_violations. Blocks year_summary when it fails.",
)
def applications_checked_gate(
    context: AssetCheckExecutionContext, applications_checked: Parts, rule_violations: Parts
) -> AssetCheckResult:
    hard = set(hard_violations(rule_violations)["report_id"].to_list())
    leaked: set[str] = set()
    incomplete: set[str] = set()
    for df in frames(applications_checked):  # whole reports per part
        ids = set(df["report_id"].unique().to_list())
        leaked |= ids & hard
        incomplete |= ids - marts.complete_report_ids(df)
    leaked_ids, incomplete_ids = sorted(leaked), sorted(incomplete)
    return _balance_result(
        context,
        applications_checked,
        "applications",
        AssetCheckSeverity.ERROR,
        {
            "reports_with_violations_leaked": len(leaked_ids),
            "reports_incomplete": len(incomplete_ids),
            "leaked_or_incomplete": MetadataValue.json(leaked_ids + incomplete_ids),
            "_fail": bool(leaked_ids or incomplete_ids),
        },
    )


@asset_check(
    asset="raw_reports",
    partitions_def=years_partitions,
    # Only the ids: the marts of a national year hold millions of rows (read part by part).
    additional_ins={
        "rejected_reports": AssetIn("rejected_reports", metadata={"columns": ["report_id"]}),
        "rule_violations": AssetIn("rule_violations"),
        "applications": AssetIn("applications"),
        "review_litigation": AssetIn("review_litigation"),
        "active_disclosure": AssetIn("active_disclosure"),
    },
    description="Nothing lost: distinct inputs = reports in the marts + reports with hard "
    "violations + rejected inputs, each input in exactly one of them.",
)
def nothing_lost(
    context: AssetCheckExecutionContext,
    raw_reports: pl.DataFrame,
    rejected_reports: pl.DataFrame,
    rule_violations: Parts,
    applications: Parts,
    review_litigation: Parts,
    active_disclosure: Parts,
) -> AssetCheckResult:
    acc = marts.accounting(
        raw_reports,
        rejected_reports,
        hard_violations(rule_violations),
        [report_ids(m).to_frame() for m in (applications, review_litigation, active_disclosure)],
    )
    return AssetCheckResult(
        passed=acc["ok"],
        severity=AssetCheckSeverity.ERROR,
        metadata=per_partition(
            _year(context),
            {
                "inputs": acc["inputs"],
                "files": int(raw_reports["n_paths"].sum() or 0),
                "reports_in_marts": acc["reports_in_marts"],
                "reports_with_violations": acc["reports_with_violations"],
                "rejected": acc["rejected"],
                "lost": MetadataValue.json(acc["lost"]),
                "unknown": MetadataValue.json(acc["unknown"]),
                "double_counted": MetadataValue.json(acc["double_counted"]),
            },
        ),
    )


CHECKS = [applications_balance, review_litigation_total, applications_checked_gate, nothing_lost]
