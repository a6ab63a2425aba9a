"""Validation of a year's marts with Great Expectations (imported here only, in a thread, while
the views compute) and the Data Docs as static HTML, plus the project's own offline summary page."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gipr_pipeline.outputs.quality.suites import MARTS, SEVERITY, SUITES, Expect, Suite
from gipr_pipeline.template.labels import MARTS as MART_NAMES

WHERE = "where"  # the batch's index: one label naming each row (see _batch)


# ---------------------------------------------------------------- validation and Data Docs
@dataclass
class Failure:
    suite: str
    expectation: str
    columns: str
    note: str
    rule: str | None
    unexpected: int | None
    sample: list

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def sample_text(self, n: int = 5, sep: str = "; ") -> str:
        """The first failing rows, naming columns first (agency, report id, row/column)."""
        first = ("agency", "report_id", "row_code", "column_code", "rule", "year")

        def one(x) -> str:
            if not isinstance(x, dict):
                return str(x)
            keys = [k for k in first if k in x] + [k for k in x if k not in first]
            return ", ".join(f"{k}={str(x[k])[:12] if k == 'report_id' else x[k]}" for k in keys)

        return sep.join(one(x) for x in self.sample[:n])


@dataclass
class MartQuality:
    mart: str
    severity: str
    success: bool
    evaluated: int
    failed: list[Failure]
    pages: list[Path]  # the Data Docs page of each of the mart's validations


@dataclass
class YearQuality:
    year: int
    docs_dir: Path
    index: Path  # Data Docs entry page (GX; its styles and tables load from CDNs)
    marts: dict[str, MartQuality]
    summary: Path | None = None  # our offline page: every suite, every failure, links

    @property
    def success(self) -> bool:
        return all(m.success for m in self.marts.values())


def quality_dir(docs_dir: str | Path, year: int) -> Path:
    """Where a year's Data Docs live: ``<docs_dir>/quality/<year>/index.html``."""
    return Path(docs_dir) / "quality" / str(year)


def _condition(when: tuple[tuple[str, Any], ...]):
    from great_expectations.expectations.row_conditions import Column

    cond = None
    for col, value in when:
        c = (
            Column(col).is_in(list(value))
            if isinstance(value, list | tuple)
            else Column(col) == value
        )
        cond = c if cond is None else cond & c
    return cond


def _gx_expectation(gxe, e: Expect):
    kwargs = dict(e.kwargs)
    if e.when:
        kwargs["row_condition"] = _condition(e.when)
    meta = {"rule": e.rule} if e.rule else None
    return getattr(gxe, e.kind)(**kwargs, notes=e.note or None, meta=meta)


def _import_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401


