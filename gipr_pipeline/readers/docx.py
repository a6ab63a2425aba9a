"""Word (.docx) files → report text.

python-docx opens the package (and rejects what is not a Word document); the body is then read
from its XML in document order: paragraphs one per line, tables as pipe lines through
:mod:`gipr_pipeline.readers.grid`. Merged cells are read from the XML (``w:gridSpan``,
``w:vMerge``, legacy ``w:hMerge``), so a merged cell is written once — python-docx's
``row.cells`` would repeat the same cell object for each grid slot it covers.

Automatic list numbering (a heading "一、总体情况" whose "一、" comes from Word's numbering, not from
the text) is rendered for the common formats (decimal, Chinese counting, parenthesised forms), so
the text parser sees the same heading it sees in a plain-text copy.
Headers, footers, footnotes and comments are not read (page chrome, not report content).
"""

from __future__ import annotations

import io
import re

from lxml import etree

from gipr_pipeline.readers.decode import DecodeError, normalize_counted, radical_problem
from gipr_pipeline.readers.document import Document
from gipr_pipeline.readers.grid import GridCell, cell_text, grid_lines, join_lines

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = (
    _q("p"),
    _q("tbl"),
    _q("tr"),
    _q("tc"),
    _q("sdt"),
    _q("sdtContent"),
)
T, TAB, BR, CR, NBH = _q("t"), _q("tab"), _q("br"), _q("cr"), _q("noBreakHyphen")
FLD_CHAR = _q("fldChar")
VAL = _q("val")
R, RPR, PPR = _q("r"), _q("rPr"), _q("pPr")
TXBX = _q("txbxContent")
MOVE_FROM, DEL = _q("moveFrom"), _q("del")
_FALLBACK = f"{{{_MC}}}Fallback"
_OFF = frozenset({"0", "false", "off"})
_CONTAINERS = frozenset({SDT_CONTENT, _q("customXml"), _q("smartTag"), _q("ins"), _q("body")})
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def read_docx(data: bytes) -> Document:
    try:
        import docx
    except ImportError as e:  # pragma: no cover - python-docx is a runtime dependency
        raise DecodeError("unreadable_document", f"python-docx is not installed: {e}") from None
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        numbering = _Numbering(document)
    except Exception as e:  # truncated ZIP, missing parts, broken XML, not a Word package
        raise DecodeError(
            "unreadable_document", f"the Word file could not be opened ({type(e).__name__}: {e})"
        ) from None
    reader = _BodyReader(numbering, _Vanish.of(document), _White.of(document))
    reader.dropped.strikes = bool(_STRIKE(body))
    try:
        reader.blocks(body)
    except Exception as e:  # pragma: no cover - defensive: malformed XML inside a valid package
        raise DecodeError(
            "unreadable_document", f"the Word file's body could not be read ({type(e).__name__})"
        ) from None
    problems = list(reader.problems)
    if reader.dropped.hidden:
        problems.append(
            f"docx_hidden_text: {reader.dropped.hidden} hidden run(s) (w:vanish) were not read"
        )
    if reader.dropped.white:
        problems.append(
            f"docx_white_text: {reader.dropped.white} run(s) in white on no shading (white on "
            "the white page) were not read"
        )
    if reader.dropped.struck:
        problems.append(
            f"docx_struck_text: {reader.dropped.struck} run(s) with digits struck through "
            "(w:strike, w:dstrike: a figure marked as removed) were not read"
        )
    if reader.dropped.deleted or reader.dropped.moved or reader.dropped.rows:
        problems.append(
            "docx_tracked_changes: unaccepted tracked changes, read as accepted (what Word "
            f"shows without markup): {reader.dropped.deleted} deletion(s), "
            f"{reader.dropped.moved} moved-away text(s), {reader.dropped.rows} deleted row(s) "
            "or cell(s) not read"
        )
    if reader.tables == 0 and reader.images:
        problems.append(
            f"table_images: the document has no table but {reader.images} image(s); tables "
            "published as pictures cannot be read (OCR is out of scope)"
        )
    text, folded = normalize_counted("\n".join(reader.lines))
    if folded:
        problems.append(radical_problem(folded))
    return Document(text, None, "docx", False, tuple(problems))


