"""The rule evaluator on hand-made cells, with exact violations."""

from gipr_pipeline.parser.model import Violation
from gipr_pipeline.parser.rules import evaluate
from gipr_pipeline.template import load_template

T = load_template("2021")
APP = T.table("applications")


def consistent() -> dict:
    app = {(r, c): 0 for r, c in APP.cells()}
    for c in ("natural_person", "total"):
        app[("1", c)], app[("3.1", c)], app[("3.4.1", c)], app[("3.7", c)], app[("4", c)] = (
            28,
            4,
            23,
            27,
            1,
        )
    rev = {(r.code, c): 0 for r in T.table("review_litigation").rows for c in r.columns}
    rev[("review", "corrected")], rev[("review", "other")], rev[("review", "total")] = 6, 4, 10
    return {"applications": app, "review_litigation": rev}


def test_consistent_report_has_no_violation():
    v, skipped = evaluate(consistent(), T)
    assert v == [] and skipped == []


def test_outcome_cell_breaks_row_total_and_results_sum():
    cells = consistent()
    cells["applications"][("3.2", "research_institution")] = 3
    v, _ = evaluate(cells, T)
    assert v == [
        Violation("applications.row_total", "applications", "3.2", None, expected=3, actual=0),
        Violation(
            "applications.results_sum",
            "applications",
            None,
            "research_institution",
            expected=3,
            actual=0,
        ),
    ]


def test_balance_names_the_column():
    cells = consistent()
    cells["applications"][("4", "natural_person")] = 2  # out-flow 29 vs in-flow 28
    cells["applications"][("4", "total")] = 2
    v, _ = evaluate(cells, T)
    assert Violation("applications.balance", "applications", None, "natural_person", 28, 29) in v
    assert Violation("applications.balance", "applications", None, "total", 28, 29) in v
    assert len(v) == 2


def test_review_total():
    cells = consistent()
    cells["review_litigation"][("litigation_direct", "total")] = 5
    v, _ = evaluate(cells, T)
    assert v == [
        Violation("review_litigation.total", "review_litigation", "litigation_direct", None, 0, 5)
    ]


def test_rule_with_an_unread_cell_is_skipped_and_said():
    cells = consistent()
    del cells["applications"][("2", "total")]
    v, skipped = evaluate(cells, T)
    assert v == []
    assert skipped == [
        "rule_skipped: applications.balance column total (a cell it needs was not read)",
        "rule_skipped: applications.row_total row 2 (a cell it needs was not read)",
    ]


def test_missing_table_evaluates_nothing():
    v, skipped = evaluate({"applications": consistent()["applications"]}, T)
    assert v == [] and skipped == []
