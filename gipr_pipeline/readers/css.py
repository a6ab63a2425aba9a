"""The CSS properties that decide what a browser shows of a page, and the CSS-grid placement of
``<div>`` tables.

What hides text (:meth:`Styles.seen`):

- ``display:none`` and the ``hidden`` attribute (the element and its subtree are not there);
- ``visibility:hidden``/``collapse`` (inherited; a child may set ``visible`` again);
- ``opacity:0`` (the whole subtree; no child undoes it);
- a zero font size: ``font-size`` or the ``font`` shorthand at ``0`` in any unit (inherited: a
  child with its own non-zero size in absolute units shows again; em/% of zero stay zero);
- a text ``color`` that is transparent (alpha 0) or the same RGB as the background it is drawn on:
  the nearest ancestor-or-self ``background``/``background-color`` that is not transparent, the
  white page by default; legacy ``<font color>``, ``<body text>``, ``bgcolor`` count below any
  CSS. A background image or gradient, a translucent colour (alpha strictly between 0 and 1) or a
  link's own colour is not guessed at: such text is read as shown;
- off-screen: ``position:absolute|fixed|relative`` with ``left`` or ``top`` ≤ −1000px, a block
  whose ``text-indent`` is ≤ −1000px (em taken as 16px), an absolutely positioned ``clip`` to a
  rectangle 1px or less across, ``clip-path: inset()`` of 50 % or more (the "visually hidden"
  pattern); the whole subtree;
- a box sized to 1px or less that clips its overflow on that axis (``height:0;overflow:hidden``),
  where the size applies (block-level, positioned or floated; not table parts).

Rules come from the page's ``<style>`` elements (parsed with tinycss2; selectors turned into
XPath by cssselect and matched with lxml) and from inline ``style`` attributes; the cascade is
CSS's own: ``!important`` first, then inline over rules, then selector specificity, then the later
rule. ``@media print`` blocks are skipped (the screen is what people read); other at-rules are
read as if they applied. External stylesheets (``<link>``) are not fetched: a page that hides
figures only through them is read as if they were shown.

Cost: the font-size, opacity, colour and placement properties are evaluated only on a page where
some declaration could hide text that way (a zero size, a zero opacity, a transparent text colour
or one equal to a declared background or to the white page, an offset of −1000px or more, a clip
to nothing): a superset screen on the raw text decides whether to parse for them at all, and the
parsed values decide; on other pages the rules that set only them are not even matched. Each
distinct ``style`` attribute is parsed once, and a selector that needs a class or id absent from
the page is not evaluated.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

_BASE = frozenset(
    {
        "display",
        "visibility",
        "grid-column",
        "grid-row",
        "grid-column-start",
        "grid-column-end",
        "grid-row-start",
        "grid-row-end",
        "grid-area",
        "grid-template-columns",
    }
)
_SIZE = frozenset({"font-size", "font"})
_OPACITY = frozenset({"opacity"})
_FILL = "-webkit-text-fill-color"  # paints the glyphs instead of ``color`` (every browser)
_COLOUR = frozenset({"color", _FILL, "background", "background-color", "background-image"})
_PLACE = frozenset(
    {"position", "left", "top", "text-indent", "clip", "clip-path", "float"}
    | {"overflow", "overflow-x", "overflow-y", "height", "width", "max-height", "max-width"}
)
# The properties read; everything else in a stylesheet is ignored (cheap on large pages).
PROPS = _BASE | _SIZE | _OPACITY | _COLOUR | _PLACE
_INLINE = 1  # origin rank of a style attribute: above any selector of the same importance

# (important, inline, specificity, order) → the higher wins
Priority = tuple[bool, int, tuple[int, int, int], int]
Rgba = tuple[int, int, int, float]  # 0..255 channels, alpha 0..1
Rgb = tuple[int, int, int]

BLACK: Rgba = (0, 0, 0, 1.0)
WHITE: Rgb = (255, 255, 255)
_FAR = -1000.0  # px: an offset this far left or up puts a box off any screen


class Seen(NamedTuple):
    """What decides whether an element's own text shows, as inherited down the tree."""

    shows: bool = True  # the text is drawn where a person sees it
    visible: bool = True  # computed ``visibility``
    gone: bool = False  # opacity 0 / off-screen / clipped here or on an ancestor
    font_zero: bool = False  # computed font size is 0
    color: Rgba | None = BLACK  # computed text colour; None: not evaluated (a link's colour)
    fill: Rgba | str | None = "currentcolor"  # computed -webkit-text-fill-color; None: unknown
    background: Rgb | None = WHITE  # opaque colour drawn behind; None: an image or translucent
    indent_off: bool = False  # computed ``text-indent`` ≤ −1000px (inherited)
    shifted: bool = False  # the block this text flows in applies ``indent_off``


PAGE = Seen()


