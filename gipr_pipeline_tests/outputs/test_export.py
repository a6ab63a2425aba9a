"""`gipr export`: xlsx (one sheet per mart, Chinese headers), CSV (UTF-8 with BOM) and Parquet,
read back with openpyxl and polars; a progress bar only on a terminal."""

from __future__ import annotations

import io
import json

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gipr_pipeline.cli.main import main
from gipr_pipeline.outputs import export
from gipr_pipeline.outputs.progress import progress
from gipr_pipeline.template import labels
from gipr_pipeline_tests.outputs.conftest import SAIHAN


def _export(published, tmp_path, fmt: str, *extra: str) -> list[str]:
    out = tmp_path / fmt
    args = ["export", "--warehouse", str(published.warehouse), "--format", fmt, str(out), *extra]
    assert main(args) == 0
    return sorted(p.name for p in out.iterdir())


def test_xlsx_one_sheet_per_mart_with_chinese_headers(published, tmp_path):
    assert _export(published, tmp_path, "xlsx", "--year", "2024") == ["gipr_2024.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "xlsx" / "gipr_2024.xlsx", read_only=True)
    assert wb.sheetnames == [labels.MARTS[m] for m in export.TABLES]
    apps = list(wb[labels.MARTS["applications"]].iter_rows(values_only=True))
    assert apps[0] == (
        "报告编号", "统计年度", "机关", "模板", "行代码", "项目",
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    )  # fmt: skip
    rows = {(r[2], r[4]): r for r in apps[1:]}
    assert len(apps) - 1 == published.table("applications", 2024).height
    assert rows[(SAIHAN, "1")][5] == "一、本年新收政府信息公开申请数量"
    assert rows[(SAIHAN, "1")][6] == 28 and rows[(SAIHAN, "3.7")][12] == 27
    summary = list(wb[labels.MARTS["year_summary"]].iter_rows(values_only=True))
    head = dict(zip(summary[0], summary[1], strict=True))
    assert head["统计年度"] == 2024 and head["本年新收申请·总计"] == 28 and head["予以公开"] == 4
    assert head["公开率((予以公开+部分公开)/总计)"] == pytest.approx(4 / 27)
    fees = list(wb[labels.MARTS["active_disclosure"]].iter_rows(values_only=True))
    assert "本年收费金额(万元)" in fees[0]
    for ws in wb.worksheets:  # every header Chinese, no column twice
        header = next(ws.iter_rows(max_row=1, values_only=True))
        assert len(set(header)) == len(header), ws.title
        assert all(not h.isascii() for h in header), (ws.title, header)


def test_csv_utf8_with_bom_one_file_per_mart(published, tmp_path):
    names = _export(published, tmp_path, "csv", "--year", "2024")
    assert names == sorted(f"gipr_2024_{m}.csv" for m in export.TABLES)
    path = tmp_path / "csv" / "gipr_2024_applications.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines()[0].startswith("报告编号,统计年度,机关")
    back = pl.read_csv(path, infer_schema_length=0)  # polars drops the BOM
    assert back.columns[:6] == ["报告编号", "统计年度", "机关", "模板", "行代码", "项目"]
    assert back.height == published.table("applications", 2024).height
    saihan = back.filter((pl.col("机关") == SAIHAN) & (pl.col("行代码") == "1"))
    assert saihan["自然人"].to_list() == ["28"]
    violations = pl.read_csv(tmp_path / "csv" / "gipr_2024_rule_violations.csv")
    assert violations.height == 0 and "规则说明" in violations.columns


def test_parquet_is_the_warehouse_table(published, tmp_path):
    names = _export(published, tmp_path, "parquet", "--year", "2022...2024")
    assert names == sorted(
        f"gipr_{y}_{m}.parquet" for y in (2022, 2023, 2024) for m in export.TABLES
    )
    for m in ("applications", "year_summary", "active_disclosure"):
        back = pl.read_parquet(tmp_path / "parquet" / f"gipr_2024_{m}.parquet")
        assert_frame_equal(back, published.table(m, 2024), check_row_order=False)
    empty = pl.read_parquet(tmp_path / "parquet" / "gipr_2023_year_summary.parquet")
    assert empty.height == 0 and "received_total" in empty.columns  # a year with no data


def test_misprinted_report_exports_its_violations(misprinted, tmp_path):
    export.export_year(misprinted.warehouse, 2024, "csv", tmp_path)
    v = pl.read_csv(tmp_path / "gipr_2024_rule_violations.csv")
    hard = v.filter(pl.col("性质") == "hard")
    assert set(hard["规则"]) == {"applications.balance", "applications.row_total"}
    assert set(hard["机关"]) == {SAIHAN}
    assert "总计=各类申请人之和" in set(hard["规则说明"])


def test_export_json_lists_files_and_errors_exit_2(published, tmp_path, capsys):
    wh = str(published.warehouse)
    assert main(["export", "--warehouse", wh, "--format", "xlsx", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    files = json.loads(captured.out)
    assert [(f["year"], f["format"]) for f in files] == [(2022, "xlsx"), (2024, "xlsx")]
    assert captured.err == ""  # quiet: no progress bar in --json mode nor off a terminal
    assert main(["export", "--warehouse", str(tmp_path / "no.duckdb"), str(tmp_path)]) == 2
    assert main(["export", "--warehouse", wh, "--year", "x", str(tmp_path)]) == 2


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_on_a_terminal(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    with progress(3, "export csv") as advance:
        for _ in range(3):
            advance()
    assert "export csv" in tty.getvalue()
    for quiet, total in ((True, 3), (False, 1)):  # --json, or a single item
        tty = _Tty()
        monkeypatch.setattr("sys.stderr", tty)
        with progress(total, "export csv", quiet=quiet) as advance:
            advance()
        assert tty.getvalue() == ""
    pipe = io.StringIO()  # not a TTY
    monkeypatch.setattr("sys.stderr", pipe)
    with progress(3, "export csv") as advance:
        advance()
    assert pipe.getvalue() == ""
