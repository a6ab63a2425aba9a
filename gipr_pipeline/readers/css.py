"""The few CSS properties that decide what a browser shows of a page: ``display``,
``visibility`` and the CSS-grid placement of ``<div>`` tables.

Rules come from the page's ``<style>`` elements (parsed with tinycss2; selectors turned into
XPath by cssselect and matched with lxml) and from inline ``style`` attributes; the cascade is
CSS's own: ``!important`` first, then inline over rules, then selector specificity, then the later
rule. ``@media print`` blocks are skipped (the screen is what people read); other at-rules are
read as if they applied. External stylesheets (``<link>``) are not fetched: a page that hides
figures only through them is read as if they were shown.
"""

from __future__ import annotations

import re

# The properties read; everything else in a stylesheet is ignored (cheap on large pages).
PROPS = frozenset(
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
_PROP_WORD = re.compile(r"display|visibility|grid-", re.IGNORECASE)
_INLINE = 1  # origin rank of a style attribute: above any selector of the same importance

# (important, inline, specificity, order) → the higher wins
Priority = tuple[bool, int, tuple[int, int, int], int]


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
        self._inline: dict[object, dict[str, tuple[Priority, str]]] = {}
        sheets = [s.text for s in root.iter("style") if s.text and _PROP_WORD.search(s.text)]
        if sheets:
            self._match(root, "\n".join(sheets))
        # The elements any of it concerns (one hash lookup per element while walking).
        self._touched = set(root.xpath("//*[@style or @hidden]"))
        self._touched.update(self._rules)

    # ------------------------------------------------------------------ reading the cascade

    def value(self, el, prop: str) -> str | None:
        best: tuple[Priority, str] | None = None
        ruled = self._rules.get(el)
        if ruled is not None:
            best = ruled.get(prop)
        if el.get("style") is not None:
            mine = self._inline_of(el).get(prop)
            if mine is not None and (best is None or mine[0] > best[0]):
                best = mine
        return best[1] if best is not None else None

    def touches(self, el) -> bool:
        """Whether any rule, style attribute or ``hidden`` attribute concerns the element (a
        cheap test: most elements of most pages have none)."""
        return el in self._touched

    def display_none(self, el) -> bool:
        """``display:none``, or the ``hidden`` attribute no rule overrides."""
        display = self.value(el, "display")
        if display is not None:
            return display.split()[0] == "none" if display else False
        return el.get("hidden") is not None

    def visibility(self, el, inherited: bool) -> bool:
        """Whether the element's own text shows: ``visibility`` is inherited, and a child may
        set ``visible`` again under a hidden parent."""
        v = self.value(el, "visibility")
        if v is None or v in ("inherit", "unset"):
            return inherited
        return not v.startswith(("hidden", "collapse"))

    def display(self, el) -> str:
        v = self.value(el, "display")
        return v.split()[0] if v else ""

    # ------------------------------------------------------------------ building it

    def _inline_of(self, el) -> dict[str, tuple[Priority, str]]:
        hit = self._inline.get(el)
        if hit is None:
            hit = {}
            style = el.get("style") or ""
            if _PROP_WORD.search(style):
                for order, (prop, value, important) in enumerate(declarations(style)):
                    hit[prop] = ((important, _INLINE, (0, 0, 0), order), value)
            self._inline[el] = hit
        return hit

    def _match(self, root, css: str) -> None:
        import tinycss2
        from cssselect import HTMLTranslator, SelectorError, parse
        from cssselect.xpath import ExpressionError
        from lxml import etree

        translator = HTMLTranslator()
        order = 0
        for rule in _style_rules(tinycss2.parse_stylesheet(css, True, True)):
            decls = declarations(rule.content)
            if not decls:
                continue
            try:
                selectors = parse(tinycss2.serialize(rule.prelude))
            except SelectorError:
                continue
            for sel in selectors:
                if sel.pseudo_element is not None:
                    continue  # ::before / ::after: generated content, not the element
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
