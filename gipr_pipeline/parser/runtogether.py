"""Crawler dumps: a page whose text nodes a crawler joined, table cells and all.

Such a page holds the whole body on one line, section headings inside it, and every table row's
cells as one run of digits with nothing between them: ``(一)予以公开114000015(二)部分公开…``
(11|4|0|0|0|0|15, or 1|14|0|0|0|0|15). ``resegment`` turns it back into what the table reader
reads: each section heading on a line of its own, each table row on one line with its cells
split (``(一)予以公开 | 11 | 4 | 0 | 0 | 0 | 0 | 15 |``).

How a row is found and split (issue 14, ``docs/template.md``):

- Rows are found by their labels (the template's aliases) in template order; a row's run is the
  first digits after its label, up to the next label. The next label's numbering (``2.``, the
  ``2`` of ``10000012.其他法律…``) is glued to the run and is taken off it.
- A run (whitespace inside it is a cell boundary) is split into the row's cells without leading
  zeros (``0`` alone is a zero). A run with one split only is read as printed, whatever the rules
  say (a broken rule is then a violation, as for any report). A run with several splits keeps
  those that hold the row's own rules (总计 = the sum of the applicant columns), and then the
  table's per-column rules settle them together: a split is taken only when every assignment
  of splits to rows that holds every rule of the table gives that row the same split.
- A row with several possible splits (or none that holds its rules) is named
  (``split_unresolved``) and nothing is stored for it; a rule that needs it is skipped.
- review_litigation prints 15 numbers and no labels: its run is split into 15 cells whose three
  groups of five each hold 总计 = the sum of the other four; one split or nothing.

Pure Python, no Dagster. Only ``parse.parse_text`` calls it, and only when the plain read fails
on a text that looks run together (``looks_run_together``), so the fast path does not pay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from gipr_pipeline.parser.tables import TEXT, Cell, hard_rules_hold, label_key, misprinted_in_gaps
from gipr_pipeline.template import Row, Table, Template, load_template

# A run of digits glued to the end of a label (a character that is not a digit, a space or a
# separator), as crawler dumps print rows: "申请数量298001139", "总计309001141".
_GLUED = re.compile(r"[^\d\s|:,.\-/()\[\]]\s?\d{7,}")
# Where a row's run may start: no further than this many characters after its label (the
# label's printed tail, e.g. "(区分处理的,只计这一情形,不计其他情形)").
_TAIL_MAX = 40
# Labels this short ("其他", "总计") are words of longer labels too: they anchor a row only when
# its run follows them directly.
_SHORT_LABEL = 3
_RUN_NEXT = re.compile(r"\s*[-+]?\d")
_NUMBERING = re.compile(r"^(\d{1,2})\s*[.、．]")
_SIGNATURE_DATE = re.compile(r"\s(\S{2,40})\s+(20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")
# A run longer than this many digits per cell is not split (named): it bounds the search on
# hostile input; real rows of counts stay far below it. The crawler family draws within it.
CELL_MAX = 5
# Steps of the search for one run before it gives up (names the row: too many splits to tell).
_MAX_STEPS = 300_000
# … and for all the runs of one report (a hostile page of long runs costs seconds, not minutes).
MAX_REPORT_STEPS = 600_000
# Forward states kept by the column solver before it gives up (names the rows instead).
_MAX_STATES = 200_000
_MAX_SPLITS = 20_000

Split = tuple[int | float, ...]


def looks_run_together(text: str) -> bool:
    """True when some label is followed by a run of 7 or more digits: the sign of a table whose
    cells were joined (no count of one cell has 7 digits)."""
    return _GLUED.search(text) is not None


@dataclass(slots=True)
class Resegmented:
    text: str
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ splitting one run
def _cell_ok(piece: str, kind: str) -> bool:
    if kind == "signed" and piece[0] in "+-":
        piece = piece[1:]
    if not piece or not piece[0].isdigit():
        return False
    if kind == "decimal" and "." in piece:
        whole, _, frac = piece.partition(".")
        return (
            bool(frac) and frac.isdigit() and (whole == "0" or whole[0] != "0") and whole.isdigit()
        )
    return piece.isdigit() and (piece == "0" or piece[0] != "0")


def _value(piece: str, kind: str) -> int | float:
    return float(piece) if kind == "decimal" else int(piece)


def split_run(
    chunks: list[str],
    kinds: list[str],
    checks: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] | None = None,
    limit: int = _MAX_SPLITS,
    budget: list[int] | None = None,
) -> list[Split] | None:
    """Every split of a run into ``len(kinds)`` cells.

    ``chunks``: the run's pieces as printed (whitespace between them is a cell boundary).
    ``kinds``: per cell, "int" (no sign, no leading zero), "signed" (may open with + or -) or
    "decimal" (may hold a fraction). ``checks``: under cell k, each (total cells, part cells)
    pair that must add up once cell k is set (a row rule; every total is one cell after its
    parts). Returns None when more than ``limit`` splits exist (too many to settle)."""
    s = "".join(chunks)
    n = len(kinds)
    if not s:
        return []
    if n > 1 and len(s) > n * CELL_MAX:
        return None  # longer than any row of counts: too many splits to tell
    forced = set()
    pos = 0
    for c in chunks[:-1]:
        pos += len(c)
        forced.add(pos)
    forced |= {i for i, ch in enumerate(s) if ch in "+-" and i}  # a sign opens a cell
    size = len(s)
    # The furthest a cell starting at i may reach: the next forced boundary.
    reach = [size] * (size + 1)
    nxt = size
    for i in range(size - 1, -1, -1):
        reach[i] = nxt
        if i in forced:
            nxt = i
    # Each rule as (total cell, part cells); cell k adds to the sums of the rules it is a part
    # of, and closes the rule it is the total of.
    rules = [(t[0], set(p)) for lst in (checks or {}).values() for t, p in lst]
    groups = _sum_groups(rules, kinds)
    if groups is not None:
        return _split_grouped(s, reach, kinds, groups, limit, budget or [_MAX_STEPS])
    adds = [[r for r, (_, parts) in enumerate(rules) if k in parts] for k in range(n)]
    closes = [[r for r, (t, _) in enumerate(rules) if t == k] for k in range(n)]
    memo: dict[tuple[int, int, tuple], tuple[Split, ...] | None] = {}

    def sols(start: int, k: int, sums: tuple) -> tuple[Split, ...] | None:
        """The splits of s[start:] into cells k … n-1, given the open rules' part sums (None
        when there are more than ``limit``)."""
        key = (start, k, sums)
        if key in memo:
            return memo[key]
        out: list[Split] = []
        if k == n - 1:
            ends: range | tuple[int, ...] = (size,) if reach[start] == size else ()
        else:
            ends = range(start + 1, min(reach[start], size - (n - k - 1)) + 1)
        for end in ends:
            piece = s[start:end]
            if not _cell_ok(piece, kinds[k]):
                continue
            if end < size and s[end] == "." and kinds[k] == "decimal":
                continue  # a cell never ends before its own decimal point
            v = _value(piece, kinds[k])
            if any(abs(sums[r] - v) > 1e-9 for r in closes[k]):
                continue
            new = list(sums)
            for r in adds[k]:
                new[r] += v
            for r in closes[k]:
                new[r] = 0  # closed: forget it (more states shared)
            if k == n - 1:
                out.append((v,))
                continue
            rest = sols(end, k + 1, tuple(new))
            if rest is None:
                memo[key] = None
                return None
            out += [(v, *r) for r in rest]
            if len(out) > limit:
                memo[key] = None
                return None
        memo[key] = got = tuple(out)
        return got

    got = sols(0, 0, (0,) * len(rules))
    return None if got is None else list(got)


def _sum_groups(rules: list[tuple[int, set[int]]], kinds: list[str]) -> list[int] | None:
    """The cells as consecutive groups (their sizes) when every rule says "the group's last
    cell is the sum of the cells before it in the group" over whole counts (the applications
    row, review_litigation's three rows); None for any other shape of rules."""
    if not rules:
        return None
    sizes, k = [], 0
    for t, parts in sorted(rules):
        if parts != set(range(k, t)) or any(kinds[i] != "int" for i in range(k, t + 1)):
            return None
        sizes.append(t + 1 - k)
        k = t + 1
    if k != len(kinds):
        return None
    return sizes


