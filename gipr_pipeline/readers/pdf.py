"""PDF files → report text, through pdfplumber (pdfminer.six underneath).

- Ruled tables (pdfplumber's ``lines`` strategy) become pipe lines through
  :mod:`gipr_pipeline.readers.grid`; their cells' row and column spans come from the cell
  geometry, so a merged cell is written once and an empty cell is an empty field. Tables without
  ruling lines stay text lines ("label 28 0 0 …"), which the text parser also reads.
- The text outside tables is read line by line and re-flowed into paragraphs (a line that reaches
  the right margin continues on the next line unless that one is indented or numbered), in
  reading order with the tables. Page numbers in the page margins are dropped.
- A PDF whose pages carry no text (a scan) is rejected as ``no_text_layer`` (OCR is out of
  scope); one whose glyphs have no Unicode mapping (``(cid:123)``) too. Encrypted, truncated or
  corrupt files are rejected as ``unreadable_document``.
"""

from __future__ import annotations

import io
import logging
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from gipr_pipeline.readers.decode import DecodeError, normalize_counted, radical_problem
from gipr_pipeline.readers.document import Document
from gipr_pipeline.readers.grid import GridCell, cell_text, grid_lines, join_lines
from gipr_pipeline.readers.limits import check_pdf_pages
from gipr_pipeline.readers.pdf_visible import UNMAPPED, Seen, lay_out

_PAGE_NUMBER = re.compile(
    r"^[-—–_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/,,]?\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–_\s]*$"
)
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.,．]|[((]\s*[一二三四五六七八九十\d]{1,3}\s*[))]|\d{1,2}\s*[.、．](?!\d))"
)
_MARGIN_ZONE = 0.08  # top and bottom share of the page where page numbers live
_CID = re.compile(r"\(cid:\d+\)")
_SNAP = 1.5  # points: cell edges closer than this are the same grid line
# Glyphs without a Unicode mapping above this share of the text: the document is rejected
# (no_unicode_map); below it (a bullet or a logo font) they are left out and named.
_UNMAPPED_SHARE = 0.01
_DEDUPE_TOLERANCE = 1.0  # points: pdfplumber's dedupe_chars default


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    size: float
    page: int


@dataclass(slots=True)
class _Pages:
    items: list[_Line | list[str]] = field(default_factory=list)
    chars: int = 0
    cid_chars: int = 0
    tables: int = 0
    images: int = 0
    blank_pages: list[int] = field(default_factory=list)
    failed_pages: list[int] = field(default_factory=list)
    seen: Seen = field(default_factory=Seen)
    unchecked: list[int] = field(default_factory=list)  # pages read without the visibility pass
    doubled: dict[int, int] = field(default_factory=dict)  # page → glyphs drawn twice
    problems: list[str] = field(default_factory=list)  # from the tables


def read_pdf(data: bytes) -> Document:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover - pdfplumber is a runtime dependency
        raise DecodeError("unreadable_document", f"pdfplumber is not installed: {e}") from None
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:
        cause = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise DecodeError(
                "unreadable_document", "the PDF is encrypted and needs a password"
            ) from None
        raise DecodeError(
            "unreadable_document",
            f"the PDF is truncated or corrupt and could not be opened ({type(cause).__name__})",
        ) from None
    # Before ``with``: pdfplumber's close() builds every page object in order to close it.
    check_pdf_pages(_page_count(pdf))
    with pdf:
        try:
            pages = pdf.pages
        except Exception as e:
            raise DecodeError(
                "unreadable_document", f"the PDF's pages could not be read ({type(e).__name__})"
            ) from None
        if not pages:
            raise DecodeError("unreadable_document", "the PDF has no pages (truncated or corrupt)")
        check_pdf_pages(len(pages))  # a /Count that lies
        read = _Pages()
        remap = _GlyphRemap(data)
        try:
            for n, page in enumerate(pages, start=1):
                try:
                    try:
                        lay_out(page, read.seen)
                    except Exception:
                        # pdfplumber lays the page out itself (and fails as before, if it must)
                        page.__dict__.pop("_layout", None)
                        read.unchecked.append(n)
                    remap.fix(page, n - 1)
                    _read_page(page, n, read)
                except Exception:
                    read.failed_pages.append(n)
                finally:
                    page.close()
        finally:
            remap.close()
    return _document(read, len(pages))


