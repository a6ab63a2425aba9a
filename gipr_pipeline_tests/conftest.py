"""Shared test set-up: hypothesis profiles and the seed reports.

The seeds are the tests' own copies under ``gipr_pipeline_tests/data/seeds/``: ``data/raw/`` is
the user's folder (sample input for ``make run``), and a report a user adds there must not change
any test's result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
RAW = Path(__file__).resolve().parent / "data" / "seeds"
USER_RAW = ROOT / "data" / "raw"  # the user's folder: no test reads it

# CI runs a fixed, bounded set of examples; `HYPOTHESIS_PROFILE=long` explores more locally.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _no_dagster_home(monkeypatch):
    """Tests make their own Dagster instances; a developer's $DAGSTER_HOME must not leak in."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    """Seed reports by their three-digit prefix ("000" … "004")."""
    return {p.name[:3]: p for p in sorted(RAW.glob("*.txt"))}
