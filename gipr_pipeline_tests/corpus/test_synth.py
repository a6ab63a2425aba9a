"""The corpus generator and its truth: deterministic, and every generated input parses exactly
as its truth says (the benchmark's accuracy table on a small corpus)."""

from collections import Counter

from gipr_pipeline.corpus.synth import Shares, read_truth, score, write_corpus
from gipr_pipeline.parser.parse import parse_path


def _corpus(tmp_path, name, n=60, seed=3):
    out = tmp_path / name
    write_corpus(n, 2024, seed, out, Shares(error=0.3, zero_marks=0.8), workers=1)
    return out, read_truth(out / "truth-2024.jsonl")


def test_same_seed_same_bytes(tmp_path):
    a, recs_a = _corpus(tmp_path, "a", n=20)
    b, recs_b = _corpus(tmp_path, "b", n=20)
    assert [r["path"] for r in recs_a] == [r["path"] for r in recs_b]
    for r in recs_a:
        assert (a / r["path"]).read_bytes() == (b / r["path"]).read_bytes()


def test_every_generated_input_parses_as_its_truth_says(tmp_path):
    out, recs = _corpus(tmp_path, "c")
    total = Counter()
    for rec in recs:
        s = score(parse_path(out / rec["path"]).to_json(), rec)
        assert s["exact"] == 1, (rec["path"], s)
        total.update(s)
    # The corpus exercises what it claims: blanks, injected errors, rejections.
    assert total["blanks"] > 0 and total["violations"] > 0 and total["inputs"] == 60


def test_a_blank_fee_is_zero_in_the_columns_type():
    rec = {
        "expected": {
            "status": "ok",
            "reason": None,
            "cells": {"active_disclosure": {"fees": ["—"], "penalty": [3]}},
            "violations": [],
            "problems": [],
            "agency": None,
            "year": None,
            "published": None,
            "template": "2021",
        }
    }
    facts = [
        {"table": "active_disclosure", "row": "fees", "column": "amount_10k_yuan", "value": 0.0},
        {"table": "active_disclosure", "row": "penalty", "column": "decisions", "value": 3.0},
    ]
    res = {"status": "ok", "reason": None, "facts": facts, "violations": [], "problems": []}
    res["report"] = {"agency": None, "year": None, "published": None, "template": None}
    s = score(res, rec)
    # The blank fee read as 0.0 counts; a count read as a float does not.
    assert s["cells"] == 2 and s["cells_exact"] == 1 and s["blanks"] == 1
