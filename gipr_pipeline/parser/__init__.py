"""The parser: report text → :class:`~gipr_pipeline.parser.model.ReportResult`.

Takes the normalized text a reader gives (``readers.to_text``) and returns one result per input:
metadata (agency, year, published date, template, phone), facts (one per table cell: counts as
``int``, fees in 万元 as ``float``), the balance rules' violations, problems (``code: detail``
strings) and sections; or a rejection with a reason code (``model.REJECTION_REASONS``).
Modules: ``clean`` (portal chrome, duplicated copies), ``sections``, ``tables`` and ``labels``
(rows anchored on the template's labels), ``metadata``, ``rules`` and ``audits`` (hard and soft
rules), ``narrative`` (prose vs tables), ``model`` (the result types), ``parse`` (the entry
points) and ``batch`` (many files on all cores).

May import: the standard library, ``gipr_pipeline.template`` and ``gipr_pipeline.readers``.
Pure Python: no polars, no Dagster (the import-linter contracts in pyproject.toml).
"""

from gipr_pipeline.parser.parse import parse_bytes, parse_path

__all__ = ["parse_bytes", "parse_path"]
