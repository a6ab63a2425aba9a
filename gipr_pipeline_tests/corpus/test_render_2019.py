"""2019-template reports (国办公开办函〔2019〕60号: the 2019 and 2020 reports) in every layout,
parsed back exactly: section 二 in its 2019 form (本年增/减 may be negative), (六)其他处理 as one
row, 198 facts."""

import random

from hypothesis import given
from hypothesis import strategies as st

from gipr_pipeline.corpus.render import Style, inject_error, random_truth, render_report
from gipr_pipeline.parser.parse import parse_text
from gipr_pipeline.readers.decode import normalize
from gipr_pipeline.template import load_template
from gipr_pipeline_tests.corpus.test_render_layouts import _fix, styles

T2019 = load_template("2019")
REFERENCE = "《国办公开办函〔2019〕60号》"


def _round_trip(seed: int, style: Style, error: bool, reference: bool = True):
    rng = random.Random(seed)
    truth = random_truth(rng, T2019, rng.choice((2019, 2020)), scale=rng.choice((3, 30, 3000)))
    if error:
        inject_error(rng, truth)
    text, blanks = render_report(truth, _fix(style), rng)
    assert REFERENCE in text
    if not reference:
        text = text.replace(REFERENCE, "《中华人民共和国政府信息公开条例》")
    return truth, blanks, parse_text(normalize(text), "generated-2019.txt")


def _facts(r):
    return sorted((f.table, f.row, f.column, f.value) for f in r.facts)


@given(seed=st.integers(0, 2**32 - 1), style=styles)
def test_2019_reports_parse_back_exactly(seed, style):
    truth, blanks, r = _round_trip(seed, style, error=False)
    assert r.status == "ok"
    assert _facts(r) == sorted(truth.facts())
    assert len(r.facts) == T2019.n_facts == 198
    assert (r.report.year, r.report.template) == (truth.year, "2019")
    assert [v for v in r.violations if v.severity == "hard"] == []
    soft = {(v.table, v.row, v.column) for v in r.violations if v.severity == "soft"}
    assert {v.rule for v in r.violations} <= {"cells.blank"} and soft == set(blanks)
    # 本年增/减 may be negative: never a problem; nothing else in the truth is negative.
    assert not [p for p in r.problems if p.startswith(("negative_value", "template_guessed"))]
    # Decimals only where the template says so (采购总金额).
    for f in r.facts:
        assert isinstance(f.value, float) == (f.column == "procurement_amount"), f


@given(seed=st.integers(0, 2**32 - 1), style=styles)
def test_2019_injected_errors_give_exactly_their_violations(seed, style):
    truth, _, r = _round_trip(seed, style, error=True)
    assert _facts(r) == sorted(truth.facts())
    key = lambda v: (v.rule, v.table, v.row or "", v.column or "")  # noqa: E731
    hard = [v for v in r.violations if v.severity == "hard"]
    assert sorted(hard, key=key) == sorted(truth.violations, key=key) and hard


@given(seed=st.integers(0, 2**32 - 1), style=styles)
def test_2019_template_chosen_from_the_rows_without_reference(seed, style):
    truth, _, r = _round_trip(seed, style, error=False, reference=False)
    assert r.report.template == "2019"
    assert _facts(r) == sorted(truth.facts())
    assert "template_guessed: 2019 (from the rows; no 30号/60号 reference)" in r.problems


def _one_2019_text(**cells) -> str:
    truth = random_truth(random.Random(7), T2019, 2020)
    for key, v in cells.items():
        row, col = key.split(",")
        truth.cells["active_disclosure"][(row, col)] = v
    text, _ = render_report(truth, Style(layout="row_pipe"), random.Random(7))
    return text


def test_negative_only_where_the_template_allows_it():
    text = _one_2019_text(**{"licensing,change": -3})
    r = parse_text(normalize(text), "x.txt")
    got = {(f.row, f.column): f.value for f in r.facts if f.table == "active_disclosure"}
    assert got[("licensing", "change")] == -3
    assert not [p for p in r.problems if p.startswith("negative_value")]
    # A negative 处理决定数量 is still named.
    row = next(ln for ln in text.splitlines() if ln.startswith("行政许可 |"))
    cells = row.split(" | ")
    cells[3] = "-2 |"
    r = parse_text(normalize(text.replace(row, " | ".join(cells))), "x.txt")
    assert "negative_value: active_disclosure licensing/decisions '-2'" in r.problems


def test_a_plus_sign_is_read():
    text = _one_2019_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("行政处罚 |"))
    cells = row.split(" | ")
    cells[2] = "+4"
    r = parse_text(normalize(text.replace(row, " | ".join(cells))), "x.txt")
    got = {(f.row, f.column): f.value for f in r.facts if f.table == "active_disclosure"}
    assert got[("penalty", "change")] == 4
