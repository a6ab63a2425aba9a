"""Default locations, relative to the working directory (the repository root for `make` and
`dagster dev`). Kept free of heavy imports: the CLI reads them before it loads Dagster."""

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_WAREHOUSE = "data/warehouse/gipr.duckdb"
DEFAULT_DOCS_DIR = "data/docs"  # Data Docs and annual reports (HTML people open)


def docs_dir_for(warehouse: str) -> str:
    """Where the HTML of a warehouse goes: ``data/docs`` for the project's warehouse, else a
    ``docs`` folder beside the warehouse file (tests and other warehouses keep their output next
    to their data)."""
    from pathlib import Path

    if Path(warehouse) == Path(DEFAULT_WAREHOUSE):
        return DEFAULT_DOCS_DIR
    return str(Path(warehouse).parent / "docs")


def corrections_dir_for(raw_dir: str) -> str:
    """Where reviewers' corrections live: a ``corrections`` folder beside the raw folder
    (``data/corrections`` for ``data/raw``), so a raw folder and its corrections travel together."""
    from pathlib import Path

    return str(Path(raw_dir).resolve().parent / "corrections")
