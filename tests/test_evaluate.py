"""Tests of pipeline.evaluation (items, gold, matching): outputs are built FROM GOLD,
then damaged on purpose.

Every test runs on a small hand-written gold and, when it exists, on the generated
corpora/sample/gold.json as well.
"""

from __future__ import annotations

import argparse
import copy
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config.themes import theme_ids
from pipeline.evaluation.gold import EvaluationError, normalize_text
from pipeline.evaluation.items import configure_parser, evaluate, format_errors, format_report, run
from pipeline.evaluation.matching import match_texts, ratio

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_GOLD = ROOT / "corpora" / "sample" / "gold.json"

THEME_IDS = list(theme_ids())
BLOCK_COLUMNS = ["block_id", "doc_id", "source", "municipality", "section", "page", "block",
                 "session", "heading", "text"]  # fmt: skip
ITEM_COLUMNS = ["item_id", "block_id", "doc_id", "source", "municipality", "page", "block",
                "session", "level", "parent_id", "context", "text", "text_raw", "lemmas",
                "themes"] + [f"score_{t}" for t in THEME_IDS]  # fmt: skip
DOCUMENT_COLUMNS = ["doc_id", "source", "sha256", "pages", "status", "error"]


# --------------------------------------------------------------------------- small gold


def _item(text, themes=None, level=1, parent=None, context=None):
    return {"text": text, "level": level, "parent": parent, "context": context, "themes": themes}


def _block(block, items, session=None, page=1, heading=None):
    return {"block": block, "heading": heading or block, "session": session, "page": page,
            "items": items}  # fmt: skip


def _municipality(name, source, file, variant, blocks):
    return {"municipality": name, "source": source, "file": file, "variant": variant,
            "blocks": blocks}  # fmt: skip


SMALL_GOLD = {
    "batch": "small",
    "documents": [
        {"file": "r03_kono.pdf", "variant": "wide_single", "pages": 3,
         "municipalities": ["甲野市"]},
        {"file": "r04_set.pdf", "variant": "wide_multi", "pages": 6,
         "municipalities": ["乙川町", "丙山市"]},
    ],  # fmt: skip
    "municipalities": [
        _municipality("甲野市", "kono", "r03_kono.pdf", "wide_single", [
            _block("現状", [
                _item("地域包括支援センターは直営1か所・委託3か所で、生活支援コーディネーターは社協に委託している"),
                _item("総合事業は現行相当サービスのみで、訪問型サービスA・Bは未実施"),
                _item("コロナ禍で通いの場の約6割が活動を休止した"),
            ]),
            _block("課題意識", [
                _item("生活支援コーディネーターの役割が庁内で共有されておらず、活動が個別の相談対応にとどまっている",
                      ["sc_development", "policy_vision"]),
                _item("介護予防ケアマネジメントが利用者のできないことの補完になりがちである", ["care_management"]),
                _item("地域ケア会議は年4回開催しているが、地域課題の抽出につながっていない",
                      ["community_meeting", "needs_analysis"]),
            ]),
            _block("まとめ", [_item("市として目指す姿はあるが、関係者の間で共有されていない")]),
            _block("基本情報", [_item("日時：令和3年9月14日（火）13:30～16:00"),
                              _item("場所：甲野市役所 3階 第2会議室")], session=1, page=2),
            _block("基本情報", [_item("日時：令和3年11月9日（火）10:00～12:00"),
                              _item("場所：オンライン（Zoom）")], session=2, page=2),
            _block("実施内容", [_item("事前ヒアリングの結果共有"),
                              _item("市の現状と課題の整理（グループワーク）")], session=1, page=2),
            _block("到達点", [
                _item("市が目指す姿を言語化し、関係者で共有することができた", ["policy_vision"],
                      context="【甲野市の到達点】"),
                _item("課長・係長を含めた庁内会議で確認した", ["policy_vision"], level=2, parent=0,
                      context="【甲野市の到達点】"),
                _item("SCの役割を整理し、委託仕様書の見直しに着手した", ["sc_development"],
                      context="【甲野市の到達点】"),
                _item("短期集中予防サービスの試行が決まった", [], context="【甲野市の到達点】"),
            ], page=3, heading="3回の伴走支援を終えた後の到達点"),
            _block("まとめ", [_item("目指す姿の言語化を起点に、SCの役割整理とサービスの再編が動き出した")],
                   page=3),
        ]),
        _municipality("乙川町", "otokawa", "r04_set.pdf", "wide_multi", [
            _block("現状", [
                _item("人口約1.2万人の町で、高齢化率は40%を超えている"),
                _item("シルバー人材センターと社会福祉協議会の連携がこれまでなかった"),
            ]),
            _block("課題意識", [
                _item("担い手となるボランティアが高齢化し、新たな人材が見つからない", ["workforce"]),
                _item("介護予防に無関心な住民にどう情報を届けるかがわからない", ["resident_outreach"]),
            ]),
            _block("実施内容", [_item("協議体の進め方に関する意見交換")], session=1, page=2),
        ]),
        _municipality("丙山市", "heiyama", "r04_set.pdf", "wide_multi", [
            _block("現状", [_item("要支援者の状態像やニーズを地区ごとに把握できていない")], page=4),
            _block("到達点", [
                _item("包括とSCが地区ごとの資源マップを一緒に作り始めた",
                      ["collaboration", "needs_analysis"]),
                _item("通所型サービスCの卒業後の行き先を整理した", ["service_design"]),
            ], page=6),
        ]),
    ],
}  # fmt: skip


