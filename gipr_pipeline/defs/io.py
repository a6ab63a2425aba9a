"""The warehouse I/O manager: dagster-duckdb-polars, with two small fixes.

``DuckDBPolarsIOManager`` stores one table per asset and, with ``partition_expr`` metadata,
deletes then inserts exactly one partition's rows, so re-materializing a year is idempotent.
Two gaps matter here, hence this thin subclass rather than hand-written table writes:

* it skips writing an empty frame, so a table that is empty in its first partition (a year
  without rejected inputs or violations) is never created and downstream loads fail; here an
  empty frame still creates the table with its columns;
* ``duckdb.connect`` fails when the warehouse folder does not exist yet; here it is created.

Inserts go ``BY NAME`` so a column order change cannot shift values between columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
from dagster import MetadataValue, OutputContext, TableColumn, TableSchema
from dagster._core.storage.db_io_manager import DbTypeHandler, TableSlice
from dagster_duckdb_polars import DuckDBPolarsIOManager
from dagster_duckdb_polars.duckdb_polars_type_handler import DuckDBPolarsTypeHandler

# Partition column → SQL expression comparable with the yearly time window's bounds.
PARTITION_EXPR = "make_date(year, 1, 1)"


class PolarsTableHandler(DuckDBPolarsTypeHandler):
    def handle_output(
        self, context: OutputContext, table_slice: TableSlice, obj: pl.DataFrame, connection
    ):
        obj_arrow = obj.to_arrow()  # noqa: F841  (read by DuckDB's replacement scan below)
        name = f"{table_slice.schema}.{table_slice.table}"
        exists = connection.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [table_slice.schema, table_slice.table],
        ).fetchone()[0]
        if exists:
            connection.execute(f"insert into {name} by name select * from obj_arrow")
        else:
            connection.execute(f"create table {name} as select * from obj_arrow")
        context.add_output_metadata(
            {
                "row_count": obj.height,
                "dataframe_columns": MetadataValue.table_schema(
                    TableSchema(
                        columns=[TableColumn(name=n, type=str(t)) for n, t in obj.schema.items()]
                    )
                ),
            }
        )


class WarehouseIOManager(DuckDBPolarsIOManager):
    """DuckDB warehouse: one table per asset in schema ``main``, a partition per year."""

    @staticmethod
    def type_handlers() -> Sequence[DbTypeHandler]:
        return [PolarsTableHandler()]

    def create_io_manager(self, context):
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        return super().create_io_manager(context)
