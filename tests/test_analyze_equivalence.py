"""The fast analysis stage gives the full ja_ginza pipeline's lemmas, tags, POS and parse.

analyze() takes lemmas and tag_ from the tokenizer alone, and runs tok2vec + parser +
morphologizer, built on numpy's BLAS instead of BLIS, only on the items whose problem
statements it extracts. The reference is what the issue measures against:
spacy.load("ja_ginza") with every component and thinc's default ops, with the same user
dictionary installed. It is loaded once and run once over the sample batch's items.
"""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.stages.analyze.morphology import (
    _PARSE_COMPONENTS,
    _problem_items,
    analyze,
    content_lemmas,
    key_phrases,
    load_ginza,
)
from pipeline.stages.analyze.problem_statements import ProblemLexicon, problem_from_parse
from pipeline.stages.analyze.userdict import (
    build_user_dic,
    expand_abbreviations,
    install_user_dic,
    load_userdict,
    userdict_path,
)

pytestmark = pytest.mark.ginza


@pytest.fixture(scope="module")
def items(sample_items, settings):
    """Every item of the sample PDFs, analysed by the stage."""
    found = [dataclasses.replace(item) for item in sample_items]
    analyze(found, settings.analyze)
    return found


@pytest.fixture(scope="session")
def reference(settings):
    """The full ja_ginza pipeline, default ops, the same user dictionary."""
    import spacy
    from thinc.api import get_current_ops

    assert get_current_ops().use_blis  # thinc's default: analyze() left it as it was
    nlp = spacy.load("ja_ginza")
    install_user_dic(nlp, build_user_dic(load_userdict(userdict_path(settings.analyze))))
    return nlp


@pytest.fixture(scope="module")
def reference_docs(reference, items, settings):
    """Full-pipeline docs of every text the stage analyses, in one nlp.pipe."""
    userdict = load_userdict(userdict_path(settings.analyze))
    texts = {expand_abbreviations(i.text, userdict) for i in items}
    texts |= {i.text for i in _problem_items(items, settings.analyze)}
    ordered = sorted(texts)
    return dict(zip(ordered, reference.pipe(ordered, batch_size=256), strict=True))


def _stage_nlp(settings):
    return load_ginza(str(userdict_path(settings.analyze)))


def test_the_stage_runs_on_numpy_blas_and_the_reference_on_the_default(settings, reference):
    assert _stage_nlp(settings).get_pipe("tok2vec").model.ops.use_blis is False
    assert reference.get_pipe("tok2vec").model.ops.use_blis is True
    assert "ner" in reference.pipe_names  # nothing disabled in the reference


def test_tokens_lemmas_and_tags_equal_the_full_pipeline(items, reference_docs, settings):
    nlp = _stage_nlp(settings)
    userdict = load_userdict(userdict_path(settings.analyze))
    texts = [expand_abbreviations(i.text, userdict) for i in items]
    with nlp.select_pipes(disable=list(nlp.pipe_names)):  # as analyze() runs it
        stage = list(nlp.pipe(texts))
    for text, doc in zip(texts, stage, strict=True):
        full = reference_docs[text]
        assert [(t.text, t.lemma_, t.tag_) for t in doc] == [
            (t.text, t.lemma_, t.tag_) for t in full
        ], text


def test_item_lemmas_and_phrases_equal_those_from_the_full_pipeline(
    items, reference_docs, settings
):
    userdict = load_userdict(userdict_path(settings.analyze))
    tags = tuple(settings.analyze["content_tags"])
    assert sum(1 for i in items if i.lemmas) > 0.9 * len(items)
    for item in items:
        full = reference_docs[expand_abbreviations(item.text, userdict)]
        assert item.lemmas == content_lemmas([(t.lemma_, t.tag_) for t in full], tags), item.text
        assert item.phrases == key_phrases([(t.text, t.tag_) for t in full]), item.text


def test_parse_and_pos_of_problem_items_equal_the_full_pipeline(items, reference_docs, settings):
    """The problem items' parse: the same POS, heads and relations (the full pipeline's
    bunsetu_recognizer adds `_bunsetu` to some labels; problems.py strips it)."""
    nlp = _stage_nlp(settings)
    wanted = _problem_items(items, settings.analyze)
    assert len(wanted) > 100
    keep = [name for name in nlp.pipe_names if name in _PARSE_COMPONENTS]
    with nlp.select_pipes(enable=keep):  # as analyze() runs it
        stage = list(nlp.pipe(i.text for i in wanted))

    def parse(doc):
        return [
            (t.text, t.lemma_, t.tag_, t.pos_, t.dep_.removesuffix("_bunsetu"), t.head.i)
            for t in doc
        ]

    for item, doc in zip(wanted, stage, strict=True):
        assert parse(doc) == parse(reference_docs[item.text]), item.text


def test_problem_statements_equal_those_from_the_full_pipeline(items, reference_docs, settings):
    lexicon = ProblemLexicon.from_options(settings.analyze)
    wanted = _problem_items(items, settings.analyze)
    found = 0
    for item in wanted:
        problem = problem_from_parse(reference_docs[item.text], lexicon)
        expected = (problem.target, problem.state) if problem else (None, None)
        assert (item.problem_target, item.problem_state) == expected, item.text
        found += problem is not None
    assert found > len(wanted) // 2
