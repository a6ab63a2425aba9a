"""Golden tests: every seed report, every fact, its metadata, no violations."""

import pytest

from gipr_pipeline.parser.parse import parse_path
from gipr_pipeline.template import load_template

T = load_template("2021")

# Seed 000 is the only one with non-zero numbers: every non-zero cell, by name.
NONZERO_000 = {
    ("applications", "1", "natural_person"): 28,
    ("applications", "1", "total"): 28,
    ("applications", "3.1", "natural_person"): 4,
    ("applications", "3.1", "total"): 4,
    ("applications", "3.4.1", "natural_person"): 23,
    ("applications", "3.4.1", "total"): 23,
    ("applications", "3.7", "natural_person"): 27,
    ("applications", "3.7", "total"): 27,
    ("applications", "4", "natural_person"): 1,
    ("applications", "4", "total"): 1,
    ("review_litigation", "review", "corrected"): 6,
    ("review_litigation", "review", "other"): 4,
    ("review_litigation", "review", "total"): 10,
    ("review_litigation", "litigation_direct", "corrected"): 1,
    ("review_litigation", "litigation_direct", "total"): 1,
    ("review_litigation", "litigation_after_review", "upheld"): 7,
    ("review_litigation", "litigation_after_review", "total"): 7,
    ("active_disclosure", "normative_documents", "in_force"): 2,
}

META = {
    "000": ("赛罕区人民政府办公室", 2024, None, "0471-4211860"),
    "001": ("临河区民政局", 2024, "2025-01-22", "0478-8288261"),
    "002": ("陈仓区数据局", 2024, None, "0917-6215992"),
    "003": (
        "阿拉善高新技术产业开发区(乌斯太镇)市政和金融服务中心",
        2022,
        "2023-01-19",
        "0483-8185087",
    ),
    "004": ("哈密市伊州区天山乡人民政府", 2024, "2025-01-26", None),
}


def _expected_facts(nonzero: dict) -> dict:
    out = {}
    for t in T.tables:
        for r, c in t.cells():
            out[(t.code, r, c)] = nonzero.get((t.code, r, c), 0)
    return out


@pytest.mark.parametrize("seed", sorted(META))
def test_seed_golden(seed, seed_paths):
    r = parse_path(seed_paths[seed])
    assert r.status == "ok", r.message
    agency, year, published, phone = META[seed]
    assert (r.report.agency, r.report.year, r.report.published, r.report.phone) == (
        agency,
        year,
        published,
        phone,
    )
    assert r.report.template == "2021"
    got = {(f.table, f.row, f.column): f.value for f in r.facts}
    assert len(r.facts) == 200 == len(got)
    assert got == _expected_facts(NONZERO_000 if seed == "000" else {})
    assert r.missing_tables == []
    assert r.violations == []
    assert [s for s in r.sections] == [s.code for s in T.sections]


def test_seed_000_duplicate_page_kept_once(seed_paths):
    r = parse_path(seed_paths["000"])
    assert r.problems == [
        "duplicated_copy: the report appears twice; the first copy was kept",
        "template_guessed: 2021 (from the rows; no 30号/60号 reference)",
    ]
    # The second copy and the portal chrome between the copies are gone.
    body = "\n".join(r.sections.values())
    assert body.count("本年新收政府信息公开申请数量") == 1
    assert "ICP备" not in body and "主办单位" not in body


def test_seeds_other_than_000_have_no_problems(seed_paths):
    for seed in ("001", "002", "003"):
        assert parse_path(seed_paths[seed]).problems == [], seed
    # 004 has no introduction, so no 30号 reference: the template comes from its rows.
    assert parse_path(seed_paths["004"]).problems == [
        "template_guessed: 2021 (from the rows; no 30号/60号 reference)"
    ]


@pytest.mark.parametrize("seed", sorted(META))
def test_seeds_break_no_soft_rule(seed, seed_paths):
    """All five seeds state their 信息处理费 (in different words), have a section 五, print no
    blank cells, and their prose agrees with their tables."""
    assert parse_path(seed_paths[seed]).violations == []


def test_fees_are_decimal_and_counts_integer(seed_paths):
    r = parse_path(seed_paths["001"])
    fees = [f for f in r.facts if f.row == "fees"]
    assert fees and all(isinstance(f.value, float) for f in fees)
    assert all(isinstance(f.value, int) for f in r.facts if f.row != "fees")
