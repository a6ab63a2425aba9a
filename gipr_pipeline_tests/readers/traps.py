"""Document traps, built in code from truth tables: files whose bytes hold more, or other, than a
person sees on the page (hidden spans, tracked changes, white-out corrections, fake bold, …).

Each builder takes a layout (:mod:`.builders`) and a seeded ``random.Random``, and returns the
document's bytes; what a person sees is always the layout's truth, so the reader must give back
exactly the truth facts. The classes and what a correct reader does:
``data/cases/README.md`` (document_traps, hidden_content).
"""

from __future__ import annotations

import copy
import html
import random
from collections.abc import Callable

from gipr_pipeline.readers.grid import place_html_rows

from .builders import (
    FONT,
    HtmlStyle,
    Layout,
    TableBlock,
    _register_font,
    docx_bytes,
    html_page,
    is_value,
    pdf_bytes,
)


def _other_digit(rng: random.Random) -> str:
    return str(rng.randint(1, 9))


def _insert(rng: random.Random, text: str, hidden: str) -> str:
    """The hidden piece before, after or inside the visible number."""
    where = rng.random()
    if len(text) > 1 and where < 0.34:
        k = rng.randint(1, len(text) - 1)
        return html.escape(text[:k]) + hidden + html.escape(text[k:])
    if where < 0.67:
        return html.escape(text) + hidden
    return hidden + html.escape(text)


# ------------------------------------------------------------------ HTML: hidden text

HTML_HIDE_KINDS = (
    "inline_display",
    "inline_display_important",
    "inline_visibility",
    "class_rule",
    "id_rule",
    "element_rule",
    "hidden_attribute",
    "media_screen_rule",
    "descendant_of_hidden",
    # What a browser draws where no one sees it (each with decoys that show, below).
    "font_size_zero_inline",
    "font_size_zero_rule",
    "opacity_zero_inline",
    "opacity_zero_rule",
    "transparent_color_inline",
    "transparent_color_rule",
    "color_as_background_inline",
    "color_as_background_rule",
    "font_color_attribute",
    "offscreen_inline",
    "offscreen_rule",
    "text_indent_inline",
    "text_indent_rule",
    "clipped_inline",
    "clipped_rule",
    "closed_details",
)

_HIDE_CSS = """
.wz { visibility: hidden; font-size: 1px; }
td i.note { display: none }
@media screen { .ms { display: none } }
@media print { .ms { display: inline } }
.hid { display: none }
.fz { font-size: 0PX }
.fs { font: bold 0/0 a }
.fz .fz-on { font-size: 10.5pt }
.fade { opacity: 0 }
.ink0 { color: rgba(255, 255, 255, 0) }
.ink0 .ink { color: #333 }
.wt { color: #FFF }
.tint { background-color: #eef2f7 }
.same { color: rgb(238, 242, 247) }
.band { background: #1f4e79 }
.off { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden }
.ti { display: inline-block; text-indent: -9999px; overflow: hidden; width: 1px }
.ti-x { text-indent: -9999px }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0 }
.visually-hidden { position: absolute !important; clip: rect(1px 1px 1px 1px);
  clip-path: inset(50%) }
.vh-x { clip: rect(0 0 0 0) }
"""


