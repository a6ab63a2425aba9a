"""Layout families of real-world documents (issue 14): each renders a truth the way a converter,
a scanner, a crawler, an old document file or a web page leaves it, and says what must be read.

The families and where they come from (``../shared/cases/README.md`` has one or two examples of
each; these vary every degree of freedom those examples show, so a reader fitted to the examples
does not pass):

* ``pdf_text_detached`` — a bordered PDF table through a PDF-to-text/markdown converter: labels
  wrapped over 2–3 lines, group labels cut into pieces and interleaved (or printed vertically,
  one character a line), number rows detached from their labels (before, after, in the middle
  of their label), ``|---|`` fragments, page-number lines inside tables, a garbled header.
* ``ocr_markdown`` — OCR / vision-model markdown: ``#`` headings, ``数据1 … 数据6 | 总计``
  columns, a table per group under ``### （六）其他``-style headings, ``### 四、结转下年度继续办理``
  as a row, the review table as three small tables, one look-alike character in one label.
* ``crawler_run_together`` — a crawler dump: ``标题:``/``发布时间:``/``来源:`` lines, then the body
  on one line with table cells joined with nothing between them. Numbers are drawn so that the
  digit runs have exactly one reading under all the table's rules together (a row may have several
  readings on its own, settled by the column rules), as the issue requires of a reader.
* ``template_variant`` — a 2021-template report (2021 section 二) made from an old document file:
  mostly without the 30号 reference, (六)其他处理 printed as one row of zeros → 3.6.1 = 3.6.2 =
  3.6.3 = 0, named with ``ONE_ROW_OTHER``.
* ``misprinted_labels`` — one or two application row labels with 2–3 characters dropped or two
  swapped (any of the plain layouts).
* ``metadata_variants`` — the title over two lines (``2024 年…`` / ``年度报告``), an abbreviated
  agency in the title and intro with the full name only in the signature, ``本报告由……办公室负责
  编制``, spaced phone labels, sometimes a ``标题:`` line; the truth is the full name.
* ``hidden_content`` — an HTML page whose number cells carry digits a browser does not show
  (``display:none`` / ``visibility:hidden`` / ``font-size:0`` / ``opacity:0`` / white or
  transparent text on the white page / off-screen or clipped boxes, inline or by class or id rules
  in ``<style>``, ``<font color>``, the ``hidden`` attribute), and visible figures under
  decorations that show (white on a dark background, a small opacity, a relative offset); the
  truth is what the browser shows.

``render_family(name, truth, rng)`` returns a ``FamilyDoc``; it may change ``truth`` (its cells)
first, so the caller builds the truth record from ``truth`` afterwards.
"""

from __future__ import annotations

import html
import itertools
import random
import re
from dataclasses import dataclass, field, replace

from gipr_pipeline.corpus.render import (
    BLANK_LAYOUTS,
    LAYOUTS,
    ZERO_MARKS,
    Style,
    Truth,
    _applications,
    _review,
    _small,
    narrative,
    render_table,
)
from gipr_pipeline.parser.runtogether import CELL_MAX, MAX_REPORT_STEPS, row_splits
from gipr_pipeline.template import Row, Table

FAMILIES = (
    "pdf_text_detached",
    "ocr_markdown",
    "crawler_run_together",
    "template_variant",
    "misprinted_labels",
    "metadata_variants",
    "hidden_content",
)
# The problem a reader must name when (六)其他处理 is printed as one row of zeros in a
# 2021-template report (its three rows are stored as 0). Prefix-matched against the parser's.
ONE_ROW_OTHER = "other_handling_one_row"

_REF = "国办公开办函〔2021〕30号"
_GROUPS = {
    "3.1": "三、本年度办理结果",
    "3.3.1": "(三)不予公开",
    "3.4.1": "(四)无法提供",
    "3.5.1": "(五)不予处理",
    "3.6.1": "(六)其他处理",
}
_GROUP_ROWS = {
    "3.3.1": ("3.3.1", "3.3.8"),
    "3.4.1": ("3.4.1", "3.4.3"),
    "3.5.1": ("3.5.1", "3.5.5"),
    "3.6.1": ("3.6.1", "3.6.3"),
}
_REV_COLS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"


@dataclass
class FamilyDoc:
    """A rendered family member: the text (or page), its file suffix, and what the truth adds."""

    text: str
    suffix: str = ".txt"
    phone: str | None = None
    problems: list[str] = field(default_factory=list)
    blanks: list[tuple[str, str, str]] = field(default_factory=list)
    style: Style = field(default_factory=lambda: Style(signature=True))


# ------------------------------------------------------------------ small pieces
def phone_number(rng: random.Random) -> str:
    area = "0" + str(rng.randint(10, 999)) if rng.random() < 0.8 else "0" + str(rng.randint(10, 99))
    return f"{area}-{rng.randint(2, 8)}{rng.randint(0, 10**6 - 1):06d}" + (
        str(rng.randint(0, 9)) if len(area) == 3 and rng.random() < 0.5 else ""
    )


def _num(v: int | float, thousands: bool = False) -> str:
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return f"{v:,}" if thousands and v >= 1000 else str(v)


_FULL = str.maketrans("(),:", "\uff08\uff09\uff0c\uff1a")


def _fw(s: str, rng: random.Random, p: float = 0.5) -> str:
    """Full-width parentheses and commas (as Word and most PDFs print them), or not."""
    if rng.random() < p:
        return s.translate(_FULL)
    return s


def _date_cn(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}年{int(m)}月{int(d)}日"


def _intro(truth: Truth, rng: random.Random, phone: str, *, ref: bool = True) -> str:
    y = truth.year
    basis = (
        f"按照《中华人民共和国政府信息公开条例》和{_REF}文件规定的格式"
        if ref
        else rng.choice(
            (
                "根据《中华人民共和国政府信息公开条例》的规定",
                "依据《中华人民共和国政府信息公开条例》和上级有关要求",
            )
        )
    )
    return (
        f"{basis},{truth.agency}编制了{y}年度政府信息公开工作年度报告。报告中所列数据的统计期限自"
        f"{y}年1月1日起至{y}年12月31日止。如对报告内容有疑问,请与{truth.agency}办公室联系"
        f"(联系电话:{phone})。"
    )


