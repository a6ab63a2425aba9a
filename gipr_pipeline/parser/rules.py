"""Evaluate the template's balance rules (勾稽关系) on a report's cells."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter

from gipr_pipeline.parser.model import Fact, Violation
from gipr_pipeline.template import Rule, Template

Cells = Mapping[str, Mapping[tuple[str, str], int | float]]  # table → (row, column) → value

_EPS = 1e-9


def cells_by_table(facts: Iterable[Fact]) -> dict[str, dict[tuple[str, str], int | float]]:
    out: dict[str, dict[tuple[str, str], int | float]] = {}
    for f in facts:
        out.setdefault(f.table, {})[(f.row, f.column)] = f.value
    return out


def _sum(
    cells: Mapping[tuple[str, str], int | float], keys: Iterable[tuple[str, str]]
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


# One rule instance: (rule, table, cells of the total, cells of the parts, row, column, message
# when skipped). The cells as ``itemgetter``s: one C call fetches them all, or raises KeyError
# when one was not read.
_Instance = tuple[Rule, str, Callable, bool, Callable, bool, "str | None", "str | None", str]
_INSTANCES: dict[int, tuple[Template, list[_Instance]]] = {}


def _getter(keys: list[tuple[str, str]]) -> Callable:
    """One C call fetching ``keys``: their values as a tuple, or the bare value for one key
    (``evaluate`` adds that one to 0 itself, with no call to ``sum``)."""
    if not keys:
        return lambda cells: ()
    return itemgetter(*keys)


def _instances(template: Template) -> list[_Instance]:
    """Every (rule, row or column) a template's rules are checked on, worked out once."""
    hit = _INSTANCES.get(id(template))
    if hit is not None and hit[0] is template:
        return hit[1]
    out: list[_Instance] = []
    for rule in template.sum_rules:  # soft kinds have their own evaluators (audits.py)
        table = template.table(rule.table)
        if rule.per == "column":
            for col in table.columns:
                out.append(
                    (
                        rule,
                        rule.table,
                        _getter([(r, col) for r in rule.total]),
                        len(rule.total) == 1,
                        _getter([(r, col) for r in rule.parts]),
                        len(rule.parts) == 1,
                        None,
                        col,
                        f"rule_skipped: {rule.id} column {col} (a cell it needs was not read)",
                    )
                )
        else:
            for row in table.rows:
                if not set(rule.total) | set(rule.parts) <= set(row.columns):
                    continue
                out.append(
                    (
                        rule,
                        rule.table,
                        _getter([(row.code, c) for c in rule.total]),
                        len(rule.total) == 1,
                        _getter([(row.code, c) for c in rule.parts]),
                        len(rule.parts) == 1,
                        row.code,
                        None,
                        f"rule_skipped: {rule.id} row {row.code} (a cell it needs was not read)",
                    )
                )
    _INSTANCES[id(template)] = (template, out)
    return out


def evaluate(cells: Cells, template: Template) -> tuple[list[Violation], list[str]]:
    """Violations of every rule in the template, and problems for rules that could not be
    evaluated because a cell they need was not read (a missing row or an unreadable row)."""
    violations: list[Violation] = []
    skipped: list[str] = []
    for rule, table, total_of, one_total, parts_of, one_part, row, column, skip_msg in _instances(
        template
    ):
        table_cells = cells.get(table)
        if not table_cells:
            continue  # table missing: reported as missing_tables, not per rule
        try:
            # sum() adds left to right from 0 like _sum (exact for counts; Python 3.12+
            # compensates float rounding, which could move a non-integer count's last digit);
            # a single cell is added to 0 in line (most totals are one cell).
            actual = 0 + total_of(table_cells) if one_total else sum(total_of(table_cells))
            expected = 0 + parts_of(table_cells) if one_part else sum(parts_of(table_cells))
        except KeyError:
            skipped.append(skip_msg)
            continue
        if abs(actual - expected) > _EPS:
            violations.append(
                Violation(rule.id, rule.table, row, column, expected, actual, rule.severity)
            )
    return violations, skipped
