"""Marts: parse results → polars tables, validated by pandera.

Takes the raw folder (``inventory``: distinct inputs by sha256, each assigned to one year
partition) and the parser's results, and gives the year's tables (``ingest``: parsed on all
cores, long tables as parquet ``parts``), the marts and their balance rules (``marts``), one
pandera model per table (``schemas``) and the cross-year carry-over breaks (``continuity``).
Counts are ``Int64``, fees (万元) ``Float64``, years ``Int32``; one row per report and template
row in the wide marts.

May import: ``template``, ``readers``, ``parser``, polars and pandera. No Dagster.
"""
