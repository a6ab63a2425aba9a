"""The real-world fault classes (copies of ``../shared/cases`` in ``data/cases``): every case is
read exactly as its truth says — every cell, agency, year, template, phone; no hard violation, no
missing table. The classes and what a correct reader does: ``data/cases/README.md``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gipr_pipeline.parser.parse import parse_path

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
INPUTS = sorted(p for p in CASES.glob("*/*.*") if not p.name.endswith(".truth.json"))


def _truth(path: Path) -> dict:
    return json.loads(
        path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json").read_text("utf-8")
    )


def test_every_class_has_cases():
    classes = {p.parent.name for p in INPUTS}
    assert classes == {
        "crawler_run_together",
        "document_traps",
        "hidden_content",
        "metadata_variants",
        "ocr_markdown",
        "pdf_text_detached",
        "template_variant",
    }
    assert len(INPUTS) == 19


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_read_exactly(path):
    truth = _truth(path)
    r = parse_path(path)
    assert r.status == "ok", (r.reason, r.message)
    meta = r.report
    assert (meta.agency, meta.year, meta.template, meta.phone) == (
        truth["agency"],
        truth["year"],
        truth["template"],
        truth["phone"],
    )
    want = {(f["table"], f["row"], f["column"]): f["value"] for f in truth["facts"]}
    got = {(f.table, f.row, f.column): f.value for f in r.facts}
    assert got == want
    assert r.missing_tables == []
    assert [v for v in r.violations if v.severity == "hard"] == []