def html_hidden(lay: Layout, rng: random.Random, kinds=HTML_HIDE_KINDS, share=0.5) -> bytes:
    """An HTML page whose value cells carry extra digits a browser does not show, hidden in
    each of ``kinds`` ways (inline style, class / id / element rules in <style>, ``hidden``,
    zero size or opacity, text coloured like its background, off-screen or clipped boxes).

    Kinds that a browser can be talked out of come with decoys: about a third of the value
    cells print their visible figure under the same property set so that it shows (a zero
    font size undone by the child, white text on a dark background, an offset without
    ``position``, an inline override of a hiding rule, …); the truth is what is drawn."""
    ids: list[str] = []

    def new_id(prefix: str) -> str:
        ids.append(f"{prefix}{len(ids)}")
        return ids[-1]

    def hide(kind: str, digit: str) -> str:
        pick = rng.choice
        if kind == "inline_display":
            return f'<span style="display:none">{digit}</span>'
        if kind == "inline_display_important":
            return f'<span style="DISPLAY: none !important;">{digit}</span>'
        if kind == "inline_visibility":
            return f'<span style="visibility:hidden">{digit}</span>'
        if kind == "class_rule":
            return f'<font class="wz">{digit}</font>'
        if kind == "id_rule":
            return f'<span id="{new_id("h")}">{digit}</span>'
        if kind == "element_rule":
            return f'<i class="note">{digit}</i>'
        if kind == "hidden_attribute":
            return f"<span hidden>{digit}</span>"
        if kind == "media_screen_rule":
            return f'<span class="ms">{digit}</span>'
        if kind == "descendant_of_hidden":
            return f'<div class="hid"><span style="display:inline">{digit}</span></div>'
        if kind == "font_size_zero_inline":
            size = pick(
                ("0", "0px", "0pt", "0em", "0%", "0 !important", "calc(0px)", "min(0em, 0px)")
            )
            return f'<span style="font-size:{size}">{digit}</span>'
        if kind == "font_size_zero_rule":
            return f'<span class="{pick(("fz", "fs"))}">{digit}</span>'
        if kind == "opacity_zero_inline":
            return f'<span style="opacity:{pick(("0", "0.0", "0%"))}">{digit}</span>'
        if kind == "opacity_zero_rule":
            return f'<span id="{new_id("o")}">{digit}</span>'
        if kind == "transparent_color_inline":
            ink = pick(("transparent", "rgba(0,0,0,0)", "hsla(120, 50%, 50%, 0)"))
            return f'<span style="color:{ink}">{digit}</span>'
        if kind == "transparent_color_rule":
            return f'<span class="ink0">{digit}</span>'
        if kind == "color_as_background_inline":
            return pick(
                (
                    f'<span style="color:#ffffff">{digit}</span>',
                    f'<span style="color:white">{digit}</span>',
                    f'<span style="color:hsl(0, 0%, 100%)">{digit}</span>',
                    f'<span style="background:#f5f5f5;color:#F5F5F5">{digit}</span>',
                )
            )
        if kind == "color_as_background_rule":
            return pick(
                (
                    f'<span class="wt">{digit}</span>',
                    f'<b class="tint"><b class="same">{digit}</b></b>',
                )
            )
        if kind == "font_color_attribute":
            return f'<font color="{pick(("#FFFFFF", "white", "ffffff"))}">{digit}</font>'
        if kind == "offscreen_inline":
            place = pick(("position:absolute;left:-9999px", "position: fixed; top: -10000px"))
            return f'<span style="{place}">{digit}</span>'
        if kind == "offscreen_rule":
            return f'<span class="off">{digit}</span>'
        if kind == "text_indent_inline":
            return f'<span style="display:inline-block;text-indent:-9999px">{digit}</span>'
        if kind == "text_indent_rule":
            return f'<span class="ti">{digit}</span>'
        if kind == "clipped_inline":
            return f'<span style="position:absolute;clip:rect(0 0 0 0)">{digit}</span>'
        if kind == "clipped_rule":
            return f'<span class="{pick(("sr-only", "visually-hidden"))}">{digit}</span>'
        if kind == "closed_details":
            summary = pick(("", "<summary></summary>"))  # a summary with words shows them
            return f"<details>{summary}{digit}</details>"
        raise ValueError(kind)

    def decoy(kind: str, text: str) -> str | None:
        """``text`` under the kind's property, set so that it shows; None: no decoy."""
        pick = rng.choice
        if kind.startswith("font_size_zero"):
            return pick(
                (
                    f'<span style="font-size:0"><span style="font-size:14px">{text}</span></span>',
                    f'<span class="fz"><span class="fz-on">{text}</span></span>',
                    f'<span class="fz" style="font-size:12pt">{text}</span>',
                )
            )
        if kind.startswith("opacity_zero"):
            return pick(
                (
                    f'<span class="fade" style="opacity:1">{text}</span>',
                    f'<span style="opacity:0.6">{text}</span>',
                )
            )
        if kind.startswith("transparent_color"):
            return pick(
                (
                    f'<span class="ink0"><span class="ink">{text}</span></span>',
                    f'<span style="color:transparent"><b style="color:#000">{text}</b></span>',
                )
            )
        if kind.startswith("color_as_background") or kind == "font_color_attribute":
            return pick(
                (
                    f'<span class="band"><span class="wt">{text}</span></span>',
                    f'<span style="background-color:rgb(0,51,102);color:white">{text}</span>',
                    f'<span style="background:#336699"><font color="#ffffff">{text}</font></span>',
                    f'<span class="tint"><span style="color:#333">{text}</span></span>',
                    f'<span class="wt" style="color:#1a1a1a">{text}</span>',
                )
            )
        if kind.startswith("offscreen"):
            return pick(
                (
                    f'<span style="left:-9999px">{text}</span>',
                    f'<span class="off" style="position:static">{text}</span>',
                    f'<span style="position:relative;left:-20px">{text}</span>',
                )
            )
        if kind.startswith("text_indent"):
            return pick(
                (
                    f'<span class="ti-x">{text}</span>',
                    f'<span style="text-indent:-9999px">{text}</span>',
                    f'<span class="ti" style="text-indent:0;width:auto">{text}</span>',
                )
            )
        if kind.startswith("clipped"):
            return pick(
                (
                    f'<span class="vh-x">{text}</span>',
                    f'<span class="sr-only" style="position:static;clip:auto">{text}</span>',
                )
            )
        return None

    def cell(text: str) -> str:
        kind = rng.choice(kinds)
        hidden = hide(kind, _other_digit(rng)) if rng.random() < share else ""
        shown = decoy(kind, html.escape(text)) if rng.random() < 0.35 else None
        if shown is None:
            if kind == "closed_details" and hidden:  # a block: beside the figure, not inside it
                return html.escape(text) + hidden
            return _insert(rng, text, hidden) if hidden else html.escape(text)
        return hidden + shown if rng.random() < 0.5 else shown + hidden

    # The id rules are written after the cells are, so the style is built lazily.
    body = html_page(lay, HtmlStyle(cell_html=cell, css="/*IDS*/" + _HIDE_CSS), "2025-01-20")
    rules = ""
    for prefix, decl in (("h", "display: none"), ("o", "opacity: 0")):
        mine = [i for i in ids if i.startswith(prefix)]
        if mine:
            rules += ", ".join(f"#{i}" for i in mine) + f" {{ {decl}; }}\n"
    return body.replace(b"/*IDS*/", rules.encode())


# ------------------------------------------------------------------ HTML: <div> tables

DIV_MODES = ("explicit_inline", "auto_placed", "class_placed")


