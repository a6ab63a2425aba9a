"""HTML pages → pipe lines: spans, blanks, charsets, chrome, script-embedded reports."""

import codecs
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gipr_pipeline.readers import DecodeError, to_text
from gipr_pipeline.readers.html import declared_charset, decode_html

from .builders import HtmlStyle, html_page
from .shape import assert_shape, line_after_label

STYLES = {
    "plain": HtmlStyle(chrome=False),
    "chrome": HtmlStyle(),
    "gbk_meta_charset": HtmlStyle(encoding="gbk"),
    "gbk_http_equiv": HtmlStyle(encoding="gbk", meta="http-equiv"),
    "gbk_no_meta": HtmlStyle(encoding="gbk", meta="none"),
    "word_markup": HtmlStyle(word_markup=True),
    "empty_td_blanks": HtmlStyle(blank=""),
    "p_nbsp_blanks": HtmlStyle(blank="<p>&nbsp;</p>", word_markup=True),
    "in_script": HtmlStyle(in_script=True),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_rows_become_pipe_lines(report, name):
    truth, lay = report
    doc = to_text(html_page(lay, STYLES[name], truth.published))
    assert doc.format == "html"
    assert_shape(doc.text, truth, lay)


def test_gbk_page_is_decoded_from_its_meta_charset(report):
    truth, lay = report
    data = html_page(lay, HtmlStyle(encoding="gbk"))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = to_text(data)
    assert doc.encoding == "gb18030"
    assert not doc.lossy
    assert truth.agency in doc.text


def test_charset_sources():
    assert declared_charset(b'<meta charset="GB2312">') == "gb18030"
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gbk" />')
        == "gb18030"
    )
    assert declared_charset(b'<?xml version="1.0" encoding="big5"?><html>') == "big5"
    assert declared_charset(b"<meta charset=nonsense>") is None
    page = "<html><body><p>总体情况</p></body></html>"
    assert decode_html(codecs.BOM_UTF8 + page.encode()) == (page, "utf-8", False)
    assert decode_html(page.encode("utf-16")) == (page, "utf-16", False)
    # A page re-saved as UTF-8 that kept its old GBK meta tag: the bytes win.
    resaved = ('<meta charset="gbk">' + page).encode()
    assert decode_html(resaved)[1] == "utf-8"


def test_mixed_encoding_is_lossy_not_fatal():
    data = "<html><body><p>一、总体情况</p>".encode() + b"<p>\xff\xfe\xfa</p></body></html>"
    doc = to_text(data)
    assert doc.lossy
    assert "一、总体情况" in doc.text


def test_chrome_is_dropped(report):
    truth, lay = report
    text = to_text(html_page(lay, HtmlStyle(), truth.published)).text
    for chrome in (
        "ICP备",
        "主办单位",
        "当前位置",
        "分享到",
        "互动交流",
        "政府信息公开年报",
        "_hmt",
    ):
        assert chrome not in text, chrome
    assert "发布日期:" + truth.published in text  # the article's info line stays


def test_chrome_named_wrapper_holding_the_report_is_kept(report):
    truth, lay = report
    page = html_page(lay, HtmlStyle(chrome=False)).decode()
    page = page.replace("<body>", '<body><div class="main-bottom">').replace(
        "</body>", "</div></body>"
    )
    assert_shape(to_text(page.encode()).text, truth, lay)


def test_page_title_is_used_when_the_article_has_none(report):
    _truth, lay = report
    page = html_page(lay, HtmlStyle(chrome=False)).decode()
    page = page.replace(f"<h1>{lay.title}</h1>", "")
    text = to_text(page.encode()).text
    assert text.split("\n")[0].startswith(lay.title)


def test_report_inside_a_script_string(report):
    truth, lay = report
    doc = to_text(html_page(lay, HtmlStyle(in_script=True), truth.published))
    assert any(p.startswith("html_from_script:") for p in doc.problems)
    assert_shape(doc.text, truth, lay)


def test_report_inside_a_json_response(report):
    import json

    truth, lay = report
    article = html_page(lay, HtmlStyle(chrome=False)).decode()
    data = json.dumps({"code": 0, "data": {"title": lay.title, "content": article}}).encode()
    doc = to_text(b"<script>var r = " + data + b";</script>")
    assert_shape(doc.text, truth, lay)


def test_layout_tables_are_read_as_blocks(report):
    truth, lay = report
    page = html_page(lay, HtmlStyle(chrome=False)).decode()
    page = page.replace("<body>", "<body><table><tr><td>").replace(
        "</body>", "</td></tr></table></body>"
    )
    assert_shape(to_text(page.encode()).text, truth, lay)


def test_two_copies_are_both_written(report):
    _truth, lay = report
    text = to_text(html_page(lay, HtmlStyle(copies=2))).text
    assert text.count("一、总体情况") == 2
    assert text.count(lay.title) >= 2


