"""HTML pages (and page fragments) → report text.

- Charset: the BOM; else strict UTF-8 when the bytes are valid UTF-8 (pages saved by a browser
  are re-encoded to UTF-8 but keep their old ``<meta charset=gbk>``); else the ``<meta>``
  charset (``charset=`` or ``http-equiv`` content, GBK/GB2312 read as GB18030); else GB18030;
  else UTF-8 with replacement characters (``lossy``).
- Page chrome is dropped: ``script``/``style``/``nav``/``footer``/``aside``/forms controls, and
  elements whose class or id names a menu, footer, breadcrumb, share bar or sidebar — unless they
  hold a table or the report's headings.
- Paragraphs and block elements become one line each; data tables become pipe lines through
  :mod:`gipr_pipeline.readers.grid` (row and column spans expanded, nothing duplicated). A table
  that holds other tables, or has a single column, is page layout: its cells are read as blocks.
- A page whose visible text holds no report but whose scripts hold it in a JavaScript string
  (``var content = "<table>…"``, ``document.write('…')``, a JSON ``"content"`` field) is read
  from that string.
- Two copies of the report (a print view under the screen view) are both written out: the text
  parser keeps the first and reports ``duplicated_copy``.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re

from gipr_pipeline.readers.css import PAGE, Seen, Styles, grid_line, track_count
from gipr_pipeline.readers.decode import DecodeError, normalize_counted, radical_problem
from gipr_pipeline.readers.document import Document
from gipr_pipeline.readers.grid import (
    GridCell,
    cell_text,
    grid_lines,
    join_lines,
    place_html_rows,
)

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_XML_DECL_ENC = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_GB_FAMILY = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "csgb2312", "x-gb2312", "ms936"}
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_PAGE_ROOTS = frozenset({"html", "body"})
_STRUCK = frozenset({"del", "s", "strike"})

# Words of the report's body (not of its title, which menus and page titles repeat): their
# absence means we have not found the report yet.
REPORT_MARKERS = re.compile(
    r"总体情况|本年新收|行政复议|主动公开政府信息|收到和处理政府信息公开申请"
)

_DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "nav",
        "aside",
        "footer",
        "menu",
        "head",
        "map",
        "area",
        "audio",
        "video",
    ]
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "pre",
        "address",
        "figure",
        "figcaption",
        "center",
        "hr",
        "form",
        "fieldset",
        "legend",
        "details",
        "summary",
    ]
)
# class/id words of portal chrome (menus, footers, breadcrumbs, share bars, sidebars).
_CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navs|navbar|menu|menus|submenu|footer|foot|bottom|breadcrumbs?|crumbs?"
    r"|sidebar|side|share|bdshare|toolbar|topbar|copyright|friendlinks?|links|banner|search"
    r"|login|dqwz|location|weizhi)(?:[\s_\d-]|$)",
    re.IGNORECASE,
)
_KEEP_TEXT = re.compile(r"总体情况|收到和处理政府信息公开申请")

_JS_STRING = re.compile(
    r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""", re.DOTALL
)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_JS_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "",
    "b": "",
    "f": "",
    "v": "",
    "0": "",
    "\n": "",
    "\r\n": "",
}
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")


def read_html(data: bytes) -> Document:
    text, encoding, lossy = decode_html(data)
    lines, stats = _page_lines(text)
    problems: list[str] = []
    if not REPORT_MARKERS.search("\n".join(lines)):
        embedded = _embedded_report(text, stats.scripts)
        if embedded is not None:
            lines, stats = embedded
            problems.append("html_from_script: the report was read from a JavaScript string")
    problems += dict.fromkeys(stats.problems)
    if stats.hidden:
        problems.append(
            f"html_hidden_text: {stats.hidden} piece(s) of text with digits that the page hides "
            "(display:none, visibility:hidden, the hidden attribute, opacity:0, font-size:0, "
            "text coloured like its background, off-screen, a closed <details>) were not read"
        )
    if stats.struck:
        problems.append(
            f"html_struck_text: {stats.struck} piece(s) of text with digits struck out (<del>, "
            "<s>, <strike>: a figure the page marks as removed) were not read"
        )
    if stats.tables == 0 and stats.images:
        problems.append(
            f"table_images: the page has no table but {stats.images} image(s); tables "
            "published as pictures cannot be read (OCR is out of scope)"
        )
    text, folded = normalize_counted("\n".join(lines))
    if folded:
        problems.append(radical_problem(folded))
    return Document(text, encoding, "html", lossy, tuple(problems))