def _page_count(pdf) -> int:
    """The page tree's /Count, read before pdfplumber builds a page object per page (0 when
    the tree cannot be read: the reader then names the file)."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:
        return 0


class _GlyphRemap:
    """Glyphs pdfminer cannot map to Unicode (``(cid:123)``) re-read from pdfium (pypdfium2,
    which pdfplumber itself depends on) at the same position on the page: pdfium maps some CID
    fonts that pdfminer does not (e.g. in permissions-only encrypted files). A character pdfium
    flags with a Unicode map error is not taken (pdfium then echoes the glyph id)."""

    def __init__(self, data: bytes):
        self.data = data
        self.doc = None
        self.failed = False

    def fix(self, page, index: int) -> None:
        chars = [c for c in page.chars if _CID.fullmatch(c.get("text", ""))]
        if not chars or self.failed:
            return
        try:
            found = self._pdfium_chars(index)
        except Exception:
            self.failed = True
            return
        for c in chars:
            x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            tol = max(2.0, (c["x1"] - c["x0"]) * 0.6)
            best, dist = None, tol
            for gx in (int(x // 10) - 1, int(x // 10), int(x // 10) + 1):
                for gy in (int(y // 10) - 1, int(y // 10), int(y // 10) + 1):
                    for px, py, text in found.get((gx, gy), ()):
                        d = max(abs(px - x), abs(py - y))
                        if d < dist:
                            best, dist = text, d
            if best is not None:
                c["text"] = best

    def _pdfium_chars(self, index: int) -> dict[tuple[int, int], list[tuple[float, float, str]]]:
        import pypdfium2
        import pypdfium2.raw as pdfium_c

        if self.doc is None:
            self.doc = pypdfium2.PdfDocument(self.data)
        page = self.doc[index]
        try:
            height = page.get_height()
            text = page.get_textpage()
            out: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip() or pdfium_c.FPDFText_HasUnicodeMapError(text.raw, i):
                    continue  # pdfium has no mapping either: its character would be a guess
                left, bottom, right, top = text.get_charbox(i, loose=True)
                x, y = (left + right) / 2, height - (bottom + top) / 2
                out.setdefault((int(x // 10), int(y // 10)), []).append((x, y, ch))
            text.close()
            return out
        finally:
            page.close()

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


def _document(read: _Pages, n_pages: int) -> Document:
    if read.chars == 0:
        if len(read.failed_pages) == n_pages:
            raise DecodeError(
                "unreadable_document", "no page of the PDF could be read (truncated or corrupt)"
            )
        raise DecodeError(
            "no_text_layer",
            f"none of the PDF's {n_pages} page(s) has a text layer (a scan?); OCR is out of scope",
        )
    seen = read.seen
    unmapped = read.cid_chars + sum(seen.unmapped.values())
    if unmapped > max(2, read.chars * _UNMAPPED_SHARE):
        raise DecodeError(
            "no_unicode_map",
            f"{unmapped} of the PDF's {read.chars} glyphs are in fonts without a Unicode mapping "
            "(glyph ids only): the text cannot be read as it is shown",
        )
    problems = []
    if unmapped:
        problems.append(
            f"pdf_unmapped_glyphs: {unmapped} glyph(s) without a Unicode mapping were left out "
            "(written as U+FFFD, never as a guessed character)"
        )
    for code, counts, what in (
        ("pdf_invisible_text", seen.invisible, "invisible glyph(s) (text render mode 3/7)"),
        ("pdf_covered_text", seen.covered, "glyph(s) covered by an opaque box drawn over them"),
        ("pdf_white_text", seen.white, "white glyph(s) on a white page"),
        (
            "pdf_hidden_layer",
            seen.hidden_layer,
            "glyph(s) in optional content (layers) switched off by default",
        ),
    ):
        if counts:
            problems.append(
                f"{code}: {sum(counts.values())} {what} not read, page(s) {_pages(sorted(counts))}"
            )
    if seen.unknown_layer:
        problems.append(
            f"pdf_layer_unresolved: {sum(seen.unknown_layer.values())} glyph(s) in optional "
            "content whose default visibility could not be evaluated (a missing or broken "
            "layer, a visibility expression) were read as shown, page(s) "
            f"{_pages(sorted(seen.unknown_layer))}"
        )
    if seen.redacted:
        problems.append(
            f"pdf_redacted: {sum(seen.redacted.values())} opaque box(es) hide text with nothing "
            f"drawn over them, page(s) {_pages(sorted(seen.redacted))}: what they hide is "
            "unreadable (U+FFFD), not blank"
        )
    if read.doubled:
        problems.append(
            f"pdf_overprint: {sum(read.doubled.values())} glyph(s) drawn twice at the same place "
            f"(fake bold) read once, page(s) {_pages(sorted(read.doubled))}"
        )
    if seen.spaced:
        problems.append(
            f"pdf_letter_spacing: {sum(seen.spaced.values())} gap(s) of letter spacing (Tc or "
            f"TJ) inside numbers closed, page(s) {_pages(sorted(seen.spaced))}"
        )
    # Radicals are folded glyph by glyph (with their pages); the text's normalization folds
    # those that came later (re-read from pdfium).
    text, folded = normalize_counted("\n".join(_reflow(read.items)))
    if seen.radicals:
        problems.append(
            f"radical_lookalikes: {sum(seen.radicals.values()) + folded} CJK radical(s) that "
            f"look like ideographs (e.g. ⺠ for 民) read as the ideograph, page(s) "
            f"{_pages(sorted(seen.radicals))}"
        )
    elif folded:
        problems.append(radical_problem(folded))
    problems += dict.fromkeys(read.problems)
    if read.failed_pages:
        problems.append(f"pdf_pages_unreadable: page(s) {_pages(read.failed_pages)}")
    if read.unchecked:
        problems.append(
            f"pdf_visibility_unchecked: page(s) {_pages(read.unchecked)} were read without "
            "checking what a viewer shows (hidden or covered text may have been read)"
        )
    if read.blank_pages:
        problems.append(
            f"pdf_pages_without_text: page(s) {_pages(read.blank_pages)} of {n_pages} have no "
            "text layer (scanned pages are not read)"
        )
    return Document(text, None, "pdf", False, tuple(problems))


def _pages(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _read_page(page, n: int, read: _Pages) -> None:
    chars = page.chars
    read.images += len(page.images)
    if not chars:
        read.blank_pages.append(n)
        return
    read.chars += len(chars)
    for c in chars:
        if _CID.fullmatch(c.get("text", "")):
            read.cid_chars += 1
            c["text"] = UNMAPPED  # "(cid:12)" must never read as the number 12
    if _doubled(chars):
        page = page.dedupe_chars(tolerance=_DEDUPE_TOLERANCE)
        read.doubled[n] = len(chars) - len(page.chars)
        chars = page.chars
    tables = [t for t in page.find_tables() if _is_grid(t)]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        return not any(_inside(obj, b) for b in boxes)

    text_page = page.filter(outside) if boxes else page
    height = float(page.height)
    placed: list[tuple[float, _Line | list[str]]] = []
    for ln in text_page.extract_text_lines(return_chars=False):
        text = ln["text"].strip()
        if not text:
            continue
        in_margin = ln["top"] < height * _MARGIN_ZONE or ln["bottom"] > height * (1 - _MARGIN_ZONE)
        if in_margin and _PAGE_NUMBER.fullmatch(text):
            continue
        size = float(ln["bottom"] - ln["top"]) or 10.0
        placed.append((float(ln["top"]), _Line(text, float(ln["x0"]), float(ln["x1"]), size, n)))
    for t in tables:
        read.tables += 1
        placed.append((float(t.bbox[1]), _table_lines(t, chars, read.problems)))
    placed.sort(key=lambda item: item[0])
    read.items.extend(item for _, item in placed)


def _inside(char, bbox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


def _is_grid(table) -> bool:
    xs = {round(c[0]) for c in table.cells}
    ys = {round(c[1]) for c in table.cells}
    return len(xs) >= 2 and len(ys) >= 2


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    i = bisect_left(edges, v - _SNAP)
    return min(i, len(edges) - 1)


def _doubled(chars: list[dict]) -> bool:
    """Whether some glyph is drawn twice at (nearly) the same place — fake bold. A cheap test
    before pdfplumber's ``dedupe_chars``, which is quadratic in the page's characters."""
    near: dict[tuple[str, int], list[tuple[float, float]]] = {}
    tol = _DEDUPE_TOLERANCE
    for c in chars:
        text, top, x0 = c["text"], c["top"], c["x0"]
        row = round(top)
        for r in (row - 1, row, row + 1):
            for t, x in near.get((text, r), ()):
                if abs(t - top) <= tol and abs(x - x0) <= tol:
                    return True
        near.setdefault((text, row), []).append((top, x0))
    return False


def _table_lines(table, chars, problems: list[str]) -> list[str]:
    from pdfplumber.utils import extract_text

    xs = _edges([c[0] for c in table.cells] + [c[2] for c in table.cells])
    ys = _edges([c[1] for c in table.cells] + [c[3] for c in table.cells])
    box = table.bbox
    inside = [c for c in chars if _inside(c, box)]
    cells = []
    for x0, top, x1, bottom in table.cells:
        col, row = _index(xs, x0), _index(ys, top)
        colspan = max(1, _index(xs, x1) - col)
        rowspan = max(1, _index(ys, bottom) - row)
        own = [c for c in inside if _inside(c, (x0, top, x1, bottom))]
        text = extract_text(own) if own else ""
        cells.append(GridCell(cell_text(join_lines(text.split("\n"))), row, col, rowspan, colspan))
    return grid_lines(cells, problems)


def _reflow(items: list[_Line | list[str]]) -> list[str]:
    """Paragraph lines joined back: a line reaching the right margin continues on the next line
    unless that one is indented, numbered, or follows a table."""
    text_lines = [it for it in items if isinstance(it, _Line)]
    if not text_lines:
        return [ln for it in items if isinstance(it, list) for ln in it]
    left = _percentile([ln.x0 for ln in text_lines], 0.05)
    right = _percentile([ln.x1 for ln in text_lines], 0.95)
    out: list[str] = []
    prev: _Line | None = None
    for it in items:
        if isinstance(it, list):
            out.extend(it)
            prev = None
            continue
        joins = (
            prev is not None
            and prev.x1 >= right - 1.5 * prev.size
            and it.x0 <= left + 0.8 * it.size
            and not _HEADING.match(it.text)
        )
        if joins:
            out[-1] = join_lines([out[-1], it.text])
        else:
            out.append(it.text)
        prev = it
    return out


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]
