"""``gipr export``: a year's marts from the warehouse as files people open.

- ``xlsx``: one workbook per year (``gipr_<year>.xlsx``), one sheet per mart, Chinese column
  headers (``labels.header``: the template's own labels) and a ``项目`` column with each row's
  label, so a sheet reads like the printed table; the source file beside each report id;
  labels instead of codes; counts as integers, the year as a plain number; an autofilter on
  every sheet; the year's summary as a row per measure.
- ``csv``: one file per mart (``gipr_<year>_<mart>.csv``), UTF-8 with BOM so Excel opens it
  in the right encoding, the same headers and columns as the xlsx sheets.
- ``parquet``: one file per mart (``gipr_<year>_<mart>.parquet``), the warehouse's own columns
  (codes) and dtypes, for analysts.

polars writes every format (``write_excel`` uses xlsxwriter); nothing is written by hand. Many
files show a progress bar on a terminal, none with ``--json`` or when stderr is not a TTY.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gipr_pipeline.outputs.paths import DEFAULT_WAREHOUSE
from gipr_pipeline.outputs.safe import XLSX_OPTIONS, csv_safe
from gipr_pipeline.template import labels

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("xlsx", "csv", "parquet")
# Marts exported, in sheet order (warehouse.MARTS) plus the inputs that could not be read and
# the cross-year carry-over check. A new sheet is one more name here (and its label in
# ``labels.MARTS``); a sheet laid out differently adds a writer to ``SHEET_WRITERS``.
TABLES = (
    "year_summary",
    "applications",
    "applications_checked",
    "review_litigation",
    "active_disclosure",
    "rule_violations",
    "carryover_breaks",
    "rejected_reports",
    "corrections",
    "year_over_year",
)
_WIDE_TABLE = {
    "applications": "applications",
    "applications_checked": "applications",
    "review_litigation": "review_litigation",
    "active_disclosure": "active_disclosure",
}
PERCENT_COLUMNS = ("disclosure_rate", "review_correction_rate")
# Shown as plain numbers: a year is not a count ("2024", never "2,024").
YEAR_COLUMNS = ("year", "previous_year")
# Columns of counts stored as floats (a rule's sides may hold a decimal fee): whole numbers are
# written as integers.
INTEGRAL_COLUMNS = ("expected", "actual", "difference")
# The summary as a row per measure: measure label, value (rates as fractions).
MEASURE, VALUE = "指标", "数值"


def _after(df: pl.DataFrame, col: str, new: str, drop: tuple[str, ...] = ()) -> list[str]:
    cols = [c for c in df.columns if c not in (*drop, new)]
    i = cols.index(col) + 1
    return [*cols[:i], new, *cols[i:]]


def _with_path(df: pl.DataFrame, paths: pl.DataFrame | None) -> pl.DataFrame:
    """The source file (``raw_reports.path``) beside the report id."""
    import polars as pl

    if paths is None or "report_id" not in df.columns:
        return df
    p = paths.select("report_id", "path").unique("report_id")
    df = (
        df.join(p, on="report_id", how="left", maintain_order="left")
        if df.height
        else (df.with_columns(pl.lit(None, pl.String).alias("path")))
    )
    return df.select(_after(df, "report_id", "path"))


def _integral(df: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    fix = [
        c
        for c in INTEGRAL_COLUMNS
        if c in df.columns
        and df[c].dtype.is_float()
        and bool((df[c].drop_nulls() == df[c].drop_nulls().round(0)).all())
    ]
    return df.with_columns(pl.col(c).cast(pl.Int64) for c in fix)


def summary_rows(df: pl.DataFrame, year: int | None = None) -> list[tuple[str, object, str]]:
    """The year_summary row as (measure label, value, kind) rows, kind ``year`` | ``count`` |
    ``rate`` | ``note``; a year without reports (or not built) says so in a first note row."""
    row = df.row(0, named=True) if df.height else None
    out: list[tuple[str, object, str]] = []
    if row is None:
        out.append(("说明", f"{year or '该'}年度没有数据(尚未生成)", "note"))
        return out
    if not row["reports"]:
        out.append(("说明", f"{row['year']}年度没有报告:以下各项均为 0,不是“没有问题”", "note"))
    for code, value in row.items():
        kind = "year" if code == "year" else "rate" if code in PERCENT_COLUMNS else "count"
        out.append((labels.header(code), value, kind))
    return out


def for_people(
    mart: str, df: pl.DataFrame, paths: pl.DataFrame | None = None, year: int | None = None
) -> pl.DataFrame:
    """The mart as people read it: Chinese labels instead of codes (rows, columns, tables,
    rules, severities, statuses), the source file beside the report id (from ``paths``, the
    raw_reports mart), whole numbers as integers, Chinese headers. ``year_summary`` becomes a
    row per measure (``summary_rows``; values as text in CSV)."""
    import polars as pl

    from gipr_pipeline.outputs import review

    if mart in review.SHEETS:
        return review.for_people(mart, df)  # its own Chinese sheet (the corrections name the file)
    if mart == "year_summary":
        rows = summary_rows(df, year)
        return pl.DataFrame(
            {
                MEASURE: [m for m, _, _ in rows],
                VALUE: [_summary_text(v, k) for _, v, k in rows],
            },
            schema={MEASURE: pl.String, VALUE: pl.String},
        )
    if mart in _WIDE_TABLE:
        table = _WIDE_TABLE[mart]
        rows = pl.DataFrame(
            [
                {"template": v, "row_code": r, "row_label": label}
                for (v, t, r), label in labels.row_labels().items()
                if t == table
            ],
            schema={"template": pl.String, "row_code": pl.String, "row_label": pl.String},
        )
        df = df.join(rows, on=["template", "row_code"], how="left", maintain_order="left")
        df = df.select(_after(df, "row_code", "row_label", drop=("row_order",)))
    if mart == "rule_violations":
        # Words instead of codes: the rule, the table, the row and column labels, the severity.
        df = df.with_columns(
            pl.col("rule").replace_strict(
                {r: labels.rule_label(r) for r in df["rule"].unique().to_list()},
                default=pl.col("rule"),
                return_dtype=pl.String,
            ),
            pl.col("table_code").replace_strict(
                labels.TABLES, default=pl.col("table_code"), return_dtype=pl.String
            ),
            pl.struct("table_code", "row_code")
            .map_elements(
                lambda r: labels.row_label(None, r["table_code"], r["row_code"]) or None,
                return_dtype=pl.String,
            )
            .alias("row_code"),
            pl.col("column_code").replace_strict(
                labels.cell_columns(), default=pl.col("column_code"), return_dtype=pl.String
            ),
            pl.col("severity").replace_strict(
                labels.SEVERITY, default=pl.col("severity"), return_dtype=pl.String
            ),
        ).rename({"row_code": "row_label", "column_code": "column_label"})
    if mart == "carryover_breaks":
        df = df.with_columns(
            pl.col("status").replace_strict(
                labels.CARRYOVER_STATUS, default=pl.col("status"), return_dtype=pl.String
            ),
            pl.col("column_code").replace_strict(
                labels.cell_columns(), default=pl.col("column_code"), return_dtype=pl.String
            ),
        ).rename({"column_code": "column_label", "difference": "carryover_difference"})
    if mart == "rejected_reports":
        df = df.with_columns(pl.col("paths").list.join("\n"))
    else:
        df = _with_path(df, paths)
    df = _integral(df)
    headers = [labels.header(c) for c in df.columns]
    if len(set(headers)) != len(headers):  # one name per concept: never two columns alike
        raise ValueError(f"{mart}: duplicate headers {headers}")
    return df.rename(dict(zip(df.columns, headers, strict=True)))


def _summary_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value:.4f}"
    return str(value)


def _summary_sheet(wb, mart: str, df: pl.DataFrame, paths, year: int | None) -> None:
    """年度汇总: a row per measure (label, value), each value in its own number format."""
    del paths
    ws = wb.add_worksheet(labels.MARTS[mart])
    bold = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    fmt = {
        "year": wb.add_format({"num_format": "0"}),
        "count": wb.add_format({"num_format": "#,##0"}),
        "rate": wb.add_format({"num_format": "0.0%"}),
        "note": wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"}),
    }
    ws.write_row(0, 0, [MEASURE, VALUE], bold)
    rows = summary_rows(df, year)
    for i, (measure, value, kind) in enumerate(rows, 1):
        ws.write_string(i, 0, measure)
        if value is None:
            ws.write_blank(i, 1, None)
        else:
            ws.write(i, 1, value, fmt[kind])
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 40 if any(k == "note" for _, _, k in rows) else 14)
    ws.autofilter(0, 0, len(rows), 1)
    ws.freeze_panes(1, 0)


def _table_sheet(wb, mart: str, df: pl.DataFrame, paths, year: int | None) -> None:
    people = for_people(mart, df, paths, year)
    formats = {labels.header(c): "0.0%" for c in PERCENT_COLUMNS if c in df.columns}
    formats |= {labels.header(c): "0" for c in YEAR_COLUMNS if c in df.columns}
    people.write_excel(
        wb,
        worksheet=labels.MARTS[mart],
        autofit=True,
        autofilter=True,
        column_formats=formats or None,
        freeze_panes=(1, 0),
    )


SHEET_WRITERS = {"year_summary": _summary_sheet}


def write_xlsx(
    frames: Mapping[str, pl.DataFrame],
    out: Path,
    advance=lambda: None,
    paths: pl.DataFrame | None = None,
    year: int | None = None,
) -> Path:
    """One sheet per mart of ``frames`` (in order), ``paths`` = the raw_reports mart (the source
    file of each report id), ``year`` named when the year holds nothing."""
    import polars as pl
    import xlsxwriter

    from gipr_pipeline.outputs import review

    out.parent.mkdir(parents=True, exist_ok=True)
    fixes = frames.get("corrections")
    fixes = fixes.filter(pl.col("status") == "applied") if fixes is not None else None
    with xlsxwriter.Workbook(str(out), XLSX_OPTIONS) as wb:  # text never becomes a formula
        for mart, df in frames.items():
            SHEET_WRITERS.get(mart, _table_sheet)(wb, mart, df, paths, year)
            if fixes is not None and mart in _WIDE_TABLE:  # reviewers' corrections, marked
                ws = wb.get_worksheet_by_name(labels.MARTS[mart])
                people = for_people(mart, df, paths, year)
                review.mark_corrected(ws, wb, people, df, _WIDE_TABLE[mart], fixes)
            advance()
    return out


def write_csv(
    mart: str,
    df: pl.DataFrame,
    out: Path,
    paths: pl.DataFrame | None = None,
    year: int | None = None,
) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_safe(for_people(mart, df, paths, year)).write_csv(
        out, include_bom=True
    )  # no formula injection
    return out


def write_parquet(mart: str, df: pl.DataFrame, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(out)
    return out


def export_year(
    warehouse: str | Path, year: int, fmt: str, out_dir: str | Path, advance=lambda: None
) -> list[Path]:
    """Write one year's marts in ``fmt`` under ``out_dir``; returns the files written."""
    from gipr_pipeline.outputs import warehouse as wh

    frames = wh.read_year(warehouse, year, (*TABLES, "raw_reports"))
    paths = frames.pop("raw_reports")
    out_dir = Path(out_dir)
    if fmt == "xlsx":
        return [write_xlsx(frames, out_dir / f"gipr_{year}.xlsx", advance, paths, year)]
    written = []
    for mart, df in frames.items():
        path = out_dir / f"gipr_{year}_{mart}.{fmt}"
        written.append(
            write_csv(mart, df, path, paths, year)
            if fmt == "csv"
            else write_parquet(mart, df, path)
        )
        advance()
    return written