def div_table(mode: str) -> Callable[[TableBlock], str]:
    """A table written as CSS-grid <div>s: explicit ``grid-column``/``grid-row`` inline (as
    page builders export), auto-placed on ``grid-template-columns`` with spans only, or placed
    by per-cell classes of a <style> rule set (``grid-column-start`` / ``-end`` longhands)."""

    def write(block: TableBlock) -> str:
        placed = place_html_rows(block.rows)
        n_cols = max(c.col + c.colspan for c in placed)
        border = "border-right:1px solid #000;border-bottom:1px solid #000"
        if mode == "auto_placed":
            out = [f'<div class="gk-grid" data-cols="{n_cols}">']
        else:
            out = [
                f'<div style="display:grid;grid-template-columns:repeat({n_cols},auto);'
                'border-left:1px solid #000">'
            ]
        for c in placed:
            text = html.escape(c.text)
            if mode == "explicit_inline":
                style = (
                    f"grid-column:{c.col + 1} / span {c.colspan};"
                    f"grid-row:{c.row + 1} / span {c.rowspan};{border}"
                )
                out.append(f'<div class="gk-cell" style="{style}">{text}</div>')
            elif mode == "auto_placed":
                spans = (f"grid-column:span {c.colspan};" if c.colspan > 1 else "") + (
                    f"grid-row:span {c.rowspan};" if c.rowspan > 1 else ""
                )
                out.append(f'<div style="{spans}{border}">{text}</div>')
            else:
                classes = f"c{c.col + 1} r{c.row + 1} cs{c.colspan} rs{c.rowspan}"
                out.append(f'<div class="{classes}">{text}</div>')
        out.append("</div>")
        return "\n".join(out)

    return write


def div_table_css(mode: str) -> str:
    if mode == "auto_placed":
        # One rule per column count used by the builders' tables (4, 10 and 15 columns).
        return "\n".join(
            f'.gk-grid[data-cols="{n}"] {{ display: grid; grid-template-columns: repeat({n}, 1fr) }}'
            for n in (4, 10, 15)
        )
    if mode == "class_placed":
        rules = []
        for n in range(1, 40):
            rules.append(f".c{n} {{ grid-column-start: {n} }} .r{n} {{ grid-row-start: {n} }}")
            rules.append(
                f".cs{n} {{ grid-column-end: span {n} }} .rs{n} {{ grid-row-end: span {n} }}"
            )
        return "\n".join(rules)
    return ""


def html_div_tables(lay: Layout, mode: str) -> bytes:
    style = HtmlStyle(div_table=div_table(mode), css=div_table_css(mode))
    return html_page(lay, style, "2025-01-20")


# ------------------------------------------------------------------ DOCX

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _el(tag: str, attrs: dict | None = None, *children):
    from lxml import etree

    e = etree.Element(tag, {k: v for k, v in (attrs or {}).items()})
    for c in children:
        e.append(c)
    return e


def _run(text: str, *, hidden: bool = False, style: str | None = None, deleted=False):
    rpr = _el(_w("rPr"))
    if hidden:
        rpr.append(_el(_w("vanish")))
    if style:
        rpr.append(_el(_w("rStyle"), {_w("val"): style}))
    t = _el(_w("delText" if deleted else "t"))
    t.text = text
    r = _el(_w("r"))
    if len(rpr):
        r.append(rpr)
    r.append(t)
    return r


def _change(tag: str, n: int, *children):
    return _el(
        _w(tag),
        {_w("id"): str(n), _w("author"): "政务公开办", _w("date"): "2025-01-20T09:00:00Z"},
        *children,
    )


def _value_paragraphs(table) -> list:
    """The paragraph of each value cell (python-docx table), once per merged cell."""
    out = []
    # One XML element per cell (a merged cell's other slots are empty w:tc continuations). The
    # list keeps the proxies alive: an id() check on proxies freed in between saw them all as one.
    for tc in list(table._tbl.iter(_w("tc"))):
        ps = tc.findall(_w("p"))
        text = "".join(t.text or "" for t in tc.iter(_w("t")))
        if ps and is_value(text):
            out.append(ps[0])
    return out


DOCX_RUN_KINDS = ("vanish", "hidden_style", "deleted", "moved_from", "inserted")
HIDDEN_STYLE = "GiprHiddenNote"


def _add_hidden_style(document) -> None:
    styles = document.styles.element
    st = _el(
        _w("style"),
        {_w("type"): "character", _w("styleId"): HIDDEN_STYLE},
        _el(_w("name"), {_w("val"): "Hidden Note"}),
        _el(_w("rPr"), None, _el(_w("vanish"))),
    )
    styles.append(st)


def docx_hidden_runs(lay: Layout, rng: random.Random, kinds=DOCX_RUN_KINDS, share=0.5) -> bytes:
    """Value cells carrying runs Word does not show: hidden (w:vanish, directly or through a
    character style), deleted (w:del) or moved away (w:moveFrom) digits, and the shown number
    sometimes as a tracked insertion (w:ins), which is shown."""
    counter = iter(range(1, 100000))

    def on_table(_document, table, _block) -> None:
        for p in _value_paragraphs(table):
            if rng.random() >= share:
                continue
            kind = rng.choice(kinds)
            digit = _other_digit(rng)
            runs = p.findall(_w("r"))
            if kind == "inserted":
                ins = _change("ins", next(counter))
                for r in runs:
                    p.remove(r)
                    ins.append(r)
                p.append(ins)
                continue
            if kind == "vanish":
                extra = _run(digit, hidden=True)
            elif kind == "hidden_style":
                extra = _run(digit, style=HIDDEN_STYLE)
            elif kind == "deleted":
                extra = _change("del", next(counter), _run(digit, deleted=True))
            else:
                extra = _change("moveFrom", next(counter), _run(digit))
            if rng.random() < 0.5:
                p.append(extra)
            else:
                runs[0].addprevious(extra)

    return docx_bytes(lay, on_table=on_table, on_document=_add_hidden_style)


