"""HTML, DOCX and PDF copies of a report parse back to exactly the truth facts, and to the same
facts as the plain-text copy of the same report; bad inputs get a named reason or problem."""

import random

import pytest

from gipr_pipeline.corpus.render import Style, random_truth, render_report
from gipr_pipeline.parser.parse import parse_bytes, parse_path
from gipr_pipeline.template import load_template

from .builders import HtmlStyle, docx_bytes, html_page, layout, pdf_bytes, pick_blanks

FORMATS = {
    "html": lambda truth, lay: html_page(lay, HtmlStyle(), truth.published),
    "html_gbk_script": lambda truth, lay: html_page(
        lay, HtmlStyle(encoding="gbk", in_script=True, word_markup=True), truth.published
    ),
    "docx": lambda truth, lay: docx_bytes(lay),
    "pdf": lambda truth, lay: pdf_bytes(lay),
}


def _facts(result):
    return sorted((f.table, f.row, f.column, f.value) for f in result.facts)


def _case(seed: int, version: str = "2021", blank_share: float = 0.2):
    rng = random.Random(seed)
    truth = random_truth(rng, load_template(version), scale=rng.choice((3, 30, 3000)))
    lay = layout(truth, pick_blanks(truth, rng, blank_share))
    return truth, lay


def _txt_copy(truth) -> bytes:
    text, _ = render_report(truth, Style(layout="row_pipe"), random.Random(0))
    return text.encode()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_documents_parse_back_exactly(fmt, seed):
    truth, lay = _case(seed)
    r = parse_bytes(FORMATS[fmt](truth, lay), f"report.{fmt}")
    assert r.status == "ok", (r.reason, r.message)
    assert r.format == fmt.split("_")[0]
    assert len(r.facts) == truth.template.n_facts == 200
    assert _facts(r) == sorted(truth.facts())
    # No hard violation; the blank cells are the only soft ones (cells.blank), each named.
    assert [v for v in r.violations if v.severity == "hard"] == []
    soft = [(v.rule, v.table, v.row, v.column) for v in r.violations if v.severity == "soft"]
    assert sorted(soft) == sorted(("cells.blank", *b) for b in lay.blanks)
    # Blank cells are zeros, each named in a blank_as_zero problem.
    named = [p for p in r.problems if p.startswith("blank_as_zero")]
    for table, row, col in lay.blanks:
        assert any(
            p.startswith(f"blank_as_zero: {table}") and f"{row}/{col}=blank" in p for p in named
        )
    assert sum(p.count("=blank") for p in named) == len(lay.blanks)
    # Same facts and metadata as the plain-text copy of the same report.
    txt = parse_bytes(_txt_copy(truth), "report.txt")
    assert _facts(txt) == _facts(r)
    assert (r.report.agency, r.report.year, r.report.template) == (
        txt.report.agency,
        txt.report.year,
        txt.report.template,
    )
    assert r.report.agency == truth.agency


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_2019_template_documents_parse_back_exactly(fmt):
    truth, lay = _case(5, version="2019")
    r = parse_bytes(FORMATS[fmt](truth, lay), f"report.{fmt}")
    assert r.status == "ok"
    assert r.report.template == "2019"
    assert _facts(r) == sorted(truth.facts())


def test_a_folder_mixing_formats_gives_identical_facts(tmp_path):
    """The same reports as .txt, .html, .docx and .pdf (some without their extension)."""
    for seed in (21, 22):
        truth, lay = _case(seed, blank_share=0.0)
        (tmp_path / f"{seed}.txt").write_bytes(_txt_copy(truth))
        (tmp_path / f"{seed}.html").write_bytes(FORMATS["html"](truth, lay))
        (tmp_path / f"{seed}.docx").write_bytes(FORMATS["docx"](truth, lay))
        (tmp_path / f"{seed}_pdf_saved_as.txt").write_bytes(FORMATS["pdf"](truth, lay))
        results = {p.name: parse_path(p) for p in sorted(tmp_path.glob(f"{seed}*"))}
        assert {n: r.format for n, r in results.items()} == {
            f"{seed}.txt": "text",
            f"{seed}.html": "html",
            f"{seed}.docx": "docx",
            f"{seed}_pdf_saved_as.txt": "pdf",
        }
        for r in results.values():
            assert _facts(r) == sorted(truth.facts()), r.source


def test_html_with_two_copies_is_read_once_with_a_problem():
    truth, lay = _case(8)
    r = parse_bytes(html_page(lay, HtmlStyle(copies=2), truth.published), "twice.html")
    assert _facts(r) == sorted(truth.facts())
    assert any(p.startswith("duplicated_copy:") for p in r.problems)


def test_html_without_tables_is_rejected_by_name():
    _truth, lay = _case(9)
    r = parse_bytes(html_page(lay, HtmlStyle(tables=False)), "images.html")
    assert (r.status, r.reason) == ("rejected", "no_tables")


def test_html_page_without_a_report():
    page = "<html><head><title>首页</title></head><body><div class='nav'>首页</div><p>欢迎访问</p></body></html>"
    r = parse_bytes(page.encode(), "home.html")
    assert (r.status, r.reason) == ("rejected", "not_a_report")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda lay: docx_bytes(lay)[:3000], "unreadable_document"),
        (lambda lay: pdf_bytes(lay, encrypt="secret"), "unreadable_document"),
        (lambda lay: pdf_bytes(lay)[:2000], "unreadable_document"),
    ],
)
def test_bad_documents_are_rejected_by_name(make, reason):
    _truth, lay = _case(10)
    r = parse_bytes(make(lay), "bad")
    assert (r.status, r.reason) == ("rejected", reason)
    assert r.message


def test_scanned_pdf_is_rejected_as_no_text_layer():
    from .builders import image_pdf

    r = parse_bytes(image_pdf(), "scan.pdf")
    assert (r.status, r.reason) == ("rejected", "no_text_layer")


# Blanks at the edge of a printed row: the reader writes rows between borders ("| … |"), so
# an empty first or last field survives as a blank cell.
@pytest.mark.parametrize(
    "cell", [("applications", "3.1", "total"), ("review_litigation", "review", "upheld")]
)
def test_edge_blanks(cell):
    rng = random.Random(12)
    truth = random_truth(rng)
    table, row, col = cell
    for c in truth.template.table(table).columns:  # the whole row zero: the cell may be blank
        truth.cells[table][(row, c)] = 0
    lay = layout(truth, {cell})
    r = parse_bytes(html_page(lay, HtmlStyle()), "edge.html")
    assert _facts(r) == sorted(truth.facts())
    assert any(f"{row}/{col}=blank" in p for p in r.problems)
