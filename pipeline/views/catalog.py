"""catalog.duckdb: the last complete run of every batch under an outputs folder, in one
database an analyst can query with SQL across batches and years.

Tables (each row carries `batch`, the output folder's name, and `run_id`, its run's):

- `runs`: one row per batch: where its run is, which tables it was read from
  (`parquet`, or `csv` for a run older than the Parquet tables), counts, fiscal years;
- `documents`, `blocks`, `items`: the run's tables, typed as its Parquet files are
  (lists of themes and lemmas, integers with NULL where unknown, float scores);
- `review`: the run's review.csv, with `rank` (1 = most doubtful of its batch).

A batch's run is found only through `publish.current_version`, the one resolver of a
published run, so a run still being written is never read. Updating is incremental:
a batch whose run is already in the catalog is left as it is; a batch re-run since
(another run id, or another run.json) is replaced; a batch whose folder is gone, or has
no complete run any more, is dropped. All changes go in one transaction, so a crash
leaves the catalog as it was before (DuckDB's write-ahead log); when nothing changed,
the file is not even opened for writing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.errors import PipelineError
from pipeline.output import publish
from pipeline.output.files import read_csv, write_csv
from pipeline.output.parquet import schema
from pipeline.output.review import COLUMNS as REVIEW_COLUMNS
from pipeline.output.review import most_doubtful_first
from pipeline.output.tables import from_cell

CATALOG_NAME = "catalog.duckdb"
TABLES = ("documents", "blocks", "items")
REVIEW = "review"
RUNS_DDL = """
CREATE TABLE runs (
    batch VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, run_dir VARCHAR NOT NULL,
    tables_from VARCHAR NOT NULL, digest VARCHAR NOT NULL, batch_folder VARCHAR,
    title VARCHAR, files BIGINT, ok BIGINT, municipalities BIGINT, blocks BIGINT,
    items BIGINT, fiscal_years BIGINT[], config_digest VARCHAR, code_version VARCHAR
)"""
RUN_COLUMNS = [
    "batch", "run_id", "run_dir", "tables_from", "digest", "batch_folder", "title", "files",
    "ok", "municipalities", "blocks", "items", "fiscal_years", "config_digest", "code_version",
]  # fmt: skip


class CatalogError(PipelineError):
    """The outputs folder or the catalog cannot be read or written."""


@dataclass(frozen=True)
class Published:
    """One batch's last complete run, as publish.current_version names it."""

    batch: str
    run_dir: Path
    digest: str  # of its run.json: a run re-written in place is read again

    @property
    def run_id(self) -> str:
        return self.run_dir.name


@dataclass
class Update:
    """What one `catalog` call did."""

    path: Path
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    review: Path | None = None  # the merged review list, when it was written
    review_rows: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(v)} {k}" for k, v in (("added", self.added), ("replaced", self.replaced),
            ("removed", self.removed), ("unchanged", self.unchanged)) if v
        ]  # fmt: skip
        return f"{self.path}: " + (", ".join(parts) if parts else "no batch")


def default_path(outputs: Path) -> Path:
    return outputs / CATALOG_NAME


