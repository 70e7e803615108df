"""review.csv: the items whose themes are most worth a person's check, most doubtful first.

Themes come from rules and a model that read new reports less well than the sample
(README, "How far to trust the themes"). What lifts a batch's figures is correcting its
own items through labels.csv. The items to correct first are those given no theme at
all, then those whose themes were nearly decided the other way (combine.doubt).
`make evaluate-themes` measures it (`--review`): on the six municipalities held out from
the rules, checking their 25 most doubtful labelled items (a fifth) lifts combined
micro-F1 from 0.60 to 0.72, 25 at random to 0.70; in cross-validation over all 32, from
0.82 to 0.89 (random 0.86). The gain is the checked items themselves: re-training on
them barely moves the others.

A row starts with labels.csv's columns (text, themes, block, municipality, checked): an
analyst corrects `themes`, marks `checked` in the rows looked at, and saves the file as
the batch's labels.csv; rows left unmarked are skipped when it is read, and the other
columns are there to decide and are ignored. Items already labelled by hand are left
out. The list keeps only its `size` rows while the documents stream past, so it costs
no memory on a large batch.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

import numpy as np

from pipeline.config.themes import ClassifierOptions, ReviewOptions, Theme
from pipeline.core.contract import join_list
from pipeline.core.records import Item
from pipeline.output.tables import evidence_text
from pipeline.stages.classify.combine import doubt, thresholds_of
from pipeline.stages.classify.hand_labels import is_hand_labelled

COLUMNS = [
    "text", "themes", "block", "municipality", "checked", "doubt", "near_threshold",
    "theme_evidence", "item_id", "source", "page",
]  # fmt: skip
DOUBT = COLUMNS.index("doubt")
NEAR = 0.15  # a theme whose score is this close to its threshold is named in the row


def most_doubtful_first(lists: Iterable[list[list[Any]]]) -> list[list[Any]]:
    """Several review lists (rows in COLUMNS order, each most doubtful first as
    ReviewList.rows gives it) as one list in the same order: the most doubtful first, and
    on equal doubt the row that came first (an earlier list's, then each list's own order).
    This is how the catalog merges the batches' review.csv files into one."""
    return list(heapq.merge(*lists, key=lambda row: -float(row[DOUBT])))


class ReviewList:
    """The `size` most doubtful items added so far; ties keep the order they came in."""

    def __init__(
        self, themes: tuple[Theme, ...], classifier: ClassifierOptions, options: ReviewOptions
    ):
        self._themes = themes
        self._ids = [t.id for t in themes]
        self._classifier = classifier
        self._thresholds = thresholds_of(themes, classifier)
        self._options = options
        self._heap: list[tuple[float, int, list[Any]]] = []  # (doubt, -order, row): min-heap
        self._seen = 0

    def add(self, item: Item) -> None:
        if (
            not self._options.size
            or item.block not in self._options.blocks
            or not item.scores
            or is_hand_labelled(item)
        ):
            return
        scores = np.array([[item.scores.get(t, 0.0) for t in self._ids]])
        value = float(doubt(scores, self._themes, self._classifier)[0])
        self._seen += 1
        rank = (value, -self._seen)  # on equal doubt, the item that came first stays
        if len(self._heap) < self._options.size:
            heapq.heappush(self._heap, (*rank, self._row(item, scores[0], value)))
        elif rank > self._heap[0][:2]:
            heapq.heapreplace(self._heap, (*rank, self._row(item, scores[0], value)))

    def rows(self) -> list[list[Any]]:
        """Most doubtful first."""
        return [row for *_, row in sorted(self._heap, key=lambda e: e[:2], reverse=True)]

    def _row(self, item: Item, scores: np.ndarray, value: float) -> list[Any]:
        distance = np.abs(scores - self._thresholds)
        order = np.argsort(distance, kind="stable")
        near = [
            f"{self._ids[j]} {scores[j]:.2f} {'given' if self._ids[j] in item.themes else 'not given'}"
            for k, j in enumerate(order)
            if distance[j] <= NEAR or k == 0  # the nearest always: an item given no theme
        ]
        return [
            item.text, join_list(item.themes), item.block, item.municipality, "", round(value, 3),
            "; ".join(near), evidence_text(item.evidence),
            item.item_id, item.source, item.page,
        ]  # fmt: skip
