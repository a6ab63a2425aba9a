"""Check a reader's text against the truth: every printed table row is one pipe line whose
fields after the row label are the printed cells (blank cells as empty fields) between
"| … |" borders."""

from __future__ import annotations

from gipr_pipeline.corpus.render import Truth

from .builders import Layout, TableBlock, _fmt


def fields(line: str) -> list[str]:
    """The cells of a "| a | b |" line (rows are written between borders)."""
    line = line.strip()
    if line.startswith("|") and line.endswith("|") and len(line) > 1:
        line = line[1:-1]
    return [f.strip() for f in line.split("|")]


def line_after_label(text: str, label: str) -> list[str]:
    """The fields after ``label`` on the (only) line holding that label as a field."""
    hits = [fields(ln) for ln in text.split("\n") if label in fields(ln)]
    assert len(hits) == 1, f"{label!r} on {len(hits)} lines"
    f = hits[0]
    return f[f.index(label) + 1 :]


def expected_row(truth: Truth, lay: Layout, table: str, row: str) -> list[str]:
    t = truth.template.table(table)
    blank = set(lay.blanks)
    return [
        "" if (table, row, c) in blank else _fmt(truth.cells[table][(row, c)])
        for c in t.row(row).columns
    ]


def assert_shape(text: str, truth: Truth, lay: Layout) -> None:
    """Every labelled table row on one line, in the template's order and with its exact
    printed cells; the review/litigation table's 15 cells on one line; no value duplicated."""
    for block in lay.blocks:
        if not isinstance(block, TableBlock):
            continue
        t = truth.template.table(block.code)
        if t.unlabelled:
            cells = [x for r in t.rows for x in expected_row(truth, lay, t.code, r.code)]
            lines = [fields(ln) for ln in text.split("\n")]
            assert cells in lines, f"no line with the 15 cells {cells}"
            continue
        for r in t.rows:
            got = line_after_label(text, r.label)
            assert got == expected_row(truth, lay, t.code, r.code), r.code
    # Paragraphs are lines of their own, in order.
    paras = [b for b in lay.blocks if isinstance(b, str)]
    lines = text.split("\n")
    positions = [lines.index(p) for p in paras]
    assert positions == sorted(positions)