class _Dropped:
    """What the reader left out because Word does not show it."""

    __slots__ = (
        "deleted",
        "hidden",
        "moved",
        "rows",
        "strikes",
        "struck",
        "vanish",
        "white",
        "whites",
    )

    def __init__(self, vanish: _Vanish | None = None, whites: _White | None = None):
        self.vanish = vanish if vanish is not None else _Vanish()
        self.whites = whites  # None: no run of the document is white
        self.white = 0  # runs in white on the white page
        self.struck = 0  # runs with digits struck through (w:strike, w:dstrike)
        self.strikes = True  # whether any run of the document may be struck through
        self.hidden = 0  # runs with w:vanish (directly or through their style)
        self.deleted = 0  # w:del runs (their w:delText)
        self.moved = 0  # w:moveFrom: text moved elsewhere, shown only as markup
        self.rows = 0  # rows and cells deleted as tracked changes


class _BodyReader:
    def __init__(
        self, numbering: _Numbering, vanish: _Vanish | None = None, whites: _White | None = None
    ):
        self.numbering = numbering
        self.lines: list[str] = []
        self.tables = 0
        self.images = 0
        self.dropped = _Dropped(vanish, whites)
        self.table_style: str | None = None  # of the table being read (its runs inherit it)
        self.problems: list[str] = []  # from the tables (merged_number_cell)

    def blocks(self, parent) -> None:
        for el in parent:
            tag = el.tag
            if tag == P:
                self.paragraph(el)
            elif tag == TBL:
                self.table(el)
            elif tag == SDT:
                content = el.find(SDT_CONTENT)
                if content is not None:
                    self.blocks(content)
            elif tag in _CONTAINERS:
                self.blocks(el)

    def paragraph(self, p) -> None:
        self.images += _count_images(p)
        pieces = paragraph_text(p, self.dropped, self.table_style).split("\n")
        label = self.numbering.label(p)
        if label and pieces:
            pieces[0] = label + pieces[0]
        for piece in pieces:
            line = _WS.sub(" ", piece).strip()
            if line:
                self.lines.append(line)
        for box in _text_boxes(p):
            self.blocks(box)  # a table in a text box is read as a table, after its anchor

    def table(self, tbl) -> None:
        outer = self.table_style
        self.table_style = self.dropped.vanish.table_style(tbl)
        try:
            self._table(tbl)
        finally:
            self.table_style = outer

    def _table(self, tbl) -> None:
        rows = self._rows(tbl)
        if tbl.find(f".//{TBL}") is not None or all(len(_cells(tr)) <= 1 for tr in rows):
            # Page layout (a frame around the text, or tables inside a table): read as blocks.
            for tr in rows:
                for tc in _cells(tr):
                    self.blocks(tc)
            return
        self.tables += 1
        self.lines.extend(grid_lines(self._placed(rows), self.problems))

    def _rows(self, tbl) -> list:
        """The table's rows, also those wrapped in content controls (w:sdt, w:customXml);
        rows deleted as tracked changes left out."""
        out = []
        for el in tbl:
            if el.tag == TR:
                out.append(el)
            elif el.tag in (SDT, _q("customXml")):
                content = el.find(SDT_CONTENT) if el.tag == SDT else el
                if content is not None:
                    out.extend(self._rows(content))
        kept = [tr for tr in out if tr.find(f"{_q('trPr')}/{DEL}") is None]
        self.dropped.rows += len(out) - len(kept)
        return kept

    def _placed(self, rows) -> list[GridCell]:
        cells: list[GridCell] = []
        vertical: dict[int, GridCell] = {}  # grid column → cell a vMerge is extending
        for r, tr in enumerate(rows):
            col = _tr_int(tr, "gridBefore")
            last: GridCell | None = None
            for tc in _cells(tr):
                if tc.find(f"{_q('tcPr')}/{_q('cellDel')}") is not None:
                    self.dropped.rows += 1
                    continue
                span = max(1, _tc_int(tc, "gridSpan"))
                vmerge = _tc_merge(tc, "vMerge")
                hmerge = _tc_merge(tc, "hMerge")
                if hmerge == "continue" and last is not None:
                    last.colspan += span
                    col += span
                    continue
                origin = vertical.get(col)
                if vmerge == "continue" and origin is not None:
                    origin.rowspan = r - origin.row + 1
                    col += span
                    last = None
                    continue
                text = cell_text(join_lines([self._cell_piece(p) for p in _cell_paragraphs(tc)]))
                cell = GridCell(text, r, col, 1, span)
                cells.append(cell)
                for c in range(col, col + span):
                    vertical.pop(c, None)
                if vmerge is not None:  # restart (or a continue with nothing above)
                    vertical[col] = cell
                last = cell
                col += span
        return cells

    def _cell_piece(self, p) -> str:
        self.images += _count_images(p)
        label = self.numbering.label(p)
        text = paragraph_text(p, self.dropped, self.table_style)
        return (label or "") + text.replace("\n", " ")


