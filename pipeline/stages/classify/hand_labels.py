"""Themes an analyst set by hand in the batch's `labels.csv` win over the classifier.

A `labels.csv` beside a batch trains the model (training.py), but training alone does
not promise that the very item an analyst corrected comes out corrected: rules and the
other examples may still outvote it. So an item whose text (NFKC, whitespace ignored)
is in the batch's labels.csv gets exactly the themes written there, with scores 1/0, and
its `theme_evidence` names the file and line, and what the classifier had said of a theme
the analyst removed. A row with `municipality` or `block` filled in applies only to
items of that municipality or block.

Only the batch's own labels.csv corrects items: the sample gold the model learns from
is training data, not a correction, so the sample's outputs still show the classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.normalize import nfkc
from pipeline.core.records import Item
from pipeline.stages.classify.training import TrainingDataError, label_rows

_SPACE = re.compile(r"\s+")
LABELLED, REMOVED = "labelled by hand", "removed by hand"  # how theme_evidence says it


def text_key(text: str) -> str:
    return _SPACE.sub("", nfkc(text))


@dataclass(frozen=True)
class HandLabel:
    themes: tuple[str, ...]
    municipality: str  # empty: any municipality
    block: str  # empty: any block
    where: str  # "labels.csv line 4"

    def fits(self, item: Item) -> bool:
        return (not self.municipality or self.municipality == item.municipality) and (
            not self.block or self.block == item.block
        )


def load_hand_labels(path: Path, theme_ids: tuple[str, ...]) -> dict[str, list[HandLabel]]:
    """text key → the rows of a labels.csv with that text, in file order."""
    labels: dict[str, list[HandLabel]] = {}
    for row in label_rows(path):
        unknown = [t for t in row.themes if t not in theme_ids]
        if unknown:
            raise TrainingDataError(
                f"{path}: line {row.line}: unknown theme `{unknown[0]}` "
                f"(themes.yaml knows {', '.join(sorted(theme_ids))})"
            )
        labels.setdefault(text_key(row.text), []).append(
            HandLabel(row.themes, row.municipality, row.block, f"{Path(path).name} line {row.line}")
        )
    return labels


def is_hand_labelled(item: Item) -> bool:
    """Whether the item's themes were set through the batch's labels.csv."""
    return any(v.startswith((LABELLED, REMOVED)) for v in item.evidence.values())


def apply_hand_labels(
    items: list[Item], labels: dict[str, list[HandLabel]], theme_ids: list[str]
) -> int:
    """Set the themes of every item labelled by hand; returns how many were."""
    changed = 0
    for item in items:
        label = next((x for x in labels.get(text_key(item.text), []) if x.fits(item)), None)
        if label is None:
            continue
        evidence = {}
        for theme in theme_ids:
            if theme in label.themes:
                evidence[theme] = f"{LABELLED} ({label.where})"
            elif theme in item.evidence:  # the classifier gave it, or a rule matched
                evidence[theme] = f"{REMOVED} ({label.where}) | {item.evidence[theme]}"
        if not evidence:  # labelled with no theme, and no theme to take away: still say so
            evidence[""] = f"{LABELLED} ({label.where}): no theme"
        item.themes = [t for t in theme_ids if t in label.themes]
        item.scores = {t: 1.0 if t in label.themes else 0.0 for t in theme_ids}
        item.evidence = evidence
        changed += 1
    return changed
