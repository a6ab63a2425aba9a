"""The warehouse I/O manager: stage a run's outputs as parquet, publish them in one transaction.

A run of a year partition writes about ten tables. Written one by one into the warehouse (as
``DuckDBPolarsIOManager`` does: a DELETE then an INSERT per table, no transaction), a run killed
half way leaves a partition half old, half new, or empty. Here instead:

1. **Stage.** Each output is written as parquet under ``<warehouse>.stage/<run>/<table>@<year>/``
   (the ingest step's big tables arrive as ``Parts``, already written in parts by the workers,
   and are moved there). Downstream steps of the same run read their inputs from the stage
   (polars, or part by part), so the warehouse file is not touched while the run computes.
2. **Publish.** When the run ends without a failed step, one DuckDB transaction replaces the
   partition of every staged table (``DELETE … WHERE year = Y`` + ``INSERT … BY NAME FROM
   read_parquet``), then the stage is removed. DuckDB's write-ahead log makes the transaction
   all or nothing: a process killed before COMMIT leaves every table as it was before the run,
   after COMMIT every table is fully written. The next run of the year starts from scratch and
   completes it. A run with a failed step (or a failed blocking check) publishes nothing: the
   year keeps its previous, consistent state; its stage is kept until another run starts
   (so "re-execute from failure", which has the same root run, reuses it).
3. **One writer.** DuckDB allows one writing process per file. Every access of this module
   takes a lock file beside the warehouse (``<warehouse>.lock``, ``flock``: exclusive to publish,
   shared to read), so runs of different years in separate processes compute in parallel and
   only queue for the few seconds of each other's publish. (A process that does not take the lock,
   such as a notebook holding the file open, is waited for by connect retries.)

Inputs are loaded as the downstream asset's annotation asks: ``pl.DataFrame`` (default),
``pl.LazyFrame`` (a lazy parquet scan) or ``Parts``; ``AssetIn(metadata={"columns": [...]})``
loads only those columns. Years not staged in this run (e.g. year N−1 for the continuity mart, or
everything upstream of a partial re-run) are read from the warehouse.

A table's schema follows its newest output: a new column is added to the warehouse table
(``ALTER TABLE … ADD COLUMN``); a column no longer written stays, null in new rows.

Fault injection for the tests only: ``GIPR_FAULT=<point>:<table>`` (read at run time, never set
in production) kills the process with SIGKILL at ``staged`` (after the table's output is staged)
or ``publish`` (inside the publish transaction, after the table's partition was replaced, before
COMMIT).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
from dagster import (
    ConfigurableIOManager,
    DagsterEventType,
    InitResourceContext,
    InputContext,
    MetadataValue,
    OutputContext,
    TableColumn,
    TableSchema,
)
from pydantic import Field, PrivateAttr

from gipr_pipeline.marts.parts import Parts
from gipr_pipeline.outputs.warehouse import lock_path, warehouse_lock  # noqa: F401  (one lock)

# Partition column → SQL expression comparable with the yearly time window's bounds (asset
# metadata; a partition is exactly the rows with ``year = Y``).
PARTITION_EXPR = "make_date(year, 1, 1)"
LOCK_TIMEOUT_S = 30 * 60
FAULT_ENV = "GIPR_FAULT"


# ---------------------------------------------------------------- locks and connections
def stage_root(database: str | Path) -> Path:
    return Path(f"{database}.stage")


def connect(database: str | Path, read_only: bool, retries: int = 100) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retried while another process (not using the lock) holds the file."""
    for i in range(retries):
        try:
            con = duckdb.connect(str(database), read_only=read_only)
            # No progress bar: DuckDB prints it on stdout, into a caller's output.
            con.execute("set enable_progress_bar = false")
            return con
        except duckdb.IOException as e:
            # Only a lock held by another process is worth waiting for (a corrupt file is not).
            if i == retries - 1 or "lock" not in str(e).lower():
                raise
            time.sleep(min(0.05 * 2**i, 2.0))
    raise AssertionError("unreachable")


