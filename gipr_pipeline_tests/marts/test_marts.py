"""Pure marts: parse results → base tables → marts, on the seeds and on hand-made results."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest

from gipr_pipeline.marts import inventory as inv
from gipr_pipeline.marts import marts, schemas
from gipr_pipeline.parser.model import Fact, ReportMeta, ReportResult, Violation
from gipr_pipeline.template import Table, load_template

YEARS = list(range(2019, 2026))


@pytest.fixture(scope="module")
def seeds2024(raw_dir):
    items = [x for x in inv.inventory(raw_dir, YEARS) if x[2].year == 2024]
    accepted = [(i.report_id, a.year, r) for i, r, a in items if a.accepted]
    facts = marts.report_facts(accepted)
    problems = marts.report_problems(accepted)
    return {
        "items": items,
        "raw": marts.raw_reports(items),
        "facts": facts,
        "problems": problems,
        "rejected": marts.rejected_reports(items),
        "apps": marts.applications(facts),
        "review": marts.review_litigation(facts),
        "violations": marts.rule_violations(problems, facts),
        "id000": next(i.report_id for i, _, _ in items if i.path.startswith("000_")),
    }


def test_seed_000_in_applications(seeds2024):
    apps = seeds2024["apps"].filter(pl.col("report_id") == seeds2024["id000"])
    assert apps.height == 25
    assert apps["agency"].unique().to_list() == ["赛罕区人民政府办公室"]
    cells = {r["row_code"]: r for r in apps.iter_rows(named=True)}
    assert (cells["1"]["natural_person"], cells["1"]["total"]) == (28, 28)
    assert cells["1"]["commercial_enterprise"] == 0
    assert cells["3.1"]["total"] == 4
    assert cells["3.4.1"]["total"] == 23
    assert cells["3.7"]["total"] == 27
    assert cells["4"]["total"] == 1
    assert apps["row_code"].to_list() == list(load_template("2021").table("applications").row_codes)


def test_four_2024_reports_all_checked(seeds2024):
    assert seeds2024["raw"].height == 4
    assert seeds2024["rejected"].is_empty()
    assert seeds2024["violations"].is_empty()
    checked = marts.applications_checked(seeds2024["apps"], seeds2024["violations"])
    assert checked["report_id"].n_unique() == 4
    assert marts.balance_failures(seeds2024["apps"], "applications").is_empty()


def test_year_summary_of_seeds(seeds2024):
    s = seeds2024
    checked = marts.applications_checked(s["apps"], s["violations"])
    row = marts.year_summary(2024, s["raw"], s["rejected"], s["violations"], checked, s["review"])
    r = row.row(0, named=True)
    assert (r["reports"], r["reports_rejected"], r["reports_checked"]) == (4, 0, 4)
    # Only seed 000 has non-zero applications.
    assert (r["received_natural_person"], r["received_total"]) == (28, 28)
    assert (r["outcome_granted"], r["outcome_unavailable"], r["outcome_total"]) == (4, 23, 27)
    assert r["carried_over_out"] == 1
    assert r["disclosure_rate"] == pytest.approx(4 / 27)


def _apps_result(total_row1: int = 5) -> ReportResult:
    """A hand-made 2021 report: 5 applications by natural persons, all granted."""
    t = load_template("2021").table("applications")
    facts = []
    for row in t.row_codes:
        for col in t.columns:
            v = 5 if row in ("1", "3.1", "3.7") and col in ("natural_person", "total") else 0
            if row == "1" and col == "total":
                v = total_row1
            facts.append(Fact("applications", row, col, v))
    res = ReportResult(
        source="hand.txt", report=ReportMeta(agency="某局", year=2023, template="2021")
    )
    res.facts = facts
    if total_row1 != 5:
        res.violations = [
            Violation("applications.row_total", "applications", "1", None, 5, total_row1),
            Violation("applications.balance", "applications", None, "total", total_row1, 5),
        ]
    return res


def test_broken_report_routed_to_violations_and_excluded():
    good, bad = _apps_result(), _apps_result(total_row1=6)
    results = [("a" * 64, 2023, good), ("b" * 64, 2023, bad)]
    facts = marts.report_facts(results)
    apps = marts.applications(facts)
    viol = marts.rule_violations(marts.report_problems(results), facts)
    assert set(viol["report_id"]) == {"b" * 64}
    assert sorted(viol.select("rule", "row_code", "column_code", "expected", "actual").rows()) == [
        ("applications.balance", None, "total", 6.0, 5.0),
        ("applications.row_total", "1", None, 5.0, 6.0),
    ]
    assert viol["agency"].to_list() == ["某局", "某局"]
    checked = marts.applications_checked(apps, viol)
    assert set(checked["report_id"]) == {"a" * 64}
    # The mart-level rule evaluation agrees with the parser's violations.
    fails = marts.balance_failures(apps, "applications")
    assert sorted(fails.select("rule", "row_code", "column_code", "expected", "actual").rows()) == [
        ("applications.balance", None, "total", 6.0, 5.0),
        ("applications.row_total", "1", None, 5.0, 6.0),
    ]


def test_incomplete_table_is_not_checked_and_rules_are_skipped():
    res = _apps_result()
    res.facts = [f for f in res.facts if f.row != "3.2"]
    facts = marts.report_facts([("c" * 64, 2023, res)])
    apps = marts.applications(facts)
    assert marts.complete_report_ids(apps) == set()
    assert marts.applications_checked(
        apps, marts.rule_violations(marts.report_problems([]), facts)
    ).is_empty()
    # results_sum cannot be evaluated without row 3.2: skipped, not failed (like the parser).
    assert marts.balance_failures(apps, "applications").is_empty()


def test_2019_template_rows():
    t = load_template("2019").table("applications")
    facts = [Fact("applications", r, c, 0) for r in t.row_codes for c in t.columns]
    res = ReportResult(source="old.txt", report=ReportMeta(agency="旧", year=2020, template="2019"))
    res.facts = facts
    apps = marts.applications(marts.report_facts([("d" * 64, 2020, res)]))
    assert apps.height == 23 and "3.6" in apps["row_code"].to_list()
    assert marts.complete_report_ids(apps) == {"d" * 64}


def test_accounting_detects_a_lost_report(seeds2024):
    s = seeds2024
    ok = marts.accounting(s["raw"], s["rejected"], s["violations"], [s["apps"], s["review"]])
    assert ok["ok"] and ok["inputs"] == 4 and ok["reports_in_marts"] == 4
    lost = marts.accounting(
        s["raw"],
        s["rejected"],
        s["violations"],
        [s["apps"].filter(pl.col("report_id") != s["id000"])],
    )
    assert not lost["ok"] and lost["lost"] == [s["id000"]]


def test_problems_table_splits_codes(seeds2024):
    p = seeds2024["problems"].filter(pl.col("report_id") == seeds2024["id000"])
    row = p.filter(pl.col("code") == "duplicated_copy").row(0, named=True)
    assert (row["kind"], row["severity"]) == ("problem", "soft")
    assert row["detail"].startswith("the report appears twice")


def test_soft_violations_are_reported_but_never_exclude():
    """A report with only soft violations: in rule_violations (severity, detail), still in
    applications_checked, and the accounting counts it once, as a report in the marts."""
    soft = _apps_result()
    soft.violations = [
        Violation("cells.blank", "applications", "3.2", "natural_person", None, None, "soft",
                  "printed '—', read as 0"),
        Violation("narrative.agreement", "applications", "1", "total", 5, 7, "soft",
                  "“全年共收到政府信息公开申请7件。” states 7; the table says 5"),
        Violation("fees.unreported", None, None, None, None, None, "soft", "no statement"),
    ]  # fmt: skip
    results = [("e" * 64, 2023, soft), ("b" * 64, 2023, _apps_result(total_row1=6))]
    facts = marts.report_facts(results)
    apps = marts.applications(facts)
    viol = marts.rule_violations(marts.report_problems(results), facts)
    schemas.RuleViolations.validate(viol)
    mine = viol.filter(pl.col("report_id") == "e" * 64)
    assert set(mine["severity"]) == {"soft"}
    narr = mine.filter(pl.col("rule") == "narrative.agreement").row(0, named=True)
    assert (narr["expected"], narr["actual"], narr["difference"]) == (5.0, 7.0, 2.0)
    assert "全年共收到政府信息公开申请7件" in narr["detail"]
    fees = mine.filter(pl.col("rule") == "fees.unreported").row(0, named=True)
    assert (fees["table_code"], fees["expected"]) == (None, None)
    assert set(marts.applications_checked(apps, viol)["report_id"]) == {"e" * 64}
    raw = pl.DataFrame({"report_id": ["e" * 64, "b" * 64]})
    acc = marts.accounting(raw, marts.empty(marts.REJECTED_SCHEMA), viol, [apps])
    assert acc["ok"] and (acc["reports_in_marts"], acc["reports_with_violations"]) == (1, 1)


@pytest.mark.parametrize("seed", range(6))
def test_wide_balance_rules_equal_the_long_reference(seeds2024, seed):
    """``balance_failures`` evaluates the rules on the wide mart (fast); the long form (one row
    per cell) is the reference: random bumps and blanked cells give the same failures."""
    from polars.testing import assert_frame_equal

    for table, mart in (
        ("applications", seeds2024["apps"]),
        ("review_litigation", seeds2024["review"]),
    ):
        cols = [c for c in mart.columns if c not in (*marts.KEYS, "row_code", "row_order")]
        i = pl.int_range(pl.len())
        bumped = mart.with_columns(
            [
                pl.when((i * (k + 3) + seed) % 11 == 0)
                .then(None)
                .when((i * (k + 5) + seed) % 13 == 0)
                .then(pl.col(c) + 1)
                .otherwise(pl.col(c))
                .alias(c)
                for k, c in enumerate(cols)
            ]
        )
        for df in (mart, bumped):
            wide = marts._balance_failures(df, table, "hard")
            assert_frame_equal(wide, balance_failures_long(df, table, "hard"))
        if table == "applications":  # the bumps did break rules (the test is not vacuous)
            assert not marts._balance_failures(bumped, table, "hard").is_empty()


# ---------------------------------------------------------------- reference for the wide rules
# The balance rules on the long form (one row per cell), straight from the rule declaration:
# slower, but plainly right, so marts._balance_failures is tested against it.
def balance_failures_long(mart: pl.DataFrame, table: str, severity: str) -> pl.DataFrame:
    columns = [c for c in mart.columns if c not in (*marts.KEYS, "row_code", "row_order")]
    long = mart.unpivot(
        on=columns,
        index=["report_id", "agency", "template", "row_code"],
        variable_name="column_code",
    ).with_columns(pl.col("value").cast(pl.Float64))
    out = []
    for v in marts.VERSIONS:
        tpl = marts.load_template(v)
        if table not in tpl.table_by_code:
            continue
        t = tpl.table(table)
        sub = long.filter(pl.col("template") == v)
        if sub.is_empty():
            continue
        for rule in tpl.sum_rules:
            if rule.table != table or rule.severity != severity:
                continue
            out.append(rule_failures(sub, t, rule.id, rule.per, rule.total, rule.parts))
    if not out:
        return marts.empty(marts.FAILURES_SCHEMA)
    return (
        pl.concat(out)
        .select(list(marts.FAILURES_SCHEMA))
        .cast(marts.FAILURES_SCHEMA)
        .sort("report_id", "rule", "row_code", "column_code", nulls_last=True)
    )


def rule_failures(
    long: pl.DataFrame,
    table: Table,
    rule_id: str,
    per: str,
    total: Sequence[str],
    parts: Sequence[str],
) -> pl.DataFrame:
    # per column: the rule runs down each column over rows; per row: across each row.
    axis, other = ("row_code", "column_code") if per == "column" else ("column_code", "row_code")
    if per == "row":  # only rows that have every column the rule names
        rows = [r.code for r in table.rows if set(total) | set(parts) <= set(r.columns)]
        long = long.filter(pl.col("row_code").is_in(rows))
    cells = long.filter(pl.col(axis).is_in([*total, *parts]))
    in_total = pl.col(axis).is_in(list(total))
    g = (
        cells.group_by("report_id", "agency", other)
        .agg(
            pl.col("value").filter(in_total).sum().alias("actual"),
            pl.col("value").filter(~in_total).sum().alias("expected"),
            pl.col("value").is_not_null().sum().alias("n"),
        )
        .filter(pl.col("n") == len(total) + len(parts))
        .filter(pl.col("actual") != pl.col("expected"))
    )
    missing = "column_code" if per == "row" else "row_code"
    return g.with_columns(
        pl.lit(rule_id).alias("rule"), pl.lit(None).cast(pl.String).alias(missing)
    ).select(list(marts.FAILURES_SCHEMA))
