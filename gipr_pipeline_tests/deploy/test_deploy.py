"""The shared deployment with real servers on 127.0.0.1, started and stopped here: Postgres (the
instance: runs, event log, schedules), Redis (the Celery broker), two Celery workers, the daemon
(queued runs) and the webserver (the UI's GraphQL API, which the test drives as the UI does).

One scenario, kept small for CI (three generated years, a few dozen reports, shards of 4 inputs
so each year fans out over both workers):

1. A backfill of 2022–2024 launched like the UI's "Launch backfill" (GraphQL
   ``launchPartitionBackfill``), with a fault armed: the first worker process to stage
   ``applications`` is killed (SIGKILL) mid-step. Celery gives the lost task back to the queue
   (``task_acks_late`` + ``task_reject_on_worker_lost``), the step runs again and every run
   completes, runs of different years at the same time; each year has exactly one published
   version, nothing half-built beside it.
2. Two runs of one year submitted at once: the coordinator's per-partition limit makes the
   second wait until the first ended; both complete.
3. Every table of every year equals the embedded run's (``orchestrate.materialize_years``
   into DuckDB): same rows, and the same checks passed; the steps ran on both workers.

Skips (with the reason) only when Postgres or Redis cannot be installed (``.ci/deploy-deps``).
"""

import itertools
import json
import os
import time
import urllib.request
from collections import Counter

import pytest

from gipr_pipeline.cli import deploy
from gipr_pipeline.cli.orchestrate import materialize_years
from gipr_pipeline.corpus.synth import write_corpus
from gipr_pipeline.outputs import lake

YEARS = (2022, 2023, 2024)
REPORTS = {2022: 9, 2023: 10, 2024: 8}
SHARD = 4
LOCATION = "gipr_pipeline_deploy"
RUN_TIMEOUT_S = 15 * 60

_missing = deploy.missing_tools()
if not _missing and os.geteuid() == 0:
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        _missing = ["the postgres user (root cannot run Postgres)"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(_missing),
        reason=f"deployment test needs {', '.join(_missing)}: run .ci/deploy-deps "
        "(apt-get install postgresql redis-server) as root",
    ),
]


def _gql(port: int, query: str, variables: dict) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        out = json.loads(r.read())
    assert "errors" not in out, out
    return out["data"]


BACKFILL = """
mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
LAUNCH = """
mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
REPO = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}


