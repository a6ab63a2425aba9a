"""Crawler dumps: the whole body on one line, each table row's cells run together. Random truth
tables rendered that way parse back with every number right or named: a row whose digits split
one way only under the balance rules is stored, any other row is named (``split_unresolved``)
and nothing is stored for it."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gipr_pipeline.corpus.families import _damage
from gipr_pipeline.corpus.render import Style, Truth, random_truth, render_report
from gipr_pipeline.corpus.synth import Shares, make_report, score
from gipr_pipeline.parser import runtogether
from gipr_pipeline.parser.parse import parse_text
from gipr_pipeline.readers.decode import normalize
from gipr_pipeline.template import load_template
from gipr_pipeline_tests.parser.test_template_choice import OTHER, _one_row_report

T2021 = load_template("2021")
CASE = (
    Path(__file__).resolve().parents[1]
    / "data/cases/crawler_run_together/luyu_district_housing_2022.txt"
)
T2019 = load_template("2019")
APP = T2021.table("applications")


def crawl(truth: Truth, rng: random.Random, sep: str = " ") -> str:
    """The report as a crawler dumps it: 标题/发布时间/来源 lines, then every other line of the
    page joined into one, each table row's cells joined with nothing between them."""
    text, _ = render_report(truth, Style(layout="row_pipe", title=False), rng)
    return crawl_text(text, truth, rng, sep)


def crawl_text(text: str, truth: Truth, rng: random.Random, sep: str = " ") -> str:
    """A row_pipe rendering dumped as a crawler does (``crawl``). Now and then a space between
    a label and its digits, as text nodes joined with one."""
    pieces = []
    for line in text.splitlines():
        fields = [f.strip() for f in line.split("|")]
        fields = [f for f in fields if f]
        if len(fields) > 1 and not fields[0][-1:].isdigit() and rng.random() < 0.2:
            fields[0] += " "
        pieces.append("".join(fields))
    title = f"{truth.agency}{truth.year}年度政府信息公开工作年度报告"
    head = [f"标题: {title}", f"发布时间: {truth.published} 09:30", f"来源: {truth.agency}"]
    return "\n".join([*head, sep.join(pieces)]) + "\n"


def _parse(text: str):
    return parse_text(normalize(text), "crawled.txt")


def _unresolved(problems: list[str]) -> set[tuple[str, str | None]]:
    """(table, row) of each split_unresolved problem (row None for the unlabelled table)."""
    out = set()
    for p in problems:
        m = re.match(r"split_unresolved: (\S+) (\S+) '", p)
        if m:
            out.add((m.group(1), m.group(2)))
        elif p.startswith("split_unresolved: "):
            out.add((p.split()[1], None))
    return out


def _check_against(truth: Truth, r) -> set[tuple[str, str]]:
    """Every stored cell equals the truth, and every row not stored is named. Returns the rows
    not stored."""
    assert r.status == "ok", (r.reason, r.message)
    want = {(t, row, c): v for t, row, c, v in truth.facts()}
    got = {(f.table, f.row, f.column): f.value for f in r.facts}
    for k, v in got.items():
        assert want[k] == pytest.approx(v), k
    named = _unresolved(r.problems)
    # A labelled row whose cells are all single digits prints as many digits as it has cells:
    # one split only, so it is always read.
    for t in truth.template.tables:
        for row in t.rows:
            vals = [truth.cells[t.code][(row.code, c)] for c in row.columns]
            if not t.unlabelled and all(isinstance(v, int) and 0 <= v < 10 for v in vals):
                assert (t.code, row.code) not in named, (t.code, row.code)
    missing_rows = {(t, row) for t, row, _ in set(want) - set(got)}
    for t, row in missing_rows:
        assert (t, row) in named or (t, None) in named, (t, row, r.problems)
    # Nothing named is stored.
    for t, row in named:
        assert not any(k[0] == t and (row is None or k[1] == row) for k in got), (t, row)
    assert [v for v in r.violations if v.severity == "hard"] == []
    assert r.problems[0].startswith("run_together: ")
    return missing_rows


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from((3, 12, 60, 3000)),
    sep=st.sampled_from((" ", "")),
)
def test_random_reports_crawled_read_right_or_named(seed, scale, sep):
    rng = random.Random(seed)
    truth = random_truth(rng, scale=scale)
    r = _parse(crawl(truth, rng, sep))
    _check_against(truth, r)
    assert (r.report.agency, r.report.year, r.report.template) == (
        truth.agency,
        truth.year,
        "2021",
    )
    assert r.report.published == truth.published


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_2019_reports_crawled_read_right_or_named(seed):
    rng = random.Random(seed)
    truth = random_truth(rng, T2019, scale=rng.choice((3, 12, 3000)))
    r = _parse(crawl(truth, rng))
    _check_against(truth, r)
    assert r.report.template == "2019"


