"""applications.carryover_continuity: agency matching keys and the carryover_breaks mart."""

import polars as pl
import pytest

from gipr_pipeline.marts import continuity, marts
from gipr_pipeline.marts.schemas import CarryoverBreaks

COLS = marts.APPLICANT_COLUMNS


@pytest.mark.parametrize(
    "name,key",
    [
        ("临河区民政局", "临河区民政局"),
        ("巴彦淖尔市临河区民政局", "临河区民政局"),
        ("内蒙古自治区巴彦淖尔市临河区民政局", "临河区民政局"),
        (" 临河区 民政局 ", "临河区民政局"),
        (
            "阿拉善高新技术产业开发区(乌斯太镇)市政和金融服务中心",
            "阿拉善高新技术产业开发区市政和金融服务中心",
        ),
        ("哈密市伊州区天山乡人民政府", "伊州区天山乡人民政府"),
        # A city's own offices keep the city: "人民政府办公室" names no agency.
        ("杭州市人民政府办公室", "杭州市人民政府办公室"),
        ("广东省自然资源厅", "自然资源厅"),
        ("中华人民共和国生态环境部", "中华人民共和国生态环境部"),
        (None, None),
        ("", None),
    ],
)
def test_agency_key(name, key):
    assert continuity.agency_key(name) == key


def _apps(year: int, reports: dict[str, tuple[str | None, int, int]]) -> pl.DataFrame:
    """report id → (agency, row 2 total, row 4 total); natural_person = total, others 0."""
    rows = []
    for rid, (agency, carried_in, carried_out) in reports.items():
        for code, v in (
            ("1", 5),
            ("2", carried_in),
            ("3.7", 5 + carried_in - carried_out),
            ("4", carried_out),
        ):
            rows.append(
                {
                    "report_id": rid * 64,
                    "year": year,
                    "agency": agency,
                    "template": "2021",
                    "row_code": code,
                    "row_order": 0,
                    **dict.fromkeys(COLS, 0),
                    "natural_person": v,
                    "total": v,
                }
            )
    return pl.DataFrame(rows, schema=marts.APPLICATIONS_SCHEMA, orient="row")


def test_pairs_breaks_and_unmatched_agencies():
    prev = _apps(
        2023,
        {
            "a": ("巴彦淖尔市临河区民政局", 0, 2),  # → 临河区民政局 2024, carried 2 = 2: ok
            "b": ("陈仓区数据局", 0, 3),  # → 3 ≠ 1: a break in two columns
            "c": ("杭州市城市管理局", 0, 1),  # same key as 宁波's, not the same agency
            "d": ("赛罕区财政局", 0, 0),  # no 2024 report
            "e": ("某某县卫生健康局", 0, 0),  # two 2024 reports share the key
        },
    )
    cur = _apps(
        2024,
        {
            "1": ("临河区民政局", 2, 0),
            "2": ("陈仓区数据局", 1, 0),
            "3": ("宁波市城市管理局", 1, 0),
            "4": ("某某县卫生健康局", 0, 0),
            "5": ("某某县 卫生健康局", 0, 0),
            "6": (None, 0, 0),
        },
    )
    mart = continuity.carryover_breaks(2024, prev, cur)
    CarryoverBreaks.validate(mart)
    got = sorted(
        (
            r["status"],
            r["agency_key"] or "",
            (r["report_id"] or "")[:1],
            (r["previous_report_id"] or "")[:1],
            r["column_code"] or "",
        )
        for r in mart.iter_rows(named=True)
    )
    assert got == sorted(
        [
            ("matched", "临河区民政局", "1", "a", ""),
            ("matched", "陈仓区数据局", "2", "b", ""),
            ("break", "陈仓区数据局", "2", "b", "natural_person"),
            ("break", "陈仓区数据局", "2", "b", "total"),
            ("unmatched", "城市管理局", "3", "", ""),
            ("missing_in_year", "城市管理局", "", "c", ""),
            ("missing_in_year", "赛罕区财政局", "", "d", ""),
            ("ambiguous", "某某县卫生健康局", "4", "", ""),
            ("ambiguous", "某某县卫生健康局", "5", "", ""),
            ("unmatched", "", "6", "", ""),
        ]
    )
    b = mart.filter(pl.col("status") == "break").row(0, named=True)
    assert (b["carried_in"], b["carried_out_previous"], b["difference"]) == (1, 3, -2)
    assert continuity.summary(mart) == {
        "pairs": 2,
        "breaks": 2,
        "reports_with_breaks": 1,
        "unmatched": 2,
        "missing_in_year": 2,
        "ambiguous": 2,
    }


def test_no_previous_year_means_unmatched_not_breaks():
    cur = _apps(2024, {"1": ("临河区民政局", 2, 0)})
    mart = continuity.carryover_breaks(2024, _apps(2023, {}), cur)
    assert mart["status"].to_list() == ["unmatched"]


def test_empty_years_give_an_empty_valid_mart():
    mart = continuity.carryover_breaks(2024, _apps(2023, {}), _apps(2024, {}))
    assert mart.is_empty() and mart.schema == pl.Schema(continuity.SCHEMA)
    CarryoverBreaks.validate(mart)