def _context(site_dir: Path):
    _import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.add_data_docs_site(
        site_name="gipr",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return gx, ctx


def _plain(v):
    """numpy scalars → Python (JSON-able metadata)."""
    return v.item() if hasattr(v, "item") else v


def _batch(view: pl.DataFrame, index: tuple[str, ...]):
    """The pandas batch GX validates, indexed by one unique label per row (its ``index`` columns
    joined, the report id shortened), and the labels with those columns (``_sample``). GX names
    each failing row by its index: from a named index it costs one lookup per failing cell, from
    index columns about ten (seconds for a national year's failing rows)."""
    import pandas as pd

    short = {"report_id": pl.col("report_id").str.slice(0, 12)}
    label = pl.concat_str(
        [short.get(c, pl.col(c)).cast(pl.String).fill_null("—") for c in index], separator=" · "
    )
    keys = view.select(index).with_columns(label.alias(WHERE))
    if keys[WHERE].is_duplicated().any():  # e.g. two row patterns with the same example report
        keys = keys.with_columns(pl.col(WHERE) + " #" + pl.int_range(pl.len()).cast(pl.String))
    pdf = view.to_pandas()
    pdf.index = pd.Index(keys[WHERE].to_numpy(), name=WHERE)
    return pdf, keys


def _failure(suite: str, r, keys: pl.DataFrame) -> Failure:
    cfg = r.expectation_config
    kw = cfg.kwargs
    cols = kw.get("column") or kw.get("column_list") or [kw.get("column_A"), kw.get("column_B")]
    res = r.result or {}
    err = (r.exception_info or {}).get("exception_message") if r.exception_info else None
    rows = (res.get("partial_unexpected_index_list") or res.get("partial_unexpected_list") or [])[
        :5
    ]
    labels = [x.get(WHERE) for x in rows if isinstance(x, dict)]
    names = {
        k[WHERE]: {c: v for c, v in k.items() if c != WHERE}
        for k in keys.filter(pl.col(WHERE).is_in(labels)).iter_rows(named=True)
    }
    return Failure(
        suite=suite,
        expectation=cfg.type,
        columns=cols if isinstance(cols, str) else ", ".join(c for c in cols if c),
        note=(cfg.notes or "") + (f" [error: {err}]" if err else ""),
        rule=(cfg.meta or {}).get("rule"),
        unexpected=res.get("unexpected_count"),
        sample=[_sample(x, names) for x in rows],
    )


def _sample(x, names: Mapping[str, dict]):
    """A failing row as {index columns, failing values} (its label resolved, see ``_batch``)."""
    if not isinstance(x, dict):
        return _plain(x)
    row = {k: _plain(v) for k, v in x.items() if k != WHERE}
    return {**names.get(x.get(WHERE), {}), **row}


def _prepare(frame: pl.DataFrame | pl.LazyFrame, suites: list[Suite]) -> pl.LazyFrame:
    """The columns the mart's suites read, in memory once for all of them (a national year's
    applications: about 200 MB), strings as categoricals: the views group millions of rows by
    ids and codes."""
    lf = frame.lazy()
    if all(s.reads is not None for s in suites):
        lf = lf.select(list(dict.fromkeys(c for s in suites for c in s.reads or ())))
    return lf.with_columns(pl.col(pl.String).cast(pl.Categorical)).collect().lazy()


def validate_year(
    frames: Mapping[str, pl.DataFrame | pl.LazyFrame], year: int, docs_dir: str | Path
) -> YearQuality:
    """Validate a year's marts (``frames``: mart name → polars frame, eager or lazy) with every
    suite and (re)build the year's Data Docs under ``quality_dir(docs_dir, year)`` (replaced as
    a whole). Suites whose mart is not in ``frames`` are skipped."""
    # GX takes seconds to import (pure Python): import it in a thread while polars (which
    # releases the GIL) computes the views.
    importing = threading.Thread(target=_import_gx, daemon=True)
    importing.start()
    views = {}
    for mart in MARTS:
        suites = [s for s in SUITES if s.mart == mart]
        if mart in frames:
            lf = _prepare(frames[mart], suites)
            views.update((s.name, s.view(lf)) for s in suites)
            del lf
    importing.join()

    site = quality_dir(docs_dir, year).resolve()  # GX wants an absolute base directory
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    gx, ctx = _context(site)
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    source = ctx.data_sources.add_pandas("gipr_marts")
    run_id = RunIdentifier(run_name=f"gipr-{year}")
    results: dict[str, list[tuple[str, Any]]] = {}
    keys: dict[str, pl.DataFrame] = {}
    for s in SUITES:
        if s.name not in views:
            continue
        batch = source.add_dataframe_asset(s.name).add_batch_definition_whole_dataframe(str(year))
        # All expectations at once: add_expectation re-saves the suite each time (quadratic).
        suite = ctx.suites.add(
            gx.ExpectationSuite(
                name=s.name,
                expectations=[_gx_expectation(gxe, e) for e in s.expectations],
                notes=f"Validates a view of {s.mart}: {s.grain}." if s.grain else None,
            )
        )
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=s.name, data=batch, suite=suite)
        )
        batch, keys[s.name] = _batch(views.pop(s.name), s.index)
        res = vd.run(
            batch_parameters={"dataframe": batch},
            expectation_parameters={"year": year},
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": [WHERE]},
            run_id=run_id,
        )
        results.setdefault(s.mart, []).append((s.name, res))
    ctx.build_data_docs(site_names=["gipr"])

    out = {}
    for mart, runs in results.items():
        failed = [
            _failure(name, r, keys[name])
            for name, res in runs
            for r in res.results
            if not r.success
        ]
        pages = [
            p for name, _ in runs for p in sorted((site / "validations" / name).rglob("*.html"))
        ]
        out[mart] = MartQuality(
            mart=mart,
            severity=SEVERITY[mart],
            success=all(res.success for _, res in runs),
            evaluated=sum(len(res.results) for _, res in runs),
            failed=failed,
            pages=pages,
        )
    q = YearQuality(year=year, docs_dir=Path(docs_dir), index=site / "index.html", marts=out)
    q.summary = write_summary(q)
    return q


def write_summary(q: YearQuality) -> Path:
    """``summary.html`` beside the Data Docs: one self-contained page (no scripts, no network)
    with each mart's result, its failing expectations and links to the GX pages. The GX pages
    themselves are readable offline but fetch their styles and the index's tables from CDNs."""
    import html

    def e(v) -> str:
        return html.escape("" if v is None else str(v))

    site = q.index.parent
    parts = []
    for mart in MARTS:
        m = q.marts.get(mart)
        if m is None:
            continue
        state = "pass" if m.success else ("fail" if m.severity == "error" else "warn")
        links = " · ".join(
            f'<a href="{e(p.relative_to(site).as_posix())}">{e(p.parent.parent.parent.name)}</a>'
            for p in m.pages
        )
        parts.append(
            f'<h2 class="{state}">{e(MART_NAMES.get(mart, mart))}:'
            f"{'通过' if m.success else '未通过'}"
            f" <small>({m.evaluated - len(m.failed)}/{m.evaluated} 项检查通过;{e(mart)},"
            f"severity {e(m.severity)})</small></h2><p>Data Docs(英文):{links}</p>"
        )
        if m.failed:
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td>{e(c)}</td>"
                    for c in (
                        f.suite,
                        f.expectation,
                        f.columns,
                        f.rule or "",
                        f.note,
                        f.unexpected,
                        f.sample_text(sep="\n"),
                    )
                )
                + "</tr>"
                for f in m.failed
            )
            parts.append(
                "<table><tr><th>检查集</th><th>检查(expectation)</th><th>列</th><th>规则</th>"
                "<th>含义</th><th>不符的行数</th><th>前几行</th></tr>"
                f"{rows}</table>"
            )
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{q.year} 年度数据质量概览</title><style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px; }}
h2 {{ font-size: 18px; margin-top: 28px; }} h2.pass {{ color: #2e7d32; }}
h2.warn {{ color: #b26a00; }} h2.fail {{ color: #c62828; }} small {{ color: #666; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left;
  white-space: pre-line; }}
</style></head><body>
<h1>{q.year} 年度数据质量概览</h1>
<p>{"全部检查通过。" if q.success else "有未通过的检查,见下文。"}
本页是数据质量的中文入口,不用脚本、不联网也能完整阅读。各检查集的详细结果在
Great Expectations 生成的 Data Docs(英文):<a href="index.html">index.html</a>;
Data Docs 的样式和索引表格从网络加载,离线时其验证结果页仍可阅读。</p>
{"".join(parts)}
</body></html>
"""
    out = site / "summary.html"
    out.write_text(page, "utf-8")
    return out