def _add_style(document, sid: str, kind: str, vanish: bool | None, based: str | None = None):
    st = _el(_w("style"), {_w("type"): kind, _w("styleId"): sid}, _el(_w("name"), {_w("val"): sid}))
    if based:
        st.append(_el(_w("basedOn"), {_w("val"): based}))
    if vanish is not None:
        st.append(_el(_w("rPr"), None, _el(_w("vanish"), {_w("val"): "1" if vanish else "0"})))
    document.styles.element.append(st)


def _field(code: str, runs: list) -> list:
    """A complex field whose code is ``code`` (written as w:t, as some converters do) and whose
    shown result is ``runs``."""

    def char(kind: str):
        return _el(_w("r"), None, _el(_w("fldChar"), {_w("fldCharType"): kind}))

    return [char("begin"), _run(code), char("separate"), *runs, char("end")]


def docx_hidden_by_styles(lay: Layout, rng: random.Random) -> bytes:
    """Each table preceded or followed by a copy with other numbers that a table style hides
    (``w:vanish`` reached through ``w:basedOn``); some value cells also carry a field whose code
    holds a digit (Word shows the field's result, the number), and a digit in a character style
    that toggles a hidden paragraph style back to shown (ECMA-376 17.7.3: two hiding styles
    cancel, so only the paragraph style's decoys are hidden)."""

    def on_document(document) -> None:
        _add_style(document, "GiprHidden", "table", True)
        _add_style(document, "GiprHiddenTable", "table", None, based="GiprHidden")
        _add_style(document, "GiprHiddenPara", "paragraph", True)
        _add_style(document, "GiprHiddenChar", "character", True)

    def on_table(_document, table, _block) -> None:
        ghost = copy.deepcopy(table._tbl)
        for p in _value_paragraphs(table):
            kind = rng.random()
            if kind < 0.3:
                runs = p.findall(_w("r"))
                for r in runs:
                    p.remove(r)
                for r in _field(f" = {_other_digit(rng)} ", runs):
                    p.append(r)
            elif kind < 0.6:
                # hidden paragraph style: the shown number is in a character style that also
                # hides, so the two toggle it back; the decoy inherits the paragraph's
                ppr = p.find(_w("pPr"))
                if ppr is None:
                    ppr = _el(_w("pPr"))
                    p.insert(0, ppr)
                ppr.insert(0, _el(_w("pStyle"), {_w("val"): "GiprHiddenPara"}))
                for r in p.findall(_w("r")):
                    rpr = r.find(_w("rPr"))
                    if rpr is None:
                        rpr = _el(_w("rPr"))
                        r.insert(0, rpr)
                    rpr.insert(0, _el(_w("rStyle"), {_w("val"): "GiprHiddenChar"}))
                p.append(_run(_other_digit(rng)))
        for t in ghost.iter(_w("t")):
            if is_value(t.text or ""):
                t.text = str(int(float(t.text)) + rng.randint(1, 9))
        ghost.find(f"{_w('tblPr')}/{_w('tblStyle')}").set(_w("val"), "GiprHiddenTable")
        (table._tbl.addprevious if rng.random() < 0.5 else table._tbl.addnext)(ghost)

    return docx_bytes(lay, on_table=on_table, on_document=on_document)


def _white_run(text: str, style: str | None = None):
    r = _run(text, style=style)
    if style is None:
        r.insert(0, _el(_w("rPr"), None, _el(_w("color"), {_w("val"): "FFFFFF"})))
    return r


def docx_white_runs(lay: Layout, rng: random.Random) -> bytes:
    """Digits in white (``w:color`` FFFFFF, directly or through a character style based on a
    white one) beside the shown numbers, on the white page: no one sees them. Some value cells
    are shaded dark and print their number in white: those are seen."""

    def on_document(document) -> None:
        white = _el(_w("rPr"), None, _el(_w("color"), {_w("val"): "FFFFFF"}))
        for sid, based in (("GiprWhiteBase", None), ("GiprWhite", "GiprWhiteBase")):
            st = _el(_w("style"), {_w("type"): "character", _w("styleId"): sid})
            st.append(_el(_w("name"), {_w("val"): sid}))
            if based:
                st.append(_el(_w("basedOn"), {_w("val"): based}))
            else:
                st.append(white)
            document.styles.element.append(st)

    def on_table(_document, table, _block) -> None:
        for p in _value_paragraphs(table):
            kind = rng.random()
            if kind < 0.4:
                decoy = _white_run(_other_digit(rng), "GiprWhite" if kind < 0.2 else None)
                (p.append if rng.random() < 0.5 else p.findall(_w("r"))[0].addprevious)(decoy)
            elif kind < 0.6:
                tc = p.getparent()
                tcpr = tc.find(_w("tcPr"))
                if tcpr is None:
                    tcpr = _el(_w("tcPr"))
                    tc.insert(0, tcpr)
                tcpr.append(_el(_w("shd"), {_w("val"): "clear", _w("fill"): "1F3864"}))
                for r in p.findall(_w("r")):
                    r.insert(0, _el(_w("rPr"), None, _el(_w("color"), {_w("val"): "FFFFFF"})))

    return docx_bytes(lay, on_table=on_table, on_document=on_document)


