"""The table reader on hand-written layouts: anchoring, blanks, marks, splits, truncation."""

import pytest

from gipr_pipeline.parser.tables import (
    BLANK,
    MARK,
    TEXT,
    VALUE,
    WEAK,
    label_key,
    read_table,
    tokenize,
)
from gipr_pipeline.readers.decode import normalize
from gipr_pipeline.template import load_template

T = load_template("2021")
APP, REV, ACT = T.table("applications"), T.table("review_litigation"), T.table("active_disclosure")


def kinds(text):
    return [(c.kind, c.value) for c in tokenize(text)]


def test_tokenize_pipes_tabs_and_bare_numbers():
    assert kinds("label | 1 | 2 |") == [(TEXT, None), (VALUE, 1), (VALUE, 2)]
    assert kinds("label\t1\t\t2") == [(TEXT, None), (VALUE, 1), (BLANK, None), (VALUE, 2)]
    assert kinds("label 1 2 1,234") == [(TEXT, None), (VALUE, 1), (VALUE, 2), (VALUE, 1234)]
    assert kinds("0 6 4 0 10") == [(VALUE, 0), (VALUE, 6), (VALUE, 4), (VALUE, 0), (VALUE, 10)]
    assert kinds("| a | — | / |") == [(TEXT, None), (MARK, 0), (MARK, 0)]
    # Header lines: their empty fields are layout, not cells.
    # Header lines: their empty fields are layout; trailing ones stay as weak blanks, which only
    # a row short of values would use ("行政处罚 | |": a label whose one cell is blank).
    assert kinds("申请人情况 | ||||||||") == [(TEXT, None)] + [(WEAK, None)] * 8
    assert [k for k, _ in kinds("行政复议 | | 行政诉讼")] == [TEXT, TEXT]
    # A lone pipe on its own line is a blank cell (one cell per line layout).
    assert kinds("|") == [(BLANK, None)]
    # ... also with a tab after it (this raised IndexError once: the border strip left nothing).
    assert kinds("|\t") == [(BLANK, None)]
    assert kinds("| \t ") == [(BLANK, None)]
    # Padding around separators is not part of a cell; ideographic spaces pad too.
    assert kinds("label\u3000|\u3000 1 \t 2 |") == [(TEXT, None), (VALUE, 1), (VALUE, 2)]


def test_label_key_strips_numbering_and_spaces():
    assert label_key("三、 本年度办理结果") == "本年度办理结果"
    assert label_key("(三) 不予公开") == "不予公开"
    assert label_key("1.属于国家秘密") == "属于国家秘密"
    assert label_key("自 然 人") == "自然人"
    assert label_key("3.其他") == "其他"


def _app_text(rows: list[str]) -> str:
    return "\n".join(rows)


def _full_app(values: dict[str, list[str]], sep=" | ") -> str:
    lines = [
        "自然人 | 法人或其他组织 | 总计",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他",
    ]
    for r in APP.rows:
        vals = values.get(r.code, ["0"] * 7)
        lines.append(sep.join([r.label, *vals]))
    return normalize("\n".join(lines))


def test_applications_row_per_line():
    vals = {"1": ["5", "1", "0", "0", "0", "0", "6"], "3.7": ["5", "1", "0", "0", "0", "0", "6"]}
    read = read_table(_full_app(vals), APP)
    assert read.found and read.problems == []
    assert read.values[("1", "total")] == 6
    assert read.values[("1", "commercial_enterprise")] == 1
    assert read.values[("3.6.3", "total")] == 0
    assert len(read.values) == 175


def test_other_column_header_does_not_anchor_row_363():
    # "其他" is both a column header and row 3.6.3's label; position decides.
    read = read_table(_full_app({"3.6.3": ["1", "0", "0", "0", "0", "0", "1"]}), APP)
    assert read.values[("3.6.3", "natural_person")] == 1
    assert read.values[("3.6.3", "total")] == 1
    assert read.values[("3.3.2", "total")] == 0


