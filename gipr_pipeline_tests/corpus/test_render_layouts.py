"""Random consistent reports (and reports with injected errors) in every layout, parsed back
exactly: facts, blank cells, violations."""

import random

from hypothesis import given
from hypothesis import strategies as st

from gipr_pipeline.corpus.render import (
    BLANK_LAYOUTS,
    LAYOUTS,
    ZERO_MARKS,
    Style,
    inject_error,
    random_truth,
    render_report,
)
from gipr_pipeline.parser.parse import parse_text
from gipr_pipeline.readers.decode import normalize

styles = st.builds(
    Style,
    layout=st.sampled_from(LAYOUTS),
    review_rows=st.booleans(),
    zero_mark=st.sampled_from((None, *ZERO_MARKS, "")),
    zero_share=st.sampled_from((0.0, 0.2, 0.6)),
    thousands=st.booleans(),
    fullwidth_digits=st.booleans(),
    chrome_copy=st.booleans(),
    title=st.booleans(),
    signature=st.booleans(),
)


def _fix(style: Style) -> Style:
    if style.zero_mark == "" and style.layout not in BLANK_LAYOUTS:
        style.zero_mark = "—"  # bare/spaced/mixed layouts cannot print an empty cell
    return style


def _round_trip(seed: int, style: Style, error: bool):
    rng = random.Random(seed)
    truth = random_truth(rng, scale=rng.choice((3, 30, 3000)))
    if error:
        inject_error(rng, truth)
    text, blanks = render_report(truth, _fix(style), rng)
    return truth, blanks, parse_text(normalize(text), "generated.txt")


@given(seed=st.integers(0, 2**32 - 1), style=styles)
def test_consistent_reports_parse_back_exactly(seed, style):
    truth, blanks, r = _round_trip(seed, style, error=False)
    assert r.status == "ok"
    assert sorted((f.table, f.row, f.column, f.value) for f in r.facts) == sorted(truth.facts())
    assert [v for v in r.violations if v.severity == "hard"] == []
    # The only soft violations: the blank cells, each named.
    soft = {(v.table, v.row, v.column) for v in r.violations if v.severity == "soft"}
    assert {v.rule for v in r.violations} <= {"cells.blank"}
    assert soft == set(blanks)
    assert (r.report.year, r.report.template) == (truth.year, "2021")
    if style.title or style.signature:
        assert r.report.agency == truth.agency
    named = [p for p in r.problems if p.startswith("blank_as_zero")]
    assert len(named) == len({t for t, _, _ in blanks})
    for table, row, col in blanks:
        assert any(p.startswith(f"blank_as_zero: {table}") and f"{row}/{col}=" in p for p in named)
    assert (
        "duplicated_copy: the report appears twice; the first copy was kept" in r.problems
    ) == style.chrome_copy


@given(seed=st.integers(0, 2**32 - 1), style=styles)
def test_injected_errors_give_exactly_their_violations(seed, style):
    truth, _, r = _round_trip(seed, style, error=True)
    assert sorted((f.table, f.row, f.column, f.value) for f in r.facts) == sorted(truth.facts())
    key = lambda v: (v.rule, v.table, v.row or "", v.column or "")  # noqa: E731
    hard = [v for v in r.violations if v.severity == "hard"]
    assert sorted(hard, key=key) == sorted(truth.violations, key=key)
    assert truth.violations