def decode_html(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, lossy) of an HTML page's bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    for enc in dict.fromkeys(e for e in (declared, "gb18030") if e):
        try:
            return data.decode(enc), enc, False
        except (UnicodeDecodeError, LookupError):
            continue
    return _decode(data, declared or "utf-8")


def declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag or XML declaration names, as a Python codec name."""
    head = data[:8192]
    m = _META_CHARSET.search(head) or _XML_DECL_ENC.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(data: bytes, enc: str) -> tuple[str, str, bool]:
    try:
        return data.decode(enc), enc, False
    except UnicodeDecodeError:
        return data.decode(enc, errors="replace"), enc, True


class _Stats:
    __slots__ = ("hidden", "images", "problems", "scripts", "struck", "styles", "tables")

    def __init__(self, styles: Styles | None = None) -> None:
        self.tables = 0
        self.images = 0
        self.hidden = 0  # pieces of text with digits that CSS or the hidden attribute hides
        self.struck = 0  # pieces of text with digits struck out (<del>, <s>, <strike>)
        self.scripts: list[str] = []
        self.styles = styles
        self.problems: list[str] = []  # from the tables (merged_number_cell)


# A page declaring entities (an internal DTD subset): no real page does; refused, not expanded.
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


def _parse(text: str):
    import lxml.html
    from lxml import etree

    text = _BAD_XML_CHARS.sub("", _XML_DECL.sub("", text, count=1))
    if not text.strip():
        return None
    if _ENTITY_DECL.search(text, 0, 65536):
        raise DecodeError("unsafe_document", "the page declares XML entities (<!ENTITY>)")
    # Safe settings, explicit: no network, no entity expansion, libxml2's size and depth limits
    # kept (huge_tree off); a page that hits them is named, not read as a cut-off tree.
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    except etree.LxmlError as e:  # pragma: no cover - libxml2 recovers from nearly anything
        raise DecodeError("unreadable_document", f"the HTML could not be parsed: {e}") from None
    for err in parser.error_log:
        if err.type_name == "ERR_RESOURCE_LIMIT":
            raise DecodeError(
                "unsafe_document", f"the page is beyond the parser's limits: {err.message}"
            )
    return root


def _page_lines(text: str, pruned: bool = True) -> tuple[list[str], _Stats]:
    root = _parse(text)
    if root is None:
        return [], _Stats()
    stats = _Stats(Styles(root))
    stats.scripts = [s.text or "" for s in root.iter("script")]
    walker = _Walker(stats, prune=pruned)
    walker.walk(root)
    lines = walker.finish()
    if pruned and not REPORT_MARKERS.search("\n".join(lines)):
        # Chrome pruning must never hide the report: read the page whole when it did.
        full, full_stats = _page_lines(text, pruned=False)
        if REPORT_MARKERS.search("\n".join(full)):
            return full, full_stats
    title = _title(root)
    if title and "报告" in title and _compact(title) not in _compact("\n".join(lines[:5])):
        lines.insert(0, title)
    return lines, stats


def _title(root) -> str | None:
    t = root.find(".//title")
    if t is None or not t.text:
        return None
    return _WS.sub(" ", t.text).strip() or None


def _compact(s: str) -> str:
    return _WS.sub("", s)


class _Walker:
    """Block-aware text extraction: one line per block, pipe lines per data table."""

    def __init__(self, stats: _Stats, prune: bool = True, seen: Seen = PAGE):
        self.stats = stats
        self.prune = prune
        self.seen = seen  # what decides whether the text being read shows (inherited CSS)
        self.visible = seen.shows
        self.lines: list[str] = []
        self.buf: list[str] = []

    def finish(self) -> list[str]:
        self.flush()
        return self.lines

    def flush(self) -> None:
        line = _WS.sub(" ", "".join(self.buf)).strip()
        if line:
            self.lines.append(line)
        self.buf = []

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment or processing instruction: only its tail is text
            return
        tag = tag.lower()
        if self._dropped(el, tag):
            return
        # A struck-out figure beside its correction (28 after <del>9</del>) reads to a person as
        # removed, like an accepted tracked deletion in Word: read, it would join the two.
        if tag in _STRUCK and _DIGIT.search(el.text_content()):
            self.stats.struck += 1
            return
        styles = self.stats.styles
        if styles is not None and styles.touches(el):
            # html/body hidden by a stylesheet is the anti-clickjacking / anti-flicker pattern:
            # a script shows the page once it loads, so a person sees it.
            page_root = tag in _PAGE_ROOTS
            if not page_root and styles.display_none(el):
                self._hide(el)
                return
            seen = styles.seen(el, self.seen, tag in _BLOCK_TAGS or page_root, page_root)
            if seen != self.seen:
                if seen.gone:  # opacity 0, off-screen, clipped: nothing under it shows
                    self._hide(el)
                    return
                outer = self.seen
                self.seen, self.visible = seen, seen.shows
                try:
                    self.walk_shown(el, tag)
                finally:
                    self.seen, self.visible = outer, outer.shows
                return
        self.walk_shown(el, tag)

    def _closed_details(self, el) -> None:
        """A closed ``<details>`` shows its first ``<summary>`` only (HTML Living Standard,
        the details element): the rest is hidden until someone opens it."""
        summary = next(
            (c for c in el if isinstance(c.tag, str) and c.tag.lower() == "summary"), None
        )
        rest = el.text_content()
        if summary is not None:
            rest = rest.replace(summary.text_content(), "", 1)
            self.flush()
            self.walk(summary)
            self.flush()
        if _DIGIT.search(rest):
            self.stats.hidden += 1

    def _hide(self, el) -> None:
        if _DIGIT.search(el.text_content()):
            self.stats.hidden += 1

    def text(self, s: str | None) -> None:
        if s:
            if self.visible:
                self.buf.append(s)
            elif _DIGIT.search(s):
                self.stats.hidden += 1

    def walk_shown(self, el, tag: str) -> None:
        styles = self.stats.styles
        if tag == "img":
            self.stats.images += 1
            return
        if tag == "br":
            self.flush()
            return
        if tag == "details" and el.get("open") is None:
            self._closed_details(el)
            return
        if tag == "table" and self._data_table(el):
            self.flush()
            self.stats.tables += 1
            caption = el.find("caption")
            if caption is not None:
                self.lines.extend(_block_lines(caption, self.stats, self.seen))
            self.lines.extend(_table_lines(el, self.stats, self.seen))
            return
        if styles is not None and tag != "table" and styles.touches(el):
            grid = _div_table_lines(el, self.stats, self.seen)
            if grid:
                self.flush()
                self.stats.tables += 1
                self.lines.extend(grid)
                return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        self.text(el.text)
        for child in el:
            self.walk(child)
            self.text(child.tail)
        if block:
            self.flush()

    def _dropped(self, el, tag: str) -> bool:
        if tag in _DROP_TAGS:
            return True
        if not self.prune:
            return False
        if tag == "header":
            return not (el.find(".//h1") is not None or "报告" in el.text_content())
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if names.strip() and _CHROME_NAMES.search(names):
            return el.find(".//table") is None and not _KEEP_TEXT.search(el.text_content())
        return False

    def _data_table(self, table) -> bool:
        if table.find(".//table") is not None:
            return False  # a layout table around the content
        widths = [len(_row_cells(tr, self.stats)) for tr in _rows(table, self.stats)]
        return bool(widths) and max(widths) >= 2


def _rows(table, stats: _Stats) -> list:
    return [tr for tr in table.iter("tr") if not _gone(tr, stats)]


def _row_cells(tr, stats: _Stats) -> list:
    return [
        c
        for c in tr
        if isinstance(c.tag, str) and c.tag.lower() in ("td", "th") and not _gone(c, stats)
    ]


def _gone(el, stats: _Stats) -> bool:
    """A row or cell that ``display:none`` (or ``hidden``) takes out of the table."""
    styles = stats.styles
    return styles is not None and styles.touches(el) and styles.display_none(el)


def _span(value: str | None, cap: int) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    n = int(m.group(1)) if m else 1
    return cap if n == 0 else max(1, min(n, cap))


def _table_lines(table, stats: _Stats, seen: Seen = PAGE) -> list[str]:
    styles = stats.styles
    if styles is not None:  # rows and cells the page hides: named, then left out
        for x in table.iter("tr", "td", "th"):
            if _gone(x, stats) and _DIGIT.search(x.text_content()):
                stats.hidden += 1
    rows = _rows(table, stats)
    placed = []
    for tr in rows:
        row = []
        # Inherited: a row (or row group) hidden by a rule hides its cells unless they override
        # it; one that is gone (opacity 0, off-screen) leaves its cells empty.
        shown = seen
        if styles is not None:
            group = tr.getparent()
            if group is not table and group is not None and styles.touches(group):
                shown = styles.seen(group, shown, True)
            if styles.touches(tr):
                shown = styles.seen(tr, shown, True)
            if shown.gone and not seen.gone and _DIGIT.search(tr.text_content()):
                stats.hidden += 1
        for td in _row_cells(tr, stats):
            text = "" if shown.gone else cell_text(join_lines(_block_lines(td, stats, shown)))
            row.append((text, _span(td.get("rowspan"), len(rows)), _span(td.get("colspan"), 1000)))
        placed.append(row)
    return grid_lines(place_html_rows(placed), stats.problems)


def _block_lines(el, stats: _Stats, seen: Seen = PAGE) -> list[str]:
    """The lines of a block's content (its own styles applied); [] when it is gone."""
    styles = stats.styles
    if styles is not None and styles.touches(el):
        inner = styles.seen(el, seen, True)
        if inner.gone and not seen.gone:
            if _DIGIT.search(el.text_content()):
                stats.hidden += 1
            return []
        seen = inner
    w = _Walker(stats, seen=seen)
    w.text(el.text)
    for child in el:
        w.walk(child)
        w.text(child.tail)
    return w.finish()


