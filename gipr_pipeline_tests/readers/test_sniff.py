"""The format is chosen from the bytes, never from the file name."""

import codecs
import io
import zipfile

import pytest

from gipr_pipeline.readers import DecodeError, to_text
from gipr_pipeline.readers.sniff import sniff

from .builders import HtmlStyle, docx_bytes, html_page, pdf_bytes


def test_seed_reports_are_text(seed_paths):
    for path in seed_paths.values():
        assert sniff(path.read_bytes()) == "text"


def test_generated_documents_are_recognized(plain_report):
    _truth, lay = plain_report
    assert sniff(html_page(lay, HtmlStyle())) == "html"
    assert sniff(html_page(lay, HtmlStyle(encoding="gbk"))) == "html"
    assert sniff(docx_bytes(lay)) == "docx"
    assert sniff(pdf_bytes(lay)) == "pdf"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<table><tr><td>1</td></tr></table>", "html"),
        (b"  <!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"<HTML><BODY>x</BODY></HTML>", "html"),
        (codecs.BOM_UTF8 + "<p>一</p>\n<p>二</p>\n<div>三</div>".encode(), "html"),
        ("<html><body>一</body></html>".encode("utf-16"), "html"),
        ("依据<中华人民共和国政府信息公开工作年度报告格式>制作。".encode(), "text"),
        ("一、总体情况\n本年新收 | 28 |".encode("gbk"), "text"),
        (b"junk\n%PDF-1.7\n", "pdf"),
    ],
)
def test_sniff(data, kind):
    assert sniff(data) == kind


def test_a_zip_that_is_not_word_is_binary():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report.txt", "一、总体情况")
    assert sniff(buf.getvalue()) == "zip"
    with pytest.raises(DecodeError) as e:
        to_text(buf.getvalue())
    assert e.value.reason == "binary"


def test_legacy_and_encrypted_office_files():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(DecodeError) as e:
        to_text(ole)
    assert e.value.reason == "binary"
    with pytest.raises(DecodeError) as e:
        to_text(ole + "EncryptedPackage".encode("utf-16-le"))
    assert e.value.reason == "unreadable_document"


def test_plain_text_path_stays_light():
    """Reading a .txt must not import lxml, python-docx or pdfplumber."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from gipr_pipeline.readers import to_text\n"
        "d = to_text('一、总体情况\\n本年新收 | 28 |'.encode())\n"
        "assert d.format == 'text', d\n"
        "heavy = [m for m in ('lxml', 'docx', 'pdfplumber', 'pdfminer') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
