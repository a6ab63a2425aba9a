"""Build HTML pages, Word files and PDFs of a report from truth tables, in code.

The report is first laid out as blocks (paragraphs and tables whose cells carry row and column
spans, as portals print the template); each format then writes the same blocks. Truth tables come
from :func:`gipr_pipeline.corpus.render.random_truth`; the prose mirrors ``render.render_report`` so the
plain-text rendering of the same truth is the ".txt copy" of the same report.
"""

from __future__ import annotations

import html
import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gipr_pipeline.corpus.render import Truth
from gipr_pipeline.readers.grid import place_html_rows
from gipr_pipeline.template import Table

# A cell as printed: (text, rowspan, colspan); a table: its rows of cells.
Cell = tuple[str, int, int]
Rows = list[list[Cell]]


@dataclass
class TableBlock:
    code: str
    rows: Rows
    # grid row index of each printed template row: (row code) → (grid row, first value column)
    value_slots: dict[str, tuple[int, int]] = field(default_factory=dict)


Block = str | TableBlock


@dataclass
class Layout:
    """A report as blocks, and the cells printed blank (table, row, column)."""

    title: str
    blocks: list[Block]
    blanks: list[tuple[str, str, str]]


GROUPS = {
    "3.3": "(三)不予公开",
    "3.4": "(四)无法提供",
    "3.5": "(五)不予处理",
    "3.6": "(六)其他处理",
}


def _fmt(v: int | float) -> str:
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _values(
    table: Table,
    row_code: str,
    columns: tuple[str, ...],
    cells: dict,
    blank: set[tuple[str, str]],
    blanks: list,
) -> list[str]:
    out = []
    for c in columns:
        if (row_code, c) in blank:
            blanks.append((table.code, row_code, c))
            out.append("")
        else:
            out.append(_fmt(cells[(row_code, c)]))
    return out


def pick_blanks(truth: Truth, rng: random.Random, share: float) -> set[tuple[str, str, str]]:
    """Zero cells to print blank. Only interior cells of a printed row: the parser ignores a
    row's trailing empty fields and a line's leading one (see test_edge_blanks_*)."""
    out = set()
    for t in truth.template.tables:
        cells = truth.cells[t.code]
        if t.code == "review_litigation":
            order = t.cells()
            interior = order[1:-1]
        else:
            interior = [(r.code, c) for r in t.rows for c in r.columns[:-1]]
        for r, c in interior:
            if cells[(r, c)] == 0 and rng.random() < share:
                out.add((t.code, r, c))
    return out


