"""Year-partitioned assets: raw → parsed base tables → marts. Thin: the work is in
``inventory``, ``parse`` and ``marts``; the schemas in ``schemas``.

Every output is a polars frame validated by its pandera model (a DagsterType built in
``types.py``) and stored by the warehouse I/O manager in a DuckDB table of the asset's name,
replacing exactly the partition's rows (``partition_expr``).
"""

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    Failure,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from gipr_pipeline.defs.io import PARTITION_EXPR, stage_root
from gipr_pipeline.defs.partitions import partition_years, years_partitions
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.defs.types import pandera_type, table_schema, validate
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import ingest, marts
from gipr_pipeline.marts.parts import Parts
from gipr_pipeline.marts.schemas import SCHEMAS


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
    # The row count is the I/O manager's dagster/row_count (defs/metadata.py).
    return Output(df, metadata=extra)


# ---------------------------------------------------------------- ingest and parse
_PARSED = {
    "raw_reports": "One row per distinct input of the year (content hash = report id), every "
    "path holding it, size, format and detected encoding (not the content: the bytes stay in the "
    "raw folder, the text is in report_sections). The year is read from the content; inputs "
    "without one are placed by the documented rule (inventory.py).",
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
            group_name="ingest" if name == "raw_reports" else "parse",
            kinds={"polars", "duckdb"},
        )
        for name, desc in _PARSED.items()
    },
    partitions_def=years_partitions,
    can_subset=False,
)
def parse_reports(context: AssetExecutionContext, gipr: GiprPaths):
    """Read, hash and parse every input once, on all cores (``ingest.year_tables``): the bytes
    parsed are the bytes hashed, so every table of the run describes one snapshot. The long
    tables come as parquet parts written (and validated) by the workers."""
    year = _year(context)
    # Parts are written into this run's stage (defs/io.py), which the I/O manager publishes.
    out = stage_root(gipr.warehouse) / (context.run.root_run_id or context.run_id) / "_ingest"
    t = ingest.year_tables(gipr.raw_path, year, partition_years(), out)
    accepted = int(t.raw_reports["accepted"].sum() or 0)
    context.log.info(
        f"{t.raw_reports.height} inputs in {year} ({accepted} reports, "
        f"{t.raw_reports.height - accepted} rejected) of {t.inputs} in the folder; "
        f"{t.parsed} parsed in {t.seconds:.1f} s"
    )
    yield from year_table_outputs(t, gipr)


def year_table_outputs(t: ingest.YearTables, gipr: GiprPaths, **metadata) -> Iterator[Output]:
    """The outputs of a parse step (embedded, or the deployment's merge of shards): raw_reports
    with what the folder gave (files, accepted reports, ``metadata``), the long tables as parts
    and rejected_reports; each output's row count comes from the I/O manager."""
    raw = t.raw_reports
    yield Output(
        raw,
        output_name="raw_reports",
        metadata={
            "files": int(raw["n_paths"].sum() or 0),
            "accepted": int(raw["accepted"].sum() or 0),
            "raw_dir": str(gipr.raw_path.resolve()),
            **metadata,
        },
    )
    for name, parts in t.long.items():
        yield Output(parts, output_name=name)
    yield Output(t.rejected_reports, output_name="rejected_reports")


# ---------------------------------------------------------------- reviewers' corrections
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
    # Only the corrected reports' facts (none read when there is no correction: a national
    # year's facts are 20 million rows).
    found = (
        list(report_facts.frames(columns=cols, where=pl.col("report_id").is_in(ids)))
        if rows.height
        else []
    )
    facts = pl.concat(found) if found else pl.DataFrame(schema={c: pl.String for c in cols})
    df = corr.audit(year, rows, facts.cast({"value": pl.Float64}))
    rejected = df.filter(pl.col("status") == "rejected")
    return Output(
        df,
        metadata={
            "applied": df.height - rejected.height,
            "rejected": rejected.height,
            "folder": str(gipr.corrections_path),
            "rejected_lines": _md(rejected, ["file", "reason", "detail", "report_id"]),
        },
    )


