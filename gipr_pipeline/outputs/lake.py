"""The shared warehouse of the deployment: parquet parts on shared storage, one version per year.

The embedded default is one DuckDB file (one writing process at a time, ``defs/io.py``). A
deployment has runs of several years writing at once from several machines; here each year is a
folder of parquet parts and publishing a year is one atomic rename (docs/deploy.md says why this
and not Postgres tables, with the measurement). Layout under the lake root::

    versions/<year>/<version>/<table>/part-*.parquet   a complete year: every table of it
    years/<year> -> ../versions/<year>/<version>         the published version (a symlink)
    catalog.duckdb                                     DuckDB views over years/*/<table>/
    locks/<year>.lock                                  one publisher per year (flock)

``publish`` builds the new version beside the current one (the run's staged tables, hard-linked;
the year's other tables linked from the current version), then swaps the ``years/<year>``
symlink with ``os.replace``: readers see the old year or the new year, never a mix, and a
publisher killed at any point leaves the old version published (its half-built folder is
garbage, removed by the next publish). The version just replaced is kept until the next publish,
so a reader that listed its files a moment ago can still open them.

Pure: no Dagster. ``defs/lake.py`` is the I/O manager around it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import polars as pl

LOCK_TIMEOUT_S = 30 * 60
ALL = "all"  # the "year" of an unpartitioned table


def _years_dir(root: Path) -> Path:
    return root / "years"


def year_dir(root: str | Path, year: int | str) -> Path:
    """The published version of ``year`` (a symlink; may not exist)."""
    return _years_dir(Path(root)) / str(year)


@contextlib.contextmanager
def year_lock(root: str | Path, name: str, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Exclusive lock ``locks/<name>.lock`` (flock: on a shared volume it must support it)."""
    p = Path(root) / "locks" / f"{name}.lock"
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"lake lock {p} held for {timeout:.0f} s") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link every parquet file of ``src`` into ``dst`` (copy across file systems)."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.glob("*.parquet")):
        try:
            os.link(f, dst / f.name)
        except OSError:
            shutil.copy2(f, dst / f.name)


def publish(
    root: str | Path, year: int | str, staged: Mapping[str, Path], version: str
) -> dict[str, int]:
    """Publish ``staged`` ({table: folder of parquet parts}) as the tables of ``year``, all at
    once; the year's tables not staged are kept as they were. Returns {table: rows}.

    ``version`` names the new folder (a run id). Raises ``ValueError`` if that version is the
    published one (it is never rewritten in place), ``TimeoutError`` if another publisher holds
    the year for too long."""
    root = Path(root)
    year = str(year)
    with year_lock(root, year):
        versions = root / "versions" / year
        new = versions / version
        current = year_dir(root, year)
        if current.exists() and current.resolve() == new.resolve():
            raise ValueError(f"version {version} of {year} is already published")
        shutil.rmtree(new, ignore_errors=True)  # a half-built folder of a killed publisher
        new.mkdir(parents=True)
        previous = current.resolve().name if current.exists() else None
        if current.exists():
            for t in current.resolve().iterdir():
                if t.is_dir() and t.name not in staged:
                    _link_tree(t, new / t.name)
        out = {}
        for table, d in sorted(staged.items()):
            _link_tree(Path(d), new / table)
            out[table] = sum(
                pl.scan_parquet(f).select(pl.len()).collect().item()
                for f in (new / table).glob("*.parquet")
            )
        # The one step readers see: a new symlink renamed over the old one (atomic on POSIX).
        current.parent.mkdir(parents=True, exist_ok=True)
        tmp = current.with_name(f".{year}.{version}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(Path("..") / "versions" / year / version)
        os.replace(tmp, current)
        _prune(versions, keep={version, previous})
    return out


def _prune(versions: Path, keep: set[str]) -> None:
    """Remove every version but ``keep`` (the new one and the one it replaced): older ones and
    the half-built folders of killed publishers."""
    for d in versions.iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


def years(root: str | Path) -> list[str]:
    """The published years (and ``all`` for unpartitioned tables), sorted."""
    d = _years_dir(Path(root))
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.iterdir() if not p.name.startswith(".") and p.exists())


