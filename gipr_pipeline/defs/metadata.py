"""Metadata conventions shared by the assets and checks (Dagster UI).

- Row counts: the I/O manager records ``dagster/row_count`` once per stored output (the key the
  UI shows in its overview and plots); assets add no count of their own.
- Check plots per year: the UI plots a check's numeric metadata along one time axis, every
  partition's evaluations mixed. ``per_partition`` keeps each number readable under its own key
  (as text, so it is not plotted there) and plots it under ``<year>/<key>``: one series per
  year, the years apart.
- Owners: every asset has ``OWNERS`` (set in ``definitions.build_defs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import MetadataValue

OWNERS = ["team:gipr-reviewers"]


def per_partition(partition: str | None, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """``metadata`` with each plain number also as ``<partition>/<key>`` (plotted per year)
    and as text under its own key; anything else unchanged. Unpartitioned: unchanged."""
    if partition is None:
        return dict(metadata)
    out: dict[str, Any] = {}
    for k, v in metadata.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            out[k] = v
            continue
        out[k] = MetadataValue.text(f"{v:,}" if isinstance(v, int) else f"{v:.4g}")
        out[f"{partition}/{k}"] = v
    return out
