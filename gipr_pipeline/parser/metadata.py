"""Report metadata: agency, statistical year, publication date, template version, phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from gipr_pipeline.parser.model import ReportMeta

_PERIOD = re.compile(
    r"(20\d{2})\s*年\s*0?1\s*月\s*0?1\s*日?\s*(?:起)?\s*(?:至|到|—|-|~)\s*(20\d{2})\s*年\s*12\s*月\s*31\s*日"
)
_PERIOD_YEAR = re.compile(r"统计期限[^。\n]{0,12}?(20\d{2})\s*年")
_TITLE = re.compile(
    r"^(?:关于)?(.{2,80}?)\s*(20\d{2})\s*年度?\s*(?:政府)?信息公开(?:工作)?年度报告"
)
_TITLE_YEAR_ONLY = re.compile(r"^(20\d{2})\s*年度?\s*(.{0,40}?)(?:政府)?信息公开(?:工作)?年度报告")
_PUBLISHED = re.compile(
    r"(?:发布日期|发布时间|发文日期|成文日期|日期)\s*[::]?\s*(20\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
_DATE_LINE = re.compile(r"^(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_SIGNATURE_ONE_LINE = re.compile(
    r"^(\S{2,40}?)\s+(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"
)
_DATE_LINE_ISO = re.compile(r"^(20\d{2})-(\d{1,2})-(\d{1,2})$")
_PHONE_NUMBER = r"\s*[::]?\s*[((]?\s*((?:0\d{2,3}\s*[-—))]\s*)?\d{7,8})"
_PHONE = re.compile(r"电话" + _PHONE_NUMBER)
# The label spaced out ("电 话 :", "联 系 电 话 :", text copied from a PDF): tried only when the
# plain label is not found (a search without a literal prefix scans every character).
_PHONE_SPACED = re.compile(r"电\s{1,3}话" + _PHONE_NUMBER)
_AGENCY_SUFFIX = re.compile(
    r"(人民政府|办公室|办公厅|委员会|局|厅|中心|院|所|处|站|队|部|会|署|办|馆|街道办事处|管委会|政府)$"
)
# Where the introduction names the agency. The office that compiled the report (本报告由……办公室
# (负责)编制) or answers questions (请与……办公室联系) is never the agency: its parent is
# (``_parent``), and only when the name left is an agency's.
_COMPILED_BY = re.compile(r"由\s*([^,,。()()]{2,40}?)\s*(?:编写|编制|制作)")
_PHONE_DASH = str.maketrans({"—": "-", ")": "-", "）": "-"})
_INTRO_AGENCY = (
    re.compile(r"现将\s*([^,,。()()]{2,40}?)\s*20\d{2}\s*年度?\s*(?:政府)?信息公开"),
    _COMPILED_BY,
    re.compile(r"全文包括\s*([^,,。]{2,40}?)\s*(?:政府信息公开)?总体情况"),
    re.compile(r"请与\s*([^,,。()()]{2,40}?)\s*联系"),
)
# An agency's own unit that compiles the report or answers questions: its office (办公室), or a
# section (综合科, 秘书股).
_OFFICE = re.compile(
    r"(?:(?:政务公开|信息公开|政务服务)?(?:工作)?(?:办公室|办)"
    r"|(?:综合|秘书|办公|法规|政策法规|信息|行政审批)[科股室])$"
)
# A title's prefix that is no part of it: a crawler's "标题:", markdown's "#", list marks.
_TITLE_PREFIX = re.compile(r"^(?:[-•*#\s]+|(?:标题|题目)\s*[::]\s*)+")
_PREFIX_START = frozenset("#标题")
# A title's second line when the title is split over two ("…政府信息公开工作" / "年度报告").
_TITLE_TAIL_MAX = 12
_WS = re.compile(r"\s+")
_AGENCY_TRIM = re.compile(r"^[-—::\s]+|[-—::\s]+$|\s+")
_REFERENCE = {
    "2021": ("2021〕30号", "2021]30号", "2021〕30", "(2021)30号"),
    "2019": ("2019〕60号", "2019]60号", "(2019)60号"),
}


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _clean_agency(name: str) -> str:
    return _AGENCY_TRIM.sub("", name)


def find_title(preamble_lines: list[str]) -> tuple[str | None, int | None]:
    """Agency and year from a title line such as "XX局2022年度政府信息公开工作年度报告", also
    behind a "标题:" or "#" and split over two lines ("2024 年XX政府信息公开工作" / "年度报告")."""
    lines = preamble_lines[:9]
    for i, ln in enumerate(lines[:8]):
        s = ln.lstrip("-•* ").strip()
        if s[:1] in _PREFIX_START:
            s = _TITLE_PREFIX.sub("", s)
        hit = _title(s)
        if hit is not None:
            return hit
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and len(nxt) <= _TITLE_TAIL_MAX and "报告" in nxt:
            hit = _title(s + nxt)  # a title split over two lines
            if hit is not None:
                return hit
    return None, None


def _title(s: str) -> tuple[str | None, int] | None:
    m = _TITLE.match(s)
    if m:
        return _clean_agency(m.group(1)), int(m.group(2))
    m = _TITLE_YEAR_ONLY.match(s)
    if m:
        agency = _clean_agency(m.group(2)) if m.group(2) else None
        return agency or None, int(m.group(1))
    return None


def _intro_agencies(head: str, parents: bool = False) -> Iterator[str]:
    """Agencies the introduction names, in the order of ``_INTRO_AGENCY``. ``parents``: an
    office's parent instead of the office (to expand a title's abbreviation); without it a name
    is taken as printed (seed 000 is the report of an 办公室 that compiled it itself)."""
    for pat in _INTRO_AGENCY:
        for m in pat.finditer(head):
            name = m.group(1).strip()
            if parents:
                a = _parent(name.removesuffix("负责"))
            elif pat is _COMPILED_BY and name.endswith("负责"):
                a = None  # "由……办公室负责编制": the compiler, not the reporting agency
            else:
                a = _clean_agency(name) if _AGENCY_SUFFIX.search(name) else None
            if a:
                yield a


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def abbreviates(short: str, full: str) -> bool:
    """True when ``short`` is an abbreviation of ``full``: its characters in order but not one
    piece of it (市科委 / 临澜市科学技术委员会, 澄溪市发改委 / 澄溪市发展和改革委员会). A name that
    only lacks its place (民政局 / 临河区民政局) counts too; a unit of it (XX区人民政府 /
    XX区人民政府办公室) does not."""
    if len(full) <= len(short) or full.startswith(short):
        return False
    if _OFFICE.search(full) and not _OFFICE.search(short):
        return False  # an office signing for its agency
    return _subsequence(short, full)


def _parent(name: str) -> str | None:
    """An agency's name from its office's (XX委员会政务公开办公室 → XX委员会), or the name itself
    when it is no office's; None when what is left names no agency."""
    m = _OFFICE.search(name)
    if m and m.start() > 0:
        name = name[: m.start()]
    name = _clean_agency(name)
    return name if _AGENCY_SUFFIX.search(name) and not _OFFICE.search(name) else None


