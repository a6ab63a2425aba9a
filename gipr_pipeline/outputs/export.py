"""``gipr export``: a year's marts from the warehouse as files people open.

- ``xlsx``: one workbook per year (``gipr_<year>.xlsx``), one sheet per mart, Chinese column
  headers (``labels.header``: the template's own labels) and a ``项目`` column with each row's
  label, so a sheet reads like the printed table.
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
from gipr_pipeline.template import labels

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("xlsx", "csv", "parquet")
# Marts exported, in sheet order (warehouse.MARTS) plus the inputs that could not be read.
TABLES = (
    "year_summary",
    "applications",
    "applications_checked",
    "review_litigation",
    "active_disclosure",
    "rule_violations",
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


def for_people(mart: str, df: pl.DataFrame) -> pl.DataFrame:
    """The mart as people read it: row and rule labels added, lists joined, Chinese headers."""
    import polars as pl

    from gipr_pipeline.outputs import review

    if mart in review.SHEETS:
        return review.for_people(mart, df)

    def after(df: pl.DataFrame, col: str, new: str, drop: tuple[str, ...] = ()) -> list[str]:
        cols = [c for c in df.columns if c not in (*drop, new)]
        i = cols.index(col) + 1
        return [*cols[:i], new, *cols[i:]]

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
        df = df.select(after(df, "row_code", "row_label", drop=("row_order",)))
    if mart == "rule_violations":
        names = {r: labels.rule_label(r) for r in df["rule"].unique().to_list()}
        df = df.with_columns(pl.col("rule").replace_strict(names, default=None).alias("rule_label"))
        df = df.select(after(df, "rule", "rule_label"))
    if mart == "rejected_reports":
        df = df.with_columns(pl.col("paths").list.join("\n"))
    headers = [labels.header(c) for c in df.columns]
    if len(set(headers)) != len(headers):  # one name per concept: never two columns alike
        raise ValueError(f"{mart}: duplicate headers {headers}")
    return df.rename(dict(zip(df.columns, headers, strict=True)))


def write_xlsx(frames: Mapping[str, pl.DataFrame], out: Path, advance=lambda: None) -> Path:
    import polars as pl
    import xlsxwriter

    from gipr_pipeline.outputs import review

    out.parent.mkdir(parents=True, exist_ok=True)
    fixes = frames.get("corrections")
    fixes = fixes.filter(pl.col("status") == "applied") if fixes is not None else None
    with xlsxwriter.Workbook(str(out)) as wb:
        for mart, df in frames.items():
            people = for_people(mart, df)
            pct = {labels.header(c): "0.0%" for c in PERCENT_COLUMNS if c in df.columns}
            people.write_excel(
                wb,
                worksheet=labels.MARTS[mart],
                autofit=True,
                column_formats=pct or None,
                freeze_panes=(1, 0),
            )
            if fixes is not None and mart in _WIDE_TABLE:  # reviewers' corrections, marked
                ws = wb.get_worksheet_by_name(labels.MARTS[mart])
                review.mark_corrected(ws, wb, people, df, _WIDE_TABLE[mart], fixes)
            advance()
    return out


def write_csv(mart: str, df: pl.DataFrame, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    for_people(mart, df).write_csv(out, include_bom=True)
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

    frames = wh.read_year(warehouse, year, TABLES)
    out_dir = Path(out_dir)
    if fmt == "xlsx":
        return [write_xlsx(frames, out_dir / f"gipr_{year}.xlsx", advance)]
    written = []
    for mart, df in frames.items():
        path = out_dir / f"gipr_{year}_{mart}.{fmt}"
        written.append(write_csv(mart, df, path) if fmt == "csv" else write_parquet(mart, df, path))
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
    written: list[dict] = []
    with progress(len(years) * len(TABLES), f"export {args.format}", quiet=args.json) as advance:
        for y in years:
            for p in export_year(args.warehouse, y, args.format, args.out, advance):
                written.append({"year": y, "format": args.format, "path": str(p.resolve())})
    if args.json:
        print(json.dumps(written, ensure_ascii=False))
    else:
        for w in written:
            print(w["path"])
    return 0


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