def _split_grouped(
    s: str, reach: list[int], kinds: list[str], sizes: list[int], limit: int, budget: list[int]
) -> list[Split] | None:
    """``split_run`` for cells in sum groups (``_sum_groups``): each group's total is chosen
    first (a piece of the run), then its parts are the splits of the piece before it that add
    up to it, so a part never exceeds what is left of the total."""
    size = len(s)

    def ok(a: int, b: int) -> bool:
        return b <= reach[a] and (b == a + 1 or s[a] != "0")

    span_memo: dict[tuple[int, int, int], tuple[int, int] | None] = {}

    def span(a: int, b: int, m: int) -> tuple[int, int] | None:
        """The least and the greatest sum of m pieces of s[a:b]; None if it has no split."""
        key = (a, b, m)
        if key in span_memo:
            return span_memo[key]
        lo = hi = None
        if m == 1:
            if ok(a, b):
                lo = hi = int(s[a:b])
        else:
            for end in range(a + 1, min(reach[a], b - (m - 1)) + 1):
                if not ok(a, end):
                    break
                rest = span(end, b, m - 1)
                if rest is None:
                    continue
                v = int(s[a:end])
                lo = v + rest[0] if lo is None else min(lo, v + rest[0])
                hi = v + rest[1] if hi is None else max(hi, v + rest[1])
        span_memo[key] = got = None if lo is None or hi is None else (lo, hi)
        return got

    parts_memo: dict[tuple[int, int, int, int], tuple[Split, ...]] = {}
    steps = [0]

    def parts(a: int, b: int, m: int, total: int) -> tuple[Split, ...]:
        key = (a, b, m, total)
        got = parts_memo.get(key)
        if got is not None:
            return got
        steps[0] += 1
        budget[0] -= 1
        if steps[0] > _MAX_STEPS or budget[0] < 0:
            raise _TooMany
        out: list[Split] = []
        bounds = span(a, b, m)
        if bounds is None or not bounds[0] <= total <= bounds[1]:
            pass  # m pieces of s[a:b] cannot add up to that
        elif m == 1:
            if ok(a, b) and int(s[a:b]) == total:
                out.append((total,))
        else:
            for end in range(a + 1, min(reach[a], b - (m - 1)) + 1):
                if not ok(a, end):
                    break
                v = int(s[a:end])
                if v > total:
                    break  # longer pieces are larger still
                out += [(v, *r) for r in parts(end, b, m - 1, total - v)]
        parts_memo[key] = got = tuple(out)
        return got

    memo: dict[tuple[int, int], tuple[Split, ...] | None] = {}

    def groups(start: int, g: int) -> tuple[Split, ...] | None:
        if g == len(sizes):
            return ((),) if start == size else ()
        key = (start, g)
        if key in memo:
            return memo[key]
        m = sizes[g] - 1
        left = sum(sizes[g + 1 :])
        out: list[Split] = []
        for j in range(start + m, size - left):  # where the group's total starts
            for e in range(j + 1, size - left + 1):  # where it ends
                if not ok(j, e):
                    break
                total = int(s[j:e])
                heads = parts(start, j, m, total)
                if not heads:
                    continue
                tails = groups(e, g + 1)
                if tails is None:
                    memo[key] = None
                    return None
                out += [(*h, total, *t) for h in heads for t in tails]
                if len(out) > limit:
                    memo[key] = None
                    return None
        memo[key] = got = tuple(out)
        return got

    if any(k != "int" for k in kinds):
        return None
    try:
        got = groups(0, 0)
    except _TooMany:
        return None
    return None if got is None else list(got)


