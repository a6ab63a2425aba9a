"""Which shared warehouse: the parquet lake or Postgres tables? Publish and read, measured.

    uv run python bench/warehouse_choice.py bench/work/deploy/deploy-1/lake 2024

Takes a published year of a lake (e.g. the one ``bench/deploy.py`` left behind) and times, for
exactly those tables and rows:

1. **lake publish**: ``lake.publish`` of every table into a fresh lake (hard links + one
   symlink swap), three times (each a new version replacing the previous);
2. **Postgres publish**: one transaction per round — ``DELETE … WHERE year = Y`` and
   ``COPY … FROM STDIN (FORMAT csv)`` of every table (polars writes the CSV; lists as Postgres
   arrays) — on a Postgres started like the deployment's (``cli.deploy``), three rounds;
3. **read** (median of 3 after a warm-up): one mart aggregate (applications: sum of `total`
   per row code) from the lake with DuckDB (``catalog.duckdb``) and from Postgres.

Prints a markdown table and writes it into ``docs/benchmarks.md`` between its own markers.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import polars as pl  # noqa: E402

from gipr_pipeline.cli import deploy  # noqa: E402
from gipr_pipeline.outputs import lake  # noqa: E402

BEGIN = "<!-- bench/warehouse_choice.py: generated from here -->"
END = "<!-- bench/warehouse_choice.py: generated to here -->"
PG_TYPES = {
    pl.Int64: "bigint",
    pl.Int32: "integer",
    pl.Float64: "double precision",
    pl.String: "text",
    pl.Boolean: "boolean",
    pl.Date: "date",
}
ROUNDS = 3


def _pg_type(t) -> str:
    if isinstance(t, pl.List):
        return "text[]"
    return PG_TYPES.get(type(t), PG_TYPES.get(t, "text"))


def _csv(df: pl.DataFrame) -> bytes:
    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    if lists:  # Postgres array literals: {"a","b"}
        df = df.with_columns(
            [
                (
                    pl.lit("{")
                    + pl.col(c)
                    .list.eval(pl.lit('"') + pl.element().str.replace_all('"', '\\"') + pl.lit('"'))
                    .list.join(",")
                    + pl.lit("}")
                ).alias(c)
                for c in lists
            ]
        )
    buf = io.BytesIO()
    df.write_csv(buf, include_header=False)
    return buf.getvalue()


def _read_time(query) -> float:
    """Median of three timed runs of ``query`` after one warm-up run."""
    query()
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        query()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(src: Path, year: int) -> dict:
    import psycopg2

    tables = {t: lake.read(src, t, [year]) for t in lake.tables(src)}
    rows = sum(df.height for df in tables.values())
    staged = {t: (lake.year_dir(src, year).resolve() / t) for t in tables}
    out = {"tables": len(tables), "rows": rows}

    with tempfile.TemporaryDirectory(prefix="gipr-choice-") as tmp:
        dst = Path(tmp) / "lake"
        times = []
        for i in range(ROUNDS):
            t = time.perf_counter()
            lake.publish(dst, year, staged, f"v{i}")
            times.append(time.perf_counter() - t)
        out["lake_publish"] = statistics.median(times)
        cat = lake.write_catalog(dst)
        import duckdb

        con = duckdb.connect(str(cat), read_only=True)
        out["lake_read"] = _read_time(
            lambda: con.execute(
                "select row_code, sum(total) from main.applications where year = ? group by 1",
                [year],
            ).fetchall()
        )
        con.close()

        state = Path(tmp) / "pg"
        st = {"ports": {"postgres": deploy.free_port()}}
        (state / "logs").mkdir(parents=True)
        deploy._postgres_up(state, st, state / "logs")
        try:
            conn = psycopg2.connect(
                host="127.0.0.1",
                port=st["ports"]["postgres"],
                user=deploy.PG_USER,
                dbname="dagster",
            )
            cur = conn.cursor()
            for t, df in tables.items():
                cols = ", ".join(f'"{c}" {_pg_type(ty)}' for c, ty in df.schema.items())
                cur.execute(f'create table "{t}" ({cols})')
            conn.commit()
            times = []
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                for t, df in tables.items():
                    cur.execute(f'delete from "{t}" where year = %s', [year])
                    cols = ", ".join(f'"{c}"' for c in df.columns)
                    cur.copy_expert(
                        f'copy "{t}" ({cols}) from stdin (format csv)', io.BytesIO(_csv(df))
                    )
                conn.commit()
                times.append(time.perf_counter() - t0)
            out["pg_publish"] = statistics.median(times)

            def pg_query():
                cur.execute(
                    "select row_code, sum(total) from applications where year = %s group by 1",
                    [year],
                )
                return cur.fetchall()

            out["pg_read"] = _read_time(pg_query)
            conn.close()
        finally:
            data = Path(st["pg_dir"]) / "data"
            subprocess.run(
                deploy._as_pg([deploy._pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
            )
            subprocess.run(["rm", "-rf", st["pg_dir"]], check=False)
    return out


def render(year: int, m: dict) -> str:
    return "\n".join(
        [
            BEGIN,
            "",
            f"### The shared warehouse: parquet lake or Postgres (bench/warehouse_choice.py), "
            f"year {year}: {m['tables']} tables, {m['rows']:,} rows",
            "",
            "| warehouse | publish the year (one atomic step, median of 3) | read: applications "
            "sum per row code (median of 3, warm) |",
            "|---|---|---|",
            f"| parquet lake (hard links + symlink swap; DuckDB reads) | {m['lake_publish']:.3f} s "
            f"| {m['lake_read']:.3f} s |",
            f"| Postgres tables (DELETE + COPY in one transaction) | {m['pg_publish']:.3f} s | "
            f"{m['pg_read']:.3f} s |",
            "",
            END,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    src, year = Path(argv[0]), int(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else ROOT / "docs" / "benchmarks.md"
    m = measure(src, year)
    table = render(year, m)
    print(table)
    text = out.read_text() if out.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        out.write_text(head + table + rest.split(END, 1)[1])
    else:
        out.write_text(text.rstrip() + "\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