def _overview(truth: Truth, rng: random.Random) -> list[str]:
    return [
        "一、总体情况",
        f"{truth.year}年,{truth.agency}认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "(一)主动公开情况",
        *narrative(rng, rng.randint(1, 4)),
    ]


_TAIL = [
    "五、存在的主要问题及改进情况",
    "公开的深度和广度还不够,政策解读形式较为单一。",
    "六、其他需要报告的事项",
    "本年度未收取信息处理费。",
]


def _signature(truth: Truth) -> list[str]:
    return [truth.agency, _date_cn(truth.published)]


def _wrap(text: str, rng: random.Random, lo: int, hi: int) -> list[str]:
    """``text`` cut into lines of ``lo``–``hi`` characters (a cell or page too narrow for it)."""
    out, i = [], 0
    while i < len(text):
        n = rng.randint(lo, hi)
        out.append(text[i : i + n])
        i += n
    # A piece of one or two characters at the end joins the previous line.
    if len(out) > 1 and len(out[-1]) <= 2:
        last = out.pop()
        out[-1] += last
    return out


_TOKEN = re.compile(r"[0-9A-Za-z.\-:/年月日]+|.")


def _page_lines(text: str, width: int) -> list[str]:
    """Prose as a PDF page of ``width`` characters prints it: a number (or a date, a phone) is
    never cut, so the statistical period and the phone stay readable."""
    lines, cur = [], ""
    for tok in _TOKEN.findall(text):
        if cur and len(cur) + len(tok) > width:
            lines.append(cur)
            cur = ""
        cur += tok
    return [*lines, cur] if cur else lines


def _apps(truth: Truth) -> Table:
    return truth.template.table("applications")


# ------------------------------------------------------------------ 1 pdf_text_detached
def _pdf_text_detached(truth: Truth, rng: random.Random) -> FamilyDoc:
    phone = phone_number(rng)
    page_fmt = rng.choice(("— {} —", "- {} -", "-{}-", "第 {} 页", "第{}页"))
    page = [1]

    def mark() -> str:
        page[0] += 1
        return page_fmt.format(page[0])

    markdown = rng.random() < 0.5
    p_pipe = rng.choice((0.6, 0.85)) if markdown else rng.choice((0.0, 0.2))
    width = rng.randint(22, 40)
    thousands = rng.random() < 0.3
    out = [f"{truth.agency}{truth.year}年政府信息公开工作年度报告"]
    out += _page_lines(_fw(_intro(truth, rng, phone), rng, 0.7), width)
    for ln in _overview(truth, rng):
        out += _page_lines(ln, width)
    out.append(mark())

    def numbers(vals: list[str], pipe: bool) -> list[str]:
        if pipe:
            line = ["| " + " | ".join(vals) + " |"]
            if markdown and rng.random() < 0.5:
                line.append("|" + "---|" * (len(vals) + rng.choice((0, 1))))
            return line
        return [" ".join(vals)]

    # Section 二: labels stay with their numbers; header words and page lines break the rows.
    out.append("二、主动公开政府信息情况")
    act = truth.template.table("active_disclosure")
    cells = truth.cells["active_disclosure"]
    heading = None
    for r in act.rows:
        if r.group != heading:
            heading = r.group
            out.append(_fw(heading or "", rng))
            head = "信息内容" + "".join(act.column_label(c) for c in r.columns)
            out += _wrap(_fw(head, rng), rng, 6, 18) if rng.random() < 0.6 else [head]
        vals = [_num(cells[(r.code, c)], thousands) for c in r.columns]
        if rng.random() < p_pipe:
            out += numbers([r.label, *vals], True)
        else:
            out.append(" ".join([r.label, *vals]))
        if rng.random() < 0.1:
            out.append(mark())

    # Section 三: the 25 seven-number rows in template order, labels anywhere around them.
    out.append("三、收到和处理政府信息公开申请情况")
    note = _fw(_NOTE, rng)
    header = "自然人商业企业科研机构社会公益组织法律服务机构其他总计"
    frags = _wrap(header, rng, 2, 6)
    if rng.random() < 0.5:
        notes = _wrap(note, rng, 8, 16)
        rows = max(len(notes), 2)
        out.append("| " + " | ".join([notes[0], *frags]) + " |")
        out.append("|" + "---|" * (len(frags) + 1))
        for i in range(1, rows):
            extra = "申请人情况" if i == rows - 1 else ""
            piece = notes[i] if i < len(notes) else ""
            out.append("| " + " | ".join([piece + extra, *([""] * len(frags))]) + " |")
    else:
        out += ["申请人情况", *_wrap(note, rng, 10, 30), "法人或其他组织", " ".join(frags)]
    t = _apps(truth)
    app = truth.cells["applications"]
    vertical = rng.random() < 0.5
    pending: list[str] = []  # pieces of a group label still to be printed
    lines: list[str] = []
    for i, r in enumerate(t.rows):
        if r.code in _GROUPS:
            g = _fw(_GROUPS[r.code], rng)
            if r.code == "3.1" and vertical:
                pending += list(g)
            else:
                pending += _wrap(g, rng, 2, 4)
        label = _fw(r.label, rng)
        pieces = _wrap(label, rng, 6, 16) if len(label) > 10 else [label]
        vals = [_num(app[(r.code, c)], thousands) for c in r.columns]
        pipe = rng.random() < p_pipe
        form = rng.random()
        row_lines: list[str]
        if pipe and pending and form < 0.15:  # the group and the row label in two cells
            row_lines = pieces[:-1] + numbers([pending.pop(0), pieces[-1], *vals], True)
        elif form < 0.35:  # the label's last piece carries the numbers
            last = pieces[-1]
            row_lines = pieces[:-1] + (
                numbers([last, *vals], True) if pipe else [" ".join([last, *vals])]
            )
        else:  # detached: the numbers before, after or inside the label
            at = rng.randint(0, len(pieces))
            row_lines = pieces[:at] + numbers(vals, pipe) + pieces[at:]
        # Group label pieces land between this row's lines (a cell spanning rows).
        for _ in range(min(len(pending), rng.randint(1, 2) if i < len(t.rows) - 3 else 9)):
            row_lines.insert(rng.randint(0, len(row_lines)), pending.pop(0))
        if rng.random() < 0.08:
            row_lines.insert(rng.randint(0, len(row_lines)), mark())
        if rng.random() < 0.1:
            row_lines.append("")
        lines += row_lines
    lines += pending
    out += lines

    # Section 四: header fragments, maybe a page line, then 15 numbers (one line or three).
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out.append("行政复议 行政诉讼")
    out.append("结果 结果 其他 尚未 总计 未经复议直接起诉 复议后起诉")
    out.append("维持 纠正 结果 审结 结果 结果 其他 尚未 总计 结果 结果 其他 尚未 总计")
    out.append("维持 纠正 结果 审结 维持 纠正 结果 审结")
    if rng.random() < 0.5:
        out.append(mark())
    rev = truth.cells["review_litigation"]
    rt = truth.template.table("review_litigation")
    rows = [[_num(rev[(r.code, c)]) for c in r.columns] for r in rt.rows]
    if rng.random() < 0.5:
        out += numbers([v for row in rows for v in row], rng.random() < p_pipe)
    else:
        for row in rows:
            out += numbers(row, rng.random() < p_pipe)
            if rng.random() < 0.1:
                out.append(mark())
    out += _TAIL + _signature(truth) + [mark()]
    return FamilyDoc(
        "\n".join(out) + "\n", ".md" if markdown else ".txt", phone, style=Style(signature=True)
    )