class _TooMany(Exception):
    """The search for a run's splits ran past ``_MAX_STEPS``."""


def _kinds(table: Table, row: Row) -> list[str]:
    return [
        "decimal" if table.is_decimal(row, c) else ("signed" if c in table.signed else "int")
        for c in row.columns
    ]


def _row_checks(
    template: Template, table: Table, rows: list[Row]
) -> dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """The row rules of ``rows`` printed one after the other, by the index of their last cell."""
    checks: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}
    base = 0
    for row in rows:
        for rule in template.sum_rules:
            if rule.table != table.code or rule.per != "row":
                continue
            if not set(rule.total) | set(rule.parts) <= set(row.columns):
                continue
            total = tuple(base + row.columns.index(c) for c in rule.total)
            parts = tuple(base + row.columns.index(c) for c in rule.parts)
            checks.setdefault(max(total + parts), []).append((total, parts))
        base += len(row.columns)
    return checks


def row_splits(
    template: Template, table: Table, row: Row, chunks: list[str], budget: list[int] | None = None
) -> list[Split] | None:
    """The splits of one row's run (``chunks``, as ``split_run``) that hold the row's own rules;
    None when there are too many to tell within the search bound (the reader names the row)."""
    return split_run(chunks, _kinds(table, row), _row_checks(template, table, [row]), budget=budget)