def test_tables_as_images_are_named(report):
    _truth, lay = report
    doc = to_text(html_page(lay, HtmlStyle(tables=False)))
    assert any(p.startswith("table_images:") for p in doc.problems)


def test_numeric_row_span_is_neither_copied_nor_guessed():
    page = """<html><body><p>二、主动公开政府信息情况</p><table>
    <tr><td>信息内容</td><td>本年处理决定数量</td></tr>
    <tr><td>行政处罚</td><td rowspan="2">7</td></tr>
    <tr><td>行政强制</td></tr></table></body></html>"""
    doc = to_text(page.encode())
    assert line_after_label(doc.text, "行政处罚") == ["7"]
    assert line_after_label(doc.text, "行政强制") == []
    assert [p.split(":")[0] for p in doc.problems] == ["merged_number_cell"]


def test_zero_row_span_is_zero_in_each_row():
    page = """<html><body><p>二、主动公开政府信息情况</p><table>
    <tr><td>信息内容</td><td>本年处理决定数量</td></tr>
    <tr><td>行政处罚</td><td rowspan="2">0</td></tr>
    <tr><td>行政强制</td></tr></table></body></html>"""
    doc = to_text(page.encode())
    assert line_after_label(doc.text, "行政强制") == ["0"]
    assert doc.problems == ()


def test_broken_markup_is_read():
    page = "<html><body><p>一、总体情况<p>本年新收 <table><tr><td>a<td>1<tr><td>b<td>2</table>"
    text = to_text(page.encode()).text
    assert text.split("\n") == ["一、总体情况", "本年新收", "| a | 1 |", "| b | 2 |"]


def test_empty_pages():
    assert to_text(b"<html><body>   </body></html>").text == ""
    with pytest.raises(DecodeError) as e:
        to_text(b"   ")
    assert e.value.reason == "empty"


def test_style_variants_are_independent():
    # guard: the dataclass used as a style is not shared between parametrized cases
    assert replace(STYLES["plain"], copies=2).copies == 2
    assert STYLES["plain"].copies == 1


def test_css_values_that_hide():
    """The value readers behind what a browser draws (tinycss2 tokens and CSS Color 3)."""
    from gipr_pipeline.readers import css

    white = (255, 255, 255, 1.0)
    assert css.colour("#fff") == css.colour("white") == css.colour("rgb(255, 255, 255)") == white
    assert css.colour("hsl(0, 0%, 100%)") == css.colour("#ffffff") == white
    assert css.colour("transparent")[3] == 0 == css.colour("rgba(255, 255, 255, 0)")[3]
    assert css.colour("rgba(0, 0, 0, .5)") == (0, 0, 0, 0.5)
    assert css.colour("inherit") is None and css.colour("currentcolor") == "currentcolor"
    assert css.legacy_colour("ffffff") == css.legacy_colour("#FFFFFF") == white
    assert css.legacy_colour("nonsense") is None
    assert css.background("#fff url(a.png) no-repeat") == (white, True)
    assert css.background("linear-gradient(#fff, #000)")[1]
    assert css.background("none") == ((0, 0, 0, 0.0), False)
    assert [css.font_size(v) for v in ("0", "0px", "0%", "0em", "12px", "1.2em", "inherit")] == [
        "zero", "zero", "zero", "zero", "absolute", "relative", None,
    ]  # fmt: skip
    assert [css.font_shorthand_size(v) for v in ("0/0 a", "bold 0/0 a", "700 12px/1.5 serif")] == [
        "zero", "zero", "absolute",
    ]  # fmt: skip
    assert [css.opacity_zero(v) for v in ("0", "0.0", "0%", "0.01", "1")] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert [css.far_off(v) for v in ("-9999px", "-1000px", "-999px", "-100em", "-50%")] == [
        True, True, False, True, False,
    ]  # fmt: skip
    assert css.clip_hides("rect(0 0 0 0)") and css.clip_hides("rect(1px, 1px, 1px, 1px)")
    assert not css.clip_hides("rect(0, 200px, 40px, 0)") and not css.clip_hides("auto")
    assert css.clip_path_hides("inset(50%)") and css.clip_path_hides("inset(0 50% 0 50%)")
    assert not css.clip_path_hides("inset(10%)") and not css.clip_path_hides("inset(5px)")


