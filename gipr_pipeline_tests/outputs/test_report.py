"""The annual report: one self-contained HTML file per year, from the pipeline and from
`gipr report`; opened in headless Chromium, its charts render."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from gipr_pipeline.cli.main import main
from gipr_pipeline.outputs import browser, report
from gipr_pipeline_tests.outputs.conftest import SAIHAN

OUTCOMES = ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理")


def _report(p, year: int) -> str:
    return report.report_path(p.docs, year).read_text("utf-8")


def test_the_pipeline_writes_one_report_per_year_with_its_path_in_metadata(published):
    for year, result in published.results.items():
        path = report.report_path(published.docs, year).resolve()
        mat = next(
            e.materialization
            for e in result.get_asset_materialization_events()
            if e.asset_key.to_user_string() == "annual_report"
        )
        assert mat.metadata["report"].value == str(path)
        assert mat.metadata["report_url"].value == path.as_uri()
        assert path.is_file()
    # The four 2024 seeds come from four agencies: the ranking's rows, counted without ranking.
    assert mat.metadata["agencies"].value == 4


def test_agency_count_is_the_rankings_length_unnamed_agencies_together():
    import polars as pl

    from gipr_pipeline.marts import marts

    apps = pl.DataFrame(
        {
            "report_id": ["a", "b", "c", "d", "d"],
            "agency": ["甲局", "甲局", None, None, None],
            "template": ["2021"] * 5,
            "row_code": ["1", "1", "1", "1", "2"],
        }
    ).with_columns(
        *(pl.lit(0).alias(c) for c in marts.APPLICANT_COLUMNS[:-1]),
        pl.Series("total", [3, 4, 0, 1, 0]),
    )
    frames = {"applications": apps, "rule_violations": pl.DataFrame(schema={"report_id": str})}
    frames["rule_violations"] = frames["rule_violations"].with_columns(
        severity=pl.lit("hard"), agency=pl.lit(None, pl.String)
    )
    ranking = report.agency_ranking(frames)
    assert ranking["agency"].to_list() == ["甲局", report.UNKNOWN_AGENCY]
    assert report.agency_count(frames) == ranking.height == 2


def test_report_is_self_contained_and_holds_every_part(published):
    html = _report(published, 2024)
    # Offline: no script, stylesheet or image from the network; plotly.js is inline.
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "Plotly.newPlot" in html and len(html) > 3_000_000
    assert "<h1>2024年度政府信息公开工作年度报告汇总</h1>" in html
    # Chart texts sit in the figures' JSON, non-ASCII escaped (\uXXXX).
    for text in (*report.TITLES.values(), *OUTCOMES, "自然人", "法律服务机构", "结果维持"):
        assert json.dumps(text)[1:-1] in html, text
    # Totals of seed 000 (the only seed with applications): 28 received, 27 handled.
    assert '<div class="v">28</div><div class="k">本年新收申请</div>' in html
    assert '<div class="v">27</div><div class="k">办理结果总计</div>' in html
    # Ranking: every agency of the year, the one with requests first.
    rank = html[html.index('<table class="rank">') :]
    assert rank.index(SAIHAN) < rank.index("临河区民政局")
    assert "本年度所有报告的表格均符合勾稽关系" in html


def test_violations_are_listed_per_agency_with_the_failing_cells(misprinted):
    html = _report(misprinted, 2024)
    table = html[html.index('<table class="violations">') :]
    table = table[: table.index("</table>")]
    assert SAIHAN in table
    # row_total on row 1 (29 printed, 28 = the parts) and balance on the total column.
    assert "一、本年新收政府信息公开申请数量" in table
    assert "总计=各类申请人之和" in table
    assert "新收+上年结转=办理结果总计+结转下年" in table
    assert '<td class="n">29</td>' in table and '<td class="n">28</td>' in table
    # The ranking marks the agency whose report breaks a rule.
    assert "否(见下表)" in html


def test_gipr_report_writes_files_from_the_warehouse(published, tmp_path, capsys):
    wh = str(published.warehouse)
    assert main(["report", "--warehouse", wh, "--year", "2024", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "annual_report_2024.html").is_file()
    capsys.readouterr()
    out = tmp_path / "one.html"
    assert main(["report", "--warehouse", wh, "--year", "2022", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"year": 2022, "path": str(out.resolve())}]
    assert "2022年度" in out.read_text("utf-8")
    # Every year of the warehouse by default; usage errors exit 2.
    assert main(["report", "--warehouse", wh, "--out", str(tmp_path / "all"), "--json"]) == 0
    assert [w["year"] for w in json.loads(capsys.readouterr().out)] == [2022, 2024]
    assert main(["report", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert main(["report", "--warehouse", wh, "--year", "20x4"]) == 2
    assert main(["report", "--warehouse", wh, "--year", "2022...2024", "--out", str(out)]) == 2


# ---------------------------------------------------------------- in a real browser
def _cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    except FileNotFoundError:
        return False
    return bool(out.stdout.strip())


@pytest.mark.slow
def test_report_renders_its_charts_in_headless_chromium(published, tmp_path):
    if browser.find_chromium() is None:
        pytest.skip("no chromium (Debian package `chromium`; `make test` installs it when root)")
    if not _cjk_font():
        pytest.skip("no CJK font (Debian package fonts-noto-cjk): Chinese labels cannot render")
    pil = pytest.importorskip("PIL.Image")
    page = report.report_path(published.docs, 2024)

    dom = browser.dump_dom(page)
    # Plotly drew every chart (an <svg class="main-svg"> pair per chart) with its title.
    assert len(re.findall(r'<svg class="main-svg"', dom)) >= 2 * len(report.TITLES)
    titles = re.findall(r'class="gtitle"[^>]*>([^<]*)<', dom)
    assert [t[: len(v)] for t, v in zip(titles, report.TITLES.values(), strict=True)] == list(
        report.TITLES.values()
    )
    assert all(label in dom for label in OUTCOMES)  # axis ticks: rendered text, not tofu codes

    png = browser.screenshot(page, tmp_path / "report.png", size=(1280, 1600))
    img = pil.open(png).convert("L")
    assert img.size == (1280, 1600)
    hist = img.histogram()
    ink = 1 - sum(hist[246:]) / (img.size[0] * img.size[1])  # pixels not (near) white
    assert ink > 0.05, ink
    # The bars: blue-ish chart pixels exist in the upper half (the outcome and applicant charts).
    rgb = pil.open(png).convert("RGB").crop((0, 300, 1280, 800))
    bars = sum(1 for r, g, b in rgb.getdata() if b > 150 and r < 80)
    assert bars > 1000, bars