# ------------------------------------------------------------------ settling a table
def settle(
    template: Template, table: Table, cands: dict[int, list[Split]]
) -> tuple[dict[int, Split], dict[int, int]]:
    """The split of each row (by template index) that every assignment holding the table's
    per-column rules agrees on.

    ``cands``: per row found, its splits (a row with one split is taken as printed; a row with
    none is unknown and the rules that need it are dropped). Returns (settled rows, for each
    unsettled row the number of its splits that fit some assignment: 0 = none fits, -1 = too
    many to tell)."""
    settled: dict[int, Split] = {i: c[0] for i, c in cands.items() if len(c) == 1}
    open_rows = [i for i, c in cands.items() if len(c) > 1]
    if not open_rows:
        return settled, {}
    unknown = {i for i, c in cands.items() if not c} | {
        i for i in range(len(table.rows)) if i not in cands
    }
    codes = [r.code for r in table.rows]
    # Each per-column rule and column is one coordinate: sum(total rows) - sum(part rows) = 0.
    dims: list[tuple[dict[int, int], int]] = []
    for rule in template.sum_rules:
        if rule.table != table.code or rule.per != "column":
            continue
        coef: dict[int, int] = {}
        for r in rule.total:
            coef[codes.index(r)] = coef.get(codes.index(r), 0) + 1
        for r in rule.parts:
            coef[codes.index(r)] = coef.get(codes.index(r), 0) - 1
        if unknown & coef.keys():
            continue  # a rule that needs a row not read cannot settle anything
        for col in table.columns:
            dims.append((coef, col))
    if not dims:
        return settled, {i: len(cands[i]) for i in open_rows}

    def contrib(i: int, split: Split) -> tuple[int | float, ...]:
        row = table.rows[i]
        out = []
        for coef, col in dims:
            c = coef.get(i, 0)
            out.append(c * split[row.columns.index(col)] if c and col in row.columns else 0)
        return tuple(out)

    base = [0] * len(dims)
    for i, split in settled.items():
        for d, v in enumerate(contrib(i, split)):
            base[d] += v
    vecs = {i: [contrib(i, s) for s in cands[i]] for i in open_rows}
    # Forward: the states reachable after each open row; backward: the sums of the rows after.
    forward = [{tuple(base)}]
    for i in open_rows:
        nxt = {
            tuple(a + b for a, b in zip(s, v, strict=True)) for s in forward[-1] for v in vecs[i]
        }
        if len(nxt) > _MAX_STATES:
            return settled, {i: -1 for i in open_rows}
        forward.append(nxt)
    backward = [{tuple([0] * len(dims))}]
    for i in reversed(open_rows):
        nxt = {
            tuple(a + b for a, b in zip(s, v, strict=True)) for s in backward[-1] for v in vecs[i]
        }
        if len(nxt) > _MAX_STATES:
            return settled, {i: -1 for i in open_rows}
        backward.append(nxt)
    backward.reverse()  # backward[k]: sums of open rows k … end
    unsettled: dict[int, int] = {}
    for k, i in enumerate(open_rows):
        after = backward[k + 1]
        fits = [
            s
            for s, v in zip(cands[i], vecs[i], strict=True)
            if any(tuple(-(a + b) for a, b in zip(f, v, strict=True)) in after for f in forward[k])
        ]
        if len(fits) == 1:
            settled[i] = fits[0]
        else:
            unsettled[i] = len(fits)
    return settled, unsettled


