"""Coding rules from configs/themes.yaml: which themes an item carries, and why.

A rule matches when any of its words occurs in the item's NFKC text or among its
lemmas. Every match is kept as evidence, so an analyst can see which word decided.
"""

from __future__ import annotations

from ..config import Theme
from ..normalize import nfkc
from ..records import Item


def rule_matches(item: Item, theme: Theme) -> list[str]:
    """The words of the theme's rules that the item contains."""
    text = nfkc(item.text)
    lemmas = set(item.lemmas)
    found: list[str] = []
    for rule in theme.rules:
        for word in rule.any:
            if (word in text or word in lemmas) and word not in found:
                found.append(word)
    return found


def classify(items: list[Item], themes: tuple[Theme, ...]) -> None:
    """Set themes, scores and evidence of every item in place."""
    for item in items:
        item.themes, item.scores, item.evidence = [], {}, {}
        for theme in themes:
            words = rule_matches(item, theme)
            item.scores[theme.id] = 1.0 if words else 0.0
            if words:
                item.themes.append(theme.id)
                item.evidence[theme.id] = "|".join(words)
