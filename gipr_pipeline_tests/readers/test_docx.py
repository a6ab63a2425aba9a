"""Word files → pipe lines: body order, merged cells written once, numbering, bad packages."""

import io
import zipfile

import pytest

from gipr_pipeline.readers import DecodeError, to_text

from .builders import docx_bytes
from .shape import assert_shape, fields, line_after_label


def test_rows_become_pipe_lines(report):
    truth, lay = report
    doc = to_text(docx_bytes(lay))
    assert (doc.format, doc.encoding, doc.problems) == ("docx", None, ())
    assert_shape(doc.text, truth, lay)
    assert doc.text.split("\n")[0] == lay.title


def test_merged_cells_are_written_once(plain_report):
    """python-docx repeats a merged cell's object in every grid slot; the reader must not."""
    import docx

    truth, lay = plain_report
    data = docx_bytes(lay)
    table = docx.Document(io.BytesIO(data)).tables[1]  # applications
    assert table.rows[5].cells[0].text == "三、本年度办理结果"
    assert table.rows[6].cells[0].text == "三、本年度办理结果"  # repeated by python-docx
    text = to_text(data).text
    assert text.count("三、本年度办理结果") == 1
    assert text.count("(三)不予公开") == 1
    assert line_after_label(text, "(二)部分公开(区分处理的,只计这一情形,不计其他情形)") == [
        str(truth.cells["applications"][("3.2", c)])
        for c in truth.template.table("applications").columns
    ]


def _docx_with(build) -> bytes:
    import docx

    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_vertically_merged_number_is_not_duplicated_nor_guessed():
    def build(d):
        t = d.add_table(rows=3, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "信息内容", "本年处理决定数量"
        t.cell(1, 0).text, t.cell(2, 0).text = "行政处罚", "行政强制"
        t.cell(1, 1).merge(t.cell(2, 1)).text = "7"

    doc = to_text(_docx_with(build))
    assert line_after_label(doc.text, "行政处罚") == ["7"]
    assert line_after_label(doc.text, "行政强制") == []  # no field: named, not read as zero
    assert [p.split(":")[0] for p in doc.problems] == ["merged_number_cell"]


def test_paragraphs_and_tables_keep_body_order():
    def build(d):
        d.add_paragraph("一、总体情况")
        t = d.add_table(rows=1, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "规章", "3"
        d.add_paragraph("五、存在的主要问题及改进情况")

    assert to_text(_docx_with(build)).text.split("\n") == [
        "一、总体情况",
        "| 规章 | 3 |",
        "五、存在的主要问题及改进情况",
    ]


def test_a_frame_table_is_read_as_paragraphs():
    def build(d):
        frame = d.add_table(rows=1, cols=1).cell(0, 0)
        frame.paragraphs[0].text = "一、总体情况"
        frame.add_paragraph("本年度共收到申请27件。")
        inner = frame.add_table(rows=1, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "行政许可", "5"

    assert to_text(_docx_with(build)).text.split("\n") == [
        "一、总体情况",
        "本年度共收到申请27件。",
        "| 行政许可 | 5 |",
    ]


def test_line_breaks_and_tabs():
    def build(d):
        p = d.add_paragraph()
        r = p.add_run("一、总体情况")
        r.add_break()
        p.add_run("正文\t第二段")
        t = d.add_table(rows=1, cols=2)
        cell = t.cell(0, 0)
        cell.paragraphs[0].text = "商业"
        cell.add_paragraph("企业")
        t.cell(0, 1).text = "１２"  # full-width digits

    assert to_text(_docx_with(build)).text.split("\n") == [
        "一、总体情况",
        "正文 第二段",
        "| 商业企业 | 12 |",
    ]


def test_automatic_numbering_is_rendered():
    """Headings whose "一、" comes from Word's list numbering, not from the text."""
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = parse_xml(
        f"<w:numbering {w}>"
        '<w:abstractNum w:abstractNumId="7">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="(%2)"/></w:lvl>'
        "</w:abstractNum>"
        '<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>'
        "</w:numbering>"
    )

    def numbered(d, text, level):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr>')
        )

    def build(d):
        part = d.part.numbering_part
        part._element = numbering
        numbered(d, "总体情况", 0)
        numbered(d, "主动公开情况", 1)
        numbered(d, "依申请公开情况", 1)
        numbered(d, "主动公开政府信息情况", 0)
        numbered(d, "其他", 1)

    assert to_text(_docx_with(build)).text.split("\n") == [
        "一、总体情况",
        "(一)主动公开情况",
        "(二)依申请公开情况",
        "二、主动公开政府信息情况",
        "(一)其他",
    ]


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.02])
def test_truncated_word_file_is_unreadable(plain_report, cut):
    _truth, lay = plain_report
    data = docx_bytes(lay)
    with pytest.raises(DecodeError) as e:
        to_text(data[: int(len(data) * cut)])
    assert e.value.reason == "unreadable_document"


def test_word_package_with_broken_xml_is_unreadable(plain_report):
    _truth, lay = plain_report
    src = zipfile.ZipFile(io.BytesIO(docx_bytes(lay)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    with pytest.raises(DecodeError) as e:
        to_text(buf.getvalue())
    assert e.value.reason == "unreadable_document"


def test_no_field_holds_two_numbers(report):
    _truth, lay = report
    for line in to_text(docx_bytes(lay)).text.split("\n"):
        for f in fields(line):
            assert len(f.split()) <= 1 or not f.replace(" ", "").isdigit(), line
