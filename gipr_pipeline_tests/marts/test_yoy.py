"""Year over year per agency (marts/yoy.py): pairs as continuity recorded them, figures side by
side with the change, the carry-over check, agencies of one year only, ambiguous names."""

from __future__ import annotations

import hashlib

import polars as pl

from gipr_pipeline.marts import continuity, marts, yoy
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts.schemas import SCHEMAS
from gipr_pipeline.parser.parse import parse_bytes


def _to_2023(data: bytes) -> bytes:
    """The same report a year earlier (statistical year and publication date shifted)."""
    return data.decode().replace("2024", "2023").replace("2025", "2024").encode()


def _facts(year: int, items: list[bytes]) -> pl.DataFrame:
    out = []
    for data in items:
        rid = hashlib.sha256(data).hexdigest()
        out.append((rid, year, parse_bytes(data, rid)))
    return marts.report_facts(out)


def _rid(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_pairs_changes_carryover_and_one_year_agencies(seed_paths):
    s000, s001, s002 = (seed_paths[k].read_bytes() for k in ("000", "001", "002"))
    prev = marts.applications(_facts(2023, [_to_2023(s000), _to_2023(s002)]))
    facts = _facts(2024, [s000, s001])
    # A reviewer's correction of 2024's row 1 (28 → 31) shows as a change of +3.
    fix = pl.DataFrame(
        {
            "report_id": [_rid(s000)],
            "table_code": ["applications"],
            "row_code": ["1"],
            "column_code": ["total"],
            "value": [31.0],
        }
    )
    cur = marts.applications(corr.apply(facts, fix))
    breaks = continuity.carryover_breaks(2024, prev, cur)
    df = yoy.year_over_year(2024, breaks, prev, cur)
    SCHEMAS["year_over_year"].validate(df)
    assert df.select("status", "agency", "previous_agency").rows() == [
        ("matched", "赛罕区人民政府办公室", "赛罕区人民政府办公室"),
        ("unmatched", "临河区民政局", None),
        ("missing_in_year", None, "陈仓区数据局"),
    ]
    m = df.row(0, named=True)
    assert (m["received_previous"], m["received"], m["received_change"]) == (28, 31, 3)
    assert (m["granted_previous"], m["granted"], m["granted_change"]) == (4, 4, 0)
    assert (m["concluded_previous"], m["concluded"], m["concluded_change"]) == (27, 27, 0)
    assert (m["carried_out_previous"], m["carried_out"], m["carried_in"]) == (1, 1, 0)
    # 2023 carried 1 request (natural persons) into 2024; 2024 says it carried in 0.
    assert (m["carryover"], m["carryover_breaks"]) == ("break", 2)
    assert (m["report_id"], m["previous_report_id"]) == (_rid(s000), _rid(_to_2023(s000)))
    u, gone = df.row(1, named=True), df.row(2, named=True)
    assert u["received"] == 0 and u["received_previous"] is None and u["carryover"] is None
    assert gone["received_previous"] == 0 and gone["received"] is None
    assert yoy.summary(df) == {
        "pairs": 1,
        "pairs_with_carryover_breaks": 1,
        "only_in_year": 1,
        "only_in_previous_year": 1,
        "ambiguous": 0,
    }


def test_ambiguous_names_are_listed_not_paired(seed_paths):
    s001 = seed_paths["001"].read_bytes()
    again = s001 + b"\n"  # a second 2024 report of the same agency (other bytes)
    prev = marts.applications(_facts(2023, [_to_2023(s001)]))
    cur = marts.applications(_facts(2024, [s001, again]))
    df = yoy.year_over_year(2024, continuity.carryover_breaks(2024, prev, cur), prev, cur)
    assert df.select("status", "agency", "previous_agency").rows() == [
        ("ambiguous", "临河区民政局", None),
        ("ambiguous", "临河区民政局", None),
        ("ambiguous", None, "临河区民政局"),
    ]
    assert df["carryover"].null_count() == 3  # no pair, so no carry-over check
    SCHEMAS["year_over_year"].validate(df)


def test_no_previous_year_gives_only_unmatched(seed_paths):
    cur = marts.applications(_facts(2024, [seed_paths["000"].read_bytes()]))
    prev = cur.clear()
    df = yoy.year_over_year(2024, continuity.carryover_breaks(2024, prev, cur), prev, cur)
    assert df["status"].to_list() == ["unmatched"]
    assert yoy.year_over_year(
        2019, continuity.carryover_breaks(2019, prev, prev), prev, prev
    ).is_empty()