# ----------------------------------------------------------------- tables made of <div>s

_GRID = frozenset({"grid", "inline-grid"})
_CSS_TABLE = frozenset({"table", "inline-table"})
_ROW_GROUPS = frozenset({"table-row-group", "table-header-group", "table-footer-group"})


def _div_table_lines(el, stats: _Stats, seen: Seen) -> list[str]:
    """A CSS grid (``display:grid`` with items placed by ``grid-column``/``grid-row`` or
    auto-placed on ``grid-template-columns``) or CSS table (``display:table`` /
    ``table-row`` / ``table-cell``) of at least 2 × 2 cells, as pipe lines; [] otherwise. An
    empty item is an empty cell, which the parser names as a blank."""
    styles = stats.styles
    display = styles.display(el)
    if display not in _GRID and display not in _CSS_TABLE:
        return []
    if not _cell_like(el):
        return []  # a page layout grid (sidebar | article): its items are blocks, not cells
    if display in _GRID:
        cells = _grid_cells(el, stats, seen)
    elif display in _CSS_TABLE:
        cells = _css_table_cells(el, stats, seen)
    else:
        return []
    if not cells:
        return []
    rows = {c.row for c in cells}
    cols = {c.col for c in cells}
    if len(rows) < 2 or len(cols) < 2:
        return []
    return grid_lines(cells, stats.problems)


