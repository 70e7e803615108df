"""Pairing gold items with predicted items: exact first, then fuzzy (difflib ratio)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipeline.evaluation.gold import ItemRecord, Key

FUZZY_THRESHOLD = 0.9


@dataclass(frozen=True)
class Pair:
    """A gold item matched to a predicted item (indices into Gold.items / Run.items)."""

    gold: int
    pred: int
    exact: bool


@dataclass
class Matching:
    pairs: list[Pair]
    # For unmatched gold items: the closest predicted text in the same block, for diagnosis.
    closest: dict[int, tuple[float, str]] = field(default_factory=dict)


def ratio(a: str, b: str) -> float:
    # autojunk would treat frequent characters of long texts as junk and distort the ratio.
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def match_texts(
    gold: list[str], pred: list[str], threshold: float = FUZZY_THRESHOLD
) -> list[tuple[int, int, bool]]:
    """One-to-one pairs (gold index, pred index, exact) between two lists of texts.

    Equal strings are paired first (so the exact count is the multiset intersection),
    then the remaining items greedily by best ratio >= threshold; ties go to the earlier
    items so that the result is deterministic.
    """
    pairs: list[tuple[int, int, bool]] = []
    free_pred: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(pred):
        free_pred[text].append(j)
    left_gold = []
    for i, text in enumerate(gold):
        if free_pred[text]:
            pairs.append((i, free_pred[text].pop(0), True))
        else:
            left_gold.append(i)
    left_pred = sorted(j for js in free_pred.values() for j in js)

    candidates = []
    for i in left_gold:
        for j in left_pred:
            matcher = SequenceMatcher(None, gold[i], pred[j], autojunk=False)
            # The cheap upper bounds skip most hopeless pairs.
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            r = matcher.ratio()
            if r >= threshold:
                candidates.append((-r, i, j))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used_gold and j not in used_pred:
            pairs.append((i, j, False))
            used_gold.add(i)
            used_pred.add(j)
    return sorted(pairs)


def match_items(gold: list[ItemRecord], pred: list[ItemRecord]) -> Matching:
    """Match items block by block: only items with the same key can pair."""
    gold_by_key: dict[Key, list[int]] = defaultdict(list)
    pred_by_key: dict[Key, list[int]] = defaultdict(list)
    for i, item in enumerate(gold):
        gold_by_key[item.key].append(i)
    for j, item in enumerate(pred):
        pred_by_key[item.key].append(j)

    matching = Matching([])
    for key, gold_ids in gold_by_key.items():
        pred_ids = pred_by_key.get(key, [])
        local = match_texts([gold[i].norm for i in gold_ids], [pred[j].norm for j in pred_ids])
        matching.pairs.extend(Pair(gold_ids[a], pred_ids[b], exact) for a, b, exact in local)
        matched = {a for a, _, _ in local}
        for a, i in enumerate(gold_ids):
            if a not in matched and pred_ids:
                matching.closest[i] = max(
                    (ratio(gold[i].norm, pred[j].norm), pred[j].text) for j in pred_ids
                )
    return matching