def _shows(seen: Seen) -> bool:
    if not seen.visible or seen.gone or seen.font_zero or seen.shifted:
        return False
    c, bg = seen.color if seen.fill == "currentcolor" else seen.fill, seen.background
    if c is None:
        return True
    if c[3] == 0:
        return False
    return c[3] < 1 or bg is None or c[:3] != bg


def declarations(text_or_tokens) -> list[tuple[str, str, bool]]:
    """(property, value, important) of a declaration list, for the properties in PROPS."""
    import tinycss2

    out = []
    for d in tinycss2.parse_declaration_list(
        text_or_tokens, skip_comments=True, skip_whitespace=True
    ):
        if d.type != "declaration" or d.lower_name not in PROPS:
            continue
        value = tinycss2.serialize(d.value).strip().lower()
        out.append((d.lower_name, value, bool(d.important)))
    return out


class Styles:
    """Cascaded values of PROPS for the elements of one parsed page."""

    def __init__(self, root):
        self._rules: dict[object, dict[str, tuple[Priority, str]]] = {}
        css = "\n".join(s.text for s in root.iter("style") if s.text)
        inline = list(dict.fromkeys(_xpath("//@style")(root)))
        marked = _xpath("//*[@hidden or @bgcolor or @background or @color or @text]")(root)
        hinted = [
            el
            for el in marked
            if el.get("bgcolor") is not None
            or el.get("background") is not None
            or (el.tag == "font" and el.get("color") is not None)
            or (el.tag == "body" and el.get("text") is not None)
        ]
        # A cheap superset test on the raw text first: the CSS is parsed only for the families
        # that could hide something (and for display/visibility/grid, as always).
        may = _may_hide(";\n".join([css, *inline]), hinted)
        words = _words(may)
        rules = _sheet_rules(css) if words.search(css) else []
        parsed = {s: declarations(s) if words.search(s) else [] for s in inline}
        declared = [d for _, decls in rules for d in decls]
        for decls in parsed.values():
            declared += decls
        found = _families(declared, hinted, [d for _, d in rules] + list(parsed.values()))
        self.size, self.opacity, self.colour, self.place = (
            a and b for a, b in zip(may, found, strict=True)
        )
        live = set(_BASE)
        for on, props in (
            (self.size, _SIZE),
            (self.opacity, _OPACITY),
            (self.colour, _COLOUR),
            (self.place, _PLACE),
        ):
            if on:
                live |= props
        self._inline = {s: _inline_slot(d, live) for s, d in parsed.items()}
        if rules:
            self._match(root, [(sel, [d for d in ds if d[0] in live]) for sel, ds in rules])
        # The elements any of it concerns (one hash lookup per element while walking).
        self._touched = {el for el in marked if el.get("hidden") is not None}
        self._touched.update(self._rules)
        concerned = {s for s, slot in self._inline.items() if slot}
        if concerned:
            self._touched.update(
                el for el in root.xpath("//*[@style]") if el.get("style") in concerned
            )
        if self.colour:
            self._touched.update(hinted)
            self._touched.update(root.xpath("//a[@href] | //mark"))
        # Quirks mode (no or an old doctype, as on many portals): tables do not inherit the
        # font size (the HTML rendering spec's quirks sheet: table { font-size: initial }).
        self._quirks_tables = self.size and quirks_mode(root)
        if self._quirks_tables:
            self._touched.update(root.iter("table"))

    # ------------------------------------------------------------------ reading the cascade

    def _entry(self, el, prop: str) -> tuple[Priority, str] | None:
        best: tuple[Priority, str] | None = None
        ruled = self._rules.get(el)
        if ruled is not None:
            best = ruled.get(prop)
        style = el.get("style")
        if style is not None:
            mine = self._inline.get(style, {}).get(prop)
            if mine is not None and (best is None or mine[0] > best[0]):
                best = mine
        return best

    def value(self, el, prop: str) -> str | None:
        best = self._entry(el, prop)
        return best[1] if best is not None else None

    def touches(self, el) -> bool:
        """Whether any rule, style attribute, ``hidden`` attribute or (on a page where colours
        count) colour attribute concerns the element (a cheap test: most elements of most pages
        have none)."""
        return el in self._touched

    def display_none(self, el) -> bool:
        """``display:none``, or the ``hidden`` attribute no rule overrides."""
        display = self.value(el, "display")
        if display is not None:
            return display.split()[0] == "none" if display else False
        return el.get("hidden") is not None

    def display(self, el) -> str:
        v = self.value(el, "display")
        return v.split()[0] if v else ""

    def seen(self, el, parent: Seen, block: bool, page_root: bool = False) -> Seen:
        """``parent``'s state as it applies to ``el``'s own text. ``block``: the element is a
        block container by its tag (a declared ``display`` decides over it). On ``<html>`` and
        ``<body>`` (``page_root``) visibility, opacity and placement are ignored: a page hidden
        until a script shows it (against clickjacking or flicker) is seen."""
        if parent.gone:
            return parent
        visible, gone = parent.visible, False
        if not page_root:
            v = self.value(el, "visibility")
            if v is not None and v not in ("inherit", "unset"):
                visible = not v.startswith(("hidden", "collapse"))
            if self.opacity:
                o = self.value(el, "opacity")
                gone = o is not None and opacity_zero(o)
            if self.place and not gone:
                gone = self._off_screen(el) or self._collapsed(el, block)
        font_zero = parent.font_zero
        if self.size:
            if font_zero and self._quirks_tables and el.tag == "table":
                font_zero = False
            font_zero = self._font_zero(el, font_zero)
        color, background, fill = parent.color, parent.background, parent.fill
        if self.colour:
            color = self._color(el, color)
            fill = self._fill(el, fill)
            own = self._background(el, color)
            if own != _CLEAR:
                background = own
        indent_off, shifted = parent.indent_off, parent.shifted
        if self.place:
            ti = self.value(el, "text-indent")
            if ti is not None and ti not in ("inherit", "unset"):
                indent_off = far_off(ti)
            display = self.display(el)
            inline_level = False
            if display:
                block = display in _BLOCK_CONTAINERS
                inline_level = display.startswith("inline-")
            if self.value(el, "position") in ("absolute", "fixed"):
                block, inline_level = True, False  # an absolutely positioned box is a block
            if block:
                # Its own lines take its own indent; an inline-block also sits on the line of
                # the block around it, which that block's indent moves.
                shifted = indent_off or (inline_level and parent.shifted)
        state = Seen(True, visible, gone, font_zero, color, fill, background, indent_off, shifted)
        state = state._replace(shows=_shows(state))
        return parent if state == parent else state

    def _winner(self, el, props: tuple[str, ...]) -> tuple[str, str] | None:
        """(property, value) of the highest-priority declaration among ``props`` (a shorthand
        and its longhand)."""
        best = None
        for prop in props:
            e = self._entry(el, prop)
            if e is not None and (best is None or e[0] > best[0]):
                best = (e[0], prop, e[1])
        return (best[1], best[2]) if best is not None else None

    def _font_zero(self, el, inherited: bool) -> bool:
        won = self._winner(el, ("font-size", "font"))
        if won is None:
            return inherited
        prop, value = won
        size = font_size(value) if prop == "font-size" else font_shorthand_size(value)
        if size is None or size == _RELATIVE:
            return inherited  # em/% of a zero size are zero, of another size are not
        return size == _ZERO

    def _color(self, el, inherited: Rgba | None) -> Rgba | None:
        v = self.value(el, "color")
        if v is not None:
            if v in ("initial", "revert"):
                return BLACK
            c = colour(v)
            return c if isinstance(c, tuple) else inherited  # currentcolor/inherit/invalid
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        hint = el.get("color") if tag == "font" else el.get("text") if tag == "body" else None
        if hint is not None:
            c = legacy_colour(hint)
            return c if c is not None else inherited
        if tag == "a" and el.get("href") is not None:
            return None  # the browser's link colour: not evaluated
        if tag == "mark":
            return BLACK
        return inherited

    def _fill(self, el, inherited: Rgba | str | None) -> Rgba | str | None:
        """``-webkit-text-fill-color`` (inherited on its own: a child's ``color`` does not undo
        a transparent fill)."""
        v = self.value(el, _FILL)
        if v is None or v in ("inherit", "unset"):
            return inherited
        if v in ("initial", "revert"):
            return _CURRENT
        c = colour(v)
        return c if c is not None else None  # an unknown value: not evaluated, read as shown

    def _background(self, el, color: Rgba | None):
        """The element's own background: ``_CLEAR`` (transparent: the parent's shows through),
        an opaque RGB, or None (an image, a gradient or a translucent colour: not evaluated)."""
        short = self._entry(el, "background")
        long_c = self._entry(el, "background-color")
        long_i = self._entry(el, "background-image")
        if short is None and long_c is None and long_i is None:
            if el.get("background"):
                return None  # a legacy background image
            bg = el.get("bgcolor")
            c = legacy_colour(bg) if bg else None
            return _opaque(c) if c is not None else _CLEAR
        fill, image = background(short[1]) if short is not None else (_TRANSPARENT, False)
        if long_c is not None and (short is None or long_c[0] > short[0]):
            c = colour(long_c[1])
            fill = c if c is not None else fill
        if long_i is not None and (short is None or long_i[0] > short[0]):
            image = long_i[1] not in ("none", "initial", "inherit", "unset", "revert")
        if image:
            return None
        if fill == _CURRENT:
            return _opaque(color) if color is not None else None
        return _opaque(fill) if isinstance(fill, tuple) else _CLEAR

    def _off_screen(self, el) -> bool:
        position = self.value(el, "position")
        if position in ("absolute", "fixed", "relative"):
            for side in ("left", "top"):
                v = self.value(el, side)
                if v is not None and far_off(v):
                    return True
        if position in ("absolute", "fixed"):  # clip applies to absolutely positioned boxes only
            c = self.value(el, "clip")
            if c is not None and clip_hides(c):
                return True
        c = self.value(el, "clip-path")
        return c is not None and clip_path_hides(c)

    def _collapsed(self, el, block: bool) -> bool:
        """A box sized to 1px or less (``height``/``max-height``, ``width``/``max-width``) that
        clips what overflows it on that axis (``overflow[-y|-x]: hidden|clip``). Only boxes
        those sizes apply to: block-level by tag or ``display``, or positioned or floated; not
        table parts (a table cell's height is a minimum) nor inline boxes."""
        display = self.display(el)
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if display.startswith("table") or (not display and tag in _TABLE_PARTS):
            return False
        boxed = (display in _BLOCK_CONTAINERS if display else block) or (
            self.value(el, "position") in ("absolute", "fixed")
            or self.value(el, "float") not in (None, "none")
        )
        if not boxed:
            return False
        for clips, sizes in (
            (("overflow", "overflow-y"), ("height", "max-height")),
            (("overflow", "overflow-x"), ("width", "max-width")),
        ):
            if any(_clips(self.value(el, c)) for c in clips) and any(
                tiny(self.value(el, z)) for z in sizes
            ):
                return True
        return False

    # ------------------------------------------------------------------ building it

    def _match(self, root, rules) -> None:
        from cssselect import HTMLTranslator, SelectorError, parse
        from cssselect.xpath import ExpressionError
        from lxml import etree

        translator = HTMLTranslator()
        # The classes and ids on the page: a selector needing another matches nothing, and
        # evaluating its XPath over the whole tree is the costly part of a large stylesheet.
        classes = {c for value in _xpath("//@class")(root) for c in value.split()}
        ids = set(_xpath("//@id")(root))
        order = 0
        for prelude, decls in rules:
            if not decls:
                continue
            try:
                selectors = parse(prelude)
            except SelectorError:
                try:
                    selectors = parse(not_lists(prelude))
                except SelectorError:
                    continue
            for sel in selectors:
                if sel.pseudo_element is not None:
                    continue  # ::before / ::after: generated content, not the element
                if not _may_match(sel.parsed_tree, classes, ids):
                    continue
                try:
                    matched = root.xpath(translator.selector_to_xpath(sel))
                except (ExpressionError, SelectorError, etree.XPathError):
                    continue  # :hover and the like: not what the page shows at rest
                spec = sel.specificity()
                for el in matched:
                    slot = self._rules.setdefault(el, {})
                    for prop, value, important in decls:
                        order += 1
                        prio: Priority = (important, 0, spec, order)
                        old = slot.get(prop)
                        if old is None or prio > old[0]:
                            slot[prop] = (prio, value)


