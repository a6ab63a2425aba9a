"""What a PDF viewer shows of a page's text, before pdfplumber reads it.

pdfminer (under pdfplumber) keeps every glyph the content stream draws, shown or not. This
module lays a page out with a pdfminer device that also records each glyph's text render mode,
character spacing and font, then takes out of the layout what a person does not see:

- glyphs drawn in text render mode 3 or 7 (neither filled nor stroked: invisible, e.g. the
  text layer under a scan or text hidden on purpose);
- glyphs covered by an opaque filled shape drawn *after* them (a white-out box with the
  corrected figure drawn over it, a black redaction box); the figure drawn over the box is the
  one shown. A box with nothing drawn over it leaves one U+FFFD in place of what it hides (the
  cell cannot be read; it must not read as an empty, zero cell);
- glyphs whose every paint (fill and/or stroke, by render mode) is fully transparent (``ca``/
  ``CA`` 0) or the colour of the last filled shape under them, else of the white page (white
  text on white paper, grey on the same grey fill); glyphs under 1 pt or squeezed to nothing;
- everything drawn in optional content (layers) that the document's default configuration
  switches off: marked content ``/OC … BDC … EMC`` (its properties inline or named in the
  resources' ``/Properties``) and XObjects with an ``/OC`` entry, whose optional content group
  is in ``/OCProperties /D /OFF`` (or, under ``/BaseState /OFF``, not in ``/ON``), or whose
  membership dictionary's ``/P`` policy (AnyOn, AllOn, AnyOff, AllOff) says hidden. Glyphs,
  shapes (a hidden box covers nothing) and images of such layers leave the layout. A layer
  that cannot be evaluated (a name missing from ``/Properties``, a visibility expression
  ``/VE``, a group the document does not list, ``/BaseState /Unchanged``) is read as shown and
  its glyphs are counted, to be named.

Then, on pdfplumber's characters:

- digits spaced out within one text-showing operator by character spacing (``Tc``) or by a TJ
  adjustment of at most an em (``[(2) -600 (8)] TJ``) are moved together (``2 8`` is 28): the
  gap is letter spacing. A gap a vertical ruling line crosses is a cell border (a row's cells
  placed by one TJ), and a wider TJ gap is a column gap: neither is closed;
- CJK radicals and strokes that look like unified ideographs (⺠ U+2EA0 for 民) are folded to
  the ideograph (:mod:`gipr_pipeline.readers.radicals`);
- glyphs of a font that has no Unicode mapping (no ``ToUnicode`` and a symbolic embedded font,
  whose codes are glyph ids) are marked unmapped, never guessed.

Partial transparency (0 < ``ca`` < 1, soft masks), clipping paths and blend modes are not evaluated: a shape is taken
as opaque, and a glyph outside a clip is taken as shown. Of optional content only the default
configuration is evaluated (not its ``/AS`` usage-driven states, print-only layers, nor
``/OC`` on annotations, which pdfminer does not draw).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from gipr_pipeline.readers.radicals import TABLE as RADICALS

_INVISIBLE_MODES = frozenset({3, 7})
_SYMBOLIC = 4  # FontDescriptor Flags bit 3
UNMAPPED = "\ufffd"
_THIN = 2.0  # points: a filled shape thinner than this is a rule, not a cover
_DIGITS = frozenset("0123456789.,")  # what a number's glyphs are
# The widest TJ adjustment between two digits of one operator taken as letter spacing, in ems of
# the font size. Letter spacing is a fraction of an em (Word's "expanded by 1-3 pt" at 10.5 pt is
# at most 0.3 em); producers that place a table row's cells with one TJ (report generators,
# pdfTeX tabulars) skip to the next column by the column pitch less the figure's width, which
# in these tables (at most 15 number columns on a portrait page, 7-10.5 pt type) is 1.5 em or
# more between one figure's end and the next one's start. A gap of a whole em also reads to a
# person as a space between two numbers. Wider gaps are left open: the parser then names the
# row's extra cell instead of storing a joined number.
_KERN_MAX_EM = 1.0


@dataclass(slots=True)
class Seen:
    """What was taken out or changed, for the reader's problems (counts per page number)."""

    invisible: dict[int, int] = field(default_factory=dict)
    covered: dict[int, int] = field(default_factory=dict)
    redacted: dict[int, int] = field(default_factory=dict)  # boxes with nothing drawn over
    white: dict[int, int] = field(default_factory=dict)
    spaced: dict[int, int] = field(default_factory=dict)
    radicals: dict[int, int] = field(default_factory=dict)
    unmapped: dict[int, int] = field(default_factory=dict)
    hidden_layer: dict[int, int] = field(default_factory=dict)  # glyphs in layers switched off
    unknown_layer: dict[int, int] = field(default_factory=dict)  # glyphs in layers not evaluated
    layers: _Layers | None = None  # the document's default optional content configuration


