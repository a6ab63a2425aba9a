"""``gipr correct``: record a reviewer's correction, and check the corrections on record.

- ``gipr correct add SOURCE TABLE ROW COLUMN VALUE --who NAME --why TEXT [--when DATE]``: reads
  the report at SOURCE (a file under the raw folder), checks the cell exists and the value fits
  (the same checks as the pipeline's ``corrections`` asset), and appends a line with the
  report's content hash and the value read (``printed``) to ``<corrections>/corrections.csv``.
  A rejected correction is not written (exit 1, the reason code printed).
- ``gipr correct check``: every line of every corrections file against the raw folder as it is
  now, applied or rejected with its reason code (exit 1 if any is rejected).

The pipeline applies the file at its next ``gipr run`` (a changed corrections file re-runs the
years it concerns). Removing a correction is deleting its line. No Dagster here.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path

from gipr_pipeline.outputs.paths import DEFAULT_RAW_DIR, corrections_dir_for

FILE_NAME = "corrections.csv"


def _facts(paths: dict[str, str], raw: Path):
    """report_id → its parse as report_facts rows, for the ids in ``paths`` (id → path)."""
    import polars as pl

    from gipr_pipeline.marts import marts
    from gipr_pipeline.parser.parse import parse_path

    frames = [marts.empty(marts.FACTS_SCHEMA)]
    for rid, path in paths.items():
        res = parse_path(raw / path)
        year = res.report.year or 0
        frames.append(marts.report_facts([(rid, year, res)]))
    return pl.concat(frames)


def check_lines(lines, raw_dir: str | Path):
    """Every line of ``lines`` (``corrections.read``) resolved against the raw folder now:
    the audit table (``corrections.SCHEMA``, year 0) with ``report_not_found`` for lines naming
    no input."""
    import polars as pl

    from gipr_pipeline.marts import corrections as corr
    from gipr_pipeline.marts import ingest

    raw = Path(raw_dir)
    refs = ingest.scan(raw)
    path_id = {p: r.report_id for r in refs for p in r.paths}
    first = {r.report_id: r.path for r in refs}
    current = []
    for rid, src in lines.select("report_id", "source").iter_rows():
        current.append(path_id.get(src) if src in path_id else (rid if rid in first else None))
    rows = lines.with_columns(current_id=pl.Series(current, dtype=pl.String))
    named = rows.filter(pl.col("current_id").is_not_null())
    ids = set(named["current_id"].to_list())
    found = corr.audit(0, named, _facts({i: first[i] for i in ids}, raw))
    lost = rows.filter(pl.col("current_id").is_null())
    missing = pl.DataFrame(
        [
            {
                "year": 0,
                "report_id": r["report_id"],
                "source": r["source"],
                "table_code": r["table"],
                "row_code": r["row"],
                "column_code": r["column"],
                "value": r["value_number"],
                "status": "rejected",
                "reason": "report_not_found",
                "detail": "no input under the raw folder has this report id or source",
                "who": r["who"],
                "corrected_on": r["when_date"],
                "why": r["why"],
                "file": r["file"],
            }
            for r in lost.iter_rows(named=True)
        ],
        schema=corr.SCHEMA,
        orient="row",
    )
    return pl.concat([found, missing]).sort("file")


def _print(df, console) -> None:
    from rich.table import Table

    from gipr_pipeline.outputs.review import cell_words, number

    t = Table(title="corrections")
    for c in ("line", "status", "agency / source", "cell", "printed → value", "reason"):
        t.add_column(c, overflow="fold")
    for r in df.iter_rows(named=True):
        t.add_row(
            r["file"],
            r["status"],
            r["agency"] or r["source"] or (r["report_id"] or "")[:12],
            cell_words(r),
            f"{number(r['printed'])} → {number(r['value'])}",
            f"{r['reason']}: {r['detail']}" if r["reason"] else "",
        )
    console.print(t)


def cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console

    from gipr_pipeline.marts import corrections as corr

    folder = args.corrections or corrections_dir_for(args.raw_dir)
    df = check_lines(corr.read(folder), args.raw_dir)
    if args.json:
        for r in df.drop("year").iter_rows(named=True):
            r["corrected_on"] = r["corrected_on"] and r["corrected_on"].isoformat()
            print(json.dumps(r, ensure_ascii=False))
    else:
        console = Console()
        console.print(f"corrections: [bold]{Path(folder).resolve()}[/bold]")
        if df.is_empty():
            console.print("no corrections on record")
        else:
            _print(df, console)
    return 1 if (df["status"] == "rejected").any() else 0


def cmd_add(args: argparse.Namespace) -> int:
    import hashlib

    from rich.console import Console

    from gipr_pipeline.marts import corrections as corr

    raw = Path(args.raw_dir)
    path = Path(args.source)
    if not path.is_file() and (raw / path).is_file():
        path = raw / path
    if not path.is_file():
        raise FileNotFoundError(args.source)
    try:
        source = path.resolve().relative_to(raw.resolve()).as_posix()
    except ValueError:
        print(f"gipr: error: {args.source} is not under the raw folder {raw}", file=sys.stderr)
        return 2
    rid = hashlib.sha256(path.read_bytes()).hexdigest()
    when = dt.date.fromisoformat(args.when) if args.when else None
    facts = _facts({rid: source}, raw)
    cell = facts.filter(
        (facts["table_code"] == args.table)
        & (facts["row_code"] == args.row)
        & (facts["column_code"] == args.column)
    )
    printed = cell["value"][0] if cell.height else None
    line = corr.new_line(
        table=args.table,
        row=args.row,
        column=args.column,
        value=args.value,
        who=args.who,
        why=args.why,
        report_id=rid,
        source=source,
        printed=printed,
        when=when,
    )
    import polars as pl

    rows = corr.lines([line]).with_columns(current_id=pl.lit(rid))
    audit = corr.audit(0, rows, facts)
    r = audit.row(0, named=True)
    console = Console()
    if r["status"] == "rejected":
        console.print(f"[red]rejected[/red] {r['reason']}: {r['detail']}")
        return 1
    folder = Path(args.corrections or corrections_dir_for(args.raw_dir))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / args.file
    new = not out.exists() or out.stat().st_size == 0
    with open(out, "a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(corr.FILE_COLUMNS))
        if new:
            w.writeheader()
        w.writerow(line)
    console.print(
        f"recorded in [bold]{out}[/bold]: {r['agency']} {args.table}/{args.row}/{args.column} "
        f"{line['printed']} → {args.value} (applied at the next `gipr run`)"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "correct", help="record a reviewer's correction of a cell, or check the corrections"
    )
    cs = sp.add_subparsers(dest="correct_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--raw-dir", default=DEFAULT_RAW_DIR, help=f"raw folder (default {DEFAULT_RAW_DIR})"
        )
        p.add_argument(
            "--corrections",
            help="corrections folder (default: `corrections` beside the raw folder)",
        )

    p = cs.add_parser("add", help="append a correction (checked first) to corrections.csv")
    p.add_argument("source", help="the report's file (under the raw folder)")
    p.add_argument("table", help="table code, e.g. applications")
    p.add_argument("row", help="row code, e.g. 3.1")
    p.add_argument("column", help="column code, e.g. total")
    p.add_argument("value", help="the corrected value")
    p.add_argument("--who", required=True, help="the reviewer")
    p.add_argument("--why", required=True, help="the reason (e.g. 机关来函更正)")
    p.add_argument("--when", help="YYYY-MM-DD (default today)")
    p.add_argument("--file", default=FILE_NAME, help=f"file in the folder (default {FILE_NAME})")
    common(p)
    p.set_defaults(func=cmd_add)

    p = cs.add_parser("check", help="every correction on record: applied or rejected, and why")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    common(p)
    p.set_defaults(func=cmd_check)
