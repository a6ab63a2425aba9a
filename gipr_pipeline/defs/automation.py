"""Keeping the warehouse fresh: one job over every asset and check for a year partition, a yearly
schedule for the year just reported, and a sensor on the raw folder.

Both start stopped: turn them on in the UI (Automation) or with ``dagster schedule start`` /
``dagster sensor start``, so opening the UI never launches runs by itself.
"""

import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    schedule,
    sensor,
)

from gipr_pipeline.defs.partitions import TIMEZONE, partition_years, years_partitions
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.marts import ingest, inventory

JOB_NAME = "gipr_year"

gipr_year_job = define_asset_job(
    JOB_NAME,
    selection=AssetSelection.all(),
    partitions_def=years_partitions,
    description="Every asset and check of one year partition: raw → parsed → marts.",
)


@schedule(
    cron_schedule="0 6 1 3 *",
    job=gipr_year_job,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="1 March, after the 31 January publication deadline: the previous year.",
)
def yearly_previous_year(context: ScheduleEvaluationContext) -> RunRequest:
    year = context.scheduled_execution_time.year - 1
    return RunRequest(partition_key=str(year), run_key=f"yearly-{year}")


@sensor(
    job=gipr_year_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="New, changed or removed contents under the raw folder (by content hash; the "
    "cursor keeps hash → year) start runs for exactly the affected year partitions.",
)
def raw_folder_sensor(context: SensorEvaluationContext, gipr: GiprPaths):
    # No run_key: a file removed then restored returns to an earlier state, which must run
    # again; the cursor alone makes each change request its years once.
    before: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    after = ingest.scan_years(gipr.raw_path, partition_years(), known=before)
    affected = sorted(inventory.affected_years(before, after))
    cursor = json.dumps(after, sort_keys=True, separators=(",", ":"))
    if not affected:
        return SensorResult(
            skip_reason=SkipReason("no new, changed or removed content"), cursor=cursor
        )
    return SensorResult(
        run_requests=[
            RunRequest(partition_key=str(y), tags={"gipr/trigger": "raw_folder"}) for y in affected
        ],
        cursor=cursor,
    )
