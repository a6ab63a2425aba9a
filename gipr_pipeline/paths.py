"""Default locations, relative to the working directory (the repository root for `make` and
`dagster dev`). Kept free of heavy imports: the CLI reads them before it loads Dagster."""

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_WAREHOUSE = "data/warehouse/gipr.duckdb"
DEFAULT_DOCS_DIR = "data/docs"  # Data Docs and annual reports (HTML people open)
