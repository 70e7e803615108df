"""Items → content-word lemmas, with GiNZA (ja_ginza, from its PyPI package).

The model is loaded once, lazily, the first time something needs analysing, so a run
that has nothing to analyse never pays for it. Items are analysed in batches with
`nlp.pipe`. Lemmas and Sudachi's part of speech (`tag_`) come from the tokenizer, so
the neural components are disabled here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from .records import Item

# Sudachi POS (tag_) sub-classes that are not content words even under a content class.
_FUNCTIONAL = ("非自立可能", "数詞")


@lru_cache(maxsize=1)
def load_model():
    import spacy

    nlp = spacy.load("ja_ginza")
    return nlp, tuple(nlp.pipe_names)


def content_lemmas(doc, content_tags: tuple[str, ...]) -> list[str]:
    lemmas = []
    for token in doc:
        tag = token.tag_
        if tag.startswith(content_tags) and not any(f in tag for f in _FUNCTIONAL):
            lemmas.append(token.lemma_)
    return lemmas


def analyze(items: Iterable[Item], options: dict) -> None:
    """Fill `lemmas` of every item in place."""
    items = list(items)
    if not items:
        return
    nlp, components = load_model()
    content_tags = tuple(options.get("content_tags", ("名詞", "動詞", "形容詞", "形状詞")))
    batch_size = int(options.get("batch_size", 256))
    with nlp.select_pipes(disable=list(components)):
        docs = nlp.pipe((item.text for item in items), batch_size=batch_size)
        for item, doc in zip(items, docs, strict=True):
            item.lemmas = content_lemmas(doc, content_tags)
