"""``python -m gipr_pipeline_tests.defs.run_year_main RAW WAREHOUSE YEAR``: every asset and check
of the DAG for one partition (``conftest.run_year``: not the HTML assets, which take seconds to
import) in a process of its own, so the tests can kill it or run two at once. Exit 0 when the run
succeeded and the accounting and the gate passed."""

from __future__ import annotations

import sys
from pathlib import Path

from gipr_pipeline_tests.defs.conftest import checks, run_year


def main() -> int:
    raw, warehouse, year = sys.argv[1:4]
    r = run_year(Path(raw), Path(warehouse), int(year))
    c = checks(r)
    ok = r.success and c["nothing_lost"].passed and c["applications_checked_gate"].passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
