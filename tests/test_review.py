"""review.csv lists the items most worth checking, and checked rows correct the batch."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from dataclasses import replace

import pytest

from pipeline.config.themes import ReviewOptions, load_review_options
from pipeline.core.errors import ConfigError
from pipeline.core.records import Item
from pipeline.output.review import COLUMNS, ReviewList

from .conftest import SAMPLE


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _doubt(item_row: dict, settings) -> float:
    """Recomputed from items.csv's scores and themes.yaml's thresholds: nearness of the
    closest score to its threshold, and 1 more for an item given no theme."""
    options = settings.classifier
    nearest = 1 - min(
        abs(
            float(item_row[f"score_{t.id}"])
            - (options.threshold if t.threshold is None else t.threshold)
        )
        for t in settings.themes
    )
    return nearest + (not item_row["themes"])


def test_review_csv_lists_the_most_doubtful_items_of_the_chosen_blocks(sample_run, settings):
    out = sample_run.out_dir
    review = _rows(out / "review.csv")
    items = {row["item_id"]: row for row in _rows(out / "items.csv")}
    assert len(review) == settings.review.size == 100

    # The ranking is recomputed here from items.csv (scores rounded to 4 places there),
    # not read back from the code.
    eligible = {
        k: _doubt(row, settings)
        for k, row in items.items()
        if row["block"] in settings.review.blocks
    }
    listed = [row["item_id"] for row in review]
    assert all(items[k]["block"] in settings.review.blocks for k in listed)
    doubts = [float(row["doubt"]) for row in review]
    assert doubts == sorted(doubts, reverse=True)
    assert all(abs(d - eligible[k]) < 1e-3 for d, k in zip(doubts, listed, strict=True))
    left_out = [v for k, v in eligible.items() if k not in listed]
    assert len(left_out) > 100 and max(left_out) <= min(doubts) + 1e-3

    # Each row is the item as the run left it, in labels.csv's columns first.
    assert list(review[0])[:5] == ["text", "themes", "block", "municipality", "checked"]
    assert {row["checked"] for row in review} == {""}
    for row in review:
        item = items[row["item_id"]]
        assert (row["text"], row["themes"], row["municipality"]) == (
            item["text"],
            item["themes"],
            item["municipality"],
        )
    # The theme at stake is named with its score.
    top = review[0]
    assert top["near_threshold"].split(" ")[0] in {t.id for t in settings.themes}

    # The workbook has the list too, and the report points to it.
    from openpyxl import load_workbook

    from pipeline.views.outputs import load_outputs
    from pipeline.views.report import build_report

    sheet = load_workbook(out / "report.xlsx", read_only=True)["review"]
    first_row = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first_row[COLUMNS.index("item_id")] == listed[0]
    assert "見直し候補（review.csv、迷いの大きい順）: <b>100 項目</b>" in build_report(
        load_outputs(out)
    )


@pytest.mark.ginza
def test_checked_review_rows_saved_as_labels_csv_correct_the_batch(settings, tmp_path):
    from pipeline.runner.batch import BatchOptions, run_batch

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE / "r04_takamoridai.pdf", batch)
    options = BatchOptions(jobs=1, cache_dir=tmp_path / "cache", progress=False)
    small = replace(settings, review=ReviewOptions(size=5))
    run_batch(batch, tmp_path / "out", small, options=options)
    review = _rows(tmp_path / "out" / "review.csv")
    assert len(review) == 5

    # The analyst checks the first two rows (one gets another theme, one gets none),
    # marks them, and saves the whole file as the batch's labels.csv.
    checked = review[:2]
    checked[0].update(themes="covid_impact", checked="x")
    checked[1].update(themes="", checked="済")
    review[2]["themes"] = "covid_impact"  # edited but not marked as checked: ignored
    with (batch / "labels.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(review[0]))
        writer.writeheader()
        writer.writerows(review)

    second = run_batch(batch, tmp_path / "out", small, options=options)
    assert (second.cache_hits, second.reclassified) == (1, 1)  # only classified again
    items = {row["item_id"]: row for row in _rows(tmp_path / "out" / "items.csv")}
    first_item, second_item = items[checked[0]["item_id"]], items[checked[1]["item_id"]]
    assert first_item["themes"] == "covid_impact"
    assert "labelled by hand (labels.csv line 2)" in first_item["theme_evidence"]
    assert second_item["themes"] == ""
    assert "by hand (labels.csv line 3)" in second_item["theme_evidence"]
    assert "by hand" not in items[review[2]["item_id"]]["theme_evidence"]
    # Checked items leave the list; the next most doubtful take their places.
    again = _rows(tmp_path / "out" / "review.csv")
    assert len(again) == 5
    assert {r["item_id"] for r in checked}.isdisjoint(r["item_id"] for r in again)
    assert [r["item_id"] for r in again[:3]] == [r["item_id"] for r in review[2:5]]


def _item(n: int, block: str, scores: dict[str, float], evidence=None) -> Item:
    return Item(
        item_id=f"i{n}", block_id="", doc_id="", source="s.pdf", municipality="町", page=1,
        block=block, session=None, level=1, parent_id="", context="", text=f"項目{n}",
        text_raw=f"項目{n}", themes=[t for t, s in scores.items() if s >= 0.4],
        scores=scores, evidence=evidence or {},
    )  # fmt: skip


def test_review_list_keeps_the_most_doubtful_within_its_size(settings):
    ids = [t.id for t in settings.themes]
    first, second = ids[0], ids[1]

    def scores(value: float, other: float = 0.0) -> dict[str, float]:
        return {t: 0.0 for t in ids} | {first: value, second: other}

    items = [
        _item(1, "課題意識", scores(0.9)),  # far from the threshold (0.4): 0.5 away
        _item(2, "課題意識", scores(0.41)),  # 0.01 away
        _item(3, "現状", scores(0.4)),  # on the threshold, but not a reviewed block
        _item(4, "到達点", scores(0.1, 0.37)),  # no theme given; 0.03 away (second theme)
        _item(5, "課題意識", scores(0.42)),  # 0.02 away
        _item(6, "課題意識", scores(0.4), {first: "labelled by hand (labels.csv line 2)"}),
        _item(7, "課題意識", scores(0.05)),  # no theme given; 0.35 away
        _item(8, "課題意識", scores(0.39, 0.36)),  # no theme given; 0.01 away
        _item(9, "課題意識", scores(0.41)),  # as item 2: after it, in the order they came
    ]
    # the scores above are placed around a threshold of 0.4, whatever themes.yaml says
    classifier = dataclasses.replace(settings.classifier, threshold=0.4)
    review = ReviewList(settings.themes, classifier, ReviewOptions(size=5))
    for item in items:
        review.add(item)
    rows = review.rows()
    item_id, near = COLUMNS.index("item_id"), COLUMNS.index("near_threshold")
    # Items given no theme first (most likely a theme missed), then by nearness.
    assert [r[item_id] for r in rows] == ["i8", "i4", "i7", "i2", "i9"]
    assert [r[COLUMNS.index("doubt")] for r in rows] == [1.99, 1.97, 1.65, 0.99, 0.99]
    assert rows[0][near] == f"{first} 0.39 not given; {second} 0.36 not given"
    assert rows[1][near] == f"{second} 0.37 not given"
    assert rows[2][near] == f"{first} 0.05 not given"  # far, but the nearest is named
    assert rows[3][near].startswith(f"{first} 0.41 given")

    nothing = ReviewList(settings.themes, settings.classifier, ReviewOptions(size=0))
    for item in items:
        nothing.add(item)
    assert nothing.rows() == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("review: 10", "review: found 10; expected a valid dictionary"),
        ("review:\n  size: -1", "review.size: found -1; expected greater than or equal to 0"),
        ("review:\n  size: many", "review.size: found 'many'; expected a valid integer"),
        ("review:\n  blocks: [課題]", r"review.blocks\[0\]: found '課題'; expected '現状'"),
        ("review:\n  rows: 5", "review.rows: unknown key; expected one of: size, blocks"),
    ],
)
def test_a_bad_review_section_is_named(tmp_path, section, message):
    path = tmp_path / "themes.yaml"
    path.write_text(section + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_review_options(path)


def test_review_section_defaults_and_values(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes: {}\n", encoding="utf-8")
    assert load_review_options(path) == ReviewOptions()
    path.write_text("review:\n  size: 20\n  blocks: 課題意識\n", encoding="utf-8")
    assert load_review_options(path) == ReviewOptions(size=20, blocks=("課題意識",))