@dataclass
class GoldCase:
    data: dict
    path: Path


@pytest.fixture(params=["small", "sample"])
def gold(request, tmp_path) -> GoldCase:
    if request.param == "sample":
        if not SAMPLE_GOLD.is_file():
            pytest.skip(f"{SAMPLE_GOLD} not generated yet")
        return GoldCase(json.loads(SAMPLE_GOLD.read_text(encoding="utf-8")), SAMPLE_GOLD)
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    return GoldCase(copy.deepcopy(SMALL_GOLD), path)


# --------------------------------------------------------------------------- outputs from gold


@dataclass
class Outputs:
    """Rows of the three CSV files, to be damaged by a test before writing."""

    blocks: list[dict]
    items: list[dict]
    documents: list[dict]


def outputs_from_gold(gold: dict) -> Outputs:
    """What a perfect pipeline run would write for this gold."""
    docs = {d["file"]: (f"d{n:03d}", d) for n, d in enumerate(gold["documents"], 1)}
    out = Outputs([], [], [])
    for file, (doc_id, doc) in docs.items():
        out.documents.append({"doc_id": doc_id, "source": file, "sha256": "0" * 64,
                              "pages": str(doc["pages"]), "status": "ok", "error": ""})  # fmt: skip
    block_no: dict[str, int] = {}
    for muni in gold["municipalities"]:
        doc_id, doc = docs[muni["file"]]
        multi = len(doc["municipalities"]) > 1
        section = str(doc["municipalities"].index(muni["municipality"]) + 1) if multi else ""
        for block in muni["blocks"]:
            block_no[doc_id] = block_no.get(doc_id, 0) + 1
            block_id = f"{doc_id}-b{block_no[doc_id]:03d}"
            session = "" if block["session"] is None else str(block["session"])
            common = {"block_id": block_id, "doc_id": doc_id, "source": muni["file"],
                      "municipality": muni["municipality"], "page": str(block["page"]),
                      "block": block["block"], "session": session}  # fmt: skip
            out.blocks.append({**common, "section": section, "heading": block["heading"],
                               "text": "\n".join(i["text"] for i in block["items"])})  # fmt: skip
            ids = [f"{block_id}-i{k:02d}" for k in range(1, len(block["items"]) + 1)]
            for item_id, item in zip(ids, block["items"], strict=True):
                themes = sorted(item["themes"] or [])
                out.items.append({
                    **common, "item_id": item_id, "level": str(item["level"]),
                    "parent_id": "" if item["parent"] is None else ids[item["parent"]],
                    "context": item["context"] or "",
                    "text": unicodedata.normalize("NFKC", item["text"]), "text_raw": item["text"],
                    "lemmas": "", "themes": ";".join(themes),
                    **{f"score_{t}": "1.0" if t in themes else "0.0" for t in THEME_IDS},
                })  # fmt: skip
    return out


