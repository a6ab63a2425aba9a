"""``applications.carryover_continuity`` (soft): the same agency's 上年结转 (row 2) of year N
equals its 结转下年度继续办理 (row 4) of year N−1, per applicant column.

Pure polars, no Dagster (``defs/continuity.py`` wires it). Reports of two years are paired by
agency name, conservatively — a wrong pairing would accuse two agencies of breaks they do not
have, so anything doubtful is shown as unmatched instead of guessed:

* ``normalize_name``: NFKC, no whitespace, no bracketed parts ("(乌斯太镇)"), no punctuation.
* ``agency_key``: the normalized name without leading province and city names ("内蒙古自治区",
  "巴彦淖尔市"): "巴彦淖尔市临河区民政局" and "临河区民政局" share the key "临河区民政局".
* A pair needs one report per key in each year, and one normalized name must end with the
  other (a prefix was added or dropped, nothing else changed): "杭州市城市管理局" and
  "宁波市城市管理局" share a key but are never paired.

The mart ``carryover_breaks`` (one partition per year N) records every decision with the key:
``matched`` (one row per pair), ``break`` (one row per differing column), ``unmatched`` (a report
of N without a report of N−1), ``missing_in_year`` (a report of N−1 without one of N) and
``ambiguous`` (several reports share a key in a year). The first partition has no N−1: no rows.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from gipr_pipeline.template import load_template

RULE = "applications.carryover_continuity"
COLUMNS = load_template("2021").table("applications").columns
STATUSES = ("matched", "break", "unmatched", "missing_in_year", "ambiguous")

SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32,
    "status": pl.String,
    "agency_key": pl.String,  # null when the report names no agency
    "report_id": pl.String,  # year N's report (null for missing_in_year)
    "agency": pl.String,
    "previous_year": pl.Int32,
    "previous_report_id": pl.String,  # year N−1's report (null for unmatched)
    "previous_agency": pl.String,
    "column_code": pl.String,  # break rows only
    "carried_in": pl.Int64,  # row 2 of year N (break rows)
    "carried_out_previous": pl.Int64,  # row 4 of year N−1 (break rows)
    "difference": pl.Int64,  # carried_in − carried_out_previous
}

_BRACKETED = re.compile(r"[((\[【〔][^))\]】〕]*[))\]】〕]")
_DROP = re.compile(r"[\s\u3000·・,,。.、:;:;\"'“”‘’《》<>-]+")
_PROVINCES = [
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]
# A prefecture-level prefix: 2–7 characters ending in 市/地区/自治州/盟/州, when what follows is
# itself a place (a county-level name ending in 区/县/旗/市, a township…) and not the bare
# department name ("XX市人民政府办公室" keeps its city: "人民政府办公室" is no name).
_CITY = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:市|地区|自治州|盟|州)")
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,9}?(?:区|县|旗|市|镇|乡|街道|苏木)")


def normalize_name(name: str | None) -> str | None:
    if not name:
        return None
    s = unicodedata.normalize("NFKC", name)
    s = _DROP.sub("", _BRACKETED.sub("", s))
    return s or None


def agency_key(name: str | None) -> str | None:
    """The matching key: the normalized name without leading province and city names."""
    s = normalize_name(name)
    if s is None:
        return None
    for p in _PROVINCES:
        if s.startswith(p) and len(s) > len(p) + 1:
            s = s[len(p) :]
            break
    m = _CITY.match(s)
    if m and _PLACE.match(s[m.end() :]):
        s = s[m.end() :]
    return s


def _same_agency(a: str | None, b: str | None) -> bool:
    na, nb = normalize_name(a), normalize_name(b)
    return bool(na and nb and (na.endswith(nb) or nb.endswith(na)))


def _carry(apps: pl.DataFrame | pl.LazyFrame) -> dict[str, dict]:
    """report_id → {agency, row 2 and row 4 per column} of one year's applications mart (read
    lazily: only rows 2 and 4 and the report ids, not the whole mart)."""
    apps = apps.lazy()
    out: dict[str, dict] = {}
    rows = apps.filter(pl.col("row_code").is_in(["2", "4"]))
    for r in (
        rows.select("report_id", "agency", "row_code", *COLUMNS).collect().iter_rows(named=True)
    ):
        rec = out.setdefault(r["report_id"], {"agency": r["agency"], "2": {}, "4": {}})
        rec[r["row_code"]] = {c: r[c] for c in COLUMNS}
    # Reports without rows 2/4 still take part in the pairing (as unmatched or matched).
    ids = apps.select("report_id", "agency").unique("report_id").collect()
    for r in ids.iter_rows(named=True):
        out.setdefault(r["report_id"], {"agency": r["agency"], "2": {}, "4": {}})
    return out


def carryover_breaks(
    year: int, previous: pl.DataFrame | pl.LazyFrame, current: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """The mart for year N: ``current`` is N's applications mart, ``previous`` N−1's (eager or
    lazy)."""
    cur, prev = _carry(current), _carry(previous)
    rows: list[dict] = []

    def row(status: str, key, rid=None, p_rid=None, **kw) -> dict:
        c, p = cur.get(rid, {}), prev.get(p_rid, {})
        return {
            "year": year,
            "status": status,
            "agency_key": key,
            "report_id": rid,
            "agency": c.get("agency"),
            "previous_year": year - 1,
            "previous_report_id": p_rid,
            "previous_agency": p.get("agency"),
            "column_code": None,
            "carried_in": None,
            "carried_out_previous": None,
            "difference": None,
            **kw,
        }

    by_key_cur: dict[str | None, list[str]] = {}
    by_key_prev: dict[str | None, list[str]] = {}
    for rid, rec in cur.items():
        by_key_cur.setdefault(agency_key(rec["agency"]), []).append(rid)
    for rid, rec in prev.items():
        by_key_prev.setdefault(agency_key(rec["agency"]), []).append(rid)

    for key in sorted(by_key_cur.keys() | by_key_prev.keys(), key=lambda k: (k is None, k or "")):
        cs, ps = sorted(by_key_cur.get(key, [])), sorted(by_key_prev.get(key, []))
        if key is None:  # no agency name: nothing to pair on
            rows += [row("unmatched", None, rid=r) for r in cs]
            continue
        if len(cs) > 1 or len(ps) > 1:
            rows += [row("ambiguous", key, rid=r) for r in cs]
            rows += [row("ambiguous", key, p_rid=p) for p in ps if not cs]
            continue
        c = cs[0] if cs else None
        p = ps[0] if ps else None
        if c and p and _same_agency(cur[c]["agency"], prev[p]["agency"]):
            rows.append(row("matched", key, rid=c, p_rid=p))
            for col in COLUMNS:
                a, b = cur[c]["2"].get(col), prev[p]["4"].get(col)
                if a is not None and b is not None and a != b:
                    rows.append(
                        row(
                            "break",
                            key,
                            rid=c,
                            p_rid=p,
                            column_code=col,
                            carried_in=a,
                            carried_out_previous=b,
                            difference=a - b,
                        )
                    )
            continue
        if c:
            rows.append(row("unmatched", key, rid=c))
        if p:
            rows.append(row("missing_in_year", key, p_rid=p))
    return by_status(rows, SCHEMA, STATUSES, "agency_key", "report_id", "column_code")


def by_status(
    rows: list[dict], schema: dict, statuses: tuple[str, ...], *keys: str
) -> pl.DataFrame:
    """``rows`` (one dict per row, keyed by ``schema``'s columns) as a frame sorted by ``status`` in the order of
    ``statuses``, then by ``keys`` (nulls last): the pairing marts (carryover_breaks,
    year_over_year) list their pairs this way."""
    if not rows:
        return pl.DataFrame(schema=schema)
    order = {s: i for i, s in enumerate(statuses)}
    return (
        pl.DataFrame(rows, schema=schema, orient="row")
        .with_columns(pl.col("status").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
        .sort("_o", *keys, nulls_last=True)
        .drop("_o")
    )


def summary(mart: pl.DataFrame) -> dict:
    """Counts for the asset check's metadata."""
    n = {s: mart.filter(pl.col("status") == s).height for s in STATUSES}
    breaks = mart.filter(pl.col("status") == "break")
    return {
        "pairs": n["matched"],
        "breaks": n["break"],
        "reports_with_breaks": breaks["report_id"].n_unique() if breaks.height else 0,
        "unmatched": n["unmatched"],
        "missing_in_year": n["missing_in_year"],
        "ambiguous": n["ambiguous"],
    }
