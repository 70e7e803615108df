"""Topics nobody listed: what recurs in a batch's items, and how much of it the themes cover.

A topic model over a finished run's items (items.csv: lemmas and compound phrases, never
a new analysis): TF-IDF of each item's content words, factorised by NMF with a fixed seed,
so the same batch gives the same topics. The number of topics K, unless given, is the one
whose topics hold together best in this batch: the mean NPMI of each topic's top words,
counted over items (do the words of a topic occur in the same items more often than
chance?). Each item belongs to its strongest topic. A topic most of whose items carry no
theme of configs/themes.yaml is a candidate for a new theme: the taxonomy has a gap there. "Most" is weighed against the batch: the classifier
gives some wrong theme to many items it has no theme for, so a gap shows as a topic with
far more items without a theme than the batch has overall (a binomial test), not only as
a topic whose items all lack one.

Which K shows a gap depends on the batch: at a small K a gap's items are folded into a
broad topic, at a larger one they stand apart. So every K tried is searched for
candidates, and the flagged topics of different K that share most of their items are one
gap (gaps.csv), with the K at which it was flagged.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.core.contract import FOCUS_BLOCKS, split_list
from pipeline.core.errors import PipelineError
from pipeline.output.files import write_atomic, write_csv
from pipeline.views.figures import content_words
from pipeline.views.outputs import Outputs, in_blocks

TOP_WORDS = 10  # the words that show a topic and that its coherence is measured on
K_RANGE = range(3, 13)  # the numbers of topics tried when none is given
MIN_ITEMS_PER_TOPIC = 8  # fewer items per topic than this: K is too large for the batch
# A candidate new theme: at least this share of its items without a theme, far more than
# the batch's share (binomial test, one-sided, below this p), and at least this many items.
CANDIDATE_UNCOVERED = 0.3
CANDIDATE_P = 0.01
MIN_CANDIDATE_ITEMS = 3
REPRESENTATIVE = 5  # items shown per topic
# Two flagged topics (of different K) are one gap when this share of the smaller one's
# items is in the other: a topic at a larger K is often a part of one at a smaller K.
GAP_OVERLAP = 0.5


class DiscoverError(PipelineError):
    """The batch has too few items (or too few shared words) to fit topics."""


@dataclass
class Topic:
    number: int
    words: list[tuple[str, float]]
    items: pd.DataFrame  # the topic's items, strongest first (item_id, weight, … themes)
    coherence: float
    base_uncovered: float = 0.0  # the share of all modelled items without a theme

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def uncovered(self) -> float:
        """The share of the topic's items that carry no theme."""
        if self.items.empty:
            return 0.0
        return float((self.items["themes"].map(split_list).map(len) == 0).mean())

    @property
    def themes(self) -> Counter:
        return Counter(t for ts in self.items["themes"].map(split_list) for t in ts)

    @property
    def uncovered_p(self) -> float:
        """How likely this many items without a theme are, at the batch's share."""
        from scipy.stats import binomtest

        if self.items.empty:
            return 1.0
        k = round(self.uncovered * self.size)
        return float(binomtest(k, self.size, self.base_uncovered, alternative="greater").pvalue)

    @property
    def candidate(self) -> bool:
        return (
            self.size >= MIN_CANDIDATE_ITEMS
            and self.uncovered >= CANDIDATE_UNCOVERED
            and self.uncovered_p < CANDIDATE_P
        )


@dataclass
class Gap:
    """A candidate new theme: flagged topics of one or more K that share their items."""

    topic: Topic  # the flagged topic with the strongest evidence (lowest p)
    ks: list[int]  # every K at which a topic of these items was flagged


@dataclass
class Discovery:
    blocks: tuple[str, ...]
    k: int
    chosen: str  # "given" or "coherence"
    coherence_by_k: dict[int, float]
    topics: list[Topic]
    items: int  # items modelled (those with at least one word of the vocabulary)
    skipped: int = 0  # items of the blocks without any word shared with another item
    labels: dict[str, str] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)  # candidates over every K tried


