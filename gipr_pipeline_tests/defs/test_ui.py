"""The UI really serves: `dagster dev` on a free port answers GraphQL with our assets, their
schemas and checks, and the partition status of a materialization recorded in its instance."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dagster import DagsterInstance

from gipr_pipeline.cli.orchestrate import materialize_years
from gipr_pipeline.marts.schemas import SCHEMAS

ROOT = Path(__file__).resolve().parents[2]

QUERY = """
{
  assetNodes {
    assetKey { path }
    partitionStats { numMaterialized numPartitions numFailed }
    metadataEntries {
      label
      ... on TableSchemaMetadataEntry { schema { columns { name type } } }
    }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
    assetMaterializations(partitions: ["2022"], limit: 1) {
      metadataEntries {
        label
        ... on PathMetadataEntry { path }
        ... on UrlMetadataEntry { url }
      }
    }
  }
}
"""
# What people open: assets that write HTML (path and file:// URL in their metadata).
PUBLISHED = {"data_quality_docs": "docs", "annual_report": "report"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _restore_sigint():  # a background shell job starts with SIGINT ignored; children inherit it
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_dagster_dev_serves_assets_schemas_checks_and_partition_status(tmp_path, raw_dir):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # A materialization of 2022 recorded in the instance the UI will read.
    instance = DagsterInstance.from_config(str(home))
    summary = materialize_years(raw_dir, tmp_path / "wh.duckdb", years=[2022], instance=instance)
    instance.dispose()
    assert summary["ok"]

    port = _free_port()
    log = (tmp_path / "dagster_dev.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: webserver and daemon end together
        preexec_fn=_restore_sigint,
    )
    try:
        nodes, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                data = _graphql(port, QUERY).get("data") or {}
                nodes = data.get("assetNodes")
                if nodes:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert nodes, (tmp_path / "dagster_dev.log").read_text()[-3000:]

        by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        assert set(by_key) == set(SCHEMAS) | set(PUBLISHED)
        for key, label in PUBLISHED.items():  # the UI links the HTML files
            entries = {
                e["label"]: e
                for e in by_key.pop(key)["assetMaterializations"][0]["metadataEntries"]
            }
            path = Path(entries[label]["path"])
            assert path.is_file() and path.suffix == ".html", entries
            assert entries[f"{label}_url"]["url"] == path.as_uri()
        n_years = len(range(2019, summary["years"][0] + 1)) - 1  # sanity: ≥ 2019…2022
        for key, node in by_key.items():
            stats = node["partitionStats"]
            assert stats["numMaterialized"] == 1, (key, stats)  # 2022 only
            assert stats["numPartitions"] >= n_years + 3 and stats["numFailed"] == 0
            schema = next(
                e for e in node["metadataEntries"] if e["label"] == "dagster/column_schema"
            )
            assert [c["name"] for c in schema["schema"]["columns"]] == list(
                SCHEMAS[key].to_schema().columns
            )
        checks = {
            c["name"]: c["blocking"]
            for c in by_key["applications_checked"]["assetChecksOrError"]["checks"]
        }
        assert checks == {"applications_checked_gate": True}
    finally:
        _stop_group(proc)
        log.close()
    # The whole group is gone (the webserver and daemon children too).
    assert _group_alive(proc.pid) == []


def _group_alive(pgid: int) -> list[str]:
    """Live (non-zombie) processes of a process group, from /proc."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


def _stop_group(proc: subprocess.Popen, grace: float = 30) -> None:
    """SIGINT the group (dagster dev shuts its children down), SIGKILL what outlives it."""
    os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (proc.poll() is None or _group_alive(proc.pid)):
        time.sleep(0.5)
    if proc.poll() is None or _group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
