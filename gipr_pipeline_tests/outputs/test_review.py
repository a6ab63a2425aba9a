"""The reviewer's sections and sheets (outputs/review.py): the corrections on record and the
comparison with the previous year in the annual report and the xlsx, corrected cells marked."""

from __future__ import annotations

import hashlib

import openpyxl
import polars as pl

from gipr_pipeline.marts import continuity, marts, yoy
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.outputs import export, review
from gipr_pipeline.parser.parse import parse_bytes
from gipr_pipeline.template import labels
from gipr_pipeline_tests.marts.test_corrections import violating_copy
from gipr_pipeline_tests.marts.test_yoy import _to_2023


def _frames(seed_paths, tmp_path) -> dict[str, pl.DataFrame]:
    bad = violating_copy(seed_paths["000"])
    rid = hashlib.sha256(bad).hexdigest()
    facts = marts.report_facts([(rid, 2024, parse_bytes(bad, "000.txt"))])
    folder = tmp_path / "corrections"
    folder.mkdir()
    (folder / "c.csv").write_text(
        "report_id,source,table,row,column,value,printed,who,when,why\n"
        f"{rid},000.txt,applications,3.1,total,4,5,张三,2025-03-01,机关来函\n"
        f"{rid},000.txt,applications,9.9,total,1,,张三,2025-03-01,笔误\n",
        "utf-8",
    )
    raw = pl.DataFrame({"report_id": [rid], "paths": [["000.txt"]]})
    audit = corr.audit(2024, corr.of_year(corr.read(folder), 2024, raw), facts)
    apps = marts.applications(corr.apply(facts, corr.applied(audit)))
    prev_bytes = _to_2023(seed_paths["000"].read_bytes())
    prev_id = hashlib.sha256(prev_bytes).hexdigest()
    prev = marts.applications(
        marts.report_facts([(prev_id, 2023, parse_bytes(prev_bytes, "p.txt"))])
    )
    pairs = continuity.carryover_breaks(2024, prev, apps)
    return {
        "applications": apps,
        "corrections": audit,
        "year_over_year": yoy.year_over_year(2024, pairs, prev, apps),
    }


def test_report_sections(seed_paths, tmp_path):
    frames = _frames(seed_paths, tmp_path)
    html = review.corrections_section(frames)
    assert "已采用 1 条,未采用 1 条" in html
    assert "✎ 收到和处理政府信息公开申请情况 · (一)予以公开 · 总计" in html
    assert "<td>5</td><td><b>4</b></td><td>张三</td><td>2025-03-01</td><td>机关来函</td>" in html
    assert "报告中没有这个单元格" in html and "cell_not_found" in html
    y = review.yoy_section(2024, frames)
    assert "两年均有 1 个机关,其中 1 个的上年结转与上年报告的结转下年不一致" in y
    assert "28 → 28" in y and "不一致(2 列)" in y
    assert "没有配对的机关不作结转核对,不能视为不一致" in y
    empty = {k: df.clear() for k, df in frames.items()}
    assert "本年度没有更正记录" in review.corrections_section(empty)
    assert "仓库中没有可与本年比较的 2023 年度报告" in review.yoy_section(2024, empty)


def test_xlsx_sheets_and_corrected_cells(seed_paths, tmp_path):
    frames = _frames(seed_paths, tmp_path)
    out = export.write_xlsx(frames, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [labels.MARTS[m] for m in frames]
    ws = wb[labels.MARTS["applications"]]
    marked = [
        (c.coordinate, c.value, c.comment.text) for r in ws.iter_rows() for c in r if c.comment
    ]
    assert len(marked) == 1
    header = [c.value for c in ws[1]]
    coord, value, note = marked[0]
    row = ws[coord[1:]] if coord[1:].isdigit() else None
    assert value == 4 and note == "✎ 已更正:原值 5,更正值 4\n张三 2025-03-01:机关来函"
    assert header[ws[coord].column - 1] == "总计"
    assert row is not None and "(一)予以公开" in [c.value for c in row]
    c = list(wb[labels.MARTS["corrections"]].iter_rows(values_only=True))
    assert c[0][:5] == ("机关", "单元格", "原值(报告所列)", "更正值", "状态")
    assert [r[4] for r in c[1:]] == ["已采用", "未采用"]
    assert [r[6] for r in c[1:]] == [None, "报告中没有这个单元格"]
    y = list(wb[labels.MARTS["year_over_year"]].iter_rows(values_only=True))
    assert y[1][:4] == ("赛罕区人民政府办公室", "赛罕区人民政府办公室", "两年均有报告", 28)