def paragraph_text(p, dropped: _Dropped | None = None, table_style: str | None = None) -> str:
    """A paragraph's visible text: runs, hyperlinks, insertions and fields in order; tabs as
    spaces, line breaks as ``\\n``. Left out, as Word shows the page: deleted text (w:delText),
    text moved away (w:moveFrom), hidden runs (w:vanish, directly or through the run's or the
    paragraph's style), text boxes (read as blocks of their own) and compatibility
    fallbacks. ``table_style``: the style id of the table the paragraph is in."""
    if dropped is None:
        dropped = _Dropped()
    dropped.deleted += sum(1 for _ in p.iter(_q("delText")))
    p_hidden = dropped.vanish.paragraph(p, table_style)
    out: list[str] = []
    seen_runs: dict[object, bool] = {}
    fields: list[bool] = []  # open complex fields: True while in a field's code, not result
    for el in p.iter(T, TAB, BR, CR, NBH, FLD_CHAR):
        if el.tag == FLD_CHAR:
            kind = el.get(_q("fldCharType"))
            if kind == "begin":
                fields.append(True)
            elif kind == "separate" and fields:
                fields[-1] = False
            elif kind == "end" and fields:
                fields.pop()
            continue
        if any(fields):
            continue  # a field's code (Word shows its result), even when written as w:t
        why = _skipped(el, p)
        if why is not None:
            if why == MOVE_FROM and el.tag == T and (el.text or "").strip():
                dropped.moved += 1
            continue
        run = el.getparent()
        if run is not None and run.tag == R:
            hidden = seen_runs.get(run)
            if hidden is None:
                hidden = seen_runs[run] = dropped.vanish.run(run, p_hidden)
                if hidden and run.find(T) is not None:
                    dropped.hidden += 1
                elif dropped.whites is not None and dropped.whites.unseen(run, p, table_style):
                    hidden = seen_runs[run] = True
                    if run.find(T) is not None:
                        dropped.white += 1
                elif dropped.strikes and _struck(run):
                    # A figure struck through beside its correction reads as removed (as in
                    # HTML's <del>): read, the two would join into one wrong number.
                    hidden = seen_runs[run] = True
                    dropped.struck += 1
            if hidden:
                continue
        if el.tag == T:
            out.append(el.text or "")
        elif el.tag == TAB:
            out.append(" ")
        elif el.tag == NBH:
            out.append("-")
        elif el.tag == BR and el.get(_q("type")) == "page":
            out.append("\n")
        else:
            out.append("\n")
    return "".join(out)


_SKIPPED = frozenset({_FALLBACK, MOVE_FROM, DEL, TXBX})


def _skipped(el, stop):
    """The tag of the nearest ancestor (below ``stop``) that hides ``el``, or None."""
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _SKIPPED:
            return parent.tag
        parent = parent.getparent()
    return None


def _on(el) -> bool:
    return el is not None and (el.get(VAL) or "true").lower() not in _OFF


