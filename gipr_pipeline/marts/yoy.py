"""Year over year per agency: "what changed at this agency" — key figures of year N−1 and N
side by side with the change, the carry-over check, and the agencies seen in only one year.

Pure polars, no Dagster (``defs/continuity.py`` wires the ``year_over_year`` asset). The
pairing is the one ``continuity.carryover_breaks`` already made and recorded (agency key of
``continuity.agency_key``, one report per key in each year, one normalized name ending with the
other): a pair is never re-guessed here. Rows (``status``, the continuity statuses):

* ``matched``: one row per pair, figures of both years, ``carryover`` = ``ok`` or ``break``
  (``carryover_breaks`` = how many applicant columns break);
* ``unmatched``: a report of N with no report of N−1 paired (a new agency, a renamed one, or
  one that did not report in N−1): figures of N only;
* ``missing_in_year``: a report of N−1 with no report of N paired: figures of N−1 only;
* ``ambiguous``: several reports of one year share a key: every report of both years with that
  key, each on its own row with its own year's figures — shown, not paired.

Figures (``FIGURES``, the ``total`` column of section 三, as printed or corrected):
``received`` row 1, ``granted`` rows 3.1 + 3.2, ``concluded`` row 3.7, ``carried_out`` row 4,
and ``carried_in`` (row 2 of N, compared with ``carried_out_previous``).
"""

from __future__ import annotations

import polars as pl

from gipr_pipeline.marts import continuity
from gipr_pipeline.marts.marts import YEAR

# Figure → row codes of section 三 summed (total column).
FIGURES: dict[str, tuple[str, ...]] = {
    "received": ("1",),
    "granted": ("3.1", "3.2"),
    "concluded": ("3.7",),
    "carried_out": ("4",),
}
STATUSES = ("matched", "unmatched", "missing_in_year", "ambiguous")

SCHEMA: dict[str, pl.DataType] = {
    "year": YEAR,
    "status": pl.String,
    "agency_key": pl.String,
    "agency": pl.String,  # year N's name (null: no report of N)
    "report_id": pl.String,
    "previous_agency": pl.String,  # year N−1's name (null: no report of N−1)
    "previous_report_id": pl.String,
    **{f"{f}{s}": pl.Int64 for f in FIGURES for s in ("_previous", "", "_change")},
    "carried_in": pl.Int64,  # row 2 of N: should equal carried_out_previous
    "carryover": pl.String,  # ok | break (matched rows), else null
    "carryover_breaks": pl.Int32,  # applicant columns breaking (matched rows)
}


def figures(apps: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """report_id, agency, and each figure (null when the report prints none of its rows)."""
    rc = pl.col("row_code")
    aggs = [
        pl.when(rc.is_in(list(rows)).any())
        .then(pl.col("total").filter(rc.is_in(list(rows))).sum())
        .alias(f)
        for f, rows in {**FIGURES, "carried_in": ("2",)}.items()
    ]
    return (
        apps.lazy()
        .group_by("report_id")
        .agg(pl.col("agency").first(), *aggs)
        .collect()
        .cast({f: pl.Int64 for f in (*FIGURES, "carried_in")})
    )


def year_over_year(
    year: int,
    breaks: pl.DataFrame,
    previous: pl.DataFrame | pl.LazyFrame,
    current: pl.DataFrame | pl.LazyFrame,
) -> pl.DataFrame:
    """The mart of year N: ``breaks`` = ``carryover_breaks`` of N (the recorded pairing),
    ``previous``/``current`` = the applications marts of N−1 and N."""
    cur = {r["report_id"]: r for r in figures(current).iter_rows(named=True)}
    prev = {r["report_id"]: r for r in figures(previous).iter_rows(named=True)}
    broken: dict[str, int] = {}
    for rid in breaks.filter(pl.col("status") == "break")["report_id"].to_list():
        broken[rid] = broken.get(rid, 0) + 1
    rows: list[dict] = []

    def row(status: str, key, c: dict | None, p: dict | None) -> dict:
        c, p = c or {}, p or {}
        out = {
            "year": year,
            "status": status,
            "agency_key": key,
            "agency": c.get("agency"),
            "report_id": c.get("report_id"),
            "previous_agency": p.get("agency"),
            "previous_report_id": p.get("report_id"),
            "carried_in": c.get("carried_in"),
            "carryover": None,
            "carryover_breaks": None,
        }
        for f in FIGURES:
            a, b = p.get(f), c.get(f)
            out |= {f"{f}_previous": a, f: b, f"{f}_change": b - a if None not in (a, b) else None}
        return out

    ambiguous_keys = set()
    for r in breaks.filter(pl.col("status") != "break").iter_rows(named=True):
        s, key = r["status"], r["agency_key"]
        c, p = cur.get(r["report_id"]), prev.get(r["previous_report_id"])
        if s == "ambiguous":
            ambiguous_keys.add(key)
        elif s == "matched":
            n = broken.get(r["report_id"], 0)
            rows.append(
                row(s, key, c, p) | {"carryover": "break" if n else "ok", "carryover_breaks": n}
            )
        else:
            rows.append(row(s, key, c, p))
    # Ambiguous: every report of either year with the key, unpaired. Each report's key once
    # (a key per ambiguous key and report was minutes on a national year's 100k reports).
    ambiguous_keys.discard(None)
    of_key: dict[str, tuple[list[dict], list[dict]]] = {k: ([], []) for k in ambiguous_keys}
    for side, reports in enumerate((cur, prev) if ambiguous_keys else ()):
        for _, r in sorted(reports.items()):
            hit = of_key.get(continuity.agency_key(r["agency"]))
            if hit is not None:
                hit[side].append(r)
    for key in sorted(ambiguous_keys):
        rows += [row("ambiguous", key, c, None) for c in of_key[key][0]]
        rows += [row("ambiguous", key, None, p) for p in of_key[key][1]]
    return continuity.by_status(
        rows, SCHEMA, STATUSES, "agency_key", "report_id", "previous_report_id"
    )


def summary(mart: pl.DataFrame) -> dict:
    """Counts for the asset's metadata and the report's lead sentence."""
    n = {s: mart.filter(pl.col("status") == s).height for s in STATUSES}
    return {
        "pairs": n["matched"],
        "pairs_with_carryover_breaks": mart.filter(pl.col("carryover") == "break").height,
        "only_in_year": n["unmatched"],
        "only_in_previous_year": n["missing_in_year"],
        "ambiguous": n["ambiguous"],
    }
