"""Split cleaned report text into the template's six sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from gipr_pipeline.template import Template, load_template

_WS = re.compile(r"\s+")
# A top-level heading is numbered "一、" … "六、" (or "一." / "一,"), or not numbered at all.
_TOP_NUMBER = re.compile(r"^([一二三四五六七八九十]{1,2})\s*[、.,,．]\s*")
_SUB_NUMBER = re.compile(r"^[((]\s*[一二三四五六七八九十\d]+\s*[))]")
_TRAILING = re.compile(r"[。.::;;,,\s]+$")
_HEADING_MAX = 40


@dataclass(slots=True)
class Sectioned:
    preamble: str
    sections: dict[str, str] = field(default_factory=dict)  # code → text, in report order
    missing: list[str] = field(default_factory=list)


@cache
def _heading_index(version: str) -> tuple[re.Pattern[str], list[tuple[str, tuple[str, ...]]]]:
    t = load_template(version)
    index = [(s.code, tuple(_WS.sub("", a) for a in s.aliases)) for s in t.sections]
    # One search over every alias rejects the many lines that are no heading at all.
    any_alias = re.compile("|".join(re.escape(a) for _, aliases in index for a in aliases))
    return any_alias, index


# Short pieces of the aliases whose first characters are rare in report text, so that a search
# for them skips most of the text at C speed (a search for whole aliases stops at every 政, 其
# and 主). Every alias holds one of them (checked when the pattern is built); a hit only marks a
# line to look at, match_heading decides.
_ANCHORS = ("体情", "动公", "收到", "复议", "改进", "需要")


@cache
def _spaced_alias(version: str) -> re.Pattern[str]:
    """Pieces of the aliases with any whitespace between their characters, within one line: a
    line whose compact form holds an alias holds a match of this, so a search of the whole text
    finds every line that can be a heading (and few others)."""
    _, index = _heading_index(version)
    gap = r"[^\S\n]*"
    pieces = set()
    for _, aliases in index:
        for a in aliases:
            pieces.add(next((p for p in _ANCHORS if p in a), a))
    alts = sorted(pieces, key=len, reverse=True)
    return re.compile("|".join(gap.join(map(re.escape, a)) for a in alts))


# match_heading by line: table header lines and headings repeat across reports. Bounded.
_LINE_CODES: dict[tuple[str, str], str | None] = {}
_CACHE_MAX = 8192
_MISS = object()


def heading_candidates(text: str, template: Template) -> list[tuple[int, int]]:
    """(start, end) of every line of ``text`` that holds an alias piece: the only lines that
    can be headings. One scan of the text; reusable for any text with the same lines there."""
    out: list[tuple[int, int]] = []
    last_start = -1
    for m in _spaced_alias(template.version).finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if start == last_start:
            continue
        last_start = start
        end = text.find("\n", m.end())
        out.append((start, len(text) if end < 0 else end))
    return out


def heading_lines(
    text: str,
    template: Template,
    strip: bool = False,
    first: bool = False,
    candidates: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, code) of every line of ``text`` that ``match_heading`` accepts, in order.

    Equivalent to calling ``match_heading`` on each line (``.strip()``-ed first with ``strip``),
    but only lines that hold an alias are looked at (``candidates``: from
    ``heading_candidates``, computed here when not given). ``first``: stop at the first one."""
    out: list[tuple[int, int, str]] = []
    cache = _LINE_CODES
    version = template.version
    if candidates is None:
        candidates = heading_candidates(text, template)
    for start, end in candidates:
        line = text[start:end]
        if strip:
            line = line.strip()
        ck = (version, line)
        code = cache.get(ck, _MISS)
        if code is _MISS:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            code = cache[ck] = match_heading(line, template)
        if code is not None:
            out.append((start, end, code))
            if first:
                break
    return out


def match_heading(line: str, template: Template) -> str | None:
    """The section code a line opens, or None. Sub-headings like "(一)主动公开情况" never match."""
    if len(line) > _HEADING_MAX * 2:
        return None
    compact = _WS.sub("", line)
    if compact[:1] == "#" or compact[:1] == "*":  # markdown ("## 四、…", "**四、…**"): layout
        compact = compact.lstrip("#*").rstrip("*")
    if len(compact) > _HEADING_MAX or _SUB_NUMBER.match(compact):
        return None
    any_alias, index = _heading_index(template.version)
    if not any_alias.search(compact):
        return None
    numbered = _TOP_NUMBER.match(compact)
    body = _TRAILING.sub("", compact[numbered.end() :] if numbered else compact)
    for code, aliases in index:
        for a in aliases:
            if body == a or (numbered and body.startswith(a) and len(body) <= len(a) + 6):
                return code
    return None


def first_heading_line(
    lines: list[str] | str, template: Template, candidates: list[tuple[int, int]] | None = None
) -> str | None:
    """The first line that is a section heading (stripped), from a list of lines or a text."""
    if isinstance(lines, str):
        hits = heading_lines(lines, template, strip=True, first=True, candidates=candidates)
        return lines[hits[0][0] : hits[0][1]].strip() if hits else None
    for ln in lines:
        if match_heading(ln, template) is not None:
            return ln
    return None


def split_sections(
    text: str, template: Template, candidates: list[tuple[int, int]] | None = None
) -> Sectioned:
    """Sections in template order; a heading that would go backwards is treated as body text
    (a table row such as "四、结转下年度继续办理" never opens a section: it matches no alias)."""
    order = _order(template.version)
    out = Sectioned(preamble="")
    current: str | None = None
    pos = 0  # start of the current body
    last = -1
    # Each body is the text between two heading lines (the lines in between, joined by "\n").
    for start, end, code in heading_lines(text, template, candidates=candidates):
        if order[code] <= last:
            continue
        body = text[pos : start - 1] if start > pos else ""
        if current is None:
            out.preamble = body
        else:
            out.sections[current] = body
        current, last = code, order[code]
        pos = end + 1
    body = text[pos:] if pos <= len(text) else ""
    if current is None:
        out.preamble = text
    else:
        out.sections[current] = body
    out.missing = [s.code for s in template.sections if s.code not in out.sections]
    return out


@cache
def _order(version: str) -> dict[str, int]:
    return {s.code: i for i, s in enumerate(load_template(version).sections)}
