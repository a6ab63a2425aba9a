"""Strip portal chrome and collapse a page that was copied twice."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that belong to the portal page, not to the report. Each is matched only on short lines so
# that a report sentence mentioning, say, a browser is never cut.
_CHROME = re.compile(
    r"主办单位|承办单位|ICP备|ICP证|网站标识码|公网安备|浏览次数|访问次数|阅读次数|建议您?使用.{0,20}浏览器"
    r"|分享到|【\s*打印\s*】|【\s*关闭\s*】|打印本页|关闭窗口|字号[::]?\s*[大中小]|版权所有|您现在的位置|当前位置"
)
_CHROME_MAX_LEN = 160
# Weaker markers: words a report may also use, so only on lines that hold little else.
_CHROME_SHORT = re.compile(r"网站地图|联系我们|无障碍|适老化|扫一扫|首页|打印|关闭|分辨率")
_CHROME_SHORT_MAX_LEN = 24


@dataclass(slots=True)
class Cleaned:
    text: str
    duplicated: bool = False
    copies_differ: bool = False
    chrome_lines: int = 0


def strip_chrome(lines: list[str]) -> tuple[list[str], int]:
    kept = [
        ln
        for ln in lines
        if not (
            (len(ln) <= _CHROME_MAX_LEN and _CHROME.search(ln))
            or (len(ln) <= _CHROME_SHORT_MAX_LEN and _CHROME_SHORT.search(ln))
        )
    ]
    return kept, len(lines) - len(kept)


_WS = re.compile(r"\s+")


# Markdown marks that OCR / vision-model output puts around titles, headings and cells
# ("# XX局2024年…", "### (六)其他", "**总计**"): layout, not text. Headings: a run of 1–6 "#"
# opening a line, followed by a space or directly by a non-ASCII character ("#XX局" is a
# heading too; "#1" is not). Bold: "**" anywhere (no report prints it as text).
_MD_HEADING = re.compile(r"(?m)^[ \t\u3000]*#{1,6}(?:[ \t\u3000]+|(?=[^\x00-\x7f]))")


def strip_markdown_marks(text: str) -> str:
    """``text`` without markdown heading marks at line starts and bold marks (unchanged, and
    not copied, when it has none)."""
    if "#" in text:
        text = _MD_HEADING.sub("", text)
    if "**" in text:
        text = text.replace("**", "")
    return text


def _heading_key(line: str) -> str:
    return _WS.sub("", line)


def dedupe_copies(lines: list[str], first_heading: str | None) -> tuple[list[str], bool, bool]:
    """When the whole report appears twice (a page saved with its print view), keep the first.

    ``first_heading`` is the report's first section heading line; a second identical occurrence
    marks the start of the second copy (with the introduction lines before it, if they repeat too).
    Returns (lines, duplicated, copies_differ).
    """
    if first_heading is None:
        return lines, False, False
    key = _heading_key(first_heading)
    if not key:
        return lines, False, False
    # Cheap tests first: a line equal to the key without its spaces holds its first and last
    # characters and is at least as long.
    first, last, n = key[0], key[-1], len(key)
    hits = [
        i
        for i, ln in enumerate(lines)
        if len(ln) >= n and first in ln and last in ln and _heading_key(ln) == key
    ]
    if len(hits) < 2:
        return lines, False, False
    h1, h2 = hits[0], hits[1]
    start = h2
    # The intro before the first heading usually repeats too: walk back over matching lines.
    k = 1
    while k <= h1 and h2 - k > h1 and lines[h1 - k] == lines[h2 - k]:
        start = h2 - k
        k += 1
    first, second = lines[:start], lines[start:]
    prefix = first[h1 - (h2 - start) :]
    differ = second != prefix[: len(second)]
    return first, True, differ


# What ``clean`` would change besides the final line breaks. Each search opens with a literal
# or rare characters, so it skips through the text at C speed.
_ANY_CHROME = re.compile(_CHROME.pattern + "|" + _CHROME_SHORT.pattern)
# On "\n" + text + "\n": a blank or whitespace-only line, or a line opening with a space.
_BLANK_OR_PADDED = re.compile("\n(?:[^\\S\n]*\n|[ \u3000])")


def _already_clean(text: str, first_heading: str | None) -> bool:
    """True when ``clean`` would only drop the final line breaks: no chrome, no line padded with
    spaces, no blank line, and the first heading not printed twice."""
    if not text:
        return False
    framed = "\n" + text + "\n"
    # A line ending with a space: plain substring searches (what the pattern above finds on
    # the reversed text, without reversing it).
    if _BLANK_OR_PADDED.search(framed) or " \n" in framed or "\u3000\n" in framed:
        return False
    if _ANY_CHROME.search(text):
        return False
    if first_heading is not None:
        key = _heading_key(first_heading)
        if key and len(_spaced(key).findall(text)) >= 2:
            return False
    return True


_SPACED: dict[str, re.Pattern[str]] = {}


def _spaced(key: str) -> re.Pattern[str]:
    """``key`` with any whitespace but a line break between its characters."""
    pat = _SPACED.get(key)
    if pat is None:
        if len(_SPACED) > 256:
            _SPACED.clear()
        pat = _SPACED[key] = re.compile(r"[^\S\n]*".join(map(re.escape, key)))
    return pat


# The title line a crawler writes above the page's text ("标题: …", next to "发布时间: …" and
# "来源: …"): the label goes, the title stays (the other header lines are metadata).
_CRAWLER_TITLE = re.compile(r"^[^\S\n]*(?:标题|文章标题|题目)[^\S\n]*[:：][^\S\n]*", re.M)
_CRAWLER_HEAD = 600  # such lines open the dump


def strip_crawler_title(text: str) -> str:
    """``text`` with the crawler's "标题:" label taken off its title line (near the top)."""
    head = text[:_CRAWLER_HEAD]
    if "题" not in head:
        return text
    return _CRAWLER_TITLE.sub("", head) + text[_CRAWLER_HEAD:]


def clean(text: str, first_heading: str | None) -> Cleaned:
    text = strip_crawler_title(text)
    body = text.rstrip("\n")
    if "#" in body or "**" in body:
        text = body = strip_markdown_marks(body)
        if first_heading is not None:
            first_heading = strip_markdown_marks(first_heading)
    if _already_clean(body, first_heading):
        return Cleaned(body)
    # Tabs are kept: a leading or trailing tab holds a (blank) table cell.
    lines = [ln.strip(" \u3000") for ln in text.split("\n")]
    # Most pages carry no chrome at all: one search of the whole text proves it.
    if _CHROME.search(text) or _CHROME_SHORT.search(text):
        lines, n_chrome = strip_chrome(lines)
    else:
        n_chrome = 0
    lines = [ln for ln in lines if ln.strip()]
    lines, dup, differ = dedupe_copies(lines, first_heading)
    return Cleaned("\n".join(lines), dup, differ, n_chrome)
