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
- white glyphs with no darker filled shape drawn under them (white text on white paper).

Then, on pdfplumber's characters:

- digits spaced out within one text-showing operator by character spacing (``Tc``) or by a TJ
  adjustment of at most an em (``[(2) -600 (8)] TJ``) are moved together (``2 8`` is 28): the
  gap is letter spacing. A gap a vertical ruling line crosses is a cell border (a row's cells
  placed by one TJ), and a wider TJ gap is a column gap: neither is closed;
- CJK radicals and strokes that look like unified ideographs (⺠ U+2EA0 for 民) are folded to
  the ideograph (:mod:`gipr_pipeline.readers.radicals`);
- glyphs of a font that has no Unicode mapping (no ``ToUnicode`` and a symbolic embedded font,
  whose codes are glyph ids) are marked unmapped, never guessed.

Transparency (``ca`` < 1), clipping paths and blend modes are not evaluated: a shape is taken
as opaque, and a glyph outside a clip is taken as shown.
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


@dataclass(slots=True)
class _Glyph:
    run: int  # the text-showing operator that drew it
    mode: int  # text render mode
    tc: float  # character spacing of its run, in page units
    unmapped: bool
    kern: float = 0.0  # TJ adjustment just before it (positive: a wider gap), in page units
    em: float = 0.0  # its font size, in page units


def lay_out(page, seen: Seen) -> None:
    """Give pdfplumber's ``page`` a layout without the glyphs a viewer does not show, and fix
    its characters (spacing, radicals, unmapped glyphs). Call before anything reads
    ``page.chars``."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    glyphs: dict[int, _Glyph] = {}

    class Device(PDFPageAggregatorWithMarkedContent):
        run = 0

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
            kerns = _kerns(seq, textstate.font)
            if len(kerns) != len(drawn):
                kerns = [0.0] * len(drawn)
            em = textstate.fontsize * scale
            # TJ numbers are thousandths of an em, subtracted from the position.
            unit = -0.001 * textstate.fontsize * textstate.scaling * 0.01 * scale
            for item, k in zip(drawn, kerns, strict=True):
                g = _Glyph(Device.run, textstate.render, tc, unmapped, k * unit, em)
                glyphs[id(item)] = g

    device = Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = PDFPageInterpreter(page.pdf.rsrcmgr, device)
    interpreter.process_page(page.page_obj)
    layout = device.get_result()
    kept = _hide(layout, glyphs, seen, page.page_number)
    page._layout = layout  # pdfplumber's own cache of the page's layout
    chars = page.chars
    if len(chars) == len(kept):
        _fix_chars(chars, [glyphs.get(id(k)) for k in kept], seen, page.page_number, page)


def _kerns(seq, font) -> list[float]:
    """The TJ adjustment (text space, thousandths of an em) before each glyph the text-showing
    operator ``seq`` draws, in drawing order; [] for a vertical font (not evaluated)."""
    if font is None or font.is_vertical():
        return []
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


def _hide(layout, glyphs: dict[int, _Glyph], seen: Seen, page_no: int) -> list:
    """Take hidden glyphs out of the layout; the glyphs kept, in drawing order."""
    from pdfminer.layout import LTChar, LTCurve

    items: list = []
    _walk(layout, items)
    drawn: list = []  # glyphs so far, in drawing order
    fills: list = []  # filled shapes so far, for white glyphs: (bbox, white?)
    gone: set[int] = set()
    covers: list = []  # (box, glyphs drawn before it, glyphs it hides)
    for obj in items:
        if isinstance(obj, LTChar):
            g = glyphs.get(id(obj))
            if g is not None and g.mode in _INVISIBLE_MODES:
                gone.add(id(obj))
                seen.invisible[page_no] = seen.invisible.get(page_no, 0) + 1
                continue
            if _white_glyph(obj) and not _on_dark(obj, fills):
                gone.add(id(obj))
                seen.white[page_no] = seen.white.get(page_no, 0) + 1
                continue
            drawn.append(obj)
        elif isinstance(obj, LTCurve) and obj.fill and obj.non_stroking_color is not None:
            fills.append((obj.bbox, _white(obj.non_stroking_color)))
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


def _on_dark(ch, fills: list) -> bool:
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
    for (x0, y0, x1, y1), white in reversed(fills):
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return not white  # the last shape under the glyph decides its background
    return False


# Colour spaces whose values say plainly what is shown (a Separation tint of 1 is full ink).
_PLAIN_SPACES = frozenset(
    {"DeviceGray", "DeviceRGB", "DeviceCMYK", "CalGray", "CalRGB", "ICCBased"}
)


def _white_glyph(ch) -> bool:
    space = getattr(getattr(ch, "ncs", None), "name", None)
    return space in _PLAIN_SPACES and _white(ch.graphicstate.ncolor)


def _white(color) -> bool:
    if not isinstance(color, tuple | list):
        color = (color,)
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return False  # a pattern or named colour: not known to be white
    if len(values) == 1:
        return values[0] >= 0.99
    if len(values) == 3:
        return min(values) >= 0.99
    if len(values) == 4:
        return max(values) <= 0.01
    return False


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