class _Vanish:
    """Whether Word hides a run (``w:vanish``), resolved through the style hierarchy (ECMA-376
    17.7.2): document defaults, then the table's, the paragraph's (else the default paragraph
    style) and the run's character style, then direct formatting. ``vanish`` is a toggle property
    (17.7.3): a style that sets it flips what the levels before it gave (``val=0`` in a style
    changes nothing), a style's own value is inherited through ``w:basedOn``, and direct
    formatting sets it outright."""

    def __init__(
        self,
        styles: dict[str, bool] | None = None,
        default_paragraph: str | None = None,
        default_table: str | None = None,
        base: bool = False,
    ):
        self.styles = styles or {}  # style id → its resolved vanish (ids that set none absent)
        self.default_paragraph = default_paragraph
        self.default_table = default_table
        self.base = base  # w:docDefaults

    @classmethod
    def of(cls, document) -> _Vanish:
        try:
            root = document.styles.element
        except Exception:  # pragma: no cover - a package without a styles part
            return cls()
        if root.find(f".//{_q('vanish')}") is None:
            return cls()  # the common case: no style hides anything
        own: dict[str, bool | None] = {}
        based: dict[str, str] = {}
        defaults: dict[str, str] = {}
        for st in root.findall(_q("style")):
            sid = st.get(_q("styleId")) or ""
            vanish = st.find(f"{RPR}/{_q('vanish')}")
            own[sid] = _on(vanish) if vanish is not None else None
            b = st.find(_q("basedOn"))
            if b is not None and b.get(VAL):
                based[sid] = b.get(VAL)
            if (st.get(_q("default")) or "").lower() in ("1", "true", "on"):
                defaults.setdefault(st.get(_q("type")) or "paragraph", sid)

        def resolved(sid: str, depth: int = 0) -> bool:
            v = own.get(sid)
            if v is not None or depth > 20:
                return bool(v)
            parent = based.get(sid)
            return parent is not None and resolved(parent, depth + 1)

        base = root.find(f"{_q('docDefaults')}/{_q('rPrDefault')}/{RPR}/{_q('vanish')}")
        return cls(
            {s: True for s in own if resolved(s)},
            defaults.get("paragraph"),
            defaults.get("table"),
            _on(base),
        )

    def table_style(self, tbl) -> str | None:
        st = tbl.find(f"{_q('tblPr')}/{_q('tblStyle')}")
        return st.get(VAL) if st is not None else self.default_table

    def paragraph(self, p, table_style: str | None = None) -> bool:
        """What the paragraph's runs inherit before their own character style."""
        if not self.styles and not self.base:
            return False
        st = p.find(f"{PPR}/{_q('pStyle')}")
        sid = st.get(VAL) if st is not None else self.default_paragraph
        hidden = self.base
        for level in (table_style, sid):
            if level is not None and self.styles.get(level):
                hidden = not hidden
        return hidden

    def run(self, run, inherited: bool) -> bool:
        rpr = run.find(RPR)
        if rpr is None:
            return inherited
        vanish = rpr.find(_q("vanish"))
        if vanish is not None:
            return _on(vanish)
        style = rpr.find(_q("rStyle"))
        if style is not None and self.styles.get(style.get(VAL)):
            return not inherited
        return inherited


_WHITE = "FFFFFF"
_NO_FILL = frozenset({"", "auto", _WHITE})
_WHITE_COLOUR = etree.XPath(
    "boolean(.//w:color[translate(@w:val, 'f', 'F') = 'FFFFFF'])", namespaces={"w": _W}
)
_WHITE_STYLES = etree.XPath(
    # white and shaded (Word's "Dark List" table styles) shows: not a candidate
    "//w:style[w:rPr/w:color[translate(@w:val, 'f', 'F') = 'FFFFFF']"
    " and not(.//w:shd or .//w:highlight)]/@w:styleId",
    namespaces={"w": _W},
    smart_strings=False,
)
_BASED_ON = etree.XPath("//w:style[w:basedOn]", namespaces={"w": _W}, smart_strings=False)
_USED_STYLES = etree.XPath(
    ".//w:pStyle/@w:val | .//w:rStyle/@w:val | .//w:tblStyle/@w:val",
    namespaces={"w": _W},
    smart_strings=False,
)
_DEFAULT_WHITE = etree.XPath(
    "boolean(w:docDefaults/w:rPrDefault/w:rPr/w:color[translate(@w:val, 'f', 'F') = 'FFFFFF'])",
    namespaces={"w": _W},
)


def _white_style_used(body, styles) -> bool:
    """Whether the body can inherit a white text colour: the document defaults are white, or a
    white style (or one based on it) is the default paragraph style or named in the body.
    A cheap test (Word's own template defines dozens of unused white table styles)."""
    if _DEFAULT_WHITE(styles):
        return True
    white = set(_WHITE_STYLES(styles))
    if not white:
        return False
    based = {st.get(_q("styleId")): st.find(_q("basedOn")).get(VAL) for st in _BASED_ON(styles)}
    used = set(_USED_STYLES(body))
    for st in styles.findall(_q("style")):
        if st.get(_q("default")) in ("1", "true", "on") and st.get(_q("type")) == "paragraph":
            used.add(st.get(_q("styleId")))
    for sid in used:
        for _ in range(20):
            if sid in white:
                return True
            sid = based.get(sid)
            if sid is None:
                break
    return False