# ------------------------------------------------------------------ 2 ocr_markdown
_LOOKALIKE = {
    "复": "夏",
    "诉": "拆",
    "请": "清",
    "理": "埋",
    "开": "升",
    "制": "刺",
    "密": "蜜",
    "确": "碓",
    "政": "玫",
    "息": "恩",
    "案": "桉",
    "查": "杳",
    "版": "板",
    "获": "荻",
}


def _lookalike(label: str, rng: random.Random) -> str | None:
    """``label`` with one character replaced by its OCR look-alike (not in the numbering)."""
    spots = [i for i, ch in enumerate(label) if ch in _LOOKALIKE and i >= 2]
    if not spots:
        return None
    i = rng.choice(spots)
    return label[:i] + _LOOKALIKE[label[i]] + label[i + 1 :]


def _md_table(head: list[str], rows: list[list[str]], sep: str) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "|".join([sep] * len(head)) + "|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def _ocr_markdown(truth: Truth, rng: random.Random) -> FamilyDoc:
    phone = phone_number(rng)
    paren = lambda s: _fw(s, rng, 0.6)  # noqa: E731 - each heading draws its own brackets
    sep = rng.choice(("---", ":---:", " --- ", ":---"))
    thousands = rng.random() < 0.2
    out = [f"# {truth.agency}{truth.year}年度政府信息公开工作年度报告", ""]
    out += [_fw(_intro(truth, rng, phone), rng), ""]
    ov = _overview(truth, rng)
    out += [f"## {ov[0]}", "", ov[1], "", f"### {paren(ov[2])}", "", *ov[3:], ""]

    out += ["## 二、主动公开政府信息情况", ""]
    act = truth.template.table("active_disclosure")
    cells = truth.cells["active_disclosure"]
    for heading, group in itertools.groupby(act.rows, key=lambda r: r.group):
        group = list(group)
        cols = group[0].columns
        head = ["信息内容", *(act.column_label(c) for c in cols)]
        body = [[r.label, *(_num(cells[(r.code, c)], thousands) for c in cols)] for r in group]
        out += [f"### {paren(heading or '')}", *_md_table(head, body, sep), ""]

    out += ["## 三、收到和处理政府信息公开申请情况", "", _fw(_NOTE, rng), ""]
    t = _apps(truth)
    app = truth.cells["applications"]
    first = rng.choice(("类别", "项目", "指标", "内容"))
    data_head = [first, *(f"数据{k}" for k in range(1, 7)), "总计"]
    if rng.random() < 0.5:
        people = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
        out += ["### 申请人情况", *_md_table(people, [["-"] * 7], sep), ""]
    # A look-alike character in one label (not the short ones that name a heading too).
    victims = [
        r.code
        for r in t.rows
        if r.code.count(".") == 2 and any(ch in _LOOKALIKE for ch in r.label[2:])
    ]
    damaged = rng.choice(victims)
    groups: list[tuple[str | None, list[Row]]] = []
    heads = {
        "1": "一、本年新收政府信息公开申请数量",
        "2": "二、上年结转政府信息公开申请数量",
        "3.1": "三、本年度办理结果",
        "3.3.1": "(三)不予公开",
        "3.4.1": "(四)无法提供",
        "3.5.1": "(五)不予处理",
        "3.6.1": rng.choice(("(六)其他处理", "(六)其他")),
        "3.7": "(七)总计",
        "4": "四、结转下年度继续办理",
    }
    merge_first = rng.random() < 0.5  # rows 1 and 2 in one table without their own headings
    merge_last = rng.random() < 0.4  # 3.7 and 4 continue the (六) table
    for r in t.rows:
        own = r.code in heads and not (
            (merge_first and r.code == "2") or (merge_last and r.code in ("3.7", "4"))
        )
        if own or not groups:
            groups.append((heads.get(r.code) if not (merge_first and r.code == "1") else None, []))
        groups[-1][1].append(r)
    for heading, rows in groups:
        if heading:
            out.append(f"### {paren(heading)}")
        body = []
        for r in rows:
            label = r.label
            if heading and rng.random() < 0.5:
                label = re.sub(r"^[一二四]、", "", label)  # the heading already says 一、/四、
            if r.code == damaged:
                label = _lookalike(label, rng) or label
            label = paren(label)
            if rng.random() < 0.3:
                label = re.sub(r"^(\d)\.", r"\1. ", label)
            body.append([label, *(_num(app[(r.code, c)], thousands) for c in r.columns)])
        if len(body) > 2 and rng.random() < 0.3:
            # A continuation table with an invented, one-short header (a page break).
            k = rng.randint(1, len(body) - 1)
            out += [*_md_table(data_head, body[:k], sep), ""]
            invented = [
                "项目",
                "自然人",
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "总计",
            ]
            out += _md_table(invented, body[k:], sep)
        else:
            out += _md_table(data_head, body, sep)
        out.append("")

    out += ["## 四、政府信息公开行政复议、行政诉讼情况", ""]
    rev = truth.cells["review_litigation"]
    rt = truth.template.table("review_litigation")
    names = (
        ("行政复议", "行政复议情况"),
        ("行政诉讼 - 未经复议直接起诉", "行政诉讼(未经复议直接起诉)"),
        ("行政诉讼 - 复议后起诉", "行政诉讼(复议后起诉)"),
    )
    level = rng.choice(("###", "####"))
    for r, name in zip(rt.rows, names, strict=True):
        vals = [_num(rev[(r.code, c)]) for c in r.columns]
        out += [f"{level} {paren(rng.choice(name))}", *_md_table(list(_REV_COLS), [vals], sep), ""]
    out += [f"## {_TAIL[0]}", "", _TAIL[1], "", f"## {_TAIL[2]}", "", _TAIL[3], ""]
    out += _signature(truth)
    return FamilyDoc("\n".join(out) + "\n", ".md", phone, style=Style(signature=True))


