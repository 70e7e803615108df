"""Coding rules from configs/themes.yaml: which themes an item carries, and why.

The rule language follows KH Coder's coding rules, written as YAML so that an analyst
can edit it (the syntax is documented at the top of configs/themes.yaml). One rule is
a set of conditions that must all hold:

- any / all / not: words. A word matches an item when it equals one of the item's
  lemmas (so 届く finds 届いていない) or occurs in its NFKC text (so 訪問型 finds
  訪問型サービスB, and SC finds 第2層SC).
- text: raw substrings of the NFKC text, never lemmas (phrases that span words).
- near: two or more words within `within` tokens of each other (default 5).
- seq: words in this order, one directly after the other.
- blocks / not_blocks: only (or never) in these blocks.

Tokens for near/seq are the item's content-word lemmas; a token matches a word when it
equals it or contains it. An item that was not analysed (no lemmas) falls back to
character distances in its text, `within` × 3 characters.

Every match is kept as a RuleHit (theme, rule number, what matched), which becomes
the item's evidence, so an analyst sees which word decided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.config.themes import Theme, ThemeRule
from pipeline.core.normalize import nfkc
from pipeline.core.records import Item

CHARS_PER_TOKEN = 3  # near/seq fallback on unanalysed text


@dataclass(frozen=True)
class RuleHit:
    theme: str
    rule: int  # 1-based number of the rule within its theme
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"rule {self.rule}: {'+'.join(self.words)}"


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _View:
    """What rules look at: NFKC text, lemma set and lemma sequence of one item."""

    text: str
    lemmas: tuple[str, ...]
    lemma_set: frozenset[str]
    block: str

    @classmethod
    def of(cls, item: Item) -> _View:
        lemmas = tuple(nfkc(x) for x in item.lemmas)
        return cls(nfkc(item.text), lemmas, frozenset(lemmas), item.block)

    def has(self, word: str, forms: tuple[str, ...]) -> bool:
        return word in self.text or any(f in self.lemma_set for f in forms)

    def positions(self, word: str, forms: tuple[str, ...]) -> list[int]:
        """Token positions matching the word; character offsets when not analysed."""
        if self.lemmas:
            return [i for i, lemma in enumerate(self.lemmas) if any(f in lemma for f in forms)]
        return [m.start() for m in re.finditer(re.escape(word), self.text)]


def _near(view: _View, rule: ThemeRule) -> bool:
    words = rule.near
    span = rule.within if view.lemmas else rule.within * CHARS_PER_TOKEN
    anchors = view.positions(words[0], rule.forms(words[0]))
    others = [view.positions(w, rule.forms(w)) for w in words[1:]]
    return any(all(any(abs(p - a) <= span for p in ps) for ps in others) for a in anchors)


def _seq(view: _View, rule: ThemeRule) -> bool:
    words = rule.seq
    if not view.lemmas:  # unanalysed: the words in order, each within a few characters
        pattern = f".{{0,{CHARS_PER_TOKEN}}}".join(re.escape(w) for w in words)
        return re.search(pattern, view.text) is not None
    n = len(words)
    forms = [rule.forms(w) for w in words]
    return any(
        all(any(f in view.lemmas[i + k] for f in forms[k]) for k in range(n))
        for i in range(len(view.lemmas) - n + 1)
    )


def match_rule(rule: ThemeRule, view: _View) -> tuple[str, ...] | None:
    """The words that made the rule match, or None when it does not."""
    if rule.blocks and view.block not in rule.blocks:
        return None
    if rule.not_blocks and view.block in rule.not_blocks:
        return None
    if any(view.has(w, rule.forms(w)) for w in rule.not_):
        return None
    found: list[str] = []
    if rule.any:
        hits = [w for w in rule.any if view.has(w, rule.forms(w))]
        if not hits:
            return None
        found += hits
    if rule.all:
        if not all(view.has(w, rule.forms(w)) for w in rule.all):
            return None
        found += rule.all
    if rule.text:
        hits = [t for t in rule.text if t in view.text]
        if not hits:
            return None
        found += hits
    if rule.near:
        if not _near(view, rule):
            return None
        found.append("~".join(rule.near))
    if rule.seq:
        if not _seq(view, rule):
            return None
        found.append("→".join(rule.seq))
    return tuple(dict.fromkeys(found))


def rule_hits(item: Item, theme: Theme) -> list[RuleHit]:
    """Every rule of the theme that matches the item, with the words that matched."""
    view = _View.of(item)
    hits = []
    for number, rule in enumerate(theme.rules, start=1):
        words = match_rule(rule, view)
        if words is not None:
            hits.append(RuleHit(theme.id, number, words))
    return hits
