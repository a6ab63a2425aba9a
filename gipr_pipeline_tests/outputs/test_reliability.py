"""The warehouse under an operator's accidents: read while a run publishes, a read-only folder,
a full disk, a corrupt file; and text from reports that carries HTML, SQL or formulas. Every
command ends with one line and a non-zero exit, never a traceback (docs/reliability.md)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from gipr_pipeline.template import labels

ROOT = Path(__file__).resolve().parents[2]

# A run's publish, as the I/O manager does it: the exclusive lock, a read-write connection,
# one transaction that changes the year, held for a while, then committed.
_PUBLISH = """
import sys, time, duckdb
from gipr_pipeline.outputs.warehouse import warehouse_lock
wh, seconds = sys.argv[1], float(sys.argv[2])
with warehouse_lock(wh, exclusive=True):
    con = duckdb.connect(wh)
    con.execute("begin transaction")
    con.execute("update main.year_summary set reports_rejected = 4242 where year = 2024")
    print("held", flush=True)
    time.sleep(seconds)
    con.execute("commit")
    con.close()
"""


def gipr(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gipr_pipeline.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = [x for x in out.stderr.splitlines() if x.startswith("gipr: error:")]
    assert len(lines) == 1, out.stderr
    return lines[0]


@contextlib.contextmanager
def publishing(warehouse: Path, seconds: float):
    p = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert p.stdout.readline().strip() == "held"
        yield p
    finally:
        p.wait(timeout=120)


@pytest.fixture
def warehouse(published, tmp_path) -> Path:
    wh = tmp_path / "wh" / "gipr.duckdb"
    wh.parent.mkdir()
    shutil.copy(published.warehouse, wh)
    return wh


def test_export_during_a_publish_waits_then_reads_the_published_state(warehouse, tmp_path):
    with publishing(warehouse, 4):
        t = time.monotonic()
        out = gipr(
            "export", str(tmp_path / "out"), "--year", "2024", "--format", "csv",
            "--warehouse", str(warehouse),
        )  # fmt: skip
        waited = time.monotonic() - t
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "Could not set lock" not in out.stderr
    assert "is being published by a run; waiting" in out.stderr
    assert waited > 1  # it waited for the commit instead of failing on DuckDB's lock
    # year_summary is a row per measure (指标, 数值): the state the run published, not the one before
    summary = pl.read_csv(tmp_path / "out" / "gipr_2024_year_summary.csv", infer_schema=False)
    rejected = summary.filter(pl.col("指标") == labels.header("reports_rejected"))["数值"].to_list()
    assert rejected == ["4242"]


def test_a_reader_gives_up_after_its_timeout_with_one_line(warehouse, tmp_path):
    with publishing(warehouse, 6):
        out = gipr(
            "report", "--year", "2024", "--warehouse", str(warehouse),
            "--out", str(tmp_path / "r.html"),
            env={"GIPR_LOCK_TIMEOUT": "1"},
        )  # fmt: skip
    line = one_line_error(out)
    assert "locked" in line and "GIPR_LOCK_TIMEOUT" in line


def test_truncated_warehouse_is_named_with_its_rebuild(warehouse, tmp_path):
    data = warehouse.read_bytes()
    warehouse.write_bytes(data[: len(data) // 2])
    out = gipr("export", str(tmp_path / "out"), "--warehouse", str(warehouse))
    line = one_line_error(out)
    assert f"the warehouse file {warehouse} is corrupt or truncated" in line
    assert f"mv {warehouse} {warehouse}.bad" in line and "gipr run" in line


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder writes fail in: a read-only tmpfs (root), else a folder without write
    permission (a user); skipped when neither holds (root without mount rights)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() == 0:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"root cannot mount a read-only tmpfs here: {done.stderr.decode()}")
        yield ro
        subprocess.run(["umount", str(ro)], check=False)
        return
    ro.chmod(0o555)
    yield ro
    ro.chmod(0o755)


def test_read_only_output_folder(read_only_folder, warehouse):
    out = gipr(
        "export", str(read_only_folder / "out"), "--year", "2024", "--warehouse", str(warehouse)
    )
    line = one_line_error(out)
    assert "permission denied" in line and str(read_only_folder) in line


def test_read_only_warehouse_folder(read_only_folder, raw_dir):
    out = gipr("run", str(raw_dir), "--warehouse", str(read_only_folder / "w" / "gipr.duckdb"))
    line = one_line_error(out)
    assert "permission denied" in line and str(read_only_folder) in line


def _tables(wh: Path) -> dict[str, list]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        names = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables order by 1"
            ).fetchall()
        ]
        return {t: sorted(map(repr, con.execute(f'select * from "{t}"').fetchall())) for t in names}
    finally:
        con.close()


@pytest.mark.slow
def test_full_disk_keeps_every_year_and_the_rerun_completes(tmp_path, seed_paths):
    """A warehouse on a 48 MiB tmpfs: a first run publishes 2022; the disk is then filled and a
    second run fails with one line, the warehouse as before; with space freed, a third run
    completes."""
    if os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root (mount -t tmpfs)")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode()}")
    try:
        raw = tmp_path / "raw"
        raw.mkdir()
        shutil.copy(seed_paths["003"], raw / "2022.txt")
        wh = disk / "w" / "gipr.duckdb"
        out = gipr("run", str(raw), "--warehouse", str(wh))
        assert out.returncode == 0, out.stderr
        before = _tables(wh)
        assert before["raw_reports"]
        shutil.copy(seed_paths["003"], raw / "2022 copy.txt")  # the next run changes the year
        filler = disk / "filler"
        with open(filler, "wb") as fh, contextlib.suppress(OSError):
            while True:
                fh.write(bytes(io.DEFAULT_BUFFER_SIZE * 64))
        out = gipr("run", str(raw), "--warehouse", str(wh))
        line = one_line_error(out)
        assert "not published" in line and "No space left on device" in line
        assert _tables(wh) == before  # every table as before the run, row for row
        filler.unlink()
        out = gipr("run", str(raw), "--warehouse", str(wh))
        assert out.returncode == 0, out.stderr
        after = _tables(wh)
        assert len(after["raw_reports"]) == 1 and "2022 copy.txt" in after["raw_reports"][0]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# ---------------------------------------------------------------- injection
HOSTILE = "<script>alert(1)</script>'; drop table raw_reports; --"
FORMULA = '=HYPERLINK("http://x","点击")'


def _hostile_frames(published) -> dict[str, pl.DataFrame]:
    from gipr_pipeline.outputs import warehouse as wh
    from gipr_pipeline.outputs.export import TABLES

    frames = wh.read_year(published.warehouse, 2024, TABLES)
    out = {}
    for name, df in frames.items():
        if "agency" in df.columns and df.height:
            df = df.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit(HOSTILE))
                .otherwise(pl.lit(FORMULA))
                .alias("agency")
            )
        out[name] = df
    rejected = pl.DataFrame(
        {
            "report_id": ["0" * 64],
            "year": [2024],
            "path": [FORMULA],
            "paths": [[FORMULA, HOSTILE]],
            "size": [1],
            "reason": ["not_a_report"],
            "message": ["-1 " + HOSTILE],
            "year_source": ["path"],
        },
        schema=frames["rejected_reports"].schema,
    )
    out["rejected_reports"] = pl.concat([frames["rejected_reports"], rejected])
    return out


def test_annual_report_escapes_text_from_reports(published):
    from gipr_pipeline.outputs.report import build_report

    frames = _hostile_frames(published)
    page = build_report(2024, frames)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#x27;; drop table" in page


def test_xlsx_and_csv_write_formula_text_as_text(published, tmp_path):
    from gipr_pipeline.outputs.export import write_csv, write_xlsx

    frames = _hostile_frames(published)
    book = write_xlsx(frames, tmp_path / "x.xlsx")
    cells = [
        c
        for ws in openpyxl.load_workbook(book).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula
    assert any(c.value == FORMULA for c in cells)  # kept exactly
    csv = write_csv("rejected_reports", frames["rejected_reports"], tmp_path / "r.csv")
    back = pl.read_csv(csv)
    column = [c for c in back.columns if back[c].cast(pl.String).str.contains("HYPERLINK").any()]
    values = [v for c in column for v in back[c].to_list() if v and "HYPERLINK" in v]
    assert values and all(v.startswith("'=") for v in values)
    messages = [v for c in back.columns for v in back[c].cast(pl.String).to_list() if v]
    assert "'-1 " + HOSTILE in messages
    applications = write_csv("applications", frames["applications"], tmp_path / "a.csv")
    numbers = pl.read_csv(applications)
    assert numbers.select(pl.selectors.numeric()).width > 0  # number columns stay numbers


def test_data_docs_summary_and_index_escape_text_from_reports(published, tmp_path):
    import html

    from gipr_pipeline.outputs import quality
    from gipr_pipeline.outputs.report import write_index

    f = {m: published.table(m, 2024) for m in quality.MARTS}
    # A failing row (a negative count) of a report whose agency carries markup and SQL: the
    # summary lists it in the failure's sample rows.
    f["review_litigation"] = f["review_litigation"].with_columns(
        upheld=pl.when(pl.int_range(pl.len()) == 0).then(-1).otherwise("upheld"),
        agency=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(HOSTILE)).otherwise("agency"),
    )
    f["applications"] = f["applications"].with_columns(agency=pl.lit(HOSTILE))
    docs = tmp_path / "docs"
    q = quality.validate_year(f, 2024, docs)
    summary = q.summary.read_text("utf-8")
    failure = next(x for x in q.marts["review_litigation"].failed if x.columns == "upheld")
    assert HOSTILE in failure.sample_text()  # the text reached the page's data
    assert "<script>alert(1)" not in summary
    assert f"agency={html.escape(HOSTILE)}" in summary
    # GX's own pages (its renderer escapes the sample values it shows) never carry it as markup.
    for page in q.index.parent.rglob("*.html"):
        assert "<script>alert(1)" not in page.read_text("utf-8"), page
    index = write_index(docs).read_text("utf-8")
    assert 'href="quality/2024/summary.html"' in index
    assert "<script>alert(1)" not in index