def _wait_ui(port: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = _gql(
                port,
                "{ workspaceOrError { ... on Workspace { locationEntries { name "
                "locationOrLoadError { __typename } } } } }",
                {},
            )
            entries = data["workspaceOrError"]["locationEntries"]
            if entries and entries[0]["locationOrLoadError"]["__typename"] == "RepositoryLocation":
                return
        except (OSError, AssertionError):
            pass
        time.sleep(2)
    raise AssertionError("the webserver did not load the deployment's code location")


def _wait_runs(instance, n: int, timeout: float = RUN_TIMEOUT_S):
    """Wait until at least ``n`` runs exist and all are finished; returns their records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recs = instance.get_run_records()
        if len(recs) >= n and all(r.dagster_run.is_finished for r in recs):
            return recs
        time.sleep(2)
    raise AssertionError(f"runs not finished in {timeout} s: {instance.get_run_records()}")


def _worker_of_steps(instance, run_ids) -> Counter:
    from dagster import DagsterEventType

    seen: Counter = Counter()
    for rid in run_ids:
        for rec in instance.get_records_for_run(rid, of_type=DagsterEventType.ENGINE_EVENT).records:
            ev = rec.event_log_entry.dagster_event
            meta = ev.engine_event_data.metadata if ev.engine_event_data else {}
            if "Celery worker" in meta:
                seen[meta["Celery worker"].value] += 1
    return seen


def _latest_checks(instance, year: str) -> dict[str, bool]:
    """Each check's latest result for ``year`` over the successful runs, oldest run first."""
    from dagster import DagsterEventType

    runs = sorted(
        (
            r
            for r in instance.get_run_records()
            if r.dagster_run.tags.get("dagster/partition") == year
            and r.dagster_run.status.value == "SUCCESS"
        ),
        key=lambda r: r.end_time,
    )
    out: dict[str, bool] = {}
    for r in runs:
        for rec in instance.get_records_for_run(
            r.dagster_run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
        ).records:
            d = rec.event_log_entry.dagster_event.event_specific_data
            out[d.check_name] = d.passed
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy-corpus")
    for y, n in REPORTS.items():
        write_corpus(n, y, seed=y, out=root)
    return root / "reports"


@pytest.fixture(scope="module")
def embedded(corpus, tmp_path_factory):
    wh = tmp_path_factory.mktemp("deploy-embedded") / "gipr.duckdb"
    result = materialize_years(corpus, wh, years=YEARS)
    assert all(r["published"] for r in result["runs"])
    return wh, {r["year"]: r["checks"] for r in result["runs"]}


@pytest.fixture(scope="module")
def stack(corpus, tmp_path_factory):
    state = tmp_path_factory.mktemp("deploy-state")
    marker = state / "kill-once"
    marker.write_text("the first worker process to stage applications is killed\n")
    ports = {k: deploy.free_port() for k in ("postgres", "redis", "webserver")}
    try:
        st = deploy.up(
            state,
            corpus,
            workers=2,
            webserver=True,
            ports=ports,
            shard_size=SHARD,
            worker_env={"GIPR_FAULT_ONCE": str(marker), "GIPR_FAULT_AT": "staged:applications"},
        )
        yield state, st, marker
    finally:
        deploy.down(state, purge=True)


def test_deployment_backfill_kill_retry_and_same_rows_as_embedded(stack, embedded, monkeypatch):
    from dagster import DagsterInstance

    state, st, marker = stack
    for k, v in st["env"].items():
        if k != "PYTHONPATH":
            monkeypatch.setenv(k, v)
    instance = DagsterInstance.from_config(str(state / "home"))
    port = st["ports"]["webserver"]
    _wait_ui(port)

    # 1. The backfill, as the UI launches it; one worker process is killed mid-step.
    data = _gql(
        port,
        BACKFILL,
        {
            "p": {
                "selector": {
                    "partitionSetName": "gipr_year_partition_set",
                    "repositorySelector": REPO,
                },
                "partitionNames": [str(y) for y in YEARS],
            }
        },
    )
    assert data["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", data
    recs = _wait_runs(instance, len(YEARS))
    assert not marker.exists()  # the fault fired: a worker process died while staging
    logs = "".join((state / "logs" / f"worker{i}.log").read_text() for i in (1, 2))
    assert "WorkerLostError" in logs
    # Its task went back to the queue, another process ran the step again, every run completed.
    assert {r.dagster_run.status.value for r in recs} == {"SUCCESS"}
    assert sorted(lake.years(state / "lake")) == [str(y) for y in YEARS]
    # Different years ran at the same time.
    windows = sorted((r.start_time, r.end_time) for r in recs)
    assert any(b[0] < a[1] for a, b in itertools.pairwise(windows))
    # One published version per year, nothing half-built left beside it.
    for y in YEARS:
        assert [d.name for d in (state / "lake" / "versions" / str(y)).iterdir()] == [
            lake.year_dir(state / "lake", y).resolve().name
        ]
    twice = str(YEARS[1])

    # 2. Two runs of one year at once: the second waits for the first.
    ids = []
    for _ in range(2):
        data = _gql(
            port,
            LAUNCH,
            {
                "p": {
                    "selector": {**REPO, "jobName": "gipr_year"},
                    "executionMetadata": {"tags": [{"key": "dagster/partition", "value": twice}]},
                }
            },
        )
        assert data["launchRun"]["__typename"] == "LaunchRunSuccess", data
        ids.append(data["launchRun"]["run"]["runId"])
    recs = {r.dagster_run.run_id: r for r in _wait_runs(instance, len(YEARS) + 2)}
    first, second = sorted((recs[i] for i in ids), key=lambda r: r.start_time)
    assert first.dagster_run.status.value == "SUCCESS"
    assert second.dagster_run.status.value == "SUCCESS"
    assert second.start_time >= first.end_time  # never two runs of one year at once

    # 3. carryover_breaks re-derived from the published years (the backfill ran consecutive
    # years at once), then every table equals the embedded run's, and so does every check.
    data = _gql(
        port,
        BACKFILL,
        {
            "p": {
                "selector": {
                    "partitionSetName": "gipr_carryover_partition_set",
                    "repositorySelector": REPO,
                },
                "partitionNames": [str(y) for y in YEARS],
            }
        },
    )
    assert data["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", data
    recs = _wait_runs(instance, 2 * len(YEARS) + 2)
    assert all(r.dagster_run.status.value == "SUCCESS" for r in recs[: len(YEARS)])
    warehouse, embedded_checks = embedded
    assert lake.differences(warehouse, state / "lake", YEARS) == {}
    for y in YEARS:
        assert _latest_checks(instance, str(y)) == embedded_checks[y], y
    workers = _worker_of_steps(instance, [r.dagster_run.run_id for r in recs])
    assert set(workers) == {"w1@gipr", "w2@gipr"}, workers
