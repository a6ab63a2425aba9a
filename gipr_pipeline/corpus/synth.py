"""A synthetic national corpus with its truth: ``gipr synth N --year Y --seed S --out DIR``.

Reports are rendered by ``render.py`` (the one renderer the layout tests also use); this module
adds what a corpus needs on top: agency names from township to ministry, the share of each
defect (injected balance errors, zero marks and blanks, full-width digits, GBK files, pages
copied twice with portal chrome, pages cut short, junk inputs), file names, and one truth record
per input saying exactly what the parser must get.

Layout of ``DIR``::

    DIR/reports/<Y>/<NNN>/<file>      the inputs (the pipeline's raw folder is DIR/reports)
    DIR/truth-<Y>.jsonl               one JSON object per input, in index order

Report ``i`` depends only on (seed, year, i) and the shares: the same seed gives the same bytes
whatever N is, and N=1000 is a prefix of N=100000.

Truth records (``expected``):

* ``status`` ``ok`` or ``rejected`` (then ``reason``, a rejection code);
* ``cells``: table → row → values in the template's column order; a string is a zero printed as
  that mark (``""`` = a blank cell), which the parser must read as 0 and name in
  ``blank_as_zero``. Only rows the parser must read are listed, and it must read no other;
* ``violations``: exactly the broken rules (rule, table, row, column, expected, actual);
* ``missing_tables`` and ``problems``: problem strings that must be among the parser's;
* ``phone`` (layout families only): the contact phone the parser must find.

Every record also says its ``family``: a layout family of real-world documents
(``families.FAMILIES``, drawn with ``Shares.families`` / ``--<family>-share``) or None. The
family draw has a random stream of its own, so with every family share at 0 the corpus is the
same, byte for byte, as before families existed.

A page cut short (``truncated``) is cut at a cell boundary: after a whole table, or inside a
table after the row label and some of its cells. "Exact" then means: every row printed in full
before the cut is read exactly, the cut row is not read at all (``cell_count``), later rows are
``row_missing``, later tables missing, and a rule is checked only where all its cells survive.
A cut inside a number ("35" → "3") cannot be told from a real 3 by anyone, so the corpus does not
make one (the fuzz tests cut anywhere and check only that nothing raises or is lost).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------- agency names from parts
_PROVINCES = (
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省",
    "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "北京市", "天津市", "上海市", "重庆市",
)  # fmt: skip
# Characters of real place names; two of them make a plausible name (安平, 江阳, 清河 …).
_PLACE_CHARS = (
    "安平江阳清河东西南北宁丰泰兴隆华永长新德福昌盛文武明光庆云龙凤金玉石松桃柳溪湖海川源"
    "沙林峰岭城桥渡口塘坪坝关营屯堡庄集埠湾洲岗台阿乌克拉尔巴彦敦包头赤峰通辽延边临汾晋中"
)
_CITY_SUFFIX = ("市",)
_COUNTY_SUFFIX = ("县", "区", "区", "县", "市", "旗")
_TOWN_SUFFIX = ("镇", "乡", "街道", "镇", "苏木")
_COUNTY_DEPTS = (
    "民政局", "财政局", "教育局", "公安局", "自然资源局", "生态环境分局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
    "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局",
    "林业局", "人力资源和社会保障局", "司法局", "发展和改革委员会", "科学技术局",
    "工业和信息化局", "数据局", "信访局", "人民政府办公室", "城市管理综合行政执法局",
    "行政审批局", "政务服务中心", "住房公积金管理中心", "档案馆", "消防救援大队",
)  # fmt: skip
_PROVINCE_DEPTS = (
    "民政厅", "财政厅", "教育厅", "公安厅", "自然资源厅", "生态环境厅", "住房和城乡建设厅",
    "交通运输厅", "水利厅", "农业农村厅", "商务厅", "文化和旅游厅", "卫生健康委员会",
    "退役军人事务厅", "应急管理厅", "审计厅", "市场监督管理局", "统计局", "医疗保障局",
    "林业和草原局", "人力资源和社会保障厅", "司法厅", "发展和改革委员会", "科学技术厅",
    "人民政府办公厅", "地方金融管理局",
)  # fmt: skip
_MINISTRIES = (
    "外交部", "国防部", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部",
    "国家民族事务委员会", "公安部", "民政部", "司法部", "财政部", "人力资源和社会保障部",
    "自然资源部", "生态环境部", "住房和城乡建设部", "交通运输部", "水利部", "农业农村部",
    "商务部", "文化和旅游部", "国家卫生健康委员会", "退役军人事务部", "应急管理部", "审计署",
)  # fmt: skip
_NATIONAL = (
    "国家统计局", "国家林业和草原局", "国家医疗保障局", "国家市场监督管理总局", "国家税务总局",
    "国家知识产权局", "国家移民管理局", "国家铁路局", "中国民用航空局", "国家邮政局",
    "国家文物局", "国家中医药管理局", "国家矿山安全监察局", "国家数据局",
)  # fmt: skip

# Scale: (weight in a national year, typical cell value bound for random_truth).
SCALES: dict[str, tuple[float, int]] = {
    "township": (0.42, 3),
    "county": (0.45, 12),
    "city": (0.10, 60),
    "province": (0.025, 400),
    "ministry": (0.005, 3000),
}


def _place(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(_PLACE_CHARS) for _ in range(n))


def agency_name(rng: random.Random, scale: str) -> str:
    """A plausible agency of the given scale, built from parts (not drawn from a short list)."""
    province = rng.choice(_PROVINCES)
    municipal = province.endswith("市") and province in ("北京市", "天津市", "上海市", "重庆市")
    city = "" if municipal else _place(rng) + rng.choice(_CITY_SUFFIX)
    county = _place(rng) + rng.choice(("区", "区", "县") if municipal else _COUNTY_SUFFIX)
    if scale == "township":
        town = _place(rng) + rng.choice(_TOWN_SUFFIX)
        office = "办事处" if town.endswith("街道") else "人民政府"
        return f"{city or province}{county}{town}{office}"
    if scale == "county":
        return f"{city or province}{county}{rng.choice(_COUNTY_DEPTS)}"
    if scale == "city":
        if municipal:
            return f"{province}{rng.choice(_PROVINCE_DEPTS).replace('厅', '局')}"
        return f"{city}{rng.choice(_COUNTY_DEPTS)}"
    if scale == "province":
        return f"{province}{rng.choice(_PROVINCE_DEPTS)}"
    name = rng.choice(_MINISTRIES + _NATIONAL)
    return f"中华人民共和国{name}" if name.endswith("部") and rng.random() < 0.5 else name


def _scale(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for name, (w, _) in SCALES.items():
        acc += w
        if r < acc:
            return name
    return "county"


# ---------------------------------------------------------------- corpus options
@dataclass(frozen=True)
class Shares:
    """Share of inputs with each defect (independent draws; a report can have several)."""

    error: float = 0.10  # one balance rule broken on purpose
    zero_marks: float = 0.50  # zeros printed as —, -, /, 无 or left blank in some cells
    fullwidth: float = 0.10  # full-width digits (０１２…)
    gbk: float = 0.15  # saved in GBK instead of UTF-8
    chrome_copy: float = 0.05  # the page twice, with portal chrome
    truncated: float = 0.02  # the page cut short
    junk: float = 0.005  # not a report at all (empty, a picture, a news page)
    bom: float = 0.02  # UTF-8 with a byte-order mark
    # Layout families of real-world documents (``families.FAMILIES`` → share; one family per
    # report at most, so the shares add up to at most 1). Only 2021-template years (≥ 2021).
    families: dict[str, float] = field(default_factory=dict)


_JUNK = ("empty", "binary", "not_a_report")
_NEWS = (
    "{agency}召开专题会议\n会议强调,要切实做好各项工作,确保取得实效。\n"
    "会议要求各单位提高认识、压实责任、狠抓落实。\n"
)


def _png(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(200, 3000))


def _rng(seed: int, year: int, i: int) -> random.Random:
    return random.Random(f"gipr-synth:{seed}:{year}:{i}")


def _family(seed: int, year: int, i: int, shares: Shares) -> tuple[str | None, random.Random]:
    # A stream of its own, so that with every family share at 0 the corpus is byte for byte the
    # one made before families existed.
    frng = random.Random(f"gipr-synth-family:{seed}:{year}:{i}")
    u, acc = frng.random(), 0.0
    if year >= 2021:
        from gipr_pipeline.corpus.families import FAMILIES

        for name in FAMILIES:
            acc += shares.families.get(name, 0.0)
            if u < acc:
                return name, frng
    return None, frng


def make_report(seed: int, year: int, i: int, shares: Shares) -> tuple[str, bytes, dict[str, Any]]:
    """Input ``i`` of the corpus: (path under reports/, bytes, truth record).

    Every record has ``family``: the layout family (``families.FAMILIES``) or None."""
    from gipr_pipeline.corpus.render import (
        BLANK_LAYOUTS,
        LAYOUTS,
        ZERO_MARKS,
        Style,
        inject_error,
        random_truth,
        render_report,
    )
    from gipr_pipeline.template import load_template

    rng = _rng(seed, year, i)
    scale = _scale(rng)
    agency = agency_name(rng, scale)
    name = _file_name(rng, i, agency, year)
    rec: dict[str, Any] = {"i": i, "path": f"reports/{year}/{i // 1000:03d}/{name}", "family": None}
    path = f"{year}/{i // 1000:03d}/{name}"

    if rng.random() < shares.junk:
        kind = rng.choice(_JUNK)
        data = {
            "empty": b"",
            "binary": _png(rng),
            "not_a_report": _NEWS.format(agency=agency).encode(),
        }[kind]
        rec.update(kind="junk", junk=kind, year=year, agency=None)
        rec["expected"] = {"status": "rejected", "reason": "empty" if kind == "empty" else kind}
        return path, data, rec

    template = load_template("2021" if year >= 2021 else "2019")
    truth = random_truth(rng, template, year, scale=SCALES[scale][1])
    truth.agency = agency
    family, frng = _family(seed, year, i, shares)
    if family is not None:
        return _family_report(family, frng, rng, truth, rec, path, scale, shares)
    error = rng.random() < shares.error
    if error:
        inject_error(rng, truth)
    layout = rng.choice(LAYOUTS)
    zero_mark = None
    if rng.random() < shares.zero_marks:
        zero_mark = rng.choice((*ZERO_MARKS, "") if layout in BLANK_LAYOUTS else ZERO_MARKS)
    cut = _cut(rng, template) if rng.random() < shares.truncated else None
    style = Style(
        layout=layout,
        review_rows=rng.random() < 0.3,
        zero_mark=zero_mark,
        zero_share=rng.choice((0.2, 0.6, 1.0)) if zero_mark is not None else 0.0,
        thousands=rng.random() < 0.3,
        fullwidth_digits=rng.random() < shares.fullwidth,
        chrome_copy=cut is None and rng.random() < shares.chrome_copy,
        title=rng.random() < 0.85,
        signature=rng.random() < 0.8,
        narrative=rng.randint(2, 14),
    )
    text, blanks = render_report(truth, style, rng, cut)
    encoding = "utf-8"
    if rng.random() < shares.gbk:
        encoding = "gbk"
    elif rng.random() < shares.bom:
        encoding = "utf-8-sig"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # pragma: no cover - every rendered character is in GBK
        encoding, data = "gb18030", text.encode("gb18030")

    rec.update(
        kind="report",
        scale=scale,
        agency=agency,
        year=year,
        template=template.version,
        encoding=encoding,
        layout=layout,
        style={k: v for k, v in asdict(style).items() if k != "layout"},
        error=error,
        truncated=asdict(cut) if cut is not None else None,
    )
    rec["expected"] = expected(truth, style, cut, blanks)
    return path, data, rec


def _family_report(family, frng, rng, truth, rec, path, scale, shares):
    from gipr_pipeline.corpus.families import render_family

    doc = render_family(family, truth, frng)
    path = path.rsplit(".", 1)[0] + doc.suffix
    rec["path"] = rec["path"].rsplit(".", 1)[0] + doc.suffix
    encoding = "utf-8"
    if doc.suffix != ".html" and rng.random() < shares.gbk:
        encoding = "gbk"
    try:
        data = doc.text.encode(encoding)
    except UnicodeEncodeError:  # pragma: no cover - a look-alike outside GBK
        encoding, data = "gb18030", doc.text.encode("gb18030")
    rec.update(
        kind="report",
        family=family,
        scale=scale,
        agency=truth.agency,
        year=truth.year,
        template=truth.template.version,
        encoding=encoding,
        layout=doc.style.layout,
        error=False,
        truncated=None,
    )
    exp = expected(truth, doc.style, None, doc.blanks)
    exp["phone"] = doc.phone
    exp["problems"] += doc.problems
    rec["expected"] = exp
    return path, data, rec


def _file_name(rng: random.Random, i: int, agency: str, year: int) -> str:
    r = rng.random()
    if r < 0.25:
        return f"{i:06d}_{agency}.txt"
    if r < 0.35:  # spaces and Chinese characters, as collecting offices save them
        return f"{i:06d} {agency} {year}年度报告.txt"
    return f"{i:06d}.txt"


def _cut(rng: random.Random, template) -> Any:
    from gipr_pipeline.corpus.render import Cut

    t = rng.choice(template.tables)
    if t.unlabelled or rng.random() < 0.25:
        return Cut(t.code)  # after the whole table
    row = rng.choice(t.rows)
    return Cut(t.code, row.code, rng.randint(0, len(row.columns)))


_SECTION_ORDER = ("active_disclosure", "applications", "review_litigation", "problems", "other")


def expected(truth, style, cut, blanks: list[tuple[str, str, str]]) -> dict[str, Any]:
    """What the parser must get from a rendering of ``truth`` (see the module docstring)."""
    template = truth.template
    rows: dict[str, list[str]] = {}
    problems: list[str] = []
    missing: list[str] = []
    for t in template.tables:
        if cut is None or _SECTION_ORDER.index(t.section) < _SECTION_ORDER.index(cut.table):
            rows[t.code] = list(t.row_codes)
        elif t.code != cut.table:
            missing.append(t.code)
        elif cut.row is None:
            rows[t.code] = list(t.row_codes)
        else:
            at = t.row_codes.index(cut.row)
            complete = cut.cells == len(t.rows[at].columns)
            read = list(t.row_codes[: at + 1 if complete else at])
            if at + 1 < min(2, len(t.rows)):  # one row label is not a table
                missing.append(t.code)
                continue
            rows[t.code] = read
            if not complete:
                problems.append(f"cell_count: {t.code} {cut.row}")
            problems += [f"row_missing: {t.code} {r}" for r in t.row_codes[at + 1 :]]
    if cut is not None:
        after = _SECTION_ORDER[_SECTION_ORDER.index(cut.table) + 1 :]
        problems += [f"section_missing: {s}" for s in after]
    if len(missing) == len(template.tables):
        return {"status": "rejected", "reason": "no_tables"}

    printed = {(t, r, c): None for t, r, c in blanks}
    marks = _printed_marks(truth, style, blanks)
    cells: dict[str, dict[str, list]] = {}
    have: set[tuple[str, str, str]] = set()
    for t in template.tables:
        if t.code not in rows:
            continue
        out = cells[t.code] = {}
        for r in rows[t.code]:
            row = t.row(r)
            out[r] = [
                marks[(t.code, r, c)] if (t.code, r, c) in printed else truth.cells[t.code][(r, c)]
                for c in row.columns
            ]
            have.update((t.code, r, c) for c in row.columns)
    violations = [
        v.to_json()
        for v in truth.violations
        if all(k in have for k in _rule_cells(template, v.rule, v.table, v.row, v.column))
    ]
    if style.chrome_copy:
        problems.append("duplicated_copy: the report appears twice; the first copy was kept")
    return {
        "status": "ok",
        "agency": truth.agency,
        "year": truth.year,
        "published": truth.published if style.signature and cut is None else None,
        "template": template.version,
        "cells": cells,
        "violations": violations,
        "missing_tables": missing,
        "problems": problems,
    }


def _printed_marks(truth, style, blanks) -> dict[tuple[str, str, str], str]:
    # render.Style prints every blank of a report with the one mark it was given, except that a
    # one-line review run never opens with an empty cell (it would read as a markdown border).
    marks = {k: style.zero_mark for k in blanks}
    first = ("review_litigation", "review", "upheld")
    if marks.get(first) == "" and not style.review_rows:
        marks[first] = "—"
    return marks


def _rule_cells(template, rule_id: str, table: str, row: str | None, column: str | None):
    rule = next(r for r in template.rules if r.id == rule_id and r.table == table)
    if rule.per == "column":
        return [(table, r, column) for r in (*rule.total, *rule.parts)]
    return [(table, row, c) for c in (*rule.total, *rule.parts)]


# ---------------------------------------------------------------- writing a corpus
def _make(args: tuple[int, int, int, Shares]) -> tuple[str, bytes, str]:
    seed, year, i, shares = args
    path, data, rec = make_report(seed, year, i, shares)
    return path, data, json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def write_corpus(
    n: int,
    year: int,
    seed: int,
    out: str | Path,
    shares: Shares | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Write ``n`` inputs and ``truth-<year>.jsonl`` under ``out``; returns a summary."""
    from gipr_pipeline.parser.batch import imap_ordered

    shares = shares or Shares()
    root = Path(out)
    reports = root / "reports"
    root.mkdir(parents=True, exist_ok=True)
    jobs = ((seed, year, i, shares) for i in range(n))
    results = (
        imap_ordered(_make, jobs, workers, chunksize=256)
        if workers > 1 and n >= 2000
        else map(_make, jobs)
    )
    size = 0
    made_dirs: set[Path] = set()
    truth_path = root / f"truth-{year}.jsonl"
    tmp = truth_path.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as truth:
        for path, data, line in results:
            f = reports / path
            if f.parent not in made_dirs:
                f.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(f.parent)
            f.write_bytes(data)
            size += len(data)
            truth.write(line + "\n")
    tmp.replace(truth_path)
    return {"inputs": n, "bytes": size, "reports_dir": str(reports), "truth": str(truth_path)}