# ------------------------------------------------------------------ 3 crawler_run_together
def splits(s: str, k: int, limit: int = 64) -> list[list[int]]:
    """Ways to cut digit string ``s`` into ``k`` integers written without leading zeros
    (at most ``limit``)."""
    out: list[list[int]] = []

    def go(i: int, acc: list[int]) -> None:
        if len(out) >= limit:
            return
        left = k - len(acc)
        if left == 1:
            p = s[i:]
            if p and (p == "0" or p[0] != "0"):
                out.append([*acc, int(p)])
            return
        for j in range(i + 1, len(s) - left + 2):
            p = s[i:j]
            if len(p) > 1 and p[0] == "0":
                break
            go(j, [*acc, int(p)])

    go(0, [])
    return out


def sum_splits(s: str, parts: int, limit: int = 64) -> list[list[int]]:
    """Ways to cut ``s`` into ``parts`` integers and a last one that is their sum (at most
    ``limit``): the readings of a row whose cells sum to its total, printed run together."""
    out: list[list[int]] = []

    def go(i: int, end: int, acc: list[int], left: int) -> None:
        k = parts - len(acc)
        if k == 1:
            p = s[i:end]
            if (p == "0" or p[0] != "0") and int(p) == left:
                out.append([*acc, left, sum(acc) + left])
            return
        if s[i] == "0":
            first, last = i + 1, i + 1
        else:  # the other k - 1 parts are each at most ``left``: they fill so many digits
            first, last = max(i + 1, end - (k - 1) * len(str(left))), end - k + 1
        for j in range(first, last + 1):
            p = s[i:j]
            v = int(p)
            if v > left:
                return
            rest, r = left - v, end - j
            # k - 1 parts in r digits: none longer than ``rest``; together at most one part of
            # r - k + 2 digits and k - 2 single digits.
            if r > (k - 1) * len(str(rest)) or rest >= 10 ** (r - k + 2) + 9 * (k - 2):
                continue
            go(j, end, [*acc, v], rest)
            if len(out) >= limit:
                return

    # The total is at least as long as the longest part, so at most half the digits (+1).
    for n in range(1, (len(s) + 1) // 2 + 1):
        last = s[len(s) - n :]
        if len(last) > 1 and last[0] == "0":
            continue
        go(0, len(s) - n, [], int(last))
        if len(out) >= limit:
            break
    return out[:limit]


def _group_readings(s: str, groups: int, cap: int = 2) -> int:
    """How many ways (up to ``cap``) ``s`` reads as ``groups`` runs of five integers, each four
    summing to the fifth (the review table run together)."""
    if groups == 0:
        return int(s == "")
    n = 0
    for end in range(5, len(s) - 5 * (groups - 1) + 1):
        for _ in sum_splits(s[:end], 4, cap):
            n += _group_readings(s[end:], groups - 1, cap - n)
            if n >= cap:
                return n
    return n


def _apps_unique(truth: Truth) -> bool:
    """Whether the applications table's digit runs have exactly one reading under all its rules
    together (the reader's contract, issue 14 §2): a row may have several on its own. A run of
    more than ``CELL_MAX`` digits a cell, or one whose splits the reader cannot search out
    within its bound (``row_splits`` is None), is one the reader names without splitting it:
    such a table is redrawn too."""
    t = _apps(truth)
    app = truth.cells["applications"]
    cands: dict[str, list[list[int]]] = {}
    budget = [MAX_REPORT_STEPS]  # the reader's bound for all the runs of one report
    for r in t.rows:
        true = [app[(r.code, c)] for c in r.columns]
        run = "".join(map(str, true))
        if len(run) > CELL_MAX * len(r.columns):
            return False
        if (
            len(run) > 3 * len(r.columns)
            and row_splits(truth.template, t, r, [run], budget) is None
        ):
            return False
        got = sum_splits(run, 6)
        if true not in got or len(got) >= 64:
            return False
        cands[r.code] = got
    open_rows = [k for k, v in cands.items() if len(v) > 1]
    combos = 1
    for k in open_rows:
        combos *= len(cands[k])
    if combos > 256:
        return False
    # The column rules with the rows that have one reading summed once: 1 + 2 - 4 - 3.7 = 0
    # and Σ outcomes - 3.7 = 0, per column.
    outcomes = {r.code for r in t.rows if r.code.startswith("3.") and r.code != "3.7"}
    sign_bal = {"1": 1, "2": 1, "3.7": -1, "4": -1}
    sign_res = {**dict.fromkeys(outcomes, 1), "3.7": -1}
    bal, res = [0] * 7, [0] * 7
    for k, v in cands.items():
        if len(v) == 1:
            for c in range(7):
                bal[c] += sign_bal.get(k, 0) * v[0][c]
                res[c] += sign_res.get(k, 0) * v[0][c]
    good = 0
    for pick in itertools.product(*(cands[k] for k in open_rows)):
        b, r_ = bal[:], res[:]
        for k, vals in zip(open_rows, pick, strict=True):
            sb, sr = sign_bal.get(k, 0), sign_res.get(k, 0)
            for c in range(7):
                b[c] += sb * vals[c]
                r_[c] += sr * vals[c]
        if not any(b) and not any(r_):
            good += 1
            if good > 1:
                return False
    return True


def _review_unique(truth: Truth) -> bool:
    rev = truth.cells["review_litigation"]
    rt = truth.template.table("review_litigation")
    run = "".join(str(rev[(r.code, c)]) for r in rt.rows for c in r.columns)
    return _group_readings(run, 3) == 1


def _active_row_unique(truth: Truth, r: Row) -> bool:
    # No rule ties section 二's cells: a run of several has to have one cut on its own.
    cells = truth.cells["active_disclosure"]
    return len(splits("".join(_num(cells[(r.code, c)]) for c in r.columns), len(r.columns))) == 1


def _crawler_run_together(truth: Truth, rng: random.Random) -> FamilyDoc:
    # Redraw a table's numbers until its runs have exactly one reading; smaller scales make
    # unique runs likelier (at scale 1 nearly every draw is). A loud failure beats a wrong truth.
    scale = max(max(truth.cells["applications"].values()), 1)
    for attempt in itertools.count(1):
        if _apps_unique(truth):
            break
        if attempt > 400:  # pragma: no cover - never seen
            raise RuntimeError("no applications table with one reading")
        if attempt % 3 == 0:
            scale = max(1, scale // 2)
        truth.cells["applications"] = _applications(rng, _apps(truth), min(scale, 60))
    rt = truth.template.table("review_litigation")
    for attempt in itertools.count(1):
        if _review_unique(truth):
            break
        if attempt > 400:  # pragma: no cover - never seen
            raise RuntimeError("no review table with one reading")
        truth.cells["review_litigation"] = _review(rng, rt, max(1, 12 // attempt))
    cells = truth.cells["active_disclosure"]
    for r in truth.template.table("active_disclosure").rows:
        while len(r.columns) > 1 and not _active_row_unique(truth, r):
            for c in r.columns:
                cells[(r.code, c)] = _small(rng, 5)
    phone = phone_number(rng)
    colon = rng.choice((": ", ":", ":", ": "))
    published = truth.published
    head = [f"标题{colon}{truth.agency}{truth.year}年度政府信息公开工作年度报告"]
    head.append(f"发布时间{colon}{published} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}")
    if rng.random() < 0.7:
        head.append(f"来源{colon}{truth.agency}")
    if rng.random() < 0.4:
        head.append(f"栏目{colon}政府信息公开年报")
    joiner = rng.choice(("", " ", ""))
    body: list[str] = [_fw(_intro(truth, rng, phone), rng)]
    body += _overview(truth, rng)
    act = truth.template.table("active_disclosure")
    cells = truth.cells["active_disclosure"]
    tables = ["二、主动公开政府信息情况"]
    heading = None
    for r in act.rows:
        if r.group != heading:
            heading = r.group
            tables.append(_fw(heading or "", rng))
            tables.append("信息内容" + "".join(act.column_label(c) for c in r.columns))
        tables.append(r.label + "".join(_num(cells[(r.code, c)]) for c in r.columns))
    body.append("".join(tables))
    t = _apps(truth)
    app = truth.cells["applications"]
    parts = [
        "三、收到和处理政府信息公开申请情况",
        _fw(_NOTE, rng),
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
    ]
    for r in t.rows:
        group = _GROUPS.get(r.code, "")
        parts.append(_fw(group + r.label, rng) + "".join(str(app[(r.code, c)]) for c in r.columns))
    body.append("".join(parts))
    rev = truth.cells["review_litigation"]
    rt = truth.template.table("review_litigation")
    body.append(
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼"
        + "".join(_REV_COLS)
        + "未经复议直接起诉复议后起诉"
        + "".join(_REV_COLS) * 2
        + "".join(str(rev[(r.code, c)]) for r in rt.rows for c in r.columns)
    )
    body += _TAIL + _signature(truth)
    text = "\n".join(head) + "\n" + joiner.join(body) + "\n"
    return FamilyDoc(text, ".txt", phone, ["run_together:"], style=Style(signature=True))


# ------------------------------------------------------------------ 4 template_variant
def _plain_style(rng: random.Random, layouts: tuple[str, ...] = LAYOUTS) -> Style:
    layout = rng.choice(layouts)
    zero_mark = None
    if rng.random() < 0.3:
        zero_mark = rng.choice((*ZERO_MARKS, "") if layout in BLANK_LAYOUTS else ZERO_MARKS)
    return Style(
        layout=layout,
        review_rows=rng.random() < 0.3,
        zero_mark=zero_mark,
        zero_share=0.5 if zero_mark is not None else 0.0,
        thousands=rng.random() < 0.3,
        signature=True,
    )


def _tables_text(truth: Truth, style: Style, rng: random.Random, blanks: list) -> list[str]:
    titles = {
        "active_disclosure": "二、主动公开政府信息情况",
        "applications": "三、收到和处理政府信息公开申请情况",
        "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    }
    out: list[str] = []
    for code, title in titles.items():
        out.append(title)
        out += render_table(truth.template.table(code), truth.cells[code], style, rng, blanks)
    return out


def _template_variant(truth: Truth, rng: random.Random) -> FamilyDoc:
    t = _apps(truth)
    app = truth.cells["applications"]
    # (六) printed as one row of zeros: the agency had no such outcome. Move any 3.6.x requests
    # to 3.1 (予以公开) so every rule still holds.
    for c in t.columns:
        moved = sum(app[(r, c)] for r in ("3.6.1", "3.6.2", "3.6.3"))
        app[("3.1", c)] += moved
        for r in ("3.6.1", "3.6.2", "3.6.3"):
            app[(r, c)] = 0
    one = Row("3.6", _fw("(六)其他处理", rng), ("其他处理",), t.columns)
    rows = tuple(r for r in t.rows if not r.code.startswith("3.6."))
    at = [r.code for r in rows].index("3.7")
    printed = replace(t, rows=(*rows[:at], one, *rows[at:]))
    cells = dict(app)
    for c in t.columns:
        cells[("3.6", c)] = 0
    phone = phone_number(rng)
    ref = rng.random() < 0.2
    style = replace(_plain_style(rng), zero_mark=None, zero_share=0.0)
    blanks: list = []
    out = [
        f"{truth.agency}{truth.year}年度政府信息公开工作年度报告",
        _intro(truth, rng, phone, ref=ref),
    ]
    out += _overview(truth, rng)
    titles = (
        ("active_disclosure", "二、主动公开政府信息情况"),
        ("applications", "三、收到和处理政府信息公开申请情况"),
        ("review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    )
    for code, title in titles:
        out.append(title)
        table = printed if code == "applications" else truth.template.table(code)
        out += render_table(
            table, cells if code == "applications" else truth.cells[code], style, rng, blanks
        )
    out += _TAIL + _signature(truth)
    problems = [f"{ONE_ROW_OTHER}:"] + ([] if ref else ["template_guessed:"])
    return FamilyDoc("\n".join(out) + "\n", ".txt", phone, problems, style=style)


# ------------------------------------------------------------------ 5 misprinted_labels
def _damage(label: str, rng: random.Random) -> str:
    """2–3 characters of the label's text dropped, or two swapped and one dropped."""
    m = re.match(r"^(\(.\)|\d\.)", label)
    head = m.group(0) if m else ""
    body = list(label[len(head) :])
    if rng.random() < 0.6:
        for _ in range(rng.randint(2, 3)):
            del body[rng.randrange(1, len(body) - 1)]
    else:
        i = rng.randrange(1, len(body) - 2)
        body[i], body[i + 1] = body[i + 1], body[i]
        away = [j for j in range(1, len(body) - 1) if j < i - 1 or j > i + 2]
        if away and rng.random() < 0.5:
            del body[rng.choice(away)]
    return head + "".join(body)


def _misprinted_labels(truth: Truth, rng: random.Random) -> FamilyDoc:
    t = _apps(truth)
    style = _plain_style(rng, tuple(x for x in LAYOUTS if x != "spaced"))
    # Long labels only: a 4-character label missing 2 is no longer the same label.
    texts = {r.code: [r.label, *r.aliases] for r in t.rows}
    victims = [r for r in t.rows if len(r.label) >= 9]
    chosen = rng.sample(victims, rng.choice((1, 1, 2)))
    damaged: list[str] = []  # each named by the reader: it was read by similarity and position
    rows = []
    for r in t.rows:
        if r in chosen:
            for _ in range(20):
                bad = _damage(r.label, rng)
                others = [a for k, v in texts.items() if k != r.code for a in v]
                if not any(a in bad or bad in a for a in others) and not any(
                    a in bad for a in r.aliases
                ):
                    r = replace(r, label=bad)
                    damaged.append(f"label_misprinted: applications {r.code}")
                    break
        rows.append(r)
    printed = replace(t, rows=tuple(rows))
    phone = phone_number(rng)
    blanks: list = []
    out = [f"{truth.agency}{truth.year}年度政府信息公开工作年度报告", _intro(truth, rng, phone)]
    out += _overview(truth, rng)
    for code, title in (
        ("active_disclosure", "二、主动公开政府信息情况"),
        ("applications", "三、收到和处理政府信息公开申请情况"),
        ("review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ):
        out.append(title)
        table = printed if code == "applications" else truth.template.table(code)
        out += render_table(table, truth.cells[code], style, rng, blanks)
    out += _TAIL + _signature(truth)
    text = "\n".join(out) + "\n"
    return FamilyDoc(text, ".txt", phone, damaged, blanks=blanks, style=style)


# ------------------------------------------------------------------ 6 metadata_variants
_ABBREV = (
    ("发展和改革委员会", "发改委"),
    ("科学技术局", "科技局"),
    ("科学技术厅", "科技厅"),
    ("人力资源和社会保障局", "人社局"),
    ("人力资源和社会保障厅", "人社厅"),
    ("住房和城乡建设局", "住建局"),
    ("住房和城乡建设厅", "住建厅"),
    ("卫生健康委员会", "卫健委"),
    ("市场监督管理局", "市场监管局"),
    ("文化和旅游局", "文旅局"),
    ("文化和旅游厅", "文旅厅"),
    ("工业和信息化局", "工信局"),
    ("城市管理综合行政执法局", "城管执法局"),
    ("退役军人事务局", "退役军人局"),
    ("交通运输局", "交通局"),
    ("人民政府办公室", "政府办"),
    ("人民政府办公厅", "政府办公厅"),
    ("人民政府", "政府"),
    ("自然资源局", "自然资源局"),
)


def abbreviate(agency: str) -> str | None:
    """A short name people use for ``agency`` (市科委 for 市科学技术委员会), or None."""
    for full, short in _ABBREV:
        if agency.endswith(full) and full != short:
            return agency[: -len(full)] + short
    # A county body named without its city (临河区民政局 for 巴彦淖尔市临河区民政局).
    m = re.match(r"^(.{2,8}?[市省])(.{2,4}[区县旗].+)$", agency)
    if m and not agency.startswith("中华人民共和国"):
        return m.group(2)
    return None


def _metadata_variants(truth: Truth, rng: random.Random) -> FamilyDoc:
    short = abbreviate(truth.agency)
    if short is None:  # a ministry: no short form to test; the title is split all the same
        short = truth.agency
    phone = phone_number(rng)
    y = truth.year
    out: list[str] = []
    if rng.random() < 0.3:
        out.append(f"标题{rng.choice((':', ': ', ':'))}{y}年{short}政府信息公开工作年度报告")
    sp = rng.choice((" ", "", " "))
    full_title = f"{y}{sp}年{short}政府信息公开工作年度报告"
    # A centred title breaks where the line is full: inside 政府信息公开工作, or before 年度报告.
    cut = len(full_title) - rng.choice((4, 4, 6, 8, 10, 12))
    out += [full_title[:cut], full_title[cut:]]
    label = rng.choice(("电 话 :", "联 系 电 话 :", "电  话:", "联系电话 :", "电话 :"))
    label = _fw(label, rng)
    office = truth.agency + rng.choice(("办公室", "政务公开办公室", "综合科"))
    period = (
        f"本报告所列数据的统计期限为 {y} 年 1 月 1 日至 12 月 31 日。" if rng.random() < 0.7 else ""
    )
    intro = (
        f"根据《中华人民共和国政府信息公开条例》和《{_REF}》要求,{short}编制了 {y} 年度政府信息"
        f"公开工作年度报告。本报告由{office}负责编制,全文包括总体情况、主动公开政府信息情况、收到和"
        f"处理政府信息公开申请情况等。{period}如对本报告有疑问,请与{short}办公室联系({label} "
        f"{phone})。"
    )
    out.append(_fw(intro, rng))
    out += [
        "一、总体情况",
        f"{y}年,{short}认真贯彻落实《中华人民共和国政府信息公开条例》。",
        *narrative(rng, rng.randint(1, 3)),
    ]
    style = _plain_style(rng)
    blanks: list = []
    out += _tables_text(truth, style, rng, blanks)
    out += _TAIL
    date = _date_cn(truth.published)
    out += [truth.agency, date] if rng.random() < 0.7 else [f"{truth.agency} {date}"]
    return FamilyDoc("\n".join(out) + "\n", ".txt", phone, blanks=blanks, style=style)


# ------------------------------------------------------------------ 7 hidden_content
def _hidden_content(truth: Truth, rng: random.Random) -> FamilyDoc:
    phone = phone_number(rng)
    share = rng.choice((0.1, 0.3, 0.6))
    hide_class = "c" + "".join(rng.choice("abcdefghkmnpqrstwxyz") for _ in range(rng.randint(1, 4)))
    show_class = "n" + "".join(rng.choice("abcdefghkmnpqrstwxyz") for _ in range(2))
    tag = rng.choice(("span", "font", "i"))
    ids: list[str] = []
    rule = rng.choice(
        (
            "display:none",
            "display: none !important",
            "visibility:hidden",
            "font-size:0",
            "opacity:0",
            "color:#fff",
            "color:transparent",
            "position:absolute;left:-9999px",
        )
    )
    ways = rng.sample(
        (
            "inline_none",
            "inline_hidden",
            "class",
            "id",
            "attr",
            "inline_size",
            "inline_opacity",
            "inline_colour",
            "inline_off",
        ),
        rng.randint(1, 3),
    )
    # Decorations of visible figures (a span with this class); none of them hides anything.
    show = rng.choice(("color:#333", "opacity:0.85", "position:relative;left:0", "font-size:14px"))
    hidden: list[int] = []

    def junk() -> str:
        hidden.append(1)
        s = str(rng.randint(0, 9)) if rng.random() < 0.8 else str(rng.randint(10, 99))
        way = rng.choice(ways)
        if way == "inline_none":
            style = rng.choice(("display:none", "display: none;", "DISPLAY:none", "display:none;"))
            return f'<{tag} style="{style}">{s}</{tag}>'
        if way == "inline_hidden":
            style = rng.choice(("visibility:hidden", "visibility: hidden;"))
            return f'<{tag} style="{style}">{s}</{tag}>'
        if way == "class":
            return f'<{tag} class="{show_class} {hide_class}">{s}</{tag}>'
        if way == "id":
            ids.append(f"h{len(ids) + 1}{rng.randint(10, 99)}")
            return f'<{tag} id="{ids[-1]}">{s}</{tag}>'
        if way == "inline_size":
            style = rng.choice(("font-size:0", "font-size: 0px;", "font-size:0pt"))
            return f'<{tag} style="{style}">{s}</{tag}>'
        if way == "inline_opacity":
            return f'<{tag} style="{rng.choice(("opacity:0", "opacity: 0;"))}">{s}</{tag}>'
        if way == "inline_colour":
            if rng.random() < 0.3:
                return f'<font color="{rng.choice(("#FFFFFF", "white"))}">{s}</font>'
            style = rng.choice(("color:#fff", "color: #FFFFFF;", "color:transparent"))
            return f'<{tag} style="{style}">{s}</{tag}>'
        if way == "inline_off":
            style = rng.choice(
                ("position:absolute;left:-9999px", "position:absolute; clip:rect(0 0 0 0)")
            )
            return f'<{tag} style="{style}">{s}</{tag}>'
        return f"<{tag} hidden>{s}</{tag}>"

    def cell(v: int | float, attrs: str = "") -> str:
        shown = _num(v)
        if rng.random() < share:
            at = rng.randint(0, len(shown))
            shown = html.escape(shown[:at]) + junk() + html.escape(shown[at:])
        elif rng.random() < 0.2:  # a visible span around the figure: not everything is hidden
            if rng.random() < 0.3:  # white on a dark background is seen
                shown = f'<span style="color:#fff;background-color:#1f4e79">{shown}</span>'
            else:
                shown = f'<span class="{show_class}">{shown}</span>'
        return f"<td{attrs}>{shown}</td>"

    esc = html.escape
    body: list[str] = []
    body.append(f'<h1 class="title">{esc(truth.agency)}{truth.year}年政府信息公开工作年度报告</h1>')
    body.append(f"<p>{esc(_fw(_intro(truth, rng, phone), rng))}</p>")
    for ln in _overview(truth, rng):
        body.append(f"<p>{esc(ln)}</p>")
    act = truth.template.table("active_disclosure")
    cells = truth.cells["active_disclosure"]
    body.append("<p><strong>二、主动公开政府信息情况</strong></p>")
    body.append('<table border="1">')
    heading = None
    for r in act.rows:
        if r.group != heading:
            heading = r.group
            body.append(f'<tr><td colspan="4">{esc(_fw(heading or "", rng))}</td></tr>')
            heads = "".join(f"<td>{act.column_label(c)}</td>" for c in r.columns)
            span = ' colspan="3"' if len(r.columns) == 1 else ""
            heads = heads.replace("<td>", f"<td{span}>") if span else heads
            body.append(f"<tr><td>信息内容</td>{heads}</tr>")
        span = ' colspan="3"' if len(r.columns) == 1 else ""
        vals = "".join(cell(cells[(r.code, c)], span) for c in r.columns)
        body.append(f"<tr><td>{esc(r.label)}</td>{vals}</tr>")
    body.append("</table>")
    body.append("<p><strong>三、收到和处理政府信息公开申请情况</strong></p>")
    t = _apps(truth)
    app = truth.cells["applications"]
    body.append('<table border="1">')
    body.append(
        f'<tr><td colspan="3" rowspan="3">{esc(_fw(_NOTE, rng))}</td><td colspan="7">申请人情况</td></tr>'
    )
    body.append(
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
    )
    body.append("<tr>" + "".join(f"<td>{x}</td>" for x in t.column_labels[1:6]) + "</tr>")
    spans = {"3.1": 22, "3.3.1": 8, "3.4.1": 3, "3.5.1": 5, "3.6.1": 3}
    stale = rng.choice(("1", "2", "4", None, None))
    for r in t.rows:
        vals = "".join(cell(app[(r.code, c)]) for c in r.columns)
        label = esc(_fw(r.label, rng, 0.7))
        if rng.random() < share / 3:  # hidden text inside a label, too
            at = rng.randint(2, len(label) - 1)
            label = label[:at] + junk() + label[at:]
        if r.code in ("1", "2", "4"):
            lead = f'<td colspan="3">{label}</td>'
        elif r.code in ("3.1", "3.2", "3.7"):
            lead = f'<td colspan="2">{label}</td>'
            if r.code == "3.1":
                lead = f'<td rowspan="{spans["3.1"]}">{_GROUPS["3.1"]}</td>' + lead
        else:
            lead = f"<td>{label}</td>"
            if r.code in spans:
                lead = f'<td rowspan="{spans[r.code]}">{esc(_fw(_GROUPS[r.code], rng))}</td>' + lead
        if stale == r.code:
            # A superseded copy of the row the page hides (a CMS keeps the old figures).
            old = "".join(
                f"<td>{_num(app[(r.code, c)] + rng.randint(1, 9))}</td>" for c in r.columns
            )
            how = rng.choice(('style="display:none"', f'class="{hide_class}"', "hidden"))
            body.append(f'<tr {how}><td colspan="3">{label}</td>{old}</tr>')
            hidden.append(1)
        body.append(f"<tr>{lead}{vals}</tr>")
    body.append("</table>")
    body.append("<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>")
    rev = truth.cells["review_litigation"]
    rt = truth.template.table("review_litigation")
    body.append('<table border="1">')
    body.append('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>')
    body.append(
        "<tr>"
        + "".join(f'<td rowspan="2">{x}</td>' for x in _REV_COLS)
        + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
    )
    body.append("<tr>" + "".join(f"<td>{x}</td>" for x in _REV_COLS * 2) + "</tr>")
    body.append(
        "<tr>" + "".join(cell(rev[(r.code, c)]) for r in rt.rows for c in r.columns) + "</tr>"
    )
    body.append("</table>")
    body += [f"<p>{esc(x)}</p>" for x in _TAIL]
    body += [f'<p style="text-align:right">{esc(x)}</p>' for x in _signature(truth)]
    css = [f".{show_class}{{{show}}}"]
    hide = rule
    css.append(f"{tag}.{hide_class}, tr.{hide_class} {{ font-size:1px; {hide} }}")
    if ids:
        css.append(", ".join(f"#{i}" for i in ids) + f"{{{hide}}}")
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(truth.agency)}政府信息公开工作年度报告</title>\n"
        f"<style>\nbody{{font-family:sans-serif}}\n{chr(10).join(css)}\n</style>\n</head>\n"
        '<body>\n<div class="article">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n"
    )
    problems = ["html_hidden_text:"] if hidden else []
    return FamilyDoc(page, ".html", phone, problems, style=Style(signature=True))


_RENDER = {
    "pdf_text_detached": _pdf_text_detached,
    "ocr_markdown": _ocr_markdown,
    "crawler_run_together": _crawler_run_together,
    "template_variant": _template_variant,
    "misprinted_labels": _misprinted_labels,
    "metadata_variants": _metadata_variants,
    "hidden_content": _hidden_content,
}


def render_family(name: str, truth: Truth, rng: random.Random) -> FamilyDoc:
    """``truth`` (a 2021-template report without injected errors) rendered as family ``name``.

    May redraw or adjust ``truth.cells`` first (crawler runs must have one reading; a one-row
    (六) must be zeros). Raises ``KeyError`` for an unknown family."""
    if truth.template.version != "2021":
        raise ValueError("layout families render 2021-template reports")
    return _RENDER[name](truth, rng)
