"""Tables of every format → the pipe lines the text parser reads.

Each reader places its cells (with their row and column spans) on a grid; this module writes the
grid one table row per line, cells separated by `` | ``. The rules, shared by HTML, DOCX and PDF:

- a cell is written once, in the row and column where it starts;
- a column span adds nothing (no empty padding fields, which the parser would take for blanks),
  unless a number cell spans several *value* columns (the nearest header row above has
  separate headings there):
- a number cell merged over several value slots (columns, rows or both) shows one figure for all
  of them. A zero or a dash is what a person reads in each slot, so it is written in each; a blank
  stays an empty field in each (the parser names it as a blank); any other figure cannot be split
  into its slots: it is written once, the slots it covers get no field (the parser then names the
  row's cell count instead of storing a guess), and a ``merged_number_cell`` problem says where;
- a row span repeats nothing for a text label (the parser anchors on the row's own label);
- an empty cell is an empty field between pipes, so the parser sees a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gipr_pipeline.readers.decode import normalize_counted

_WS = re.compile(r"\s+")
# Text that can stand in a numeric cell: digits, separators, the dashes used for zero.
_NUMERIC = re.compile(r"[\d.,\s\-—–−/]*")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")
# What a merged cell may show in each of its slots: a zero or a dash read as zero.
_ZERO_LIKE = re.compile(r"0+(?:\.0+)?|[-—–−/]+")


@dataclass(slots=True)
class GridCell:
    text: str
    row: int  # first grid row
    col: int  # first grid column
    rowspan: int = 1
    colspan: int = 1

    @property
    def numeric(self) -> bool:
        return bool(_NUMERIC.fullmatch(self.text))


def join_lines(parts: list[str]) -> str:
    """Join wrapped pieces of one paragraph or cell: one space between two Latin letters or
    digits (words), nothing otherwise (Chinese text wraps anywhere, without spaces)."""
    out = ""
    for p in parts:
        p = _WS.sub(" ", p).strip()
        if not p:
            continue
        if out and _WORD_CHAR.match(out[-1]) and _WORD_CHAR.match(p[0]):
            out += " "
        out += p
    return out


def cell_text(text: str) -> str:
    """One cell's text on one field: normalized, whitespace collapsed, no pipe inside. Radical
    look-alikes stay: the document's normalization folds and counts them."""
    text = normalize_counted(text, fold_radicals=False)[0]
    return _WS.sub(" ", text).strip().replace("|", "/")


def place_html_rows(rows: list[list[tuple[str, int, int]]]) -> list[GridCell]:
    """The HTML table model: each row's cells (text, rowspan, colspan) fill the first free
    slots, skipping slots taken by row spans from above."""
    taken: set[tuple[int, int]] = set()
    cells: list[GridCell] = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            rs = max(1, min(rs, len(rows) - r))
            cs = max(1, cs)
            cells.append(GridCell(text, r, c, rs, cs))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
    return cells


def grid_lines(cells: list[GridCell], problems: list[str] | None = None) -> list[str]:
    """Write placed cells as pipe lines, one per grid row (rows left empty are skipped).
    ``merged_number_cell`` problems are appended to ``problems`` when given."""
    if not cells:
        return []
    n_rows = max(c.row + c.rowspan for c in cells)
    n_cols = max(c.col + c.colspan for c in cells)
    slots: list[list[GridCell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                if slots[r][c] is None:
                    slots[r][c] = cell
    # Per merged number cell: how many value columns it covers (1 = an ordinary wide cell).
    widths: dict[int, int] = {}
    for cell in cells:
        if cell.numeric and (cell.colspan > 1 or cell.rowspan > 1):
            w = _value_columns(slots, cell) if cell.colspan > 1 else 1
            widths[id(cell)] = w
            unsplittable = cell.text and not _ZERO_LIKE.fullmatch(cell.text)
            if unsplittable and (w > 1 or cell.rowspan > 1) and problems is not None:
                label = next((x.text for x in slots[cell.row] if x and not x.numeric), "")
                problems.append(
                    f"merged_number_cell: {cell.text!r} is printed once over {w} column(s)"
                    f" × {cell.rowspan} row(s) (row {label[:30]!r}); it cannot be split "
                    "into its cells, so they were not read"
                )
    lines = []
    for r in range(n_rows):
        fields: list[str] = []
        seen: set[int] = set()
        for c in range(n_cols):
            cell = slots[r][c]
            if cell is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            w = widths.get(id(cell))
            if w is None:  # not a merged number: written where it starts, labels only once
                if cell.row == r:
                    fields.append(cell.text)
                continue
            split = not cell.text or _ZERO_LIKE.fullmatch(cell.text)
            if split:
                fields += [cell.text] * w
            elif cell.row == r:
                fields.append(cell.text)  # once: the row then has too few cells, and is named
        if any(fields):
            # Markdown-style borders on both ends: the parser reads an empty first or last field
            # between borders as a blank cell, where a bare " | " join would lose it.
            lines.append("| " + " | ".join(fields) + " |")
    return lines


def _value_columns(slots: list[list[GridCell | None]], cell: GridCell) -> int:
    """How many value columns a number cell spanning columns covers: the number of separate
    cells over those columns in the nearest header row above (a row whose cells there are all
    text) — 5 under 商业企业 … 其他, but 1 for 行政许可's one count under the one heading
    本年处理决定数量 that spans the same columns. 1 when there is no such row."""
    cols = range(cell.col, cell.col + cell.colspan)
    for r in range(cell.row - 1, -1, -1):
        above: list[GridCell] = []
        for c in cols:
            x = slots[r][c]
            if x is not None and (not above or above[-1] is not x):
                above.append(x)
        if above and all(not x.numeric for x in above):
            return len(above)
    return 1
