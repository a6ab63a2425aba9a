"""Read the template's tables out of section text, whatever the layout.

The text is cut into cells (pipes, tabs, line breaks, or whitespace before trailing numbers);
rows are anchored on their labels (through the template's aliases, spaces and numbering ignored,
truncated or split labels tolerated), and each row then reads the template's number of cells in
the template's column order. Headers need no parsing: the template fixes the column order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar

from rapidfuzz.distance import Indel, Levenshtein

from gipr_pipeline.parser import rules
from gipr_pipeline.parser.model import Fact
from gipr_pipeline.template import Row, Table, Template

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
_PAD = " \u3000"  # padding around a field's text
# A page number on its own line, as PDF converters leave them inside tables: "— 5 —", "- 5 -",
# "-5-", "·5·", "第5页", "第 5 页 共 12 页", "5/12", "Page 5". Layout, not cells: "— 5 —"
# would read as a blank, a 5 and a blank. A bare number alone on a line is a cell (one cell per
# line), never taken for a page number here (``_rows_from_lines`` skips one when the rules agree).
_G = r"[^\S\n]*"  # spaces within a line
_PAGE_NUMBER_BODY = (
    rf"(?:[—–－―\-·•~]{{1,3}}{_G}\d{{1,4}}{_G}[—–－―\-·•~]{{1,3}}"
    rf"|第{_G}\d{{1,4}}{_G}页(?:{_G}[,，/]?{_G}共{_G}\d{{1,4}}{_G}页)?"
    rf"|\d{{1,4}}{_G}/{_G}\d{{1,4}}|[Pp]age{_G}\d{{1,4}}(?:{_G}of{_G}\d{{1,4}})?)"
)
_PAGE_NUMBER = re.compile(rf"(?m)^{_G}{_PAGE_NUMBER_BODY}{_G}$")
_PAGE_LINE = re.compile(_PAGE_NUMBER_BODY)  # fullmatch on a stripped line
# The first characters a page-number line can open with (a cheap test before the regex).
_PAGE_FIRST = frozenset("—–－―-·•~第Pp0123456789")
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
    key: str = ""  # label_key(text), for TEXT cells
    # A non-negative whole count printed plainly: stored with nothing to name (the common case).
    plain: bool = False


@dataclass(slots=True)
class TableRead:
    found: bool
    values: dict[tuple[str, str], int | float] = field(default_factory=dict)
    # The table's facts in template order (rows, then columns), as stored.
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    blanks: list[tuple[str, str, str]] = field(default_factory=list)  # (row, column, printed)


def _number(text: str) -> int | float:
    t = text.replace(",", "")
    return float(t) if "." in t else int(t)


# Cells are never modified once made, so one Cell serves every equal text (and one tuple of
# cells every equal line): reports repeat the same few cell texts ("0", "—", row labels) and
# lines ("0 |", "规章 | 0 | 0 | 0 |") thousands of times. Bounded and small: cleared when full,
# as most lines with counts are seen once, and a big cache of them only slows every lookup
# and every garbage collection (8k entries refill in a few hundred reports).
_CACHE_MAX = 8192
_V = TypeVar("_V")
_CELL_CACHE: dict[str, Cell] = {}
_LINE_CACHE: dict[str, tuple[tuple[Cell, ...], tuple[int, ...]]] = {}


def _memo(cache: dict[str, _V], key: str, make: Callable[[str], _V]) -> _V:
    """``make(key)``, kept in ``cache`` (cleared when full)."""
    got = cache.get(key)
    if got is None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        got = cache[key] = make(key)
    return got


def classify(text: str) -> Cell:
    return _memo(_CELL_CACHE, text, _classify)


def _classify(text: str) -> Cell:
    if _NUM_RE.fullmatch(text):
        v = _number(text)
        return Cell(text, VALUE, v, plain=v.__class__ is int and v >= 0)
    if _MARK_RE.fullmatch(text):
        return Cell(text, MARK, 0)
    m = _DECORATED_RE.fullmatch(text)
    if m and (m.group(1) or m.group(3)):
        return Cell(text, VALUE, _number(m.group(2)), decorated=True)
    return Cell(text, TEXT, key=label_key(text))


# "约 10" is one decorated number, not a label "约" and a number.
_DECORATIONS = frozenset({"约", "大约", "近"})
_FIELD_CACHE: dict[str, tuple[tuple[Cell, ...], bool]] = {}


def _split_field(raw: str) -> tuple[tuple[Cell, ...], bool]:
    """The cells of one field as printed between separators, and whether it held a value."""
    f = raw.strip(_PAD)
    if not f:
        return (_BLANK,), False  # an empty field between separators: a blank cell
    if f.isdigit() and f.isascii():  # a plain count, most fields: no regex needed
        return (classify(f),), True
    # A label with its numbers ("规章 0 9 6", the bare layout) is split without classifying the
    # whole field: such lines are unique per report and would only fill the cell cache.
    m = _TRAILING_NUMS.match(f)
    if m is None or m.group(1) in _DECORATIONS:
        c = classify(f)
        return (c,), c.kind != TEXT
    head = m.group(1)  # a number too when the whole field is numbers
    nums = tuple(classify(part) for part in m.group(2).split())
    return ((classify(head), *nums) if head else nums), True


_BLANK = Cell("", BLANK)
_KIND = attrgetter("kind")
_WEAK = Cell("", WEAK)


def tokenize(text: str) -> list[Cell]:
    """Cut section text into cells.

    Empty fields are blank cells only on lines that also hold values (a row's interior
    blanks), or as a line holding a lone "|" (one cell per line); on header lines they are
    layout. A line's final separator ends the line and holds no cell.
    """
    return _tokenize(text)[0]


_LABEL_FIRST = (0,)


def _tokenize(text: str) -> tuple[list[Cell], list[int]]:
    """The cells, and the indices of the TEXT cells among them."""
    cells: list[Cell] = []
    texts: list[int] = []
    cache = _LINE_CACHE
    for line in text.split("\n"):
        got = cache.get(line)
        if got is None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            line_cells = _tokenize_line(line)
            offsets = tuple([i for i, c in enumerate(line_cells) if c.kind == TEXT])
            got = cache[line] = (line_cells, _LABEL_FIRST if offsets == (0,) else offsets)
        line_cells, offsets = got
        if offsets:
            if offsets is _LABEL_FIRST:  # most lines: a label, then its values
                texts.append(len(cells))
            else:
                base = len(cells)
                texts += [base + o for o in offsets] if base else offsets
        cells += line_cells
    return cells, texts


def _tokenize_line(line: str) -> tuple[Cell, ...]:
    s = line.strip(" \u3000")  # not tabs: a trailing tab holds a (blank) cell
    bare = s.strip()
    if not bare:
        return ()
    if bare == "|":  # a lone "|" (with a tab, say): one blank cell
        return (_BLANK,)
    if bare[0] in _PAGE_FIRST and len(bare) <= 24 and _PAGE_LINE.fullmatch(bare):
        return ()  # a page number
    if s[0] == "|":  # markdown border
        s = s[1:].lstrip()
    # Fields as printed, padding and all: the field cache strips them (most lines are new, and
    # str.split is several times faster than a regex that also eats the padding).
    fields = (s.replace("\t", "|") if "\t" in s else s).split("|")
    if s[-1] == "|" and len(fields) > 1:
        fields.pop()  # the line's terminating pipe holds no cell
    trailing = 0
    while fields and not fields[-1].strip(_PAD):
        fields.pop()
        trailing += 1
    line_cells: list[Cell] = []
    has_value = False
    fields_cache = _FIELD_CACHE
    for f in fields:
        got = fields_cache.get(f)
        if got is None:
            got = _memo(fields_cache, f, _split_field)
        line_cells += got[0]
        if got[1]:
            has_value = True
    if not has_value:
        # "行政处罚 | |": a label whose one cell is blank.
        return (*(c for c in line_cells if c.kind != BLANK), *(_WEAK,) * trailing)
    if len(line_cells) > 1:
        line_cells += (_WEAK,) * trailing
    return tuple(line_cells)


_KEY_CACHE: dict[str, str] = {}


def label_key(text: str) -> str:
    return _memo(_KEY_CACHE, text, _label_key)


def _label_key(text: str) -> str:
    key = _WS.sub("", text)
    while True:
        m = _NUMBERING.match(key)
        if not m or m.end() == len(key):
            return key
        key = key[m.end() :]


# Per table (templates are loaded once and cached, so their identity is stable).
_ROW_KEYS: dict[int, tuple[Table, list[tuple[str, ...]]]] = {}
_ROW_MATCH: dict[tuple[int, str], frozenset[int]] = {}


def _row_keys(table: Table) -> list[tuple[str, ...]]:
    hit = _ROW_KEYS.get(id(table))
    if hit is None or hit[0] is not table:
        keys = [tuple(label_key(a) for a in (r.aliases or (r.label,))) for r in table.rows]
        hit = _ROW_KEYS[id(table)] = (table, keys)
    return hit[1]


def _rows_matching(key: str, table: Table) -> frozenset[int]:
    """Indices of the table's rows whose aliases ``key`` matches (see ``_matches``)."""
    ck = (id(table), key)
    hit = _ROW_MATCH.get(ck)
    if hit is None:
        if len(_ROW_MATCH) >= _CACHE_MAX:
            _ROW_MATCH.clear()
        keys = _row_keys(table)
        hit = _ROW_MATCH[ck] = frozenset(j for j, al in enumerate(keys) if _matches(key, al))
    return hit


