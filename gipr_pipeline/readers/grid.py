"""Tables of every format → the pipe lines the text parser reads.

Each reader places its cells (with their row and column spans) on a grid; this module writes the
grid one table row per line, cells separated by `` | ``. The rules, shared by HTML, DOCX and PDF:

- a cell is written once, in the row and column where it starts;
- a column span adds nothing (no empty padding fields, which the parser would take for blanks);
- a row span repeats nothing for a text label (the parser anchors on the row's own label), but a
  number or a blank cell spanning rows leaves an empty field in the later rows — a value is never
  duplicated, and the parser reports the empty field as a blank read as zero;
- an empty cell is an empty field between pipes, so the parser sees a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gipr_pipeline.readers.decode import normalize

_WS = re.compile(r"\s+")
# Text that can stand in a numeric cell: digits, separators, the dashes used for zero.
_NUMERIC = re.compile(r"[\d.,\s\-—–−/]*")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")


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
    """One cell's text on one field: normalized, whitespace collapsed, no pipe inside."""
    return _WS.sub(" ", normalize(text)).strip().replace("|", "/")


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


def grid_lines(cells: list[GridCell]) -> list[str]:
    """Write placed cells as pipe lines, one per grid row (rows left empty are skipped)."""
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
    lines = []
    for r in range(n_rows):
        fields: list[str] = []
        seen: set[int] = set()
        for c in range(n_cols):
            cell = slots[r][c]
            if cell is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            if cell.row == r:
                fields.append(cell.text)
            elif cell.numeric:  # a number or blank spanning rows: an empty field, never a copy
                fields.append("")
        if any(fields):
            # Markdown-style borders on both ends: the parser reads an empty first or last field
            # between borders as a blank cell, where a bare " | " join would lose it.
            lines.append("| " + " | ".join(fields) + " |")
    return lines