def test_blank_interior_cell_is_zero_and_named():
    text = _full_app({"3.1": ["4", "", "0", "0", "0", "0", "4"]})
    read = read_table(text, APP)
    assert read.values[("3.1", "commercial_enterprise")] == 0
    assert read.blanks == [("3.1", "commercial_enterprise", "")]


@pytest.mark.parametrize("mark", ["—", "-", "/", "无", "——"])
def test_zero_marks(mark):
    read = read_table(_full_app({"2": [mark, "0", "0", "0", "0", "0", "0"]}), APP)
    assert read.values[("2", "natural_person")] == 0
    assert read.blanks == [("2", "natural_person", mark)]


def test_truncated_and_split_labels():
    text = (
        _full_app({})
        .replace(
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关\n不再处理其政府信息公开申请",
        )
        .replace("一、本年新收政府信息公开申请数量", "一、本年新收政府信息")
    )
    read = read_table(text, APP)
    assert read.problems == []
    assert len(read.values) == 175


def test_missing_row_is_named_and_wrong_width_row_is_not_guessed():
    text = _full_app({"3.2": ["1", "0", "0", "0", "0", "1"]})  # six cells
    text = "\n".join(ln for ln in text.split("\n") if "属于国家秘密" not in ln)
    read = read_table(text, APP)
    assert "row_missing: applications 3.3.1" in read.problems
    assert "cell_count: applications 3.2 expected 7 cells, found 6" in read.problems
    assert ("3.2", "total") not in read.values
    assert len(read.values) == 175 - 14


def test_review_as_one_run_or_three_rows():
    run = "行政复议 | 行政诉讼\n结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计\n0 | 6 | 4 | 0 | 10 | 0 | 1 | 0 | 0 | 1 | 7 | 0 | 0 | 0 | 7"
    rows = "行政复议 | 0 | 6 | 4 | 0 | 10\n未经复议直接起诉 | 0 | 1 | 0 | 0 | 1\n复议后起诉 | 7 | 0 | 0 | 0 | 7"
    for text in (run, rows, "0 6 4 0 10 0 1 0 0 1 7 0 0 0 7"):
        read = read_table(text, REV)
        assert read.values[("review", "corrected")] == 6
        assert read.values[("litigation_direct", "total")] == 1
        assert read.values[("litigation_after_review", "upheld")] == 7
        assert len(read.values) == 15


def test_review_printed_all_blank_is_fifteen_named_zeros():
    # Found at 100,000 generated reports: the rows' labels and nothing else ("| 行政复议 |  |  |
    # … |") left no cell in the run, and the table was reported missing.
    header = "| 行政复议 | 行政诉讼 |\n| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"
    blank_rows = "\n".join(
        f"| {label} |  |  |  |  |  |"
        for label in ("行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉")
    )
    read = read_table(header + blank_rows, REV)
    assert read.found and read.problems == []
    assert read.values == {cell: 0 for cell in REV.cells()}
    assert len(read.blanks) == 15
    # The header alone is not a table.
    assert not read_table(header, REV).found


def test_active_disclosure_fees_decimal_and_thousands():
    text = normalize(
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 1 | 0 | 12\n行政规范性文件 | 0 | 0 | 1,234\n"
        "行政许可 | 3,456\n行政处罚 | 7\n行政强制 | 0\n行政事业性收费 | 12.35"
    )
    read = read_table(text, ACT)
    assert read.values[("normative_documents", "in_force")] == 1234
    assert read.values[("licensing", "decisions")] == 3456
    assert read.values[("fees", "amount_10k_yuan")] == 12.35
    assert read.problems == []


def test_decorated_and_negative_cells_are_named():
    read = read_table(_full_app({"1": ["约10", "10件", "0", "0", "0", "0", "-3"]}), APP)
    assert read.values[("1", "natural_person")] == 10
    assert read.values[("1", "total")] == -3
    assert "non_numeric_cell: applications 1/natural_person '约10'" in read.problems
    assert "non_numeric_cell: applications 1/commercial_enterprise '10件'" in read.problems
    assert "negative_value: applications 1/total '-3'" in read.problems


def test_no_labels_no_table():
    assert not read_table("这是一段没有表格的文字。\n另一段。", APP).found
    assert not read_table("没有数字", REV).found
