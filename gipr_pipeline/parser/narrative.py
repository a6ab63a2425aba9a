"""``narrative.agreement``: numbers stated in the 总体情况 prose against the tables.

Precision over recall: a wrong accusation is worse than a miss. Only a few statement shapes are
read, each with a table twin, and a clause is skipped whenever it might be about something else:

* "收到/受理/新收 … 政府信息公开申请 N 件" → applications row 1 total. Reports also count the
  carry-over in (row 1 + row 2), so either agrees.
* "办理/办结/答复/处理 … 政府信息公开申请 N 件" → row 3.7 total; reports also say 办理 for what
  they received (row 1, or 1 + 2), so any of the three agrees. Seed 000: "全年办理政府信息公开申请
  27件" with 3.7 = 27 and row 1 = 28 agrees.
* "未收到政府信息公开申请" / "无依申请公开…事项" → row 1 total is 0.
* "(因政府信息公开…)行政复议 N 件" → review total (or the concluded ones: total − pending);
  "…行政诉讼 N 件" → litigation total (direct + after review, or either). Only when the clause
  names 信息公开: an agency's general review work (a 司法局) is not this table.

Skipped clauses: sub-counts (其中, channels, applicant kinds, outcomes), comparisons (同比, 较上年,
增加 …), approximations and ranges (约, 余, 以上, 27-30), other scopes (全区, 各单位, 累计, 截至),
carry-over (结转, 上年), percentages. Numbers must be written in digits and followed by a unit
(件, 条, 个, 份, 起, 宗, 次); years (2024年) never are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

Cells = Mapping[str, Mapping[tuple[str, str], int | float]]

_TERMINATORS = "。!?;!?;\n"  # the characters that end a sentence (kept with it, but \n)
_SENTENCE = re.compile(f"[^{_TERMINATORS}]+[{_TERMINATORS[:-1]}]?")
_CLAUSE = re.compile(r"[,,]")
# A sentence with any of these may count another scope or period (the whole district, several
# years): none of its clauses is compared.
_SCOPE = re.compile(
    r"累计|以来|截至|截止|历年|全区|全市|全县|全省|全州|全盟|全旗|全镇|全乡|全系统|"
    r"各部门|各单位|各乡镇|各街道|各级|所属|下属|汇总"
)
# A clause with any of these is a sub-count, a comparison, an approximation or a range.
_SKIP = re.compile(
    r"其中|结转|上年|去年|上一年|往年|以往|同比|环比|较|比上|增长|下降|增加|减少|占|"
    r"以上|以下|余|多件|近\d|约|超过|不足|逾|左右|至少|最多|平均|人次|"
    r"涉及|当面|信函|网上|网络|在线|邮寄|邮件|传真|电话|自然人|法人|企业|"
    r"予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|%|%|百分"
)
_OBJ = r"(?:(?:政府)?信息公开(?:的)?(?:申请(?:件)?|事项)|依申请公开(?:政府信息)?(?:的)?(?:申请(?:件)?|事项|件)?)"
_RECEIVED = r"收到|接收|受理|新收|接到|收悉"
_HANDLED = r"办理|办结|答复|处理|回复|完成"
_FILL = r"(?:共计|总计|合计|共|为|达|数量?为?)?"
_NUMBER = r"(?<![\d.])(?<!\d[\-~～至到])(?P<n>\d{1,7})\s*(?:件|条|个|份|起|宗|次)(?![\d.%%])"
_APP_VO = re.compile(
    rf"(?P<verb>(?:{_RECEIVED}|{_HANDLED})(?:并|和|、|及)?(?:{_RECEIVED}|{_HANDLED})?)(?:了)?"
    rf"(?:各类|新的?|群众|公众|社会)?{_OBJ}{_FILL}{_NUMBER}"
)
_APP_OV = re.compile(
    rf"{_OBJ}(?:共|共计|合计|总计)?(?P<verb>(?:{_RECEIVED}|{_HANDLED})(?:并|和|、|及)?(?:{_RECEIVED}|{_HANDLED})?)(?:了)?{_FILL}{_NUMBER}"
)
_APP_ZERO = re.compile(
    rf"(?:未|没有)(?:收到|接到|接收)(?:过)?(?:任何)?(?:新的?)?{_OBJ}"
    r"|无依申请公开(?:政府信息)?(?:的)?(?:申请|事项|件)"
)
_DISCLOSURE = re.compile(r"信息公开|依申请公开")
_REVIEW = re.compile(r"行政复议(?:案件|申请)?(?:共计|合计|共|为|达)?" + _NUMBER)
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共计|合计|共|为|达)?" + _NUMBER)
_QUOTE_MAX = 200
# Every statement shape above needs a counted number or a "none received" phrase: a cheap test
# that lets the many clauses without one skip the statement regexes.
_UNITS = "件条个份起宗次"
_CANDIDATE = re.compile(rf"\d\s*[{_UNITS}]|未|没有|无依申请公开")


@dataclass(frozen=True, slots=True)
class Statement:
    """A number the prose states, the table cell it is compared with, and every table value
    that counts as agreement."""

    table: str
    row: str
    column: str
    stated: int
    expected: int | float  # the primary twin (what a reader would check first)
    accepted: tuple[int | float, ...]
    sentence: str

    @property
    def agrees(self) -> bool:
        return any(abs(self.stated - a) < 1e-9 for a in self.accepted)


def _get(cells: Cells, table: str, *keys: tuple[str, str]) -> list[int | float] | None:
    t = cells.get(table) or {}
    vals = [t.get(k) for k in keys]
    return None if any(v is None for v in vals) else vals  # type: ignore[return-value]


def _is_received(verb: str) -> bool:
    return re.search(_RECEIVED, verb) is not None


def _is_handled(verb: str) -> bool:
    return re.search(_HANDLED, verb) is not None


def statements(text: str, cells: Cells) -> list[Statement]:
    """Every statement of the prose that has a table twin whose cells were read."""
    out: list[Statement] = []
    app = _get(cells, "applications", ("1", "total"), ("2", "total"), ("3.7", "total"))
    rev = _get(cells, "review_litigation", ("review", "total"), ("review", "pending"))
    lit = _get(
        cells,
        "review_litigation",
        ("litigation_direct", "total"),
        ("litigation_after_review", "total"),
    )
    for sentence in _candidate_sentences(text):
        if not _CANDIDATE.search(sentence) or _SCOPE.search(sentence):
            continue
        quote = sentence if len(sentence) <= _QUOTE_MAX else sentence[:_QUOTE_MAX] + "…"
        for clause in _CLAUSE.split(sentence):
            if not clause or not _CANDIDATE.search(clause) or _SKIP.search(clause):
                continue
            out += _clause(clause, quote, app, rev, lit)
    seen: set[tuple] = set()
    unique = []
    for s in out:
        key = (s.table, s.row, s.stated)
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique


def _candidate_sentences(text: str):
    """The sentences (as ``_SENTENCE`` cuts them, stripped) that may hold a ``_CANDIDATE``.

    Most of a 总体情况 holds none, and a regex scan of every character (or cutting every
    sentence) costs more than the rest of the rule: the candidates' literal parts are found with
    ``str.find`` instead, and only their sentences are cut."""
    starts = []
    for unit in _UNITS:
        i = text.find(unit)
        while i != -1:
            j = i
            while j and text[j - 1].isspace():
                j -= 1
            if j and text[j - 1].isdecimal():
                starts.append(j - 1)
            i = text.find(unit, i + 1)
    for word in ("未", "没有", "无依申请公开"):
        i = text.find(word)
        while i != -1:
            starts.append(i)
            i = text.find(word, i + 1)
    end = 0
    for p in sorted(starts):
        if p < end:
            continue
        start = max(text.rfind(t, 0, p) for t in _TERMINATORS) + 1
        end = _SENTENCE.match(text, p).end()  # type: ignore[union-attr]  # p is not a terminator
        yield text[start:end].strip()


def _clause(clause: str, quote: str, app, rev, lit) -> list[Statement]:
    out: list[Statement] = []
    if app is not None:
        new, carried, done = app
        hits = [*_APP_VO.finditer(clause), *_APP_OV.finditer(clause)]
        if len(hits) == 1:  # two numbers for applications in one clause: ambiguous, skip
            m = hits[0]
            verb, n = m.group("verb"), int(m.group("n"))
            accepted: list[int | float] = []
            if _is_received(verb):
                accepted += [new, new + carried]
            if _is_handled(verb):
                accepted += [done, new, new + carried]
            handled_only = not _is_received(verb)
            row, expected = ("3.7", done) if handled_only else ("1", new)
            out.append(Statement("applications", row, "total", n, expected, tuple(accepted), quote))
        elif not hits and _APP_ZERO.search(clause):
            out.append(Statement("applications", "1", "total", 0, new, (new,), quote))
    if _DISCLOSURE.search(clause):
        has_review, has_lit = "复议" in clause, "诉讼" in clause
        if rev is not None and has_review and not has_lit:
            hits = list(_REVIEW.finditer(clause))
            if len(hits) == 1:
                total, pending = rev
                n = int(hits[0].group("n"))
                out.append(
                    Statement(
                        "review_litigation",
                        "review",
                        "total",
                        n,
                        total,
                        (total, total - pending),
                        quote,
                    )
                )
        if lit is not None and has_lit and not has_review:
            hits = list(_LITIGATION.finditer(clause))
            if len(hits) == 1:
                direct, after = lit
                n = int(hits[0].group("n"))
                out.append(
                    Statement(
                        "review_litigation",
                        "litigation_direct",
                        "total",
                        n,
                        direct + after,
                        (direct + after, direct, after),
                        quote,
                    )
                )
    return out


def disagreements(text: str, cells: Cells) -> list[Statement]:
    return [s for s in statements(text, cells) if not s.agrees]