# ------------------------------------------------------------------ finding rows
@cache
def _alias_pattern(table: Table) -> re.Pattern[str]:
    aliases = sorted(
        {a for r in table.rows for a in (r.aliases or (r.label,))}, key=len, reverse=True
    )
    return re.compile("|".join(map(re.escape, aliases)))


@cache
def _alias_rows(table: Table) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for j, r in enumerate(table.rows):
        for a in r.aliases or (r.label,):
            out.setdefault(a, set()).add(j)
    return {a: frozenset(s) for a, s in out.items()}


def _anchors(body: str, table: Table, window: int = 3) -> list[tuple[int, int, int]]:
    """(row index, label start, label end) for each row label found, in template order: a label
    matches the next expected row or one of the two after it (as ``tables.find_anchors``)."""
    rows_of = _alias_rows(table)
    out: list[tuple[int, int, int]] = []
    nxt, last_end = 0, 0
    pat = _alias_pattern(table)
    pos = 0
    while nxt < len(table.rows):
        m = pat.search(body, pos)
        if m is None:
            break
        pos = m.start() + 1
        if m.start() < last_end:
            continue
        rows = rows_of[m.group()]
        if len(m.group()) <= _SHORT_LABEL and not _RUN_NEXT.match(body, m.end()):
            continue  # "其他" in "(六)其他处理": a short label is followed by its run
        for j in range(nxt, min(nxt + window, len(table.rows))):
            if j in rows:
                out.append((j, m.start(), m.end()))
                nxt, last_end, pos = j + 1, m.end(), m.end()
                break
    return out


# The text between two runs: a label candidate, after the numbering's dot left by the run
# before it ("…1000001" + "2." + "没有现成…": the "2" is glued to that run).
_TEXT_PIECE = re.compile(r"[^\d]+")
_PIECE_LEAD = ".、．: \u3000"


def _misprinted(body: str, table: Table, anchors: list[tuple[int, int, int]]) -> dict[int, str]:
    """Misprinted labels between the rows found, as (row index, label start, label end) anchors
    (as ``_anchors``), by the line-wise recovery's rule (``tables.misprinted_in_gaps``: close
    to the label of a row missing between the rows found before and after it, and to no other
    such row). Returns the anchors added, by row index, with the printed label text."""
    cells: list[Cell] = []
    chain: list[tuple[int, int]] = []
    spans: dict[int, tuple[int, int]] = {}
    prev_j, prev_end = -1, 0
    for j, start, end in [*anchors, (len(table.rows), len(body), len(body))]:
        if j - prev_j >= 2:  # rows missing in between: every text piece is a candidate
            for m in _TEXT_PIECE.finditer(body, prev_end, start):
                text = m.group()
                a = m.start() + len(text) - len(text.lstrip(_PIECE_LEAD))
                b = m.end() - (len(text) - len(text.rstrip()))
                if b - a >= 4:
                    spans[len(cells)] = (a, b)
                    cells.append(Cell(body[a:b], TEXT, key=label_key(body[a:b])))
        if j < len(table.rows):
            chain.append((j, len(cells)))
            cells.append(Cell(body[start:end], TEXT, key=label_key(body[start:end])))
        prev_j, prev_end = j, end
    texts = list(spans)
    return {j: spans[i] for j, i in misprinted_in_gaps(cells, texts, table, chain)}


_OTHER_ROWS = frozenset({"3.6.1", "3.6.2", "3.6.3"})
_ONE_ROW = re.compile(r"其他处理\s*\d")


def _one_row_other(table: Table, anchors: list[tuple[int, int, int]], body: str) -> bool:
    codes = {table.rows[j].code for j, _, _ in anchors}
    if not set(table.row_codes) >= _OTHER_ROWS or codes & _OTHER_ROWS:
        return False
    return _ONE_ROW.search(body) is not None


def _start(anchor: tuple[int, int, int]) -> int:
    return anchor[1]