_STRIKE = etree.XPath("boolean(.//w:rPr/w:strike | .//w:rPr/w:dstrike)", namespaces={"w": _W})


class _White:
    """Runs whose text colour is white with nothing shaded behind them: white on the white page,
    which no one sees (a common way to blank out an old figure). The colour is the run's own
    ``w:color``, else its character style's, its paragraph style's (else the default paragraph
    style's), its table style's, the document defaults' (``w:basedOn`` followed). Conservative:
    any shading or highlight behind the run — on the run, its paragraph, its cell or table, in
    any of their styles — or a page colour (``w:background``) and the text is read as shown."""

    def __init__(self, colours, shaded, default_paragraph, default_table, base, page):
        self.colours: dict[str, str] = colours  # style id → its resolved colour (upper hex)
        self.shaded: frozenset[str] = shaded  # style ids with shading or a highlight
        self.default_paragraph = default_paragraph
        self.default_table = default_table
        self.base = base  # the document defaults' colour
        self.page = page  # the document has a page colour

    @classmethod
    def of(cls, document) -> _White | None:
        """None when no run or style of the document is white (the common case: no cost)."""
        try:
            body = document.element.body
            styles = document.styles.element
        except Exception:  # pragma: no cover - a package without a styles part
            return None
        if not _WHITE_COLOUR(body) and not _white_style_used(body, styles):
            return None
        own: dict[str, str | None] = {}
        based: dict[str, str] = {}
        shaded: set[str] = set()
        defaults: dict[str, str] = {}
        for st in styles.findall(_q("style")):
            sid = st.get(_q("styleId")) or ""
            c = st.find(f"{RPR}/{_q('color')}")
            own[sid] = (c.get(VAL) or "").upper() if c is not None else None
            if _shading(st):
                shaded.add(sid)
            b = st.find(_q("basedOn"))
            if b is not None and b.get(VAL):
                based[sid] = b.get(VAL)
            if (st.get(_q("default")) or "").lower() in ("1", "true", "on"):
                defaults.setdefault(st.get(_q("type")) or "paragraph", sid)

        def chain(sid: str):
            for _ in range(20):
                yield sid
                sid = based.get(sid)
                if sid is None:
                    return

        colours = {}
        for sid in own:
            c = next((own[x] for x in chain(sid) if own.get(x) is not None), None)
            if c is not None:
                colours[sid] = c
        shaded_all = frozenset(s for s in own if any(x in shaded for x in chain(s)))
        base = styles.find(f"{_q('docDefaults')}/{_q('rPrDefault')}/{RPR}/{_q('color')}")
        root = document.element
        return cls(
            colours,
            shaded_all,
            defaults.get("paragraph"),
            defaults.get("table"),
            (base.get(VAL) or "").upper() if base is not None else None,
            root.find(_q("background")) is not None,
        )

    def unseen(self, run, p, table_style: str | None) -> bool:
        if self.page:
            return False
        rpr = run.find(RPR)
        p_style = p.find(f"{PPR}/{_q('pStyle')}")
        p_sid = p_style.get(VAL) if p_style is not None else self.default_paragraph
        r_style = rpr.find(_q("rStyle")) if rpr is not None else None
        r_sid = r_style.get(VAL) if r_style is not None else None
        t_sid = table_style if table_style is not None else None
        direct = rpr.find(_q("color")) if rpr is not None else None
        if direct is not None:
            colour = (direct.get(VAL) or "").upper()
        else:
            colour = next(
                (self.colours[s] for s in (r_sid, p_sid, t_sid) if s in self.colours), self.base
            )
        if colour != _WHITE:
            return False
        if any(s in self.shaded for s in (r_sid, p_sid, t_sid) if s is not None):
            return False
        el = run
        while el is not None:  # the run, its paragraph, cell, row and table, nested tables
            if _shading(el, deep=False):
                return False
            el = el.getparent()
        return True


def _struck(run) -> bool:
    """A run with digits, struck through by its own properties (``w:strike``/``w:dstrike``)."""
    rpr = run.find(RPR)
    if rpr is None:
        return False
    if not any(_on(rpr.find(_q(tag))) for tag in ("strike", "dstrike")):
        return False
    return any(_DIGIT.search(t.text or "") for t in run.iter(T))


