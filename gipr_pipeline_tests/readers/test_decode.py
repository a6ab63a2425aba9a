import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gipr_pipeline.readers.decode import DecodeError, decode_bytes, normalize

SAMPLE = "一、总体情况\n本年新收政府信息公开申请数量 | 28 |"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("gb18030"), "gb18030"),
    ],
)
def test_encodings_round_trip(data, encoding):
    d = decode_bytes(data)
    assert d.text == SAMPLE
    assert d.encoding == encoding
    assert not d.lossy


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n ", "empty"),
        ("\n  \n".encode("utf-16"), "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
        (b"PK\x03\x04" + b"\x00" * 40, "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (b"abc\x00def" * 10, "binary"),
        (bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]) * 200, "undecodable"),
    ],
)
def test_rejections(data, reason):
    with pytest.raises(DecodeError) as e:
        decode_bytes(data)
    assert e.value.reason == reason


def test_mixed_encodings_keep_the_utf8_body():
    data = SAMPLE.encode("utf-8") + "\n主办单位".encode("gbk")
    d = decode_bytes(data)
    assert d.lossy and d.text.startswith(SAMPLE)


def test_normalize_folds_fullwidth_and_drops_zero_width():
    assert normalize("(一)予以公开 | 12 |\u200b:") == "(一)予以公开 | 12 |:"
    assert normalize("a\r\nb\rc") == "a\nb\nc"
    assert normalize("自\u3000然人") == "自 然人"


def _normalize_every_pass(text: str) -> str:
    """normalize as it was before its passes were made conditional: each regex always runs."""
    import unicodedata

    from gipr_pipeline.readers import decode

    text = unicodedata.normalize("NFKC", decode._ZERO_WIDTH.sub("", text))
    text = decode._NEWLINES.sub("\n", text)
    return decode._LOOKALIKES.sub(lambda m: decode._LOOKALIKE_MAP[m.group()], text)


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("申请12 |\n\r\t\u3000\uff11\u200b\u200c\u200d\u2060\ufeff\u00ad")
            + list("\u2028\u2029\x0b\x0c\x85\u2015\u2502\ufe31\u2014")
        )
    )
)
def test_normalize_skips_only_passes_that_would_change_nothing(text):
    assert normalize(text) == _normalize_every_pass(text)
