"""Which template a report is read with, from every signal (issue 14): the 30号/60号 reference,
section 二's column headings, the (六)其他处理 rows and the year together. A 2021 report that
prints (六)其他处理 as one row (the 2019 form) is still a 2021 report: a row of zeros gives
3.6.1 = 3.6.2 = 3.6.3 = 0, a row with counts stands for their sum in the rules."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gipr_pipeline.corpus.render import LAYOUTS, Style, Truth, random_truth, render_report
from gipr_pipeline.parser.parse import parse_text, section_columns
from gipr_pipeline.readers.decode import normalize
from gipr_pipeline.template import load_template

T2021 = load_template("2021")
T2019 = load_template("2019")
OTHER = ("3.6.1", "3.6.2", "3.6.3")
REFERENCE = "国办公开办函〔2021〕30号"


def _one_row_report(
    rng: random.Random, layout: str, zero: bool, reference: bool
) -> tuple[Truth, str]:
    """A 2021 report (2021 section 二, year ≥ 2021) whose (六)其他处理 prints as one row: the
    truth (2021 codes) and the text."""
    truth = random_truth(rng, T2021, rng.randint(2021, 2024), scale=rng.choice((3, 30)))
    app = truth.cells["applications"]
    if zero:
        cols = T2021.table("applications").columns[:-1]
        outcomes = [
            r for r in T2021.table("applications").row_codes if r[:2] == "3." and r != "3.7"
        ]
        for c in cols:
            for r in OTHER:
                app[(r, c)] = 0
            app[("3.7", c)] = sum(app[(r, c)] for r in outcomes)
            new = app[("3.7", c)] + app[("4", c)] - app[("2", c)]
            if new < 0:  # keep row 1 non-negative: less carried in
                app[("2", c)] += new
                new = 0
            app[("1", c)] = new
        for r in T2021.table("applications").row_codes:
            app[(r, "total")] = sum(app[(r, c)] for c in cols)
    # Print it with the 2019 applications rows (3.6 = 3.6.1 + 3.6.2 + 3.6.3), the rest 2021.
    hybrid_app = T2019.table("applications")
    hybrid = dataclasses.replace(
        T2021,
        tables=tuple(hybrid_app if t.code == "applications" else t for t in T2021.tables),
        table_by_code={**T2021.table_by_code, "applications": hybrid_app},
    )
    printed = {k: v for k, v in app.items() if k[0] not in OTHER}
    for c in hybrid_app.columns:
        printed[("3.6", c)] = sum(app[(r, c)] for r in OTHER)
    cells = {**truth.cells, "applications": printed}
    shown = Truth(hybrid, truth.agency, truth.year, truth.published, cells)
    text, _ = render_report(shown, Style(layout=layout), rng)
    if not reference:
        text = text.replace(REFERENCE, "国办公开办函")
    return truth, text


def _facts(r):
    return sorted((f.table, f.row, f.column, f.value) for f in r.facts)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    layout=st.sampled_from(LAYOUTS),
    reference=st.booleans(),
)
def test_one_row_of_zeros_is_three_rows_of_zeros(seed, layout, reference):
    truth, text = _one_row_report(random.Random(seed), layout, zero=True, reference=reference)
    r = parse_text(normalize(text), "one_row.txt")
    assert r.report.template == "2021"
    assert _facts(r) == sorted(truth.facts())
    assert [v for v in r.violations if v.severity == "hard"] == []
    assert (
        "other_handling_one_row: applications (六)其他处理 printed as one row of zeros (the 2019"
        " form); 3.6.1, 3.6.2, 3.6.3 read as 0"
    ) in r.problems
    if not reference:
        assert "template_guessed: 2021 (from the section 二 columns; no 30号/60号 reference)" in (
            r.problems
        )
    assert not [p for p in r.problems if p.startswith(("cell_count", "row_missing"))]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS))
def test_one_row_with_counts_is_not_split_and_3_7_is_still_checked(seed, layout):
    rng = random.Random(seed)
    truth, text = _one_row_report(rng, layout, zero=False, reference=False)
    app = truth.cells["applications"]
    one = {c: sum(app[(r, c)] for r in OTHER) for c in T2021.table("applications").columns}
    r = parse_text(normalize(text), "one_row.txt")
    assert r.report.template == "2021"
    want = [f for f in truth.facts() if not (f[0] == "applications" and f[1] in OTHER)]
    assert _facts(r) == sorted(want)
    assert [v for v in r.violations if v.severity == "hard"] == []
    note = [p for p in r.problems if p.startswith("other_handling_one_row")]
    if any(one.values()):
        assert len(note) == 1 and "they are not stored" in note[0]
        # The rules that need 3.6.1–3.6.3 were checked with the row: none skipped.
        assert not [p for p in r.problems if p.startswith("rule_skipped")]
    else:
        assert note and "read as 0" in note[0]


def test_one_row_with_counts_that_break_results_sum_is_a_violation():
    rng = random.Random(11)
    while True:
        truth, text = _one_row_report(rng, "row_pipe", zero=False, reference=True)
        app = truth.cells["applications"]
        if sum(app[(r, "natural_person")] for r in OTHER) == 0:
            continue
        break
    # Print 3.7's natural_person one higher (and its total with it).
    n37, t37 = app[("3.7", "natural_person")], app[("3.7", "total")]
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("(七)总计"))
    cells = lines[at].removesuffix(" |").split(" | ")
    assert (int(cells[1]), int(cells[7])) == (n37, t37)
    cells[1], cells[7] = str(n37 + 1), str(t37 + 1)
    lines[at] = " | ".join(cells) + " |"
    r = parse_text(normalize("\n".join(lines)), "one_row.txt")
    hard = {(v.rule, v.column, v.expected, v.actual) for v in r.violations if v.severity == "hard"}
    assert ("applications.results_sum", "natural_person", n37, n37 + 1) in hard
    assert ("applications.results_sum", "total", t37, t37 + 1) in hard


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS))
def test_2019_reports_stay_2019_without_reference_even_when_dated_later(seed, layout):
    """Section 二's 2019 columns decide, whatever the year says."""
    rng = random.Random(seed)
    truth = random_truth(rng, T2019, 2020, scale=3)
    truth.year = 2022
    text, _ = render_report(truth, Style(layout=layout), rng)
    text = text.replace("国办公开办函〔2019〕60号", "国办公开办函")
    r = parse_text(normalize(text), "old.txt")
    assert r.report.template == "2019"
    assert _facts(r) == sorted(truth.facts())


def test_section_columns():
    assert section_columns("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |") == "2021"
    assert section_columns("信息内容 | 本 年 制 发 件 数 |") == "2021"
    assert section_columns("本年 | 本年 |\n制发件数 | 废止件数 |") == "2021"  # split headers
    assert section_columns("本年新制作数量 | 本年新公开数量 | 对外公开总数量") == "2019"
    assert section_columns("规章 | 0 | 0 | 0 |") is None
    assert section_columns("本年制发件数 | 本年新制作数量") is None  # both: no signal
