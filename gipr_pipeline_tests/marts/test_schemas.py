"""pandera schemas: built from the template, accept what the marts produce, reject the rest."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandera.errors import SchemaErrors

from gipr_pipeline.marts import continuity, fingerprint, marts, schemas, yoy
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import inventory as inv
from gipr_pipeline.template import load_template

YEARS = list(range(2019, 2026))


@pytest.fixture(scope="module")
def frames(raw_dir) -> dict[str, pl.DataFrame]:
    items = [x for x in inv.inventory(raw_dir, YEARS) if x[2].year == 2024]
    acc = [(i.report_id, a.year, r) for i, r, a in items if a.accepted]
    facts, problems = marts.report_facts(acc), marts.report_problems(acc)
    apps, review = marts.applications(facts), marts.review_litigation(facts)
    viol = marts.rule_violations(problems, facts)
    checked = marts.applications_checked(apps, viol)
    raw, rej = marts.raw_reports(items), marts.rejected_reports(items)
    previous = apps.with_columns(pl.lit(2024, pl.Int32).alias("year"))
    breaks = continuity.carryover_breaks(2025, previous, apps)
    rid = raw["report_id"][0]
    lines = corr.lines(
        [
            corr.new_line(
                table="applications",
                row="1",
                column="total",
                value="1",
                who="a",
                why="b",
                report_id=rid,
            ),
            corr.new_line(
                table="applications",
                row="9",
                column="total",
                value="1",
                who="a",
                why="b",
                report_id=rid,
            ),
        ]
    ).with_columns(current_id=pl.lit(rid))
    return {
        "corrections": corr.audit(2024, lines, facts),
        "year_over_year": yoy.year_over_year(2025, breaks, previous, apps),
        "run_inputs": fingerprint.record(2024, raw, "0" * 64, "1" * 64),
        "raw_reports": raw,
        "report_sections": marts.report_sections(acc),
        "report_facts": facts,
        "report_problems": problems,
        "rejected_reports": rej,
        "applications": apps,
        "review_litigation": review,
        "active_disclosure": marts.active_disclosure(facts),
        "rule_violations": viol,
        "applications_checked": checked,
        "year_summary": marts.year_summary(2024, raw, rej, viol, checked, review),
        # The seeds against themselves a year earlier: every pair matched, no break.
        "carryover_breaks": breaks,
    }


def _fails(model, df) -> set[str]:
    try:
        model.validate(df, lazy=True)
    except SchemaErrors as e:
        # Built-in checks are named with their arguments ("isin([...])"): keep the name.
        return {c.split("(")[0] for c in e.failure_cases["check"].cast(pl.String).to_list()}
    return set()


def test_every_asset_has_a_schema_that_accepts_the_seeds(frames):
    assert set(frames) == set(schemas.SCHEMAS)
    for name, df in frames.items():
        assert not _fails(schemas.SCHEMAS[name], df), name
    # The empty frames a quiet year produces are valid too (and keep their columns).
    for name, schema in [
        ("rejected_reports", marts.REJECTED_SCHEMA),
        ("rule_violations", marts.VIOLATIONS_SCHEMA),
    ]:
        assert not _fails(schemas.SCHEMAS[name], marts.empty(schema))


def test_codes_come_from_the_template():
    assert schemas.row_codes("applications") == sorted(
        set(load_template("2021").table("applications").row_codes) | {"3.6"}
    )
    assert "2021|applications|3.6.1|total" in schemas.VALID_CELLS
    assert "2019|applications|3.6|total" in schemas.VALID_CELLS
    assert "2019|applications|3.6.1|total" not in schemas.VALID_CELLS
    cols = schemas.Applications.to_schema().columns
    assert [c for c in cols if c in marts.APPLICANT_COLUMNS] == list(marts.APPLICANT_COLUMNS)


def test_facts_reject_bad_codes_negative_values_and_duplicates(frames):
    f = frames["report_facts"]
    assert "isin" in _fails(schemas.ReportFacts, f.with_columns(pl.lit("9.9").alias("row_code")))
    assert "non_negative_unless_signed" in _fails(
        schemas.ReportFacts, f.with_columns(pl.lit(-1.0).alias("value"))
    )
    assert "multiple_fields_uniqueness" in _fails(schemas.ReportFacts, pl.concat([f, f.head(1)]))
    # A real row and a real column that do not meet in the template: review has no 'issued'.
    bad = f.head(1).with_columns(
        pl.lit("review_litigation").alias("table_code"),
        pl.lit("review").alias("row_code"),
        pl.lit("issued").alias("column_code"),
    )
    assert "cell_in_template" in _fails(schemas.ReportFacts, bad)


def test_checked_mart_rejects_a_broken_balance(frames):
    checked = frames["applications_checked"]
    row1 = pl.col("row_code") == "1"
    bumped = checked.with_columns(
        pl.when(row1).then(pl.col("total") + 1).otherwise(pl.col("total")).alias("total")
    )
    assert {"balance", "row_total"} <= _fails(schemas.ApplicationsChecked, bumped)
    # The unchecked mart is allowed to hold it: it is routed to rule_violations instead.
    assert not _fails(schemas.Applications, bumped)
    moved = checked.with_columns(
        pl.when(pl.col("row_code") == "3.1")
        .then(pl.col("natural_person") - 1)
        .otherwise(pl.col("natural_person"))
        .alias("natural_person"),
        pl.when(pl.col("row_code") == "3.1")
        .then(pl.col("total") - 1)
        .otherwise(pl.col("total"))
        .alias("total"),
    ).filter(pl.col("report_id") == pl.col("report_id").first())
    # 3.1 no longer sums to 3.7 (and, through 3.7 + 4, the balance still holds nowhere).
    assert "results_sum" in _fails(schemas.ApplicationsChecked, moved)
    assert "complete" in _fails(
        schemas.ApplicationsChecked, checked.filter(pl.col("row_code") != "3.2")
    )


@st.composite
def balanced_tables(draw):
    """A random applications table that satisfies every hard rule, for one or two templates."""
    version = draw(st.sampled_from(["2021", "2019"]))
    t = load_template(version).table("applications")
    six = marts.APPLICANT_COLUMNS[:-1]
    outcome_rows = [r for r in t.row_codes if r[:2] in {"3.", "3"} and r != "3.7"]
    values: dict[tuple[str, str], int] = {}
    for c in six:
        for r in outcome_rows:
            values[r, c] = draw(st.integers(0, 30))
        values["3.7", c] = sum(values[r, c] for r in outcome_rows)
        values["4", c] = draw(st.integers(0, 20))
        values["2", c] = draw(st.integers(0, values["3.7", c] + values["4", c]))
        values["1", c] = values["3.7", c] + values["4", c] - values["2", c]
    rows = []
    for i, r in enumerate(t.row_codes):
        cells = {c: values[r, c] for c in six}
        rows.append(
            {
                "report_id": "e" * 64,
                "year": 2020 if version == "2019" else 2023,
                "agency": "x",
                "template": version,
                "row_code": r,
                "row_order": i,
                **cells,
                "total": sum(cells.values()),
            }
        )
    return pl.DataFrame(rows, schema=marts.APPLICATIONS_SCHEMA, orient="row")


@given(balanced_tables(), st.data())
def test_balanced_tables_pass_and_any_bump_fails(table, data):
    assert not _fails(schemas.ApplicationsChecked, table)
    assert marts.balance_failures(table, "applications").is_empty()
    i = data.draw(st.integers(0, table.height - 1))
    col = data.draw(st.sampled_from(marts.APPLICANT_COLUMNS))
    bumped = table.with_columns(
        pl.when(pl.int_range(pl.len()) == i).then(pl.col(col) + 1).otherwise(pl.col(col)).alias(col)
    )
    assert _fails(schemas.ApplicationsChecked, bumped) & {"balance", "row_total", "results_sum"}
    assert not marts.balance_failures(bumped, "applications").is_empty()


def test_year_summary_counts_must_add_up(frames):
    s = frames["year_summary"].with_columns(pl.lit(9, dtype=pl.Int64).alias("reports"))
    assert "counts_add_up" in _fails(schemas.YearSummary, s)


def test_facts_accept_a_negative_change_in_the_2019_template_only(frames):
    f = frames["report_facts"].head(1)
    change = f.with_columns(
        pl.lit("2019").alias("template"),
        pl.lit("active_disclosure").alias("table_code"),
        pl.lit("licensing").alias("row_code"),
        pl.lit("change").alias("column_code"),
        pl.lit(-3.0).alias("value"),
    )
    schemas.ReportFacts.validate(change)
    other = change.with_columns(pl.lit("decisions").alias("column_code"))
    assert "non_negative_unless_signed" in _fails(schemas.ReportFacts, other)
