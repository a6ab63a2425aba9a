"""Render truth tables as report text in every layout real portals publish.

The layout tests parse these renderings back and compare with the truth; the corpus generator
(``gipr synth``) grows from here. Injected errors carry the exact violations they cause, worked
out here from the rule's arithmetic, independently of the rule evaluator under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gipr_pipeline.parser.model import Violation
from gipr_pipeline.template import Table, Template, load_template

LAYOUTS = ("cell_per_line", "row_pipe", "tab", "markdown", "bare", "mixed", "spaced")
# Layouts that can print an empty cell so that it survives as a blank.
BLANK_LAYOUTS = ("cell_per_line", "row_pipe", "tab", "markdown")
ZERO_MARKS = ("—", "-", "/", "无")

Cells = dict[tuple[str, str], int | float]


@dataclass
class Truth:
    """What a rendered report must parse back to."""

    template: Template
    agency: str
    year: int
    published: str
    cells: dict[str, Cells]
    violations: list[Violation] = field(default_factory=list)

    def facts(self) -> list[tuple[str, str, str, int | float]]:
        return [
            (t.code, r, c, self.cells[t.code][(r, c)])
            for t in self.template.tables
            for r, c in t.cells()
        ]


AGENCIES = (
    "临河区民政局",
    "陈仓区数据局",
    "哈密市伊州区天山乡人民政府",
    "赛罕区人民政府办公室",
    "杭州市西湖区财政局",
    "成都市武侯区卫生健康局",
    "广东省自然资源厅",
    "中华人民共和国生态环境部",
)


def random_truth(
    rng: random.Random, template: Template | None = None, year: int | None = None, scale: int = 5
) -> Truth:
    """A consistent report: every balance rule holds. ``scale`` bounds typical cell values."""
    template = template or load_template("2021")
    year = year or rng.randint(2021 if template.version == "2021" else 2019, 2024)
    cells: dict[str, Cells] = {}
    for t in template.tables:
        if t.code == "applications":
            cells[t.code] = _applications(rng, t, scale)
        elif t.code == "review_litigation":
            cells[t.code] = _review(rng, t, scale)
        else:
            cells[t.code] = {
                (r.code, c): (
                    round(rng.random() * scale * 10, 2)
                    if t.is_decimal(r, c)
                    else (_signed(rng, scale) if c in t.signed else _small(rng, scale))
                )
                for r in t.rows
                for c in r.columns
            }
    month, day = rng.randint(1, 1), rng.randint(10, 31)
    return Truth(template, rng.choice(AGENCIES), year, f"{year + 1}-{month:02d}-{day:02d}", cells)


def _small(rng: random.Random, scale: int) -> int:
    # Most cells of real reports are zero; some are large.
    r = rng.random()
    if r < 0.6:
        return 0
    if r < 0.97:
        return rng.randint(1, scale)
    return rng.randint(scale, scale * 400)


def _signed(rng: random.Random, scale: int) -> int:
    # 本年增/减 (2019 section 二): mostly 0, else a small rise or fall.
    return 0 if rng.random() < 0.5 else rng.choice((-1, 1)) * rng.randint(1, scale)


def _applications(rng: random.Random, t: Table, scale: int) -> Cells:
    cols = t.columns[:-1]
    outcome_rows = [r.code for r in t.rows if r.code.startswith("3.") and r.code != "3.7"]
    cells: Cells = {}
    for c in cols:
        for r in outcome_rows:
            cells[(r, c)] = _small(rng, scale)
        done = sum(cells[(r, c)] for r in outcome_rows)
        cells[("3.7", c)] = done
        carry_in = _small(rng, scale) if rng.random() < 0.3 else 0
        carry_out = _small(rng, scale) if rng.random() < 0.3 else 0
        new = done + carry_out - carry_in
        if new < 0:
            carry_in, new = carry_in + new, 0
        cells[("1", c)], cells[("2", c)], cells[("4", c)] = new, carry_in, carry_out
    for r in t.row_codes:
        cells[(r, "total")] = sum(cells[(r, c)] for c in cols)
    return cells


def _review(rng: random.Random, t: Table, scale: int) -> Cells:
    cells: Cells = {}
    for r in t.rows:
        parts = [_small(rng, scale) for _ in range(4)]
        for c, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            cells[(r.code, c)] = v
        cells[(r.code, "total")] = sum(parts)
    return cells


# ------------------------------------------------------------------ injected errors
def inject_error(rng: random.Random, truth: Truth) -> None:
    """Break one balance rule on purpose and record exactly which violations that causes."""
    app, rev = truth.cells["applications"], truth.cells["review_litigation"]
    kind = rng.choice(("outcome", "row1_total", "review"))
    d = rng.choice((1, 2, 3, 7, 10))
    app_cols = [
        c
        for c in load_template(truth.template.version).table("applications").columns
        if c != "total"
    ]
    outcome_rows = [r for r, _ in app if r.startswith("3.") and r != "3.7"]
    if kind == "outcome":
        r, c = rng.choice(sorted(set(outcome_rows))), rng.choice(app_cols)
        app[(r, c)] += d
        parts = sum(app[(x, c)] for x in dict.fromkeys(outcome_rows))
        truth.violations += [
            Violation(
                "applications.row_total",
                "applications",
                r,
                None,
                sum(app[(r, x)] for x in app_cols),
                app[(r, "total")],
            ),
            Violation("applications.results_sum", "applications", None, c, parts, app[("3.7", c)]),
        ]
    elif kind == "row1_total":
        app[("1", "total")] += d
        truth.violations += [
            Violation(
                "applications.row_total",
                "applications",
                "1",
                None,
                sum(app[("1", x)] for x in app_cols),
                app[("1", "total")],
            ),
            Violation(
                "applications.balance",
                "applications",
                None,
                "total",
                app[("1", "total")] + app[("2", "total")],
                app[("3.7", "total")] + app[("4", "total")],
            ),
        ]
    else:
        r = rng.choice(("review", "litigation_direct", "litigation_after_review"))
        rev[(r, "total")] += d
        parts = sum(rev[(r, x)] for x in ("upheld", "corrected", "other", "pending"))
        truth.violations.append(
            Violation(
                "review_litigation.total", "review_litigation", r, None, parts, rev[(r, "total")]
            )
        )


# ------------------------------------------------------------------ rendering
@dataclass
class Style:
    layout: str = "row_pipe"
    review_rows: bool = False  # three rows of 5 instead of one run of 15
    zero_mark: str | None = None  # print zeros as this mark (or "" for blank) in some cells
    zero_share: float = 0.0
    thousands: bool = False
    fullwidth_digits: bool = False
    chrome_copy: bool = False  # the page twice, with portal chrome around it
    title: bool = True
    signature: bool = True
    narrative: int = 0  # paragraphs of 总体情况 prose (real reports run to several KB)


@dataclass(frozen=True)
class Cut:
    """Where a page that was cut short ends: after ``cells`` cells of row ``row`` of table
    ``table`` (its label always printed), or, with ``row=None``, right after the whole table.
    Rendering stops there: no later rows, sections, signature or second copy."""

    table: str
    row: str | None = None
    cells: int = 0


class _Stop(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines


def _fmt(
    v: int | float,
    style: Style,
    rng: random.Random,
    blanks: list[tuple[str, str, str]],
    key: tuple[str, str, str],
) -> str:
    if v == 0 and style.zero_mark is not None and rng.random() < style.zero_share:
        blanks.append(key)
        return style.zero_mark
    if isinstance(v, float):
        s = f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    elif style.thousands and v >= 1000:
        s = f"{v:,}"
    else:
        s = str(v)
    if style.fullwidth_digits:
        s = s.translate(str.maketrans("0123456789.,", "0123456789.,"))
    return s


def _spaced(label: str) -> str:
    return " ".join(label) if len(label) <= 6 else label


def _row_lines(label: str, values: list[str], style: Style) -> list[str]:
    lay = style.layout
    if lay == "cell_per_line":
        return [f"{label} |"] + [f"{v} |" for v in values]
    if lay in ("row_pipe", "mixed", "spaced"):
        return [" | ".join([label, *values]) + " |"]
    if lay == "tab":
        return ["\t".join([label, *values])]
    if lay == "markdown":
        return ["| " + " | ".join([label, *values]) + " |"]
    if lay == "bare":
        return [" ".join([label, *values])]
    raise ValueError(lay)


def _header(labels: list[str], style: Style) -> list[str]:
    if style.layout == "spaced":
        labels = [_spaced(x) for x in labels]
    if style.layout == "mixed":
        # Header words split across lines, as in seed 002 (商业 / 企业).
        tops = [x[:2] for x in labels]
        bottoms = [x[2:] for x in labels]
        return [" | ".join(tops) + " |", " | ".join(bottoms) + " |"]
    if style.layout == "cell_per_line":
        return [f"{x} |" for x in labels]
    sep = "\t" if style.layout == "tab" else (" " if style.layout == "bare" else " | ")
    line = sep.join(labels)
    if style.layout == "markdown":
        return ["| " + line + " |", "|" + "---|" * len(labels)]
    return [line]


def render_table(
    t: Table, cells: Cells, style: Style, rng: random.Random, blanks: list, cut: Cut | None = None
) -> list[str]:
    """The table's lines. With a ``cut`` in this table, raises ``_Stop`` with the lines printed
    up to the cut (a row cut is only supported in labelled tables)."""
    if cut is not None and cut.table != t.code:
        cut = None
    out = _render_table(t, cells, style, rng, blanks, cut)
    if cut is not None:
        raise _Stop(out)
    return out


def _render_table(
    t: Table, cells: Cells, style: Style, rng: random.Random, blanks: list, cut: Cut | None
) -> list[str]:
    out: list[str] = []
    if t.code == "review_litigation":
        out += _header(["行政复议", "行政诉讼"], style)
        out += _header(
            [
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
                "未经复议直接起诉",
                "复议后起诉",
            ],
            style,
        )
        out += _header([*t.column_labels, *t.column_labels], style)
        if style.review_rows:
            for r in t.rows:
                vals = [
                    _fmt(cells[(r.code, c)], style, rng, blanks, (t.code, r.code, c))
                    for c in r.columns
                ]
                out += _row_lines(r.label, vals, style)
        else:
            vals = [
                _fmt(cells[(r.code, c)], style, rng, blanks, (t.code, r.code, c))
                for r in t.rows
                for c in r.columns
            ]
            if vals[0] == "":
                # A line opening with an empty cell reads as a markdown border; portals
                # print no such line, so neither do we.
                vals[0] = "—"
            if style.layout == "cell_per_line":
                out += [f"{v} |" for v in vals]
            elif style.layout == "markdown":
                out.append("| " + " | ".join(vals) + " |")
            else:
                out.append(_row_lines("", vals, style)[0].lstrip(" |\t"))
        return out
    if t.code == "applications":
        out.append(
            "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |"
        )
        out += _header(["自然人", "法人或其他组织", "总计"], style)
        out += _header(list(t.column_labels[1:6]), style)
        groups = {
            "3.1": "三、本年度办理结果",
            "3.3.1": "(三)不予公开",
            "3.4.1": "(四)无法提供",
            "3.5.1": "(五)不予处理",
            "3.6.1": "(六)其他处理",
        }
    else:
        groups = {}
    heading = None
    for r in t.rows:
        if t.code == "active_disclosure" and r.group != heading:
            # Each 第二十条 item prints its own heading and column header (as real reports do;
            # the 2019 template's items differ in columns).
            heading = r.group
            if heading:
                out += _row_lines(heading, [], style)
            out += _header(["信息内容", *(t.column_label(c) for c in r.columns)], style)
        label = r.label if style.layout != "spaced" else _spaced(r.label)
        if r.code in groups:
            label = (
                f"{groups[r.code]} | {label}"
                if style.layout in ("row_pipe", "mixed", "spaced", "markdown")
                else (
                    f"{groups[r.code]}\t{label}"
                    if style.layout == "tab"
                    else (
                        f"{groups[r.code]} {label}"
                        if style.layout == "bare"
                        else f"{groups[r.code]} |\n{label}"
                    )
                )
            )
        vals = [
            _fmt(cells[(r.code, c)], style, rng, blanks, (t.code, r.code, c)) for c in r.columns
        ]
        if cut is not None and cut.row == r.code:
            lines = _row_lines(label, vals[: cut.cells], style)
            out += "\n".join(lines).split("\n")
            raise _Stop(out)
        lines = _row_lines(label, vals, style)
        out += "\n".join(lines).split("\n")
    return out


def render_report(
    truth: Truth, style: Style, rng: random.Random, cut: Cut | None = None
) -> tuple[str, list[tuple[str, str, str]]]:
    """The whole report text, and the cells printed as a zero mark or blank (table, row, column).

    With ``cut``, the text ends at the cut (a page cut short): see ``Cut``. Blank cells are
    listed for every formatted cell, including the cut row's unprinted ones."""
    blanks: list[tuple[str, str, str]] = []
    y = truth.year
    ref = (
        "国办公开办函〔2021〕30号"
        if truth.template.version == "2021"
        else "国办公开办函〔2019〕60号"
    )
    body: list[str] = []
    body.append(
        f"本年度报告根据《中华人民共和国政府信息公开条例》和《{ref}》要求编制。所列数据统计期限为{y}年1月1日至{y}年12月31日。"
        f"如对本年度报告有疑问,请与{truth.agency}联系(电话:0471-4211860)。"
    )
    body += [
        "一、总体情况",
        f"{y}年,{truth.agency}认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "(一)主动公开情况",
        "全年主动公开政府信息若干条。",
    ]
    body += narrative(rng, style.narrative)
    sec_titles = {
        "active_disclosure": "二、主动公开政府信息情况",
        "applications": "三、收到和处理政府信息公开申请情况",
        "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    }
    try:
        for code in ("active_disclosure", "applications", "review_litigation"):
            body.append(sec_titles[code])
            if code in truth.template.table_by_code:
                body += render_table(
                    truth.template.table(code), truth.cells[code], style, rng, blanks, cut
                )
    except _Stop as stop:
        body += stop.lines
        lines = [f"{truth.agency}{y}年度政府信息公开工作年度报告", *body] if style.title else body
        return "\n".join(lines) + "\n", blanks
    body += [
        "五、存在的主要问题及改进情况",
        "公开的深度和广度还不够。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
    ]
    if style.signature:
        m, d = truth.published[5:7].lstrip("0"), truth.published[8:10].lstrip("0")
        body += [truth.agency, f"{y + 1}年{m}月{d}日"]
    lines = body
    if style.title:
        lines = [f"{truth.agency}{y}年度政府信息公开工作年度报告", *body]
    if style.chrome_copy:
        chrome = [
            "主办单位:某某市人民政府 联系电话:0000-1234567",
            "京ICP备12345678号 网站标识码:1100000001",
            "(建议您使用Chrome谷歌、360、搜狗等新版浏览器访问本网站)",
        ]
        lines = [*lines, *chrome, *lines]
    return "\n".join(lines) + "\n", blanks


# ------------------------------------------------------------------ narrative prose
_OPENERS = ("一是", "二是", "三是", "同时,", "此外,", "全年", "本年度,", "下一步,")
_VERBS = ("坚持", "持续", "进一步", "扎实", "认真", "严格", "不断", "全面")
_ACTIONS = (
    "做好财政预决算信息公开",
    "加强政策解读和回应关切",
    "规范政府信息发布审核流程",
    "推进基层政务公开标准化规范化建设",
    "完善依申请公开办理机制",
    "强化政务新媒体日常监管",
    "落实“三审三校”制度",
    "优化政府网站栏目设置",
    "开展政务公开业务培训",
    "做好重点领域信息公开",
    "加强政府信息资源管理",
    "提升政务服务事项公开质量",
)
_RESULTS = (
    "确保公开范围、内容、格式、时间符合要求",
    "保障人民群众的知情权、参与权和监督权",
    "信息发布的及时性和准确性明显提升",
    "群众满意度持续提高",
    "工作机制更加健全",
)


def narrative(rng: random.Random, paragraphs: int) -> list[str]:
    """Paragraphs of 总体情况 prose, as long as real reports' (about 150–400 characters each).
    Words only: no section heading, table label or date, so it cannot change what is parsed."""
    out = []
    for _ in range(paragraphs):
        n = rng.randint(3, 8)
        parts = [
            f"{rng.choice(_OPENERS)}{rng.choice(_VERBS)}{rng.choice(_ACTIONS)},"
            f"{rng.choice(_RESULTS)}。"
            for _ in range(n)
        ]
        out.append("".join(parts))
    return out
