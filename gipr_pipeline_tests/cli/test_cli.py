"""The gipr command, called in-process (same code path as the console script)."""

import json

from gipr_pipeline.cli.main import main

KEYS = {
    "source",
    "status",
    "reason",
    "message",
    "report",
    "facts",
    "missing_tables",
    "violations",
    "problems",
}


def test_parse_json_on_the_seeds(raw_dir, capsys):
    assert main(["parse", str(raw_dir), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    for line in lines:
        d = json.loads(line)
        assert set(d) == KEYS
        assert d["status"] == "ok" and d["reason"] is None
        assert len(d["facts"]) == 200
        assert set(d["report"]) >= {"agency", "year", "published", "template"}
        assert d["violations"] == [] and d["missing_tables"] == []
        assert set(d["facts"][0]) == {"table", "row", "column", "value"}
    years = [json.loads(x)["report"]["year"] for x in lines]
    assert years == [2024, 2024, 2024, 2022, 2024]


def test_check_passes_on_seeds(raw_dir, capsys):
    assert main(["check", str(raw_dir)]) == 0
    assert "5 report(s) checked: all hard rules hold" in capsys.readouterr().out


def _broken(tmp_path, seed_paths):
    text = seed_paths["000"].read_text("utf-8")
    # Row 1's total 28 → 29 in both copies: breaks row_total (row 1) and balance (total).
    text = text.replace(
        "28 |\n0 |\n0 |\n0 |\n0 |\n0 |\n28 |", "28 |\n0 |\n0 |\n0 |\n0 |\n0 |\n29 |"
    )
    p = tmp_path / "broken report 报告.txt"
    p.write_text(text, "utf-8")
    return p


def test_check_fails_on_a_broken_balance_and_names_it(tmp_path, seed_paths, capsys):
    p = _broken(tmp_path, seed_paths)
    assert main(["check", str(p), "--json"]) == 1
    d = json.loads(capsys.readouterr().out)
    assert d["violations"] == [
        {
            "rule": "applications.balance",
            "table": "applications",
            "row": None,
            "column": "total",
            "expected": 29,
            "actual": 28,
            "severity": "hard",
            "detail": None,
        },
        {
            "rule": "applications.row_total",
            "table": "applications",
            "row": "1",
            "column": None,
            "expected": 28,
            "actual": 29,
            "severity": "hard",
            "detail": None,
        },
    ]
    assert main(["check", str(p)]) == 1
    out = capsys.readouterr().out
    assert "总计=各类申请人之和" in out and "FAILED" in out


def _cells(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line.rstrip())


def _at(line: str, word: str) -> int:
    """The terminal column (in cells: a Chinese character is two) where ``word`` starts."""
    from rich.cells import cell_len

    return cell_len(line[: line.index(word)])


def _column(lines: list[str], start: int, end: int) -> str:
    """The text of the terminal columns start…end of every line, spaces dropped."""
    from rich.cells import get_character_cell_size

    out = []
    for line in lines:
        pos = 0
        for ch in line:
            if start <= pos < end:
                out.append(ch)
            pos += get_character_cell_size(ch)
    return "".join(out).replace(" ", "")


def test_check_names_agency_file_rule_cell_printed_and_expected_in_80_columns(
    tmp_path, seed_paths, capsys, monkeypatch
):
    """Per failing report: a heading with the agency and the file (whole, never folded), then per
    rule the Chinese rule, the cell by its Chinese row/column labels, printed and expected."""
    monkeypatch.setenv("COLUMNS", "80")
    sub = tmp_path / "某区" / "民政"
    sub.mkdir(parents=True)
    p = _broken(sub, seed_paths)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["check", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["✗ (机关未识别)", f"  {tmp_path / 'empty.txt'}"]
    assert lines[2] == "    未能读取 empty: the file is empty or holds only whitespace"
    assert lines[3:5] == ["✗ 赛罕区人民政府办公室", f"  {p}"]
    # Every line but the file names (whole, however long) fits 80 columns.
    names = {1, 4}
    assert [x for i, x in enumerate(lines) if i not in names and _cells(x) > 80] == []
    assert lines[5].split() == ["规则", "单元格", "所列", "应为"]
    table = lines[6:-1]
    # The rule text and the cell wrap inside their columns; the numbers stay on the first line.
    first, second = (x for x in table if x.rstrip().endswith(("28    29", "29    28")))
    assert first.split()[-2:] == ["28", "29"] and second.split()[-2:] == ["29", "28"]
    head = lines[5]
    rules = _column(table, _at(head, "规则"), _at(head, "单元格"))
    cells = _column(table, _at(head, "单元格"), _at(head, "所列") - 2)
    assert rules == "新收+上年结转=办理结果总计+结转下年总计=各类申请人之和"
    assert cells == "收到和处理政府信息公开申请情况·总计一、本年新收政府信息公开申请数量"
    assert lines[-1] == "2 report(s) checked: FAILED"


def test_check_fails_on_a_rejected_file(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["check", str(tmp_path)]) == 1
    assert "empty" in capsys.readouterr().out


def test_parse_bad_inputs_one_line_each(tmp_path, capsys):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("一段普通的文字。", "utf-8")
    assert main(["parse", str(tmp_path), "--json"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["source"].rsplit("/", 1)[-1], r["status"], r["reason"]) for r in recs] == [
        ("a.txt", "rejected", "empty"),
        ("b.png", "rejected", "binary"),
        ("c.txt", "rejected", "not_a_report"),
    ]


def test_missing_path_is_a_usage_error(capsys):
    assert main(["parse", "/no/such/path"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_human_output_names_agency_and_violations(tmp_path, seed_paths, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps cells at a pipe's default 80 columns
    p = _broken(tmp_path, seed_paths)
    assert main(["parse", str(p), str(seed_paths["001"])]) == 0
    out = capsys.readouterr().out
    assert "临河区民政局" in out and "新收+上年结转=办理结果总计+结转下年" in out
    header = next(ln for ln in out.splitlines() if "文件" in ln)
    assert header.split() == [
        "文件",
        "状态",
        "机关",
        "年度",
        "模板",
        "表",
        "数字",
        "违反规则",
        "问题",
    ]
    row = next(ln for ln in out.splitlines() if seed_paths["001"].name in ln)
    assert row.split()[1:] == ["已读", "临河区民政局", "2024", "2021", "3", "200", "0", "0"]


def test_reasons_lists_the_fixed_codes(capsys):
    assert main(["reasons"]) == 0
    codes = [ln.split("\t")[0] for ln in capsys.readouterr().out.splitlines()]
    assert codes[:5] == ["empty", "binary", "undecodable", "not_a_report", "no_tables"]


def test_check_soft_violations_are_warnings_not_failures(tmp_path, seed_paths, capsys):
    text = seed_paths["001"].read_text("utf-8")
    # The prose now claims 5 applications (the table says 0) and section 六 is emptied.
    text = text.replace("2024年度未收到依申请公开事项", "2024年度共收到政府信息公开申请5件")
    text = text.replace("本年度临河区民政局未收取政府信息公开信息处理费。", "无。")
    p = tmp_path / "soft.txt"
    p.write_text(text, "utf-8")
    assert main(["check", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    got = {(v["rule"], v["severity"]) for v in d["violations"]}
    assert got == {("narrative.agreement", "soft"), ("fees.unreported", "soft")}
    narr = next(v for v in d["violations"] if v["rule"] == "narrative.agreement")
    assert (narr["row"], narr["column"], narr["expected"], narr["actual"]) == ("1", "total", 0, 5)
    assert "2024年度共收到政府信息公开申请5件" in narr["detail"]
    assert main(["check", str(p)]) == 0
    out = capsys.readouterr().out
    assert "提示:正文数字与表格一致" in out and "all hard rules hold" in out


def test_a_soft_rule_in_many_cells_is_one_row_with_the_count():
    from gipr_pipeline.cli.failures import Finding, _rows

    blank = [
        Finding("cells.blank", "soft", f"行{i} · 自然人", None, None, "printed '—', read as 0")
        for i in range(5)
    ]
    hard = Finding("applications.balance", "hard", "三、本年度办理结果 · 总计", 7, 8)
    narrative = Finding("narrative.agreement", "soft", "一 · 总计", 5, 0, "共收到申请5件")
    rows = list(_rows([blank[0], hard, *blank[1:], narrative]))
    assert [(x.rule, cell) for x, cell in rows] == [
        (
            "cells.blank",
            "行0 · 自然人(printed '—', read as 0); 行1 · 自然人(printed '—', read as 0); "
            "行2 · 自然人(printed '—', read as 0) 等5处",
        ),
        ("applications.balance", "三、本年度办理结果 · 总计"),
        ("narrative.agreement", "一 · 总计(共收到申请5件)"),
    ]
    # Three cells or fewer are each their own row.
    assert [cell for _, cell in _rows(blank[:3])] == [
        f"行{i} · 自然人(printed '—', read as 0)" for i in range(3)
    ]
