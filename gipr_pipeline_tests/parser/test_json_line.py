"""``gipr parse --json`` lines (orjson) carry the documented contract field for field: the same
object as the standard library's encoding of ``ReportResult.to_json()``."""

from __future__ import annotations

import json

from gipr_pipeline.corpus.render import LAYOUTS, Style, inject_error, random_truth, render_report
from gipr_pipeline.parser.model import Fact, ReportResult, Violation, json_line, rejected
from gipr_pipeline.parser.parse import parse_path, parse_text


def _same(result: ReportResult) -> dict:
    line = json_line(result)
    assert line.endswith("\n") and line.count("\n") == 1
    got = json.loads(line)
    assert got == json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert list(got) == list(result.to_json())  # key order as documented
    return got


def test_seeds_encode_as_the_standard_library_does(seed_paths):
    for path in seed_paths.values():
        got = _same(parse_path(path))
        assert len(got["facts"]) == 200


def test_generated_reports_with_errors_encode_the_same():
    import random

    rng = random.Random(5)
    for i in range(40):
        truth = random_truth(rng, year=2024)
        if i % 2:
            inject_error(rng, truth)
        text, _ = render_report(truth, Style(layout=LAYOUTS[i % len(LAYOUTS)]), rng)
        got = _same(parse_text(text, f"gen/{i}.txt"))
        assert got["status"] == "ok"


def test_fees_stay_decimal_and_counts_integer():
    r = ReportResult(source="x", facts=[Fact("active_disclosure", "fees", "amount_10k_yuan", 0.0)])
    r.facts.append(Fact("applications", "1", "total", 0))
    line = json_line(r)
    assert '"value":0.0' in line and '"value":0}' in line
    r.violations.append(Violation("applications.balance", "applications", None, "total", 3, 2))
    assert json.loads(json_line(r))["violations"][0]["expected"] == 3


def test_undecodable_file_name_is_kept_losslessly():
    name = b"data/raw/\xff\xfe-report.txt".decode("utf-8", "surrogateescape")
    got = json.loads(json_line(rejected(name, "empty")))
    assert got["source"] == name
    assert got["source"].encode("utf-8", "surrogateescape") == b"data/raw/\xff\xfe-report.txt"
