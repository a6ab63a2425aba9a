"""Year partitions: the statistical year a report covers, 2019 through the last complete year.

A time-window definition (not a static list) so the newest partition appears by itself on
1 January, without reading the clock at import time.
"""

from __future__ import annotations

from dagster import TimeWindowPartitionsDefinition

from gipr_pipeline.marts.inventory import FIRST_YEAR

TIMEZONE = "Asia/Shanghai"  # the reports' statistical year is a Chinese calendar year

years_partitions = TimeWindowPartitionsDefinition(
    start=str(FIRST_YEAR), cron_schedule="0 0 1 1 *", fmt="%Y", timezone=TIMEZONE
)


def partition_years() -> list[int]:
    """The partition years as of now (2019 … last complete year)."""
    return [int(k) for k in years_partitions.get_partition_keys()]
