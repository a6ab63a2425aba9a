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


def match_heading(line: str, template: Template) -> str | None:
    """The section code a line opens, or None. Sub-headings like "(一)主动公开情况" never match."""
    if len(line) > _HEADING_MAX * 2:
        return None
    compact = _WS.sub("", line)
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


def first_heading_line(lines: list[str], template: Template) -> str | None:
    for ln in lines:
        if match_heading(ln, template) is not None:
            return ln
    return None


def split_sections(text: str, template: Template) -> Sectioned:
    """Sections in template order; a heading that would go backwards is treated as body text
    (a table row such as "四、结转下年度继续办理" never opens a section: it matches no alias)."""
    order = {s.code: i for i, s in enumerate(template.sections)}
    out = Sectioned(preamble="")
    current: str | None = None
    buf: list[str] = []
    last = -1
    for line in text.split("\n"):
        code = match_heading(line, template)
        if code is not None and order[code] > last:
            if current is None:
                out.preamble = "\n".join(buf)
            else:
                out.sections[current] = "\n".join(buf)
            current, buf, last = code, [], order[code]
            continue
        buf.append(line)
    if current is None:
        out.preamble = "\n".join(buf)
    else:
        out.sections[current] = "\n".join(buf)
    out.missing = [s.code for s in template.sections if s.code not in out.sections]
    return out