def _zero_truth(rng: random.Random) -> Truth:
    truth = random_truth(rng, scale=3)
    for code, t in truth.cells.items():
        for k in t:
            t[k] = 0.0 if code == "active_disclosure" and k[0] == "fees" else 0
    return truth


def _set_row(truth: Truth, row: str, values: tuple[int, ...]) -> None:
    for c, v in zip(APP.columns, values, strict=True):
        truth.cells["applications"][(row, c)] = v


def test_ambiguous_row_settled_by_the_column_rules():
    """3.1 prints 114000015: 11|4|…|15 or 1|14|…|15 both hold its own total; only 11|4 makes
    3.7 = 3.1 + 3.2 hold (3.7 prints 124000016, which splits one way: 12|4|…|16)."""
    rng = random.Random(1)
    truth = _zero_truth(rng)
    _set_row(truth, "3.1", (11, 4, 0, 0, 0, 0, 15))
    _set_row(truth, "3.2", (1, 0, 0, 0, 0, 0, 1))
    _set_row(truth, "3.7", (12, 4, 0, 0, 0, 0, 16))
    _set_row(truth, "1", (12, 4, 0, 0, 0, 0, 16))
    text = crawl(truth, rng)
    assert "予以公开114000015" in text
    r = _parse(text)
    assert _check_against(truth, r) == set()
    assert r.problems[0] == (
        "run_together: the tables' cells were printed with nothing between them; each row's"
        " digits were split into the template's cells (every split settled by the balance rules)"
    )


def test_rows_the_rules_cannot_settle_are_named_and_not_stored():
    """3.1 = 11|4 and 3.2 = 1|14 both print 114000015; swapping them holds every rule too."""
    rng = random.Random(2)
    truth = _zero_truth(rng)
    _set_row(truth, "3.1", (11, 4, 0, 0, 0, 0, 15))
    _set_row(truth, "3.2", (1, 14, 0, 0, 0, 0, 15))
    _set_row(truth, "3.7", (12, 18, 0, 0, 0, 0, 30))
    _set_row(truth, "1", (12, 18, 0, 0, 0, 0, 30))
    r = _parse(crawl(truth, rng))
    assert _check_against(truth, r) == {("applications", "3.1"), ("applications", "3.2")}
    assert (
        "split_unresolved: applications 3.1 '114000015' (2 splits hold every rule of the table:"
        " 1|14|0|0|0|0|15, 11|4|0|0|0|0|15); nothing stored"
    ) in r.problems
    assert any(p.startswith("cell_count: applications 3.2") for p in r.problems)
    # The rules that need them are skipped, not failed.
    assert "rule_skipped: applications.results_sum column natural_person" in " ".join(r.problems)


def test_a_broken_rule_in_a_row_with_one_split_is_a_violation():
    """A run as long as the row has cells splits one way: read as printed, the rule it breaks
    is reported (not hidden as unreadable)."""
    rng = random.Random(3)
    truth = _zero_truth(rng)
    _set_row(truth, "3.1", (1, 2, 0, 0, 0, 0, 4))  # total printed 4, the parts make 3
    _set_row(truth, "3.7", (1, 2, 0, 0, 0, 0, 4))
    _set_row(truth, "1", (1, 2, 0, 0, 0, 0, 4))
    r = _parse(crawl(truth, rng))
    got = {(f.row, f.column): f.value for f in r.facts if f.table == "applications"}
    assert got[("3.1", "total")] == 4
    rows = {(v.rule, v.row) for v in r.violations}
    assert ("applications.row_total", "3.1") in rows


