"""The pipeline's ingest over a raw folder with special files, loops and names of any bytes:
every entry is one input of some year, inputs = accepted + rejected per year, and the tables
hold valid text for names that are not UTF-8 (pandera-validated)."""

from __future__ import annotations

from collections import Counter

from gipr_pipeline.marts import ingest
from gipr_pipeline.marts.schemas import SCHEMAS
from gipr_pipeline_tests import hostile as h

YEARS = list(range(2019, 2025))


def test_every_entry_is_accounted_in_one_year(tmp_path, seed_paths):
    with h.mixed_folder(tmp_path / "raw", seed_paths) as (root, expect):
        assigned = ingest.assignments(root, YEARS, workers=1)
        # distinct contents: the five seeds, six bad/hostile files, six entries without content
        assert len(assigned) == len(expect) == 17
        per_year = Counter(a.year for _, a in assigned)
        total = 0
        for year, n in sorted(per_year.items()):
            t = ingest.year_tables(root, year, YEARS, tmp_path / f"out{year}", workers=1)
            raw = t.raw_reports
            assert raw.height == n  # inputs of the year
            accepted = raw["accepted"].sum()
            assert accepted + t.rejected_reports.height == n
            SCHEMAS["rejected_reports"].validate(t.rejected_reports)
            total += n
            reasons = dict(
                zip(t.rejected_reports["path"], t.rejected_reports["reason"], strict=True)
            )
            if "fifo" in reasons:
                assert reasons["fifo"] == "not_a_file" and reasons["sub/up"] == "not_a_file"
            if year == 2024:
                assert "bad\\xff\\xfename.txt" in raw["path"].to_list()  # text, readable
        assert total == 17