def table_rows(
    table: Table, cells: dict, blank: set[tuple[str, str, str]], blanks: list
) -> TableBlock:
    """The template's table as portals print it, with its merged cells."""
    mine = {(r, c) for t, r, c in blank if t == table.code}
    block = TableBlock(table.code, [])
    rows = block.rows
    if table.code == "applications":
        corner = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
        rows.append([(corner, 3, 3), ("申请人情况", 1, 7)])
        rows.append([("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)])
        rows.append([(lab, 1, 1) for lab in table.column_labels[1:6]])
        outcome = [r for r in table.rows if r.code.startswith("3.")]
        for r in table.rows:
            vals = [(v, 1, 1) for v in _values(table, r.code, r.columns, cells, mine, blanks)]
            parts = r.code.split(".")
            lead: list[Cell] = []
            if r.code == outcome[0].code:
                lead.append(("三、本年度办理结果", len(outcome), 1))
            if len(parts) == 1:
                lead.append((r.label, 1, 3))
            elif len(parts) == 2:
                lead.append((r.label, 1, 2))
            else:
                group = ".".join(parts[:2])
                members = [x for x in table.rows if x.code.startswith(group + ".")]
                if r.code == members[0].code:
                    lead.append((GROUPS[group], len(members), 1))
                lead.append((r.label, 1, 1))
            block.value_slots[r.code] = (len(rows), 3)
            rows.append(lead + vals)
    elif table.code == "review_litigation":
        labels = list(table.column_labels)
        rows.append([("行政复议", 1, 5), ("行政诉讼", 1, 10)])
        rows.append(
            [(lab, 2, 1) for lab in labels] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)]
        )
        rows.append([(lab, 1, 1) for lab in labels * 2])
        vals = []
        for r in table.rows:
            vals += _values(table, r.code, r.columns, cells, mine, blanks)
        rows.append([(v, 1, 1) for v in vals])
    else:  # active_disclosure, 2021 template
        heads = {
            "rules": ("第二十条第(一)项", ["本年制发件数", "本年废止件数", "现行有效件数"]),
            "licensing": ("第二十条第(五)项", ["本年处理决定数量"]),
            "penalty": ("第二十条第(六)项", ["本年处理决定数量"]),
            "fees": ("第二十条第(八)项", ["本年收费金额(单位:万元)"]),
        }
        for r in table.rows:
            if r.code in heads:
                item, cols = heads[r.code]
                rows.append([(item, 1, 4)])
                span = 3 // len(cols)
                rows.append([("信息内容", 1, 1)] + [(c, 1, span) for c in cols])
            vals = _values(table, r.code, r.columns, cells, mine, blanks)
            span = 3 // len(vals)
            block.value_slots[r.code] = (len(rows), 1)
            rows.append([(r.label, 1, 1)] + [(v, 1, span) for v in vals])
    return block


SECTION_TITLES = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


def layout(truth: Truth, blank: set[tuple[str, str, str]] = frozenset()) -> Layout:
    """The report's blocks, with the same prose as ``render.render_report``."""
    y = truth.year
    ref = (
        "国办公开办函〔2021〕30号"
        if truth.template.version == "2021"
        else "国办公开办函〔2019〕60号"
    )
    blanks: list[tuple[str, str, str]] = []
    blocks: list[Block] = [
        f"本年度报告根据《中华人民共和国政府信息公开条例》和《{ref}》要求编制。所列数据统计期限为"
        f"{y}年1月1日至{y}年12月31日。如对本年度报告有疑问,请与{truth.agency}联系(电话:0471-4211860)。",
        "一、总体情况",
        f"{y}年,{truth.agency}认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "(一)主动公开情况",
        "全年主动公开政府信息若干条。",
    ]
    for code in ("active_disclosure", "applications", "review_litigation"):
        blocks.append(SECTION_TITLES[code])
        if code in truth.template.table_by_code:
            t = truth.template.table(code)
            blocks.append(table_rows(t, truth.cells[code], set(blank), blanks))
    m, d = truth.published[5:7].lstrip("0"), truth.published[8:10].lstrip("0")
    blocks += [
        "五、存在的主要问题及改进情况",
        "公开的深度和广度还不够。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
        truth.agency,
        f"{y + 1}年{m}月{d}日",
    ]
    return Layout(f"{truth.agency}{y}年度政府信息公开工作年度报告", blocks, blanks)


# ------------------------------------------------------------------ HTML


@dataclass
class HtmlStyle:
    encoding: str = "utf-8"  # "gbk": GBK bytes with <meta charset=gbk>
    meta: str = "charset"  # "charset" | "http-equiv" | "none"
    blank: str = "&nbsp;"  # how a blank cell is written
    chrome: bool = True  # menus, breadcrumb, footer, scripts around the article
    word_markup: bool = False  # cells as <p><span>…</span></p>, header words split by <br>
    copies: int = 1  # the article twice (print view)
    in_script: bool = False  # the article only inside a JavaScript string
    tables: bool = True  # False: the tables are images
    # Traps (gipr_pipeline_tests/readers/traps.py): a value cell's inner HTML from its text,
    # extra rules for the page's <style>, and tables written as <div>s laid out by CSS.
    cell_html: Callable[[str], str] | None = None
    css: str = ""
    div_table: Callable[[TableBlock], str] | None = None


VALUE = re.compile(r"\d+(?:\.\d+)?")


def is_value(text: str) -> bool:
    """A printed value cell (labels are never bare numbers)."""
    return bool(VALUE.fullmatch(text))


def html_table(block: TableBlock, style: HtmlStyle) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%">', "<tbody>"]
    for row in block.rows:
        out.append("<tr>")
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            if not text:
                body = style.blank
            elif style.cell_html is not None and is_value(text):
                body = style.cell_html(text)
            elif style.word_markup:
                t = html.escape(text)
                if len(text) == 4 and not text.isdigit():
                    t = f"{t[:2]}<br/>{t[2:]}"
                body = f'<p style="text-align:center"><span style="font-size:12px">{t}</span></p>'
            else:
                body = html.escape(text)
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def html_article(lay: Layout, style: HtmlStyle) -> str:
    parts = [f"<h1>{html.escape(lay.title)}</h1>", '<div class="TRS_Editor">']
    for b in lay.blocks:
        if isinstance(b, str):
            parts.append(f'<p style="text-indent:2em">{html.escape(b)}</p>')
        elif style.div_table is not None:
            parts.append(style.div_table(b))
        elif style.tables:
            parts.append(html_table(b, style))
        else:
            parts.append(f'<p><img src="/images/{b.code}.png" alt=""/></p>')
    parts.append("</div>")
    return "\n".join(parts)


CHROME_TOP = """<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/zwgk/xxgk">政府信息公开</a></li><li><a href="/zwgk/nb">政府信息公开年报</a></li></ul></div>
<div class="breadcrumb">当前位置:<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 年度报告</div>
<nav><a href="/hd">互动交流</a> <a href="/bs">办事服务</a></nav>"""
CHROME_BOTTOM = """<div class="share">分享到:微信 微博</div>
<div id="footer"><p>主办单位:某某市人民政府办公室 承办单位:某某市大数据中心</p>
<p>京ICP备12345678号 网站标识码:1100000001 京公网安备 11010502030000号</p>
<p>建议您使用Chrome谷歌、360、搜狗等新版浏览器访问本网站</p></div>
<script type="text/javascript">var _hmt = _hmt || []; (function(){ var s = "<div>统计</div>"; })();</script>"""


def html_page(lay: Layout, style: HtmlStyle, published: str = "") -> bytes:
    article = html_article(lay, style)
    info = f'<div class="info">发布日期:{published}</div>' if published else ""
    body = "\n".join([info, article] * style.copies)
    if style.in_script:
        js = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        js = js.replace("</", "<\\/")
        body = f'<div id="content"></div>\n<script>\nvar content = "{js}";\ndocument.getElementById("content").innerHTML = content;\n</script>'
    if style.chrome:
        body = f"{CHROME_TOP}\n{body}\n{CHROME_BOTTOM}"
    charset = "gbk" if style.encoding == "gbk" else "utf-8"
    meta = {
        "charset": f'<meta charset="{charset}">',
        "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        "none": "",
    }[style.meta]
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{meta}\n<title>{html.escape(lay.title)}_某某市人民政府</title>\n"
        f"<style>td {{ border: 1px solid #000; }}\n{style.css}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return page.encode("gbk" if style.encoding == "gbk" else "utf-8")


# ------------------------------------------------------------------ DOCX


def docx_bytes(
    lay: Layout,
    title: bool = True,
    on_table: Callable[..., None] | None = None,
    on_document: Callable[..., None] | None = None,
) -> bytes:
    """A Word file of the layout. ``on_table(document, table, block)`` may rewrite each table
    (traps), ``on_document(document)`` the whole document before it is saved."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    if title:
        p = d.add_paragraph(lay.title)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for b in lay.blocks:
        if isinstance(b, str):
            d.add_paragraph(b)
            continue
        placed = place_html_rows(b.rows)
        n_cols = max(c.col + c.colspan for c in placed)
        table = d.add_table(rows=len(b.rows), cols=n_cols)
        table.style = "Table Grid"
        for cell in placed:
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(
                    table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
                )
            if cell.text:
                target.text = cell.text
        if on_table is not None:
            on_table(d, table, b)
    if on_document is not None:
        on_document(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ PDF

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def pdf_bytes(
    lay: Layout,
    encrypt: str | None = None,
    page_numbers: bool = True,
    page_break: bool = True,
    value_cell: Callable[[str], object] | None = None,
) -> bytes:
    """A text PDF (reportlab, CID font STSong-Light), tables ruled, merged cells spanned. With
    ``page_break`` false the applications table starts where the text ends and may be split
    across pages. ``value_cell(text)`` may draw a value cell as a flowable of its own (traps)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    _register_font()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22
    )
    head = ParagraphStyle("head", parent=body, firstLineIndent=0)
    title = ParagraphStyle(
        "title", parent=body, fontSize=15, leading=22, alignment=1, firstLineIndent=0
    )
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9, wordWrap="CJK")
    story = [Paragraph(html.escape(lay.title), title), Spacer(1, 8)]
    width = A4[0] - 100
    for b in lay.blocks:
        if isinstance(b, str):
            is_head = b[:2] in ("一、", "二、", "三、", "四、", "五、", "六、") or b.startswith("(")
            story.append(Paragraph(html.escape(b), head if is_head else body))
            continue
        placed = place_html_rows(b.rows)
        n_rows, n_cols = len(b.rows), max(c.col + c.colspan for c in placed)
        grid = [[""] * n_cols for _ in range(n_rows)]
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 7),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for c in placed:
            if value_cell is not None and is_value(c.text):
                grid[c.row][c.col] = value_cell(c.text)
            else:
                grid[c.row][c.col] = (
                    Paragraph(html.escape(c.text), cell) if len(c.text) > 4 else c.text
                )
            if c.rowspan > 1 or c.colspan > 1:
                commands.append(
                    ("SPAN", (c.col, c.row), (c.col + c.colspan - 1, c.row + c.rowspan - 1))
                )
        if b.code == "applications":
            widths = [40, 40, 120] + [(width - 200) / 7] * 7
            if page_break:
                story.append(PageBreak())
        elif b.code == "review_litigation":
            widths = [width / 15] * 15
        else:
            widths = [width / 4] * 4
        story.append(RLTable(grid, colWidths=widths, style=TableStyle(commands)))
        story.append(Spacer(1, 6))

    def number(canvas, doc) -> None:
        if page_numbers:
            canvas.setFont(FONT, 9)
            canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    buf = io.BytesIO()
    kwargs = {}
    if encrypt is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt, ownerPassword=encrypt + "-owner")
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50, **kwargs
    )
    doc.build(story, onFirstPage=number, onLaterPages=number)
    return buf.getvalue()


def image_pdf(pages: int = 2, text_first: list[str] | None = None) -> bytes:
    """A 'scanned' PDF: each page one image, no text layer (after a text page of
    ``text_first`` lines, if given)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = _png(64, 64)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    if text_first:
        _register_font()
        c.setFont(FONT, 12)
        for i, line in enumerate(text_first):
            c.drawString(60, 700 - 20 * i, line)
        c.showPage()
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(png)), 50, 300, width=400, height=400)
        c.showPage()
    c.save()
    return buf.getvalue()


def _png(w: int, h: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(
        b"\x00" + b"".join(bytes(((x * 4) % 256, (y * 4) % 256, 128)) for x in range(w))
        for y in range(h)
    )

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
