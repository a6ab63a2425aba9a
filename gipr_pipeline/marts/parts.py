"""A table too big to hold in memory at once, as parquet files ("parts").

The ingest step writes the long tables (facts, sections, problems: about 200 rows a report,
20 million for a national year) in parts of a few hundred reports each, written and validated in
the worker processes; downstream assets read them part by part (or lazily with polars), so no
process ever holds the whole table. Every report's rows are in exactly one part, so anything
computed per report can be computed per part and concatenated.

Pure: no Dagster here. The warehouse I/O manager stores and loads ``Parts`` (``defs/io.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# A part bigger than this (e.g. a whole partition exported from the warehouse for a partial
# re-run) is read in report buckets, so memory stays bounded whatever the part's size.
MAX_PART_ROWS = 1_000_000


@dataclass(frozen=True)
class Parts:
    """Parquet files of one table with the same columns, each holding whole reports."""

    files: tuple[str, ...]
    schema: dict[str, pl.DataType] = field(default_factory=dict, compare=False)
    rows: int = 0

    @classmethod
    def of(cls, files: Sequence[str | Path], schema: dict[str, pl.DataType] | None = None):
        files = tuple(str(f) for f in files)
        rows = sum(pl.scan_parquet(f).select(pl.len()).collect().item() for f in files)
        if schema is None:
            schema = dict(pl.scan_parquet(files[0]).collect_schema()) if files else {}
        return cls(files, dict(schema), rows)

    @property
    def height(self) -> int:
        return self.rows

    def lazy(self) -> pl.LazyFrame:
        if not self.files:
            return pl.LazyFrame(schema=self.schema)
        return pl.scan_parquet(list(self.files))

    def collect(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        lf = self.lazy()
        return (lf.select(columns) if columns else lf).collect()

    def frames(
        self, columns: Sequence[str] | None = None, where: pl.Expr | None = None
    ) -> Iterator[pl.DataFrame]:
        """The table in frames of whole reports, up to about ``MAX_PART_ROWS`` rows each
        (consecutive parts read together; an oversized part split into report buckets),
        optionally only ``columns`` and the rows matching ``where``."""

        def read(files: list[str], bucket: tuple[int, int] | None = None) -> pl.DataFrame:
            q = pl.scan_parquet(files)
            if bucket is not None:
                q = q.filter(pl.col("report_id").hash(seed=0) % bucket[1] == bucket[0])
            if where is not None:
                q = q.filter(where)
            return (q.select(columns) if columns else q).collect()

        batch: list[str] = []
        size = 0
        for f in self.files:
            n = pl.scan_parquet(f).select(pl.len()).collect().item()
            if batch and size + n > MAX_PART_ROWS:
                yield read(batch)
                batch, size = [], 0
            if n > MAX_PART_ROWS:
                k = -(-n // MAX_PART_ROWS)
                for b in range(k):
                    yield read([f], (b, k))
                continue
            batch.append(f)
            size += n
        if batch:
            yield read(batch)

    def map(self, fn, columns: Sequence[str] | None = None, where: pl.Expr | None = None):
        """``fn`` per part, the results concatenated (empty parts skipped when others exist)."""
        out = [fn(df) for df in self.frames(columns, where)]
        if not out:
            return fn(pl.DataFrame(schema=self.schema).select(columns or list(self.schema)))
        kept = [df for df in out if df.height] or out[:1]
        return pl.concat(kept, how="vertical") if len(kept) > 1 else kept[0]