_LAYOUT_BLOCKS = frozenset(
    {"table", "section", "article", "main", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_CELL_TEXT_MAX = 300  # characters: a table cell, not an article


def _cell_like(container) -> bool:
    """Whether a CSS grid/table's items read as table cells: none holds a table, a heading, a
    list or an article section, and none is longer than a cell."""
    for item in container:
        if not isinstance(item.tag, str):
            continue
        for d in item.iter():
            if isinstance(d.tag, str) and d.tag.lower() in _LAYOUT_BLOCKS:
                return False
        if len(item.text_content()) > _CELL_TEXT_MAX:
            return False
    return True


def _items(el, stats: _Stats) -> list:
    return [
        c
        for c in el
        if isinstance(c.tag, str) and c.tag.lower() not in _DROP_TAGS and not _gone(c, stats)
    ]


def _item_text(el, stats: _Stats, seen: Seen) -> str:
    return cell_text(join_lines(_block_lines(el, stats, seen)))


def _grid_cells(el, stats: _Stats, seen: Seen) -> list[GridCell]:
    styles = stats.styles
    n_cols = track_count(styles.value(el, "grid-template-columns"))
    items = _items(el, stats)
    explicit = []
    for item in items:
        col, cspan = grid_line(_placement(styles, item, "grid-column"))
        row, rspan = grid_line(_placement(styles, item, "grid-row"))
        area = styles.value(item, "grid-area")
        if area and row is None and col is None:
            parts = [p.strip() for p in area.split("/")]
            if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]):
                row, col = int(parts[0]), int(parts[1])
                if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
                    rspan = max(1, int(parts[2]) - row)
                    cspan = max(1, int(parts[3]) - col)
        explicit.append((item, row, col, rspan, cspan))
    if not n_cols:
        n_cols = max(((c or 1) - 1 + cs for _, _, c, _, cs in explicit), default=0)
    if n_cols < 2:
        return []
    taken: set[tuple[int, int]] = set()
    cells: list[GridCell] = []

    def place(item, r: int, c: int, rs: int, cs: int) -> None:
        cells.append(GridCell(_item_text(item, stats, seen), r, c, rs, cs))
        for dr in range(rs):
            for dc in range(cs):
                taken.add((r + dr, c + dc))

    auto = []
    for item, row, col, rs, cs in explicit:
        if row is not None and col is not None and row > 0 and col > 0:
            place(item, row - 1, col - 1, rs, cs)
        else:
            auto.append((item, row, col, rs, cs))
    cursor = (0, 0)  # the sparse auto-placement cursor of CSS grid, row by row
    for item, row, col, rs, cs in auto:
        cs = min(cs, n_cols)
        r, c = cursor
        if row is not None and row > 0:
            r, c = row - 1, 0
        while True:
            if c + cs > n_cols:
                r, c = r + 1, 0
                continue
            if col is not None and col > 0 and c != col - 1:
                if c < col - 1:
                    c = col - 1
                else:
                    r, c = r + 1, col - 1
                continue
            if all((r + dr, c + dc) not in taken for dr in range(rs) for dc in range(cs)):
                break
            c += 1
        place(item, r, c, rs, cs)
        cursor = (r, c + cs)
    return cells


