"""Soft content audits: cells.blank, sections.problems_empty, fees.unreported."""

import pytest

from gipr_pipeline.parser import audits
from gipr_pipeline.parser.parse import parse_path, parse_text
from gipr_pipeline.template import load_template


def _rules(r):
    return sorted((v.rule, v.severity) for v in r.violations)


def test_blank_cells_are_named_soft_violations(seed_paths):
    text = seed_paths["001"].read_text("utf-8")
    # 规章's three zeros printed as —, / and blank.
    text = text.replace("规章 | 0 | 0 | 0 |", "规章 | — | / |  |")
    r = parse_text(text, "blank.txt")
    blanks = [v for v in r.violations if v.rule == "cells.blank"]
    assert [(v.table, v.row, v.column, v.severity) for v in blanks] == [
        ("active_disclosure", "rules", c, "soft") for c in ("issued", "repealed", "in_force")
    ]
    assert [v.detail for v in blanks] == [
        "printed '—', read as 0",
        "printed '/', read as 0",
        "printed blank, read as 0",
    ]
    # The zero is kept, and the problem still lists the cells.
    assert {(f.row, f.column, f.value) for f in r.facts if f.row == "rules"} == {
        ("rules", c, 0) for c in ("issued", "repealed", "in_force")
    }
    assert any(p.startswith("blank_as_zero: active_disclosure rules/issued=—") for p in r.problems)


@pytest.mark.parametrize(
    "body,empty",
    [
        ("公开的深度和广度还不够。下一步将加强培训。", False),
        ("一是信息更新不及时。", False),
        ("无。", True),
        ("暂无", True),
        ("", True),
        ("\n \n", True),
    ],
)
def test_problems_section_empty(body, empty):
    got = audits.problems_empty({"problems": body})
    assert bool(got) == empty
    if empty:
        assert got[0].rule == "sections.problems_empty" and got[0].severity == "soft"


def test_problems_section_missing():
    (v,) = audits.problems_empty({"overview": "…"})
    assert "not found" in v.detail


@pytest.mark.parametrize(
    "other",
    [
        # The five seeds' wordings.
        "依据《政府信息公开信息处理费管理办法》,本年度我办未收取政府信息公开信息处理费。",
        "本年度临河区民政局未收取政府信息公开信息处理费。",
        "2024年,我局未收取政府信息公开处理费。",
        "(一)政府信息处理费收取情况。本年度我中心无政府信息公开信息处理费产生。",
        "无其他需要报告的事项。本机关按照…规定收费标准,本年度没有产生信息公开处理费。",
        # Other wordings.
        "本年度未收取任何费用。",
        "本机关依申请提供政府信息,不收费。",
        "共收取信息处理费0.02万元。",
    ],
)
def test_fees_stated(other):
    assert audits.fees_unreported({"other": other}) == []


@pytest.mark.parametrize(
    "sections,where",
    [
        ({"other": "无其他需要报告的事项。"}, "does not mention"),
        ({"other": "本年度政务公开工作要点已全部落实。"}, "does not mention"),
        ({"overview": "全年主动公开政府信息32条。"}, "not found"),
    ],
)
def test_fees_unreported(sections, where):
    (v,) = audits.fees_unreported(sections)
    assert v.rule == "fees.unreported" and v.severity == "soft" and where in v.detail


def test_fees_rule_is_a_2021_template_duty(seed_paths):
    """The 2019 template predates 国办函〔2020〕109号: a 2019-template report is not asked."""
    text = seed_paths["001"].read_text("utf-8")
    text = text.replace("本年度临河区民政局未收取政府信息公开信息处理费。", "无。")
    assert _rules(parse_text(text, "x.txt")) == [("fees.unreported", "soft")]
    assert "fees.unreported" not in {r.id for r in load_template("2019").rules}


def test_seeds_pass_every_audit(seed_paths):
    for seed, p in seed_paths.items():
        assert parse_path(p).violations == [], seed