def cmd_export(args: argparse.Namespace) -> int:
    from gipr_pipeline.outputs import warehouse as wh
    from gipr_pipeline.outputs.progress import progress
    from gipr_pipeline.outputs.report import parse_years

    if not Path(args.warehouse).exists():
        print(
            f"gipr: error: no warehouse at {args.warehouse} (run `gipr run` first)", file=sys.stderr
        )
        return 2
    try:
        years = parse_years(args.year, wh.years_in(args.warehouse))
    except ValueError:
        print(f"gipr: error: --year takes YEAR or FIRST...LAST, not {args.year!r}", file=sys.stderr)
        return 2
    if not years:
        print(
            "gipr: no years in the warehouse (run `gipr run` first): nothing exported",
            file=sys.stderr,
        )
    reports = _reports_per_year(args.warehouse, years)
    written: list[dict] = []
    with progress(len(years) * len(TABLES), f"export {args.format}", quiet=args.json) as advance:
        for y in years:
            for p in export_year(args.warehouse, y, args.format, args.out, advance):
                written.append(
                    {
                        "year": y,
                        "format": args.format,
                        "path": str(p.resolve()),
                        "reports": reports[y],
                    }
                )
    if args.json:
        print(json.dumps(written, ensure_ascii=False))
    else:
        for w in written:
            print(w["path"])
    for y in years:
        if not reports[y]:  # files with headers only: say why they are empty
            print(
                f"note: {y} has no reports in the warehouse: its files hold headers only",
                file=sys.stderr,
            )
    return 0


def _reports_per_year(warehouse: str | Path, years: list[int]) -> dict[int, int]:
    """Inputs accounted per year (``year_summary.reports``; 0 for a year not built)."""
    from gipr_pipeline.outputs import warehouse as wh

    out = {}
    for y in years:
        s = wh.read_year(warehouse, y, ("year_summary",))["year_summary"]
        out[y] = int(s["reports"][0]) if s.height else 0
    return out


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "export", help="write a year's marts as xlsx (Chinese headers), CSV (UTF-8 BOM) or Parquet"
    )
    sp.add_argument("out", metavar="OUT", help="output folder (created)")
    sp.add_argument("--year", help="YEAR or FIRST...LAST (default: every year in the warehouse)")
    sp.add_argument("--format", choices=FORMATS, default="xlsx", help="default xlsx")
    sp.add_argument(
        "--warehouse", default=DEFAULT_WAREHOUSE, help=f"DuckDB file (default {DEFAULT_WAREHOUSE})"
    )
    sp.add_argument("--json", action="store_true", help="print the files written as JSON")
    sp.set_defaults(func=cmd_export)
