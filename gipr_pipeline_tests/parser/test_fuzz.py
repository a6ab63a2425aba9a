"""Fuzzing: mutated seeds and generated reports never make the parser raise, always give exactly
one record per input, and what it accepts satisfies the report's invariants and schema.

Mutations: delete, duplicate and swap lines, truncate anywhere (text or bytes), insert random
Unicode, change the cell separators, re-encode. The example count comes from the hypothesis
profile (conftest.py): CI runs a fixed, bounded set (``ci``: derandomized, 60 examples);
``HYPOTHESIS_PROFILE=long uv run pytest gipr_pipeline_tests/test_fuzz.py`` explores 5,000 per test.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gipr_pipeline.corpus.render import LAYOUTS, Style, inject_error, random_truth, render_report
from gipr_pipeline.parser.model import REJECTION_REASONS, ReportResult
from gipr_pipeline.parser.parse import parse_bytes
from gipr_pipeline.template import load_template
from gipr_pipeline_tests.conftest import RAW

SEEDS = [p.read_text("utf-8") for p in sorted(RAW.glob("*.txt"))]
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------- inputs
@st.composite
def base_texts(draw) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(SEEDS))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    truth = random_truth(rng, scale=rng.choice((3, 30, 3000)))
    if rng.random() < 0.3:
        inject_error(rng, truth)
    style = Style(
        layout=rng.choice(LAYOUTS),
        review_rows=rng.random() < 0.5,
        zero_mark=rng.choice((None, "—", "-", "/", "无")),
        zero_share=0.5,
        fullwidth_digits=rng.random() < 0.2,
        chrome_copy=rng.random() < 0.2,
        narrative=rng.randint(0, 3),
    )
    return render_report(truth, style, rng)[0]


def _mutate(text: str, data) -> str:
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(0, 6), label="n_mutations")):
        op = data.draw(
            st.sampled_from(
                ("delete", "duplicate", "swap", "truncate", "unicode", "separator", "rule")
            ),
            label="op",
        )
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1), label="other line")
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            joined = "\n".join(lines)
            cut = data.draw(st.integers(0, len(joined)), label="cut")
            lines = joined[:cut].split("\n")
        elif op == "unicode":
            junk = data.draw(st.text(max_size=12), label="junk")
            at = data.draw(st.integers(0, len(lines[i])), label="at")
            lines[i] = lines[i][:at] + junk + lines[i][at:]
        elif op == "rule":  # a line of separators only ("|\t" once raised IndexError)
            lines.insert(i, data.draw(st.text(alphabet="|\t \u3000｜-", max_size=6), label="rule"))
        else:
            new = data.draw(st.sampled_from(("\t", " ", "|", "｜", " │ ", ",", "  ")), label="sep")
            lines[i] = lines[i].replace(" | ", new)
    return "\n".join(lines)


def _encode(text: str, data) -> bytes:
    enc = data.draw(
        st.sampled_from(("utf-8", "gbk", "gb18030", "utf-16", "utf-8-sig")), label="enc"
    )
    raw = text.encode(enc, errors="replace")
    if data.draw(st.booleans(), label="cut bytes"):
        raw = raw[: data.draw(st.integers(0, len(raw)), label="byte cut")]
    return raw


# ---------------------------------------------------------------- invariants
def check_invariants(r: ReportResult, source: str) -> None:
    assert isinstance(r, ReportResult) and r.source == source
    json.dumps(r.to_json(), ensure_ascii=False)  # always serializable
    assert r.status in ("ok", "rejected")
    for p in r.problems:
        code = p.split(":", 1)[0]
        assert _CODE.match(code), p
    if r.status == "rejected":
        assert r.reason in REJECTION_REASONS and r.message
        assert r.facts == [] and r.violations == []
        return
    assert r.reason is None
    template = load_template(r.report.template)
    cells = {(t.code, row, col) for t in template.tables for row, col in t.cells()}
    seen = set()
    for f in r.facts:
        key = (f.table, f.row, f.column)
        assert key in cells, key  # codes from the template
        assert key not in seen, key  # one fact per cell
        seen.add(key)
        assert isinstance(f.value, int | float) and not isinstance(f.value, bool)
        table = template.table(f.table)
        if f.value < 0:
            assert f.column in getattr(table, "signed", ()) or any(
                p.startswith(f"negative_value: {f.table} {f.row}/{f.column} ") for p in r.problems
            ), f
    tables = {t.code for t in template.tables}
    assert set(r.missing_tables) <= tables
    assert not {f.table for f in r.facts} & set(r.missing_tables)
    rule_ids = {rule.id for rule in template.rules}
    for v in r.violations:
        assert v.rule in rule_ids, v
        if v.severity == "hard":
            assert v.table not in r.missing_tables
    if r.report.year is not None:
        assert 1990 <= r.report.year <= 2100


# ---------------------------------------------------------------- tests
@given(text=base_texts(), data=st.data())
def test_mutated_reports_never_raise_and_keep_their_invariants(text, data):
    mutated = _mutate(text, data)
    raw = _encode(mutated, data)
    r = parse_bytes(raw, "fuzz.txt")
    check_invariants(r, "fuzz.txt")


@given(text=base_texts(), data=st.data())
def test_random_unicode_and_bytes_anywhere(text, data):
    raw = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.binary(max_size=16))
    r = parse_bytes(bytes(raw), "bytes.txt")
    check_invariants(r, "bytes.txt")


@settings(max_examples=15)
@given(texts=st.lists(base_texts(), min_size=1, max_size=6), data=st.data())
def test_one_record_per_input_from_the_cli(texts, data):
    from gipr_pipeline.cli.main import main

    with tempfile.TemporaryDirectory() as d:
        files = []
        for i, t in enumerate(texts):
            f = Path(d) / f"{i:02d} 报告.txt"
            f.write_bytes(_encode(_mutate(t, data), data))
            files.append(f)
        out = Path(d) / "out.jsonl"
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["parse", "--json", "--workers", "1", *map(str, files)]) == 0
        out.write_text(buf.getvalue())
        records = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [r["source"] for r in records] == [str(f) for f in files]


@settings(max_examples=20)
@given(text=base_texts(), data=st.data())
def test_accepted_reports_satisfy_the_warehouse_schemas(text, data):
    """What the parser accepts must pass the pandera schemas of the facts and problems tables."""
    from gipr_pipeline.marts import marts
    from gipr_pipeline.marts.schemas import SCHEMAS

    r = parse_bytes(_encode(_mutate(text, data), data), "schema.txt")
    if not r.ok or r.report.year is None:
        return
    year = min(max(r.report.year, 2019), 2024)
    items = [("0" * 64, year, r)]
    SCHEMAS["report_facts"].validate(marts.report_facts(items))
    SCHEMAS["report_problems"].validate(marts.report_problems(items))