def table_files(root: str | Path, table: str, years_: Iterable[int | str]) -> list[str]:
    """The parquet files of ``table`` in the published versions of ``years_`` (one snapshot
    per year: the symlink is resolved once)."""
    files: list[str] = []
    for y in years_:
        d = year_dir(root, y)
        if d.exists():
            files += sorted(str(f) for f in (d.resolve() / table).glob("*.parquet"))
    return files


def tables(root: str | Path) -> list[str]:
    """Every table name published in some year."""
    names: set[str] = set()
    for y in years(root):
        names |= {t.name for t in year_dir(root, y).resolve().iterdir() if t.is_dir()}
    return sorted(names)


def read(root: str | Path, table: str, years_: Iterable[int | str] | None = None) -> pl.DataFrame:
    """One table over ``years_`` (default: every published year) as a frame."""
    files = table_files(root, table, years(root) if years_ is None else years_)
    return pl.read_parquet(files) if files else pl.DataFrame()


def contents(root: str | Path) -> dict[str, dict[int, int]]:
    """Table → {year: rows}, like ``orchestrate.warehouse_contents`` for the DuckDB file."""
    out: dict[str, dict[int, int]] = {}
    for y in years(root):
        for t in sorted(year_dir(root, y).resolve().iterdir()):
            if not t.is_dir():
                continue
            n = sum(
                pl.scan_parquet(f).select(pl.len()).collect().item() for f in t.glob("*.parquet")
            )
            out.setdefault(t.name, {})[int(y) if y != ALL else 0] = n
    return out


def write_catalog(root: str | Path) -> Path:
    """``catalog.duckdb``: one DuckDB view per table over ``years/*/<table>/*.parquet`` (globbed
    at query time, so it follows every publish), for SQL clients and ``gipr report/export
    --warehouse <lake>/catalog.duckdb``. Only DuckDB's built-in parquet reader: no extension."""
    import duckdb

    root = Path(root).resolve()
    path = root / "catalog.duckdb"
    with year_lock(root, "catalog"):
        tmp = root / ".catalog.duckdb.tmp"
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            for t in tables(root):
                glob = str(_years_dir(root) / "*" / t / "*.parquet").replace("'", "''")
                con.execute(
                    f"create view main.\"{t}\" as select * from read_parquet('{glob}', "
                    "union_by_name = true)"
                )
        finally:
            con.close()
        os.replace(tmp, path)
    return path


def _canonical(df: pl.DataFrame) -> pl.DataFrame:
    """Columns by name, rows sorted by every sortable column (list columns as text)."""
    df = df.select(sorted(df.columns))
    df = df.with_columns(
        [
            pl.col(c).cast(pl.List(pl.String)).list.join("\x1f")
            for c, t in df.schema.items()
            if t == pl.List
        ]
    )
    return df.sort(df.columns, nulls_last=True) if df.columns else df


def differences(warehouse: str | Path, root: str | Path, years_: Iterable[int]) -> dict[str, str]:
    """Where the lake differs from a DuckDB warehouse (the embedded default) for ``years_``:
    {"table@year": what differs}; empty when every table holds the same rows (compared as
    sets of rows, column order and row order ignored)."""
    import duckdb

    out: dict[str, str] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        for y in years_:
            d = year_dir(root, y)
            published = (
                {t.name for t in d.resolve().iterdir() if t.is_dir()} if d.exists() else set()
            )
            for t in sorted(names | published):
                key = f"{t}@{y}"
                if t not in names or t not in published:
                    out[key] = "only in " + ("the lake" if t not in names else "the warehouse")
                    continue
                a = con.execute(f'select * from main."{t}" where year = ?', [int(y)]).pl()
                b = read(root, t, [y])
                if set(a.columns) != set(b.columns):
                    out[key] = f"columns {sorted(a.columns)} ≠ {sorted(b.columns)}"
                    continue
                b = b.select(a.columns).cast(a.schema) if b.height else b
                if a.height != b.height:
                    out[key] = f"{a.height} rows in the warehouse, {b.height} in the lake"
                elif a.height and not _canonical(a).equals(_canonical(b)):
                    out[key] = "same row count, different rows"
    finally:
        con.close()
    return out
