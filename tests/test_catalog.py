"""The catalog across batches (views/catalog.py), the merged review list and the trends
(views/trends.py), on two real batches of different fiscal years made with the generator
(conftest.year_batches) and a real DuckDB database."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.output.files import read_csv
from pipeline.output.publish import current_version
from pipeline.output.review import COLUMNS as REVIEW_COLUMNS
from pipeline.views import catalog as catalog_module
from pipeline.views.catalog import (
    CatalogError,
    merged_review,
    update_catalog,
    write_merged_review,
)
from pipeline.views.trends import ALL, UNKNOWN, catalog_items, trends
from pipeline.views.trends_page import write_trends
from tests.conftest import ROOT, run_cli

README = ROOT / "README.md"


def _outputs(year_batches, tmp_path: Path, names=("r03", "r04")) -> Path:
    """A copy of the runs' output folders (links kept), for a test to change."""
    out = tmp_path / "outputs"
    for name in names:
        shutil.copytree(year_batches / "outputs" / name, out / name, symlinks=True)
    return out


def _query(db: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_generator_writes_one_fiscal_year_byte_identical_to_the_sample(year_batches):
    for name, prefix in (("r03", "r03_"), ("r04", "r04_")):
        pdfs = sorted((year_batches / "batches" / name).glob("*.pdf"))
        assert len(pdfs) == 2 and all(p.name.startswith(prefix) for p in pdfs)
        for pdf in pdfs:
            assert pdf.read_bytes() == (ROOT / "corpora" / "sample" / pdf.name).read_bytes()


def test_both_batches_go_in_typed_with_batch_and_run_id(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    update = update_catalog(out)
    db = out / "catalog.duckdb"
    assert update.added == ["r03", "r04"] and not update.replaced and not update.removed
    assert update.review == out / "review.csv" and update.review_rows == len(
        read_csv(update.review)
    )
    runs = _query(db, "SELECT batch, run_id, tables_from, fiscal_years, items FROM runs ORDER BY 1")
    for (batch, run_id, source, years, items), year in zip(runs, (2021, 2022), strict=True):
        published = current_version(out / batch)
        assert run_id == published.name and source == "parquet" and years == [year]
        csv_items = read_csv(published / "items.csv")
        assert items == len(csv_items)
        rows = _query(db, "SELECT item_id FROM items WHERE batch = ? AND run_id = ?", batch, run_id)
        assert sorted(r[0] for r in rows) == sorted(csv_items["item_id"])
    types = dict(_query(db, "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'items'"))  # fmt: skip
    assert types["themes"] == "VARCHAR[]" and types["lemmas"] == "VARCHAR[]"
    assert types["fiscal_year"] == "BIGINT" and types["score_sc_development"] == "DOUBLE"
    for table in ("documents", "blocks", "items", "review"):
        assert _query(
            db, f"SELECT count(*) FROM {table} WHERE batch IS NULL OR run_id IS NULL"
        ) == [(0,)]


def test_running_it_again_changes_nothing(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    update_catalog(out)
    db = out / "catalog.duckdb"
    before = (_digest(db), db.stat().st_mtime_ns, _query(db, "SELECT * FROM runs ORDER BY batch"),
              (out / "review.csv").stat().st_mtime_ns)  # fmt: skip
    counts = [_query(db, f"SELECT count(*) FROM {t}") for t in ("documents", "blocks", "items")]
    again = update_catalog(out)
    assert not again.changed and again.unchanged == ["r03", "r04"]
    after = (_digest(db), db.stat().st_mtime_ns, _query(db, "SELECT * FROM runs ORDER BY batch"),
             (out / "review.csv").stat().st_mtime_ns)  # fmt: skip
    assert after == before
    assert [_query(db, f"SELECT count(*) FROM {t}") for t in ("documents", "blocks", "items")] == (
        counts
    )


def test_a_rerun_batch_is_replaced_and_a_deleted_one_dropped(year_batches, tmp_path, settings):
    from pipeline.runner.batch import BatchOptions, run_batch

    out = _outputs(year_batches, tmp_path)
    update_catalog(out)
    db = out / "catalog.duckdb"
    old = dict(_query(db, "SELECT batch, run_id FROM runs"))
    items = _query(db, "SELECT count(*) FROM items WHERE batch = 'r04'")
    options = BatchOptions(jobs=1, cache_dir=year_batches / "cache", progress=False)
    run_batch(year_batches / "batches" / "r04", out / "r04", settings, options=options)
    update = update_catalog(out)
    assert update.replaced == ["r04"] and update.unchanged == ["r03"] and not update.added
    new = dict(_query(db, "SELECT batch, run_id FROM runs"))
    assert (
        new["r03"] == old["r03"] and new["r04"] == current_version(out / "r04").name != old["r04"]
    )
    assert _query(db, "SELECT count(*) FROM items WHERE batch = 'r04'") == items
    assert _query(db, "SELECT DISTINCT run_id FROM items WHERE batch = 'r04'") == [(new["r04"],)]

    shutil.rmtree(out / "r03")
    update = update_catalog(out)
    assert update.removed == ["r03"] and update.unchanged == ["r04"]
    for table in ("runs", "documents", "blocks", "items", "review"):
        assert _query(db, f"SELECT DISTINCT batch FROM {table}") == [("r04",)], table


def test_a_failed_update_leaves_the_catalog_as_it_was(year_batches, tmp_path, monkeypatch):
    out = _outputs(year_batches, tmp_path, names=("r03",))
    update_catalog(out)
    db = out / "catalog.duckdb"
    before = _query(db, "SELECT * FROM runs"), _query(db, "SELECT count(*) FROM items")
    shutil.copytree(year_batches / "outputs" / "r04", out / "r04", symlinks=True)
    real_insert = catalog_module._insert

    def insert_then_fail(con, name, table):  # the crash comes after some rows went in
        real_insert(con, name, table)
        if name == "items":
            raise OSError("disk full")

    monkeypatch.setattr(catalog_module, "_insert", insert_then_fail)
    with pytest.raises(OSError):
        update_catalog(out)
    assert (_query(db, "SELECT * FROM runs"), _query(db, "SELECT count(*) FROM items")) == before
    monkeypatch.undo()
    assert update_catalog(out).added == ["r04"]


def test_an_older_run_without_parquet_is_read_from_its_csv_typed_alike(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path, names=("r03",))
    update_catalog(out, tmp_path / "from_parquet.duckdb")
    for table in ("documents", "blocks", "items"):  # an older run wrote only the CSV files
        (current_version(out / "r03") / f"{table}.parquet").unlink()
    update_catalog(out, tmp_path / "from_csv.duckdb")
    assert _query(tmp_path / "from_csv.duckdb", "SELECT tables_from FROM runs") == [("csv",)]
    for table in ("documents", "blocks", "items"):
        frames = [
            duckdb.connect(str(tmp_path / name), read_only=True)
            .execute(f"SELECT * FROM {table} ORDER BY 3")
            .df()
            for name in ("from_parquet.duckdb", "from_csv.duckdb")
        ]
        pd.testing.assert_frame_equal(frames[0], frames[1])


def test_the_merged_review_list_is_most_doubtful_first_across_batches(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    update_catalog(out)
    rows = write_merged_review(out / "catalog.duckdb", out / "review.csv")
    merged = read_csv(out / "review.csv")
    assert list(merged.columns[:6]) == [*REVIEW_COLUMNS[:5], "batch"]
    per_batch = {b: read_csv(out / b / "review.csv") for b in ("r03", "r04")}
    assert rows == len(merged) == sum(len(f) for f in per_batch.values())
    doubts = merged["doubt"].astype(float).tolist()
    assert doubts == sorted(doubts, reverse=True) and len(set(merged["batch"])) == 2
    for batch, own in per_batch.items():  # each batch's own order is kept
        assert merged[merged["batch"] == batch]["item_id"].tolist() == own["item_id"].tolist()
    assert set(merged["fiscal_year"]) == {"2021", "2022"}
    assert merged_review(out / "catalog.duckdb")["fiscal_year"].dtype == "Int64"


def _share_from_csv(outputs: Path, batch: str, theme: str) -> tuple[int, int]:
    items = read_csv(outputs / batch / "items.csv")
    issues = items[items["block"] == "課題意識"]
    return int(issues["themes"].str.split(";").map(lambda t: theme in t).sum()), len(issues)


def test_trends_show_both_years_with_a_test_and_the_items_behind_each_share(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    update_catalog(out)
    result = trends(catalog_items(out / "catalog.duckdb", "課題意識"), "課題意識")
    assert result.periods == ["2021", "2022"] and result.tested and not result.unknown_items
    for theme in ("service_design", "workforce", "sc_development"):
        for batch, year in (("r03", "2021"), ("r04", "2022")):
            n, total = _share_from_csv(out, batch, theme)
            shares, behind = result.shares, result.items
            row = shares[
                (shares["municipality"] == ALL)
                & (shares["period"] == year)
                & (shares["theme"] == theme)
            ].iloc[0]
            assert (row["items"], row["period_items"]) == (n, total) and total > 0
            behind = behind[(behind["theme"] == theme) & (behind["period"] == year)]
            assert len(behind) == n and set(behind["batch"]) <= {batch}
    tested = result.tests.dropna(subset=["p"])
    assert len(tested) >= 5 and tested["p"].between(0, 1).all() and (tested["dof"] == 1).all()
    assert not result.repeated  # no municipality of the sample is in both years

    written = write_trends(result, out / "trends", _query_runs(out))
    names = {p.name for p in written}
    assert {"shares.csv", "tests.csv", "items.csv", "trends.png", "trends.svg", "trends.html"} <= (
        names
    )
    html = (out / "trends" / "trends.html").read_text(encoding="utf-8")
    assert "2021" in html and "2022" in html and "総合事業のサービス設計" in html
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= set(re.findall(r'<details id="([^"]+)"', html))  # no dead link
    items = read_csv(out / "trends" / "items.csv")
    assert {"theme", "period", "municipality", "text", "source", "page"} <= set(items.columns)


def _query_runs(out: Path) -> pd.DataFrame:
    with duckdb.connect(str(out / "catalog.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM runs ORDER BY batch").df()


def test_one_year_only_is_said_and_not_tested(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path, names=("r03",))
    update_catalog(out)
    result = trends(catalog_items(out / "catalog.duckdb", "課題意識"), "課題意識")
    assert result.periods == ["2021"] and not result.tested
    assert result.tests["p"].isna().all() and (result.tests["note"] == "単年度のため検定なし").all()
    assert "一つ（2021）だけ" in result.summary()


def test_unknown_years_count_as_fumei_and_a_municipality_of_two_years_is_side_by_side(
    year_batches, tmp_path, settings
):
    """A batch that states 2022 in its batch.yaml for a report of 令和3年度 (its sessions),
    and a text whose year is nowhere: 不明, never guessed."""
    from pipeline.runner.batch import BatchOptions, run_batch

    out = _outputs(year_batches, tmp_path)
    batch = tmp_path / "stated"
    batch.mkdir()
    shutil.copy(year_batches / "batches" / "r03" / "r03_sakuragaura.pdf", batch / "sakuragaura.pdf")
    (batch / "batch.yaml").write_text("fiscal_year: 2022\n", encoding="utf-8")
    undated = tmp_path / "undated"
    undated.mkdir()
    text = (ROOT / "corpora/sample_txt/pdftotext/r03_aobano.txt").read_text(encoding="utf-8")
    kept = [line for line in text.split("\n") if not re.search(r"^日時|令和|年度", line)]
    (undated / "aobano.txt").write_text("\n".join(kept), encoding="utf-8")
    options = BatchOptions(jobs=1, cache_dir=year_batches / "cache", progress=False)
    run_batch(batch, out / "stated", settings, options=options)
    run_batch(undated, out / "undated", settings, options=options)
    update_catalog(out)
    result = trends(catalog_items(out / "catalog.duckdb", "課題意識"), "課題意識")
    assert result.periods == ["2021", "2022", UNKNOWN] and result.unknown_items > 0
    assert result.repeated == ["桜ヶ浦市"]
    side = result.table("桜ヶ浦市", "items")
    assert list(side.columns) == ["2021", "2022"]
    assert (side["2021"] == side["2022"]).all()  # the same report, stated for another year
    shares = result.shares
    known = shares[(shares["municipality"] == ALL) & (shares["period"] != UNKNOWN)]
    assert known["period_items"].max() < len(catalog_items(out / "catalog.duckdb", "課題意識"))
    assert f"「{UNKNOWN}」" in result.summary()
    written = write_trends(result, out / "trends", _query_runs(out))
    assert out / "trends" / "municipalities.png" in written
    assert "<h3>桜ヶ浦市</h3>" in (out / "trends" / "trends.html").read_text(encoding="utf-8")
    shutil.rmtree(out / "stated")  # its municipality is in one year again: no side by side
    update_catalog(out)
    again = trends(catalog_items(out / "catalog.duckdb", "課題意識"), "課題意識")
    assert not again.repeated
    write_trends(again, out / "trends", _query_runs(out))
    assert not list((out / "trends").glob("municipalities.*"))


def _readme_queries() -> list[str]:
    """The SQL blocks of the README's catalog section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Across batches and years", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_the_readme_queries_run_on_the_catalog(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    update_catalog(out)
    queries = _readme_queries()
    assert len(queries) >= 3
    with duckdb.connect(str(out / "catalog.duckdb"), read_only=True) as con:
        for sql in queries:
            assert con.execute(sql).fetchall(), sql


def test_an_outputs_folder_that_is_not_there_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="no such folder"):
        update_catalog(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError, match="no completed run"):
        update_catalog(tmp_path / "empty")


@pytest.mark.subprocess
def test_the_commands(year_batches, tmp_path):
    out = _outputs(year_batches, tmp_path)
    first = run_cli("catalog", str(out))
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout and (out / "review.csv").is_file()
    again = run_cli("catalog", str(out))
    assert again.returncode == 0 and "nothing changed" in again.stdout
    shown = run_cli("trends", str(out), "--by", "batch")
    assert shown.returncode == 0, shown.stderr
    assert "r03" in shown.stdout and (out / "trends" / "trends.html").is_file()
    missing = run_cli("catalog", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