def _shading(el, deep: bool = True) -> bool:
    """Whether ``el`` (a style, or a run/paragraph/cell/row/table with its properties) paints a
    fill or highlight other than white behind text."""
    props = (RPR, PPR, _q("tcPr"), _q("trPr"), _q("tblPr"))
    found = []
    if deep:
        found = [*el.iter(_q("shd"), _q("highlight"))]
    else:
        for name in props:
            pr = el.find(name)
            if pr is not None:
                found += [x for x in pr if x.tag in (_q("shd"), _q("highlight"))]
    for x in found:
        if x.tag == _q("highlight"):
            if (x.get(VAL) or "none").lower() not in ("none", "white"):
                return True
        elif (x.get(_q("fill")) or "").upper() not in _NO_FILL or (
            (x.get(VAL) or "clear") not in ("clear", "nil")
            and (x.get(_q("color")) or "auto").upper() not in _NO_FILL
        ):
            return True
    return False


def _text_boxes(p) -> list:
    """The outermost text boxes (w:txbxContent) anchored in a paragraph, once each: the VML
    copy in an mc:Fallback repeats the DrawingML one."""
    out = []
    for box in p.iter(TXBX):
        if _under(box, _FALLBACK, p) or _under(box, TXBX, p):
            continue
        out.append(box)
    return out


def _under(el, tag: str, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _count_images(el) -> int:
    return sum(1 for _ in el.iter(_q("drawing"), _q("pict")))


def _cells(tr) -> list:
    out = []
    for el in tr:
        if el.tag == TC:
            out.append(el)
        elif el.tag in (SDT, _q("customXml")):  # cells wrapped in a content control
            content = el.find(SDT_CONTENT) if el.tag == SDT else el
            if content is not None:
                out.extend(c for c in content if c.tag == TC)
    return out


def _cell_paragraphs(tc) -> list:
    return [p for p in tc.iter(P) if not _under(p, _FALLBACK, tc)]


def _tc_int(tc, name: str) -> int:
    el = tc.find(f"{_q('tcPr')}/{_q(name)}")
    return _int(el.get(VAL) if el is not None else None, 1)


def _tr_int(tr, name: str) -> int:
    el = tr.find(f"{_q('trPr')}/{_q(name)}")
    return _int(el.get(VAL) if el is not None else None, 0)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _tc_merge(tc, name: str) -> str | None:
    el = tc.find(f"{_q('tcPr')}/{_q(name)}")
    if el is None:
        return None
    return el.get(VAL) or "continue"


# ----------------------------------------------------------------- automatic numbering

_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return _chinese(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Word's list numbering, enough to render "一、" / "(一)" / "1." labels of headings."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            part = document.part.numbering_part
        except (NotImplementedError, KeyError, AttributeError):
            return
        root = part.element
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.findall(_q("abstractNum")):
            levels = {}
            for lvl in a.findall(_q("lvl")):
                ilvl = _int(lvl.get(_q("ilvl")), 0)
                fmt = lvl.find(_q("numFmt"))
                text = lvl.find(_q("lvlText"))
                start = lvl.find(_q("start"))
                levels[ilvl] = (
                    fmt.get(VAL) if fmt is not None else "decimal",
                    text.get(VAL) if text is not None else "",
                    _int(start.get(VAL) if start is not None else None, 1),
                )
            abstract[a.get(_q("abstractNumId")) or ""] = levels
        for num in root.findall(_q("num")):
            ref = num.find(_q("abstractNumId"))
            if ref is not None:
                self.levels[num.get(_q("numId")) or ""] = abstract.get(ref.get(VAL) or "", {})

    def label(self, p) -> str | None:
        if not self.levels:
            return None
        num_pr = p.find(f"{_q('pPr')}/{_q('numPr')}")
        if num_pr is None:
            return None
        num_el, ilvl_el = num_pr.find(_q("numId")), num_pr.find(_q("ilvl"))
        num_id = num_el.get(VAL) if num_el is not None else None
        ilvl = _int(ilvl_el.get(VAL) if ilvl_el is not None else None, 0)
        levels = self.levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return None
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet" or not text:
            return None
        counters = self.counters.setdefault(num_id or "", [0] * 10)
        if ilvl >= len(counters):
            return None
        if counters[ilvl] == 0:
            counters[ilvl] = levels[ilvl][2]
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = 0

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            n = counters[k] or levels[k][2]
            return _format_number(n, levels[k][0] if k != ilvl else fmt)

        return re.sub(r"%(\d)", sub, text)
