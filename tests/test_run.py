"""End to end: the sample batch through every stage, its files, and the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.evaluation.items import evaluate
from pipeline.output.files import read_csv

from .conftest import ROOT, SAMPLE, run_cli

CONTRACT_COLUMNS = {
    "documents.csv": ["doc_id", "source", "sha256", "pages", "status", "error", "fiscal_year"],
    "blocks.csv": ["block_id", "doc_id", "municipality", "page", "block", "heading", "text"],
    "items.csv": [
        "item_id",
        "block_id",
        "doc_id",
        "municipality",
        "page",
        "block",
        "level",
        "parent_id",
        "text",
        "text_raw",
        "lemmas",
        "themes",
        "fiscal_year",
    ],  # fmt: skip
    "themes.csv": ["municipality", "block", "theme", "label", "items", "share"],
}


@pytest.fixture(scope="module")
def out(sample_run):
    return sample_run.out_dir


@pytest.mark.parametrize("name", sorted(CONTRACT_COLUMNS))
def test_outputs_have_the_contract_columns_and_a_bom(out, name):
    raw = (out / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    frame = read_csv(out / name)
    wanted = CONTRACT_COLUMNS[name]
    assert [c for c in frame.columns if c in wanted] == wanted  # all there, in order
    assert len(frame) > 0


def test_every_sample_file_is_processed(out):
    documents = read_csv(out / "documents.csv")
    pdfs = sorted(p.name for p in SAMPLE.glob("*.pdf"))
    assert sorted(documents["source"]) == pdfs
    assert set(documents["status"]) == {"ok"}
    assert (documents["error"] == "").all()


def test_csv_round_trips_through_pandas_unchanged(out, sample_items):
    items = read_csv(out / "items.csv")
    assert list(items["text"]) == [i.text for i in sample_items]
    assert list(items["text_raw"]) == [i.text_raw for i in sample_items]


def test_every_item_traces_back_to_file_page_and_block(out):
    items = read_csv(out / "items.csv")
    blocks = read_csv(out / "blocks.csv").set_index("block_id")
    documents = read_csv(out / "documents.csv").set_index("doc_id")
    assert items["block_id"].isin(blocks.index).all()
    assert items["doc_id"].isin(documents.index).all()
    pages = documents.loc[items["doc_id"], "pages"].astype(int).to_numpy()
    assert ((items["page"].astype(int) >= 1) & (items["page"].astype(int) <= pages)).all()
    # the item's block and municipality are its block's
    joined = blocks.loc[items["block_id"]]
    assert (joined["block"].to_numpy() == items["block"].to_numpy()).all()
    assert (joined["municipality"].to_numpy() == items["municipality"].to_numpy()).all()


def test_first_run_scores_against_gold(out):
    result = evaluate(out, SAMPLE / "gold.json")
    overall = result["overall"]
    assert overall["municipalities"]["recall"] == 1.0
    assert overall["items_exact"]["f1"] >= 0.97
    assert overall["blocks"]["precision"] >= 0.99 and overall["blocks"]["recall"] >= 0.99


def test_themes_table_counts_match_items(out):
    items = read_csv(out / "items.csv")
    themes = read_csv(out / "themes.csv")
    for (municipality, block), group in items.groupby(["municipality", "block"]):
        rows = themes[(themes["municipality"] == municipality) & (themes["block"] == block)]
        for theme, row in rows.set_index("theme").iterrows():
            expected = group["themes"].str.split(";").apply(lambda ids, t=theme: t in ids).sum()
            assert int(row["items"]) == expected
            assert float(row["share"]) == pytest.approx(expected / len(group), abs=1e-4)


def test_themes_table_carries_the_blind_figures(out):
    """Each count comes with its theme's precision and recall measured blind
    (configs/theme_confidence.yaml), the same on every row of the theme."""
    import yaml

    measured = yaml.safe_load((ROOT / "configs" / "theme_confidence.yaml").read_text("utf-8"))
    themes = read_csv(out / "themes.csv")
    for theme, rows in themes.groupby("theme"):
        assert set(rows["blind_precision"].astype(float)) == {
            measured["themes"][theme]["precision"]
        }
        assert set(rows["blind_recall"].astype(float)) == {measured["themes"][theme]["recall"]}


def test_lemmas_come_from_ginza(out):
    items = read_csv(out / "items.csv")
    lemmas = items.set_index("text")["lemmas"]
    # 休止した → 休止 / する is not content; 活動 is
    row = next(t for t in lemmas.index if "活動を休止した" in t)
    assert "活動" in lemmas[row].split() and "休止" in lemmas[row].split()


def test_run_json_records_versions_counts_and_timings(out):
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["files"] == len(list(SAMPLE.glob("*.pdf")))
    gold = json.loads((SAMPLE / "gold.json").read_text(encoding="utf-8"))
    assert run["counts"]["municipalities"] == len(gold["municipalities"])
    assert {"extract", "segment", "analyze", "classify", "total"} <= set(run["timings_s"])
    assert run["versions"]["ja-ginza"] != "not installed"


@pytest.mark.subprocess
def test_cli_reports_bad_files_and_goes_on(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "empty.pdf").write_bytes(b"")
    (batch / "not_a_pdf.pdf").write_text("これはPDFではありません", encoding="utf-8")
    (batch / "truncated.pdf").write_bytes((SAMPLE / "r03_sakuragaura.pdf").read_bytes()[:5000])
    (batch / "good.pdf").write_bytes((SAMPLE / "r03_sakuragaura.pdf").read_bytes())
    result = run_cli("run", str(batch), "--out", str(tmp_path / "out"), "--no-cache", "--quiet")
    assert result.returncode == 0, result.stderr
    documents = read_csv(tmp_path / "out" / "documents.csv").set_index("source")
    assert documents.loc["good.pdf", "status"] == "ok"
    for bad in ("empty.pdf", "not_a_pdf.pdf", "truncated.pdf"):
        assert documents.loc[bad, "status"] == "error"
        reason = documents.loc[bad, "error"]
        assert reason and "\n" not in reason and "Traceback" not in reason
    assert "empty" in documents.loc["empty.pdf", "error"]


@pytest.mark.subprocess
def test_cli_fails_clearly_when_nothing_can_be_processed(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = run_cli("run", str(empty), "--out", str(tmp_path / "out"), "--no-cache", "--quiet")
    assert result.returncode != 0
    assert "no .pdf, .pptx, .docx or .txt files" in result.stderr
    missing = run_cli("run", str(tmp_path / "missing"), "--quiet")
    assert missing.returncode != 0 and "not a folder" in missing.stderr


@pytest.mark.subprocess
def test_cli_help_explains_every_option():
    result = run_cli("run", "--help")
    assert result.returncode == 0
    for option in ("--out", "--config", "--quiet"):
        assert option in result.stdout


def test_reading_the_items_table_with_plain_pandas(out):
    # what a user types: no dtype tricks needed for the Japanese to come back
    items = pd.read_csv(out / "items.csv", encoding="utf-8-sig")
    assert items["municipality"].str.endswith(("市", "町", "村")).all()
