"""defs/metadata.py: check numbers plotted per year, readable under their own key."""

from dagster import MetadataValue

from gipr_pipeline.defs.metadata import per_partition


def test_numbers_get_a_key_per_year_and_stay_readable():
    md = MetadataValue.md("| a |")
    got = per_partition("2024", {"reports_failing": 1234, "rate": 0.25, "ok": True, "table": md})
    assert got == {
        "reports_failing": MetadataValue.text("1,234"),
        "2024/reports_failing": 1234,
        "rate": MetadataValue.text("0.25"),
        "2024/rate": 0.25,
        "ok": True,  # not a number to plot
        "table": md,
    }
    assert per_partition(None, {"reports_failing": 3}) == {"reports_failing": 3}
