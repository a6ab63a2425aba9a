"""Document traps as generated families: for random truth tables, HTML, DOCX and PDF files whose
bytes hold more, or other, than a person sees parse back to exactly the facts a person sees,
and the reader names what it left out. A document that cannot be read as shown is rejected by
name (``no_unicode_map``), never guessed."""

from __future__ import annotations

import io
import random

import pytest

from gipr_pipeline.corpus.render import random_truth
from gipr_pipeline.parser.parse import parse_bytes
from gipr_pipeline.readers import to_text
from gipr_pipeline.template import load_template

from . import traps
from .builders import layout, pick_blanks

SEEDS = (1, 2, 3)


def _case(seed: int, blank_share: float = 0.0):
    rng = random.Random(seed)
    truth = random_truth(rng, load_template("2021"), scale=rng.choice((3, 30, 3000)))
    return truth, layout(truth, pick_blanks(truth, rng, blank_share)), rng


def _facts(result):
    return sorted((f.table, f.row, f.column, f.value) for f in result.facts)


def _assert_seen(data: bytes, truth, name: str):
    r = parse_bytes(data, name)
    assert r.status == "ok", (r.reason, r.message)
    assert _facts(r) == sorted(truth.facts())
    assert [v for v in r.violations if v.severity == "hard"] == []
    assert r.report.agency == truth.agency
    return r


def _codes(result) -> set[str]:
    return {p.split(":")[0] for p in result.problems}


# ------------------------------------------------------------------ HTML


