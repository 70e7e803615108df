"""Which block an item's words belong to, learned from gold: a prior for text without positions.

A text extractor may give a slide's rows one after another with nothing between them
(the 現状 row's last bullet, then the 目指す姿 row's first), and label cells anywhere.
Where the layout says nothing, the words still do: 目指す姿 items say what the
municipality wants (…したい, …できる町), 課題意識 items what fails (…できていない), 基本情報
lines give dates and places. A character n-gram model trained on the sample's gold items
(configs/blocks.yaml `examples`, the held-out documents left out) tells the stream reader
how well a line fits each block of its slide.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

from pipeline.core.contract import BLOCKS, OTHER
from pipeline.core.normalize import compact, nfkc

# every labelled block teaches the model; その他 is what no label matched
_BLOCKS = frozenset(BLOCKS) - {OTHER}


def examples_from(paths: tuple[Path, ...]) -> list[tuple[str, str]]:
    """(text, block) of every gold item of the named gold.json files, held-out ones left out."""
    found = []
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        held = {d["file"] for d in data.get("documents", []) if d.get("held_out")}
        for muni in data["municipalities"]:
            if muni.get("file") in held:
                continue
            for block in muni["blocks"]:
                if block["block"] in _BLOCKS:
                    found.extend((item["text"], block["block"]) for item in block["items"])
    return found


class BlockModel:
    def __init__(self, examples: list[tuple[str, str]]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2
        )
        texts = [compact(text) for text, _ in examples]
        X = self.vectorizer.fit_transform(texts)
        self.model = LogisticRegression(C=4.0, max_iter=2000)
        self.model.fit(X, [block for _, block in examples])
        self.classes = list(self.model.classes_)

    def log_probs(self, texts: list[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        probabilities = self.model.predict_proba(
            self.vectorizer.transform([compact(t) for t in texts])
        )
        return [
            {c: math.log(max(p, 1e-6)) for c, p in zip(self.classes, row, strict=True)}
            for row in probabilities
        ]


@cache
def load(paths: tuple[Path, ...]) -> BlockModel | None:
    """The model trained on these gold files (once per process), or None without any."""
    examples = examples_from(tuple(p for p in paths if Path(p).is_file()))
    if len({block for _, block in examples}) < 2:
        return None
    return BlockModel(examples)


class JoinModel:
    """How well a line's first character follows another line's last, learned from the
    same gold items: a tool that reads boxes side by side across (a line of one, a line of
    the other) leaves each wrapped line to be joined to the line it goes on from, and
    words run on over the break (サー / ビス, 受 / 付). Pointwise mutual information of
    the two characters in the items' text, add-half smoothed; 0 where it says nothing."""

    def __init__(self, texts: list[str]):
        self.pairs: Counter = Counter()
        self.chars: Counter = Counter()
        for text in texts:
            text = nfkc(compact(text))
            self.chars.update(text)
            self.pairs.update(zip(text, text[1:], strict=False))
        self.total = sum(self.chars.values())
        self.size = len(self.chars) or 1

    @lru_cache(maxsize=65536)  # noqa: B019 - one model per process (load)
    def score(self, last: str, first: str) -> float:
        if not last or not first:
            return 0.0
        a, b = nfkc(last)[-1:], nfkc(first)[:1]
        if not a or not b:
            return 0.0
        follows = (self.pairs[(a, b)] + 0.5) / (self.chars[a] + 0.5 * self.size)
        alone = (self.chars[b] + 0.5) / (self.total + 0.5 * self.size)
        return math.log(follows / alone)


@cache
def load_joins(paths: tuple[Path, ...]) -> JoinModel | None:
    """The join model of these gold files (once per process), or None without any."""
    examples = examples_from(tuple(p for p in paths if Path(p).is_file()))
    return JoinModel([text for text, _ in examples]) if examples else None
