"""Gold annotations (gold.json, docs/corpus.md) read into the records scoring compares:
items and blocks keyed by (municipality, block, session), texts normalised as compared."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.normalize import compact


class EvaluationError(PipelineError):
    """A run or gold file cannot be scored; the message says what to do about it."""


Key = tuple[str, str, str]  # (municipality, block, session), all normalised


@dataclass(frozen=True)
class ItemRecord:
    """One item, gold or predicted, reduced to what scoring needs."""

    variant: str
    municipality: str  # as written (for error listings)
    block: str
    session: str  # "" or "1" / "2" / "3"
    text: str  # as written (for error listings)
    themes: frozenset[str] | None  # None: gold item without theme labels
    key: Key
    norm: str  # text after NFKC and whitespace removal: what is compared


@dataclass(frozen=True)
class BlockRecord:
    variant: str
    key: Key


@dataclass
class Gold:
    municipalities: dict[str, str]  # normalised name → name as written
    variant_of: dict[str, str]  # normalised municipality → variant
    variant_of_file: dict[str, str]  # document file name → variant
    variants: list[str]  # in gold order
    blocks: list[BlockRecord]
    items: list[ItemRecord]


# NFKC, then drop every whitespace character (NFKC itself can produce spaces).
normalize_text = compact


def normalize_session(value: object) -> str:
    """Gold has null / 1; the CSVs have "" / "1" (or "1.0" if a float slipped through)."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        return normalize_text(text)
    return str(int(number)) if number.is_integer() else text


def make_key(municipality: str, block: str, session: object) -> Key:
    return (normalize_text(municipality), normalize_text(block), normalize_session(session))


def load_gold(path: Path) -> Gold:
    if not path.is_file():
        raise EvaluationError(f"no gold file {path} — run `make generate` or pass --gold FILE")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return parse_gold(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EvaluationError(
            f"{path} is not a gold.json as described in docs/corpus.md ({exc!r}) — "
            "regenerate it with `make generate`"
        ) from exc


def parse_gold(data: dict) -> Gold:
    variant_of_file: dict[str, str] = {}
    variants: list[str] = []
    for doc in data.get("documents", []):
        variant_of_file[Path(doc["file"]).name] = doc["variant"]
        _append_new(variants, doc["variant"])

    gold = Gold({}, {}, variant_of_file, variants, [], [])
    for muni in data["municipalities"]:
        name, variant = muni["municipality"], muni["variant"]
        _append_new(gold.variants, variant)
        gold.municipalities[normalize_text(name)] = name
        gold.variant_of[normalize_text(name)] = variant
        if muni.get("file"):
            gold.variant_of_file.setdefault(Path(muni["file"]).name, variant)
        for block in muni["blocks"]:
            key = make_key(name, block["block"], block.get("session"))
            gold.blocks.append(BlockRecord(variant, key))
            for item in block["items"]:
                themes = item.get("themes")
                gold.items.append(
                    ItemRecord(
                        variant=variant,
                        municipality=name,
                        block=block["block"],
                        session=key[2],
                        text=item["text"],
                        themes=None if themes is None else frozenset(themes),
                        key=key,
                        norm=normalize_text(item["text"]),
                    )
                )
    return gold


def _append_new(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)
