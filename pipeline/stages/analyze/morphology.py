"""Items → lemmas, key phrases and problem statements, with GiNZA (ja_ginza from PyPI).

The model is loaded once, lazily, the first time something needs analysing, so a run
that has nothing to analyse never pays for it. The domain dictionary
(configs/userdict.yaml) is built into a SudachiPy user dictionary and installed in the
tokenizer, so 生活支援コーディネーター or 訪問型サービスB stay one word, and the analysis
form of a text spells abbreviations out (SC → 生活支援コーディネーター); the item text
itself stays as written.

Lemmas, Sudachi's part of speech (`tag_`) and key phrases come from the tokenizer alone,
so every neural component is off for them. The dependency parser (with the
morphologizer, for `pos_`) runs only on the items whose problem statements are extracted
(課題意識, アセスメント結果 by default), on numpy's BLAS rather than BLIS. The outputs
equal those of the full ja_ginza pipeline (tests/test_analyze_equivalence.py) at over
ten times its speed (`python -m pipeline bench`).

`analyzer: fugashi` in configs/pipeline.yaml uses MeCab with unidic-lite instead: much
faster, the same columns, no dependency parse (problem statements by a token pattern).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pipeline.core.records import Item
from pipeline.stages.analyze.problem_statements import (
    Morpheme,
    ProblemLexicon,
    problem_from_morphemes,
    problem_from_parse,
)
from pipeline.stages.analyze.userdict import (
    DEFAULT_USERDICT,
    build_user_dic,
    expand_abbreviations,
    load_userdict,
    userdict_path,
)

DEFAULT_CONTENT_TAGS = ("名詞", "動詞", "形容詞", "形状詞")
# Sub-classes that are not content words even under a content class (する, 1, …).
_FUNCTIONAL = ("非自立可能", "数詞")
# Parts of speech that join a compound noun phrase (地域 + 課題, 第 + 2 + 層).
_PHRASE_TAGS = ("名詞", "接頭辞", "接尾辞-名詞的")
# The parse also runs the morphologizer: it listens to the same tok2vec, so it costs next
# to nothing, and the parse's pos_ is then the full pipeline's (the tokenizer's own pos_
# differs on about 7% of tokens).
_PARSE_COMPONENTS = ("tok2vec", "parser", "morphologizer")


@lru_cache(maxsize=1)
def load_ginza(userdict_path: str = str(DEFAULT_USERDICT), blis: bool = False):
    """ja_ginza with the domain dictionary installed; loaded once per process.

    The model's layers are built on thinc's NumpyOps without BLIS (`blis=False`): BLIS
    falls back to slow generic kernels on some CPUs (cython-blis issue #53), while
    numpy's BLAS gives the same parses and tags 2-4x faster (`python -m pipeline bench`
    measures both; tests/test_analyze_equivalence.py checks the outputs). A layer keeps
    the ops it was built with, so the process's current ops are restored afterwards.
    """
    import spacy
    from thinc.api import use_ops

    from pipeline.stages.analyze.userdict import install_user_dic

    with use_ops("numpy", use_blis=blis):
        nlp = spacy.load("ja_ginza", exclude=["ner"])
    install_user_dic(nlp, build_user_dic(load_userdict(userdict_path)))
    return nlp


@lru_cache(maxsize=1)
def load_fugashi():
    import fugashi

    return fugashi.Tagger()


def _userdict(options: dict):
    """The domain dictionary, read once per process and again only when the file changes."""
    path = userdict_path(options)
    if not path.is_file():
        return load_userdict(path)  # raises the ConfigError that names the file
    return _read_userdict(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read_userdict(path: str, _mtime_ns: int):
    return load_userdict(path)


def content_lemmas(tokens: Iterable[tuple[str, str]], content_tags: tuple[str, ...]) -> list[str]:
    """Lemmas of the content words among (lemma, Sudachi-style tag) pairs."""
    return [
        lemma
        for lemma, tag in tokens
        if tag.startswith(content_tags) and not any(f in tag for f in _FUNCTIONAL)
    ]


def key_phrases(tokens: Iterable[tuple[str, str]]) -> list[str]:
    """Compound noun phrases, as KH Coder's 複合語: runs of nouns, prefixes and noun
    suffixes (地域課題の抽出 → 地域課題, 抽出), each once, single characters left out."""
    phrases: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        phrase = "".join(run)
        if len(phrase) >= 2 and not phrase.isdigit() and phrase not in phrases:
            phrases.append(phrase)
        run.clear()

    for surface, tag in tokens:
        if tag.startswith(_PHRASE_TAGS):
            run.append(surface)
        else:
            close_run()
    close_run()
    return phrases


def analyze(items: Iterable[Item], options: dict) -> None:
    """Fill lemmas, phrases and (for the configured blocks) problem statements in place."""
    items = list(items)
    if not items:
        return
    if options.get("analyzer", "ginza") == "fugashi":
        _analyze_fugashi(items, options)
    else:
        _analyze_ginza(items, options)


def _problem_items(items: list[Item], options: dict) -> list[Item]:
    blocks = set((options.get("problems") or {}).get("blocks") or ("課題意識", "アセスメント結果"))
    return [item for item in items if item.block in blocks]


def _analyze_ginza(items: list[Item], options: dict) -> None:
    nlp = load_ginza(str(userdict_path(options)), bool(options.get("blis", False)))
    userdict = _userdict(options)
    content_tags = tuple(options.get("content_tags", DEFAULT_CONTENT_TAGS))
    batch_size = int(options.get("batch_size", 256))
    texts = (expand_abbreviations(item.text, userdict) for item in items)
    with nlp.select_pipes(disable=list(nlp.pipe_names)):
        for item, doc in zip(items, nlp.pipe(texts, batch_size=batch_size), strict=True):
            pairs = [(t.lemma_, t.tag_) for t in doc]
            item.lemmas = content_lemmas(pairs, content_tags)
            item.phrases = key_phrases([(t.text, t.tag_) for t in doc])
    lexicon = ProblemLexicon.from_options(options)
    wanted = _problem_items(items, options)
    # The parse reads the item as written, so the target keeps the report's own words.
    keep = [name for name in nlp.pipe_names if name in _PARSE_COMPONENTS]
    with nlp.select_pipes(enable=keep):
        docs = nlp.pipe((item.text for item in wanted), batch_size=batch_size)
        for item, doc in zip(wanted, docs, strict=True):
            problem = problem_from_parse(doc, lexicon)
            if problem:
                item.problem_target, item.problem_state = problem.target, problem.state


def _unidic_tag(word) -> str:
    """unidic's POS fields joined like Sudachi's tag_ (名詞-普通名詞-一般)."""
    f = word.feature
    return "-".join(p for p in (f.pos1, f.pos2, f.pos3) if p and p != "*")


def _unidic_lemma(word) -> str:
    lemma = word.feature.lemma or word.surface
    return lemma.split("-", 1)[0]  # unidic writes loanwords as コーディネーター-coordinator


def _analyze_fugashi(items: list[Item], options: dict) -> None:
    tagger = load_fugashi()
    userdict = _userdict(options)
    content_tags = tuple(options.get("content_tags", DEFAULT_CONTENT_TAGS))
    lexicon = ProblemLexicon.from_options(options)
    wanted = {id(item) for item in _problem_items(items, options)}
    for item in items:
        words = tagger(expand_abbreviations(item.text, userdict))
        item.lemmas = content_lemmas(
            [(_unidic_lemma(w), _unidic_tag(w)) for w in words], content_tags
        )
        item.phrases = key_phrases([(w.surface, _unidic_tag(w)) for w in words])
        if id(item) in wanted:
            morphemes = [
                Morpheme(w.surface, _unidic_lemma(w), _unidic_tag(w)) for w in tagger(item.text)
            ]
            problem = problem_from_morphemes(morphemes, lexicon)
            if problem:
                item.problem_target, item.problem_state = problem.target, problem.state