def _placement(styles: Styles, item, prop: str) -> str | None:
    """``grid-column`` (or ``grid-row``), else its ``-start`` / ``-end`` longhands joined."""
    value = styles.value(item, prop)
    if value:
        return value
    start, end = styles.value(item, prop + "-start"), styles.value(item, prop + "-end")
    if start or end:
        return f"{start or 'auto'} / {end}" if end else start
    return None


def _css_table_cells(el, stats: _Stats, seen: Seen) -> list[GridCell]:
    styles = stats.styles
    rows = []
    for child in _items(el, stats):
        d = styles.display(child)
        if d in _ROW_GROUPS:
            rows += [g for g in _items(child, stats) if styles.display(g) == "table-row"]
        elif d == "table-row":
            rows.append(child)
    cells: list[GridCell] = []
    for r, tr in enumerate(rows):
        tds = [c for c in _items(tr, stats) if styles.display(c) == "table-cell"]
        for c, td in enumerate(tds):
            cells.append(GridCell(_item_text(td, stats, seen), r, c))
    return cells


# ----------------------------------------------------------------- the report inside a script


def _embedded_report(page: str, scripts: list[str], depth: int = 0):
    """(lines, stats) of a report held in JavaScript/JSON string literals, or None."""
    for source in [*scripts, page]:
        found = _strings_with_report(source)
        if found is None:
            continue
        if not _TAG.search(found):  # plain text in a string: its "\n" are the line breaks
            lines = [ln.strip() for ln in found.split("\n") if ln.strip()]
            return lines, _Stats()
        lines, stats = _page_lines(found)
        if REPORT_MARKERS.search("\n".join(lines)):
            return lines, stats
        if depth < 2:
            nested = _embedded_report(found, stats.scripts, depth + 1)
            if nested is not None:
                return nested
    return None


def _strings_with_report(source: str) -> str | None:
    pieces = []
    for m in _JS_STRING.finditer(source):
        raw = next(g for g in m.groups() if g is not None)
        if "\\" in raw:
            raw = _js_unescape(raw)
        if "&lt;" in raw and "<" not in raw:
            raw = html_lib.unescape(raw)
        if _TAG.search(raw) or REPORT_MARKERS.search(raw):
            pieces.append(raw)
    joined = "".join(pieces)
    return joined if REPORT_MARKERS.search(joined) else None


def _js_unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e.startswith("u{"):
            return chr(min(int(e[2:-1], 16), 0x10FFFF))
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _JS_SIMPLE.get(e, e)

    out = _JS_ESCAPE.sub(one, s)
    try:  # \uD83D\uDE00 pairs → one character
        return out.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeError:
        return out.encode("utf-8", "replace").decode("utf-8")
