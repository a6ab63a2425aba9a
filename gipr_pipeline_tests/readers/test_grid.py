"""The shared grid writer: spans expanded, nothing duplicated, blanks kept as empty fields."""

from gipr_pipeline.readers.grid import GridCell, cell_text, grid_lines, join_lines, place_html_rows


def test_html_placement_skips_slots_taken_by_row_spans():
    cells = place_html_rows([[("a", 2, 1), ("b", 1, 2)], [("c", 1, 1), ("d", 1, 1)]])
    assert [(c.text, c.row, c.col) for c in cells] == [
        ("a", 0, 0),
        ("b", 0, 1),
        ("c", 1, 1),
        ("d", 1, 2),
    ]


def test_label_spanning_rows_is_written_once():
    rows = [
        [("三、本年度办理结果", 2, 1), ("(一)予以公开", 1, 1), ("4", 1, 1), ("4", 1, 1)],
        [("(二)部分公开", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    ]
    assert grid_lines(place_html_rows(rows)) == [
        "| 三、本年度办理结果 | (一)予以公开 | 4 | 4 |",
        "| (二)部分公开 | 0 | 0 |",
    ]


def test_column_span_adds_no_empty_field():
    rows = [[("一、本年新收政府信息公开申请数量", 1, 3), ("28", 1, 1), ("28", 1, 1)]]
    assert grid_lines(place_html_rows(rows)) == ["| 一、本年新收政府信息公开申请数量 | 28 | 28 |"]


def test_number_spanning_rows_is_never_duplicated_nor_guessed():
    """A figure merged over two rows is not copied, and the later row gets no field at all (not
    an empty one the parser would read as a blank zero): that row is named, not guessed."""
    rows = [
        [("行政处罚", 1, 1), ("7", 2, 1), ("1", 1, 1)],
        [("行政强制", 1, 1), ("2", 1, 1)],
    ]
    problems: list[str] = []
    assert grid_lines(place_html_rows(rows), problems) == [
        "| 行政处罚 | 7 | 1 |",
        "| 行政强制 | 2 |",
    ]
    assert len(problems) == 1
    assert problems[0].startswith("merged_number_cell: '7' is printed once over 1 column(s) × 2")


def test_zero_merged_over_rows_and_value_columns_is_zero_in_each():
    rows = [
        [("", 1, 1), ("商业企业", 1, 1), ("科研机构", 1, 1), ("总计", 1, 1)],
        [("1.属于国家秘密", 1, 1), ("0", 1, 2), ("0", 2, 1)],
        [("2.其他法律行政法规禁止公开", 1, 1), ("—", 1, 2)],
    ]
    problems: list[str] = []
    assert grid_lines(place_html_rows(rows), problems) == [
        "|  | 商业企业 | 科研机构 | 总计 |",
        "| 1.属于国家秘密 | 0 | 0 | 0 |",
        "| 2.其他法律行政法规禁止公开 | — | — | 0 |",
    ]
    assert problems == []


def test_figure_merged_over_value_columns_is_written_once_and_named():
    rows = [
        [("", 1, 1), ("商业企业", 1, 1), ("科研机构", 1, 1), ("总计", 1, 1)],
        [("1.属于国家秘密", 1, 1), ("3", 1, 2), ("3", 1, 1)],
    ]
    problems: list[str] = []
    assert grid_lines(place_html_rows(rows), problems)[1] == "| 1.属于国家秘密 | 3 | 3 |"
    assert [p.split(":")[0] for p in problems] == ["merged_number_cell"]


def test_one_value_row_under_its_own_wide_heading_is_one_cell():
    """行政许可's single count spans the three columns of the table like its heading does."""
    rows = [
        [
            ("信息内容", 1, 1),
            ("本年制发件数", 1, 1),
            ("本年废止件数", 1, 1),
            ("现行有效件数", 1, 1),
        ],
        [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("2", 1, 1)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政许可", 1, 1), ("0", 1, 3)],
        [("行政处罚", 1, 1), ("5", 1, 3)],
    ]
    problems: list[str] = []
    assert grid_lines(place_html_rows(rows), problems)[3:] == [
        "| 行政许可 | 0 |",
        "| 行政处罚 | 5 |",
    ]
    assert problems == []


def test_blank_cells_are_empty_fields_between_pipes():
    rows = [[("规章", 1, 1), ("", 1, 1), ("3", 1, 1), ("", 1, 1)]]
    assert grid_lines(place_html_rows(rows)) == ["| 规章 |  | 3 |  |"]


def test_empty_rows_are_skipped():
    cells = [GridCell("a", 0, 0), GridCell("", 1, 0), GridCell("b", 2, 0)]
    assert grid_lines(cells) == ["| a |", "| b |"]


def test_cell_text_normalizes_and_keeps_pipes_out():
    assert cell_text(" 2\u00a0|\u3000x\n") == "2 / x"
    assert cell_text("28") == "28"


def test_wrapped_cjk_joins_without_space():
    assert join_lines(["商业", "企业"]) == "商业企业"
    assert join_lines(["Word", "file"]) == "Word file"
    assert (
        join_lines(["(二)部分公开(区分处理的,", "只计这一情形)"])
        == "(二)部分公开(区分处理的,只计这一情形)"
    )
