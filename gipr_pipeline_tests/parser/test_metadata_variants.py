"""Metadata as reports copied from PDFs and pages print it (issue 14): a title split over two
lines with a space before 年, the agency abbreviated in the title and in full only in the
signature or the introduction, an office named as the report's compiler (never the agency), a
spaced-out phone label, a crawler's 标题: or a markdown # before the title."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gipr_pipeline.corpus.render import Style, random_truth, render_report
from gipr_pipeline.parser import metadata
from gipr_pipeline.parser.parse import parse_text
from gipr_pipeline.readers.decode import normalize

PLACES = ("临澜市", "澄溪市", "北溟县", "鹭屿区", "柘川县")
# (full name, abbreviation) of the kind reports use in titles.
BODIES = (
    ("科学技术委员会", "科委"),
    ("发展和改革委员会", "发改委"),
    ("人力资源和社会保障局", "人社局"),
    ("住房和城乡建设局", "住建局"),
    ("市场监督管理局", "市场监管局"),
    ("卫生健康委员会", "卫健委"),
)
PHONE_LABELS = ("电 话 :", "联 系 电 话 :", "联系电话:", "电话 :")
COMPILERS = ("办公室", "政务公开办公室")


def _variant(rng: random.Random, signature: bool) -> tuple[str, str, int, str, str]:
    """A report whose metadata is printed in one of the variant ways: (text, full agency name,
    year, phone)."""
    place, (body, abbr) = rng.choice(PLACES), rng.choice(BODIES)
    full = place + body
    short = rng.choice((place + abbr, place[-1] + abbr))  # 临澜市科委, 市科委
    truth = random_truth(rng, scale=3)
    truth.agency = short  # the prose says what the title says
    text, _ = render_report(truth, Style(layout="row_pipe", title=False, signature=False), rng)
    y = truth.year
    phone = f"0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}"
    label = rng.choice(PHONE_LABELS)
    text = text.replace("(电话:0471-4211860)", f"({label} {phone})")
    compiler = f"本报告由{full}{rng.choice(COMPILERS)}负责编制。"
    title = rng.choice(
        (
            [f"{y}年{short}政府信息公开工作年度报告"],
            [f"{y} 年{short}政府信息公开工作", "年度报告"],
            [f"{short}{y}年度政府信息公开工作年度报告"],
            [f"{short}{y}年政府信息公开工作", "年度报告"],
        )
    )
    prefix = rng.choice(("", "标题: ", "# ", "标题:"))
    title[0] = prefix + title[0]
    lines = [*title, compiler + text]
    if signature:
        lines += [full, f"{y + 1}年1月{rng.randint(10, 31)}日"]
    return "\n".join(lines) + "\n", full, y, phone, short


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), signature=st.booleans())
def test_metadata_variants_read_the_full_agency_year_and_phone(seed, signature):
    text, full, year, phone, _ = _variant(random.Random(seed), signature)
    r = parse_text(normalize(text), "variant.txt")
    assert r.status == "ok"
    assert (r.report.agency, r.report.year, r.report.phone) == (full, year, phone)
    assert len(r.facts) == 200


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        ("临澜市科委", "临澜市科学技术委员会", True),
        ("市科委", "临澜市科学技术委员会", True),
        ("澄溪市发改委", "澄溪市发展和改革委员会", True),
        ("民政局", "临河区民政局", True),  # the place left out
        ("临河区民政局", "临河区民政局", False),  # the same name
        ("赛罕区人民政府", "赛罕区人民政府办公室", False),  # a unit of it, not its full name
        ("区政府", "赛罕区人民政府办公室", False),  # an office signing for its government
        ("市科委", "临澜市财政局", False),
    ],
)
def test_abbreviates(short, full, expected):
    assert metadata.abbreviates(short, full) is expected


def _meta(text: str):
    pre = text.split("一、总体情况")[0]
    return metadata.extract(pre, text)


def test_compiling_office_is_never_the_agency():
    text = (
        "2024 年临澜市科委政府信息公开工作\n年度报告\n"
        "本报告由临澜市科学技术委员会办公室负责编制。\n一、总体情况\n…\n"
    )
    m = _meta(text)
    assert (m.agency, m.year) == ("临澜市科学技术委员会", 2024)
    # With no title at all, an office "负责编制" the report names no agency.
    m = _meta("本报告由临澜市科学技术委员会办公室负责编制。\n一、总体情况\n…\n")
    assert m.agency is None


def test_title_prefixes_and_split_titles():
    assert metadata.find_title(["标题: 柘川县市场监督管理局2024年度政府信息公开工作年度报告"]) == (
        "柘川县市场监督管理局",
        2024,
    )
    assert metadata.find_title(["# 鹭屿区住房和城乡建设局2022年度政府信息公开工作年度报告"]) == (
        "鹭屿区住房和城乡建设局",
        2022,
    )
    assert metadata.find_title(["2024 年临澜市科委政府信息公开工作", "年度报告", "根据…"]) == (
        "临澜市科委",
        2024,
    )
    # A long next line is no title's tail.
    assert metadata.find_title(["2024 年临澜市科委政府信息公开工作", "年度报告" + "。" * 20]) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    "line",
    [
        "(联 系 电 话 : 0769-22815306)",
        "(地 址 : 临澜市科创大道 66 号 , 电 话 : 0769-22815306)",
        "联系电话:0769-22815306。",
        "电话:(0769)22815306",
    ],
)
def test_spaced_phone_labels(line):
    m = metadata.extract("", normalize(line))
    assert m.phone == "0769-22815306"


def test_signature_and_date_on_one_line():
    assert metadata.find_signature(
        ["本年度未收取信息处理费。", "上海市彦柳区财政局 2025年1月25日"]
    ) == (
        "上海市彦柳区财政局",
        "2025-01-25",
    )
    # A sentence ending in a date is no signature.
    assert metadata.find_signature(["报告于 2025年1月25日"]) == (None, None)


def test_compiling_section_names_its_agency_only_to_expand_the_title():
    text = (
        "2024 年彦柳区财政局政府\n信息公开工作年度报告\n"
        "本报告由上海市彦柳区财政局综合科负责编制。如对本报告有疑问,请与彦柳区财政局办公室联系"
        "(电  话: 0511-8245342)。\n一、总体情况\n…\n"
    )
    m = _meta(text)
    assert (m.agency, m.year, m.phone) == ("上海市彦柳区财政局", 2024, "0511-8245342")