def find_signature(tail_lines: list[str]) -> tuple[str | None, str | None]:
    """Agency and date from a signature block at the end: "XX局" then "2025年1月22日"."""
    lines = [ln.strip() for ln in tail_lines if ln.strip()]
    for i in range(len(lines) - 1, max(len(lines) - 4, -1), -1):
        m = _DATE_LINE.match(lines[i]) or _DATE_LINE_ISO.match(lines[i])
        if not m:
            continue
        published = _iso(*m.groups())
        agency = None
        if i > 0 and len(lines[i - 1]) <= 40 and _AGENCY_SUFFIX.search(lines[i - 1]):
            agency = _clean_agency(lines[i - 1])
        return agency, published
    if lines:
        # The agency and the date on one line: "XX局 2025年1月22日".
        m = _SIGNATURE_ONE_LINE.match(lines[-1])
        if m and _AGENCY_SUFFIX.search(m.group(1)):
            return _clean_agency(m.group(1)), _iso(*m.groups()[1:])
    return None, None


def referenced_template(text: str) -> str | None:
    """The template version named by its circular (国办公开办函〔2021〕30号 / 〔2019〕60号)."""
    head = text[:4000]
    # Fast path: the first version's reference printed without spaces in it.
    first, refs = next(iter(_REFERENCE.items()))
    if any(r in head for r in refs):
        return first
    compact = _WS.sub("", head)
    for version, refs in _REFERENCE.items():
        if any(r in compact for r in refs):
            return version
    return None


def extract(preamble: str, full_text: str) -> ReportMeta:
    return extract_checked(preamble, full_text)[0]


def extract_checked(preamble: str, full_text: str) -> tuple[ReportMeta, list[str]]:
    """The metadata, and problems about it: ``year_conflict`` when the report states two
    different years (统计期限 vs title, or a 统计期限 spanning two years). The 统计期限 year wins
    (it is what the numbers cover), then the title's."""
    problems: list[str] = []
    meta = ReportMeta()
    pre_lines = preamble.split("\n") if preamble else []
    title_agency, title_year = find_title(pre_lines)
    all_lines = full_text.split("\n")
    sig_agency, sig_date = find_signature(all_lines[-6:])

    m = _PUBLISHED.search(preamble) if preamble else None
    meta.published = _iso(*m.groups()) if m else sig_date

    head = full_text[:3000]
    m = _PERIOD.search(head)
    if m and m.group(1) != m.group(2):
        problems.append(
            f"year_conflict: 统计期限 runs from {m.group(1)} to {m.group(2)} (not one calendar year)"
        )
    if (m and m.group(1) == m.group(2)) or (m := _PERIOD_YEAR.search(head)) is not None:
        meta.year = int(m.group(1))
        if title_year is not None and title_year != meta.year:
            problems.append(
                f"year_conflict: 统计期限 says {meta.year}, the title {title_year};"
                f" {meta.year} is used"
            )
    elif title_year is not None:
        meta.year = title_year
    elif meta.published is not None:
        # Reports are due by 31 January for the year before.
        meta.year = int(meta.published[:4]) - 1

    agency = title_agency or sig_agency
    if title_agency is not None and sig_agency != title_agency:
        # A title that abbreviates the agency (市科委): its full name from the signature, else
        # from the introduction.
        if sig_agency is not None and abbreviates(title_agency, sig_agency):
            agency = sig_agency
        else:
            agency = next(
                (
                    a
                    for a in _intro_agencies(preamble or head, True)
                    if abbreviates(title_agency, a)
                ),
                agency,
            )
    elif agency is None:
        agency = next(_intro_agencies(head), None)
    meta.agency = agency

    m = _PHONE.search(head) or _PHONE_SPACED.search(head)
    if m:
        # "(0769)22815306" and "0769—22815306" as "0769-22815306".
        meta.phone = re.sub(r"\s+", "", m.group(1)).translate(_PHONE_DASH)
    return meta, problems
