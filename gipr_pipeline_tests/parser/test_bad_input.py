"""Bad input never raises: each class gets a reason code or a named problem."""

import pytest

from gipr_pipeline.parser.model import REJECTION_REASONS
from gipr_pipeline.parser.parse import parse_bytes

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


# ---------------------------------------------------------------- every class of bad input, named
# Each class either parses with a named problem or is rejected with a reason code: never a
# traceback, never a missing record (see also test_fuzz.py).
def _seed(seed_paths, key="001") -> str:
    return seed_paths[key].read_text("utf-8")


def _codes(r) -> set[str]:
    return {p.split(":", 1)[0] for p in r.problems}


def test_whitespace_only_in_any_encoding_is_empty():
    for data in (b"   \n\t\r\n", "\u3000\u3000\n \n".encode(), " \n".encode("utf-16")):
        r = parse_bytes(data, "ws.txt")
        assert (r.status, r.reason) == ("rejected", "empty")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4,  # a ZIP (not a .docx)
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)),  # broken PDF
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # legacy .doc
        bytes(range(256)) * 40,  # random bytes
    ],
    ids=["png", "zip", "pdf", "ole2", "random"],
)
def test_binary_given_as_txt_is_rejected_with_a_reason(data):
    # PDF and ZIP bytes go to the document readers, which name what they found.
    r = parse_bytes(data, "picture.txt")
    assert r.status == "rejected"
    assert r.reason in {"binary", "undecodable", "unreadable_document", "no_text_layer"}
    assert r.reason in REJECTION_REASONS and r.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(seed_paths, encoding):
    text = _seed(seed_paths)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    r = parse_bytes(bom + text.encode(encoding), "u16.txt")
    base = parse_bytes(text.encode(), "u8.txt")
    assert r.status == "ok" and r.facts == base.facts and r.encoding == "utf-16"


def test_gb18030_only_characters(seed_paths):
    # GB18030 encodes what GBK cannot (here a CJK Extension B character in the agency's name).
    text = _seed(seed_paths).replace("临河区民政局", "临河区𠀾民政局", 1)
    r = parse_bytes(text.encode("gb18030"), "gb.txt")
    assert r.status == "ok" and r.encoding == "gb18030"
    assert r.facts == parse_bytes(text.encode(), "u8.txt").facts


def test_mixed_encodings_keep_the_utf8_body_and_say_so(seed_paths):
    body = _seed(seed_paths).encode()
    footer = "联系电话:0478-8288261 临河区民政局办公室".encode("gbk")
    r = parse_bytes(body + footer, "mixed.txt")
    assert r.status == "ok"
    assert r.facts == parse_bytes(body, "u8.txt").facts
    assert "decode_replaced" in _codes(r)


