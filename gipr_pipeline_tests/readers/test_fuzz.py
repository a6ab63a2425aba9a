"""Damaged documents never give a traceback: parse_bytes returns a result, to_text a Document
or a DecodeError with a known reason."""

import random

import pytest

from gipr_pipeline.parser.model import REJECTION_REASONS
from gipr_pipeline.parser.parse import parse_bytes
from gipr_pipeline.readers import DecodeError, to_text

from .builders import HtmlStyle, docx_bytes, html_page, pdf_bytes
from .conftest import make


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    _truth, lay = make(31, blank_share=0.2)
    return {
        "html": html_page(lay, HtmlStyle(encoding="gbk")),
        "docx": docx_bytes(lay),
        "pdf": pdf_bytes(lay),
    }


def _damage(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(("cut", "flip", "splice", "zero"))
    b = bytearray(data)
    if kind == "cut":
        return bytes(b[: rng.randrange(1, len(b))])
    if kind == "flip":
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == "zero":
        i = rng.randrange(len(b))
        b[i : i + rng.randint(1, 4096)] = bytes(min(len(b) - i, 4096))
        return bytes(b)
    i, j = sorted(rng.randrange(len(b)) for _ in range(2))
    return bytes(b[:i] + b[j:])


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_damaged_documents_never_raise(documents, fmt):
    rng = random.Random(fmt)
    for _ in range(25):
        data = _damage(documents[fmt], rng)
        try:
            to_text(data)
        except DecodeError as e:
            assert e.reason in REJECTION_REASONS
        r = parse_bytes(data, f"damaged.{fmt}")
        assert r.status in ("ok", "rejected")
        if r.status == "rejected":
            assert r.reason in REJECTION_REASONS