@pytest.mark.parametrize(
    "style",
    [
        "font-size:0",
        "FONT-SIZE: 0PX",
        "opacity:0",
        "color:transparent",
        "color:rgba(0,0,0,0)",
        "color:#fff",
        "position:absolute;left:-9999px",
        "position:absolute;clip:rect(0 0 0 0)",
        "clip-path:inset(50%)",
        "display:block;height:0;overflow:hidden",
        "display:inline-block;width:1px;overflow-x:clip",
        "position:absolute;max-height:0;overflow:hidden",
        "color:rgb(255 255 255)",
        "-webkit-text-fill-color:transparent",
    ],
)
def test_each_way_of_hiding_is_read_from_a_style_attribute_alone(style):
    page = f'<html><body><p>28<span style="{style}">5</span><i style="color:red">7</i></p></body></html>'
    doc = to_text(page.encode())
    assert doc.text == "287"
    assert doc.problems[0].startswith("html_hidden_text: 1 piece(s)")


def test_a_box_sized_to_nothing_hides_only_where_its_size_applies():
    """``height:0`` with ``overflow:hidden`` hides a block's content, not an inline box's (a
    size does not apply to it) nor a table cell's (its height is a minimum); without the
    overflow clip the content overflows and shows."""
    page = """<!DOCTYPE html><html><head><style>
    .sr { height: 1px; width: 1px; overflow: hidden; position: absolute }
    .nohide { height: 0 } .inl { height: 0; overflow: hidden }
    </style></head><body>
    <p>1<span class="sr">2</span></p><div style="height:0;overflow:hidden">3</div>
    <p>4<span class="inl">5</span><span class="nohide">6</span></p>
    <table><tr><td style="height:0;overflow:hidden">规章</td><td class="inl">7</td></tr></table>
    <div style="overflow:hidden;height:auto">8</div><div style="float:left;width:0;overflow:clip">9</div>
    </body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == ["1", "456", "| 规章 | 7 |", "8"]
    assert doc.problems[0].startswith("html_hidden_text: 3 piece(s)")


_UNITS = st.sampled_from(["", "px", "pt", "em", "rem", "%", "cm", "in", "pc", "mm", "q", "PX"])
_NUMBER = st.one_of(
    st.integers(-20000, 20000).map(str),
    st.floats(-200, 200, allow_nan=False).map(lambda f: f"{f:.2f}"),
    st.sampled_from(["0", "-0", "+0", ".0", "0.0", "00", "-1", "0.5", "10.5"]),
)
_LENGTH = st.builds(lambda n, u: n + u, _NUMBER, _UNITS)
_COLOUR = st.sampled_from(
    ["#fff", "#FFFFFF", "white", "rgb(255,255,255)", "#000", "black", "transparent", "red",
     "rgba(0, 0, 0, 0)", "hsl(0, 0%, 100%)", "#eef2f7", "rgb(238, 242, 247)", "currentColor",
     "inherit", "windowtext", "rgb(255 255 255)", "hwb(0 100% 0%)", "#ffffff00", "rgb(0 0 0 / 0)"]
)  # fmt: skip
_DECLARATION = st.one_of(
    st.builds(lambda v: f"font-size:{v}", _LENGTH),
    st.builds(lambda a, v, b: f"font:{a}{v}/{b} serif", st.sampled_from(["", "bold ", "700 "]),
              _LENGTH, _LENGTH),
    st.builds(lambda v: f"opacity: {v}", _NUMBER),
    st.builds(lambda p, v: f"{p}:{v}", st.sampled_from(["left", "top", "text-indent"]), _LENGTH),
    st.builds(lambda a, b: f"clip: rect({a} {b} {a} {b})", _LENGTH, _LENGTH),
    st.builds(lambda v: f"clip-path: inset({v})", _LENGTH),
    st.builds(lambda p, c: f"{p}: {c}",
              st.sampled_from(["color", "background-color", "-webkit-text-fill-color"]), _COLOUR),
    st.builds(lambda p, v: f"{p}:{v}", st.sampled_from(["height", "width", "max-height",
              "max-width"]), _LENGTH),
    st.builds(lambda p, v: f"{p}:{v}", st.sampled_from(["overflow", "overflow-x", "overflow-y"]),
              st.sampled_from(["hidden", "clip", "auto", "visible", "HIDDEN"])),
    st.builds(lambda c: f"background: {c} url(x.png) no-repeat", _COLOUR),
)  # fmt: skip


@given(st.lists(_DECLARATION, min_size=1, max_size=6))
@example(["overflow:hidden", "height:-0.00"])  # a signed zero size (seed 99)
@settings(max_examples=300, deadline=None)
def test_the_raw_text_screen_never_misses_a_way_of_hiding(decls):
    """The cheap screen on the raw text decides which properties are parsed at all: it must
    say yes whenever the parsed declarations could hide text (a superset)."""
    from gipr_pipeline.readers import css

    style = "; ".join(decls)
    may = css._may_hide(style, [])
    declared = css.declarations(style)
    found = css._families(declared, [], [declared])
    assert all(m or not f for m, f in zip(may, found, strict=True)), (may, found)