def docx_deleted_rows(lay: Layout, rng: random.Random) -> bytes:
    """Copies of some value rows, with other numbers, deleted as tracked changes (w:trPr/w:del):
    Word shows them struck out in markup and not at all in the final view."""
    counter = iter(range(1, 100000))

    def on_table(_document, table, block: TableBlock) -> None:
        rows = table._tbl.findall(_w("tr"))
        slots = sorted(block.value_slots.values())
        for grid_row, _col in rng.sample(slots, k=min(2, len(slots))):
            tr = rows[grid_row]
            if any(tc.find(f"{_w('tcPr')}/{_w('vMerge')}") is not None for tc in tr):
                continue  # a row inside a merged group label: the copy would break the merge
            ghost = copy.deepcopy(tr)
            for t in ghost.iter(_w("t")):
                if is_value(t.text or ""):
                    t.text = str(int(float(t.text)) + rng.randint(1, 9))
            trpr = ghost.find(_w("trPr"))
            if trpr is None:
                trpr = _el(_w("trPr"))
                ghost.insert(0, trpr)
            trpr.append(_change("del", next(counter)))
            (tr.addprevious if rng.random() < 0.5 else tr.addnext)(ghost)

    return docx_bytes(lay, on_table=on_table)


def docx_sdt_rows(lay: Layout, rng: random.Random) -> bytes:
    """Rows wrapped in content controls (w:sdt around w:tr, as form templates do), and some
    value cells in cell-level content controls."""
    counter = iter(range(1000, 100000))

    def sdt(*children):
        pr = _el(_w("sdtPr"), None, _el(_w("id"), {_w("val"): str(next(counter))}))
        return _el(_w("sdt"), None, pr, _el(_w("sdtContent"), None, *children))

    def on_table(_document, table, _block) -> None:
        tbl = table._tbl
        for tc in list(tbl.iter(_w("tc"))):
            text = "".join(t.text or "" for t in tc.iter(_w("t")))
            if is_value(text) and rng.random() < 0.2:
                wrapper = sdt()
                tc.addprevious(wrapper)
                wrapper.find(_w("sdtContent")).append(tc)
        rows = tbl.findall(_w("tr"))
        i = 0
        while i < len(rows):
            n = rng.randint(1, 6)
            if rng.random() < 0.6:
                group = rows[i : i + n]
                wrapper = sdt()
                group[0].addprevious(wrapper)
                for tr in group:
                    wrapper.find(_w("sdtContent")).append(tr)
            i += n

    return docx_bytes(lay, on_table=on_table)


def docx_text_box_tables(lay: Layout, rng: random.Random) -> bytes:
    """Some tables moved into text boxes anchored in a paragraph: DrawingML (wps:txbx) with the
    VML copy Word writes as its mc:Fallback, or VML only."""

    def on_document(document) -> None:
        body = document.element.body
        for tbl in list(body.findall(_w("tbl"))):
            if rng.random() < 0.3:
                continue
            vml_only = rng.random() < 0.3
            fallback = _el(
                f"{{{MC}}}Fallback",
                None,
                _el(
                    _w("pict"),
                    None,
                    _el(
                        f"{{{V}}}shape",
                        {"style": "width:450pt;height:600pt"},
                        _el(f"{{{V}}}textbox", None, _el(_w("txbxContent"), None)),
                    ),
                ),
            )
            fallback.find(f".//{_w('txbxContent')}").extend([copy.deepcopy(tbl), _el(_w("p"))])
            if vml_only:
                holder = fallback[0]
            else:
                box = _el(_w("txbxContent"), None, copy.deepcopy(tbl), _el(_w("p")))
                choice = _el(
                    f"{{{MC}}}Choice",
                    {"Requires": "wps"},
                    _el(
                        _w("drawing"),
                        None,
                        _el(
                            f"{{{WP}}}anchor",
                            None,
                            _el(
                                f"{{{A}}}graphic",
                                None,
                                _el(
                                    f"{{{A}}}graphicData",
                                    {"uri": WPS},
                                    _el(f"{{{WPS}}}wsp", None, _el(f"{{{WPS}}}txbx", None, box)),
                                ),
                            ),
                        ),
                    ),
                )
                holder = _el(f"{{{MC}}}AlternateContent", None, choice, fallback)
            p = _el(_w("p"), None, _el(_w("r"), None, holder))
            tbl.addprevious(p)
            body.remove(tbl)

    return docx_bytes(lay, on_document=on_document)


def docx_merged_zeros(lay: Layout, rng: random.Random) -> bytes:
    """Zero cells of the applications table merged: down a column over consecutive rows
    (vMerge) and across adjacent value columns of a row (gridSpan), each merged cell printed
    once as 0. A person reads 0 in every cell the merge covers."""

    def on_table(_document, table, block: TableBlock) -> None:
        if block.code != "applications":
            return
        placed = place_html_rows(block.rows)
        slots = {(c.row, c.col): c for c in placed}
        rows = sorted(r for r, _c in block.value_slots.values())
        first_col = next(iter(block.value_slots.values()))[1]
        n_cols = max(c.col + c.colspan for c in placed)
        zero = {
            (r, c)
            for r in rows
            for c in range(first_col, n_cols)
            if (r, c) in slots and slots[(r, c)].text == "0"
        }
        used: set[tuple[int, int]] = set()
        merges = []
        for c in range(first_col, n_cols):  # vertical runs
            run: list[int] = []
            for r in [*rows, -1]:
                if r in rows and (r, c) in zero and (not run or r == run[-1] + 1):
                    run.append(r)
                    continue
                if len(run) >= 2 and rng.random() < 0.5:
                    k = rng.randint(2, len(run))
                    merges.append(((run[0], c), (run[k - 1], c)))
                    used.update((x, c) for x in run[:k])
                run = [r] if r in rows and (r, c) in zero else []
        for r in rows:  # horizontal runs of what is left
            run = []
            for c in [*range(first_col, n_cols), -1]:
                if c >= 0 and (r, c) in zero and (r, c) not in used:
                    run.append(c)
                    continue
                if len(run) >= 2 and rng.random() < 0.7:
                    merges.append(((r, run[0]), (r, run[-1])))
                run = []
        for (r0, c0), (r1, c1) in merges:
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = "0"

    return docx_bytes(lay, on_table=on_table)