# ------------------------------------------------------------------ the pieces
def test_split_run_without_leading_zeros():
    ints = ["int"] * 7
    assert runtogether.split_run(["0000000"], ints) == [(0,) * 7]
    assert runtogether.split_run(["123000015"], ints, _row_rule()) == [(12, 3, 0, 0, 0, 0, 15)]
    assert sorted(runtogether.split_run(["114000015"], ints, _row_rule())) == [
        (1, 14, 0, 0, 0, 0, 15),
        (11, 4, 0, 0, 0, 0, 15),
    ]
    # Section 二: 行政规范性文件0012 splits one way, 1234 three ways.
    assert runtogether.split_run(["0012"], ["int"] * 3) == [(0, 0, 12)]
    assert len(runtogether.split_run(["1234"], ["int"] * 3)) == 3
    # Whitespace inside a run is a cell boundary.
    assert runtogether.split_run(["12", "3000015"], ints, _row_rule()) == [(12, 3, 0, 0, 0, 0, 15)]
    # A fraction only in a decimal cell.
    assert runtogether.split_run(["12.5"], ["decimal"]) == [(12.5,)]
    assert runtogether.split_run(["12.5"], ["int"]) == []
    # More splits than the limit: None (too many to settle).
    assert runtogether.split_run(["1" * 30], ints, limit=10) is None


def _row_rule():
    return runtogether._row_checks(T2021, APP, [APP.rows[0]])


