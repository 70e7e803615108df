"""An analyst's labels.csv beside a batch corrects the themes of exactly those items."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace

import pytest

from pipeline.core.records import Item
from pipeline.stages.classify.hand_labels import apply_hand_labels, load_hand_labels, text_key
from pipeline.stages.classify.training import TrainingDataError

from .conftest import SAMPLE


def _gold_items(municipality: str, block: str) -> list[dict]:
    gold = json.loads((SAMPLE / "gold.json").read_text(encoding="utf-8"))
    muni = next(m for m in gold["municipalities"] if m["municipality"] == municipality)
    return next(b for b in muni["blocks"] if b["block"] == block)["items"]


def _items_csv(out) -> dict[str, dict]:
    with (out / "items.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["text"]: row for row in csv.DictReader(fh)}


@pytest.mark.ginza
def test_a_batch_labels_csv_sets_the_themes_of_those_items(settings, tmp_path):
    from pipeline.runner.batch import run_batch

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE / "r03_sakuragaura.pdf", batch)
    kadai = [i["text"] for i in _gold_items("桜ヶ浦市", "課題意識")]
    # The first text is written as an analyst might paste it: wrapped, with a stray space.
    pasted = kadai[0][:12] + "\n" + kadai[0][12:].replace("、", " 、")
    rows = [
        ["text", "themes", "municipality", "block"],
        [pasted, "covid_impact;needs_analysis", "桜ヶ浦市", ""],
        [kadai[1], "", "桜ヶ浦市", "課題意識"],  # no theme fits, says the analyst
        [kadai[2], "workforce", "北浜台市", ""],  # another municipality's item
    ]
    with (batch / "labels.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)

    run_batch(batch, tmp_path / "out", settings, progress=False)
    items = _items_csv(tmp_path / "out")

    first = items[kadai[0]]
    assert first["themes"] == "needs_analysis;covid_impact"  # in themes.yaml order
    assert "covid_impact: labelled by hand (labels.csv line 2)" in first["theme_evidence"]
    assert first["score_covid_impact"] == "1.0"

    second = items[kadai[1]]
    assert second["themes"] == ""
    # What the classifier had given is kept, marked as overruled.
    assert "care_management: removed by hand (labels.csv line 3) | " in second["theme_evidence"]

    # The report says how many items an analyst corrected.
    from pipeline.views.outputs import load_outputs
    from pipeline.views.report import build_report

    assert "labels.csv で修正した項目: <b>2</b>" in build_report(load_outputs(tmp_path / "out"))

    # Another municipality's row is not a correction here; the model still learns from it.
    third = items[kadai[2]]
    assert "by hand" not in third["theme_evidence"]
    assert "service_design: rule" in third["theme_evidence"]


def _item(text: str, municipality: str = "桜ヶ浦市", block: str = "課題意識") -> Item:
    return Item(
        item_id="x", block_id="", doc_id="", source="", municipality=municipality, page=1,
        block=block, session=None, level=1, parent_id="", context="", text=text, text_raw=text,
    )  # fmt: skip


def test_block_and_municipality_narrow_a_row(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,themes,block\n連携が弱い,collaboration,到達点\n連携が弱い,policy_vision,\n",
        encoding="utf-8",
    )
    labels = load_hand_labels(path, ("collaboration", "policy_vision"))
    in_goal, elsewhere = _item("連携が弱い", block="到達点"), _item("連携が弱い")
    assert apply_hand_labels([in_goal, elsewhere], labels, ["collaboration", "policy_vision"]) == 2
    assert in_goal.themes == ["collaboration"] and elsewhere.themes == ["policy_vision"]


def test_an_unknown_theme_names_the_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("text,themes\n連携が弱い,collaboration\nなにか,colaboration\n", "utf-8")
    with pytest.raises(TrainingDataError, match="line 3: unknown theme `colaboration`"):
        load_hand_labels(path, ("collaboration",))


@pytest.mark.ginza
def test_a_correction_reclassifies_cached_documents_without_reading_them_again(settings, tmp_path):
    from pipeline.runner.batch import BatchOptions, run_batch

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE / "r03_sakuragaura.pdf", batch)
    options = BatchOptions(jobs=1, cache_dir=tmp_path / "cache", progress=False)
    first = run_batch(batch, tmp_path / "out", settings, options=options)
    assert (first.cache_misses, first.reclassified) == (1, 0)

    text = _gold_items("桜ヶ浦市", "到達点")[0]["text"]
    (batch / "labels.csv").write_text(f"text,themes\n{text},covid_impact\n", "utf-8")
    second = run_batch(batch, tmp_path / "out", settings, options=options)
    # Nothing extracted or analysed again: only the themes were given anew.
    assert (second.cache_hits, second.cache_misses, second.reclassified) == (1, 0, 1)
    assert second.timings["extract"] == second.timings["analyze"] == 0.0
    assert _items_csv(tmp_path / "out")[text]["themes"] == "covid_impact"

    third = run_batch(batch, tmp_path / "out", settings, options=options)
    assert (third.reclassified, third.outputs) == (0, "reused")


def test_a_labels_csv_saved_by_excel_as_shift_jis_is_read(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_bytes("text,themes,checked\r\n連携が弱い,collaboration,済\r\n".encode("cp932"))
    labels = load_hand_labels(path, ("collaboration",))
    assert [x.themes for x in labels[text_key("連携が弱い")]] == [("collaboration",)]
    path.write_bytes(b"text,themes\n\xff\xfe\xfa,x\n")
    with pytest.raises(TrainingDataError, match="cannot read as UTF-8 or Shift_JIS"):
        load_hand_labels(path, ("collaboration",))


def test_an_unusable_labels_csv_stops_the_run_before_anything_is_written(
    settings, tmp_path, capsys
):
    from pipeline.cli.main import main
    from pipeline.runner.batch import BatchOptions, run_batch

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE / "r03_sakuragaura.pdf", batch)
    options = BatchOptions(jobs=1, cache_dir=tmp_path / "cache", progress=False)
    run_batch(batch, tmp_path / "out", settings, options=options)
    before = (tmp_path / "out" / "items.csv").read_bytes()

    (batch / "labels.csv").write_text("text,themes\n連携が弱い,collaboration\n何か,colaboration\n")
    # Cached or not, the same one reason, naming the line; nothing is processed.
    for cache in (tmp_path / "cache", None):
        with pytest.raises(TrainingDataError, match="line 3: unknown theme `colaboration`"):
            run_batch(batch, tmp_path / "out", settings, options=replace(options, cache_dir=cache))
    assert (tmp_path / "out" / "items.csv").read_bytes() == before

    code = main(["run", str(batch), "--out", str(tmp_path / "out"), "--jobs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "labels.csv: line 3: unknown theme" in err[0]