def _matches(key: str, aliases: tuple[str, ...]) -> bool:
    for a in aliases:
        if key == a:
            return True
        if len(a) >= 4 and a in key:  # label with its group label or a note glued on
            return True
        if len(key) >= _MIN_PREFIX and len(a) > len(key) and a.startswith(key):  # truncated
            return True
    return False


def find_anchors(
    cells: list[Cell], table: Table, texts: list[int] | None = None
) -> list[tuple[int, int]]:
    """(row index in template, cell index) for each row label found, in order. ``texts``: the
    indices of the TEXT cells, when known (see ``_tokenize``)."""
    if texts is None:
        texts = [i for i, c in enumerate(cells) if c.kind == TEXT]
    anchors: list[tuple[int, int]] = []
    nxt = 0
    n = len(table.rows)
    tid = id(table)
    _row_keys(table)  # registers the table under its id
    match = _ROW_MATCH
    for i in texts:
        if nxt >= n:
            break
        k = cells[i].key
        if not k:
            continue
        rows = match.get((tid, k))
        if rows is None:
            rows = _rows_matching(k, table)
        if not rows:
            continue
        if nxt in rows:  # the row expected next: the common case
            anchors.append((nxt, i))
            nxt += 1
            continue
        for j in range(nxt + 1, min(nxt + _WINDOW, n)):
            if j in rows:
                anchors.append((j, i))
                nxt = j + 1
                break
    return anchors


