"""The ``gipr`` command: the same parse and check as the pipeline, without Dagster."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from gipr_pipeline.cli import failures
from gipr_pipeline.parser.batch import (
    bulk_gc,
    default_workers,
    discover,
    json_lines,
    parse_many,
    text_path,
)
from gipr_pipeline.parser.model import REJECTION_REASONS, ReportResult
from gipr_pipeline.template import load_template

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Subcommands that live with their concern. Each module has ``register(subparsers)`` and keeps
# its module-level imports light (Dagster, Great Expectations and pdfplumber take seconds to
# import): heavy imports go inside the command function, so `gipr parse` stays fast.
EXTENSIONS: tuple[str, ...] = (
    "gipr_pipeline.corpus.synth",
    "gipr_pipeline.cli.runs",
    "gipr_pipeline.cli.correct",
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


# The summary's columns, in Chinese like the rest of the terminal output (what the JSON calls
# source, status, agency, year, template, tables, facts, violations, problems).
SUMMARY_COLUMNS = ("文件", "状态", "机关", "年度", "模板", "表", "数字", "违反规则", "问题")


def _summary_table(results: list[ReportResult]):
    """One row per input. Violations as hard count (red) and soft count after "+"; a rejected
    input shows its reason code in the last column (its message follows the table, with the
    failing reports' details)."""
    from rich import box
    from rich.table import Table

    t = Table(title="gipr parse", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, expand=True)
    for i, col in enumerate(SUMMARY_COLUMNS):
        if i in (0, 2, 8):  # file, agency, problems: the long ones share what is left
            t.add_column(col, overflow="fold", ratio=2, min_width=4)
        else:
            t.add_column(col, no_wrap=True)
    for r in results:
        if r.ok:
            n_tables = len(load_template(r.report.template or "2021").tables) - len(
                r.missing_tables
            )
            hard = len(_hard(r))
            soft = len(r.violations) - hard
            viol = f"[red]{hard}[/red]" if hard else "[green]0[/green]"
            if soft:
                viol += f"[yellow]+{soft}[/yellow]"
            t.add_row(
                shown(Path(r.source).name),
                "[green]已读[/green]",
                shown(r.report.agency or "?"),
                str(r.report.year or "?"),
                r.report.template or "?",
                str(n_tables),
                str(len(r.facts)),
                viol,
                str(len(r.problems)),
            )
        else:
            t.add_row(
                shown(Path(r.source).name),
                "[red]未读[/red]",
                "",
                "",
                "",
                "",
                "",
                "",
                r.reason or "",
            )
    return t


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def shown(text: str) -> str:
    """A file name or text from a report as one safe terminal line: bytes that are not UTF-8
    as ``\\xNN``, control characters (a newline in a name) as ``\\xNN``, rich markup escaped
    (a name like ``[red]`` is printed, not interpreted)."""
    from rich.markup import escape

    text = text_path(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return escape(text)


def _hard(r: ReportResult) -> list:
    return [v for v in r.violations if v.severity == "hard"]


def _print_details(console, r: ReportResult) -> None:
    """The report's broken rules, agency and file first (``failures.render``)."""
    f = failures.from_result(r)
    if f is not None:
        failures.render(console, [f])


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
                console.print(f"  · {shown(r.source)}: {shown(p)}")
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
            _print_details(console, r)
        elif r.violations or r.missing_tables:
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
    debug_help = "on a failure, print the traceback (else: one line, traceback in the log file)"
    p.add_argument("--debug", action="store_true", help=debug_help)
    for sp in sub.choices.values():  # also after the command: `gipr run --debug`
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    return p


def main(argv: list[str] | None = None) -> int:
    """Every failure ends as one line on stderr (what, where, what to do) and a non-zero exit;
    the traceback only with ``--debug`` (or ``GIPR_DEBUG=1``) and in the log file
    (``cli/errors.py``)."""
    from gipr_pipeline.cli import errors

    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("GIPR_DEBUG") == "1"
    args.debug = debug
    errors.quiet_logging(debug)
    try:
        return args.func(args)
    except FileNotFoundError as e:
        if e.errno is not None or type(e) is not FileNotFoundError:
            # An OS error on a file, or a missing warehouse: not a path given on the command line
            return errors.fail(e, _where(args), debug)
        parser.print_usage(sys.stderr)
        print(f"gipr: error: no such file or directory: {e}: check the path", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print(
            "gipr: interrupted; nothing half-published (a run publishes all or nothing)",
            file=sys.stderr,
        )
        return 130
    except Exception as e:
        return errors.fail(e, _where(args), debug)


def _where(args: argparse.Namespace) -> str | None:
    for name in ("warehouse", "out", "raw_dir"):
        value = getattr(args, name, None)
        if value:
            return str(value)
    return None


if __name__ == "__main__":
    sys.exit(main())
