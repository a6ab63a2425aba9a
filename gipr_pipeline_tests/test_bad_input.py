"""Bad input never raises: each class gets a reason code or a named problem."""

import pytest

from gipr_pipeline.model import REJECTION_REASONS
from gipr_pipeline.parse import parse_bytes

NOT_A_REPORT = "今天天气很好。\n我们去公园散步,看到很多花。\n".encode()
REPORT_WITHOUT_TABLES = (
    "XX局2024年度政府信息公开工作年度报告\n一、总体情况\n本年度主动公开政府信息12条。\n"
    "二、主动公开政府信息情况\n详见附件。\n三、收到和处理政府信息公开申请情况\n本年度未收到申请。\n"
).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b" \n\n \t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (b"GIF89a\x01\x00\x01\x00" + bytes(50), "binary"),
        (bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]) * 200, "undecodable"),
        (NOT_A_REPORT, "not_a_report"),
        (REPORT_WITHOUT_TABLES, "no_tables"),
    ],
)
def test_rejection_reasons(data, reason):
    r = parse_bytes(data, "bad.txt")
    assert r.status == "rejected"
    assert r.reason == reason
    assert r.reason in REJECTION_REASONS
    assert r.message
    assert r.facts == [] and r.violations == []
    j = r.to_json()
    assert j["status"] == "rejected" and j["reason"] == reason and j["facts"] == []


def test_report_missing_one_table_is_ok_with_missing_tables(seed_paths):
    text = seed_paths["001"].read_text("utf-8")
    cut = text[: text.index("四、政府信息公开行政复议")] + text[text.index("五、存在的主要问题") :]
    r = parse_bytes(cut.encode(), "cut.txt")
    assert r.status == "ok"
    assert r.missing_tables == ["review_litigation"]
    assert len(r.facts) == 185
    assert "section_missing: review_litigation" in r.problems


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8")],
)
def test_seed_in_other_encodings_parses_the_same(seed_paths, encoding, detected):
    text = seed_paths["000"].read_text("utf-8")
    base = parse_bytes(text.encode("utf-8"), "a")
    other = parse_bytes(text.encode(encoding), "b")
    assert other.status == "ok"
    assert other.facts == base.facts
    assert other.encoding == detected


def test_fullwidth_digits_parse_as_ascii(seed_paths):
    text = seed_paths["000"].read_text("utf-8")
    wide = text.translate(str.maketrans("0123456789", "0123456789"))
    assert parse_bytes(wide.encode(), "w").facts == parse_bytes(text.encode(), "a").facts


def test_truncated_report_keeps_what_it_has(seed_paths):
    text = seed_paths["001"].read_text("utf-8")
    cut = text[: text.index("3.其他")]
    r = parse_bytes(cut.encode(), "cut.txt")
    assert r.status == "ok"
    assert r.missing_tables == ["review_litigation"]
    assert (
        "row_missing: applications 3.7" in r.problems
        and "row_missing: applications 4" in r.problems
    )
    assert any(p.startswith("rule_skipped: applications.balance") for p in r.problems)


def test_pathological_line_is_linear(seed_paths):
    # One 1 MB line of pipes and digits: the regexes must not backtrack catastrophically.
    line = ("1 | 2 |" * 150_000)[:1_000_000]
    r = parse_bytes(("三、收到和处理政府信息公开申请情况\n" + line).encode(), "long.txt")
    assert (r.status, r.reason) == ("rejected", "no_tables")