def _expected_number(row: Row) -> str | None:
    m = _NUMBERING.match(row.label)
    return m.group(1) if m else None


def _run_after(segment: str, table: Table, row: Row, next_row: Row | None) -> list[str]:
    """The chunks of the run that follows a label (``segment``: the text up to the next label)."""
    m = re.search(r"\d", segment)
    if m is None or m.start() > _TAIL_MAX:
        return []
    kinds = set(_kinds(table, row))
    extra = ("." if "decimal" in kinds else "") + ("+-" if "signed" in kinds else "")
    start = m.start()
    if "signed" in kinds and start and segment[start - 1] in "+-":
        start -= 1
    allowed = set("0123456789 \t\u3000\n" + extra)
    end = start
    while end < len(segment) and segment[end] in allowed:
        end += 1
    run = segment[start:end].rstrip()
    # The next label's numbering glued to the run: "…1000001" + "2." (a decimal row's dot
    # with no digit after it is such a numbering's too).
    numbered = segment[start + len(run) : start + len(run) + 1] in (".", "、", "．")
    if run.endswith("."):
        run, numbered = run.rstrip(".").rstrip(), True
    if numbered and next_row is not None:
        want = _expected_number(next_row)
        if want and run.endswith(want):
            run = run[: -len(want)]
    return run.split()


# ------------------------------------------------------------------ the whole text
@cache
def _heading_pattern(template: Template) -> re.Pattern[str]:
    alts = []
    for s in template.sections:
        aliases = sorted(s.aliases, key=len, reverse=True)
        alts.append(
            f"(?P<{s.code}>{s.number}\\s*[、.,,．]\\s*(?:{'|'.join(map(re.escape, aliases))}))"
        )
    return re.compile("|".join(alts))


def _fmt(v: int | float) -> str:
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def _show(split: Split) -> str:
    return "|".join(map(_fmt, split))


def _labelled(
    body: str, template: Template, table: Table, problems: list[str], budget: list[int]
) -> list[str]:
    anchors = _anchors(body, table)
    if _one_row_other(table, anchors, body):
        # (六)其他处理 printed as one row in a 2021 report: split with the 2019 rows (the row
        # stands for 3.6.1 + 3.6.2 + 3.6.3 in the rules); the parser then reads it as such.
        old = load_template("2019")
        return _labelled(body, old, old.table(table.code), problems, budget)
    misprinted = _misprinted(body, table, anchors) if len(anchors) < len(table.rows) else {}
    if misprinted:
        anchors = sorted([*anchors, *((j, a, b) for j, (a, b) in misprinted.items())], key=_start)
    cands: dict[int, list[Split]] = {}
    printed: dict[int, str] = {}
    for a, (j, _, end) in enumerate(anchors):
        stop = anchors[a + 1][1] if a + 1 < len(anchors) else len(body)
        row = table.rows[j]
        nxt = table.rows[j + 1] if j + 1 < len(table.rows) else None
        chunks = _run_after(body[end:stop], table, row, nxt)
        printed[j] = " ".join(chunks)
        if not chunks:
            continue  # the reader names the row (cell_count)
        kinds = _kinds(table, row)
        every = split_run(chunks, kinds, limit=1)
        if every is not None:  # one split, or none
            cands[j] = every
            continue
        fit = row_splits(template, table, row, chunks, budget)
        cands[j] = fit if fit is not None else []
        if fit is None:
            printed[j] += " (too many splits)"
    settled, unsettled = settle(template, table, cands)
    if misprinted:
        # A label read by similarity must prove itself: every row settled and every hard rule of
        # the table holding. Else its row is named and the rows are settled without it (its
        # numbers must not settle another row's split).
        values = {
            (table.rows[j].code, c): v
            for j, split in settled.items()
            for c, v in zip(table.rows[j].columns, split, strict=True)
        }
        if len(settled) == len(table.rows) and hard_rules_hold(values, table, template):
            for j, (a, b) in sorted(misprinted.items()):
                row = table.rows[j]
                problems.append(
                    f"label_misprinted: {table.code} {row.code} {body[a:b]!r} read as "
                    f"{row.label!r} (by similarity and position)"
                )
        else:
            settled, unsettled = settle(
                template, table, {j: c for j, c in cands.items() if j not in misprinted}
            )
            for j, (a, b) in sorted(misprinted.items()):
                settled.pop(j, None)
                unsettled.pop(j, None)
                cands.pop(j, None)
                row = table.rows[j]
                problems.append(
                    f"split_unresolved: {table.code} {row.code} {printed[j]!r} (its label is "
                    f"misprinted, {body[a:b]!r}, and the table's balance rules do not confirm "
                    f"it is {row.label!r}); nothing stored"
                )
    lines = []
    for j, _, _ in anchors:
        row = table.rows[j]
        if j in settled:
            lines.append(" | ".join([row.label, *map(_fmt, settled[j])]) + " |")
            continue
        lines.append(row.label + " |")
        if j in unsettled or (j in cands and not cands[j]):
            n = unsettled.get(j, 0)
            why = (
                "too many splits to settle"
                if n < 0
                else (
                    f"{n} splits hold every rule of the table"
                    if n > 1
                    else "no split holds every rule of the table"
                )
            )
            if n > 1 and len(cands[j]) <= 4:
                why += ": " + ", ".join(_show(s) for s in cands[j])
            problems.append(
                f"split_unresolved: {table.code} {row.code} {printed[j]!r} ({why}); nothing stored"
            )
    return lines