def not_lists(prelude: str) -> str:
    """A selector with Selectors 4's ``:not(A, B)`` written as ``:not(:is(A, B))``, which means
    the same (and has the same specificity) and which cssselect reads; browsers hide by it."""
    import tinycss2

    def walk(tokens) -> str:
        out = []
        for t in tokens:
            if t.type == "function":
                inner = walk(t.arguments)
                comma = any(a.type == "literal" and a.value == "," for a in t.arguments)
                if t.lower_name == "not" and comma:
                    inner = f":is({inner})"
                out.append(f"{t.name}({inner})")
            else:
                out.append(tinycss2.serialize([t]))
        return "".join(out)

    return walk(tinycss2.parse_component_value_list(prelude))


def _may_match(tree, classes: set[str], ids: set[str]) -> bool:
    """Whether every class and id that a parsed cssselect selector requires is on the page
    (``:not()``, ``:is()`` and ``:where()`` arguments require nothing)."""
    from cssselect.parser import Class, CombinedSelector, Hash

    while True:
        if isinstance(tree, Class):
            ok = tree.class_name in classes
        elif isinstance(tree, Hash):
            ok = tree.id in ids
        elif isinstance(tree, CombinedSelector):
            ok = _may_match(tree.subselector, classes, ids)
        else:
            ok = True
        if not ok:
            return False
        tree = getattr(tree, "selector", None)
        if tree is None:
            return True


