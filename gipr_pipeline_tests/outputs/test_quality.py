"""Great Expectations on the marts: suites declared from the template, Data Docs per year, and a
failing expectation as a failed asset check on data_quality_docs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl
import pytest

from gipr_pipeline.marts import marts
from gipr_pipeline.outputs import quality
from gipr_pipeline.template import VERSIONS, load_template
from gipr_pipeline_tests.outputs.conftest import SAIHAN


def _checks(result) -> dict:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


# ---------------------------------------------------------------- the suites as declared
def test_every_mart_has_a_suite_of_existing_gx_expectations():
    import great_expectations.expectations as gxe

    assert {s.mart for s in quality.SUITES} == set(quality.MARTS)
    assert len({s.name for s in quality.SUITES}) == len(quality.SUITES)
    for s in quality.SUITES:
        assert s.expectations, s.name
        for e in s.expectations:
            assert hasattr(gxe, e.kind), (s.name, e.kind)


def _by_name(name: str) -> quality.Suite:
    return next(s for s in quality.SUITES if s.name == name)


def _of_mart(mart: str) -> list[quality.Expect]:
    """Every expectation on a mart, whichever view (suite) it is evaluated on."""
    return [e for s in quality.SUITES if s.mart == mart for e in s.expectations]


def test_rows_per_report_and_row_codes_come_from_each_template():
    exp = _of_mart("applications")
    rows = {
        dict(e.when)["template"]: e.kwargs["min_value"]
        for e in exp
        if e.kwargs.get("column") == "rows_in_report"
    }
    assert rows == {v: len(load_template(v).table("applications").rows) for v in VERSIONS}
    assert rows["2021"] == 25
    codes = {
        dict(e.when)["template"]: e.kwargs["value_set"]
        for e in exp
        if e.kwargs.get("column") == "row_code" and e.when
    }
    assert codes["2021"] == list(load_template("2021").table("applications").row_codes)
    unique = [e for e in exp if e.kwargs.get("column") == "duplicate_rows"]  # per report
    assert unique[0].kwargs == {"column": "duplicate_rows", "min_value": 0, "max_value": 0}
    year = next(e for e in exp if e.kwargs.get("column") == "year" and "min_value" in e.kwargs)
    assert year.kwargs["min_value"] == year.kwargs["max_value"] == {"$PARAMETER": "year"}


def test_balance_rules_are_multicolumn_expectations():
    def rules(*names: str) -> set[str]:
        return {
            e.rule
            for n in names
            for e in _by_name(n).expectations
            if e.kind == "ExpectMulticolumnSumToEqual" and e.rule
        }

    assert rules("applications", "applications_by_column") == {
        "applications.balance",
        "applications.row_total",
        "applications.results_sum",
    }
    assert rules("review_litigation") == {"review_litigation.total"}
    row_total = next(
        e for e in _by_name("applications").expectations if e.rule == "applications.row_total"
    )
    assert row_total.kwargs["column_list"][-1] == "minus_total"
    assert row_total.kwargs["sum_total"] == 0
    kinds = {e.kind for s in quality.SUITES for e in s.expectations}
    assert "ExpectColumnPairValuesAToBeGreaterThanB" in kinds


# ---------------------------------------------------------------- the pipeline's Data Docs
def test_each_year_has_data_docs_and_every_gx_check_passes(published):
    for year, result in published.results.items():
        assert result.success, year
        checks = _checks(result)
        gx = {k: e for k, e in checks.items() if k.startswith("gx_")}
        assert set(gx) == {f"gx_{m}" for m in quality.MARTS}
        assert all(e.passed for e in gx.values()), {k: e.passed for k, e in gx.items()}
        index = published.docs / "quality" / str(year) / "index.html"
        assert index.is_file()
        html = index.read_text("utf-8")
        assert all(s.name in html for s in quality.SUITES)
        page = gx["gx_applications"].metadata["page"].value
        assert page.endswith(".html") and "validations" in page

        mat = next(
            e
            for e in result.get_asset_materialization_events()
            if e.asset_key.to_user_string() == "data_quality_docs"
        ).materialization
        assert mat.metadata["docs"].value == str(index.resolve())
        assert mat.metadata["docs_url"].value == index.resolve().as_uri()
        assert mat.metadata["failed_expectations"].value == 0
        summary = mat.metadata["summary"].value  # our offline page beside the Data Docs
        assert summary == str((index.parent / "summary.html").resolve())
        text = Path(summary).read_text("utf-8")
        # The Chinese entry point to data quality: self-contained (no script, no network).
        assert "全部检查通过。" in text and "本页是数据质量的中文入口" in text
        assert '<h2 class="pass">申请办理(全部报告):通过' in text
        assert "<script" not in text and not re.search(r'(src|href)="(https?:)?//', text)
    entry = (published.docs / "index.html").read_text("utf-8")  # one page for every year
    for year in published.results:
        for link in (f"reports/annual_report_{year}.html", f"quality/{year}/summary.html"):
            assert f'href="{link}"' in entry


def test_a_misprinted_report_fails_the_applications_check_and_names_it(misprinted):
    result = misprinted.results[2024]
    assert result.success  # findings about reports are checks, not a broken run
    checks = _checks(result)
    assert not checks["gx_applications"].passed
    assert checks["gx_applications"].severity.value == "WARN"
    # The derived marts keep holding: the report is routed to rule_violations.
    for m in ("applications_checked", "year_summary", "rule_violations"):
        assert checks[f"gx_{m}"].passed, m
    md = checks["gx_applications"].metadata["failed_expectations"].value
    assert "applications.row_total" in md and "applications.balance" in md
    assert SAIHAN in md
    mat = next(
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "data_quality_docs"
    )
    assert mat.metadata["marts_failing"].value == ["applications"]
    summary = Path(mat.metadata["summary"].value).read_text("utf-8")
    assert '<h2 class="warn">申请办理(全部报告):未通过' in summary and SAIHAN in summary


# ---------------------------------------------------------------- what each suite catches
@pytest.fixture(scope="module")
def caught(published, tmp_path_factory):
    """The 2024 marts with one defect each, validated once: mart → failures."""
    f = {m: published.table(m, 2024) for m in quality.MARTS}
    a = f["applications"]
    first, last = a["report_id"][0], a["report_id"][-1]
    assert first != last
    a = pl.concat([a, a.head(1)])  # a duplicated (report, row)
    a = a.filter(~((pl.col("report_id") == last) & (pl.col("row_code") == "3.5.2")))  # missing
    a = a.with_columns(
        agency=pl.when(pl.col("report_id") == first).then(pl.lit("")).otherwise("agency")
    )
    f["applications"] = a
    rev = f["review_litigation"]
    f["review_litigation"] = rev.with_columns(
        upheld=pl.when(pl.int_range(pl.len()) == 0).then(-1).otherwise("upheld")
    )
    dis = f["active_disclosure"]
    f["active_disclosure"] = dis.with_columns(
        issued=pl.when(pl.col("row_code") == "fees").then(3).otherwise("issued")
    )
    f["year_summary"] = f["year_summary"].with_columns(year=pl.lit(2023, pl.Int32))
    # A relative docs folder, as the default data/docs is.
    docs = os.path.relpath(tmp_path_factory.mktemp("docs"))
    assert not Path(docs).is_absolute()
    q = quality.validate_year(f, 2024, docs)
    assert q.index.is_file()
    return {m: r for m, r in q.marts.items()}


def _failed(caught, mart) -> dict[str, quality.Failure]:
    return {f"{f.expectation}:{f.columns}": f for f in caught[mart].failed}


def test_suites_catch_duplicates_missing_rows_empty_agencies(caught):
    failed = _failed(caught, "applications")
    assert "expect_column_values_to_be_between:duplicate_rows" in failed
    assert "expect_column_values_to_be_between:rows_in_report" in failed
    assert "expect_column_value_lengths_to_be_between:agency" in failed
    assert not caught["applications"].success


def test_suites_catch_negative_counts_misplaced_cells_and_wrong_years(caught):
    rev = _failed(caught, "review_litigation")
    assert rev["expect_column_values_to_be_between:upheld"].unexpected == 1
    assert any(k.startswith("expect_multicolumn_sum_to_equal") for k in rev)  # total rule
    dis = _failed(caught, "active_disclosure")
    assert dis["expect_column_values_to_be_null:issued"].unexpected >= 1
    summary = _failed(caught, "year_summary")
    assert summary["expect_column_values_to_be_between:year"].sample == [{"year": 2023}]
    assert caught["rule_violations"].success and caught["applications_checked"].success


# ---------------------------------------------------------------- the views GX validates
def _view(name: str, df: pl.DataFrame) -> pl.DataFrame:
    return _by_name(name).view(df.lazy())


def test_views_keep_every_broken_cell_in_sight(published):
    """The suites validate small views (one row per report, per row pattern, …): a report
    breaking a rule anywhere shows a breaking row in its view, not its first (passing) one."""
    a = published.table("applications", 2024)
    ids = sorted(a["report_id"].unique())
    assert len(ids) >= 4
    cell = (pl.col("report_id") == ids[0]) & (pl.col("row_code") == "3.2")
    col = (pl.col("report_id") == ids[1]) & (pl.col("row_code") == "3.7")
    a = a.with_columns(
        natural_person=pl.when(cell).then(pl.col("natural_person") + 1).otherwise("natural_person"),
        other_org=pl.when(col).then(pl.col("other_org") + 2).otherwise("other_org"),
        legal_service_org=pl.when((pl.col("report_id") == ids[2]) & (pl.col("row_code") == "4"))
        .then(-5)
        .otherwise("legal_service_org"),
        total=pl.when((pl.col("report_id") == ids[3]) & (pl.col("row_code") == "2"))
        .then(None)
        .otherwise("total"),
    )
    per_report = _view("applications", a)
    assert per_report.height == len(ids)  # one row per report
    broken = per_report.filter(pl.col("report_id") == ids[0]).row(0, named=True)
    assert broken["row_code"] == "3.2"  # row_total fails there, not in row 1
    assert set(per_report["rows_in_report"]) == {25}
    by_col = _view("applications_by_column", a)
    assert by_col.filter(pl.col("report_id") == ids[1])["column_code"].to_list() == ["other_org"]
    assert ids[3] not in by_col["report_id"]  # incomplete: the column rules are skipped
    rows = _view("applications_rows", a)
    neg = rows.filter(pl.col("legal_service_org") < 0).row(0, named=True)
    assert (neg["row_code"], neg["report_id"], neg["reports"]) == ("4", ids[2], 1)
    null = rows.filter(pl.col("total").is_null()).row(0, named=True)
    assert (null["row_code"], null["report_id"]) == ("2", ids[3])
    # rule_violations: blank cells of a report are one row, with how many mart rows it holds
    blank = {"report_id": ids[0], "year": 2024, "agency": "x", "rule": "cells.blank"}
    v = pl.DataFrame(
        [
            {**blank, "severity": "soft", "table_code": "applications", "row_code": r}
            for r in ("1", "2", "3.1")
        ],
        schema=marts.VIOLATIONS_SCHEMA,
        orient="row",
    )
    assert _view("rule_violations", v)[["rule", "rows"]].rows() == [("cells.blank", 3)]