def read_truth(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------- CLI
def cmd_synth(args: argparse.Namespace) -> int:
    import time

    from gipr_pipeline.parser.batch import default_workers

    shares = Shares(
        error=args.error_share,
        truncated=args.truncated_share,
        gbk=args.gbk_share,
        junk=args.junk_share,
        chrome_copy=args.chrome_share,
        fullwidth=args.fullwidth_share,
        zero_marks=args.zero_share,
        families=family_shares(args),
    )
    t0 = time.perf_counter()
    summary = write_corpus(
        args.n, args.year, args.seed, args.out, shares, args.workers or default_workers()
    )
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def family_shares(args: argparse.Namespace) -> dict[str, float]:
    """The ``--<family>-share`` options as ``Shares.families``; exits 2 (a usage error) when
    they are negative or add up to more than 1."""
    from gipr_pipeline.corpus.families import FAMILIES

    out = {f: getattr(args, f"{f}_share") for f in FAMILIES if getattr(args, f"{f}_share")}
    if any(v < 0 for v in out.values()) or sum(out.values()) > 1 + 1e-9:
        import sys

        print("gipr synth: family shares must be ≥ 0 and add up to at most 1", file=sys.stderr)
        raise SystemExit(2)
    return out


def register(subparsers) -> None:
    sp = subparsers.add_parser(
        "synth",
        help="generate a synthetic corpus of N reports with a truth file (for tests and benchmarks)",
        description="Write DIR/reports/<year>/… (the inputs) and DIR/truth-<year>.jsonl "
        "(what the parser must get from each). Deterministic for a seed.",
    )
    sp.add_argument("n", type=int, metavar="N", help="number of inputs")
    sp.add_argument("--year", type=int, required=True, help="statistical year of the reports")
    sp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sp.add_argument("--out", required=True, metavar="DIR", help="output folder")
    d = Shares()
    for flag, name, help_ in (
        ("--error-share", "error", "reports with one balance rule broken"),
        ("--truncated-share", "truncated", "pages cut short"),
        ("--gbk-share", "gbk", "files saved in GBK"),
        ("--junk-share", "junk", "inputs that are no report (empty, PNG, news)"),
        ("--chrome-share", "chrome_copy", "pages copied twice with portal chrome"),
        ("--fullwidth-share", "fullwidth", "reports with full-width digits"),
        ("--zero-share", "zero_marks", "reports printing some zeros as —, -, /, 无 or blank"),
    ):
        default = getattr(d, name)
        sp.add_argument(flag, type=float, default=default, help=f"{help_} (default {default})")
    from gipr_pipeline.corpus.families import FAMILIES

    for name in FAMILIES:
        sp.add_argument(
            f"--{name.replace('_', '-')}-share",
            type=float,
            default=0.0,
            metavar="S",
            help=f"reports in the {name} layout family (default 0; all families add up to ≤ 1)",
        )
    sp.add_argument(
        "--workers", type=int, default=0, help="generating processes (default: all cores)"
    )
    sp.set_defaults(func=cmd_synth)


# ---------------------------------------------------------------- scoring a parse against truth
def _vkey(v: dict[str, Any]) -> tuple:
    return (v["rule"], v["table"], v["row"] or "", v["column"] or "", v["expected"], v["actual"])


def score(result: dict[str, Any], rec: dict[str, Any]) -> dict[str, int]:
    """Counts comparing one parser JSON record (``ReportResult.to_json()``) with its truth.

    ``exact`` is 1 when everything the truth states holds: status and reason, every expected
    cell and no other, blank cells named, exactly the expected violations, the expected problems
    present, and agency, year, publication date and template (and the phone where the truth
    states it: the layout families)."""
    exp = rec["expected"]
    s = dict.fromkeys(
        (
            "inputs", "status_ok", "cells", "cells_exact", "cells_extra", "blanks",
            "blanks_named", "violations", "violations_found", "violations_false", "problems",
            "problems_found", "meta", "meta_exact", "exact",
        ),
        0,
    )  # fmt: skip
    s["inputs"] = 1
    status_ok = result["status"] == exp["status"] and (
        exp["status"] == "ok" or result["reason"] == exp["reason"]
    )
    s["status_ok"] = int(status_ok)
    if exp["status"] != "ok":
        s["exact"] = int(status_ok and not result["facts"])
        return s
    got = {(f["table"], f["row"], f["column"]): f["value"] for f in result["facts"]}
    from gipr_pipeline.template import load_template

    template = load_template(exp["template"])
    want: dict[tuple[str, str, str], Any] = {}
    for table, rows in exp["cells"].items():
        t = template.table(table)
        for r, values in rows.items():
            for c, v in zip(t.row(r).columns, values, strict=True):
                want[(table, r, c)] = v
    named = set()
    for p in result["problems"]:
        if p.startswith("blank_as_zero: "):
            table, _, rest = p[len("blank_as_zero: ") :].partition(" ")
            for item in rest.split(", "):
                rc = item.split("=", 1)[0]
                r, _, c = rc.rpartition("/")
                named.add((table, r, c))
    for k, v in want.items():
        s["cells"] += 1
        g = got.get(k)
        if isinstance(v, str):
            s["blanks"] += 1
            s["blanks_named"] += k in named
            # A blank is 0 in the column's type: 0.0 in a decimal column (fees), else 0.
            s["cells_exact"] += g == 0 and type(g) in (int, float)
            continue
        s["cells_exact"] += g is not None and g == v and type(g) is type(v)
    s["cells_extra"] = len(got.keys() - want.keys())
    want_v = {_vkey(v) for v in exp["violations"]}
    # Soft rules (warnings: blank cells, prose vs tables, …) are not in the truth.
    got_v = {_vkey(v) for v in result["violations"] if v.get("severity", "hard") == "hard"}
    s["violations"] = len(want_v)
    s["violations_found"] = len(want_v & got_v)
    s["violations_false"] = len(got_v - want_v)
    s["problems"] = len(exp["problems"])
    s["problems_found"] = sum(
        any(p == q or p.startswith(q + " ") for p in result["problems"]) for q in exp["problems"]
    )
    meta = result["report"]
    s["meta"] = 1
    s["meta_exact"] = int(
        (meta["agency"], meta["year"], meta["published"], meta["template"])
        == (exp["agency"], exp["year"], exp["published"], exp["template"])
        # Family records also state the phone (issue 14: phones behind spaced labels).
        and ("phone" not in exp or meta.get("phone") == exp["phone"])
    )
    s["exact"] = int(
        status_ok
        and s["cells_exact"] == s["cells"]
        and not s["cells_extra"]
        and s["blanks_named"] == s["blanks"]
        and s["violations_found"] == s["violations"]
        and not s["violations_false"]
        and s["problems_found"] == s["problems"]
        and set(result["missing_tables"]) == set(exp["missing_tables"])
        and s["meta_exact"]
    )
    return s