def test_fifty_megabyte_file(tmp_path, seed_paths):
    # A report followed by 50 MB of prose (a page that kept an archive of every notice).
    filler = ("本年度,我局持续做好政府信息公开工作,信息发布及时准确。" * 20 + "\n").encode()
    data = _seed(seed_paths).encode() + filler * (50_000_000 // len(filler))
    assert len(data) >= 49_000_000
    f = tmp_path / "big.txt"
    f.write_bytes(data)
    from gipr_pipeline.parser.parse import parse_path

    r = parse_path(f)
    assert r.status == "ok"
    assert r.facts == parse_bytes(_seed(seed_paths).encode(), "seed.txt").facts


def test_one_megabyte_line_inside_a_table_section_is_linear():
    # The same pathological line, where the table reader tokenizes it (300,000 cells).
    line = ("1 | 2 |" * 150_000)[:1_000_000]
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | " + line
    r = parse_bytes(text.encode(), "long.txt")
    assert r.status == "rejected" and r.reason == "no_tables"


def _drop_line(text: str, startswith: str) -> str:
    lines = text.split("\n")
    i = next(i for i, ln in enumerate(lines) if ln.startswith(startswith))
    return "\n".join(lines[:i] + lines[i + 1 :])


def test_missing_row_is_named(seed_paths):
    r = parse_bytes(_drop_line(_seed(seed_paths), "2.重复申请").encode(), "x.txt")
    assert r.status == "ok"
    assert "row_missing: applications 3.5.2" in r.problems
    assert not any(f.row == "3.5.2" for f in r.facts)
    assert any(p.startswith("rule_skipped: applications.results_sum") for p in r.problems)


def test_extra_row_is_named(seed_paths):
    text = _seed(seed_paths).replace(
        "(七)总计 |", "(八)其他情形 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | |\n(七)总计 |", 1
    )
    r = parse_bytes(text.encode(), "x.txt")
    assert r.status == "ok"
    # The unknown row's numbers cannot be given to any row. The row before it reads its own
    # line (the fallback, as every rule holds without the unknown row), and the unknown row is
    # named with what it printed.
    assert r.problems == [
        "stray_numbers: applications after row 3.6.3: '(八)其他情形 1 0 0 0 0 0 1' "
        "(not a row of the template, not read)"
    ]
    assert ("applications", "3.6.3", "total", 0) in {
        (f.table, f.row, f.column, f.value) for f in r.facts
    }


@pytest.mark.parametrize("n", [6, 8])
def test_row_with_wrong_number_of_cells(seed_paths, n):
    row = "2.重复申请 | " + " | ".join(["0"] * n) + " |"
    text = _drop_line(_seed(seed_paths), "2.重复申请").replace(
        "3.要求提供公开出版物", row + "\n3.要求提供公开出版物", 1
    )
    r = parse_bytes(text.encode(), "x.txt")
    assert r.status == "ok"
    assert f"cell_count: applications 3.5.2 expected 7 cells, found {n}" in r.problems


@pytest.mark.parametrize(("cell", "value"), [("约10", 10), ("10件", 10), ("近3", 3)])
def test_non_numeric_cells_are_read_and_named(seed_paths, cell, value):
    text = _seed(seed_paths).replace("规章 | 0 |", f"规章 | {cell} |", 1)
    r = parse_bytes(text.encode(), "x.txt")
    assert r.status == "ok"
    fact = next(
        f for f in r.facts if (f.table, f.row, f.column) == ("active_disclosure", "rules", "issued")
    )
    assert fact.value == value
    assert f"non_numeric_cell: active_disclosure rules/issued {cell!r}" in r.problems


def test_negative_number_is_named(seed_paths):
    text = _seed(seed_paths).replace("规章 | 0 |", "规章 | -3 |", 1)
    r = parse_bytes(text.encode(), "x.txt")
    assert r.status == "ok"
    assert "negative_value: active_disclosure rules/issued '-3'" in r.problems


def test_two_different_years_are_a_named_conflict(seed_paths):
    # Title says 2023, 统计期限 says 2024: the period wins (it is what the numbers cover).
    text = "临河区民政局2023年度政府信息公开工作年度报告\n" + _seed(seed_paths)
    r = parse_bytes(text.encode(), "x.txt")
    assert r.status == "ok" and r.report.year == 2024
    assert "year_conflict: 统计期限 says 2024, the title 2023; 2024 is used" in r.problems
    span = _seed(seed_paths).replace("统计期限为2024年1月1日", "统计期限为2023年1月1日", 1)
    r = parse_bytes(span.encode(), "y.txt")
    assert "year_conflict" in _codes(r)


def test_file_names_with_spaces_and_chinese(tmp_path, seed_paths, capsys):
    import json

    from gipr_pipeline.cli.main import main
    from gipr_pipeline.parser.batch import parse_many

    folder = tmp_path / "内蒙古 自治区" / "2024 年"
    folder.mkdir(parents=True)
    names = ["临河区 民政局 2024年度报告.txt", "（副本） 报告 .txt", "a b.txt"]
    for name in names:
        (folder / name).write_bytes(seed_paths["001"].read_bytes())
    files = sorted(folder.iterdir())
    results = list(parse_many(files, workers=1))
    assert [r.source for r in results] == [str(f) for f in files]
    assert all(r.status == "ok" for r in results)
    assert main(["parse", "--json", str(tmp_path)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(x["source"] for x in lines) == sorted(str(f) for f in files)


def test_a_folder_of_bad_inputs_gives_one_record_each_in_order(tmp_path, seed_paths):
    from gipr_pipeline.parser.batch import parse_many

    inputs = {
        "0 empty.txt": b"",
        "1 png.txt": b"\x89PNG\r\n\x1a\n" + bytes(300),
        "2 report.txt": seed_paths["001"].read_bytes(),
        "3 not a report.txt": NOT_A_REPORT,
        "4 no tables.txt": REPORT_WITHOUT_TABLES,
        "5 gbk.txt": seed_paths["000"].read_text("utf-8").encode("gbk"),
    }
    for name, data in inputs.items():
        (tmp_path / name).write_bytes(data)
    files = sorted(tmp_path.iterdir()) * 15  # 90 inputs: enough to use the worker pool
    serial = [r.to_json() for r in parse_many(files, workers=1)]
    pooled = [r.to_json() for r in parse_many(files, workers=2, window=2)]
    assert pooled == serial
    assert [r["source"] for r in pooled] == [str(f) for f in files]
    assert [r["status"] for r in serial[:6]] == [
        "rejected",
        "rejected",
        "ok",
        "rejected",
        "rejected",
        "ok",
    ]
