"""Asset checks, partitioned by year: the balance rules on the marts, a blocking gate on
``applications_checked`` and the accounting of every input. Metadata says what to fix: how many
reports were checked and failed, and the first failures (agency, rule, row/column, expected,
actual).
"""

import warnings

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetIn,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from gipr_pipeline import marts
from gipr_pipeline.defs.assets import applications, applications_checked, review_litigation
from gipr_pipeline.defs.partitions import years_partitions

FIRST_FAILURES = 10
_ID = ["report_id"]
_VIOLATION_KEYS = ["report_id", "severity"]

# Partitioned checks (partitions_def on @asset_check) are a preview in dagster 1.13 but are what
# makes a check run per year; the warning is known and would repeat on every code load.
warnings.filterwarnings("ignore", category=PreviewWarning, message=".*partitions_def.*")


def _md(df: pl.DataFrame, limit: int = FIRST_FAILURES) -> MetadataValue:
    cols = ["agency", "rule", "row_code", "column_code", "expected", "actual", "report_id"]
    shown = df.head(limit).select([pl.col(c).cast(pl.String).fill_null("") for c in cols])
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join(r) + " |\n" for r in shown.iter_rows())
    return MetadataValue.md(head + body if shown.height else "no failures")


def _balance_result(
    mart: pl.DataFrame, table: str, severity: AssetCheckSeverity, extra: dict | None = None
) -> AssetCheckResult:
    failures = marts.balance_failures(mart, table)
    failing = failures["report_id"].n_unique()
    return AssetCheckResult(
        passed=failures.is_empty() and not (extra or {}).get("_fail"),
        severity=severity,
        metadata={
            "reports_checked": mart["report_id"].n_unique(),
            "reports_failing": failing,
            "failures": failures.height,
            "first_failures": _md(failures),
            **{k: v for k, v in (extra or {}).items() if not k.startswith("_")},
        },
    )


@asset_check(
    asset=applications,
    partitions_def=years_partitions,
    description="Hard balance rules of section 三 (balance, row_total, results_sum) per report. "
    "Failing reports are routed to rule_violations and kept out of applications_checked: fix the "
    "source file (or the parser) for the reports listed.",
)
def applications_balance(applications: pl.DataFrame) -> AssetCheckResult:
    return _balance_result(applications, "applications", AssetCheckSeverity.WARN)


@asset_check(
    asset=review_litigation,
    partitions_def=years_partitions,
    description="review_litigation.total: total = upheld + corrected + other + pending, per row.",
)
def review_litigation_total(review_litigation: pl.DataFrame) -> AssetCheckResult:
    return _balance_result(review_litigation, "review_litigation", AssetCheckSeverity.WARN)


@asset_check(
    asset=applications_checked,
    partitions_def=years_partitions,
    blocking=True,
    additional_ins={
        "rule_violations": AssetIn("rule_violations", metadata={"columns": _VIOLATION_KEYS})
    },
    description="Gate: 100 % of applications_checked must pass every hard rule, be complete and "
    "hold no report listed in rule_violations. Blocks year_summary when it fails.",
)
def applications_checked_gate(
    applications_checked: pl.DataFrame, rule_violations: pl.DataFrame
) -> AssetCheckResult:
    leaked = sorted(
        set(applications_checked["report_id"].to_list()) & marts.hard_violation_ids(rule_violations)
    )
    ids = set(applications_checked["report_id"].unique().to_list())
    incomplete = sorted(ids - marts.complete_report_ids(applications_checked))
    return _balance_result(
        applications_checked,
        "applications",
        AssetCheckSeverity.ERROR,
        {
            "reports_with_violations_leaked": len(leaked),
            "reports_incomplete": len(incomplete),
            "leaked_or_incomplete": MetadataValue.json(leaked + incomplete),
            "_fail": bool(leaked or incomplete),
        },
    )


@asset_check(
    asset="raw_reports",
    partitions_def=years_partitions,
    # Only the ids (and severities): the marts of a national year hold millions of rows.
    additional_ins={
        "rejected_reports": AssetIn("rejected_reports", metadata={"columns": _ID}),
        "rule_violations": AssetIn("rule_violations", metadata={"columns": _VIOLATION_KEYS}),
        "applications": AssetIn("applications", metadata={"columns": _ID}),
        "review_litigation": AssetIn("review_litigation", metadata={"columns": _ID}),
        "active_disclosure": AssetIn("active_disclosure", metadata={"columns": _ID}),
    },
    description="Nothing lost: distinct inputs = reports in the marts + reports with hard "
    "violations + rejected inputs, each input in exactly one of them.",
)
def nothing_lost(
    raw_reports: pl.DataFrame,
    rejected_reports: pl.DataFrame,
    rule_violations: pl.DataFrame,
    applications: pl.DataFrame,
    review_litigation: pl.DataFrame,
    active_disclosure: pl.DataFrame,
) -> AssetCheckResult:
    acc = marts.accounting(
        raw_reports,
        rejected_reports,
        rule_violations,
        [applications, review_litigation, active_disclosure],
    )
    return AssetCheckResult(
        passed=acc["ok"],
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "inputs": acc["inputs"],
            "files": int(raw_reports["n_paths"].sum() or 0),
            "reports_in_marts": acc["reports_in_marts"],
            "reports_with_violations": acc["reports_with_violations"],
            "rejected": acc["rejected"],
            "lost": MetadataValue.json(acc["lost"]),
            "unknown": MetadataValue.json(acc["unknown"]),
            "double_counted": MetadataValue.json(acc["double_counted"]),
        },
    )


CHECKS = [applications_balance, review_litigation_total, applications_checked_gate, nothing_lost]