@dataclass(slots=True)
class _Layers:
    """The default configuration (``/OCProperties /D``) of a document's optional content
    groups, by object number. ``base_on`` is None when the base state cannot be evaluated."""

    present: bool = False
    groups: frozenset[int] = frozenset()
    base_on: bool | None = True
    on: frozenset[int] = frozenset()
    off: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Glyph:
    run: int  # the text-showing operator that drew it
    mode: int  # text render mode
    tc: float  # character spacing of its run, in page units
    unmapped: bool
    kern: float = 0.0  # TJ adjustment just before it (positive: a wider gap), in page units
    em: float = 0.0  # its font size, in page units
    layer: bool | None = False  # in optional content switched off (True), or not evaluated (None)
    # What paints it, by its render mode: (colour space name, colour, alpha) of the fill and/or
    # the stroke. Empty: not recorded (read by the fill colour alone).
    paints: tuple = ()


def lay_out(page, seen: Seen) -> None:
    """Give pdfplumber's ``page`` a layout without the glyphs a viewer does not show, and fix
    its characters (spacing, radicals, unmapped glyphs). Call before anything reads
    ``page.chars``."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    glyphs: dict[int, _Glyph] = {}
    if seen.layers is None:
        seen.layers = _default_layers(page.pdf.doc)
    layers = seen.layers
    hidden_shapes: set[int] = set()  # lines, shapes and images in layers switched off
    # Marked-content sequences open now: True hidden, None not evaluated, False shown.
    marks: list[bool | None] = []

    # Constant alpha of fills (ca) and strokes (CA) from ExtGState, which pdfminer does not keep:
    # tracked here with q/Q.
    alpha = {"ca": 1.0, "CA": 1.0}
    alphas: list[dict[str, float]] = []
    clear_shapes: set[int] = set()  # shapes filled fully transparent: they cover nothing

    def layer_state() -> bool | None:
        if True in marks:
            return True
        return None if None in marks else False

    class Interpreter(PDFPageInterpreter):
        def do_q(self) -> None:
            alphas.append(dict(alpha))
            super().do_q()

        def do_Q(self) -> None:
            if alphas:
                alpha.update(alphas.pop())
            super().do_Q()

        def do_gs(self, name) -> None:
            alpha.update(_ext_alpha(self.resources, name))
            super().do_gs(name)

        def do_BMC(self, tag) -> None:
            marks.append(False)
            super().do_BMC(tag)

        def do_BDC(self, tag, props) -> None:
            marks.append(_marked_layer(layers, tag, props, self.resources))
            super().do_BDC(tag, props)

        def do_EMC(self) -> None:
            if marks:  # an EMC without its BMC/BDC closes nothing
                marks.pop()
            super().do_EMC()

        def do_Do(self, xobjid) -> None:
            # A form or image XObject may belong to a layer itself (its /OC entry).
            depth = len(marks)
            marks.append(_xobject_layer(layers, self.xobjmap, xobjid))
            try:
                super().do_Do(xobjid)
            finally:
                del marks[depth:]  # a form's unclosed BDC ends with the form

    class Device(PDFPageAggregatorWithMarkedContent):
        run = 0

        def paint_path(self, gstate, stroke, fill, evenodd, path) -> None:
            items = self.cur_item._objs
            before = len(items)
            super().paint_path(gstate, stroke, fill, evenodd, path)
            if True in marks:
                hidden_shapes.update(id(o) for o in items[before:])
            elif fill and alpha["ca"] <= 0:
                clear_shapes.update(id(o) for o in items[before:])

        def render_image(self, name, stream) -> None:
            items = self.cur_item._objs
            before = len(items)
            super().render_image(name, stream)
            if True in marks:
                hidden_shapes.update(id(o) for o in items[before:])

        def render_string(self, textstate, seq, ncs, graphicstate) -> None:
            items = self.cur_item._objs
            before = len(items)
            super().render_string(textstate, seq, ncs, graphicstate)
            Device.run += 1
            m = textstate.matrix
            ctm = self.ctm
            scale = math.hypot(m[0] * ctm[0] + m[1] * ctm[2], m[0] * ctm[1] + m[1] * ctm[3])
            tc = textstate.charspace * textstate.scaling * 0.01 * scale
            unmapped = _unmapped_font(textstate.font)
            drawn = items[before:]
            em = textstate.fontsize * scale
            layer = layer_state() if marks else False
            mode = textstate.render
            paints = []
            if mode in (0, 2, 4, 6):
                paints.append((graphicstate.ncs, graphicstate.ncolor, alpha["ca"]))
            if mode in (1, 2, 5, 6):
                paints.append((graphicstate.scs, graphicstate.scolor, alpha["CA"]))
            kerns = _kerns(seq, textstate.font)
            if kerns is None or len(kerns) != len(drawn):  # most runs: one record for all
                g = _Glyph(Device.run, mode, tc, unmapped, 0.0, em, layer, tuple(paints))
                for item in drawn:
                    glyphs[id(item)] = g
                return
            # TJ numbers are thousandths of an em, subtracted from the position.
            unit = -0.001 * textstate.fontsize * textstate.scaling * 0.01 * scale
            for item, k in zip(drawn, kerns, strict=True):
                g = _Glyph(Device.run, mode, tc, unmapped, k * unit, em, layer, tuple(paints))
                glyphs[id(item)] = g

    device = Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = Interpreter(page.pdf.rsrcmgr, device)
    interpreter.process_page(page.page_obj)
    layout = device.get_result()
    kept = _hide(layout, glyphs, seen, page.page_number, hidden_shapes, clear_shapes)
    page._layout = layout  # pdfplumber's own cache of the page's layout
    chars = page.chars
    if len(chars) == len(kept):
        _fix_chars(chars, [glyphs.get(id(k)) for k in kept], seen, page.page_number, page)


def _kerns(seq, font) -> list[float] | None:
    """The TJ adjustment (text space, thousandths of an em) before each glyph the text-showing
    operator ``seq`` draws, in drawing order; None when it has none (Tj, or a TJ of strings
    only) or its font is vertical (not evaluated)."""
    if font is None or font.is_vertical():
        return None
    if not any(isinstance(obj, int | float) for obj in seq):
        return None
    out: list[float] = []
    pending = 0.0
    for obj in seq:
        if isinstance(obj, int | float):
            pending += obj
        elif isinstance(obj, bytes):
            for _cid in font.decode(obj):
                out.append(pending)
                pending = 0.0
    return out


def _unmapped_font(font) -> bool:
    """A simple font without ToUnicode whose embedded program is symbolic: its codes are glyph
    ids, and any text pdfminer gives for them (from a standard encoding) is a guess. CID fonts
    without a map already come out as ``(cid:N)``."""
    from pdfminer.pdffont import PDFSimpleFont

    if not isinstance(font, PDFSimpleFont) or font.unicode_map is not None:
        return False
    d = font.descriptor or {}
    embedded = any(k in d for k in ("FontFile", "FontFile2", "FontFile3"))
    return embedded and bool(getattr(font, "flags", 0) & _SYMBOLIC)


def _walk(container, out: list) -> None:
    from pdfminer.layout import LTContainer

    for obj in container._objs:
        out.append(obj)
        if isinstance(obj, LTContainer):
            _walk(obj, out)


def _hide(
    layout,
    glyphs: dict[int, _Glyph],
    seen: Seen,
    page_no: int,
    hidden_shapes: set[int],
    clear_shapes: frozenset[int] | set[int] = frozenset(),
) -> list:
    """Take hidden glyphs (and shapes in layers switched off) out of the layout; the glyphs
    kept, in drawing order."""
    from pdfminer.layout import LTChar, LTCurve

    items: list = []
    _walk(layout, items)
    drawn: list = []  # glyphs so far, in drawing order
    fills: list = []  # filled shapes so far, for glyphs in their colour: (bbox, RGB or None)
    fill_rgbs: set = set()  # their distinct colours
    gone: set[int] = set(hidden_shapes)  # a hidden layer's box covers nothing, rules no cell
    covers: list = []  # (box, glyphs drawn before it, glyphs it hides)
    for obj in items:
        if id(obj) in hidden_shapes:
            continue
        if isinstance(obj, LTChar):
            g = glyphs.get(id(obj))
            if g is not None and g.layer:
                gone.add(id(obj))
                seen.hidden_layer[page_no] = seen.hidden_layer.get(page_no, 0) + 1
                continue
            if g is not None and g.layer is None:
                seen.unknown_layer[page_no] = seen.unknown_layer.get(page_no, 0) + 1
            if (g is not None and g.mode in _INVISIBLE_MODES) or _too_small(obj, g):
                gone.add(id(obj))
                seen.invisible[page_no] = seen.invisible.get(page_no, 0) + 1
                continue
            if _like_background(obj, g, fills, fill_rgbs):
                gone.add(id(obj))
                seen.white[page_no] = seen.white.get(page_no, 0) + 1
                continue
            drawn.append(obj)
        elif isinstance(obj, LTCurve) and obj.fill and obj.non_stroking_color is not None:
            if id(obj) in clear_shapes:
                continue  # filled fully transparent: neither a background nor a cover
            rgb = _rgb(_space(obj), obj.non_stroking_color)
            fills.append((obj.bbox, rgb))
            if rgb is not None:
                fill_rgbs.add(rgb)
            if obj.width < _THIN or obj.height < _THIN:
                continue  # a rule drawn as a filled rectangle (table borders): hides nothing
            hidden = [ch for ch in drawn if id(ch) not in gone and _covers(obj.bbox, ch)]
            if hidden:
                gone.update(id(ch) for ch in hidden)
                seen.covered[page_no] = seen.covered.get(page_no, 0) + len(hidden)
                covers.append((obj.bbox, len(drawn), hidden))
    for bbox, after, hidden in covers:
        # Nothing drawn over the box (a redaction, not a white-out correction): what it hides
        # cannot be read, and an empty cell would read as a blank zero. One glyph stays, as
        # U+FFFD, so the cell is named instead.
        shown_over = any(
            id(ch) not in gone and _covers(bbox, ch, centre_only=True) for ch in drawn[after:]
        )
        if not shown_over:
            mark = hidden[0]
            gone.discard(id(mark))
            mark._text = UNMAPPED  # LTChar.get_text() gives pdfplumber this
            seen.redacted[page_no] = seen.redacted.get(page_no, 0) + 1
    if gone:
        _remove(layout, gone)
    return [ch for ch in drawn if id(ch) not in gone]


def _remove(container, gone: set[int]) -> None:
    from pdfminer.layout import LTContainer

    container._objs = [o for o in container._objs if id(o) not in gone]
    for o in container._objs:
        if isinstance(o, LTContainer):
            _remove(o, gone)


def _covers(bbox, ch, centre_only: bool = False) -> bool:
    """The shape hides the glyph: it contains the glyph's centre and is at least half its size
    each way (a rule or an underline through a glyph hides nothing)."""
    x0, y0, x1, y1 = bbox
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
    if not (x0 <= cx <= x1 and y0 <= cy <= y1):
        return False
    return centre_only or ((x1 - x0) >= 0.5 * ch.width and (y1 - y0) >= 0.5 * ch.height)


_PAGE = (1.0, 1.0, 1.0)  # paper


def _background(ch, fills: list):
    """The RGB of the last filled shape under the glyph's centre (None: not known), else the
    white page."""
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
    for (x0, y0, x1, y1), rgb in reversed(fills):
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return rgb
    return _PAGE


def _like_background(ch, g: _Glyph | None, fills: list, fill_rgbs: set) -> bool:
    """Whether every paint of the glyph (its fill and/or stroke, by render mode) is fully
    transparent or the colour of what it is drawn on: white on the page or a white box, grey
    on the same grey. A colour that cannot be told (a pattern, a named separation) shows."""
    paints = (
        g.paints
        if g is not None and g.paints
        else ((getattr(ch, "ncs", None), ch.graphicstate.ncolor, 1.0),)
    )
    colours = []
    for space, colour, opacity in paints:
        if opacity <= 0:
            continue
        rgb = _rgb(getattr(space, "name", None), colour)
        # Cheap first: a colour that is neither the page's nor any fill's so far (black text,
        # nearly every glyph) shows wherever it is.
        if rgb is None or (rgb != _PAGE and not any(_same(rgb, f) for f in fill_rgbs)):
            return False
        colours.append(rgb)
    back = _background(ch, fills)
    return all(back is not None and _same(rgb, back) for rgb in colours)


def _same(a, b) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 0.01


def _too_small(ch, g: _Glyph | None) -> bool:
    """A glyph drawn under 1 pt high, or squeezed to nothing across (``Tz 0``): no one can
    read it. Only glyphs this module measured (not a space)."""
    if g is None or not ch.get_text().strip():
        return False
    return 0 < g.em < 1.0 or ch.width < 0.05


def _space(obj) -> str | None:
    return getattr(getattr(obj, "ncs", None), "name", None)


# Colour spaces whose values say plainly what is shown (a Separation tint of 1 is full ink).
_PLAIN_SPACES = frozenset(
    {"DeviceGray", "DeviceRGB", "DeviceCMYK", "CalGray", "CalRGB", "ICCBased"}
)


def _rgb(space: str | None, color) -> tuple[float, ...] | None:
    """A plain colour as RGB (CMYK by the naive conversion, enough to tell equal colours and
    white); None for a pattern, a separation or a value that is no colour."""
    if space is not None and space not in _PLAIN_SPACES:
        return None
    if not isinstance(color, tuple | list):
        color = (color,)
    try:
        v = [min(1.0, max(0.0, float(x))) for x in color]
    except (TypeError, ValueError):
        return None
    if len(v) == 1:
        return (v[0], v[0], v[0])
    if len(v) == 3:
        return tuple(v)
    if len(v) == 4:
        c, m, y, k = v
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _ext_alpha(resources, name) -> dict[str, float]:
    """``ca``/``CA`` of a named graphics state parameter dictionary (ExtGState)."""
    from pdfminer.pdftypes import dict_value, resolve1
    from pdfminer.psparser import literal_name

    try:
        states = dict_value((resources or {}).get("ExtGState"))
        ext = dict_value(states.get(literal_name(name)))
        return {k: float(resolve1(ext[k])) for k in ("ca", "CA") if k in ext}
    except Exception:  # a broken or missing dictionary: nothing known, nothing changed
        return {}


def _fix_chars(
    chars: list[dict], meta: list[_Glyph | None], seen: Seen, page_no: int, page=None
) -> None:
    """Radicals folded, unmapped glyphs marked, letter-spaced digits moved together: two digits
    drawn by one text-showing operator, apart by its character spacing (``Tc``) and/or a TJ
    adjustment of at most ``_KERN_MAX_EM``, with no vertical ruling line between them (a cell
    border: the operator placed two cells)."""
    for c, g in zip(chars, meta, strict=True):
        text = c["text"]
        if g is not None and g.unmapped:
            c["text"] = UNMAPPED
            seen.unmapped[page_no] = seen.unmapped.get(page_no, 0) + 1
        elif text in RADICALS:
            c["text"] = RADICALS[text]
            seen.radicals[page_no] = seen.radicals.get(page_no, 0) + 1
    shift = 0.0
    rules: list[tuple[float, float, float]] | None = None
    for i in range(1, len(chars)):
        prev, c = chars[i - 1], chars[i]
        gp, gc = meta[i - 1], meta[i]
        if gc is None or gp is None or gc.run != gp.run:
            shift = 0.0
            continue
        spacing = gc.tc + gc.kern
        if (
            spacing > 0.2
            and gc.kern <= _KERN_MAX_EM * gc.em
            and prev["text"] in _DIGITS
            and c["text"] in _DIGITS
            and c["upright"]
        ):
            left = prev["x1"] + shift  # where prev was drawn (it has moved by its shift)
            if rules is None:
                rules = _vertical_rules(page)
            if c["x0"] - left <= spacing + 0.5 and not _rule_between(rules, left, c):
                shift += spacing
                seen.spaced[page_no] = seen.spaced.get(page_no, 0) + 1
            else:
                shift = 0.0
        else:
            shift = 0.0
        if shift:
            c["x0"] -= shift
            c["x1"] -= shift


def _vertical_rules(page) -> list[tuple[float, float, float]]:
    """The page's vertical lines and rectangle sides (x, top, bottom), pdfplumber's edges."""
    if page is None:
        return []
    try:
        return [(float(e["x0"]), float(e["top"]), float(e["bottom"])) for e in page.vertical_edges]
    except Exception:
        return []  # the edges could not be read: the gap is judged by its width alone


def _rule_between(rules: list[tuple[float, float, float]], left: float, c: dict) -> bool:
    top, bottom = c["top"], c["bottom"]
    return any(left < x < c["x0"] and t < bottom and b > top for x, t, b in rules)


def _name(obj) -> str | None:
    from pdfminer.psparser import PSLiteral

    return obj.name if isinstance(obj, PSLiteral) else None


def _refs(obj) -> list | None:
    """Object numbers of an array of indirect references (or of one reference); None when
    something else is there."""
    from pdfminer.pdftypes import PDFObjRef, resolve1

    if isinstance(obj, PDFObjRef):
        value = resolve1(obj)
        if not isinstance(value, list):
            return [obj.objid]
        obj = value
    if obj is None:
        return []
    if not isinstance(obj, list):
        return None
    out = []
    for r in obj:
        if not isinstance(r, PDFObjRef):
            return None
        out.append(r.objid)
    return out


def _default_layers(doc) -> _Layers:
    """The catalog's ``/OCProperties``: its groups and default configuration ``/D``."""
    from pdfminer.pdftypes import resolve1

    try:
        props = resolve1(doc.catalog.get("OCProperties"))
        if not isinstance(props, dict):
            return _Layers()
        d = resolve1(props.get("D"))
        groups = _refs(props.get("OCGs"))
        if not isinstance(d, dict) or groups is None:
            return _Layers(present=True, base_on=None)
        base = _name(resolve1(d.get("BaseState"))) or "ON"
        on, off = _refs(d.get("ON")), _refs(d.get("OFF"))
        if on is None or off is None:
            return _Layers(present=True, base_on=None)
        # /Unchanged is meaningless in the default configuration: not evaluated.
        base_on = {"ON": True, "OFF": False}.get(base)
        return _Layers(True, frozenset(groups), base_on, frozenset(on), frozenset(off))
    except Exception:
        return _Layers(present=True, base_on=None)