# ------------------------------------------------------------------ PDF

PDF_KINDS = (
    "invisible",
    "whiteout",
    "overprint",
    "letterspaced",
    "kerned",
    "white_text",
    # paints a viewer does not show, and ones it does
    "stroked_white",  # a decoy in render mode 1 (stroke only) stroked white, filled black
    "outlined_white",  # the number filled white and stroked black (mode 2): shown
    "same_colour",  # a grey decoy on a grey cell fill drawn before it; the number in black
    "transparent",  # a decoy filled with constant alpha 0 (ExtGState /ca 0)
    "tiny",  # a decoy at 0.05 pt
    "squeezed",  # a decoy at horizontal scaling 0 (Tz 0)
)


def _pdf_string(text: str) -> str:
    """A PDF string literal of ``text`` in the CID font's encoding (UniGB-UCS2-H)."""
    return "(" + "".join(f"\\{b:03o}" for b in text.encode("utf-16-be")) + ")"


def _tj(pieces: list[str], kerns: list[float]) -> str:
    """A TJ operator drawing ``pieces`` with the adjustment ``kerns[i]`` (thousandths of an em,
    negative: a wider gap) after piece i."""
    parts = [_pdf_string(pieces[0])]
    for piece, k in zip(pieces[1:], kerns, strict=False):
        parts += [f"{k:g}", _pdf_string(piece)]
    return "[" + " ".join(parts) + "] TJ"


