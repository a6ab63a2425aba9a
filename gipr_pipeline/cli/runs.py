"""`gipr run` and `gipr backfill`: the Dagster job from the command line.

The same Definitions as the UI, run in-process one year partition at a time
(``orchestrate.materialize_years``); Dagster is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gipr_pipeline.outputs.paths import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, docs_dir_for


def _print_summary(summary: dict[str, Any], raw_dir: str) -> None:
    """The run: folders, years, checks, rows per table, then every failing report with its
    files shown under ``raw_dir`` as the user wrote it."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(f"raw folder: [bold]{summary['raw_dir']}[/bold]")
    console.print(f"warehouse:  [bold]{summary['warehouse']}[/bold]")
    console.print(f"docs:       [bold]{summary['docs']}[/bold]/index.html (reports, data quality)")
    console.print(f"years:      {', '.join(map(str, summary['years'])) or '(none found)'}")
    for run in summary["runs"]:
        if run.get("mode") == "unchanged":
            console.print(f"  {run['year']}: unchanged, not rebuilt ({run['why']})")
            continue
        failed = [name for name, ok in run["checks"].items() if not ok]
        status = (
            "[green]ok[/green]" if run["success"] else f"[red]failed[/red] {run['failed_steps']}"
        )
        checks = f"{len(run['checks']) - len(failed)}/{len(run['checks'])} checks pass"
        if failed:
            checks += f" ([yellow]failing: {', '.join(failed)}[/yellow])"
        what = "" if run.get("mode", "full") == "full" else f" {run['mode']}"
        why = f" ({run['why']})" if run.get("why") else ""
        console.print(
            f"  {run['year']}:{what} run {status} in {run['seconds']:.1f}s{why}, {checks}"
        )
        if not summary["tables"].get("raw_reports", {}).get(run["year"]):
            # An empty partition passes every check trivially: say it holds nothing.
            console.print(
                f"        [yellow]{run['year']}: no report in {raw_dir} for this year — "
                "its tables are empty (nothing was checked)[/yellow]"
            )
        if not run.get("published", True):
            console.print(
                f"    [red]not published[/red]: {escape(run.get('error') or 'a step failed')} — "
                f"the warehouse keeps {run['year']} as it was; fix the cause and run again",
                highlight=False,
            )
    years = sorted({y for rows in summary["tables"].values() for y in rows})
    t = Table(title="warehouse tables (rows per year)")
    t.add_column("table")
    for y in years:
        t.add_column(str(y), justify="right")
    for name, rows in summary["tables"].items():
        t.add_row(name, *(str(rows.get(y, 0)) for y in years))
    console.print(t)
    console.print(f"total {summary['seconds']:.1f}s")
    _print_failing(console, summary, raw_dir)


def _print_failing(console, summary: dict[str, Any], raw_dir: str) -> None:
    """Per failing report of the years just run: agency, file, rule, cell, printed vs expected
    (``failures``); the full list is in the annual report and the xlsx."""
    from gipr_pipeline.cli import failures

    for run in summary["runs"]:
        year = run["year"]
        failing = failures.from_warehouse(summary["warehouse"], year, raw_dir)
        if not failing:
            continue
        console.print(f"\n[bold]{year}: {len(failing)} 份报告违反勾稽关系或未能读取[/bold]")
        failures.render(
            console,
            failing,
            limit=failures.MAX_REPORTS,
            more=f";完整列表见年度报告汇总和 gipr export --year {year}",
        )


def _materialize(args: argparse.Namespace, years: list[int] | None) -> int:
    if not Path(args.raw_dir).is_dir():
        # Never "an empty folder": a run would rebuild the warehouse's years with no input.
        print(
            f"gipr: error: no raw folder at {args.raw_dir} (missing or renamed): nothing was "
            "changed; give the folder of the reports (default data/raw)",
            file=sys.stderr,
        )
        return 2
    from gipr_pipeline.cli.orchestrate import materialize_years

    try:
        summary = materialize_years(
            args.raw_dir,
            args.warehouse,
            years,
            force=getattr(args, "force", False),
            log_level="DEBUG" if getattr(args, "debug", False) else "CRITICAL",
        )
    except ValueError as e:
        print(f"gipr: error: {e}", file=sys.stderr)
        return 2
    summary["docs"] = str(Path(docs_dir_for(args.warehouse)).resolve())
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        _print_summary(summary, args.raw_dir)
    # Failing balance checks are findings about the reports, not a broken run.
    unpublished = [r for r in summary["runs"] if not r.get("published", True)]
    if unpublished:
        first = unpublished[0]
        print(
            f"gipr: error: {len(unpublished)} year(s) not published "
            f"({', '.join(str(r['year']) for r in unpublished)}): {first.get('error') or 'a step failed'}; "
            "those years keep their last published state; fix the cause and run again",
            file=sys.stderr,
        )
    return 0 if all(r["success"] for r in summary["runs"]) else 1


def cmd_run(args: argparse.Namespace) -> int:
    return _materialize(args, None)


def cmd_backfill(args: argparse.Namespace) -> int:
    first, _, last = args.years.partition("...")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        print(
            f"gipr: error: --years takes YEAR or FIRST...LAST, not {args.years!r}", file=sys.stderr
        )
        return 2
    return _materialize(args, years)


def register(sub: argparse._SubParsersAction) -> None:
    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "raw_dir",
            nargs="?",
            default=DEFAULT_RAW_DIR,
            help=f"raw report folder (default {DEFAULT_RAW_DIR})",
        )
        sp.add_argument(
            "--warehouse",
            default=DEFAULT_WAREHOUSE,
            help=f"DuckDB file (default {DEFAULT_WAREHOUSE})",
        )
        sp.add_argument("--json", action="store_true", help="print the run summary as JSON")

    sp = sub.add_parser(
        "run",
        help="materialize the year partitions the raw folder holds whose inputs, corrections or "
        "code changed since they were built (Dagster, in-process)",
    )
    common(sp)
    sp.add_argument("--force", action="store_true", help="rebuild every year, changed or not")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser(
        "backfill", help="(re)materialize a range of year partitions, e.g. --years 2019...2024"
    )
    common(sp)
    sp.add_argument("--years", required=True, help="YEAR or FIRST...LAST (inclusive)")
    sp.set_defaults(func=cmd_backfill)
