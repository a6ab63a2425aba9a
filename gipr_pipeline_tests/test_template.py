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
    rules = {r.id: r for r in t.rules}
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
