"""pandera models → Dagster types and column schemas.

Why not dagster-pandera: its DagsterType has ``typing_type=pandas.DataFrame`` hard-coded even for
polars schemas (dagster issue #23714), and the DuckDB I/O manager picks its type handler by that
typing type, so a polars asset would be stored and loaded as pandas (and it pins pandas < 3).
Building the type here keeps ``typing_type=pl.DataFrame`` and shows the same schema in the UI.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from dagster import (
    DagsterType,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableConstraints,
    TableSchema,
    TypeCheck,
    make_python_type_usable_as_dagster_type,
)
from pandera.errors import SchemaError, SchemaErrors

from gipr_pipeline.marts.parts import Parts

MAX_FAILURES_SHOWN = 20


def _check_text(check) -> str:
    stats = {k: v for k, v in (check.statistics or {}).items() if v is not None}
    if "allowed_values" in stats:
        vals = list(stats["allowed_values"])
        shown = ", ".join(map(str, vals[:60])) + (" …" if len(vals) > 60 else "")
        return f"in {{{shown}}}"
    if stats:
        return f"{check.name}: " + ", ".join(f"{k}={v}" for k, v in stats.items())
    return check.description or check.name


def table_schema(model: type[pa.DataFrameModel]) -> TableSchema:
    """The model's columns, dtypes, descriptions and constraints as a Dagster TableSchema."""
    schema = model.to_schema()
    columns = [
        TableColumn(
            name=name,
            type=str(col.dtype),
            description=col.description,
            constraints=TableColumnConstraints(
                nullable=col.nullable,
                unique=col.unique,
                other=[_check_text(c) for c in col.checks],
            ),
        )
        for name, col in schema.columns.items()
    ]
    other = [c.description or c.name for c in schema.checks]
    if schema.unique:
        other.insert(0, f"unique ({', '.join(schema.unique)})")
    return TableSchema(columns=columns, constraints=TableConstraints(other=other))


def failure_table(cases: pl.DataFrame, limit: int = MAX_FAILURES_SHOWN) -> str:
    """pandera failure cases as a markdown table (the first ``limit`` rows)."""
    shown = cases.head(limit).select(
        [
            pl.col(c).cast(pl.String)
            for c in ("check", "column", "index", "failure_case")
            if c in cases.columns
        ]
    )
    head = "| " + " | ".join(shown.columns) + " |\n|" + "---|" * len(shown.columns) + "\n"
    body = "".join(
        "| " + " | ".join((v or "").replace("|", "\\|")[:200] for v in row) + " |\n"
        for row in shown.iter_rows()
    )
    return head + body


def validate(model: type[pa.DataFrameModel], df: pl.DataFrame) -> TypeCheck:
    """Validate a frame against a model (lazily, all failures at once) as a Dagster TypeCheck.

    ``Parts`` (the ingest step's big tables) were validated part by part in the workers that
    wrote them; here their columns and dtypes are checked against the model."""
    if isinstance(df, Parts):
        return validate_parts(model, df)
    if not isinstance(df, pl.DataFrame):
        return TypeCheck(False, description=f"expected a polars DataFrame, got {type(df).__name__}")
    try:
        model.validate(df, lazy=True)
    except SchemaErrors as e:
        cases = e.failure_cases
        checks = sorted(set(cases["check"].cast(pl.String).to_list()))
        return TypeCheck(
            False,
            description=(
                f"{model.__name__}: {cases.height} failure case(s) in {df.height} rows; "
                f"failed checks: {', '.join(checks)}"
            ),
            metadata={
                "failure_cases": MetadataValue.md(failure_table(cases)),
                "failure_count": cases.height,
            },
        )
    except SchemaError as e:  # non-lazy errors (e.g. a missing column)
        return TypeCheck(False, description=f"{model.__name__}: {e}")
    return TypeCheck(True, metadata={"rows": df.height, "schema": model.__name__})


def validate_parts(model: type[pa.DataFrameModel], parts: Parts) -> TypeCheck:
    want = {n: c.dtype.type for n, c in model.to_schema().columns.items()}
    if parts.schema != want:
        return TypeCheck(
            False,
            description=f"{model.__name__}: columns {dict(parts.schema)} instead of {want}",
        )
    return TypeCheck(
        True, metadata={"rows": parts.height, "parts": len(parts.files), "schema": model.__name__}
    )


def pandera_type(model: type[pa.DataFrameModel]) -> DagsterType:
    """A DagsterType that validates polars frames with ``model`` and shows its schema."""
    return DagsterType(
        type_check_fn=lambda _ctx, value: validate(model, value),
        name=model.__name__,
        description=(model.__doc__ or model.__name__).strip().splitlines()[0],
        typing_type=pl.DataFrame,
        metadata={"schema": MetadataValue.table_schema(table_schema(model))},
    )


# An input annotated ``Parts`` is loaded part by part by the warehouse I/O manager; invoked
# directly (tests, notebooks), an asset or check also takes a whole frame as one part.
PartsType = DagsterType(
    type_check_fn=lambda _ctx, value: isinstance(value, (Parts, pl.DataFrame)),
    name="Parts",
    description="A table as parquet parts of whole reports (or one polars frame).",
    typing_type=Parts,
)
make_python_type_usable_as_dagster_type(Parts, PartsType)
