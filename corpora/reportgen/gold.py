"""Gold annotations, built from the sources alone, never read back from the PDFs."""

from __future__ import annotations

import json


def source_pages(continued: bool) -> int:
    return 4 if continued else 3


def gold_items(items: list[dict], labelled: bool, context: str | None = None) -> list[dict]:
    """Items and their ➢ children, flattened in drawing order; parent = index in the list."""
    out = []
    for item in items:
        parent = len(out)
        for level, it in [(1, item)] + [(2, c) for c in item.get("children") or []]:
            themes = it["themes"] if labelled else None
            out.append(
                gold_item(it["text"], level, parent if level == 2 else None, context, themes)
            )
    return out


def gold_item(text, level, parent, context, themes) -> dict:
    themes = list(themes) if themes is not None else None
    return {"text": text, "level": level, "parent": parent, "context": context, "themes": themes}


def gold_block(block, heading, session, page, items) -> dict:
    return {"block": block, "heading": heading, "session": session, "page": page, "items": items}


def gold_lines(lines: list[str]) -> list[dict]:
    return [gold_item(text, 1, None, None, None) for text in lines]


def source_gold_blocks(src: dict, first_page: int, continued: bool) -> list[dict]:
    """The blocks of one municipality in slide order, with the page each starts on."""
    sit, ov, res = src["situation"], src["overview"], src["results"]
    goal = sit["目指す姿"]
    p1 = first_page
    p_summary1 = p1 + 1 if continued else p1  # the continuation slide carries the ⚫ lines
    p2 = p_summary1 + 1
    p3 = p2 + 1
    blocks = [
        gold_block("現状", "現状", None, p1, gold_items(sit["現状"], False)),
        gold_block("目指す姿", goal["heading"], None, p1, gold_items(goal["items"], False)),
        gold_block("課題意識", "課題意識", None, p1, gold_items(sit["課題意識"], True)),
        gold_block("まとめ", "まとめ", None, p_summary1, gold_lines(sit["まとめ"])),
    ]
    for n, s in enumerate(ov["sessions"], 1):
        blocks.append(gold_block("基本情報", "基本情報", n, p2, gold_lines(s["基本情報"])))
    for n, s in enumerate(ov["sessions"], 1):
        blocks.append(gold_block("実施内容", "実施内容", n, p2, gold_items(s["実施内容"], False)))
    blocks.append(gold_block("支援体制", "支援体制", None, p2, gold_items(ov["支援体制"], False)))
    a, r, d = res["アセスメント結果"], res["到達点"], res["支援内容"]
    blocks.append(
        gold_block("アセスメント結果", a["heading"], None, p3, gold_items(a["items"], True))
    )
    blocks.append(
        gold_block("到達点", r["heading"], None, p3, gold_items(r["items"], True, r["subheading"]))
    )
    done = []
    for s in d["sessions"]:
        done.extend(gold_items(s["items"], False, s["heading"]))
    blocks.append(gold_block("支援内容", d["heading"], None, p3, done))
    blocks.append(gold_block("まとめ", "まとめ", None, p3, gold_lines(res["まとめ"])))
    return blocks


def build_gold(batch: str, docs: list[dict], sources: dict) -> dict:
    """Gold for a list of documents, from the sources alone."""
    documents, municipalities = [], []
    for doc in docs:
        page = 1
        for sid in doc["sources"]:
            src = sources[sid]
            municipalities.append(
                {
                    "municipality": src["municipality"],
                    "source": sid,
                    "file": doc["file"],
                    "variant": doc["variant"],
                    "blocks": source_gold_blocks(src, page, doc["continued"]),
                }
            )
            page += source_pages(doc["continued"])
        documents.append(
            {
                "file": doc["file"],
                "held_out": doc.get("held_out", False),
                "variant": doc["variant"],
                "pages": page - 1,
                "municipalities": [sources[sid]["municipality"] for sid in doc["sources"]],
            }
        )
    return {"batch": batch, "documents": documents, "municipalities": municipalities}


def gold_json(gold: dict) -> bytes:
    return (json.dumps(gold, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def plural(n: int, word: str, words: str) -> str:
    return f"{n} {word if n == 1 else words}"


def describe(gold: dict, file: str | None = None) -> str:
    """'3 pages, 1 municipality, 42 items' for one file, or the totals of a gold file."""
    docs = [d for d in gold["documents"] if file in (None, d["file"])]
    munis = [m for m in gold["municipalities"] if file in (None, m["file"])]
    items = sum(len(b["items"]) for m in munis for b in m["blocks"])
    first = plural(sum(d["pages"] for d in docs), "page", "pages")
    if file is None:
        first = plural(len(docs), "document", "documents")
    return f"{first}, {plural(len(munis), 'municipality', 'municipalities')}, {items} items"
