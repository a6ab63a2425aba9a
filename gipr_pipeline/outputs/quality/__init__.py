"""Great Expectations on the marts: suites built from the template data (each on a view of its
mart, below), and the validation of a year's marts with Data Docs as static HTML.

Why one module, beside ``schemas.py`` (not a function next to each mart in ``marts.py``): the
suites are declared from the same template data as the pandera schemas (row codes per template,
rows per template, the balance rules with their totals and parts), so a template change updates
both; ``marts.py`` stays free of validation code; and Great Expectations (about 5 s to import)
is imported only inside :func:`validate_year`. The declarations below are plain data (the GX
expectation class name and its arguments), so this module imports fast and the suites can be
listed and tested without GX; :func:`validate_year` turns them into GX objects.

Division of labour with pandera: the pandera models guard dtypes and codes at every asset
boundary (a run stops on them); these suites describe the marts' *content* for people (Data Docs)
and turn into Dagster asset checks on ``data_quality_docs``: keys not null, value ranges, unique
(report, row), rows per report by template, years inside the partition, agencies not empty, and
the balance rules (勾稽关系) as multi-column expectations.

GX has no group-by, its multi-column sum compares with a constant, and on pandas it costs about
half a second and hundreds of MB per expectation on a national year's mart (applications holds
2.5 M rows, rule_violations 3 M). So each suite validates a small *view* of its mart, built
here in polars at the grain of its claims (and converted to pandas at this edge only). A claim
holds on every row of the mart if and only if it holds on every row of its view; what changes is
what GX counts (reports or row patterns instead of mart rows) and which row a sample shows:

- ``<mart>`` (wide marts): one row per report (its keys as printed), with ``rows_in_report``
  (compared per template with the template's row count), ``duplicate_rows`` (row codes repeated),
  and, for the per-row rules, the cells of the report's first row breaking a rule (else of its
  first row) with ``minus_<col>`` = −col: a rule "total = sum of parts" becomes
  ``ExpectMulticolumnSumToEqual(parts + minus_total, 0)``;
- ``<mart>_rows``: one row per template, row code and pattern of null / negative cells, with the
  smallest value of each column, an example report and how many reports share the pattern: row
  codes of the template, cells present or absent, counts ≥ 0;
- ``<mart>_by_column`` (applications): complete tables only, one column per row code
  (``row_3_7``; 0 where a template has no such row) for the rules that run down a column
  (``applications.balance``, ``applications.results_sum``): per report, its first applicant
  column breaking each rule (else its first column);
- ``rule_violations``: its distinct rows without the cell codes and ``detail`` (a report's blank
  cells in a table are one row, not one per cell), with how many mart rows each stands for;
- ``year_summary``: the mart itself (one row).
"""

from gipr_pipeline.outputs.quality.docs import (
    Failure,
    MartQuality,
    YearQuality,
    quality_dir,
    validate_year,
    write_summary,
)
from gipr_pipeline.outputs.quality.suites import MARTS, SEVERITY, SUITES, Expect, Suite

__all__ = [
    "MARTS",
    "SEVERITY",
    "SUITES",
    "Expect",
    "Failure",
    "MartQuality",
    "Suite",
    "YearQuality",
    "quality_dir",
    "validate_year",
    "write_summary",
]