@pytest.mark.parametrize("kind", traps.HTML_HIDE_KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_html_hidden_digits_are_not_read(kind, seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.html_hidden(lay, rng, kinds=(kind,)), truth, "hidden.html")
    assert "html_hidden_text" in _codes(r)


@pytest.mark.parametrize("seed", SEEDS)
def test_html_hidden_digits_of_every_kind_at_once(seed):
    truth, lay, rng = _case(seed)
    _assert_seen(traps.html_hidden(lay, rng, share=0.9), truth, "hidden.html")


def test_css_cascade_decides_what_shows():
    """An id rule beats a class rule, !important beats inline, a child may be visible again
    under a hidden parent, @media print rules do not apply to the screen."""
    page = """<html><head><style>
    .x { display: none } #keep.x { display: inline }
    .y { display: inline !important }
    @media print { .p { display: none } }
    </style></head><body>
    <p><span class="x" id="keep">1</span><span class="x">2</span></p>
    <p><span class="y" style="display:none">3</span></p>
    <p><span style="visibility:hidden">4<b style="visibility:visible">5</b></span>6</p>
    <p><span class="p">7</span><span hidden>8</span><span hidden style="display:inline">9</span></p>
    </body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == ["1", "3", "56", "79"]
    assert doc.problems == (
        "html_hidden_text: 3 piece(s) of text with digits that the page hides "
        "(display:none, visibility:hidden, the hidden attribute, opacity:0, font-size:0, "
        "text coloured like its background, off-screen, a closed <details>) were not read",
    )


def test_text_drawn_where_no_one_sees_it():
    """Zero size, zero opacity, the background's colour, off-screen and clipped boxes: what a
    browser draws is read, the rest named; each property's override shows again."""
    page = """<html><head><style>
    .z { font-size: 0 } .z .back { font-size: 12px } .z .rel { font-size: 1.5em }
    .f { font: 0/0 a } #f2.f { font: 14px/1.5 serif }
    .o { opacity: 0 } .o .back { opacity: 1 }
    .w { color: #fff } .dark { background-color: #333 } .pic { background: #fff url(p.png) }
    .k { color: rgb(0, 0, 0) !important } .k2 { color: white }
    .off { position: absolute; left: -9999px } .ti { display: block; text-indent: -9999px }
    .sr { position: absolute; clip: rect(1px, 1px, 1px, 1px) }
    </style></head><body>
    <p>1<span class="z">2<span class="back">3</span><span class="rel">4</span></span></p>
    <p><span class="f">5</span><span class="f" id="f2">6</span></p>
    <p><span class="o">7<span class="back">8</span></span>9</p>
    <p><span class="w">10</span><span class="dark"><span class="w">11</span></span></p>
    <p><span class="pic"><span class="w">12</span></span><span class="k k2">13</span></p>
    <p><span style="color:rgba(0,0,0,0)">14</span><span style="color:rgba(0,0,0,0.5)">15</span></p>
    <p><span class="off">16</span><span style="left:-9999px">17</span></p>
    <p><span class="ti">18<span style="display:block;text-indent:0">19</span></span></p>
    <p><span style="text-indent:-9999px">20</span><span class="sr">21</span></p>
    <p><span style="clip:rect(0 0 0 0)">22</span><span style="clip-path:inset(50%)">23</span></p>
    <table bgcolor="#ffffff"><tr><td>规章</td><td>24<font color="#FFFFFF">25</font></td></tr>
    <tr bgcolor="navy"><td>规章</td><td><font color="white">26</font></td></tr></table>
    </body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == [
        "13",  # 2 and 4 (1.5em of 0) have no size
        "6",
        "9",  # opacity 0 hides its subtree: 8 cannot undo it
        "11",  # white on the dark background shows
        "1213",  # on an image it is not guessed at; black !important beats white
        "15",  # a translucent colour is drawn
        "17",  # left without position moves nothing
        "19",
        "20",  # text-indent does not apply to an inline box
        "22",  # clip applies to absolutely positioned boxes only
        "| 规章 | 24 |",
        "| 规章 | 26 |",
    ]
    assert doc.problems == (
        "html_hidden_text: 11 piece(s) of text with digits that the page hides "
        "(display:none, visibility:hidden, the hidden attribute, opacity:0, font-size:0, "
        "text coloured like its background, off-screen, a closed <details>) were not read",
    )


def test_css_level_4_forms_that_browsers_draw():
    """Colours in CSS Color 4 syntax, ``-webkit-text-fill-color`` (it paints the glyphs instead
    of ``color`` and is inherited on its own) and a Selectors 4 ``:not(A, B)`` list hide the
    decoys as a browser does; what they do not hide is read."""
    page = """<html><head><style>
    span.d:not(.a, .b) { display: none }
    .t { -webkit-text-fill-color: transparent } .t .back { -webkit-text-fill-color: initial }
    </style></head><body>
    <p>1<span style="color:rgb(255 255 255)">2</span><span style="color:hwb(0 100% 0%)">3</span></p>
    <p>4<span style="color:rgb(0 0 0 / 0)">5</span><span style="color:rgb(255 255 255 / .5)">6</span></p>
    <p>7<span class="d">8</span><span class="d a">9</span></p>
    <p><span class="t">10<b style="color:black">11</b><i class="back">12</i></span></p>
    <table bgcolor="#ffffff"><tr><td>规章</td>
    <td>28<span style="color:color(srgb 1 1 1)">0</span></td></tr></table>
    </body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == ["1", "46", "79", "12", "| 规章 | 28 |"]
    assert doc.problems == (
        "html_hidden_text: 7 piece(s) of text with digits that the page hides "
        "(display:none, visibility:hidden, the hidden attribute, opacity:0, font-size:0, "
        "text coloured like its background, off-screen, a closed <details>) were not read",
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_html_struck_out_figures_are_not_read(seed):
    """A figure struck out beside its correction (``<del>9</del>28``, ``<s>``, ``<strike>``)
    reads to a person as removed: the correction alone is read, and the struck one named."""
    truth, lay, rng = _case(seed)
    tags = ("del", "s", "strike")

    def cell(text: str) -> str:
        tag = rng.choice(tags)
        return f"<{tag}>{_other(rng)}</{tag}>{text}" if rng.random() < 0.5 else text

    page = traps.html_page(lay, traps.HtmlStyle(cell_html=cell))
    r = _assert_seen(page, truth, "struck.html")
    assert "html_struck_text" in _codes(r)
    # struck text without digits is still read (a struck word is no figure to store)
    doc = to_text(
        "<html><body><p><del>原</del>1<s>2</s><strike>x3</strike>4</p></body></html>".encode()
    )
    assert doc.text == "原14"
    assert doc.problems == (
        "html_struck_text: 2 piece(s) of text with digits struck out (<del>, <s>, <strike>: a "
        "figure the page marks as removed) were not read",
    )


def _other(rng: random.Random) -> str:
    return str(rng.randint(1, 9))


def test_hidden_by_drawing_in_tables_leaves_empty_cells():
    """Unlike display:none, a cell that is drawn invisibly keeps its place in the table; a row
    drawn invisibly shows nothing, so it is no row."""
    page = """<html><head><style>tr.x { color: white } .gone { opacity: 0 }</style></head>
    <body><table>
    <tr><td>信息内容</td><td>本年制发件数</td><td>现行有效件数</td></tr>
    <tr class="x"><td>规章</td><td>7</td><td>8</td></tr>
    <tr><td>规章</td><td class="gone">9</td><td>4</td></tr>
    <tr style="font-size:0"><td>行政规范性文件</td><td>5</td><td style="font-size:9pt">2</td></tr>
    </table></body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == [
        "| 信息内容 | 本年制发件数 | 现行有效件数 |",
        "| 规章 |  | 4 |",
        "|  |  | 2 |",
    ]
    assert doc.problems[0].startswith("html_hidden_text: 4 piece(s)")


@pytest.mark.parametrize(
    ("doctype", "shown"),
    [
        ("", True),  # no doctype: quirks mode
        ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">', True),
        ("<!DOCTYPE html>", False),
        (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
            False,
        ),
    ],
)
def test_quirks_mode_tables_do_not_inherit_a_zero_font_size(doctype, shown):
    """In quirks mode a browser resets the font size at each table (the HTML rendering spec's
    quirks sheet), so a table under a zero-size container shows; in standards mode it does not."""
    page = f"""{doctype}<html><body><div style="font-size:0">菜单<table>
    <tr><td>规章</td><td>28</td></tr><tr><td>行政规范性文件</td><td>1</td></tr></table></div>
    </body></html>"""
    table = ["| 规章 | 28 |", "| 行政规范性文件 | 1 |"]
    assert to_text(page.encode()).text.split("\n") == (table if shown else [""])


def test_dark_pages_and_pages_shown_by_a_script_are_read():
    """White text on a page whose body is dark shows; ``opacity:0`` on <html> until a script
    shows the page (anti-flicker snippets) is ignored, as display and visibility are."""
    dark = """<html><head><style>body { background: #000; color: #fff }</style></head>
    <body><p>一、总体情况</p><p>28<span style="color:#000">5</span></p></body></html>"""
    assert to_text(dark.encode()).text.split("\n") == ["一、总体情况", "28"]
    legacy = (
        """<html><body bgcolor="black" text="white"><p>一、总体情况</p><p>28</p></body></html>"""
    )
    assert to_text(legacy.encode()).text.split("\n") == ["一、总体情况", "28"]
    flicker = """<html class="async-hide"><head><style>.async-hide { opacity: 0 !important }
    </style></head><body><p>一、总体情况</p><p>28</p></body></html>"""
    assert to_text(flicker.encode()).text.split("\n") == ["一、总体情况", "28"]


def test_hidden_rows_and_cells_leave_the_table():
    page = """<html><head><style>.old { display: none }</style></head><body><table>
    <tr><td>信息内容</td><td>本年制发件数</td><td class="old">旧</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>3</td><td class="old">9</td><td>4</td></tr>
    <tr class="old"><td>规章</td><td>7</td><td>7</td><td>7</td></tr>
    <tr hidden><td>行政规范性文件</td><td>8</td><td>8</td></tr>
    <tr><td>行政规范性文件</td><td>1</td><td style="display:none">6</td><td>2</td></tr>
    </table></body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == [
        "| 信息内容 | 本年制发件数 | 现行有效件数 |",
        "| 规章 | 3 | 4 |",
        "| 行政规范性文件 | 1 | 2 |",
    ]
    assert doc.problems[0].startswith("html_hidden_text: 4 piece(s)")


def test_page_hidden_until_a_script_shows_it_is_read():
    """``html { display:none }`` until a script reveals the page (anti-clickjacking): a person
    sees the page, so it is read; what is hidden inside it still is not."""
    page = """<html><head><style>html { display: none } body { visibility: hidden }</style>
    <script>if (self == top) document.documentElement.style.display = 'block';</script>
    </head><body><p>一、总体情况</p><p>28<span style="display:none">5</span></p></body></html>"""
    assert to_text(page.encode()).text.split("\n") == ["一、总体情况", "28"]


@pytest.mark.parametrize("mode", traps.DIV_MODES)
@pytest.mark.parametrize("seed", (1, 2))
def test_html_div_grid_tables_with_blank_cells(mode, seed):
    truth, lay, _rng = _case(seed, blank_share=0.3)
    r = _assert_seen(traps.html_div_tables(lay, mode), truth, "grid.html")
    named = [p for p in r.problems if p.startswith("blank_as_zero")]
    assert sum(p.count("=blank") for p in named) == len(lay.blanks)


def test_page_layout_grid_is_not_a_table():
    """A page laid out with CSS grid (menu | article) is read as blocks, not as one table row."""
    article = "<h1>年度报告</h1><p>一、总体情况</p>" + "<p>本年度共收到申请27件。</p>" * 30
    page = f"""<html><head><style>.page {{ display: grid; grid-template-columns: 200px 1fr }}
    </style></head><body><div class="page"><div>首页</div><div>{article}</div>
    <div>联系我们</div><div>版权所有</div></div></body></html>"""
    lines = to_text(page.encode()).text.split("\n")
    assert "一、总体情况" in lines
    assert not any(ln.startswith("|") for ln in lines)


def test_css_table_of_divs():
    page = """<html><body><div style="display:table">
    <div style="display:table-row"><div style="display:table-cell">规章</div>
    <div style="display:table-cell">3</div><div style="display:table-cell"></div></div>
    <div style="display:table-row"><div style="display:table-cell">行政规范性文件</div>
    <div style="display:table-cell"></div><div style="display:table-cell">5</div></div>
    </div></body></html>"""
    assert to_text(page.encode()).text.split("\n") == [
        "| 规章 | 3 |  |",
        "| 行政规范性文件 |  | 5 |",
    ]


# ------------------------------------------------------------------ DOCX


@pytest.mark.parametrize("kind", traps.DOCX_RUN_KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_docx_hidden_deleted_and_moved_runs_are_not_read(kind, seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_hidden_runs(lay, rng, kinds=(kind,)), truth, "runs.docx")
    expected = {
        "vanish": "docx_hidden_text",
        "hidden_style": "docx_hidden_text",
        "deleted": "docx_tracked_changes",
        "moved_from": "docx_tracked_changes",
    }.get(kind)
    if expected:
        assert expected in _codes(r)
    else:  # insertions are shown: nothing left out
        assert not {"docx_hidden_text", "docx_tracked_changes"} & _codes(r)


@pytest.mark.parametrize("seed", (1, 2, 3, 4, 5))
def test_docx_styles_and_field_codes_hide_what_word_hides(seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_hidden_by_styles(lay, rng), truth, "styles.docx")
    assert "docx_hidden_text" in _codes(r)


@pytest.mark.parametrize("seed", (1, 2, 3, 4, 5))
def test_docx_white_on_the_white_page_is_not_read(seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_white_runs(lay, rng), truth, "white.docx")
    assert "docx_white_text" in _codes(r)


def test_docx_white_text_is_read_where_something_is_shaded_behind_it():
    """White on a shaded run, paragraph, cell or highlight shows; white on the page does not."""
    import docx

    d = docx.Document()
    for shade in ("", "run", "para", "highlight"):
        p = d.add_paragraph()._p
        p.append(traps._run("1"))
        r = traps._white_run("2")
        if shade == "run":
            r[0].append(traps._el(traps._w("shd"), {traps._w("fill"): "000000"}))
        elif shade == "highlight":
            r[0].append(traps._el(traps._w("highlight"), {traps._w("val"): "black"}))
        elif shade == "para":
            ppr = traps._el(
                traps._w("pPr"), None, traps._el(traps._w("shd"), {traps._w("fill"): "333333"})
            )
            p.insert(0, ppr)
        p.append(r)
    buf = io.BytesIO()
    d.save(buf)
    doc = to_text(buf.getvalue())
    assert doc.text.split("\n") == ["1", "12", "12", "12"]
    assert doc.problems == (
        "docx_white_text: 1 run(s) in white on no shading (white on the white page) were not read",
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_struck_through_figures_are_not_read(seed):
    """A figure struck through (w:strike, w:dstrike) beside its correction is not read and is
    named; a struck word (no digits) is read, and strike switched off is no strike."""
    truth, lay, rng = _case(seed)
    tags = ("strike", "dstrike")

    def on_table(_document, table, _block) -> None:
        for p in traps._value_paragraphs(table):
            if rng.random() < 0.5:
                r = traps._run(str(rng.randint(1, 9)))
                r.insert(0, traps._el(traps._w("rPr"), None, traps._el(traps._w(rng.choice(tags)))))
                p.findall(traps._w("r"))[0].addprevious(r)

    r = _assert_seen(traps.docx_bytes(lay, on_table=on_table), truth, "struck.docx")
    assert "docx_struck_text" in _codes(r)
    import docx

    d = docx.Document()
    p = d.add_paragraph()._p
    for text, val in (("原", None), ("1", "0"), ("2", None), ("3", "false")):
        r = traps._run(text)
        attrs = {traps._w("val"): val} if val else {}
        r.insert(0, traps._el(traps._w("rPr"), None, traps._el(traps._w("strike"), attrs)))
        p.append(r)
    buf = io.BytesIO()
    d.save(buf)
    doc = to_text(buf.getvalue())
    assert doc.text == "原13"
    assert doc.problems == (
        "docx_struck_text: 1 run(s) with digits struck through (w:strike, w:dstrike: a figure "
        "marked as removed) were not read",
    )


def test_docx_vanish_is_a_toggle_through_the_style_hierarchy():
    """Document defaults, the default paragraph style, a table style, a paragraph style and a
    character style each flip ``w:vanish`` (val=0 in a style flips nothing); direct formatting
    sets it outright; a field's code is never read, only its result."""
    import docx

    d = docx.Document()
    traps._add_style(d, "HideP", "paragraph", True)
    traps._add_style(d, "HideC", "character", True)
    traps._add_style(d, "KeepC", "character", False)
    traps._add_style(d, "HideT", "table", True)

    def para(*runs, style=None):
        p = d.add_paragraph(style=style)._p
        for r in runs:
            p.append(r)
        return p

    para(traps._run("1"), traps._run("2", style="HideC"), traps._run("3", style="KeepC"))
    para(traps._run("4"), traps._run("5", style="HideC"), traps._run("6", style="KeepC"))
    d.paragraphs[-1].style = "HideP"
    p = para(traps._run("7"))
    for r in traps._field(" = 8 ", [traps._run("9")]):
        p.append(r)
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "规章", "10"
    t.style = "HideT"
    t.cell(0, 1).paragraphs[0]._p.append(traps._run("11", style="HideC"))
    buf = io.BytesIO()
    d.save(buf)
    doc = to_text(buf.getvalue())
    assert doc.text.split("\n") == ["13", "5", "79", "|  | 11 |"]  # the label hidden too
    assert doc.problems == ("docx_hidden_text: 5 hidden run(s) (w:vanish) were not read",)


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_deleted_rows_are_not_read(seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_deleted_rows(lay, rng), truth, "rows.docx")
    assert "docx_tracked_changes" in _codes(r)


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_rows_and_cells_in_content_controls(seed):
    truth, lay, rng = _case(seed, blank_share=0.2)
    _assert_seen(traps.docx_sdt_rows(lay, rng), truth, "sdt.docx")


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_tables_in_text_boxes_are_read_once(seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_text_box_tables(lay, rng), truth, "boxes.docx")
    assert not any(p.startswith("duplicated_copy") for p in r.problems)


@pytest.mark.parametrize("seed", (1, 2, 3, 4, 5))
def test_docx_zero_cells_merged_across_rows_and_columns(seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.docx_merged_zeros(lay, rng), truth, "merged.docx")
    assert "merged_number_cell" not in _codes(r)


def test_docx_figure_merged_across_value_columns_is_named_not_guessed():
    _truth, lay, _rng = _case(4)

    def on_table(_document, table, block):
        if block.code != "applications":
            return
        grid_row, col = block.value_slots["3.1"]
        merged = table.cell(grid_row, col).merge(table.cell(grid_row, col + 1))
        merged.text = "9"

    data = traps.docx_bytes(lay, on_table=on_table)
    r = parse_bytes(data, "merged.docx")
    assert "merged_number_cell" in _codes(r)
    assert not [f for f in r.facts if f.table == "applications" and f.row == "3.1"]
    assert any(p.startswith("cell_count: applications 3.1") for p in r.problems)


# ------------------------------------------------------------------ PDF


@pytest.mark.parametrize("kind", traps.PDF_KINDS)
@pytest.mark.parametrize("seed", (1, 2))
def test_pdf_traps_read_what_a_viewer_shows(kind, seed):
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.pdf_trap(lay, rng, kinds=(kind,)), truth, "trap.pdf")
    expected = {
        "invisible": "pdf_invisible_text",
        "whiteout": "pdf_covered_text",
        "overprint": "pdf_overprint",
        "letterspaced": "pdf_letter_spacing",
        "kerned": "pdf_letter_spacing",
        "white_text": "pdf_white_text",
        "stroked_white": "pdf_white_text",
        "outlined_white": None,  # shown: nothing left out
        "same_colour": "pdf_white_text",
        "transparent": "pdf_white_text",
        "tiny": "pdf_invisible_text",
        "squeezed": "pdf_invisible_text",
    }[kind]
    if expected is None:
        assert not {"pdf_white_text", "pdf_invisible_text"} & _codes(r)
    else:
        assert expected in _codes(r)


@pytest.mark.parametrize("seed", (1, 2, 3))
def test_pdf_row_of_cells_in_one_tj_stays_cells(seed):
    """A row's figures drawn by one TJ, each moved into its ruled cell by a TJ adjustment (a gap
    of several ems crossing a cell border): seven cells, never one joined number."""
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.pdf_rows_in_one_tj(lay, rng), truth, "rows.pdf")
    assert "pdf_letter_spacing" not in _codes(r)


def test_pdf_tj_gaps_up_to_an_em_are_letter_spacing():
    """Without ruling lines, the width of a TJ gap between digits decides: up to an em it is
    letter spacing (28), wider it is two figures (2 8); a gap of Tc and TJ together counts."""
    import io

    from reportlab.pdfgen import canvas

    traps._register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    tj = traps._tj
    for y, code in (  # each line numbered, so that the lines are not joined as one paragraph
        (700, tj(["2", "8"], [-600])),
        (680, tj(["1", "2", "0"], [-950, -950])),
        (660, tj(["2", "8"], [-1800])),
        (640, "2 Tc " + tj(["3", "5"], [-700])),  # 2 pt + 0.7 em at 10 pt: letter spacing
    ):
        t = c.beginText(100, y)
        t.setFont(traps.FONT, 10)
        t.textOut(f"({'一二三四'[(700 - y) // 20]})")
        t._code.append(code)
        c.drawText(t)
    c.save()
    text = buf.getvalue()
    doc = to_text(text)
    assert doc.text.split("\n") == ["(一)28", "(二)120", "(三)2 8", "(四)35"]
    assert doc.problems == (
        "pdf_letter_spacing: 4 gap(s) of letter spacing (Tc or TJ) inside numbers closed, page(s) 1",
    )


@pytest.mark.parametrize("kind", traps.LAYER_KINDS)
@pytest.mark.parametrize("seed", (1, 2))
def test_pdf_layers_switched_off_are_not_read(kind, seed):
    """Value cells drawn in a layer that is on, with a white box and a decoy figure over them
    in a layer that is off by default: the true figures, the layer named."""
    truth, lay, rng = _case(seed)
    r = _assert_seen(traps.pdf_layers(lay, rng, kind), truth, "layers.pdf")
    assert "pdf_hidden_layer" in _codes(r)
    assert not {"pdf_covered_text", "pdf_layer_unresolved"} & _codes(r)


def test_pdf_layers_that_are_on_read_normally():
    truth, lay, rng = _case(1)
    r = _assert_seen(traps.pdf_layers(lay, rng, "true_only"), truth, "layers.pdf")
    assert not {"pdf_hidden_layer", "pdf_layer_unresolved"} & _codes(r)
    # Every layer on: the white boxes and decoys show, and are what a person reads.
    r = parse_bytes(traps.pdf_layers(lay, random.Random(1), "all_on"), "layers.pdf")
    assert r.status == "ok"
    assert "pdf_covered_text" in _codes(r) and "pdf_hidden_layer" not in _codes(r)
    assert _facts(r) != sorted(truth.facts())


def test_pdf_layers_that_cannot_be_evaluated_are_read_and_named():
    """A /OC name missing from the page's /Properties, a membership dictionary with a
    visibility expression (/VE): the text is kept (never dropped on a guess) and named."""
    truth, lay, _rng = _case(2)
    groups = traps.LAYER_GROUPS | {"Ve": "<< /Type /OCMD /OCGs [ {On} ] /VE [ /Not {Off} ] >>"}
    for layer in ("Gone", "Ve"):
        data = traps.pdf_layers(lay, random.Random(2), "true_only", 1.0, layer, groups)
        r = _assert_seen(data, truth, "layers.pdf")
        assert "pdf_layer_unresolved" in _codes(r)
        assert "pdf_hidden_layer" not in _codes(r)


@pytest.mark.parametrize("cell", (0, 5, 40, 120))
def test_pdf_figure_under_a_box_with_nothing_over_it_is_named_not_zero(cell):
    """A redaction box hides a figure: the cell is unreadable, so its row is named and nothing
    is stored for it — never the hidden figure, never a blank read as 0."""
    truth, lay, rng = _case(3)
    r = parse_bytes(traps.pdf_trap(lay, rng, kinds=("redacted",), only=cell), "redacted.pdf")
    assert r.status == "ok"
    assert "pdf_redacted" in _codes(r)
    got = set(_facts(r))
    assert got < set(truth.facts())  # every number read is right, and some are not read
    assert not any(p.startswith("blank_as_zero") for p in r.problems)


def test_pdf_all_traps_at_once():
    truth, lay, rng = _case(7)
    _assert_seen(traps.pdf_trap(lay, rng, share=0.8), truth, "traps.pdf")


@pytest.mark.parametrize("seed", (1, 2))
def test_radical_lookalikes_are_folded(seed):
    truth, lay, _rng = _case(seed)
    swapped, count = traps.with_radicals(lay)
    assert count > 0
    r = _assert_seen(traps.pdf_bytes(swapped), truth, "radicals.pdf")
    assert "radical_lookalikes" in _codes(r)


@pytest.mark.parametrize("fmt", ("txt", "html", "docx"))
@pytest.mark.parametrize("seed", (1, 3))
def test_radical_lookalikes_are_folded_in_every_format(fmt, seed):
    """⺠ for 民 in the agency's name, Kangxi radicals (⾏ for 行) in the table labels: read as
    the ideographs, each fold counted once in the problem."""
    truth, lay, _rng = _case(seed)
    swapped, count = traps.with_radicals(lay, kangxi_labels=True)
    assert "⺠" in swapped.title and "民" in truth.agency
    labels = [
        t for b in swapped.blocks if not isinstance(b, str) for row in b.rows for t, *_ in row
    ]
    assert any("⾏" in t for t in labels)
    data = {
        "txt": traps.text_bytes,
        "html": lambda lay: traps.html_page(lay, traps.HtmlStyle(), "2025-01-20"),
        "docx": traps.docx_bytes,
    }[fmt](swapped)
    r = _assert_seen(data, truth, f"radicals.{fmt}")
    if fmt == "html":
        count += 1  # the page's <title> is read too, and repeats the title's ⺠
    assert [p for p in r.problems if p.startswith("radical_lookalikes")] == [
        f"radical_lookalikes: {count} CJK radical(s) that look like ideographs "
        "(e.g. ⺠ for 民) read as the ideograph"
    ]


def test_radicals_outside_the_fold_table_are_kept():
    """Code points of the radical blocks without an equivalent ideograph (⺀ U+2E80, ⺚ U+2E9A
    unassigned) are not folded and not counted; a cell keeps its radicals for the document's
    count."""
    from gipr_pipeline.readers.decode import normalize_counted
    from gipr_pipeline.readers.grid import cell_text

    assert normalize_counted("⺀⺠⽇\r\n") == ("⺀民日\n", 2)
    assert normalize_counted("１⺠⽇") == ("1民日", 2)
    assert cell_text("１ ⺠⽇ ｜") == "1 ⺠⽇ /"
    doc = to_text("| ⾏政许可 | 2 |\n".encode())
    assert doc.text == "| 行政许可 | 2 |\n"
    assert doc.problems == (
        "radical_lookalikes: 1 CJK radical(s) that look like ideographs (e.g. ⺠ for 民) "
        "read as the ideograph",
    )


def test_pdf_without_unicode_map_is_rejected_by_name():
    r = parse_bytes(traps.pdf_without_unicode_map(), "glyphs.pdf")
    assert (r.status, r.reason) == ("rejected", "no_unicode_map")
    assert "Unicode" in r.message


def test_row_hidden_by_visibility_rule_hides_its_cells():
    """A superseded copy of a row kept in the page with ``tr.x {visibility:hidden}`` (found by
    the hidden_content family of ``gipr synth``): the cells inherit the row's visibility, and a
    cell that sets ``visibility:visible`` again shows."""
    page = """<html><head><style>i.x, tr.x { visibility:hidden; font-size:1px }</style></head>
    <body><table>
    <tr><td>信息内容</td><td>本年制发件数</td><td>现行有效件数</td></tr>
    <tr class="x"><td>规章</td><td>7</td><td>8</td></tr>
    <tr><td>规章</td><td>3</td><td>4</td></tr>
    <tr class="x"><td>行政规范性文件</td><td>5</td><td style="visibility:visible">2</td></tr>
    </table></body></html>"""
    doc = to_text(page.encode())
    assert doc.text.split("\n") == [
        "| 信息内容 | 本年制发件数 | 现行有效件数 |",
        "| 规章 | 3 | 4 |",  # the hidden row shows nothing, so it is no row
        "|  |  | 2 |",
    ]
