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


def _sheet(wb, mart: str) -> list[tuple]:
    return list(wb[labels.MARTS[mart]].iter_rows(values_only=True))


def test_xlsx_one_sheet_per_mart_with_chinese_headers(published, tmp_path):
    assert _export(published, tmp_path, "xlsx", "--year", "2024") == ["gipr_2024.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "xlsx" / "gipr_2024.xlsx", read_only=True)
    assert wb.sheetnames == [labels.MARTS[m] for m in export.TABLES]
    apps = _sheet(wb, "applications")
    assert apps[0] == (
        "报告编号", "文件", "统计年度", "机关", "模板", "行代码", "项目",
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    )  # fmt: skip
    rows = {(r[3], r[5]): r for r in apps[1:]}
    assert len(apps) - 1 == published.table("applications", 2024).height
    assert rows[(SAIHAN, "1")][1] == "000_3f5f9c192ba13eca.txt"  # the source file
    assert rows[(SAIHAN, "1")][6] == "一、本年新收政府信息公开申请数量"
    assert rows[(SAIHAN, "1")][7] == 28 and rows[(SAIHAN, "3.7")][13] == 27
    # The summary: a row per measure.
    summary = dict(_sheet(wb, "year_summary")[1:])
    assert summary["统计年度"] == 2024 and summary["本年新收申请·总计"] == 28
    assert summary["予以公开"] == 4 and summary["通过核验的报告数"] == 4
    assert summary["公开率((予以公开+部分公开)/总计)"] == pytest.approx(4 / 27)
    assert "说明" not in summary  # a year with reports needs no note
    fees = _sheet(wb, "active_disclosure")
    assert "本年收费金额(万元)" in fees[0]
    for ws in wb.worksheets:  # every header Chinese, no column twice
        header = next(ws.iter_rows(max_row=1, values_only=True))
        assert len(set(header)) == len(header), ws.title
        assert all(not h.isascii() for h in header), (ws.title, header)


def test_xlsx_formats_read_back_with_openpyxl(misprinted, tmp_path):
    """The misprinted year (seed 000 twice, once with row 1's total 29): the year as 2024 (not
    2,024), counts as integers in an integer format, the violations in words, the source file
    beside the report id, the carry-over sheet worded, an autofilter on every sheet."""
    (path,) = export.export_year(misprinted.warehouse, 2024, "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)  # not read-only: formats, tables and filters
    for ws in wb.worksheets:
        filtered = ws.auto_filter.ref or [t.autoFilter.ref for t in ws.tables.values()]
        assert filtered, f"{ws.title}: no autofilter"
        header = [c.value for c in ws[1]]
        for col in ("统计年度", "上年度"):
            if col in header:
                cells = [r[header.index(col)] for r in ws.iter_rows(min_row=2)]
                assert all(c.number_format == "0" for c in cells if c.value is not None)
    # 年度汇总: a row per measure, each in its own format.
    ws = wb[labels.MARTS["year_summary"]]
    fmt = {r[0].value: (r[1].value, r[1].number_format) for r in ws.iter_rows(min_row=2)}
    assert fmt["统计年度"] == (2024, "0")
    assert fmt["输入文件数(去重)"] == (3, "#,##0")
    assert fmt["违反勾稽关系的报告数"] == (1, "#,##0")
    assert fmt["公开率((予以公开+部分公开)/总计)"][1] == "0.0%"
    # 勾稽关系问题: Chinese labels instead of codes, integers, the file beside the report id.
    ws = wb[labels.MARTS["rule_violations"]]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:2] == ("报告编号", "文件")
    got = sorted(
        (r[head.index("文件")], r[head.index("规则")], r[head.index("性质")], r[head.index("表")],
         r[head.index("项目")], r[head.index("列")], r[head.index("应为(各项之和)")],
         r[head.index("实际(所列总计)")], r[head.index("差额(实际−应为)")])
        for r in rows[1:]
    )  # fmt: skip
    table = "收到和处理政府信息公开申请情况"
    assert got == [
        ("edited.txt", "总计=各类申请人之和", "勾稽关系(必须相符)", table,
         "一、本年新收政府信息公开申请数量", None, 28, 29, 1),
        ("edited.txt", "新收+上年结转=办理结果总计+结转下年", "勾稽关系(必须相符)", table,
         None, "总计", 29, 28, -1),
    ]  # fmt: skip
    values = [c for r in ws.iter_rows(min_row=2) for c in r[head.index("应为(各项之和)") :][:3]]
    assert all(type(c.value) is int and "0.0" not in c.number_format for c in values)
    # 跨年度结转核对: 2023 holds no reports, so nothing is a break; each report is "not checked".
    ws = wb[labels.MARTS["carryover_breaks"]]
    rows = list(ws.iter_rows(values_only=True))
    status = rows[0].index("核对结果")
    assert {r[status] for r in rows[1:]} <= {
        labels.CARRYOVER_STATUS["unmatched"],
        labels.CARRYOVER_STATUS["ambiguous"],
    }
    assert "文件" in rows[0] and "结转不一致" not in {r[status] for r in rows[1:]}


def test_an_empty_year_says_so_in_every_format(published, tmp_path, capsys):
    """2023 has no report: the export still writes every file, says so on stderr and in the
    JSON, and the summary's first row says the zeros are no findings."""
    wh = str(published.warehouse)
    args = ["export", "--warehouse", wh, "--year", "2023", "--format"]
    assert main([*args, "xlsx", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert [f["reports"] for f in json.loads(captured.out)] == [0]
    assert "note: 2023 has no reports in the warehouse" in captured.err
    wb = openpyxl.load_workbook(tmp_path / "gipr_2023.xlsx")
    first = [c.value for c in next(wb[labels.MARTS["year_summary"]].iter_rows(min_row=2))]
    assert first == ["说明", "2023年度没有数据(尚未生成)"]
    assert main([*args, "csv", str(tmp_path)]) == 0
    summary = pl.read_csv(tmp_path / "gipr_2023_year_summary.csv")
    assert summary.row(0) == ("说明", "2023年度没有数据(尚未生成)")


def test_csv_utf8_with_bom_one_file_per_mart(published, tmp_path):
    names = _export(published, tmp_path, "csv", "--year", "2024")
    assert names == sorted(f"gipr_2024_{m}.csv" for m in export.TABLES)
    path = tmp_path / "csv" / "gipr_2024_applications.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines()[0].startswith("报告编号,文件,统计年度,机关")
    back = pl.read_csv(path, infer_schema_length=0)  # polars drops the BOM
    assert back.columns[:7] == ["报告编号", "文件", "统计年度", "机关", "模板", "行代码", "项目"]
    assert back.height == published.table("applications", 2024).height
    saihan = back.filter((pl.col("机关") == SAIHAN) & (pl.col("行代码") == "1"))
    assert saihan["自然人"].to_list() == ["28"]
    violations = pl.read_csv(tmp_path / "csv" / "gipr_2024_rule_violations.csv")
    assert violations.height == 0 and violations.columns[:5] == [
        "报告编号",
        "文件",
        "统计年度",
        "机关",
        "规则",
    ]


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
    hard = v.filter(pl.col("性质") == labels.SEVERITY["hard"])
    assert set(hard["规则"]) == {"总计=各类申请人之和", "新收+上年结转=办理结果总计+结转下年"}
    assert set(hard["机关"]) == {SAIHAN} and set(hard["文件"]) == {"edited.txt"}
    # Counts as integers (the warehouse stores a rule's sides as floats).
    assert hard.schema["应为(各项之和)"] == pl.Int64
    assert sorted(hard["差额(实际−应为)"].to_list()) == [-1, 1]
    raw = (tmp_path / "gipr_2024_rule_violations.csv").read_text("utf-8-sig")
    assert ".0," not in raw
    summary = dict(
        pl.read_csv(tmp_path / "gipr_2024_year_summary.csv", infer_schema_length=0).iter_rows()
    )
    assert summary["统计年度"] == "2024" and summary["违反勾稽关系的报告数"] == "1"


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