# ---------------------------------------------------------------- marts, part by part
# The marts of a national year hold millions of rows (applications 2.5 M, rule_violations 3 M:
# one soft `cells.blank` per blank cell). They are computed, validated against their pandera
# model and written part by part (whole reports per part), so no step holds a whole mart.
def _scratch(context: AssetExecutionContext, gipr: GiprPaths, name: str) -> Path:
    run = context.run.root_run_id or context.run_id
    d = stage_root(gipr.warehouse) / run / "_scratch" / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def write_parts(name: str, frames: Iterable[pl.DataFrame], out: Path) -> tuple[Parts, int]:
    """Validate each frame against the asset's pandera model (a failure fails the step with the
    failure cases) and write it as a part. Returns the parts and their number of reports."""
    model = SCHEMAS[name]
    files, rows, reports = [], 0, 0
    for i, df in enumerate(frames):
        if not df.height:
            continue
        check = validate(model, df)
        if not check.success:
            raise Failure(description=f"{name}: {check.description}", metadata=check.metadata)
        f = out / f"part-{i:05d}.parquet"
        df.write_parquet(f, compression="lz4", statistics=False)
        files.append(str(f))
        rows += df.height
        reports += df["report_id"].n_unique()  # whole reports per frame
    schema = {n: c.dtype.type for n, c in model.to_schema().columns.items()}
    return Parts(tuple(files), schema, rows), reports


def frames(x: Parts | pl.DataFrame, **kw) -> Iterable[pl.DataFrame]:
    """Parts part by part, or a frame as one part (checks invoked directly on frames)."""
    if isinstance(x, Parts):
        yield from x.frames(**kw)
    else:
        df = x.filter(kw["where"]) if kw.get("where") is not None else x
        yield df.select(kw["columns"]) if kw.get("columns") else df


def report_ids(x: Parts | pl.DataFrame, where: pl.Expr | None = None) -> pl.Series:
    """The distinct report ids (optionally of rows matching ``where``)."""
    ids = [df["report_id"].unique() for df in frames(x, columns=["report_id"], where=where)]
    return pl.concat(ids).unique() if ids else pl.Series("report_id", [], pl.String)


def hard_violations(x: Parts | pl.DataFrame) -> pl.DataFrame:
    """(report_id, severity) of the reports with a hard violation, one row each."""
    ids = report_ids(x, where=pl.col("severity") == "hard")
    return pl.DataFrame({"report_id": ids}).with_columns(severity=pl.lit("hard", pl.String))


def _parts_output(parts: Parts, **extra) -> Output:
    return Output(parts, metadata=extra)


def _wide_parts(context, gipr, facts: Parts, table: str, fn, corrections: pl.DataFrame) -> Output:
    # Per part of the facts: the pivot never sees the whole year. Reviewers' corrections
    # (the `corrections` asset) replace the values read before the pivot.
    fixes = corr.applied(corrections)
    out, reports = write_parts(
        table,
        (fn(corr.apply(df, fixes)) for df in facts.frames(where=pl.col("table_code") == table)),
        _scratch(context, gipr, table),
    )
    corrected = fixes.filter(pl.col("table_code") == table).height
    return _parts_output(out, reports=reports, corrected_cells=corrected)


@asset(
    **_kw("applications", "marts", "Section 三 per report and row code, seven applicant columns.")
)
def applications(
    context: AssetExecutionContext, gipr: GiprPaths, report_facts: Parts, corrections: pl.DataFrame
) -> Output:
    return _wide_parts(context, gipr, report_facts, "applications", marts.applications, corrections)


@asset(
    **_kw("review_litigation", "marts", "Section 四: review and litigation outcomes per report.")
)
def review_litigation(
    context: AssetExecutionContext, gipr: GiprPaths, report_facts: Parts, corrections: pl.DataFrame
) -> Output:
    return _wide_parts(
        context, gipr, report_facts, "review_litigation", marts.review_litigation, corrections
    )


@asset(
    **_kw("active_disclosure", "marts", "Section 二 (2021 template): documents, decisions, fees.")
)
def active_disclosure(
    context: AssetExecutionContext, gipr: GiprPaths, report_facts: Parts, corrections: pl.DataFrame
) -> Output:
    return _wide_parts(
        context, gipr, report_facts, "active_disclosure", marts.active_disclosure, corrections
    )


