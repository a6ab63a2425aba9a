"""The ``gipr`` command: the same parse and check as the pipeline, without Dagster."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from gipr_pipeline.parser.batch import bulk_gc, default_workers, discover, json_lines, parse_many
from gipr_pipeline.parser.model import REJECTION_REASONS, ReportResult
from gipr_pipeline.template import load_template

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Subcommands that live with their concern. Each module has ``register(subparsers)`` and keeps
# its module-level imports light (Dagster, Great Expectations and pdfplumber take seconds to
# import): heavy imports go inside the command function, so `gipr parse` stays fast.
EXTENSIONS: tuple[str, ...] = (
    "gipr_pipeline.corpus.synth",
    "gipr_pipeline.cli.runs",
    "gipr_pipeline.outputs.report",
    "gipr_pipeline.outputs.export",
)


def _results(args: argparse.Namespace, quiet: bool) -> Iterator[ReportResult]:
    files = discover(args.paths)
    show = not quiet and sys.stderr.isatty() and len(files) > 1
    if not show:
        yield from parse_many(files, args.workers)
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("parsing", total=len(files))
        for r in parse_many(files, args.workers):
            progress.advance(task)
            yield r


def _summary_table(results: list[ReportResult]):
    from rich.table import Table

    t = Table(title="gipr parse")
    for col in (
        "source",
        "status",
        "agency",
        "year",
        "template",
        "tables",
        "facts",
        "violations",
        "problems",
    ):
        t.add_column(col, overflow="fold")
    for r in results:
        if r.ok:
            n_tables = len(load_template(r.report.template or "2021").tables) - len(
                r.missing_tables
            )
            hard = len(_hard(r))
            soft = len(r.violations) - hard
            viol = f"[red]{hard}[/red]" if hard else "[green]0[/green]"
            if soft:
                viol += f" [yellow]+{soft} soft[/yellow]"
            t.add_row(
                Path(r.source).name,
                "[green]ok[/green]",
                r.report.agency or "?",
                str(r.report.year or "?"),
                r.report.template or "?",
                str(n_tables),
                str(len(r.facts)),
                viol,
                str(len(r.problems)),
            )
        else:
            t.add_row(
                Path(r.source).name,
                f"[red]rejected[/red] ({r.reason})",
                "",
                "",
                "",
                "",
                "",
                "",
                r.message or "",
            )
    return t


def _hard(r: ReportResult) -> list:
    return [v for v in r.violations if v.severity == "hard"]


def _print_details(console, r: ReportResult) -> None:
    for v in r.violations:
        where = " ".join(
            x
            for x in (
                v.table or "",
                f"row {v.row}" if v.row is not None else "",
                f"column {v.column}" if v.column is not None else "",
            )
            if x
        )
        if v.severity == "hard":
            console.print(
                f"  [red]✗[/red] {r.source}: [bold]{v.rule}[/bold] {where}: "
                f"expected {v.expected}, actual {v.actual}"
            )
        else:  # a warning: reported, never a failure
            console.print(
                f"  [yellow]warning[/yellow] {r.source}: [bold]{v.rule}[/bold] {where}"
                + (f": {v.detail}" if v.detail else ""),
                markup=True,
                highlight=False,
            )
    for t in r.missing_tables:
        console.print(f"  [yellow]![/yellow] {r.source}: table {t} not found")


def cmd_parse(args: argparse.Namespace) -> int:
    if args.json:
        out = sys.stdout
        bulk_gc()  # from here on this process only parses and writes (all of it with --workers 1)
        for line in json_lines(discover(args.paths), args.workers):
            out.write(line)
        return EXIT_OK
    from rich.console import Console

    console = Console()
    results = list(_results(args, quiet=False))
    console.print(_summary_table(results))
    for r in results:
        _print_details(console, r)
        if args.verbose:
            for p in r.problems:
                console.print(f"  · {r.source}: {p}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Violations only; exit 1 when any report is rejected or breaks a hard rule (a gate).
    Soft rules (warnings) are printed, and listed in the JSON with their severity, but never
    fail the check."""
    failed = False
    if args.json:
        for r in _results(args, quiet=True):
            failed |= (not r.ok) or bool(_hard(r))
            rec = {
                "source": r.source,
                "status": r.status,
                "reason": r.reason,
                "violations": [v.to_json() for v in r.violations],
            }
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return EXIT_FAILED if failed else EXIT_OK
    from rich.console import Console

    console = Console()
    n = warnings = 0
    for r in _results(args, quiet=False):
        n += 1
        if not r.ok:
            failed = True
            console.print(f"[red]rejected[/red] {r.source}: {r.reason} — {r.message}")
        elif r.violations:
            failed |= bool(_hard(r))
            warnings += len(r.violations) - len(_hard(r))
            _print_details(console, r)
    console.print(
        f"{n} report(s) checked: "
        + ("[red]FAILED[/red]" if failed else "[green]all hard rules hold[/green]")
        + (f", [yellow]{warnings} warning(s)[/yellow]" if warnings else "")
    )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_reasons(args: argparse.Namespace) -> int:
    del args
    for code, text in REJECTION_REASONS.items():
        print(f"{code}\t{text}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gipr", description="政府信息公开工作年度报告 → checked data")
    sub = p.add_subparsers(dest="command", required=True)

    def add_inputs(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "paths", nargs="+", metavar="PATH", help="report files or directories (recursive)"
        )
        sp.add_argument(
            "--json", action="store_true", help="one JSON object per input file, one per line"
        )
        sp.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="parallel parsing processes (default: all cores)",
        )

    sp = sub.add_parser("parse", help="parse reports: facts, violations, problems")
    add_inputs(sp)
    sp.add_argument("-v", "--verbose", action="store_true", help="also list every problem")
    sp.set_defaults(func=cmd_parse)

    sp = sub.add_parser(
        "check",
        help="rules only; exit 1 if any report is rejected or breaks a hard rule "
        "(soft rules are warnings)",
    )
    add_inputs(sp)
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("reasons", help="list the rejection reason codes")
    sp.set_defaults(func=cmd_reasons)

    for name in EXTENSIONS:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as e:
        parser.print_usage(sys.stderr)
        print(f"gipr: error: no such file or directory: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