def merge_gaps(flagged: list[tuple[int, Topic]]) -> list[Gap]:
    """One gap per group of flagged topics that share most of their items, strongest
    evidence first; a topic joins the first gap it overlaps (GAP_OVERLAP)."""
    gaps: list[Gap] = []
    for k, topic in sorted(flagged, key=lambda kt: (kt[1].uncovered_p, kt[0])):
        ids = set(topic.items["item_id"])
        for gap in gaps:
            other = set(gap.topic.items["item_id"])
            if len(ids & other) >= GAP_OVERLAP * min(len(ids), len(other)):
                gap.ks = sorted({*gap.ks, k})
                break
        else:
            gaps.append(Gap(topic=topic, ks=[k]))
    return gaps


def item_terms(lemmas: str, phrases: str) -> list[str]:
    """An item's words: its content lemmas, and its compound phrases (第2層協議体,
    通いの場) where they say more than their parts; phrases with figures (1名配置) are
    counts, not topics."""
    words = content_words(lemmas)
    compounds = {
        p.replace(" ", "")
        for p in split_list(phrases)
        if len(p) >= 3 and not any(c.isdigit() for c in p) and p not in words
    }
    return sorted(words | compounds)


def npmi(top: list[str], doc_sets: list[set[str]]) -> float:
    """Mean normalised PMI of every pair of a topic's top words, over items (−1 when a
    pair never meets, 1 when its words always come together)."""
    n = len(doc_sets)
    df = Counter(w for s in doc_sets for w in s if w in top)
    scores = []
    for a, b in combinations(top, 2):
        both = sum(1 for s in doc_sets if a in s and b in s)
        if both == 0 or not df[a] or not df[b]:
            scores.append(-1.0)
            continue
        p_ab, p_a, p_b = both / n, df[a] / n, df[b] / n
        if p_ab >= 1.0:
            scores.append(1.0)
            continue
        scores.append(math.log(p_ab / (p_a * p_b)) / -math.log(p_ab))
    return float(np.mean(scores)) if scores else -1.0


def _fit(matrix, k: int, seed: int):
    from sklearn.decomposition import NMF

    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=800)
    weights = model.fit_transform(matrix)
    return weights, model.components_


