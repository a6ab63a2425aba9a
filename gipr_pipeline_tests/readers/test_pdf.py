"""PDF files → pipe lines: ruled tables with merged cells, paragraphs re-flowed, page numbers
dropped; scans, encrypted and broken files rejected with a named reason."""

import pytest

from gipr_pipeline.readers import DecodeError, to_text

from .builders import image_pdf, pdf_bytes
from .shape import assert_shape


@pytest.fixture(scope="module")
def report_pdf(report) -> bytes:
    return pdf_bytes(report[1])


def test_rows_become_pipe_lines(report, report_pdf):
    truth, lay = report
    doc = to_text(report_pdf)
    assert (doc.format, doc.encoding, doc.problems) == ("pdf", None, ())
    assert_shape(doc.text, truth, lay)


def test_wrapped_paragraphs_are_joined_and_page_numbers_dropped(report, report_pdf):
    _truth, lay = report
    lines = to_text(report_pdf).text.split("\n")
    intro = lay.blocks[0]
    assert len(intro) > 100  # wraps over several lines on the page
    assert intro in lines
    assert lines[0] == lay.title
    assert not [ln for ln in lines if ln.startswith("-") and ln.endswith("-")]


def test_owner_password_only_is_readable(plain_report):
    """Permissions-only encryption (empty user password) opens without a password."""
    truth, lay = plain_report
    assert_shape(to_text(pdf_bytes(lay, encrypt="")).text, truth, lay)


def test_encrypted_pdf_is_unreadable(plain_report):
    _truth, lay = plain_report
    with pytest.raises(DecodeError) as e:
        to_text(pdf_bytes(lay, encrypt="secret"))
    assert e.value.reason == "unreadable_document"
    assert "encrypted" in e.value.message


def test_scanned_pdf_has_no_text_layer():
    with pytest.raises(DecodeError) as e:
        to_text(image_pdf(pages=3))
    assert e.value.reason == "no_text_layer"


def test_partly_scanned_pdf_names_its_blank_pages():
    doc = to_text(image_pdf(pages=2, text_first=["一、总体情况", "本年度共收到申请27件。"]))
    assert doc.text.split("\n") == ["一、总体情况", "本年度共收到申请27件。"]
    assert doc.problems == (
        "pdf_pages_without_text: page(s) 2, 3 of 3 have no text layer (scanned pages are not read)",
    )


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.97])
def test_truncated_pdf_is_unreadable_or_partial(plain_report, cut):
    """A PDF cut short: either rejected as unreadable_document or read with what survives —
    never a traceback."""
    _truth, lay = plain_report
    data = pdf_bytes(lay)
    try:
        doc = to_text(data[: int(len(data) * cut)])
    except DecodeError as e:
        assert e.reason in ("unreadable_document", "no_text_layer")
    else:
        assert doc.format == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
    ],
)
def test_corrupt_pdf_is_unreadable(data):
    with pytest.raises(DecodeError) as e:
        to_text(data)
    assert e.value.reason == "unreadable_document"


def test_table_split_across_pages_parses_back():
    from gipr_pipeline.parser.parse import parse_bytes

    from .conftest import make

    truth, lay = make(4, blank_share=0.2)
    at = next(i for i, b in enumerate(lay.blocks) if getattr(b, "code", "") == "applications")
    lay.blocks[at - 1 : at - 1] = ["本段用于测试分页,篇幅较长。" * 20] * 5
    data = pdf_bytes(lay, page_break=False)
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages_with_tables = [n for n, p in enumerate(pdf.pages) if p.find_tables()]
    assert (
        len(pages_with_tables) >= 3
    )  # the applications table starts on one page, ends on the next
    doc = to_text(data)
    assert_shape(doc.text, truth, lay)
    r = parse_bytes(data, "split.pdf")
    assert sorted((f.table, f.row, f.column, f.value) for f in r.facts) == sorted(truth.facts())