def _group_on(layers: _Layers, objid: int) -> bool | None:
    """Whether the default configuration shows the group (None: not evaluated)."""
    if not layers.present or layers.base_on is None or objid not in layers.groups:
        return None
    if layers.base_on:
        return objid not in layers.off
    return objid in layers.on


def _layer_hidden(layers: _Layers, ref) -> bool | None:
    """Whether content of the optional content group or membership dictionary ``ref`` is
    hidden in the default configuration: True, False, or None when it cannot be evaluated (a
    visibility expression /VE, a broken reference, a group the document does not list)."""
    from pdfminer.pdftypes import PDFObjRef, resolve1

    obj = resolve1(ref)
    if not isinstance(obj, dict):
        return None
    kind = _name(resolve1(obj.get("Type")))
    if kind == "OCG":
        if not isinstance(ref, PDFObjRef):
            return None
        on = _group_on(layers, ref.objid)
        return None if on is None else not on
    if kind != "OCMD" or "VE" in obj:
        return None
    members = _refs(obj.get("OCGs"))
    if members is None:
        return None
    if not members:
        return False  # a membership dictionary without groups has no effect
    states = [_group_on(layers, m) for m in members]
    if None in states:
        return None
    policy = _name(resolve1(obj.get("P"))) or "AnyOn"
    shown = {
        "AnyOn": any(states),
        "AllOn": all(states),
        "AnyOff": not all(states),
        "AllOff": not any(states),
    }.get(policy)
    return None if shown is None else not shown


def _marked_layer(layers: _Layers, tag, props, resources) -> bool | None:
    """A ``BDC`` sequence's layer state: False unless it is optional content (``/OC``), whose
    properties are inline or named in the resources' ``/Properties``."""
    from pdfminer.pdftypes import resolve1

    if _name(tag) != "OC":
        return False
    try:
        name = _name(props)
        if name is not None:
            named = resolve1((resources or {}).get("Properties"))
            if not isinstance(named, dict) or name not in named:
                return None
            props = named[name]
        return _layer_hidden(layers, props)
    except Exception:
        return None


def _xobject_layer(layers: _Layers, xobjmap: dict, xobjid) -> bool | None:
    """The layer state of an XObject drawn by ``Do``: False unless its dictionary has /OC."""
    from pdfminer.pdftypes import stream_value

    try:
        xobj = stream_value(xobjmap[_name(xobjid) or xobjid])
        ref = xobj.get("OC")
    except Exception:
        return False  # pdfminer itself skips an XObject it cannot find
    if ref is None:
        return False
    try:
        return _layer_hidden(layers, ref)
    except Exception:
        return None