def discover(
    outputs: Outputs,
    blocks: str | tuple[str, ...] | None = FOCUS_BLOCKS,
    k: int | None = None,
    seed: int = 0,
) -> Discovery:
    """Topics over the items of `blocks` (all blocks for None), K given or chosen."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    chosen_blocks = (blocks,) if isinstance(blocks, str) else tuple(blocks or ())
    items = in_blocks(outputs.items, chosen_blocks or None).reset_index(drop=True)
    terms = [item_terms(lem, ph) for lem, ph in zip(items["lemmas"], items["phrases"], strict=True)]
    vectorizer = TfidfVectorizer(analyzer=lambda words: words, min_df=2, max_df=0.5)
    try:
        matrix = vectorizer.fit_transform(terms)
    except ValueError as exc:  # no word in two items
        raise DiscoverError(f"{outputs.name}: too few shared words to fit topics ({exc})") from exc
    vocab = np.array(vectorizer.get_feature_names_out())
    kept = np.asarray(matrix.sum(axis=1)).ravel() > 0
    matrix, items = matrix[kept], items[kept].reset_index(drop=True)
    doc_sets = [set(t) for t, keep in zip(terms, kept, strict=True) if keep]
    if k is not None and not 1 <= k <= len(items):
        raise DiscoverError(f"--topics {k}: must be between 1 and the {len(items)} items")
    candidates = [k] if k is not None else [
        n for n in K_RANGE if n * MIN_ITEMS_PER_TOPIC <= len(items)
    ]  # fmt: skip
    if not candidates:
        raise DiscoverError(
            f"{outputs.name}: {len(items)} items are too few for topics "
            f"(at least {K_RANGE.start * MIN_ITEMS_PER_TOPIC}, or give --topics)"
        )
    fits, coherence_by_k = {}, {}
    for n in candidates:
        weights, components = _fit(matrix, n, seed)
        tops = [vocab[np.argsort(-row)[:TOP_WORDS]].tolist() for row in components]
        fits[n] = (weights, components, [npmi(top, doc_sets) for top in tops])
        coherence_by_k[n] = float(np.mean(fits[n][2]))
    # the most coherent K; the smaller of two within a hair of each other (fewer topics
    # are easier to read)
    best = max(coherence_by_k.values())
    k_chosen = min(n for n, c in coherence_by_k.items() if c >= best - 0.005)
    base = float((items["themes"].map(split_list).map(len) == 0).mean())
    topics_by_k = {n: _topics(items, vocab, *fits[n], base) for n in fits}
    topics = topics_by_k[k_chosen]
    flagged = [(n, t) for n, ts in topics_by_k.items() for t in ts if t.candidate]
    return Discovery(
        blocks=chosen_blocks,
        k=k_chosen,
        chosen="given" if k is not None else "coherence",
        coherence_by_k=coherence_by_k,
        topics=topics,
        items=len(items),
        skipped=int((~kept).sum()),
        labels=outputs.labels(),
        gaps=merge_gaps(flagged),
    )


def _topics(items, vocab, weights, components, coherences, base: float) -> list[Topic]:
    """The topics of one fit, largest first; each item in its strongest topic."""
    strongest = weights.argmax(axis=1)
    topics = []
    for t in range(components.shape[0]):
        order = np.argsort(-components[t])[:TOP_WORDS]
        members = items[strongest == t].assign(weight=weights[strongest == t, t])
        topics.append(
            Topic(
                number=t + 1,
                words=[(str(vocab[i]), float(components[t, i])) for i in order],
                items=members.sort_values("weight", ascending=False).reset_index(drop=True),
                coherence=coherences[t],
                base_uncovered=base,
            )
        )
    topics.sort(key=lambda topic: -topic.size)
    for number, topic in enumerate(topics, start=1):
        topic.number = number
    return topics


def topics_table(discovery: Discovery) -> pd.DataFrame:
    """One row per topic: its words with weights, size, coverage by the themes."""
    rows = []
    for topic in discovery.topics:
        themes = topic.themes.most_common(3)
        rows.append(
            {
                "topic": topic.number,
                "top_words": " ".join(w for w, _ in topic.words),
                "word_weights": "; ".join(f"{w}:{x:.3f}" for w, x in topic.words),
                "items": topic.size,
                "uncovered_share": round(topic.uncovered, 3),
                "batch_uncovered_share": round(topic.base_uncovered, 3),
                "uncovered_p": float(f"{topic.uncovered_p:.3g}"),
                "main_themes": "; ".join(f"{discovery.labels.get(t, t)}({n})" for t, n in themes),
                "candidate_new_theme": topic.candidate,
                "coherence_npmi": round(topic.coherence, 3),
                "representative": " / ".join(topic.items["text"].head(3)),
            }
        )
    return pd.DataFrame(rows)


def gaps_table(discovery: Discovery) -> pd.DataFrame:
    """One row per candidate new theme found at any K tried, strongest evidence first."""
    columns = [
        "gap", "flagged_at_k", "at_chosen_k", "top_words", "items", "uncovered_share",
        "batch_uncovered_share", "uncovered_p", "main_themes", "representative",
    ]  # fmt: skip
    rows = []
    for number, gap in enumerate(discovery.gaps, start=1):
        topic = gap.topic
        rows.append(
            {
                "gap": number,
                "flagged_at_k": ";".join(str(k) for k in gap.ks),
                "at_chosen_k": discovery.k in gap.ks,
                "top_words": " ".join(w for w, _ in topic.words),
                "items": topic.size,
                "uncovered_share": round(topic.uncovered, 3),
                "batch_uncovered_share": round(topic.base_uncovered, 3),
                "uncovered_p": float(f"{topic.uncovered_p:.3g}"),
                "main_themes": "; ".join(
                    f"{discovery.labels.get(t, t)}({n})" for t, n in topic.themes.most_common(3)
                ),
                "representative": " / ".join(topic.items["text"].head(3)),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def topic_items_table(discovery: Discovery) -> pd.DataFrame:
    """Every modelled item with its topic and weight, strongest first in each topic."""
    columns = ["item_id", "municipality", "source", "page", "block", "text", "themes"]
    frames = [
        topic.items.assign(topic=topic.number, rank=range(1, topic.size + 1))[
            ["topic", "rank", "weight", *columns]
        ]
        for topic in discovery.topics
    ]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not table.empty:
        table["weight"] = table["weight"].round(4)
    return table


def coherence_table(discovery: Discovery) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"k": n, "mean_npmi": round(c, 4), "chosen": n == discovery.k}
            for n, c in sorted(discovery.coherence_by_k.items())
        ]
    )


def topics_figure(discovery: Discovery):
    """Each topic's top words as bars; a candidate new theme in red."""
    from matplotlib.figure import Figure

    n = len(discovery.topics)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(layout="constrained", figsize=(4.2 * cols, 2.9 * rows))
    for topic, ax in zip(
        discovery.topics, fig.subplots(rows, cols, squeeze=False).ravel(), strict=False
    ):
        words = topic.words[:8][::-1]
        color = "#d9534f" if topic.candidate else "#4c9be8"
        ax.barh([w for w, _ in words], [x for _, x in words], color=color)
        flag = "  ★新テーマ候補" if topic.candidate else ""
        ax.set_title(
            f"トピック{topic.number}（{topic.size}項目, テーマなし{topic.uncovered:.0%}）{flag}",
            fontsize=9,
        )
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for ax in fig.axes[n:]:
        ax.set_visible(False)
    fig.suptitle(
        f"トピック（NMF, K={discovery.k}: "
        f"{'指定' if discovery.chosen == 'given' else 'NPMIで選択'}）の上位語",
        fontsize=11,
    )
    return fig


