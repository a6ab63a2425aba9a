"""The report template as data: sections, tables, rows, columns, label aliases and rules.

Everything that knows the template's shape (the parser, the rule evaluator, the schemas, the
renderer) reads it from here, so a template change is a data change, not a code change.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

VERSIONS = ("2021", "2019")


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    aliases: tuple[str, ...]
    columns: tuple[str, ...]
    decimal: bool = False
    # The heading the template prints above a group of rows ("第二十条第(五)项"); for renderers.
    group: str | None = None


@dataclass(frozen=True)
class Table:
    code: str
    section: str
    columns: tuple[str, ...]
    column_labels: tuple[str, ...]
    rows: tuple[Row, ...]
    # True when the template prints no row labels (review_litigation: one run of 15 numbers).
    unlabelled: bool = False
    # Columns that may hold a negative number (2019 section 二: 本年增/减); any other negative
    # is a ``negative_value`` problem.
    signed: frozenset[str] = frozenset()
    # Columns holding decimals (amounts) in every row; rows can also say ``decimal = true``.
    decimal_columns: frozenset[str] = frozenset()

    @property
    def row_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.rows)

    @property
    def n_cells(self) -> int:
        return sum(len(r.columns) for r in self.rows)

    def row(self, code: str) -> Row:
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(code)

    def cells(self) -> list[tuple[str, str]]:
        """Every (row, column) of the table in reading order."""
        return [(r.code, c) for r in self.rows for c in r.columns]

    def is_decimal(self, row: Row, column: str) -> bool:
        return row.decimal or column in self.decimal_columns

    def column_label(self, column: str) -> str:
        return self.column_labels[self.columns.index(column)]


@dataclass(frozen=True)
class Rule:
    """A rule of the template. ``kind = "sum"`` rules (勾稽关系) say sum(total) = sum(parts) and
    are evaluated by ``rules.evaluate``; the other kinds are soft checks with their own code
    (``audits``: "narrative", "audit"; the pipeline's ``continuity``: "continuity")."""

    id: str
    table: str | None
    per: str | None  # "row" or "column" (sum rules)
    severity: str  # "hard" or "soft"
    total: tuple[str, ...]
    parts: tuple[str, ...]
    description: str
    kind: str = "sum"


@dataclass(frozen=True)
class Section:
    code: str
    number: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    version: str
    reference: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...]
    table_by_code: dict[str, Table] = field(compare=False, hash=False, repr=False)

    def table(self, code: str) -> Table:
        return self.table_by_code[code]

    @property
    def n_facts(self) -> int:
        return sum(t.n_cells for t in self.tables)

    @property
    def sum_rules(self) -> tuple[Rule, ...]:
        """The balance rules (勾稽关系) evaluated as sums; the other kinds have their own code."""
        return tuple(r for r in self.rules if r.kind == "sum")

    def rules_of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)


def _read(version: str) -> dict:
    text = resources.files(__package__).joinpath(f"t{version}.toml").read_text("utf-8")
    return tomllib.loads(text)


def _row(d: dict, table_columns: tuple[str, ...]) -> Row:
    return Row(
        code=d["code"],
        label=d["label"],
        aliases=tuple(d.get("aliases", [])),
        columns=tuple(d.get("columns", table_columns)),
        decimal=bool(d.get("decimal", False)),
        group=d.get("group"),
    )


def _table(d: dict) -> Table:
    cols = tuple(d["columns"])
    return Table(
        code=d["code"],
        section=d["section"],
        columns=cols,
        column_labels=tuple(d.get("column_labels", cols)),
        rows=tuple(_row(r, cols) for r in d["rows"]),
        unlabelled=bool(d.get("unlabelled", False)),
        signed=frozenset(d.get("signed_columns", ())),
        decimal_columns=frozenset(d.get("decimal_columns", ())),
    )


def _rule(d: dict, tables: dict[str, Table]) -> Rule:
    parts = tuple(d.get("parts", ()))
    if "parts_glob" in d:  # outcome rows differ between templates (3.6 vs 3.6.1–3.6.3)
        codes = tables[d["table"]].row_codes
        parts = tuple(c for c in codes if fnmatch.fnmatchcase(c, d["parts_glob"]))
    return Rule(
        id=d["id"],
        table=d.get("table"),
        per=d.get("per"),
        severity=d.get("severity", "hard"),
        total=tuple(d.get("total", ())),
        parts=parts,
        description=d.get("description", ""),
        kind=d.get("kind", "sum"),
    )


def _merge(base: dict, over: dict) -> dict:
    """Apply a derived template file (``base = ...``) to its base's raw data: ``drop_tables``,
    ``tables`` (a table of the same code replaces the base's in place, others are appended),
    ``replace_rows`` and ``drop_rules``."""
    out = {**base, "version": over["version"], "reference": over.get("reference", [])}
    tables = [t for t in base["tables"] if t["code"] not in over.get("drop_tables", [])]
    own = {t["code"]: t for t in over.get("tables", [])}
    tables = [own.pop(t["code"], t) for t in tables] + list(own.values())
    tables = [dict(t, rows=list(t["rows"])) for t in tables]
    for rep in over.get("replace_rows", []):
        t = next(t for t in tables if t["code"] == rep["table"])
        rows = [r for r in t["rows"] if r["code"] not in rep["drop"]]
        at = next(i for i, r in enumerate(rows) if r["code"] == rep["after"]) + 1
        t["rows"] = rows[:at] + list(rep["rows"]) + rows[at:]
    out["tables"] = tables
    kept = {t["code"] for t in tables}
    dropped = set(over.get("drop_rules", []))
    out["rules"] = [
        r
        for r in base["rules"]
        if (r.get("table") is None or r["table"] in kept) and r["id"] not in dropped
    ]
    return out


@cache
def load_template(version: str = "2021") -> Template:
    """Load a template version ("2021" or "2019") from the package data."""
    if version not in VERSIONS:
        raise ValueError(f"unknown template version {version!r}; known: {', '.join(VERSIONS)}")
    raw = _read(version)
    if "base" in raw:
        raw = _merge(_read(raw["base"]), raw)
    tables = tuple(_table(t) for t in raw["tables"])
    by_code = {t.code: t for t in tables}
    return Template(
        version=raw["version"],
        reference=tuple(raw.get("reference", [])),
        sections=tuple(
            Section(code=s["code"], number=s["number"], aliases=tuple(s["aliases"]))
            for s in raw["sections"]
        ),
        tables=tables,
        rules=tuple(_rule(r, by_code) for r in raw["rules"]),
        table_by_code=by_code,
    )


SECTION_CODES = (
    "overview",
    "active_disclosure",
    "applications",
    "review_litigation",
    "problems",
    "other",
)
TABLE_CODES = ("applications", "review_litigation", "active_disclosure")