def test_review_run_splits_into_three_groups_of_five():
    rev = T2021.table("review_litigation")
    checks = runtogether._row_checks(T2021, rev, list(rev.rows))
    got = runtogether.split_run(["200131000100000"], ["int"] * 15, checks)
    assert got == [(2, 0, 0, 1, 3, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)]
    # 10|2|0|0|12 and 1|0|2|0|… : the groups' totals settle it.
    got = runtogether.split_run(["10200120000000000"], ["int"] * 15, checks)
    assert got == [(10, 2, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]


def test_numbering_glued_to_the_run_is_taken_off():
    """``10000012.其他…``: the 2 is the next label's numbering."""
    r331, r332, r333 = APP.row("3.3.1"), APP.row("3.3.2"), APP.row("3.3.3")
    assert runtogether._run_after("10000012.", APP, r331, r332) == ["1000001"]
    assert runtogether._run_after("0000000 3、", APP, r332, r333) == ["0000000"]
    # A run not followed by a numbering mark keeps its last digit.
    assert runtogether._run_after("10000012(三)", APP, r331, r332) == ["10000012"]
    # The label's printed tail is skipped; text after the run is not read.
    r32 = APP.row("3.2")
    tail = "(区分处理的,只计这一情形,不计其他情形)3200005(三)不予公开1."
    assert runtogether._run_after(tail, APP, r32, r331) == ["3200005"]


def test_short_labels_anchor_only_before_their_run():
    """ "其他" in "(六)其他处理" (or in 法人或其他组织) is not row 3.6.3; "3.其他1200104" is."""
    text = normalize(CASE.read_text("utf-8"))
    body = text[text.index("三、收到和处理") : text.index("四、政府信息公开行政复议")]
    got = runtogether._anchors(body, APP)
    assert [APP.rows[j].code for j, _, _ in got] == list(APP.row_codes)
    _, start, end = got[APP.row_codes.index("3.6.3")]
    assert body[start - 2 : end + 7] == "3.其他1200104"


def test_plain_reports_never_take_the_crawler_path():
    """The fallback runs only when the plain read fails: a report read in full is untouched."""
    rng = random.Random(5)
    truth = random_truth(rng, scale=3000)
    text, _ = render_report(truth, Style(layout="bare"), rng)
    r = _parse(text)
    assert not any(p.startswith(("run_together", "split_unresolved")) for p in r.problems)
    assert sorted((f.table, f.row, f.column, f.value) for f in r.facts) == sorted(truth.facts())


def test_looks_run_together():
    assert runtogether.looks_run_together("一、本年新收政府信息公开申请数量298001139二、")
    assert runtogether.looks_run_together("数量 298001139")
    assert not runtogether.looks_run_together("数量 | 29 | 8 | 0 | 0 | 1 | 1 | 39 |")
    assert not runtogether.looks_run_together("联系电话:0598-7351260")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_crawled_one_row_other_handling(seed):
    """A 2021 report printing (六)其他处理 as one row, dumped by a crawler: a row of zeros reads
    3.6.1 = 3.6.2 = 3.6.3 = 0, a row with counts is split by the 2019 rows and named."""
    rng = random.Random(seed)
    zero = rng.random() < 0.5
    truth, text = _one_row_report(rng, "row_pipe", zero=zero, reference=False)
    r = _parse(crawl_text(text, truth, rng))
    assert r.report.template == "2021"
    one = {c: sum(truth.cells["applications"][(x, c)] for x in OTHER) for c in APP.columns}
    if not any(one.values()):
        _check_against(truth, r)
        assert any(p.startswith("other_handling_one_row") for p in r.problems)
        return
    # Counts: 3.6.1–3.6.3 are never stored; the rest is right or named.
    got = {(f.table, f.row, f.column): f.value for f in r.facts}
    assert not [k for k in got if k[0] == "applications" and k[1] in OTHER]
    want = {(t, row, c): v for t, row, c, v in truth.facts()}
    assert all(want[k] == v for k, v in got.items())


# ------------------------------------------------------------------ misprinted labels
def _crawler_member(seed: int, i: int) -> tuple[str, dict]:
    """A crawler_run_together member (its runs have one reading under the table's rules) and
    its truth record."""
    shares = Shares(junk=0.0, families={"crawler_run_together": 1.0})
    _path, data, rec = make_report(seed, 2022, i, shares)
    return normalize(data.decode(rec["encoding"])), rec


def _misprint(text: str, rng: random.Random, n: int) -> dict[str, str]:
    """Up to ``n`` application labels of 9+ characters misprinted in ``text`` (as the
    misprinted_labels family damages them: no other row's alias in it, none of its own).
    Returns {row code: printed label}."""
    aliases = {r.code: [r.label, *r.aliases] for r in APP.rows}
    out: dict[str, str] = {}
    victims = [r for r in APP.rows if len(r.label) >= 9 and text.count(r.label) == 1]
    for r in rng.sample(victims, min(n, len(victims))):
        for _ in range(20):
            bad = _damage(r.label, rng)
            others = [a for k, v in aliases.items() if k != r.code for a in v]
            if not any(a in bad or bad in a for a in others) and not any(
                a in bad for a in r.aliases
            ):
                out[r.code] = bad
                break
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), i=st.integers(0, 500), n=st.sampled_from((1, 2)))
def test_misprinted_labels_in_a_crawler_dump(seed, i, n):
    """1–2 application labels misprinted in a crawler dump: each row is found by the line-wise
    recovery's rule (similarity and position), its run split under the table's rules, stored
    only when every rule of the table holds, and named ``label_misprinted``. A label that is
    as close to two rows missing there is no row's: named, nothing stored."""
    text, rec = _crawler_member(seed, i)
    rng = random.Random(seed * 1000 + i)
    bad = _misprint(text, rng, n)
    for code, printed in bad.items():
        text = text.replace(APP.row(code).label, printed)
    res = _parse(text).to_json()
    named = [p for p in res["problems"] if p.startswith("label_misprinted")]
    if score(res, rec)["exact"]:
        assert sorted(p.split()[2] for p in named) == sorted(bad)
        return
    # Not exact: only a misprint that is no row's for sure, every row not stored named.
    want = {(t, r, c): v for t, rows in rec["expected"]["cells"].items()
            for r, vals in rows.items()
            for c, v in zip(T2021.table(t).row(r).columns, vals, strict=True)}  # fmt: skip
    got = {(f["table"], f["row"], f["column"]): f["value"] for f in res["facts"]}
    assert {k: v for k, v in got.items() if want[k] != v} == {}
    missing = {k[1] for k in set(want) - set(got)}
    assert missing and missing <= set(bad) | {
        p.split()[2] for p in res["problems"] if p.startswith(("split_unresolved", "row_missing"))
    }
    assert any(
        "its label is misprinted" in p or p.startswith("row_missing") for p in res["problems"]
    )