def write_discovery(discovery: Discovery, folder: Path) -> list[Path]:
    """topics.csv, topic_items.csv, coherence.csv, gaps.csv and topics.png in `folder`, each
    written whole or not at all."""
    from pipeline.views.figures import figure_bytes

    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "topics.csv": topics_table(discovery),
        "topic_items.csv": topic_items_table(discovery),
        "coherence.csv": coherence_table(discovery),
        "gaps.csv": gaps_table(discovery),
    }
    paths = []
    for name, table in tables.items():
        write_csv(table, folder / name)
        paths.append(folder / name)
    png = figure_bytes(topics_figure(discovery))
    path = folder / "topics.png"
    write_atomic(path, lambda tmp: tmp.write_bytes(png))
    paths.append(path)
    return paths


def summary_lines(discovery: Discovery) -> list[str]:
    """What the command prints: the K chosen and why, then one line per topic."""
    tried = ", ".join(f"K={n}: {c:.3f}" for n, c in sorted(discovery.coherence_by_k.items()))
    how = "given" if discovery.chosen == "given" else f"chosen by mean NPMI ({tried})"
    lines = [
        f"{discovery.items} items of {'・'.join(discovery.blocks) or 'every block'}"
        f" ({discovery.skipped} without a shared word left out); K={discovery.k}, {how}"
    ]
    for topic in discovery.topics:
        flag = "  ← candidate new theme" if topic.candidate else ""
        words = " ".join(w for w, _ in topic.words[:8])
        lines.append(
            f"  topic {topic.number:2d}  {topic.size:4d} items  "
            f"no theme {topic.uncovered:4.0%}  {words}{flag}"
        )
    tried = sorted(discovery.coherence_by_k)
    span = f"K={tried[0]}" if len(tried) == 1 else f"K={tried[0]}–{tried[-1]}"
    lines.append(f"candidate new themes at any {span}: {len(discovery.gaps)} (gaps.csv)")
    for number, gap in enumerate(discovery.gaps, start=1):
        topic = gap.topic
        words = " ".join(w for w, _ in topic.words[:8])
        ks = ",".join(str(k) for k in gap.ks)
        lines.append(
            f"  gap {number:2d}  {topic.size:4d} items  no theme {topic.uncovered:4.0%}  "
            f"K {ks}  {words}"
        )
    return lines
