"""One Dagster run over a folder mixing .txt, .html, .docx and .pdf copies of the same report:
four reports (four contents), each with exactly the truth's facts, formats recorded."""

import random

from gipr_pipeline.corpus.render import Style, random_truth, render_report

from ..readers.builders import HtmlStyle, docx_bytes, html_page, layout, pdf_bytes
from .conftest import checks, run_year, table


def test_mixed_formats_flow_through_the_same_assets(tmp_path):
    rng = random.Random(5)
    truth = random_truth(rng, year=2023)
    lay = layout(truth)
    raw = tmp_path / "raw"
    (raw / "网页").mkdir(parents=True)
    text, _ = render_report(truth, Style(layout="row_pipe"), rng)
    (raw / "report copy.txt").write_text(text, "utf-8")
    (raw / "网页" / "报告.html").write_bytes(html_page(lay, HtmlStyle()))
    (raw / "report.docx").write_bytes(docx_bytes(lay))
    (raw / "report.bin").write_bytes(pdf_bytes(lay))  # a PDF under a misleading name
    wh = tmp_path / "wh.duckdb"

    result = run_year(raw, wh, 2023)
    assert result.success
    assert all(e.passed for e in checks(result).values() if e.check_name == "nothing_lost")

    reports = table(wh, "raw_reports", 2023)
    assert sorted(reports["format"].to_list()) == ["docx", "html", "pdf", "text"]
    assert table(wh, "rejected_reports", 2023).height == 0

    facts = table(wh, "report_facts", 2023)
    expected = sorted((t, r, c, float(v)) for t, r, c, v in truth.facts())
    by_report = {
        rid: sorted(zip(g["table_code"], g["row_code"], g["column_code"], g["value"], strict=True))
        for (rid,), g in facts.group_by("report_id")
    }
    assert len(by_report) == 4
    for rid, got in by_report.items():
        assert got == expected, rid
    assert table(wh, "applications", 2023).height == 4 * 25
