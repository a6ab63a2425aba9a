"""What a year partition was built from, so that a run rebuilds only what changed.

Pure (no Dagster). The ``run_inputs`` mart (one row per year, written in the same transaction as
the rest of the partition) records, for the year it describes:

* ``inputs_digest``: sha256 over the year's inputs, (content hash, every path) — the content
  hashes the parse step read (``raw_reports``);
* ``corrections_digest``: the corrections file lines of the year's reports
  (``corrections.digest``);
* ``previous_digest``: both of year N−1, which the cross-year marts (``carryover_breaks``,
  ``year_over_year``) read;
* ``code_version``: this package's source and the installed distributions (``code_version``).

``gipr run`` (``cli/orchestrate.py``) computes the same from the raw folder (hashing every file,
parsing only contents the warehouse does not know) and rebuilds a year only when one differs.
"""

from __future__ import annotations

import hashlib
import json
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

import polars as pl

import gipr_pipeline

SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32,
    "inputs": pl.Int64,  # distinct inputs of the year
    "inputs_digest": pl.String,
    "corrections_digest": pl.String,
    "previous_digest": pl.String,
    "code_version": pl.String,
}


def _sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False).encode()).hexdigest()


def inputs_digest(inputs: pl.DataFrame) -> str:
    """``inputs``: report_id and paths (list) of one year's inputs (``raw_reports`` columns)."""
    rows = sorted(
        (rid, sorted(ps or [])) for rid, ps in inputs.select("report_id", "paths").iter_rows()
    )
    return _sha(rows)


def previous_digest(inputs_digest_previous: str, corrections_digest_previous: str) -> str:
    return _sha([inputs_digest_previous, corrections_digest_previous])


@cache
def code_version() -> str:
    """sha256 over this package's files (*.py, template *.toml) and every installed
    distribution's name and version: a change to either may change what a year holds."""
    root = Path(gipr_pipeline.__file__).parent
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".toml") and p.is_file()):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    h.update(json.dumps([platform.python_version(), dists]).encode())
    return h.hexdigest()


def record(
    year: int,
    inputs: pl.DataFrame,
    corrections_digest: str,
    previous: str,
) -> pl.DataFrame:
    """The ``run_inputs`` row of ``year``."""
    return pl.DataFrame(
        [
            {
                "year": year,
                "inputs": inputs.height,
                "inputs_digest": inputs_digest(inputs),
                "corrections_digest": corrections_digest,
                "previous_digest": previous,
                "code_version": code_version(),
            }
        ],
        schema=SCHEMA,
        orient="row",
    )