def published_runs(outputs: Path) -> list[Published]:
    """The batches under `outputs` (its sub-folders with a complete run), by name."""
    if not outputs.is_dir():
        raise CatalogError(f"{outputs}: no such folder of outputs (run `python -m pipeline run`)")
    found = []
    for folder in sorted(outputs.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        version = publish.current_version(folder)
        if version is not None:
            found.append(Published(folder.name, version, _digest(version)))
    return found


def _digest(run_dir: Path) -> str:
    run_json = run_dir / "run.json"
    data = run_json.read_bytes() if run_json.is_file() else b""
    names = "\n".join(sorted(p.name for p in run_dir.iterdir())).encode()
    return hashlib.sha256(data + b"\0" + names).hexdigest()[:16]


def catalogued(path: Path) -> dict[str, tuple[str, str]]:
    """batch → (run id, digest) of what the catalog at `path` holds (empty if none)."""
    if not path.is_file():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            if not _has_table(con, "runs"):
                return {}
            rows = con.execute("SELECT batch, run_id, digest FROM runs").fetchall()
    except duckdb.Error as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({_first_line(exc)})") from None
    return {batch: (run_id, digest) for batch, run_id, digest in rows}


def update_catalog(
    outputs: Path,
    path: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
    review: bool = True,
) -> Update:
    """Bring the catalog at `path` (default OUTPUTS/catalog.duckdb) up to date with the
    batches under `outputs` (see the module's docstring); then, with `review`, write
    OUTPUTS/review.csv, the merged review list, when the catalog changed or it is missing."""
    outputs = Path(outputs)
    path = Path(path) if path else default_path(outputs)
    runs = published_runs(outputs)
    held = catalogued(path)
    update = Update(path)
    todo = []
    for run in runs:
        if held.get(run.batch) == (run.run_id, run.digest):
            update.unchanged.append(run.batch)
        else:
            (update.replaced if run.batch in held else update.added).append(run.batch)
            todo.append(run)
    present = {run.batch for run in runs}
    update.removed = sorted(set(held) - present)
    if not runs and not path.is_file():
        raise CatalogError(f"no completed run under {outputs} (run `python -m pipeline run` first)")
    if update.changed or not path.is_file():
        loaded = [(run, _read_run(run, outputs, log)) for run in todo]
        _write(path, loaded, [*update.removed, *update.replaced], log)
    merged = outputs / MERGED_REVIEW_NAME
    if review and (update.changed or not merged.is_file()):
        update.review_rows = write_merged_review(path, merged)
        update.review = merged
    return update


def _read_run(run: Published, outputs: Path, log) -> dict[str, pa.Table]:
    """The run's tables as Arrow tables, with batch and run_id first."""
    try:
        tables = {name: _table(run.run_dir, name) for name in TABLES}
        tables[REVIEW] = _review(run.run_dir)
        tables["runs"] = _run_row(run, outputs, tables)
    except (OSError, ValueError, pa.ArrowException) as exc:  # ValueError: an empty CSV
        raise CatalogError(
            f"{run.batch}: its run {run.run_id} could not be read ({_first_line(exc)}); "
            "if it was being re-run, run `catalog` again"
        ) from None
    for name in (*TABLES, REVIEW):
        table = tables[name]
        tables[name] = table.add_column(
            0, "run_id", pa.array([run.run_id] * len(table), pa.string())
        )
        tables[name] = tables[name].add_column(
            0, "batch", pa.array([run.batch] * len(table), pa.string())
        )
    source = tables["runs"]["tables_from"][0].as_py()
    log(f"  {run.batch}: run {run.run_id} ({tables['items'].num_rows} items, from {source})")
    return tables


def _table(run_dir: Path, name: str) -> pa.Table:
    """The run's Parquet table, or its CSV file typed the same way (an older run)."""
    parquet = run_dir / f"{name}.parquet"
    if parquet.is_file():
        return pq.read_table(parquet)
    csv_path = run_dir / f"{name}.csv"
    if not csv_path.is_file():
        raise FileNotFoundError(f"{name}.parquet and {name}.csv are missing")
    text = _csv_text(csv_path)
    typed = {c: [from_cell(v, c) for v in cells] for c, cells in text.items()}
    return pa.Table.from_pydict(typed, schema=schema(list(text))).replace_schema_metadata(None)


def _csv_text(path: Path) -> dict[str, list[str]]:
    """A CSV file the pipeline wrote: column → its cells as text ("" where empty)."""
    frame = read_csv(path)
    return {c: frame[c].tolist() for c in frame.columns}


def _review(run_dir: Path) -> pa.Table:
    """review.csv with its rank (1 = most doubtful), doubt and page typed; no rows if the
    run wrote none."""
    path = run_dir / "review.csv"
    text = _csv_text(path) if path.is_file() else {}
    rows = len(next(iter(text.values()), []))
    columns: dict[str, list] = {"rank": list(range(1, rows + 1))}
    for column in REVIEW_COLUMNS:
        values = text.get(column, [""] * rows)
        if column == "doubt":
            values = [float(v) if v else None for v in values]
        elif column == "page":
            values = [int(v) if v else None for v in values]
        columns[column] = values
    types = {"rank": pa.int64(), "doubt": pa.float64(), "page": pa.int64()}
    fields = [pa.field(c, types.get(c, pa.string())) for c in columns]
    return pa.Table.from_pydict(columns, schema=pa.schema(fields))


def _run_row(run: Published, outputs: Path, tables: dict[str, pa.Table]) -> pa.Table:
    run_json = run.run_dir / "run.json"
    info = json.loads(run_json.read_text(encoding="utf-8")) if run_json.is_file() else {}
    docs, items = tables["documents"], tables["items"]
    statuses = docs["status"].to_pylist() if "status" in docs.column_names else []
    years = items["fiscal_year"].to_pylist() if "fiscal_year" in items.column_names else []
    try:
        where = str(run.run_dir.relative_to(outputs.resolve()))
    except ValueError:
        where = str(run.run_dir)
    row = {
        "batch": run.batch,
        "run_id": run.run_id,
        "run_dir": where,
        "tables_from": "parquet" if (run.run_dir / "items.parquet").is_file() else "csv",
        "digest": run.digest,
        "batch_folder": info.get("batch"),
        "title": (info.get("batch_file") or {}).get("title"),
        "files": docs.num_rows,
        "ok": sum(1 for s in statuses if s == "ok"),
        "municipalities": len(set(items["municipality"].to_pylist())) if items.num_rows else 0,
        "blocks": tables["blocks"].num_rows,
        "items": items.num_rows,
        "fiscal_years": sorted({y for y in years if y is not None}),
        "config_digest": info.get("config_digest"),
        "code_version": info.get("code_version"),
    }
    return pa.Table.from_pylist([row])


# The merged review.csv: labels.csv's columns first, as in each batch's, then the batch whose
# labels.csv a corrected row goes into, and the fiscal year.
MERGED_REVIEW_COLUMNS = [*REVIEW_COLUMNS[:5], "batch", *REVIEW_COLUMNS[5:], "fiscal_year"]
MERGED_REVIEW_NAME = "review.csv"


def merged_review(path: Path) -> pd.DataFrame:
    """Every batch's review list as one, most doubtful first (output/review.py's order)."""
    with duckdb.connect(str(path), read_only=True) as con:
        if not _has_table(con, REVIEW):
            return pd.DataFrame(columns=MERGED_REVIEW_COLUMNS)
        wanted = ", ".join(f'r."{c}"' for c in REVIEW_COLUMNS)
        rows = con.execute(
            f"SELECT r.batch, {wanted}, i.fiscal_year FROM review r "
            "LEFT JOIN items i ON i.batch = r.batch AND i.item_id = r.item_id "
            "ORDER BY r.batch, r.rank"
        ).fetchall()
    lists: dict[str, list[list]] = {}
    for batch, *row, year in rows:
        lists.setdefault(batch, []).append([*row, batch, year])
    merged = most_doubtful_first(lists.values())
    columns = [*REVIEW_COLUMNS, "batch", "fiscal_year"]
    frame = pd.DataFrame(merged, columns=columns)[MERGED_REVIEW_COLUMNS]
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    return frame


def write_merged_review(path: Path, csv_path: Path) -> int:
    """Write the merged review list as a CSV (UTF-8 with BOM, atomically); its row count."""
    frame = merged_review(path)
    write_csv(frame, csv_path)
    return len(frame)


def _write(path: Path, loaded: list, drop: list[str], log) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise CatalogError(f"{path}: cannot open the catalog ({_first_line(exc)})") from None
    try:
        _sql(con, "BEGIN TRANSACTION")
        if not _has_table(con, "runs"):
            _sql(con, RUNS_DDL)
        for batch in drop:
            for name in ("runs", *TABLES, REVIEW):
                if _has_table(con, name):
                    _sql(con, f"DELETE FROM {name} WHERE batch = ?", [batch])
        for _run, tables in loaded:
            for name in ("runs", *TABLES, REVIEW):
                _insert(con, name, tables[name])
        _sql(con, "COMMIT")
    except BaseException as exc:
        _sql(con, "ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise CatalogError(f"{path}: not updated ({_first_line(exc)})") from None
        raise
    finally:
        con.close()
    for batch in drop:
        if batch not in {run.batch for run, _ in loaded}:
            log(f"  {batch}: removed (its folder or its run is gone)")


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Append by column name; a column the catalog does not have yet is added (NULL in
    the batches read before), one it has and the run lacks is NULL."""
    con.register("incoming", table)
    try:
        if not _has_table(con, name):
            _sql(con, f"CREATE TABLE {name} AS SELECT * FROM incoming")
            return
        have = {row[0] for row in _sql(con, f"DESCRIBE {name}")}
        for column, kind, *_ in _sql(con, "DESCRIBE incoming"):
            if column not in have:
                _sql(con, f'ALTER TABLE {name} ADD COLUMN "{column}" {kind}')
        _sql(con, f"INSERT INTO {name} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def _sql(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Run one statement and take all its rows: a result left unread keeps the
    connection busy (DuckDB refuses the next statement, ROLLBACK included)."""
    return con.execute(sql, params or []).fetchall()


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return bool(_sql(con, query, [name])[0][0])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