_QUIRKS_IDS = (
    "-//w3c//dtd html 4.0 transitional//",
    "-//w3c//dtd html 4.0 frameset//",
    "-//w3c//dtd html 3",
    "-//w3c//dtd html 2",
    "-//ietf//dtd html",
    "-//w3o//dtd w3 html",
    "-//netscape comm. corp.//",
    "-//microsoft//",
    "-//softquad",
)
_QUIRKS_WITHOUT_SYSTEM_ID = (
    "-//w3c//dtd html 4.01 transitional//",
    "-//w3c//dtd html 4.01 frameset//",
)


def quirks_mode(root) -> bool:
    """Whether a browser renders the page in quirks mode (the HTML spec's doctype list, in
    short). libxml2 gives a page without a doctype the HTML 4.0 Transitional one: quirks too."""
    info = root.getroottree().docinfo
    if not info.doctype:
        return True
    public = (info.public_id or "").lower()
    return public.startswith(_QUIRKS_IDS) or (
        info.system_url is None and public.startswith(_QUIRKS_WITHOUT_SYSTEM_ID)
    )


@functools.lru_cache(maxsize=8)
def _xpath(path: str):
    """A compiled XPath returning plain strings (no back-references to the tree: faster)."""
    from lxml import etree

    return etree.XPath(path, smart_strings=False)


