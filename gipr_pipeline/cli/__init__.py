"""The ``gipr`` command (``main``) and what it drives: ``orchestrate`` (materialize year
partitions with Dagster, behind ``gipr run`` / ``gipr backfill``) and ``runs`` (their summaries).

The top layer: may import every stage and ``defs``.
"""
