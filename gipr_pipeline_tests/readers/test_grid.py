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


def test_number_spanning_rows_is_never_duplicated():
    rows = [
        [("行政处罚", 1, 1), ("7", 2, 1), ("1", 1, 1)],
        [("行政强制", 1, 1), ("2", 1, 1)],
    ]
    assert grid_lines(place_html_rows(rows)) == ["| 行政处罚 | 7 | 1 |", "| 行政强制 |  | 2 |"]


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