def take_values(span: list[Cell], n: int) -> tuple[list[Cell] | None, str | None]:
    """The row's n cells from the cells between its label and the next label.

    Text cells (group labels, split label tails) are skipped. Blank cells are zeros only when
    the values alone fall short of the row's width and the blanks fill exactly that width.
    """
    if len(span) == n:
        for c in span:
            if not VALUE <= c.kind <= MARK:
                break
        else:
            return span, None  # the common case: exactly the row's values
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


# Per row (templates are cached, so rows keep their identity): each cell's key and a cache of
# its facts by value. Facts are immutable, so one Fact serves every report with the same count
# in the same cell (most cells of most reports hold the same few small numbers).
_FACTS_PER_CELL = 256
_new_tuple = tuple.__new__


class _CellFacts(dict):
    """One cell's facts by value; a value not seen yet makes its Fact (kept while there is room)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[str, str, str]):
        super().__init__()
        self.key = key

    def __missing__(self, v: int | float) -> Fact:
        f = _new_tuple(Fact, (*self.key, v))  # Fact(...) without its Python-level __new__
        if len(self) < _FACTS_PER_CELL:
            self[v] = f
        return f


_Slots = tuple[tuple[tuple[str, str], ...], tuple[_CellFacts, ...], bool]
_ROW_SLOTS: dict[int, tuple[Row, _Slots]] = {}
_PLAIN = attrgetter("plain")
_VALUE = attrgetter("value")
_FACT_OF = _CellFacts.__getitem__


def _row_slots(row: Row, table: Table) -> _Slots:
    hit = _ROW_SLOTS.get(id(row))
    if hit is None or hit[0] is not row:
        keys = tuple((row.code, c) for c in row.columns)
        facts = tuple(_CellFacts((table.code, row.code, c)) for c in row.columns)
        decimal = row.decimal or bool(table.decimal_columns)
        hit = _ROW_SLOTS[id(row)] = (row, (keys, facts, decimal))
    return hit[1]


def _store(read: TableRead, table: Table, row: Row, cells: list[Cell]) -> None:
    keys, cell_facts, decimal = _row_slots(row, table)
    if decimal:
        for key, c in zip(keys, cells, strict=True):
            _store_cell(read, table, row, key, c)
        return
    if all(map(_PLAIN, cells)):  # the common row: plain counts, stored in C loops
        vs = list(map(_VALUE, cells))
        read.values.update(zip(keys, vs, strict=True))
        read.facts += map(_FACT_OF, cell_facts, vs)
        return
    values = read.values
    facts = read.facts
    for key, fs, c in zip(keys, cell_facts, cells, strict=True):
        if c.plain:
            v = c.value
        elif c.kind == MARK or c.kind == BLANK or c.kind == WEAK:
            v = 0  # a zero printed as a mark or left blank: kept, and named
            read.blanks.append((key[0], key[1], c.text))
        else:
            _store_cell(read, table, row, key, c)
            continue
        values[key] = v
        facts.append(fs[v])


def _store_cell(read: TableRead, table: Table, row: Row, key: tuple[str, str], c: Cell) -> None:
    col = key[1]
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
    read.values[key] = v
    read.facts.append(Fact(table.code, row.code, col, v))


def read_table(text: str, table: Table, template: Template | None = None) -> TableRead:
    """The table read from its section text.

    The plain read anchors rows on their labels (``find_anchors``). When it leaves a row
    missing or unreadable and ``template`` is given (its hard balance rules are the checksum),
    the layout-recovery reads of ``recover`` run; a report the plain read reads in full never
    reaches them."""
    cells, texts = _tokenize(text)
    read = (
        _read_unlabelled(cells, table) if table.unlabelled else _read_anchored(cells, texts, table)
    )
    if template is None or not _incomplete(read):
        return read
    return recover(text, table, template, read)


def _read_anchored(cells: list[Cell], texts: list[int], table: Table) -> TableRead:
    anchors = find_anchors(cells, table, texts)
    # One stray label is not a table: at least two rows must anchor.
    if len(anchors) < min(2, len(table.rows)):
        return TableRead(found=False)
    return _read_spans(cells, anchors, table)


def _read_spans(
    cells: list[Cell],
    anchors: list[tuple[int, int]],
    table: Table,
    line_of: list[int] | None = None,
) -> TableRead:
    """Each anchored row reads its cells from its label to the next anchored label.

    ``line_of`` (the fallback's reads): the line of each cell. A row whose span holds more
    numbers than its width, but whose label's own line holds exactly its width, reads that line
    and names the numbers left over (a bare page number between two rows, say)."""
    read = TableRead(found=True)
    if len(anchors) < len(table.rows) or line_of is not None:
        # (The plain read's anchors are distinct rows: as many as the rows means none missing.)
        found_rows = {j for j, _ in anchors}
        for j, row in enumerate(table.rows):
            if j not in found_rows:
                read.problems.append(f"row_missing: {table.code} {row.code}")
    rows = table.rows
    values = read.values
    facts = read.facts
    n_anchors = len(anchors)
    for a, (j, i) in enumerate(anchors):
        end = anchors[a + 1][1] if a + 1 < n_anchors else len(cells)
        row = rows[j]
        span = cells[i + 1 : end]
        # The common row, inlined (``take_values`` then ``_store``): its width of plain counts,
        # then nothing or only text (the next row's group label), stored in C loops.
        hit = _ROW_SLOTS.get(id(row))
        if hit is not None and hit[0] is row:
            keys, cell_facts, decimal = hit[1]
            k = len(keys)
            head = span if len(span) == k else span[:k]
            if (
                not decimal
                and len(head) == k
                and all(map(_PLAIN, head))
                and (head is span or not any(map(_KIND, span[k:])))  # TEXT is the only 0
            ):
                vs = list(map(_VALUE, head))
                values.update(zip(keys, vs, strict=True))
                facts += map(_FACT_OF, cell_facts, vs)
                continue
        vals, why = take_values(span, len(row.columns))
        if vals is None and line_of is not None:
            vals = _own_line_values(cells, line_of, i, end, len(row.columns))
            if vals is not None:
                lines: dict[int, list[str]] = {}
                for k in range(i + 1, end):
                    if line_of[k] != line_of[i]:
                        lines.setdefault(line_of[k], []).append(cells[k].text)
                left = " / ".join(" ".join(t for t in ts if t) for ts in lines.values())
                read.problems.append(
                    f"stray_numbers: {table.code} after row {row.code}: {left!r} (not a row of "
                    "the template, not read)"
                )
        if vals is None:
            read.problems.append(f"cell_count: {table.code} {row.code} {why}")
            continue
        _store(read, table, row, vals)
    return read


def _own_line_values(
    cells: list[Cell], line_of: list[int], i: int, end: int, n: int
) -> list[Cell] | None:
    line = line_of[i]
    own = [cells[k] for k in range(i + 1, end) if line_of[k] == line]
    if not own:
        return None
    vals, _why = take_values(own, n)
    return vals


# ------------------------------------------------------------------ layout recovery (fallbacks)
# Tables whose layout was lost on the way (PDF-to-text and OCR markdown converters): page-number
# lines and markdown rule lines inside the table, row labels wrapped, cut and interleaved with
# other rows, number rows printed before or after their labels, labels with a misprinted or
# look-alike character. Run only when the plain read leaves a row missing or unreadable.

# OCR column headers that number the columns ("数据 1", "列2", "第3列"): words, not cells.
_COLUMN_NUMBER = re.compile(
    r"(?<=\|)[^\S\n]*(?:数据|列|第|[Dd]ata|[Cc]ol(?:umn)?)[^\S\n]*\d{1,2}[^\S\n]*列?[^\S\n]*(?=\||$)",
    re.MULTILINE,
)
# A markdown table's rule line ("|---|:---:|"): no cell.
_RULE_LINE = re.compile(
    r"(?m)^[^\S\n]*\|?(?:[^\S\n]*:?-{3,}:?[^\S\n]*\|)+[^\S\n]*(?::?-{3,}:?)?[^\S\n]*$"
)
# A misprinted label (characters dropped or swapped, an OCR look-alike) is taken for a row only
# when it stands where that row is missing (between the rows anchored before and after it) and
# is this close to one of the row's labels (of 4+ characters): normalized Indel similarity
# ≥ 0.8 (characters dropped from a long label), or at most 3 edits (Levenshtein: dropped,
# swapped or replaced characters) and at most 40 % of the label ("属于政查项" for 属于行政查询事项,
# "重夏申请" for 重复申请; "其他处理" is no "其他").
_FUZZY_INDEL = 0.8
_FUZZY_EDITS = 3
_FUZZY_EDIT_SHARE = 0.4
_FUZZY_MIN_LEN = 4


def _incomplete(read: TableRead) -> bool:
    if not read.found:
        return True
    return any(p.startswith(("row_missing", "cell_count")) for p in read.problems)


def _unread_rows(read: TableRead) -> int:
    """How many of a read's rows are missing or unreadable (a table not found: all of them)."""
    if not read.found:
        return 1 << 30
    return sum(p.startswith(("row_missing", "cell_count")) for p in read.problems)


def strip_layout_noise(text: str) -> str:
    """``text`` without page-number lines, markdown rule lines and numbers in column headers
    ("数据 1" → "数据"); see ``_PAGE_NUMBER``, ``_COLUMN_NUMBER``."""
    text = _RULE_LINE.sub("", _PAGE_NUMBER.sub("", text))
    return _COLUMN_NUMBER.sub(" 列 ", text) if "|" in text else text


def hard_rules_hold(
    values: dict[tuple[str, str], int | float], table: Table, template: Template
) -> bool:
    """True when every hard balance rule of ``table`` can be evaluated on ``values`` and holds."""
    # Only this table's cells: the other tables' rules are not evaluated (see rules.evaluate).
    violations, skipped = rules.evaluate({table.code: values}, template)
    return not skipped and not any(v.severity == "hard" for v in violations)


def _has_hard_rules(table: Table, template: Template) -> bool:
    return any(r.table == table.code and r.severity == "hard" for r in template.sum_rules)


def recover(text: str, table: Table, template: Template, plain: TableRead) -> TableRead:
    """The fallbacks, in order, for a table the plain read left incomplete:

    1. Anchor again on the text without page-number and rule lines, choosing the labels that
       place the most rows in order (not the first that matches: a group heading "(六)其他" or a
       header word "总计" is not the row of that name), and misprinted labels by similarity and
       position. Taken when every row is read and the table's hard rules hold.
    2. Rows by position: the table's numbers in printed order, given to the template's rows in
       order (a converter that detached number rows from their labels keeps their order) —
       all the numbers as one run, else the lines that hold exactly one row's numbers (a bare
       page number "5" on its own line is then no row). Taken only when the count is exactly
       the table's and every hard rule holds (the rules are the checksum); a problem
       ``rows_by_position`` says so.
    3. Otherwise the anchored read with the fewest rows missing or unreadable, each named;
       when a rows-by-position read fit the count but broke a rule (or the table has none to
       prove it: section 二), the rows where the two reads disagree are dropped and named
       (``row_disputed``).
    """
    clean = strip_layout_noise(text)
    cells, line_of = _tokenize_lines(clean)
    checked = _has_hard_rules(table, template)
    detached: list[str] = []
    if table.unlabelled:
        anchored = _read_unlabelled(cells, table)
    else:
        anchored, anchors = _read_best_chain(cells, table, line_of)
        if not checked:
            detached = _detached_rows(cells, line_of, anchors, table)
    complete = anchored.found and not _incomplete(anchored)
    if complete and (
        hard_rules_hold(anchored.values, table, template) if checked else not detached
    ):
        return anchored
    by_position: TableRead | None = None
    for rows_of in (_rows_from_run, _rows_from_lines):
        rows = rows_of(cells, clean, table)
        if rows is None:
            continue
        read = TableRead(found=True)
        for row, vals in zip(table.rows, rows, strict=True):
            _store(read, table, row, vals)
        # A table without hard rules (section 二) has no checksum: its rows by position only
        # show where the labels' read is in doubt.
        if checked and hard_rules_hold(read.values, table, template):
            read.problems.insert(
                0,
                f"rows_by_position: {table.code} (labels could not place every row; the "
                f"{len(table.rows)} number rows were read in printed order and every "
                "balance rule holds)",
            )
            return read
        by_position = by_position or read
    kept = anchored if complete or _unread_rows(anchored) < _unread_rows(plain) else plain
    if by_position is not None:
        kept = _drop_disputed(kept, by_position, table)
    elif detached:
        kept = _drop_rows(
            kept,
            detached,
            table,
            "its numbers are not on its label's line, the layout may give them to a "
            "neighbouring row, and no balance rule or printed order tells which",
        )
    return kept


def _drop_disputed(read: TableRead, by_position: TableRead, table: Table) -> TableRead:
    """``read`` without the rows whose numbers differ from the rows-by-position read: the
    labels and the printed order disagree there and no rule settles which is right (broken
    rules, or none: section 二), as a number row between two labels belongs to either; the row
    is named, not guessed."""
    disputed = [
        row.code
        for row in table.rows
        if any((row.code, c) in read.values for c in row.columns)
        and any(
            read.values.get((row.code, c)) != by_position.values[(row.code, c)] for c in row.columns
        )
    ]
    return _drop_rows(
        read,
        disputed,
        table,
        "its label and the printed order of the number rows give it different numbers, and no "
        "balance rule tells which is right",
    )


def _drop_rows(read: TableRead, codes: list[str], table: Table, why: str) -> TableRead:
    """``read`` without the rows ``codes`` that it stored, each named ``row_disputed``."""
    codes = [c for c in codes if any(k[0] == c for k in read.values)]
    if not codes:
        return read
    drop = set(codes)
    out = TableRead(found=True, problems=list(read.problems))
    out.values = {k: v for k, v in read.values.items() if k[0] not in drop}
    out.facts = [f for f in read.facts if f.row not in drop]
    out.blanks = [b for b in read.blanks if b[0] not in drop]
    out.problems += [f"row_disputed: {table.code} {code} ({why}; not read)" for code in codes]
    return out


def _detached_rows(
    cells: list[Cell], line_of: list[int], anchors: list[tuple[int, int]], table: Table
) -> list[str]:
    """The anchored rows whose label's own line does not hold the row's numbers: in a table
    without balance rules (section 二), "label / n / label" gives n to either label (a row
    printed after its label, or before the next), and a bare page number is a number too."""
    if _printed_after_labels(cells, anchors, table):
        return []
    out = []
    for a, (j, i) in enumerate(anchors):
        end = anchors[a + 1][1] if a + 1 < len(anchors) else len(cells)
        row = table.rows[j]
        if _own_line_values(cells, line_of, i, end, len(row.columns)) is None:
            out.append(row.code)
    return out


_COUNTED = frozenset({VALUE, MARK, BLANK})


def _printed_after_labels(cells: list[Cell], anchors: list[tuple[int, int]], table: Table) -> bool:
    """The printed order settles "label / n / label": no number before the first label, and
    each label followed by exactly its row's width of cells before any text and the next label
    (the last row may be cut short). Numbers printed *before* their labels would leave the
    first label's numbers in front of it, so only the reading after the labels fits."""
    if not anchors or any(c.kind in _COUNTED for c in cells[: anchors[0][1]]):
        return False
    for a, (j, i) in enumerate(anchors):
        last = a + 1 == len(anchors)
        span = cells[i + 1 : len(cells) if last else anchors[a + 1][1]]
        n = len(table.rows[j].columns)
        head = 0
        while head < len(span) and span[head].kind in _COUNTED:
            head += 1
        if any(c.kind in _COUNTED for c in span[head:]):
            return False  # a number after text in the span: whose is it?
        if head > n or (head < n and not last):
            return False
    return True


def _rows_from_run(cells: list[Cell], text: str, table: Table) -> list[list[Cell]] | None:
    """Every number of the table in printed order, cut into its rows (None: the count differs).
    The review table is read this way already (``_read_unlabelled``)."""
    if table.unlabelled:
        return None
    vals, _why = take_values(cells, table.n_cells)
    if vals is None:
        return None
    out, pos = [], 0
    for row in table.rows:
        out.append(vals[pos : pos + len(row.columns)])
        pos += len(row.columns)
    return out


def _rows_from_lines(cells: list[Cell], text: str, table: Table) -> list[list[Cell]] | None:
    """The lines holding exactly one row's numbers (or, for the review table, all 15), in
    printed order, when there are as many as the table has rows; else None. Only for tables
    whose rows have one width. Lines before the rows that only fill a header — all marks
    (an OCR header-only table "| - | - | … |") or the columns numbered 1, 2, 3 … — are skipped."""
    widths = {len(r.columns) for r in table.rows}
    if len(widths) != 1:
        return None
    width = widths.pop()
    out: list[list[Cell]] = []
    for line in text.split("\n"):
        line_cells = list(_tokenize(line)[0])
        if not any(VALUE <= c.kind <= MARK for c in line_cells):
            continue
        vals, _why = take_values(line_cells, width)
        if vals is not None:
            out.append(vals)
            continue
        if table.unlabelled:
            whole, _why = take_values(line_cells, table.n_cells)
            if whole is not None:
                out += [whole[k : k + width] for k in range(0, len(whole), width)]
    while len(out) > len(table.rows) and _header_filler(out[0]):
        del out[0]
    return out if len(out) == len(table.rows) else None


def _header_filler(row: list[Cell]) -> bool:
    if all(c.kind == MARK for c in row):
        return True
    return [c.value for c in row] == list(range(1, len(row) + 1))


def _tokenize_lines(text: str) -> tuple[list[Cell], list[int]]:
    """The cells of ``text`` (as ``tokenize``) and the line index of each."""
    cells: list[Cell] = []
    line_of: list[int] = []
    for n, line in enumerate(text.split("\n")):
        got = _tokenize(line)[0]
        cells += got
        line_of += [n] * len(got)
    return cells, line_of


def _read_best_chain(
    cells: list[Cell], table: Table, line_of: list[int]
) -> tuple[TableRead, list[tuple[int, int]]]:
    """The read along ``best_chain``'s anchors, and those anchors."""
    anchors, fuzzy = best_chain(cells, table)
    if len(anchors) < min(2, len(table.rows)):
        return TableRead(found=False), anchors
    read = _read_spans(cells, anchors, table, line_of)
    for j, i in fuzzy:
        row = table.rows[j]
        if any(k == row.code for k, _ in read.values):
            read.problems.append(
                f"label_misprinted: {table.code} {row.code} {cells[i].text!r} read as "
                f"{row.label!r} (by similarity and position)"
            )
    return read, anchors


def best_chain(
    cells: list[Cell], table: Table
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(row index, cell index) anchors: the labels that place the most rows in template order,
    then misprinted labels by similarity and position. Returns (anchors, the fuzzy ones).

    Every text cell matching a row's label (as ``find_anchors`` matches) is a candidate. The
    chain increasing in both row and cell order with the most candidates wins; among those, the
    one with the most rows whose span (to the next anchor) holds exactly the row's number of
    values: a label with its values beats a group heading or a column header of the same words
    ("(六)其他" is no row 3.6.3, a header's "总计" no row 3.7)."""
    texts = [i for i, c in enumerate(cells) if c.kind == TEXT and c.key]
    cands: list[tuple[int, int]] = []  # (cell, row), by cell
    for i in texts:
        for j in sorted(_rows_matching(cells[i].key, table)):
            cands.append((i, j))
    # filled[i]: values and marks among cells[:i].
    filled = [0]
    for c in cells:
        filled.append(filled[-1] + (VALUE <= c.kind <= MARK))
    widths = [len(r.columns) for r in table.rows]
    end = len(cells)
    # best[a]: (score, next candidate) of the best chain starting at candidate a. O(k²) over the
    # k candidates (a few dozen to a hundred); only the fallback gets here.
    k = len(cands)
    best: list[tuple[int, int]] = [(0, -1)] * k
    for a in range(k - 1, -1, -1):
        i, j = cands[a]
        score, nxt = 100 + (filled[end] - filled[i + 1] == widths[j]), -1
        for c in range(a + 1, k):
            ic, jc = cands[c]
            if ic > i and jc > j:
                s = 100 + (filled[ic] - filled[i + 1] == widths[j]) + best[c][0]
                if s > score:
                    score, nxt = s, c
        best[a] = (score, nxt)
    chain: list[tuple[int, int]] = []
    if cands:
        a = max(range(k), key=lambda x: best[x][0])
        while a >= 0:
            i, j = cands[a]
            chain.append((j, i))
            a = best[a][1]
    fuzzy = misprinted_in_gaps(cells, texts, table, chain)
    if fuzzy:
        chain = sorted(chain + fuzzy, key=lambda ji: ji[1])
    return chain, fuzzy


# A group label glued before a row's own numbering ("(四)无法提供1.本机关不掌…"), or a table
# header before the first row's ("…法律服务机构其他一、本年新收…": a crawler dump).
_INNER_NUMBERING = re.compile(
    r".*(?:\d{1,2}[.、．]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)(?!\d)"
)


def _label_similarity(key: str, alias: str) -> float:
    """How close a printed label key is to a row's alias, 0 when not close enough to be that
    row misprinted (``_FUZZY_*``): the key as printed, or its tail after a glued group label."""
    if len(alias) < _FUZZY_MIN_LEN:
        return 0.0
    best = 0.0
    m = _INNER_NUMBERING.match(key)
    for k in (key, key[m.end() :]) if m and m.end() < len(key) else (key,):
        if len(k) < _FUZZY_MIN_LEN:
            continue
        sim = Indel.normalized_similarity(k, alias)
        if sim < _FUZZY_INDEL:
            edits = Levenshtein.distance(k, alias, score_cutoff=_FUZZY_EDITS)
            if edits > min(_FUZZY_EDITS, _FUZZY_EDIT_SHARE * len(alias)):
                continue
        best = max(best, sim)
    return best


def misprinted_in_gaps(
    cells: list[Cell], texts: list[int], table: Table, chain: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Misprinted labels: (row index, cell index) for each text cell between two anchored rows
    (``chain``: (row index, cell index), in order) close enough (``_FUZZY_*``) to the label of a
    row missing between them; in order within the gap. A text as close to two of those rows is
    no row's (which one it misprints is a guess). The line-wise recovery and the crawler dumps'
    (``runtogether``) both match misprinted labels here."""
    # The aliases and the full printed label ("(二)部分公开(区分处理的,…)" is matched whole).
    keys = [(*al, label_key(r.label)) for al, r in zip(_row_keys(table), table.rows, strict=True)]
    bounds = [(-1, -1), *chain, (len(table.rows), len(cells))]
    out: list[tuple[int, int]] = []
    for (ja, ia), (jb, ib) in pairwise(bounds):
        if jb - ja < 2:
            continue
        last = ja
        for i in texts:
            if not ia < i < ib:
                continue
            key = cells[i].key
            if len(key) < _FUZZY_MIN_LEN:
                continue
            best, arg, tie = 0.0, -1, False
            for j in range(last + 1, jb):
                sim = max(_label_similarity(key, alias) for alias in keys[j])
                if sim > best:
                    best, arg, tie = sim, j, False
                elif sim and sim == best:
                    tie = True
            if arg >= 0 and not tie:
                out.append((arg, i))
                last = arg
    return out


def _read_unlabelled(cells: list[Cell], table: Table) -> TableRead:
    """review_litigation: one run of numbers (15, or 3 rows of 5) in template order. When the
    run does not add up to the table's width, rows that carry their labels are read one by one
    (a row printed all blank leaves nothing in the run; a table printed all blank, only its
    labels)."""
    first = next((i for i, c in enumerate(cells) if c.kind in (VALUE, MARK, BLANK)), None)
    anchors = None
    if first is None:
        anchors = _row_label_anchors(cells, table)
        if anchors is None:
            return TableRead(found=False)
        read = TableRead(found=True)
    else:
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
    anchors: list[int | None] = [None] * len(table.rows)
    for i, c in enumerate(cells[:-1]):
        if c.kind != TEXT or cells[i + 1].kind == TEXT:
            continue
        rows = _rows_matching(label_key(c.text), table)
        for j in sorted(rows):
            if j == 0 or anchors[j - 1] is not None:
                anchors[j] = i
                for later in range(j + 1, len(anchors)):
                    anchors[later] = None
                break
    if any(a is None for a in anchors):
        return None
    return [a for a in anchors if a is not None]