def _trap_flowable(text: str, kind: str, rng: random.Random):
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    extra = _other_digit(rng)
    wrong = str(int(text.split(".")[0]) + rng.randint(1, 9)) if kind == "whiteout" else ""

    class Trap(Flowable):
        def wrap(self, aw, ah):
            self.aw = aw
            return aw, 9

        def draw(self):
            c = self.canv
            size = 7
            w = stringWidth(text, FONT, size)
            x, y = 0, 1
            if kind == "invisible":  # an extra digit in render mode 3 right after the number
                t = c.beginText(x, y)
                t.setFont(FONT, size)
                t.textOut(text)
                t.setTextRenderMode(3)
                t.textOut(extra)
                t.setTextRenderMode(0)
                c.drawText(t)
            elif kind == "white_text":
                c.setFont(FONT, size)
                c.drawString(x, y, text)
                c.setFillColorRGB(1, 1, 1)
                c.drawString(x + w, y, extra)
                c.setFillColorRGB(0, 0, 0)
            elif kind in ("stroked_white", "outlined_white"):
                t = c.beginText(x, y)
                t.setFont(FONT, size)
                if kind == "stroked_white":
                    t.textOut(text)
                    c.setStrokeColorRGB(1, 1, 1)
                    t.setTextRenderMode(1)
                    t.textOut(extra)
                else:
                    c.setFillColorRGB(1, 1, 1)
                    t.setTextRenderMode(2)
                    t.textOut(text)
                t.setTextRenderMode(0)
                c.drawText(t)
                c.setFillColorRGB(0, 0, 0)
                c.setStrokeColorRGB(0, 0, 0)
            elif kind == "same_colour":
                c.setFillColorRGB(0.85, 0.85, 0.85)
                c.rect(x - 1, y - 2, w + 12, size + 2, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
                c.setFont(FONT, size)
                c.drawString(x, y, text)
                c.setFillColorRGB(0.85, 0.85, 0.85)
                c.drawString(x + w, y, extra)
                c.setFillColorRGB(0, 0, 0)
            elif kind in ("transparent", "tiny", "squeezed"):
                c.setFont(FONT, size)
                c.drawString(x, y, text)
                c.saveState()
                t = c.beginText(x + w, y)
                if kind == "transparent":
                    c.setFillAlpha(0)
                    t.setFont(FONT, size)
                elif kind == "tiny":
                    t.setFont(FONT, 0.05)
                else:
                    t.setFont(FONT, size)
                    t.setHorizScale(0)
                t.textOut(extra)
                c.drawText(t)
                c.restoreState()
            elif kind == "whiteout":  # the wrong figure, a white box, the right figure on it
                c.setFont(FONT, size)
                c.drawString(x, y, wrong)
                c.setFillColorRGB(1, 1, 1)
                ww = max(w, stringWidth(wrong, FONT, size))
                c.rect(x - 1, y - 2, ww + 2, size + 2, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
                c.drawString(x, y, text)
            elif kind == "redacted":  # the figure under a black box, nothing drawn over it
                c.setFont(FONT, size)
                c.drawString(x, y, text)
                c.rect(x - 1, y - 2, w + 2, size + 2, stroke=0, fill=1)
            elif kind == "overprint":  # fake bold: the figure twice, a third of a point apart
                c.setFont(FONT, size)
                c.drawString(x, y, text)
                c.drawString(x + 0.35, y, text)
            elif kind == "kerned":  # digits spaced by TJ adjustments in one operator: 2 8
                t = c.beginText(x, y)
                t.setFont(FONT, size)
                gap = -rng.randint(150, 900)  # 0.15-0.9 em, one spacing for the whole number
                t._code.append(_tj(list(text), [gap] * (len(text) - 1)))
                c.drawText(t)
            else:  # letter-spaced digits: 2 8
                t = c.beginText(x, y)
                t.setFont(FONT, size)
                t.setCharSpace(3.5)
                t.textOut(text)
                c.drawText(t)

    return Trap()


def pdf_trap(
    lay: Layout, rng: random.Random, kinds=PDF_KINDS, share=0.5, only: int | None = None
) -> bytes:
    """A PDF whose value cells are drawn with ``kinds`` of traps (the rest plainly); with
    ``only``, just the value cell of that index (in drawing order) is."""
    _register_font()
    calls = iter(range(1_000_000))

    def value_cell(text: str):
        k = next(calls)
        if (only is not None and k != only) or (only is None and rng.random() >= share):
            return text
        kind = rng.choice(kinds)
        if kind in ("letterspaced", "kerned") and len(text) < 2:
            return text
        return _trap_flowable(text, kind, rng)

    return pdf_bytes(lay, value_cell=value_cell)


def pdf_rows_in_one_tj(lay: Layout, rng: random.Random, share: float = 0.5) -> bytes:
    """A PDF whose applications table has some rows' figures drawn by one TJ operator each (as
    report generators write a row): the first value cell draws the row's seven figures, each
    moved into its own ruled cell by a TJ adjustment; the other six cells draw nothing. Each
    figure is centred in its cell, so the gaps are the column pitch less the figures' widths."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    _register_font()
    size = 7
    pitch = (A4[0] - 100 - 200) / 7  # builders.pdf_bytes: the applications value columns

    class Row(Flowable):
        def __init__(self, figures: list[str]):
            super().__init__()
            self.figures = figures

        def wrap(self, aw, ah):
            self.aw = aw
            return aw, 9

        def draw(self):
            widths = [stringWidth(f, FONT, size) for f in self.figures]
            starts = [i * pitch + (self.aw - w) / 2 for i, w in enumerate(widths)]
            kerns = [
                -(starts[i + 1] - starts[i] - widths[i]) / size * 1000
                for i in range(len(widths) - 1)
            ]
            t = self.canv.beginText(starts[0], 1)
            t.setFont(FONT, size)
            t._code.append(_tj(self.figures, kerns))
            self.canv.drawText(t)

    # The value cells in the order pdf_bytes asks for them, and which of them open a row drawn
    # in one TJ (the others of that row then draw nothing).
    order: list[str | Row] = []
    for b in lay.blocks:
        if isinstance(b, str):
            continue
        by_row: dict[int, list[str]] = {}
        for c in place_html_rows(b.rows):
            if is_value(c.text):
                by_row.setdefault(c.row, []).append(c.text)
        for figures in by_row.values():
            whole = b.code == "applications" and len(figures) == 7
            if whole and rng.random() < share:
                order += [Row(figures)] + [""] * 6
            else:
                order += figures
    cells = iter(order)
    return pdf_bytes(lay, value_cell=lambda _text: next(cells))


LAYER_KINDS = ("group_off", "membership_off", "base_state_off", "form_off")


LAYER_GROUPS = {
    "On": "<< /Type /OCG /Name (正文) >>",
    "Off": "<< /Type /OCG /Name (修改前) >>",
    "Md": "<< /Type /OCMD /OCGs [ {Off} ] /P /AnyOn >>",
}


def pdf_layers(
    lay: Layout,
    rng: random.Random,
    kind: str,
    share: float = 0.5,
    true_layer: str = "On",
    groups: dict[str, str] = LAYER_GROUPS,
) -> bytes:
    """A PDF whose value cells are drawn in optional content (layers): the true figure in a
    layer that is on, and over it, in a layer that is off by default, a white box and a decoy
    figure (a correction switched off). ``kind``: the decoy's layer is a group in
    ``/D /OFF``, a membership dictionary (/P /AnyOn) of that group, or a group left out of
    ``/D /ON`` under ``/BaseState /OFF``; ``form_off``: the box and decoy are a form XObject
    whose own ``/OC`` is the group in ``/D /OFF``; ``all_on``: every layer is on (the decoys show);
    ``true_only``: no decoys, the figures in a layer that is on. ``true_layer`` names the
    true figures' layer in the pages' /Properties (``groups``)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    _register_font()
    decoy_layer = "Md" if kind == "membership_off" else "Off"
    forms = iter(range(1_000_000))

    class Layered(Flowable):
        def __init__(self, text: str):
            super().__init__()
            self.text = text
            self.decoy = str(int(text.split(".")[0]) + rng.randint(1, 9))

        def wrap(self, aw, ah):
            return aw, 9

        def draw(self):
            c = self.canv
            c.setFont(FONT, 7)
            c.addLiteral(f"/OC /{true_layer} BDC")
            c.drawString(0, 1, self.text)
            c.addLiteral("EMC")
            if kind == "true_only":
                return
            w = max(stringWidth(t, FONT, 7) for t in (self.text, self.decoy))
            if kind == "form_off":
                name = f"decoy{next(forms)}"
                c.beginForm(name)
                c.setFont(FONT, 7)
            else:
                c.addLiteral(f"/OC /{decoy_layer} BDC")
            c.setFillColorRGB(1, 1, 1)
            c.rect(-1, -1, w + 2, 9, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(0, 1, self.decoy)
            if kind == "form_off":
                c.endForm()
                c.doForm(name)
            else:
                c.addLiteral("EMC")

    def value_cell(text: str):
        return Layered(text) if rng.random() < share else text

    if kind == "base_state_off":
        default = "<< /BaseState /OFF /ON [ {on} ] >>"
    elif kind in ("all_on", "true_only"):
        default = "<< /OFF [ ] >>"
    else:
        default = "<< /OFF [ {off} ] >>"
    form_layer = "Off" if kind == "form_off" else None
    pdf = pdf_bytes(lay, value_cell=value_cell)
    return with_optional_content(pdf, groups, default, form_layer)


def with_optional_content(
    pdf: bytes, groups: dict[str, str], default: str, form_layer: str | None = None
) -> bytes:
    """The reportlab PDF with optional content: each of ``groups`` (name → object, which may
    refer to another by ``{name}``) added as an object and named in every page's
    ``/Properties``; the catalog's ``/OCProperties`` lists the /Type /OCG ones and has
    ``default`` (``{on}``/``{off}``: the group On / Off) as its default configuration; every
    form XObject gets ``/OC`` the group ``form_layer``. The cross-reference table is written
    anew."""
    import re

    size = int(re.search(rb"/Size (\d+)", pdf).group(1))
    numbers = {name: size + i for i, name in enumerate(groups)}
    refs = {name: f"{n} 0 R" for name, n in numbers.items()}
    refs |= {"on": refs.get("On", ""), "off": refs.get("Off", "")}
    ocgs = " ".join(refs[n] for n, body in groups.items() if "/OCG " in body)
    props = " ".join(f"/{n} {refs[n]}" for n in groups)
    body = pdf[: pdf.rindex(b"\nxref")]
    body = body.replace(b"/Resources <<\n", f"/Resources <<\n/Properties << {props} >> ".encode())
    ocp = f"/OCProperties << /OCGs [ {ocgs} ] /D {default.format(**refs)} >> /Type /Catalog"
    body = body.replace(b"/Type /Catalog", ocp.encode(), 1)
    if form_layer is not None:
        body = body.replace(b"/Subtype /Form", f"/OC {refs[form_layer]} /Subtype /Form".encode())
    for name, text in groups.items():
        body += f"\n{numbers[name]} 0 obj\n".encode() + _pdf_text(text.format(**refs))
        body += b"\nendobj"
    offsets = {int(m.group(1)): m.start() + 1 for m in re.finditer(rb"\n(\d+) 0 obj\n", body)}
    total = max(offsets) + 1
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % total]
    xref += [b"%010d 00000 n \n" % offsets.get(n, 0) for n in range(1, total)]
    trailer = pdf[pdf.rindex(b"trailer") : pdf.rindex(b"startxref")]
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % total, trailer)
    start = len(body) + 1
    return body + b"\n" + b"".join(xref) + trailer + b"startxref\n%d\n%%%%EOF\n" % start


def _pdf_text(text: str) -> bytes:
    """An object's text with its string literals as UTF-16 hex strings (with a BOM)."""
    import re

    def utf16(m: re.Match) -> str:
        return "<feff" + m.group(1).encode("utf-16-be").hex() + ">"

    return re.sub(r"\(([^)]*)\)", utf16, text).encode("ascii")


def with_radicals(lay: Layout, kangxi_labels: bool = False) -> tuple[Layout, int]:
    """The layout with every ideograph that has a CJK Radicals Supplement look-alike printed as
    the radical (民 → ⺠), as some PDF producers emit; with ``kangxi_labels``, the table labels'
    ideographs that have a Kangxi radical look-alike too (行 → ⾏); and how many were swapped."""
    from gipr_pipeline.readers.radicals import EQUIVALENT

    swap = {chr(v): chr(k) for k, v in EQUIVALENT.items() if 0x2E80 <= k <= 0x2EFF}
    kangxi = {chr(v): chr(k) for k, v in EQUIVALENT.items() if 0x2F00 <= k <= 0x2FDF}
    count = 0

    def tr(s: str, table: dict[str, str] = swap) -> str:
        nonlocal count
        out = "".join(table.get(ch, swap.get(ch, ch)) for ch in s)
        count += sum(a != b for a, b in zip(s, out, strict=True))
        return out

    def label(s: str) -> str:
        return tr(s, kangxi if kangxi_labels and not is_value(s) else swap)

    blocks = []
    for b in lay.blocks:
        if isinstance(b, str):
            blocks.append(tr(b))
        else:
            rows = [[(label(t), rs, cs) for t, rs, cs in row] for row in b.rows]
            blocks.append(TableBlock(b.code, rows, dict(b.value_slots)))
    return Layout(tr(lay.title), blocks, list(lay.blanks)), count


def text_bytes(lay: Layout) -> bytes:
    """The layout as a plain-text report: paragraphs one per line, tables as pipe rows."""
    from gipr_pipeline.readers.grid import grid_lines

    lines = [lay.title]
    for b in lay.blocks:
        if isinstance(b, str):
            lines.append(b)
        else:
            lines += grid_lines(place_html_rows(b.rows), [])
    return "\n".join(lines).encode()


def pdf_without_unicode_map(lines: int = 40) -> bytes:
    """A hand-assembled PDF whose only font is a CID font (Identity-H, not embedded) without a
    ToUnicode map: its glyph ids have no characters."""
    content = (
        b"BT /F1 10 Tf 14 TL 50 780 Td "
        + b" ".join(
            b"<" + b"".join(b"%04X" % (0x100 + (i * 7 + k) % 500) for k in range(20)) + b"> Tj T*"
            for i in range(lines)
        )
        + b" ET"
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R "
        b"/DW 1000 /CIDToGIDMap /Identity >>",
        b"<< /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 /FontBBox [0 -200 1000 800]"
        b" /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)
