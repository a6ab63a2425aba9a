"""Corrections on record (marts/corrections.py): file validation, the audit's reason codes,
the corrected facts and the hard rules evaluated again on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import marts
from gipr_pipeline.parser.parse import parse_bytes

HEADER = "report_id,source,table,row,column,value,printed,who,when,why\n"
# The seed 000's row (一)予以公开: six applicant cells and the total (first copy of the page).
PRINTED_31 = "(一)予以公开 |\n4 |\n0 |\n0 |\n0 |\n0 |\n0 |\n4 | |"


def violating_copy(seed: Path) -> bytes:
    """Seed 000 with the total of row 3.1 misprinted as 5 (the applicant cells add up to 4)."""
    text = seed.read_text("utf-8")
    assert PRINTED_31 in text
    return text.replace(PRINTED_31, PRINTED_31[:-5] + "5 | |", 1).encode()


@pytest.fixture
def violating(seed_paths):
    data = violating_copy(seed_paths["000"])
    res = parse_bytes(data, "000.txt")
    import hashlib

    rid = hashlib.sha256(data).hexdigest()
    return rid, res, marts.report_facts([(rid, 2024, res)])


def _raw(rid: str, path: str = "000.txt") -> pl.DataFrame:
    return pl.DataFrame({"report_id": [rid], "paths": [[path]]})


def _write(folder: Path, body: str, name: str = "c.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(HEADER + body, "utf-8")
    return folder


def test_the_misprint_breaks_two_hard_rules(violating):
    _, res, _ = violating
    hard = sorted(
        (v.rule, v.row, v.column, v.expected, v.actual)
        for v in res.violations
        if v.severity == "hard"
    )
    assert hard == [
        ("applications.results_sum", None, "total", 28, 27),
        ("applications.row_total", "3.1", None, 4, 5),
    ]


def test_a_correction_clears_the_violations_and_its_removal_restores_them(tmp_path, violating):
    rid, res, facts = violating
    folder = _write(
        tmp_path / "corrections",
        f"{rid},000.txt,applications,3.1,total,4,5,张三,2025-03-01,机关来函:总计应为4\n",
    )
    rows = corr.of_year(corr.read(folder), 2024, _raw(rid))
    audit = corr.audit(2024, rows, facts)
    assert audit.select("status", "reason", "printed", "value", "who", "why").rows() == [
        ("applied", None, 5.0, 4.0, "张三", "机关来函:总计应为4")
    ]
    assert audit["corrected_on"].to_list() == [dt.date(2025, 3, 1)]
    fixes = corr.applied(audit)
    fixed = corr.apply(facts, fixes)
    cell = (pl.col("table_code") == "applications") & (pl.col("row_code") == "3.1")
    assert fixed.filter(cell & (pl.col("column_code") == "total"))["value"].to_list() == [4.0]
    assert fixed.height == facts.height == 200
    # No hard rule breaks after the correction: the report is complete and consistent.
    assert corr.violations_after(facts, fixes, 2024).is_empty()
    apps = marts.applications(fixed)
    assert marts.balance_failures(apps, "applications").is_empty()
    assert marts.complete_report_ids(apps) == {rid}
    # The parser's hard violations are replaced for the corrected report, soft ones stay.
    parsed = marts.rule_violations(marts.report_problems([(rid, 2024, res)]), facts)
    assert set(parsed.filter(pl.col("severity") == "hard")["rule"]) == {
        "applications.results_sum",
        "applications.row_total",
    }
    after = corr.corrected_violations(parsed, corr.violations_after(facts, fixes, 2024), [rid])
    assert after.filter(pl.col("severity") == "hard").is_empty()
    assert after.height == parsed.filter(pl.col("severity") == "soft").height
    # Removed: nothing applied, the facts as printed, the rules break again.
    (folder / "c.csv").unlink()
    rows = corr.of_year(corr.read(folder), 2024, _raw(rid))
    assert rows.is_empty()
    none = corr.applied(corr.audit(2024, rows, facts))
    assert corr.apply(facts, none).equals(facts)
    assert marts.balance_failures(marts.applications(facts), "applications").height == 2


def test_violations_after_a_wrong_correction_name_the_cells(violating):
    rid, _, facts = violating
    fixes = pl.DataFrame(
        {
            "report_id": [rid],
            "table_code": ["applications"],
            "row_code": ["1"],
            "column_code": ["natural_person"],
            "value": [30.0],
        }
    )
    v = corr.violations_after(facts, fixes, 2024)
    got = sorted(v.select("rule", "row_code", "column_code", "expected", "actual").rows(), key=str)
    assert ("applications.row_total", "1", None, 30.0, 28.0) in got
    assert set(v["severity"]) == {"hard"} and set(v["year"]) == {2024}
    assert all(d.startswith("after correction") for d in v["detail"])


def test_every_reason_code(tmp_path, violating):
    rid, _, facts = violating
    other = "a" * 64
    folder = _write(
        tmp_path / "c",
        # 2: cell not in the template; 3: printed recorded differs; 4: a fraction in a count;
        # 5: same as printed; 6/7: the same cell twice (the later date applies);
        # 8: the file now holds other bytes; 9: no who, a bad date, a non-number
        f"{rid},,applications,9.9,total,1,,张三,2025-03-01,x\n"
        f"{rid},,applications,3.1,total,4,7,张三,2025-03-01,x\n"
        f"{rid},,applications,3.1,natural_person,1.5,,张三,2025-03-01,x\n"
        f"{rid},,applications,3.1,total,5,,张三,2025-03-01,x\n"
        f",000.txt,applications,1,total,29,,李四,2025-04-02,later\n"
        f",000.txt,applications,1,total,30,,李四,2025-04-01,earlier\n"
        f"{other},000.txt,applications,2,total,1,,李四,2025-04-01,x\n"
        f"{rid},,applications,2,total,abc,,,2025-02-30,x\n",
    )
    rows = corr.of_year(corr.read(folder), 2024, _raw(rid))
    audit = corr.audit(2024, rows, facts)
    got = audit.select("file", "status", "reason").rows()
    assert got == [
        ("c.csv:2", "rejected", "cell_not_found"),
        ("c.csv:3", "rejected", "printed_changed"),
        ("c.csv:4", "rejected", "value_not_allowed"),
        ("c.csv:5", "rejected", "unchanged"),
        ("c.csv:6", "applied", None),
        ("c.csv:7", "rejected", "superseded"),
        ("c.csv:8", "rejected", "report_changed"),
        ("c.csv:9", "rejected", "invalid"),
    ]
    assert audit.filter(pl.col("file") == "c.csv:9")["detail"].to_list() == [
        "value_number; when_date; who"
    ]
    assert set(audit["reason"].drop_nulls()) <= set(corr.REASONS)
    # The audit is what the pandera model of the mart accepts.
    from gipr_pipeline.marts.schemas import SCHEMAS

    SCHEMAS["corrections"].validate(audit)


def test_a_file_without_the_columns_is_one_invalid_line(tmp_path):
    (tmp_path / "bad.csv").write_text("foo,bar\n1,2\n", "utf-8")
    df = corr.read(tmp_path)
    assert df["file"].to_list() == ["bad.csv:1"]
    assert "missing columns: table, row, column, value, who, when, why" in df["errors"][0]


def test_lines_go_to_the_year_of_their_report(tmp_path):
    folder = _write(
        tmp_path / "c",
        f"{'b' * 64},,applications,1,total,1,,a,2025-01-01,x\n"
        f",x/2022.txt,applications,1,total,1,,a,2025-01-01,x\n"
        f",nowhere.txt,applications,1,total,1,,a,2025-01-01,x\n",
    )
    lines = corr.read(folder)
    years = corr.assign_years(lines, {"b" * 64: 2024, "c" * 64: 2022}, {"x/2022.txt": "c" * 64})
    assert years == [2024, 2022, None]
    # The digest follows the lines of a year, not their order in the file.
    assert corr.digest(lines) == corr.digest(lines.reverse())
    assert corr.digest(lines) != corr.digest(lines.head(2))


def test_a_bom_written_by_excel_is_not_part_of_the_header(tmp_path):
    (tmp_path / "x.csv").write_bytes(
        ("\ufeff" + HEADER + f"{'b' * 64},,applications,1,total,1,,a,2025-01-01,x\n").encode()
    )
    assert corr.read(tmp_path)["errors"].to_list() == [""]
