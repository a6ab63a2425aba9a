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
    # Chart texts sit in the figures' JSON: non-ASCII escaped (\uXXXX) by the standard library,
    # as UTF-8 when plotly encodes with orjson (installed for the CLI's JSON lines).
    for text in (*report.TITLES.values(), *OUTCOMES, "自然人", "法律服务机构", "结果维持"):
        assert json.dumps(text)[1:-1] in html or text in html, text
    # Totals of seed 000 (the only seed with applications): 28 received, 27 handled.
    assert '<div class="v">28</div><div class="k">本年新收申请</div>' in html
    assert '<div class="v">27</div><div class="k">办理结果总计</div>' in html
    # Ranking: every agency of the year, the one with requests first.
    rank = html[html.index('<table class="rank">') :]
    assert rank.index(SAIHAN) < rank.index("临河区民政局")
    assert "本年度读取的 4 份报告的表格均符合勾稽关系" in html
    # Count axes tick in whole numbers (never 0.2, 0.4 … of a request).
    assert html.count('"tickformat":",d"') == len(report.TITLES)
    # No 2023 in the warehouse: the carry-over check says it was not done, not that it held.
    carry = html[html.index("<h2>跨年度结转核对</h2>") :]
    assert (
        "2023 年度没有报告可供配对,本年度的 4 份报告均未做跨年度核对(这不表示结转不一致)" in carry
    )


def test_violations_are_listed_per_agency_with_the_failing_cells(misprinted):
    html = _report(misprinted, 2024)
    table = html[html.index('<table class="violations blocks">') :]
    table = table[: table.index("</table>")]
    assert SAIHAN in table
    # row_total on row 1 (29 printed, 28 = the parts) and balance on the total column.
    assert "一、本年新收政府信息公开申请数量" in table
    assert "总计=各类申请人之和" in table
    assert "新收+上年结转=办理结果总计+结转下年" in table
    assert '<td data-label="应为(各项之和)" class="n">29</td>' in table
    assert '<td data-label="实际(所列总计)" class="n">28</td>' in table
    # The source file beside the report id, on each failing row.
    assert (
        table.count('<td data-label="文件" class=""><span class="path">edited.txt</span></td>') == 2
    )
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
    titles = re.findall(r'class="gtitle"[^>]*data-unformatted="([^"]*)"', dom)
    assert [t[: len(v)] for t, v in zip(titles, report.TITLES.values(), strict=True)] == list(
        report.TITLES.values()
    )
    assert all(label in dom for label in OUTCOMES)  # axis ticks: rendered text, not tofu codes

    # A desktop (1400 px) and a phone (400 px): nothing wider than the screen, no sideways
    # scroll (the tables become labelled blocks, the charts follow the width).
    for width in (1400, 400):
        m = browser.measure(page, width)
        assert m["viewport"] == width and m["scroll_width"] <= width, m

    png = browser.screenshot(page, tmp_path / "report.png", size=(1400, 1600))
    img = pil.open(png).convert("L")
    assert img.size == (1400, 1600)
    hist = img.histogram()
    ink = 1 - sum(hist[246:]) / (img.size[0] * img.size[1])  # pixels not (near) white
    assert ink > 0.05, ink
    # The bars: blue-ish chart pixels exist in the upper half (the outcome and applicant charts).
    rgb = pil.open(png).convert("RGB").crop((0, 300, 1400, 800))
    bars = sum(1 for r, g, b in rgb.getdata() if b > 150 and r < 80)
    assert bars > 1000, bars
    phone = pil.open(browser.screenshot(page, tmp_path / "phone.png", size=(400, 1600)))
    assert phone.size == (400, 1600)
    # The phone's cards sit two abreast inside the screen: ink right of the middle, none cut
    # at the right edge (the last column of pixels is the page's white margin).
    right_edge = phone.convert("L").crop((398, 0, 400, 1600))
    assert min(right_edge.getdata()) > 240


# ---------------------------------------------------------------- honest for any year
def _frames(**tables):
    """Every table the report reads, empty unless given."""
    import polars as pl

    from gipr_pipeline.outputs import warehouse

    out = {t: pl.DataFrame(schema=warehouse.SCHEMAS[t]) for t in report.TABLES}
    for name, rows in tables.items():
        out[name] = pl.DataFrame(rows, schema=warehouse.SCHEMAS[name], orient="row")
    return out


def test_an_empty_year_says_so_and_draws_no_chart():
    html = report.build_report(2019, _frames())
    assert (
        "2019 年度没有报告:数据文件夹中没有属于该年度的文件。以下各项均为空,不是“没有问题”。"
        in html
    )
    assert "均符合勾稽关系" not in html  # no "all reports conform" with 0 reports
    assert "本年度没有读取到报告,没有可核对的表格。" in html
    assert "Plotly.newPlot" not in html and "plotly.js" not in html.lower()[:2000]
    for title in report.TITLES.values():
        assert f"{title}:没有数据(均为 0),不绘图。" in html
    assert "本年度没有报告,未做跨年度核对。" in html


def test_carryover_section_tells_breaks_from_agencies_not_checked():
    """One pair with a break (甲局: 2 carried in, 3 carried out the year before), one pair that
    holds (乙局), one report with no 2023 report to pair with (丙局), one 2023 agency gone."""

    def row(status, agency, rid, prid=None, prev_agency=None, col=None, a=None, b=None):
        diff = a - b if a is not None else None
        return (2024, status, agency, rid, agency, 2023, prid, prev_agency, col, a, b, diff)

    cb = [
        row("matched", "甲局", "r1", "p1", "甲局"),
        row("break", "甲局", "r1", "p1", "甲局", "natural_person", 2, 3),
        row("matched", "乙局", "r2", "p2", "乙局"),
        row("unmatched", "丙局", "r3"),
        (2024, "missing_in_year", "丁局", None, None, 2023, "p4", "丁局", None, None, None, None),
    ]
    raw = [(r, 2024, f"reports/{r}.txt", [f"reports/{r}.txt"], 1, 10, True, "content", "txt", "utf-8")
           for r in ("r1", "r2", "r3")]  # fmt: skip
    html = report.build_report(2024, _frames(carryover_breaks=cb, raw_reports=raw))
    sec = html[html.index("<h2>跨年度结转核对</h2>") :]
    assert '配对并核对:2 个机关,其中 <b class="bad">1 个机关结转不一致</b>(见下表)' in sec
    assert (
        "未核对:1 份报告在 2023 年度没有可配对的报告(新报告,或机关名称变化)——这不表示结转不一致"
        in sec
    )
    assert "2023 年度有报告、本年度没有报告的机关:1 个" in sec
    table = sec[sec.index('<table class="carryover blocks">') : sec.index("</table>")]
    assert table.count("<tr>") == 2  # the header and the one break: 丙局 is no break
    assert "甲局" in table and "丙局" not in table and "reports/r1.txt" in table
    assert '<td data-label="2024 年度上年结转">2</td>' in table
    assert '<td data-label="2023 年度结转下年">3</td>' in table
    assert "未核对:上年度无可配对的报告" in sec and "本年度无报告(上年度有)" in sec