def write_outputs(out: Outputs, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, columns in (("blocks.csv", out.blocks, BLOCK_COLUMNS),
                                ("items.csv", out.items, ITEM_COLUMNS),
                                ("documents.csv", out.documents, DOCUMENT_COLUMNS)):  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        frame.to_csv(folder / name, index=False, encoding="utf-8-sig")
    return folder


def score(gold: GoldCase, out: Outputs, tmp_path: Path) -> dict:
    return evaluate(write_outputs(out, tmp_path / "run"), gold.path)


def key(row: dict) -> tuple:
    return (row["municipality"], row["block"], row["session"])


def isolated(out: Outputs, index: int, text: str | None = None) -> bool:
    """True if the item (or `text` put in its place) cannot be confused with a neighbour."""
    row = out.items[index]
    norm = normalize_text(text if text is not None else row["text"])
    return all(
        ratio(norm, normalize_text(other["text"])) < 0.9
        for j, other in enumerate(out.items)
        if j != index and key(other) == key(row)
    )


def pick(out: Outputs, predicate) -> int:
    for index, row in enumerate(out.items):
        if predicate(row) and isolated(out, index):
            return index
    pytest.skip("no item in this gold fits the damage")


def labelled(gold: dict) -> list[tuple[dict, dict]]:
    return [(m, i) for m in gold["municipalities"] for b in m["blocks"] for i in b["items"]
            if i["themes"] is not None]  # fmt: skip


def variant_of(gold: dict, municipality: str) -> str:
    return next(m["variant"] for m in gold["municipalities"] if m["municipality"] == municipality)


def figures(result: dict):
    """Every (path, value) score figure in a result, per-theme included."""
    scopes = {"overall": result["overall"], **result["variants"]}
    for name, fig in scopes.items():
        yield f"{name}.municipalities.recall", fig["municipalities"]["recall"]
        for part in ("blocks", "items_exact", "items_fuzzy"):
            for measure in ("precision", "recall", "f1"):
                yield f"{name}.{part}.{measure}", fig[part][measure]
        yield f"{name}.themes.micro_f1", fig["themes"]["micro_f1"]
        yield f"{name}.themes.macro_f1", fig["themes"]["macro_f1"]
        for theme, s in fig["themes"]["per_theme"].items():
            for measure in ("precision", "recall", "f1"):
                yield f"{name}.themes.{theme}.{measure}", s[measure]


# --------------------------------------------------------------------------- perfect


def test_perfect_output_scores_one_everywhere(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    result = score(gold, out, tmp_path)
    values = dict(figures(result))
    assert values and all(v == 1.0 for v in values.values()), {
        k: v for k, v in values.items() if v != 1.0
    }
    overall = result["overall"]
    assert overall["items_exact"]["gold"] == overall["items_exact"]["pred"] == len(out.items)
    assert overall["blocks"]["matched"] == len(out.blocks)
    assert (
        overall["themes"]["evaluated"] == overall["themes"]["labelled"] == len(labelled(gold.data))
    )
    assert sum(v["themes"]["labelled"] for v in result["variants"].values()) == len(
        labelled(gold.data)
    )
    assert result["errors"]["unmatched_gold"] == result["errors"]["unmatched_pred"] == []
    assert list(result["variants"]) == list(
        dict.fromkeys(d["variant"] for d in gold.data["documents"])
    )
    json.dumps(result)  # JSON-serialisable


# --------------------------------------------------------------------------- damaged


def test_dropped_item_lowers_recall_only(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    n = len(out.items)
    victim = out.items.pop(pick(out, lambda r: True))
    result = score(gold, out, tmp_path)
    for part in ("items_exact", "items_fuzzy"):
        fig = result["overall"][part]
        assert fig["precision"] == 1.0
        assert fig["recall"] == pytest.approx((n - 1) / n)
    assert result["overall"]["blocks"]["f1"] == 1.0
    # Only the victim's variant is hurt.
    for name, fig in result["variants"].items():
        hurt = name == variant_of(gold.data, victim["municipality"])
        assert (fig["items_exact"]["recall"] < 1.0) == hurt
    assert [e["text"] for e in result["errors"]["unmatched_gold"]] == [victim["text_raw"]]
    assert result["errors"]["unmatched_pred"] == []


def test_two_items_merged_into_one(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    n = len(out.items)
    # Two neighbours of the same block, long enough that the merge matches neither.
    first = next(
        (
            i
            for i in range(len(out.items) - 1)
            if key(out.items[i]) == key(out.items[i + 1])
            and isolated(out, i)
            and isolated(out, i + 1)
            and _merge_unmatchable(out.items[i]["text"], out.items[i + 1]["text"])
        ),
        None,
    )
    if first is None:
        pytest.skip("no two neighbouring items to merge")
    second = out.items.pop(first + 1)
    out.items[first]["text"] += second["text"]
    result = score(gold, out, tmp_path)
    for part in ("items_exact", "items_fuzzy"):
        fig = result["overall"][part]
        assert fig["pred"] == n - 1
        assert fig["matched"] == n - 2
        assert fig["precision"] == pytest.approx((n - 2) / (n - 1))
        assert fig["recall"] == pytest.approx((n - 2) / n)
    assert result["errors"]["unmatched_gold_total"] == 2
    assert result["errors"]["unmatched_pred_total"] == 1


def _merge_unmatchable(a: str, b: str) -> bool:
    merged = normalize_text(a + b)
    return ratio(merged, normalize_text(a)) < 0.9 and ratio(merged, normalize_text(b)) < 0.9


def test_item_moved_to_wrong_block(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    n = len(out.items)
    index = pick(out, lambda r: r["block"] == "現状")
    out.items[index]["block"] = "課題意識"
    result = score(gold, out, tmp_path)
    overall = result["overall"]
    # blocks.csv is untouched: block figures stay perfect, the items do not.
    assert overall["blocks"]["precision"] == overall["blocks"]["recall"] == 1.0
    for part in ("items_exact", "items_fuzzy"):
        assert overall[part]["pred"] == overall[part]["gold"] == n
        assert overall[part]["f1"] == pytest.approx((n - 1) / n)
    (missed,) = result["errors"]["unmatched_gold"]
    (spurious,) = result["errors"]["unmatched_pred"]
    assert (missed["block"], spurious["block"]) == ("現状", "課題意識")
    assert missed["text"] == out.items[index]["text_raw"]


def test_block_with_wrong_label(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    nb, n = len(out.blocks), len(out.items)
    target = out.blocks[0]
    target["block"] = "現況"
    moved = [r for r in out.items if r["block_id"] == target["block_id"]]
    for row in moved:
        row["block"] = "現況"
    result = score(gold, out, tmp_path)
    blocks = result["overall"]["blocks"]
    assert (blocks["gold"], blocks["pred"], blocks["matched"]) == (nb, nb, nb - 1)
    assert blocks["precision"] == blocks["recall"] == pytest.approx((nb - 1) / nb)
    assert result["overall"]["items_exact"]["f1"] == pytest.approx((n - len(moved)) / n)


def test_wrong_theme_lowers_theme_scores_only(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    index = pick(out, lambda r: r["themes"] != "")
    truth = set(out.items[index]["themes"].split(";"))
    wrong = next(t for t in THEME_IDS if t not in truth)
    out.items[index]["themes"] = wrong
    total = sum(len(i["themes"]) for _, i in labelled(gold.data))
    k = len(truth)
    result = score(gold, out, tmp_path)
    overall = result["overall"]
    assert overall["items_exact"]["f1"] == overall["items_fuzzy"]["f1"] == 1.0
    micro = overall["themes"]["micro"]
    assert micro["precision"] == pytest.approx((total - k) / (total - k + 1))
    assert micro["recall"] == pytest.approx((total - k) / total)
    assert overall["themes"]["macro_f1"] < 1.0
    per_theme = overall["themes"]["per_theme"]
    assert per_theme[wrong]["precision"] < 1.0
    assert all(per_theme[t]["recall"] < 1.0 for t in truth)


def test_missing_municipality_lowers_municipality_recall(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    names = [m["municipality"] for m in gold.data["municipalities"]]
    gone = names[-1]
    out.blocks = [r for r in out.blocks if r["municipality"] != gone]
    out.items = [r for r in out.items if r["municipality"] != gone]
    result = score(gold, out, tmp_path)
    munis = result["overall"]["municipalities"]
    assert munis["recall"] == pytest.approx((len(names) - 1) / len(names))
    assert munis["missing"] == [gone]
    variant = variant_of(gold.data, gone)
    in_variant = sum(1 for m in gold.data["municipalities"] if m["variant"] == variant)
    assert result["variants"][variant]["municipalities"]["recall"] == pytest.approx(
        (in_variant - 1) / in_variant
    )
    assert result["overall"]["blocks"]["precision"] == 1.0
    assert result["overall"]["blocks"]["recall"] < 1.0
    assert gone in format_report(result)


def test_municipality_not_in_gold_counts_as_false_positives(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    n = len(out.items)
    victim = gold.data["municipalities"][0]
    k = sum(len(b["items"]) for b in victim["blocks"])
    for row in out.blocks + out.items:
        if row["municipality"] == victim["municipality"]:
            row["municipality"] = "架空市"
    result = score(gold, out, tmp_path)
    overall = result["overall"]
    assert overall["items_exact"]["precision"] == pytest.approx((n - k) / n)
    assert overall["items_exact"]["recall"] == pytest.approx((n - k) / n)
    assert result["errors"]["unknown_municipalities"] == ["架空市"]
    # Attributed by its source file to the right variant, not to "unknown".
    assert "unknown" not in result["variants"]
    assert result["variants"][victim["variant"]]["items_exact"]["pred"] > 0


def test_whitespace_and_width_differences_still_match_exactly(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    index = pick(out, lambda r: any(c.isascii() and c.isalnum() for c in r["text"]))
    text = out.items[index]["text"]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    assert wide != text
    middle = len(wide) // 2
    out.items[index]["text"] = " " + wide[:middle] + "\n" + wide[middle:] + "\u3000"
    result = score(gold, out, tmp_path)
    assert result["overall"]["items_exact"]["f1"] == 1.0


def test_one_changed_character_matches_fuzzily_not_exactly(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    n = len(out.items)
    index = pick(out, lambda r: len(normalize_text(r["text"])) >= 30)
    text = out.items[index]["text"]
    middle = len(text) // 2
    out.items[index]["text"] = (
        text[:middle] + ("〓" if text[middle] != "〓" else "＃") + text[middle + 1 :]
    )
    result = score(gold, out, tmp_path)
    overall = result["overall"]
    assert overall["items_exact"]["f1"] == pytest.approx((n - 1) / n)
    assert overall["items_fuzzy"]["f1"] == 1.0
    assert overall["themes"]["micro_f1"] == 1.0  # the fuzzy pair still carries its themes
    errors = result["errors"]
    assert errors["unmatched_gold"] == errors["unmatched_pred"] == []
    (near,) = errors["fuzzy_only"]
    assert near["text"] == out.items[index]["text_raw"]
    assert near["predicted"] == out.items[index]["text"]
    assert near["ratio"] >= 0.9


def test_unmatched_gold_item_shows_closest_candidate(gold, tmp_path):
    out = outputs_from_gold(gold.data)
    index = pick(out, lambda r: len(normalize_text(r["text"])) >= 20)
    text = out.items[index]["text"]
    out.items[index]["text"] = text[: len(text) // 2]  # truncated: too short to match
    result = score(gold, out, tmp_path)
    (missed,) = result["errors"]["unmatched_gold"]
    assert missed["closest"]["text"] == out.items[index]["text"]
    assert missed["closest"]["ratio"] < 0.9
    assert "closest" in format_errors(result, 5)


def test_empty_outputs(gold, tmp_path):
    result = score(gold, Outputs([], [], []), tmp_path)
    overall = result["overall"]
    assert overall["municipalities"]["recall"] == 0.0
    for part in ("blocks", "items_exact", "items_fuzzy"):
        assert overall[part]["precision"] is None  # nothing predicted: n/a, not 0 or 1
        assert overall[part]["recall"] == 0.0
        assert overall[part]["f1"] == 0.0
    assert overall["themes"]["micro_f1"] is None
    assert overall["themes"]["evaluated"] == 0
    assert "-" in format_report(result)
    json.dumps(result)


# --------------------------------------------------------------------------- pieces


def test_match_texts_pairs_exact_first_then_best_ratio():
    gold = ["あいうえおかきくけこさしすせそ", "たちつてとなにぬねのはひふへほ", "まみむめも"]
    pred = ["たちつてとなにぬねのはひふへぼ", "あいうえおかきくけこさしすせそ", "らりるれろ"]
    assert match_texts(gold, pred) == [(0, 1, True), (1, 0, False)]
    assert match_texts(["同じ", "同じ"], ["同じ"]) == [(0, 0, True)]
    assert match_texts([], ["x"]) == []


def test_normalize_text():
    assert normalize_text("ＳＣ と\n包括\u3000（２名）") == "SCと包括(2名)"


def test_missing_items_csv_raises(tmp_path):
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    out = write_outputs(outputs_from_gold(SMALL_GOLD), tmp_path / "run")
    (out / "items.csv").unlink()
    with pytest.raises(EvaluationError, match=r"no items\.csv in .*make pipeline"):
        evaluate(out, gold_path)
    with pytest.raises(EvaluationError, match="no output folder"):
        evaluate(tmp_path / "nowhere", gold_path)
    with pytest.raises(EvaluationError, match="--gold"):
        evaluate(out, tmp_path / "no_gold.json")


def test_missing_column_raises(tmp_path):
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    out = write_outputs(outputs_from_gold(SMALL_GOLD), tmp_path / "run")
    frame = pd.read_csv(out / "items.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame.drop(columns=["themes"]).to_csv(out / "items.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(EvaluationError, match="lacks column.*themes"):
        evaluate(out, gold_path)


# --------------------------------------------------------------------------- command line


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipeline evaluate")
    configure_parser(parser)
    return parser.parse_args(argv)


def test_run_writes_json_and_prints_report(gold, tmp_path, capsys):
    out = outputs_from_gold(gold.data)
    out.items.pop(pick(out, lambda r: True))
    folder = write_outputs(out, tmp_path / "run")
    assert run(parse([str(folder), "--gold", str(gold.path), "--errors", "5"])) == 0
    printed = capsys.readouterr().out
    assert "overall" in printed and "missed (gold): 1 item(s)" in printed
    written = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    assert written["overall"]["items_exact"]["recall"] < 1.0
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_parser_defaults():
    args = parse([])
    assert args.output_dir == Path("outputs/sample")
    assert args.gold is None and args.json is None and args.errors == 0
    with pytest.raises(SystemExit):
        parse(["--errors", "-1"])


def test_run_json_option(tmp_path, capsys):
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    folder = write_outputs(outputs_from_gold(SMALL_GOLD), tmp_path / "run")
    target = tmp_path / "reports" / "eval.json"
    assert run(parse([str(folder), "--gold", str(gold_path), "--json", str(target)])) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["overall"]["items_exact"]["f1"] == 1.0
    assert not (folder / "evaluation.json").exists()
    assert f"wrote {target}" in capsys.readouterr().out


def test_run_missing_items_returns_2(tmp_path, capsys):
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    folder = write_outputs(outputs_from_gold(SMALL_GOLD), tmp_path / "run")
    (folder / "items.csv").unlink()
    target = tmp_path / "elsewhere" / "eval.json"
    assert run(parse([str(folder), "--gold", str(gold_path), "--json", str(target)])) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"error: no items.csv in {folder} — run `make pipeline` first"
    assert captured.out == ""
    assert not target.exists()


def test_format_report_lists_variants_and_themes(tmp_path):
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(SMALL_GOLD, ensure_ascii=False), encoding="utf-8")
    result = evaluate(write_outputs(outputs_from_gold(SMALL_GOLD), tmp_path / "run"), gold_path)
    report = format_report(result)
    lines = report.splitlines()
    assert any(line.startswith("overall ") and "1.000" in line for line in lines)
    assert any(line.startswith("wide_multi ") for line in lines)
    assert "needs_analysis" in report and "support" in report
    assert format_errors(result, 3).count(": 0 item(s)") == 3


def test_in_sample_theme_figures_are_flagged(tmp_path):
    from pipeline.evaluation.items import _model_trained_on

    sample_gold = Path(__file__).resolve().parent.parent / "corpora" / "sample" / "gold.json"
    assert _model_trained_on(sample_gold)  # configs/themes.yaml trains on it
    other = tmp_path / "gold.json"
    other.write_text(sample_gold.read_text(encoding="utf-8"), encoding="utf-8")
    assert not _model_trained_on(other)