@asset(
    **_kw(
        "rule_violations",
        "marts",
        "Reports breaking a balance rule (routed here, not dropped): agency, rule, row/column, "
        "expected (sum of parts), actual (printed total).",
    )
)
def rule_violations(
    context: AssetExecutionContext,
    gipr: GiprPaths,
    report_problems: Parts,
    report_facts: Parts,
    corrections: pl.DataFrame,
) -> Output:
    agencies = report_facts.map(lambda df: df.unique("report_id"), columns=["report_id", "agency"])
    # Corrected reports: their hard rules evaluated again on the corrected cells.
    fixes = corr.applied(corrections)
    ids = fixes["report_id"].unique()
    mine = report_facts.frames(where=pl.col("report_id").is_in(ids.implode())) if ids.len() else []
    after = corr.violations_after(
        pl.concat([marts.empty(marts.FACTS_SCHEMA), *mine]), fixes, _year(context)
    )
    seen: set[str] = set()

    def parts():
        for df in report_problems.frames(where=pl.col("kind") == "violation"):
            v = marts.rule_violations(df, agencies)
            seen.update(v["report_id"].unique().to_list())
            yield corr.corrected_violations(v, after, ids) if ids.len() else v
        # Corrected reports the parser found no violation in.
        yield after.filter(~pl.col("report_id").is_in(sorted(seen)))

    out, reports = write_parts(
        "rule_violations", parts(), _scratch(context, gipr, "rule_violations")
    )
    return _parts_output(out, reports=reports, preview=_violations_preview(out))


PREVIEW_ROWS = 20


def _violations_preview(parts: Parts) -> MetadataValue:
    """The first hard violations as a table in the UI: agency, rule in words, cell, expected
    (sum of the parts), actual (printed)."""
    from gipr_pipeline.template import labels

    shown: list[dict] = []
    for df in parts.frames(where=pl.col("severity") == "hard"):
        shown += df.head(PREVIEW_ROWS - len(shown)).to_dicts()
        if len(shown) >= PREVIEW_ROWS:
            break
    if not shown:
        return MetadataValue.md("no hard violations")
    head = "| agency | rule | cell | expected | actual | report |\n|---|---|---|---|---|---|\n"
    body = "".join(
        f"| {r['agency'] or '?'} | {labels.rule_label(r['rule'])} | "
        f"{labels.cell_label(None, r['table_code'], r['row_code'], r['column_code'])} | "
        f"{r['expected']:g} | {r['actual']:g} | {r['report_id'][:12]} |\n"
        for r in shown
    )
    return MetadataValue.md(head + body)


@asset(
    **_kw(
        "applications_checked",
        "marts",
        "Applications of reports that pass every hard rule with a complete table; the balance "
        "rules are schema checks, so an inconsistent report cannot enter.",
    ),
)
def applications_checked(
    context: AssetExecutionContext, gipr: GiprPaths, applications: Parts, rule_violations: Parts
) -> Output:
    hard = hard_violations(rule_violations)
    seen = [0]

    def checked():
        for df in applications.frames():
            seen[0] += df["report_id"].n_unique()
            yield marts.applications_checked(df, hard)

    out, reports = write_parts(
        "applications_checked", checked(), _scratch(context, gipr, "applications_checked")
    )
    return _parts_output(out, reports=reports, reports_excluded=seen[0] - reports)


@asset(
    **_kw(
        "year_summary",
        "marts",
        "Per year: reports, rejected, with violations, verified totals per applicant type and "
        "outcome, disclosure rate (3.1 + 3.2) / 3.7 and review correction rate.",
    ),
    # Only the columns the summary counts.
    ins={
        "raw_reports": AssetIn(metadata={"columns": ["report_id"]}),
        "rejected_reports": AssetIn(metadata={"columns": ["report_id"]}),
        "applications_checked": AssetIn(
            metadata={"columns": ["report_id", "row_code", *marts.APPLICANT_COLUMNS]}
        ),
        "review_litigation": AssetIn(
            metadata={"columns": ["report_id", "row_code", *marts.REVIEW_COLUMNS]}
        ),
    },
)
def year_summary(
    context: AssetExecutionContext,
    raw_reports: pl.DataFrame,
    rejected_reports: pl.DataFrame,
    rule_violations: Parts,
    applications_checked: pl.DataFrame,
    review_litigation: pl.DataFrame,
) -> Output:
    df = marts.year_summary(
        _year(context),
        raw_reports,
        rejected_reports,
        hard_violations(rule_violations),
        applications_checked,
        review_litigation,
    )
    row = df.row(0, named=True)
    return _output(df, **{k: v for k, v in row.items() if k != "year" and v is not None})


ASSETS = [
    parse_reports,
    corrections,
    applications,
    review_litigation,
    active_disclosure,
    rule_violations,
    applications_checked,
    year_summary,
]