def _unlabelled(
    body: str, template: Template, table: Table, problems: list[str], budget: list[int]
) -> list[str]:
    chunks = re.findall(r"\d+", body)
    if not chunks:
        return []
    kinds = [k for r in table.rows for k in _kinds(table, r)]
    every = split_run(chunks, kinds, _row_checks(template, table, list(table.rows)), budget=budget)
    if every is not None and len(every) == 1:
        return [" | ".join(map(_fmt, every[0])) + " |"]
    if every is None:
        why = "too many splits to settle"
    elif every:
        why = f"{len(every)} splits hold every rule of the table"
    else:
        plain = split_run(chunks, kinds)
        if plain is not None and len(plain) == 1:
            return [" | ".join(map(_fmt, plain[0])) + " |"]  # as printed: the rule is broken
        why = "no split holds every rule of the table"
    problems.append(f"split_unresolved: {table.code} {' '.join(chunks)!r} ({why}); nothing stored")
    return []


def resegment(text: str, template: Template) -> Resegmented:
    """The text with section headings on their own lines and each table rewritten one row per
    line, its cells split (see the module docstring). Problems name the rows not split."""
    problems: list[str] = []
    budget = [MAX_REPORT_STEPS]
    pat = _heading_pattern(template)
    order = {s.code: k for k, s in enumerate(template.sections)}
    tables = {t.section: t for t in template.tables}
    pieces: list[str] = []
    pos, last = 0, -1
    current: str | None = None
    for m in pat.finditer(text):
        code = m.lastgroup
        if code is None or order[code] <= last:
            continue
        pieces += _body(text[pos : m.start()], current, tables, template, problems, budget)
        pieces.append(m.group().strip())
        current, last, pos = code, order[code], m.end()
    pieces += _body(text[pos:], current, tables, template, problems, budget, final=True)
    lines = [p.strip() for p in "\n".join(pieces).split("\n")]
    n = sum(1 for p in problems if p.startswith("split_unresolved"))
    problems.insert(
        0,
        "run_together: the tables' cells were printed with nothing between them; each row's"
        " digits were split into the template's cells"
        + (f" ({n} not settled)" if n else " (every split settled by the balance rules)"),
    )
    return Resegmented("\n".join(ln for ln in lines if ln), problems)


def _body(
    body: str,
    section: str | None,
    tables: dict[str, Table],
    template: Template,
    problems: list[str],
    budget: list[int],
    final: bool = False,
) -> list[str]:
    table = tables.get(section) if section else None
    if table is None:
        if final:
            m = _SIGNATURE_DATE.search(body)
            if m:
                return [body[: m.start()], m.group(1), m.group(2)]
        return [body]
    flat = body.replace("\n", " ")
    if table.unlabelled:
        return _unlabelled(flat, template, table, problems, budget)
    return _labelled(flat, template, table, problems, budget)
