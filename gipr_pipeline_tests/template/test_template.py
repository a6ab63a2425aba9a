import pytest

from gipr_pipeline.template import SECTION_CODES, TABLE_CODES, load_template


def test_2021_template_shape():
    t = load_template("2021")
    assert [s.code for s in t.sections] == list(SECTION_CODES)
    assert [x.code for x in t.tables] == ["applications", "review_litigation", "active_disclosure"]
    assert set(TABLE_CODES) == {x.code for x in t.tables}
    app = t.table("applications")
    assert len(app.rows) == 25 and app.n_cells == 175
    assert app.columns == (
        "natural_person",
        "commercial_enterprise",
        "research_institution",
        "social_welfare_org",
        "legal_service_org",
        "other_org",
        "total",
    )
    assert t.table("review_litigation").n_cells == 15
    assert t.table("active_disclosure").n_cells == 10
    assert t.n_facts == 200
    assert t.table("active_disclosure").row("fees").decimal


def test_2019_template_has_single_other_outcome_row():
    t = load_template("2019")
    app = t.table("applications")
    assert len(app.rows) == 23
    codes = app.row_codes
    assert "3.6" in codes and "3.6.1" not in codes
    assert codes.index("3.6") == codes.index("3.5.5") + 1


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_rules_are_declared_with_outcome_rows_from_the_template(version):
    t = load_template(version)
    rules = {r.id: r for r in t.sum_rules}
    assert all(r.severity == "hard" for r in rules.values())
    assert set(rules) == {
        "applications.balance",
        "applications.row_total",
        "applications.results_sum",
        "review_litigation.total",
    }
    outcome = rules["applications.results_sum"].parts
    assert outcome[0] == "3.1" and "3.7" not in outcome and "4" not in outcome
    assert ("3.6" in outcome) == (version == "2019")
    assert rules["applications.balance"].total == ("3.7", "4")
    assert rules["applications.balance"].parts == ("1", "2")


def test_unknown_version_is_refused():
    with pytest.raises(ValueError, match="unknown template version"):
        load_template("2030")


def test_2019_section_two_is_declared_in_its_own_form():
    t = load_template("2019")
    ad = t.table("active_disclosure")
    assert ad.row_codes == (
        "rules",
        "normative_documents",
        "licensing",
        "other_services",
        "penalty",
        "coercion",
        "fees",
        "procurement",
    )
    assert ad.row("rules").columns == ("made", "published", "total_public")
    for r in ("licensing", "other_services", "penalty", "coercion"):
        assert ad.row(r).columns == ("previous_count", "change", "decisions")
    assert ad.row("fees").columns == ("previous_count", "change")
    assert ad.row("procurement").columns == ("procurement_items", "procurement_amount")
    assert ad.signed == {"change"}
    assert ad.is_decimal(ad.row("procurement"), "procurement_amount")
    assert not ad.is_decimal(ad.row("procurement"), "procurement_items")
    assert not ad.is_decimal(ad.row("fees"), "previous_count")
    assert ad.n_cells == 22
    # 23 × 7 + 15 + 22: the facts of a complete 2019 report.
    assert t.n_facts == 198
    # The 2021 table is unchanged and has no signed column.
    assert load_template("2021").table("active_disclosure").signed == frozenset()


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_soft_rules_are_declared_as_data(version):
    t = load_template(version)
    soft = {r.id: r.kind for r in t.rules if r.severity == "soft"}
    expected = {
        "narrative.agreement": "narrative",
        "cells.blank": "audit",
        "sections.problems_empty": "audit",
        "applications.carryover_continuity": "continuity",
    }
    if version == "2021":  # 信息处理费 reporting came with the 2021 template
        expected["fees.unreported"] = "audit"
    assert soft == expected
    assert all(r.kind == "sum" for r in t.rules if r.severity == "hard")