@contextlib.contextmanager
def reading(database: str | Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection under the shared lock (None when the file does not exist yet)."""
    with warehouse_lock(database, exclusive=False):
        if not Path(database).exists():
            yield None
            return
        con = connect(database, read_only=True)
        try:
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def writing(database: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection under the exclusive lock."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with warehouse_lock(database, exclusive=True):
        con = connect(database, read_only=False)
        try:
            yield con
        finally:
            con.close()


def fault(point: str, table: str) -> None:
    """Test hook: SIGKILL this process at ``point`` for ``table`` if GIPR_FAULT asks for it."""
    if os.environ.get(FAULT_ENV) == f"{point}:{table}":
        os.kill(os.getpid(), signal.SIGKILL)


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _sql_list(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def _schema_of(table: str) -> dict[str, pl.DataType]:
    """The asset's columns from its pandera model (for an empty load)."""
    from gipr_pipeline.marts.schemas import SCHEMAS

    model = SCHEMAS.get(table)
    if model is None:
        return {}
    return {n: c.dtype.type for n, c in model.to_schema().columns.items()}


# ---------------------------------------------------------------- publish
def publish(database: str | Path, run_dir: Path, schema: str = "main", log=None) -> dict:
    """Replace, in one transaction, the partition of every table staged under ``run_dir``
    (``<table>@<year>`` folders of parquet files). Returns {table@year: rows}."""
    staged = sorted(d for d in run_dir.iterdir() if d.is_dir() and "@" in d.name)
    if not staged:
        return {}
    out = {}
    t0 = time.perf_counter()
    with writing(database) as con:
        # Bounded: the insert streams from parquet (spilling if it must), whatever the year. As
        # fast with 256 MB as with 1 GB (27 M rows), and the run's process stays well under 2 GB.
        con.execute("set memory_limit = '256MB'")
        con.execute("set preserve_insertion_order = false")
        con.execute("begin transaction")
        con.execute(f'create schema if not exists "{schema}"')
        for d in staged:
            table, _, year = d.name.partition("@")
            files = sorted(str(f) for f in d.glob("*.parquet"))
            src = f"read_parquet({_sql_list(files)})"
            name = f'"{schema}"."{table}"'
            if not _table_exists(con, schema, table):
                con.execute(f"create table {name} as select * from {src} limit 0")
            have = {r[0] for r in con.execute(f"describe {name}").fetchall()}
            for col, typ, *_ in con.execute(f"describe select * from {src}").fetchall():
                if col not in have:
                    con.execute(f'alter table {name} add column "{col}" {typ}')
            where = "" if year == "all" else f" where year = {int(year)}"
            con.execute(f"delete from {name}{where}")
            n = con.execute(f"insert into {name} by name select * from {src}").fetchone()[0]
            out[d.name] = n
            fault("publish", table)
        con.execute("commit")
    shutil.rmtree(run_dir, ignore_errors=True)
    if log is not None:
        log.info(f"published {len(out)} tables in {time.perf_counter() - t0:.1f} s: {out}")
    return out


def _alive(run_dir: Path) -> bool:
    """Whether the run owning ``run_dir`` still runs: it holds a lock on ``<run_dir>.alive``
    from before the folder exists until the run's end (released by the OS if it is killed)."""
    try:
        with open(run_dir.with_name(run_dir.name + ".alive"), "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


# ---------------------------------------------------------------- the I/O manager
def read_parts(files: list, table: str, columns, want):
    """An input from its parquet parts (``files``, maybe none): ``Parts``, a ``pl.LazyFrame`` or
    a ``pl.DataFrame`` (``want``), only ``columns`` when given, typed by the table's schema.
    Shared by the warehouse and the deployment's lake I/O managers."""
    schema = _schema_of(table)
    if columns:
        schema = {c: schema[c] for c in columns if c in schema}
    if want is Parts:
        return Parts.of(files, schema) if files else Parts((), schema, 0)
    if not files:
        return pl.LazyFrame(schema=schema) if want is pl.LazyFrame else pl.DataFrame(schema=schema)
    lf = pl.scan_parquet(files)
    if columns:
        lf = lf.select(columns)
    return lf if want is pl.LazyFrame else lf.collect()


def stage_output(context: OutputContext, obj, d: Path, where: str) -> None:
    """Write an output (``Parts`` moved in, or a ``pl.DataFrame``) as parquet parts in folder
    ``d`` (replaced), with the output's one row count and column schema as metadata. Shared by
    the embedded warehouse and the deployment's lake (defs/lake.py): both stage a run's outputs
    this way before one publish makes them visible. Raises TypeError for any other object."""
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    if isinstance(obj, Parts):
        for i, f in enumerate(obj.files):
            shutil.move(f, d / f"part-{i:05d}.parquet")
        rows, columns = obj.rows, obj.schema
    elif isinstance(obj, pl.DataFrame):
        obj.write_parquet(d / "part-00000.parquet", compression="lz4", statistics=False)
        rows, columns = obj.height, obj.schema
    else:
        raise TypeError(f"{d.name}: cannot store a {type(obj).__name__} in {where}")
    if not any(d.glob("*.parquet")):  # an empty Parts: keep the columns
        pl.DataFrame(schema=columns).write_parquet(d / "part-00000.parquet")
    context.add_output_metadata(
        {
            "dagster/row_count": rows,  # the one row count (defs/metadata.py)
            "dataframe_columns": MetadataValue.table_schema(
                TableSchema(columns=[TableColumn(name=n, type=str(t)) for n, t in columns.items()])
            ),
        }
    )


class WarehouseIOManager(ConfigurableIOManager):
    """DuckDB warehouse: one table per asset in schema ``main``, a partition per year, every
    table of a run published in one transaction (module docstring)."""

    database: str = Field(description="DuckDB warehouse file")
    schema_: str = Field(default="main", alias="schema", description="schema of the tables")

    _run_key: str | None = PrivateAttr(default=None)
    _alive_fh: object = PrivateAttr(default=None)

    # -- run lifecycle
    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.dagster_run
        if run is None:
            return
        self._run_key = run.root_run_id or run.run_id
        root = stage_root(self.database)
        root.mkdir(parents=True, exist_ok=True)
        run_dir = self._run_dir()
        # Lock first, then the folder: another run's clean-up never sees it unlocked.
        fh = open(run_dir.with_name(run_dir.name + ".alive"), "a+")  # noqa: SIM115  (held)
        fcntl.flock(fh, fcntl.LOCK_EX)
        self._alive_fh = fh
        # Stages of runs that are gone (killed, or failed and superseded by this run).
        for d in root.iterdir():
            if d.is_dir() and d.name != self._run_key and not _alive(d):
                shutil.rmtree(d, ignore_errors=True)
                d.with_name(d.name + ".alive").unlink(missing_ok=True)
        run_dir.mkdir(parents=True, exist_ok=True)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._run_key is None:
            return
        run_dir = self._run_dir()
        try:
            failed = []
            if context.instance is not None and context.run_id:
                failed = context.instance.get_records_for_run(
                    context.run_id, of_type=DagsterEventType.STEP_FAILURE, limit=1
                ).records
            if failed:
                context.log.warning(
                    "a step failed: nothing published, the warehouse keeps the partition as it "
                    f"was (stage kept for a re-execution: {run_dir})"
                )
            elif run_dir.is_dir():
                publish(self.database, run_dir, self.schema_, context.log)
        finally:
            if self._alive_fh is not None:
                if not run_dir.exists():  # published: nothing left to guard
                    run_dir.with_name(run_dir.name + ".alive").unlink(missing_ok=True)
                self._alive_fh.close()
                self._alive_fh = None

    def _run_dir(self) -> Path:
        return stage_root(self.database) / (self._run_key or "direct")

    # -- outputs
    def handle_output(self, context: OutputContext, obj) -> None:
        table = context.asset_key.path[-1]
        year = context.asset_partition_key if context.has_asset_partitions else "all"
        if self._run_key is None:  # called outside a run (direct invocation): stage under run id
            self._run_key = context.run_id
        stage_output(context, obj, self._run_dir() / f"{table}@{year}", "the warehouse")
        fault("staged", table)

    # -- inputs
    def load_input(self, context: InputContext):
        table = context.asset_key.path[-1]
        years = (
            [k for k in context.asset_partition_keys] if context.has_asset_partitions else ["all"]
        )
        columns = (context.definition_metadata or {}).get("columns")
        want = getattr(context.dagster_type, "typing_type", pl.DataFrame)
        files: list[str] = []
        missing: list[str] = []
        for y in years:
            d = self._run_dir() / f"{table}@{y}"
            if self._run_key is not None and d.is_dir():
                files += sorted(str(f) for f in d.glob("*.parquet"))
            else:
                missing.append(y)
        if missing:
            files += self._export(table, missing, columns)
        return read_parts(files, table, columns, want)

    def _export(self, table: str, years: list[str], columns) -> list[str]:
        """Years of ``table`` from the warehouse, as a parquet file in the run's stage."""
        cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        where = (
            "" if years == ["all"] else f" where year in ({', '.join(map(str, map(int, years)))})"
        )
        out = self._run_dir() / "_loaded" / f"{table}-{'-'.join(years)}-{time.time_ns()}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        with reading(self.database) as con:
            if con is None or not _table_exists(con, self.schema_, table):
                return []
            sql = f'select {cols} from "{self.schema_}"."{table}"{where}'
            target = str(out).replace("'", "''")  # a warehouse path may hold a quote
            con.execute(f"copy ({sql}) to '{target}' (format parquet)")
        return [str(out)]