def _inline_slot(decls, live) -> dict[str, tuple[Priority, str]]:
    slot: dict[str, tuple[Priority, str]] = {}
    for order, (prop, value, important) in enumerate(decls):
        if prop not in live:
            continue
        prio: Priority = (important, _INLINE, (0, 0, 0), order)
        old = slot.get(prop)
        if old is None or prio > old[0]:
            slot[prop] = (prio, value)
    return slot


_FAMILY_WORDS = (
    "font",
    "opacity",
    "color|background",
    "position|left|top|text-indent|clip|overflow|height|width|float",
)
_BASE_WORDS = "display|visibility|grid-"
# Supersets of a declaration that could hide (tinycss2 then reads the values): a zero in a
# font size, a zero or negative opacity, an offset of −1000px or more (in any unit), a clip.
# (On lower-cased text; each begins with its property name so that the scan is a fast one.)
_MAY_SIZE = re.compile(
    r"font(?<![\w-]font)(?:-size)?\s*:[^;{}]*?(?<![\w.#-])[-+]?(?:0+\.?0*|\.0+)(?![\d.])"
)
_MAY_OPACITY = re.compile(r"opacity(?<![\w-]opacity)\s*:\s*(?:-|\+?(?:0+\.?0*|\.0+)(?![\d.]))")
_MAY_PLACE = re.compile(
    r"(?:left|top|text-indent)\s*:\s*-\s*(?:\d{3,}|\d{2,}(?:\.\d*)?\s*(?:em|rem|cm|in|pc))"
    r"|clip(?<![\w-]clip)(?:-path)?\s*:"
)
# A box sized to nothing that clips its content: both an overflow clip and a size of 0/1px.
_MAY_CLIP = re.compile(r"overflow(?:-[xy])?\s*:\s*(?:hidden|clip)")
_MAY_TINY = re.compile(r"(?:height|width)\s*:\s*[-+]?(?:0|\.|1(?:\.0*)?px)")
_TABLE_PARTS = frozenset({"table", "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "col"})
_COLOUR_DECL = re.compile(
    r"(-webkit-text-fill-color|color|background(?:-color)?)\s*:\s*([^;{}!\"]*)"
)
_NAME_CHAR = re.compile(r"[\w-]")


def _may_hide(raw: str, hinted) -> tuple[bool, bool, bool, bool]:
    """(size, opacity, colour, place) that the page's raw CSS text (stylesheets and style
    attributes) and colour attributes could hide text by: a superset of :func:`_families`."""
    raw = raw.lower()
    colours = [
        (m.group(1), m.group(2).strip())
        for m in _COLOUR_DECL.finditer(raw)
        if not (m.start() and _NAME_CHAR.match(raw, m.start() - 1))  # not border-color
    ]
    return (
        bool(_MAY_SIZE.search(raw)),
        bool(_MAY_OPACITY.search(raw)),
        bool(colours or hinted) and _colour_on(colours, hinted),
        bool(_MAY_PLACE.search(raw)) or bool(_MAY_CLIP.search(raw) and _MAY_TINY.search(raw)),
    )


@functools.lru_cache(maxsize=16)
def _words(may: tuple[bool, bool, bool, bool]) -> re.Pattern[str]:
    """The property names worth parsing a declaration list for."""
    on = [w for w, yes in zip(_FAMILY_WORDS, may, strict=True) if yes]
    return re.compile("|".join([_BASE_WORDS, *on]), re.IGNORECASE)


def _families(declared, hinted, blocks=()) -> tuple[bool, bool, bool, bool]:
    """(size, opacity, colour, place): whether any declaration or colour attribute of the page
    could hide text that way; the others are not evaluated. ``blocks``: each rule's or style
    attribute's declarations (a box sized to nothing that clips counts when one block says
    both)."""
    size = opacity = place = False
    for prop, value, _ in declared:
        if prop == "font-size":
            size = size or font_size(value) == _ZERO
        elif prop == "font":
            size = size or font_shorthand_size(value) == _ZERO
        elif prop == "opacity":
            opacity = opacity or opacity_zero(value)
        elif prop in ("left", "top", "text-indent"):
            place = place or far_off(value)
        elif prop == "clip":
            place = place or clip_hides(value)
        elif prop == "clip-path":
            place = place or clip_path_hides(value)
    if not place:
        place = any(
            any(p.startswith("overflow") and _clips(v) for p, v, _ in b)
            and any(
                p in ("height", "width", "max-height", "max-width") and tiny(v) for p, v, _ in b
            )
            for b in blocks
        )
    colours = [(prop, value) for prop, value, _ in declared if prop in _COLOUR]
    return size, opacity, _colour_on(colours, hinted), place


def _colour_on(declared, hinted) -> bool:
    """Whether a text colour (``color``, ``<font color>``, ``<body text>``) of the page is
    transparent or equals a background colour it declares (``background[-color]``, ``bgcolor``)
    or the white page, or a background is black (the default text colour) or ``currentcolor``."""
    texts: set = set()
    backs: set = set()
    for prop, value in declared:
        if prop in ("color", _FILL):
            texts.add(colour(value))
        elif prop == "background-color":
            backs.add(colour(value))
        elif prop == "background":
            backs.add(background(value)[0])
    for el in hinted:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "font" and el.get("color") is not None:
            texts.add(legacy_colour(el.get("color")))
        if tag == "body" and el.get("text") is not None:
            texts.add(legacy_colour(el.get("text")))
        if el.get("bgcolor") is not None:
            backs.add(legacy_colour(el.get("bgcolor")))
    opaque_texts = {c[:3] for c in texts if isinstance(c, tuple) and c[3] == 1}
    opaque_backs = {c[:3] for c in backs if isinstance(c, tuple) and c[3] == 1}
    return (
        any(isinstance(c, tuple) and c[3] == 0 for c in texts)
        or _CURRENT in backs
        or bool(opaque_texts & (opaque_backs | {WHITE}))
        or BLACK[:3] in opaque_backs
    )


def _sheet_rules(css: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """(selector text, declarations of PROPS) of the stylesheet's style rules that set any."""
    import tinycss2

    out = []
    for rule in _style_rules(tinycss2.parse_stylesheet(css, True, True)):
        decls = declarations(rule.content)
        if decls:
            out.append((tinycss2.serialize(rule.prelude), decls))
    return out


def _style_rules(rules):
    """Qualified rules, descending into at-rules' blocks except ``@media print``."""
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.content is not None:
            if rule.lower_at_keyword == "media":
                query = tinycss2.serialize(rule.prelude).lower()
                if "print" in query and "screen" not in query and "all" not in query:
                    continue
            elif rule.lower_at_keyword not in ("supports", "layer", "container", "document"):
                continue  # @font-face, @keyframes, @page: no element rules
            yield from _style_rules(tinycss2.parse_rule_list(rule.content, True, True))


# ---------------------------------------------------------------------- property values

# Boxes that lay out their own lines (where ``text-indent`` applies).
_BLOCK_CONTAINERS = frozenset(
    {
        "block",
        "inline-block",
        "list-item",
        "table-cell",
        "table-caption",
        "flow-root",
        "flex",
        "inline-flex",
        "grid",
        "inline-grid",
    }
)
_ZERO, _RELATIVE, _ABSOLUTE = "zero", "relative", "absolute"
_ABSOLUTE_SIZES = frozenset(
    {
        "xx-small",
        "x-small",
        "small",
        "medium",
        "large",
        "x-large",
        "xx-large",
        "xxx-large",
        "initial",
        "revert",
        "revert-layer",
    }
)
_RELATIVE_UNITS = frozenset({"em", "ex", "ch", "cap", "ic", "lh"})
_SYSTEM_FONTS = frozenset({"caption", "icon", "menu", "message-box", "small-caption", "status-bar"})
# Words a ``font`` shorthand may hold before the size (style, variant, weight, stretch).
_FONT_LEAD = frozenset(
    {
        "normal",
        "italic",
        "oblique",
        "small-caps",
        "bold",
        "bolder",
        "lighter",
        "ultra-condensed",
        "extra-condensed",
        "condensed",
        "semi-condensed",
        "semi-expanded",
        "expanded",
        "extra-expanded",
        "ultra-expanded",
    }
)
# CSS px per unit (em and rem taken at the browsers' default 16px).
_PX = {
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
    "em": 16.0,
    "rem": 16.0,
}
_TRANSPARENT: Rgba = (0, 0, 0, 0.0)
_CURRENT = "currentcolor"
_CLEAR = "clear"  # an element's own background is transparent
_LEGACY_HEX = re.compile(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}")
_IMAGE_FUNCTIONS = frozenset({"url", "image", "image-set", "-webkit-image-set", "cross-fade"})


@functools.lru_cache(maxsize=4096)
def _tokens(value: str) -> tuple:
    import tinycss2

    return tuple(
        t
        for t in tinycss2.parse_component_value_list(value, skip_comments=True)
        if t.type != "whitespace"
    )


def _args(function) -> list:
    """A function token's arguments without whitespace and commas."""
    return [
        a
        for a in function.arguments
        if a.type not in ("whitespace", "comment") and not (a.type == "literal" and a.value == ",")
    ]


def _px(token) -> float | None:
    if token.type == "dimension":
        per = _PX.get(token.lower_unit)
        return token.value * per if per is not None else None
    if token.type == "number" and token.value == 0:
        return 0.0
    return None


def _clips(value: str | None) -> bool:
    return value is not None and value.split()[:1] in (["hidden"], ["clip"])


@functools.lru_cache(maxsize=1024)
def tiny(value: str | None) -> bool:
    """A length of 1px or less (``0``, ``1px``, ``0.5pt``); not a percentage or ``auto``."""
    if value is None:
        return False
    t = _tokens(value)
    if len(t) != 1:
        return False
    px = _px(t[0])
    return px is not None and 0 <= px <= 1


@functools.lru_cache(maxsize=1024)
def far_off(value: str) -> bool:
    """A ``left``/``top``/``text-indent`` value of −1000px or less."""
    t = _tokens(value)
    if len(t) != 1:
        return False
    px = _px(t[0])
    return px is not None and px <= _FAR


_MATH = frozenset({"calc", "min", "max", "clamp"})


def _size(token) -> str | None:
    """_ZERO, _RELATIVE (of the parent's size), _ABSOLUTE, or None (inherit; invalid)."""
    kind = token.type
    if kind in ("dimension", "percentage", "number"):
        if token.value < 0:
            return None
        if token.value == 0:
            return _ZERO
        if kind == "percentage" or (kind == "dimension" and token.lower_unit in _RELATIVE_UNITS):
            return _RELATIVE
        return _ABSOLUTE  # a unitless number is px in quirks mode
    if kind == "ident":
        word = token.lower_value
        if word in _ABSOLUTE_SIZES:
            return _ABSOLUTE
        return _RELATIVE if word in ("smaller", "larger") else None
    if kind == "function":
        # calc(0px), min(0em, 0px): zero when every number in it is zero (CSS Values 4 math
        # functions); any other expression is not evaluated and read as shown.
        nums = [a for a in token.arguments if a.type in ("dimension", "percentage", "number")]
        nested = any(a.type == "function" for a in token.arguments)
        if token.lower_name in _MATH and nums and not nested and all(a.value == 0 for a in nums):
            return _ZERO
        return _ABSOLUTE
    return None


@functools.lru_cache(maxsize=1024)
def font_size(value: str) -> str | None:
    t = _tokens(value)
    return _size(t[0]) if len(t) == 1 else None


@functools.lru_cache(maxsize=1024)
def font_shorthand_size(value: str) -> str | None:
    """The size a ``font`` shorthand sets (``bold 0/0 a`` → zero)."""
    t = _tokens(value)
    if len(t) == 1 and t[0].type == "ident":
        word = t[0].lower_value
        if word in _SYSTEM_FONTS or word in ("initial", "revert"):
            return _ABSOLUTE
        return None  # inherit, unset
    for tok in t:
        if tok.type == "number" and tok.value != 0:
            continue  # a weight (700)
        if tok.type == "ident" and tok.lower_value in _FONT_LEAD:
            continue
        return _size(tok)
    return None


@functools.lru_cache(maxsize=256)
def opacity_zero(value: str) -> bool:
    t = _tokens(value)
    return len(t) == 1 and t[0].type in ("number", "percentage") and t[0].value <= 0


def _rgba(c) -> Rgba:
    r, g, b, a = (min(1.0, max(0.0, float(x))) for x in c)
    return (round(r * 255), round(g * 255), round(b * 255), a)


def _colour_of(token):
    # CSS Color 4 (space-separated ``rgb(255 255 255)``, ``hwb()``, ``color(srgb …)``), which
    # browsers draw: Color 3 alone leaves them unparsed, and a white decoy read as shown.
    from tinycss2.color4 import parse_color

    c = parse_color(token)
    if c is None:
        return None
    if isinstance(c, str):
        return _CURRENT
    try:
        srgb = c.to("srgb")
    except NotImplementedError:  # lab(), oklch(), …: only full transparency is certain
        return _TRANSPARENT if c.alpha == 0 else None
    return _rgba((*srgb.coordinates, srgb.alpha))


@functools.lru_cache(maxsize=1024)
def colour(value: str) -> Rgba | str | None:
    """A CSS colour value (named, ``#fff``/``#ffffff``, ``rgb()``/``rgba()``, ``hsl()``/
    ``hsla()``, ``transparent``, Color 4's space-separated forms, ``hwb()``, ``color(srgb …)``)
    as (r, g, b, alpha); ``"currentcolor"``; None if it is no colour (``inherit`` and other
    keywords, invalid values) or one not converted to sRGB (``lab()``, ``oklch()``: read as
    shown). Parsed by tinycss2's CSS Color 4."""
    t = _tokens(value)
    return _colour_of(t[0]) if len(t) == 1 else None


@functools.lru_cache(maxsize=256)
def legacy_colour(value: str) -> Rgba | None:
    """An HTML colour attribute (``bgcolor="#FFFFFF"``, ``color=white``, ``color="ffffff"``)."""
    value = value.strip()
    c = colour(value.lower())
    if c is None and _LEGACY_HEX.fullmatch(value):
        c = colour("#" + value.lower())
    return c if isinstance(c, tuple) else None


@functools.lru_cache(maxsize=1024)
def background(value: str) -> tuple[Rgba | str, bool]:
    """(colour, has an image) of a ``background`` shorthand; the colour is transparent when the
    shorthand names none."""
    fill: Rgba | str = _TRANSPARENT
    image = False
    for tok in _tokens(value):
        if tok.type == "url" or (
            tok.type == "function"
            and (tok.lower_name in _IMAGE_FUNCTIONS or "gradient" in tok.lower_name)
        ):
            image = True
            continue
        c = _colour_of(tok)
        if c is not None:
            fill = c
    return fill, image


def _opaque(c: Rgba) -> Rgb | str | None:
    """A background colour as drawn: transparent → _CLEAR, opaque → its RGB, translucent →
    None (not evaluated)."""
    if c[3] == 0:
        return _CLEAR
    return c[:3] if c[3] == 1 else None


@functools.lru_cache(maxsize=256)
def clip_hides(value: str) -> bool:
    """``clip: rect(top right bottom left)`` leaving 1px or less (``rect(0 0 0 0)``,
    ``rect(1px, 1px, 1px, 1px)``); ``auto`` sides are the box's own: not evaluated."""
    t = _tokens(value)
    if len(t) != 1 or t[0].type != "function" or t[0].lower_name != "rect":
        return False
    sides = [None if a.type == "ident" and a.lower_value == "auto" else _px(a) for a in _args(t[0])]
    if len(sides) != 4:
        return False
    top, right, bottom, left = sides
    tall = bottom - top if top is not None and bottom is not None else None
    wide = right - left if right is not None and left is not None else None
    return (tall is not None and tall <= 1) or (wide is not None and wide <= 1)


@functools.lru_cache(maxsize=256)
def clip_path_hides(value: str) -> bool:
    """``clip-path: inset(50%)`` (percent insets meeting across), ``circle(0)``."""
    t = _tokens(value)
    if len(t) != 1 or t[0].type != "function":
        return False
    name, args = t[0].lower_name, _args(t[0])
    if name == "circle":
        return bool(args) and _px(args[0]) == 0
    if name != "inset":
        return False
    cut: list[float] = []
    for a in args:
        if a.type == "ident" and a.lower_value == "round":
            break
        if a.type == "percentage":
            cut.append(a.value)
        elif _px(a) == 0:
            cut.append(0.0)
        else:
            return False  # a length: the box's size is not known
    if not 1 <= len(cut) <= 4:
        return False
    top, right, bottom, left = _sides(cut)
    return top + bottom >= 100 or left + right >= 100


def _sides(v: list[float]) -> tuple[float, float, float, float]:
    """CSS's 1–4 value box shorthand → (top, right, bottom, left)."""
    if len(v) == 1:
        return v[0], v[0], v[0], v[0]
    if len(v) == 2:
        return v[0], v[1], v[0], v[1]
    if len(v) == 3:
        return v[0], v[1], v[2], v[1]
    return v[0], v[1], v[2], v[3]


# ---------------------------------------------------------------------- CSS grid placement

_SPAN = re.compile(r"span\s+(\d+)")
_INT = re.compile(r"-?\d+")


def grid_line(value: str | None) -> tuple[int | None, int]:
    """(start line or None for auto, span) of a ``grid-column``/``grid-row`` value such as
    ``2 / span 3``, ``2 / 5``, ``span 2``, ``3``."""
    if not value:
        return None, 1
    parts = [p.strip() for p in value.split("/")]
    start: int | None = None
    span = 1
    first = parts[0]
    m = _SPAN.search(first)
    if m:
        span = int(m.group(1))
    else:
        n = _INT.fullmatch(first)
        start = int(n.group()) if n else None
    if len(parts) > 1:
        second = parts[1]
        m = _SPAN.search(second)
        if m:
            span = int(m.group(1))
        else:
            n = _INT.fullmatch(second)
            if n and start is not None and int(n.group()) > start:
                span = int(n.group()) - start
    return start, max(1, span)


def track_count(template: str | None) -> int:
    """The number of columns ``grid-template-columns`` defines (``repeat(4, auto)``, ``1fr 2fr
    100px``); 0 when unknown."""
    if not template:
        return 0
    n = 0
    rest = template
    for m in re.finditer(r"repeat\(\s*(\d+)\s*,([^()]*(?:\([^()]*\)[^()]*)*)\)", template):
        inner = [t for t in re.split(r"\s+", m.group(2).strip()) if t]
        n += int(m.group(1)) * max(1, len(inner))
        rest = rest.replace(m.group(0), " ")
    rest = re.sub(r"\[[^\]]*\]", " ", rest)  # line names
    n += len(re.findall(r"minmax\([^)]*\)|fit-content\([^)]*\)|[^\s()]+", rest))
    return n
