"""What people read: the published warehouse and the pages and files made from it.

``warehouse`` (read access to the DuckDB file), ``quality`` (Great Expectations suites from the
template, validated on views of the marts, and Data Docs), ``report`` (the annual HTML report),
``export`` (xlsx / CSV / Parquet with Chinese headers), ``browser`` (headless Chromium for the
report's screenshot test), ``paths`` (default folders) and ``progress`` (bars on a TTY only).

May import: ``template``, ``parser`` (result types), ``marts``, polars, DuckDB, GX. No Dagster.
"""
