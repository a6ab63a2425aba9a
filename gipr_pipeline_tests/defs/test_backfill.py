"""A 2019–2024 backfill in one run: generated reports of five agencies (the 2019 template for
2019 and 2020, the 2021 template after), carry-overs chained from year to year, with planted
continuity breaks and narrative mismatches. The pipeline must find exactly the planted ones."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, evaluate_automation_conditions, materialize

from gipr_pipeline.cli.orchestrate import materialize_years
from gipr_pipeline.corpus.render import LAYOUTS, Style, random_truth, render_report
from gipr_pipeline.defs.assets import ASSETS
from gipr_pipeline.defs.continuity import ASSETS as CONTINUITY_ASSETS
from gipr_pipeline.defs.definitions import build_defs
from gipr_pipeline.defs.io import WarehouseIOManager
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.template import load_template
from gipr_pipeline_tests.defs.conftest import table

YEARS = range(2019, 2025)
COLS = load_template("2021").table("applications").columns[:-1]
# Agency → its name per year: 临河 drops its city prefix from 2021 (matched by key), 武侯 reports
# only for 2022 (unmatched in 2022, missing in 2023).
AGENCIES = {
    "linhe": {y: ("巴彦淖尔市临河区民政局" if y < 2021 else "临河区民政局") for y in YEARS},
    "chencang": dict.fromkeys(YEARS, "陈仓区数据局"),
    "saihan": dict.fromkeys(YEARS, "赛罕区人民政府办公室"),
    "tianshan": dict.fromkeys(YEARS, "哈密市伊州区天山乡人民政府"),
    "wuhou": {2022: "成都市武侯区卫生健康局"},
}
# (agency, year) whose row 2 no longer equals the previous year's row 4 (natural_person, +d).
BREAKS = {("chencang", 2021): 2, ("tianshan", 2023): 5}
# (agency, year) whose prose misstates row 1's total (+d).
MISSTATED = {("saihan", 2020): 7, ("linhe", 2023): 3}


def _chain(app: dict, carried_in: dict[str, int]) -> None:
    """Row 2 := the previous year's row 4, keeping every balance rule."""
    for c in COLS:
        done, out = app[("3.7", c)], app[("4", c)]
        new = done + out - carried_in[c]
        if new < 0:
            out, new = out - new, 0
        app[("1", c)], app[("2", c)], app[("4", c)] = new, carried_in[c], out
    for r in ("1", "2", "4"):
        app[(r, "total")] = sum(app[(r, c)] for c in COLS)


def _corpus(raw: Path) -> dict:
    rng = random.Random(2019)
    truths = {}
    for key, names in AGENCIES.items():
        carried = dict.fromkeys(COLS, 0)
        for y in sorted(names):
            t = random_truth(rng, load_template("2019" if y < 2021 else "2021"), y, scale=6)
            t.agency = names[y]
            app = t.cells["applications"]
            _chain(app, carried)
            if (key, y) in BREAKS:  # row 2 and row 4 both +d: balanced, but a break with y−1
                d = BREAKS[(key, y)]
                for r in ("2", "4"):
                    app[(r, "natural_person")] += d
                    app[(r, "total")] += d
            carried = {c: app[("4", c)] for c in COLS}
            style = Style(layout=rng.choice(LAYOUTS), review_rows=rng.random() < 0.5)
            text, _ = render_report(t, style, rng)
            said = app[("1", "total")] + MISSTATED.get((key, y), 0)
            prose = f"全年共收到政府信息公开申请{said}件,办结政府信息公开申请{app[('3.7', 'total')]}件。"
            text = text.replace("(一)主动公开情况\n", f"(一)主动公开情况\n{prose}\n", 1)
            assert prose in text
            (raw / str(y)).mkdir(parents=True, exist_ok=True)
            (raw / str(y) / f"{key}.txt").write_text(text, "utf-8")
            truths[(key, y)] = t
    return truths


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill")
    raw, wh = root / "raw", root / "wh" / "gipr.duckdb"
    truths = _corpus(raw)
    instance = DagsterInstance.ephemeral()
    summary = materialize_years(raw, wh, years=YEARS, instance=instance)
    return raw, wh, truths, summary, instance


def test_every_year_runs_and_only_planted_breaks_fail(backfill):
    _, _, _, s, _ = backfill
    assert s["years"] == list(YEARS)
    assert all(r["success"] for r in s["runs"])
    for r in s["runs"]:
        checks = r["checks"]
        assert checks["carryover_continuity"] == (r["year"] not in {y for _, y in BREAKS})
        assert all(ok for name, ok in checks.items() if name != "carryover_continuity"), r


