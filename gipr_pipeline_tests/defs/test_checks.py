"""The asset checks' verdicts and metadata, invoked directly on frames from the warehouse."""

from __future__ import annotations

import polars as pl
from dagster import build_asset_check_context

from gipr_pipeline.defs.checks import applications_checked_gate, nothing_lost
from gipr_pipeline.marts import marts
from gipr_pipeline_tests.defs.conftest import table

# Invoked directly: no partition, so the metadata keeps its plain numbers (defs/metadata.py).
CTX = build_asset_check_context()


def test_gate_fails_when_a_violating_report_leaks_in(messy_warehouse):
    wh = messy_warehouse[0]
    apps, viol = table(wh, "applications", 2024), table(wh, "rule_violations", 2024)
    ok = applications_checked_gate(
        context=CTX,
        applications_checked=table(wh, "applications_checked", 2024),
        rule_violations=viol,
    )
    assert ok.passed and ok.metadata["reports_checked"].value == 4
    leaked = applications_checked_gate(context=CTX, applications_checked=apps, rule_violations=viol)
    assert not leaked.passed
    assert leaked.metadata["reports_with_violations_leaked"].value == 1
    assert leaked.metadata["reports_failing"].value == 1
    text = leaked.metadata["first_failures"].value
    assert "applications.row_total" in text and "| 1 |" in text and "28.0 | 29.0" in text


def test_gate_fails_on_an_incomplete_table(seeds_warehouse):
    wh = seeds_warehouse[0]
    checked = table(wh, "applications_checked", 2024).filter(pl.col("row_code") != "3.2")
    r = applications_checked_gate(
        context=CTX,
        applications_checked=checked,
        rule_violations=marts.empty(marts.VIOLATIONS_SCHEMA),
    )
    assert not r.passed and r.metadata["reports_incomplete"].value == 4


def test_accounting_names_the_lost_report(messy_warehouse):
    wh = messy_warehouse[0]
    frames = {
        t: table(wh, t, 2024)
        for t in (
            "raw_reports",
            "rejected_reports",
            "rule_violations",
            "applications",
            "review_litigation",
            "active_disclosure",
        )
    }
    r = nothing_lost(context=CTX, **frames)
    assert r.passed
    assert (r.metadata["inputs"].value, r.metadata["reports_in_marts"].value) == (7, 4)
    assert (r.metadata["reports_with_violations"].value, r.metadata["rejected"].value) == (1, 2)
    gone = frames["raw_reports"]["report_id"][0]
    for t in (
        "applications",
        "review_litigation",
        "active_disclosure",
        "rejected_reports",
        "rule_violations",
    ):
        frames[t] = frames[t].filter(pl.col("report_id") != gone)
    r = nothing_lost(context=CTX, **frames)
    assert not r.passed and r.metadata["lost"].value == [gone]