def test_misprinted_label_in_a_crawler_dump_read_exactly():
    text, rec = _crawler_member(3, 0)
    label = APP.row("3.4.2").label
    assert text.count(label) == 1
    r = _parse(text.replace(label, "2.没有现成信息另行制作"))
    assert score(r.to_json(), rec)["exact"] == 1
    assert (
        "label_misprinted: applications 3.4.2 '没有现成信息另行制作' read as "
        "'2.没有现成信息需要另行制作' (by similarity and position)"
    ) in r.problems


def test_ambiguous_misprint_in_a_crawler_dump_is_named_and_not_stored():
    """Rows 3.3.7 and 3.3.8 both misprinted: '属于行政执法事项' is as close to 属于行政执法案卷 as
    to 属于行政查询事项, so it is neither; 3.3.8's own misprint then cannot be confirmed by the
    rules (3.3.7 is missing), so it is named too, and nothing is stored for either."""
    text, rec = _crawler_member(3, 0)
    for code, printed in (("3.3.7", "7.属于行政执法事项"), ("3.3.8", "8.属于行政查事项")):
        assert text.count(APP.row(code).label) == 1
        text = text.replace(APP.row(code).label, printed)
    r = _parse(text)
    rows = {f.row for f in r.facts if f.table == "applications"}
    assert not rows & {"3.3.7", "3.3.8"}
    # Rows whose splits those two would have settled are named too (the rules are skipped).
    for code in set(APP.row_codes) - rows:
        assert any(p.startswith(f"{k}: applications {code} ") or p == f"{k}: applications {code}"
                   for k in ("row_missing", "split_unresolved") for p in r.problems), code  # fmt: skip
    got = {(f.table, f.row, f.column): f.value for f in r.facts}
    want = {(t, row, c): v for t, rows_ in rec["expected"]["cells"].items()
            for row, vals in rows_.items()
            for c, v in zip(T2021.table(t).row(row).columns, vals, strict=True)}  # fmt: skip
    assert all(want[k] == v for k, v in got.items())
    assert not any(p.startswith("label_misprinted") for p in r.problems)
    assert "row_missing: applications 3.3.7" in r.problems
    assert any(
        p.startswith("split_unresolved: applications 3.3.8 ") and "'属于行政查事项'" in p
        for p in r.problems
    )


def test_misprinted_label_the_rules_do_not_confirm_is_named_and_not_stored():
    """The misprinted row's run printed with one digit changed: its label matches, but the
    table's rules do not hold with it, so it is named and nothing is stored for it (a row
    whose label is printed right would be read as printed, the broken rule a violation)."""
    text, rec = _crawler_member(3, 0)
    vals = rec["expected"]["cells"]["applications"]["3.4.2"]
    label = APP.row("3.4.2").label
    run = "".join(map(str, vals))
    changed = run[:-1] + str((int(run[-1]) + 1) % 10)
    assert text.count(label + run) == 1
    r = _parse(text.replace(label + run, "2.没有现成信息另行制作" + changed))
    assert not any(f.row == "3.4.2" for f in r.facts if f.table == "applications")
    assert any(
        p.startswith(f"split_unresolved: applications 3.4.2 '{changed}' (its label is misprinted")
        for p in r.problems
    )
    assert not any(p.startswith("label_misprinted") for p in r.problems)