def test_templates_by_year(backfill):
    _, wh, _, _, _ = backfill
    apps = table(wh, "applications")
    per = apps.group_by("year", "template", "report_id").len()
    for y, template, n in per.select("year", "template", "len").iter_rows():
        assert (template, n) == (("2019", 23) if y < 2021 else ("2021", 25)), y
    ad = table(wh, "active_disclosure")
    assert set(ad.filter(pl.col("year") < 2021)["row_code"]) >= {"other_services", "procurement"}
    facts = table(wh, "report_facts")
    n = facts.group_by("year", "report_id").len()
    assert set(n.filter(pl.col("year") < 2021)["len"]) == {198}
    assert set(n.filter(pl.col("year") >= 2021)["len"]) == {200}


def test_exactly_the_planted_continuity_breaks(backfill):
    _, wh, _, _, _ = backfill
    mart = table(wh, "carryover_breaks")
    breaks = {
        (r["agency"], r["year"], r["column_code"], r["difference"])
        for r in mart.filter(pl.col("status") == "break").iter_rows(named=True)
    }
    want = {
        (AGENCIES[k][y], y, c, d)
        for (k, y), d in BREAKS.items()
        for c in ("natural_person", "total")
    }
    assert breaks == want
    # Every agency reporting two years in a row is paired, by its key (临河 across its rename).
    matched = mart.filter(pl.col("status") == "matched")
    assert matched.group_by("year").len().sort("year").rows() == [(y, 4) for y in range(2020, 2025)]
    linhe = matched.filter(pl.col("year") == 2021).filter(pl.col("agency") == "临河区民政局")
    assert linhe.select("agency_key", "previous_agency").row(0) == (
        "临河区民政局",
        "巴彦淖尔市临河区民政局",
    )
    # Shown, not guessed: 武侯 has no 2021 or 2023 report.
    doubtful = {
        (r["status"], r["year"], r["agency"] or r["previous_agency"])
        for r in mart.filter(~pl.col("status").is_in(["matched", "break"])).iter_rows(named=True)
    }
    assert doubtful == {
        ("unmatched", 2022, "成都市武侯区卫生健康局"),
        ("missing_in_year", 2023, "成都市武侯区卫生健康局"),
    }
    assert mart.filter(pl.col("year") == 2019).is_empty()  # the first partition has no 2018


def test_exactly_the_planted_narrative_mismatches(backfill):
    _, wh, truths, _, _ = backfill
    v = table(wh, "rule_violations")
    assert v.filter(pl.col("severity") == "hard").is_empty()
    narr = v.filter(pl.col("rule") == "narrative.agreement")
    assert set(narr["severity"]) == {"soft"}
    got = {
        (r["agency"], r["year"], r["row_code"], r["expected"], r["actual"])
        for r in narr.iter_rows(named=True)
    }
    want = set()
    for (k, y), d in MISSTATED.items():
        total = truths[(k, y)].cells["applications"][("1", "total")]
        want.add((AGENCIES[k][y], y, "1", total, total + d))
    assert got == want
    assert all("全年共收到政府信息公开申请" in d for d in narr["detail"])
    # The planted reports still count as verified numbers: soft rules never exclude.
    checked = table(wh, "applications_checked")
    assert checked["report_id"].n_unique() == sum(len(n) for n in AGENCIES.values())


def test_continuity_reruns_when_the_previous_year_changes(backfill):
    raw, wh, _, _, instance = backfill
    defs = build_defs(str(raw), str(wh))
    key = AssetKey("carryover_breaks")
    first = evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0  # everything is up to date
    # Only 2022's applications are rebuilt (say a file changed), not the continuity mart.
    rebuilt = materialize(
        [*ASSETS, *CONTINUITY_ASSETS],
        selection=["applications"],
        partition_key="2022",
        resources={
            "gipr": GiprPaths(raw_dir=str(raw), warehouse=str(wh)),
            "io_manager": WarehouseIOManager(database=str(wh), schema="main"),
        },
        instance=instance,
    )
    assert rebuilt.success
    again = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    # Both years that read applications 2022 re-run: 2022 (as year N) and 2023 (its N−1).
    assert again.get_requested_partitions(key) == {"2022", "2023"}
    # year_over_year reads the same two years and re-runs with it.
    assert again.get_requested_partitions(AssetKey("year_over_year")) == {"2022", "2023"}
    assert again.total_requested == 4
