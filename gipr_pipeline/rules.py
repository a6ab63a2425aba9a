"""Evaluate the template's balance rules (勾稽关系) on a report's cells."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gipr_pipeline.model import Fact, Violation
from gipr_pipeline.template import Rule, Template

Cells = Mapping[str, Mapping[tuple[str, str], int | float]]  # table → (row, column) → value

_EPS = 1e-9


def cells_by_table(facts: Iterable[Fact]) -> dict[str, dict[tuple[str, str], int | float]]:
    out: dict[str, dict[tuple[str, str], int | float]] = {}
    for f in facts:
        out.setdefault(f.table, {})[(f.row, f.column)] = f.value
    return out


def _sum(
    cells: Mapping[tuple[str, str], int | float], keys: list[tuple[str, str]]
) -> int | float | None:
    total: int | float = 0
    for k in keys:
        v = cells.get(k)
        if v is None:
            return None
        total += v
    return total


def _check(rule: Rule, cells, total_keys, part_keys, row, column, out: list[Violation]) -> bool:
    actual = _sum(cells, total_keys)
    expected = _sum(cells, part_keys)
    if actual is None or expected is None:
        return False
    if abs(actual - expected) > _EPS:
        out.append(Violation(rule.id, rule.table, row, column, expected, actual, rule.severity))
    return True


def evaluate(cells: Cells, template: Template) -> tuple[list[Violation], list[str]]:
    """Violations of every rule in the template, and problems for rules that could not be
    evaluated because a cell they need was not read (a missing row or an unreadable row)."""
    violations: list[Violation] = []
    skipped: list[str] = []
    for rule in template.sum_rules:  # soft kinds have their own evaluators (audits.py)
        table_cells = cells.get(rule.table)
        if not table_cells:
            continue  # table missing: reported as missing_tables, not per rule
        table = template.table(rule.table)
        if rule.per == "column":
            for col in table.columns:
                ok = _check(
                    rule,
                    table_cells,
                    [(r, col) for r in rule.total],
                    [(r, col) for r in rule.parts],
                    None,
                    col,
                    violations,
                )
                if not ok:
                    skipped.append(
                        f"rule_skipped: {rule.id} column {col} (a cell it needs was not read)"
                    )
        else:
            for row in table.rows:
                if not set(rule.total) | set(rule.parts) <= set(row.columns):
                    continue
                ok = _check(
                    rule,
                    table_cells,
                    [(row.code, c) for c in rule.total],
                    [(row.code, c) for c in rule.parts],
                    row.code,
                    None,
                    violations,
                )
                if not ok:
                    skipped.append(
                        f"rule_skipped: {rule.id} row {row.code} (a cell it needs was not read)"
                    )
    return violations, skipped
