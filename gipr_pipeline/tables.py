"""Read the template's tables out of section text, whatever the layout.

The text is cut into cells (pipes, tabs, line breaks, or whitespace before trailing numbers);
rows are anchored on their labels (through the template's aliases, spaces and numbering ignored,
truncated or split labels tolerated), and each row then reads the template's number of cells in
the template's column order. Headers need no parsing: the template fixes the column order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gipr_pipeline.template import Row, Table

# Cell kinds. A WEAK blank is an empty field after a row's last value on its line: a blank
# cell if the row is short of values, otherwise just the layout's trailing separators.
TEXT, VALUE, MARK, BLANK, WEAK = 0, 1, 2, 3, 4

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_MARK = r"(?:[—–-]{1,2}|/|无)"
_NUM_RE = re.compile(_NUM)
_MARK_RE = re.compile(_MARK)
# A number with the decorations people type into cells: "约10", "10件".
_DECORATED_RE = re.compile(r"(约|大约|近)?\s*(" + _NUM + r")\s*(件|条|个|项|次|人|万元|元)?")
# A bare-layout field: a label followed by whitespace-separated numbers.
_TRAILING_NUMS = re.compile(r"^(.*?)((?:\s+(?:" + _NUM + "|" + _MARK + r"))+)\s*$")
_FIELD_SPLIT = re.compile(r"[ \u3000]*[|\t][ \u3000]*")
_WS = re.compile(r"\s+")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.,,．]|[((]\s*[一二三四五六七八九十\d]{1,3}\s*[))]|\d{1,2}\s*[.、．)](?!\d))\s*"
)
# The window of template rows a label may match ahead of the next expected row: wide enough to
# skip a few missing rows, narrow enough that a column header ("其他", "总计") can't match a row
# far down the table.
_WINDOW = 3
_MIN_PREFIX = 3


@dataclass(slots=True)
class Cell:
    text: str
    kind: int
    value: int | float | None = None
    decorated: bool = False


@dataclass(slots=True)
class TableRead:
    found: bool
    values: dict[tuple[str, str], int | float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    blanks: list[tuple[str, str, str]] = field(default_factory=list)  # (row, column, printed)


def _number(text: str) -> int | float:
    t = text.replace(",", "")
    return float(t) if "." in t else int(t)


def classify(text: str) -> Cell:
    if _NUM_RE.fullmatch(text):
        return Cell(text, VALUE, _number(text))
    if _MARK_RE.fullmatch(text):
        return Cell(text, MARK, 0)
    m = _DECORATED_RE.fullmatch(text)
    if m and (m.group(1) or m.group(3)):
        return Cell(text, VALUE, _number(m.group(2)), decorated=True)
    return Cell(text, TEXT)


def _split_field(f: str, out: list[Cell]) -> bool:
    """Append the cells of one non-empty field; True if it held a value."""
    c = classify(f)
    if c.kind != TEXT:
        out.append(c)
        return True
    m = _TRAILING_NUMS.match(f)
    if not m:
        out.append(c)
        return False
    if m.group(1):
        out.append(classify(m.group(1)))  # a number too when the whole field is numbers
    out.extend(classify(part) for part in m.group(2).split())
    return True


def tokenize(text: str) -> list[Cell]:
    """Cut section text into cells.

    Empty fields are blank cells only on lines that also hold values (a row's interior
    blanks), or as a line holding a lone "|" (one cell per line); on header lines they are
    layout. A line's final separator ends the line and holds no cell.
    """
    cells: list[Cell] = []
    for line in text.split("\n"):
        s = line.strip(" \u3000")  # not tabs: a trailing tab holds a (blank) cell
        if not s.strip():
            continue
        if s == "|":
            cells.append(Cell("", BLANK))
            continue
        if s[0] == "|":  # markdown border
            s = s[1:].lstrip()
        fields = _FIELD_SPLIT.split(s)
        if s[-1] == "|" and len(fields) > 1:
            fields.pop()  # the line's terminating pipe holds no cell
        trailing = 0
        while fields and not fields[-1]:
            fields.pop()
            trailing += 1
        line_cells: list[Cell] = []
        has_value = False
        for f in fields:
            if f:
                has_value |= _split_field(f, line_cells)
            else:
                line_cells.append(Cell("", BLANK))
        if not has_value:
            cells.extend(c for c in line_cells if c.kind != BLANK)
            # "行政处罚 | |": a label whose one cell is blank.
            cells.extend(Cell("", WEAK) for _ in range(trailing))
            continue
        cells.extend(line_cells)
        if len(line_cells) > 1:
            cells.extend(Cell("", WEAK) for _ in range(trailing))
    return cells


def label_key(text: str) -> str:
    key = _WS.sub("", text)
    while True:
        m = _NUMBERING.match(key)
        if not m or m.end() == len(key):
            return key
        key = key[m.end() :]


def _row_keys(table: Table) -> list[tuple[str, ...]]:
    return [tuple(label_key(a) for a in (r.aliases or (r.label,))) for r in table.rows]


def _matches(key: str, aliases: tuple[str, ...]) -> bool:
    for a in aliases:
        if key == a:
            return True
        if len(a) >= 4 and a in key:  # label with its group label or a note glued on
            return True
        if len(key) >= _MIN_PREFIX and len(a) > len(key) and a.startswith(key):  # truncated
            return True
    return False


def find_anchors(cells: list[Cell], table: Table) -> list[tuple[int, int]]:
    """(row index in template, cell index) for each row label found, in order."""
    keys = _row_keys(table)
    anchors: list[tuple[int, int]] = []
    nxt = 0
    n = len(table.rows)
    for i, c in enumerate(cells):
        if c.kind != TEXT or nxt >= n:
            continue
        k = label_key(c.text)
        if not k:
            continue
        for j in range(nxt, min(nxt + _WINDOW, n)):
            if _matches(k, keys[j]):
                anchors.append((j, i))
                nxt = j + 1
                break
    return anchors


def take_values(span: list[Cell], n: int) -> tuple[list[Cell] | None, str | None]:
    """The row's n cells from the cells between its label and the next label.

    Text cells (group labels, split label tails) are skipped. Blank cells are zeros only when
    the values alone fall short of the row's width and the blanks fill exactly that width.
    """
    seq = [c for c in span if c.kind != TEXT]
    filled = [c for c in seq if c.kind in (VALUE, MARK)]
    if len(filled) == n:
        return filled, None
    if len(filled) < n:
        for kinds in ((VALUE, MARK, BLANK), (VALUE, MARK, BLANK, WEAK)):
            cand = [c for c in seq if c.kind in kinds]
            head = cand[:n]
            if len(head) == n and sum(c.kind in (VALUE, MARK) for c in head) == len(filled):
                return head, None
    blanks = sum(c.kind == BLANK for c in seq)
    return None, f"expected {n} cells, found {len(filled)}" + (
        f" and {blanks} blank" if blanks else ""
    )


def _store(read: TableRead, table: Table, row: Row, cells: list[Cell]) -> None:
    for col, c in zip(row.columns, cells, strict=True):
        v = c.value if c.value is not None else 0
        if c.kind in (MARK, BLANK, WEAK):
            read.blanks.append((row.code, col, c.text))
        if c.decorated:
            read.problems.append(f"non_numeric_cell: {table.code} {row.code}/{col} {c.text!r}")
        if row.decimal or col in table.decimal_columns:
            v = float(v)
        elif isinstance(v, float):
            if v.is_integer():
                v = int(v)
            else:
                read.problems.append(f"non_integer_count: {table.code} {row.code}/{col} {c.text!r}")
        if v < 0 and col not in table.signed:  # 本年增/减 (2019 section 二) may be negative
            read.problems.append(f"negative_value: {table.code} {row.code}/{col} {c.text!r}")
        read.values[(row.code, col)] = v


def read_table(text: str, table: Table) -> TableRead:
    cells = tokenize(text)
    if table.unlabelled:
        return _read_unlabelled(cells, table)
    anchors = find_anchors(cells, table)
    # One stray label is not a table: at least two rows must anchor.
    if len(anchors) < min(2, len(table.rows)):
        return TableRead(found=False)
    read = TableRead(found=True)
    found_rows = {j for j, _ in anchors}
    for j, row in enumerate(table.rows):
        if j not in found_rows:
            read.problems.append(f"row_missing: {table.code} {row.code}")
    for a, (j, i) in enumerate(anchors):
        end = anchors[a + 1][1] if a + 1 < len(anchors) else len(cells)
        row = table.rows[j]
        vals, why = take_values(cells[i + 1 : end], len(row.columns))
        if vals is None:
            read.problems.append(f"cell_count: {table.code} {row.code} {why}")
            continue
        _store(read, table, row, vals)
    return read


def _read_unlabelled(cells: list[Cell], table: Table) -> TableRead:
    """review_litigation: one run of numbers (15, or 3 rows of 5) in template order. When the
    run does not add up to the table's width, rows that carry their labels are read one by one
    (a row printed all blank leaves nothing in the run)."""
    first = next((i for i, c in enumerate(cells) if c.kind in (VALUE, MARK, BLANK)), None)
    if first is None:
        return TableRead(found=False)
    vals, why = take_values(cells[first:], table.n_cells)
    read = TableRead(found=True)
    if vals is not None:
        pos = 0
        for row in table.rows:
            k = len(row.columns)
            _store(read, table, row, vals[pos : pos + k])
            pos += k
        return read
    anchors = _row_label_anchors(cells, table)
    if anchors is None:
        read.problems.append(f"cell_count: {table.code} {why}")
        return read
    for j, i in enumerate(anchors):
        end = anchors[j + 1] if j + 1 < len(anchors) else len(cells)
        row = table.rows[j]
        row_vals, row_why = take_values(cells[i + 1 : end], len(row.columns))
        if row_vals is None:
            read.problems.append(f"cell_count: {table.code} {row.code} {row_why}")
            continue
        _store(read, table, row, row_vals)
    return read


def _row_label_anchors(cells: list[Cell], table: Table) -> list[int] | None:
    """The last run of the table's row labels, in order, each followed by a cell that is not
    text (header lines also name the rows, but are followed by more header text)."""
    keys = _row_keys(table)
    anchors: list[int | None] = [None] * len(table.rows)
    for i, c in enumerate(cells[:-1]):
        if c.kind != TEXT or cells[i + 1].kind == TEXT:
            continue
        k = label_key(c.text)
        for j, aliases in enumerate(keys):
            if _matches(k, aliases) and (j == 0 or anchors[j - 1] is not None):
                anchors[j] = i
                for later in range(j + 1, len(anchors)):
                    anchors[later] = None
                break
    if any(a is None for a in anchors):
        return None
    return [a for a in anchors if a is not None]
