"""Problem statements: what is lacking or failing (state) and about what (target).

Analysts read 課題意識 items for two things: the thing that is in trouble (連携, 参加者,
SC の役割) and what is wrong with it (十分にできていない, 少ない). We find them in
GiNZA's dependency parse:

1. Every clause head (ROOT, advcl, conj) gets its predicate span: the head and the
   auxiliaries, markers and fixed words that follow it (共有 + さ + れ + て + おら + ず).
2. The problem clause is the last one whose span is negated (ない, ず) or whose head is
   a problem word from the config (少ない, 弱い, 不足, とどまる, …); with none, the root.
3. Its target is the object, else the subject, else the nearest oblique argument: the
   noun phrase of that argument after its last comma, without its case particle.

The same rules run on plain token lists (surface, lemma, POS) for the fugashi analyzer,
which has no parse: there the target is the noun phrase before the last が/は/を ahead
of the problem predicate.
"""

from __future__ import annotations

from dataclasses import dataclass

_CLAUSE_DEPS = {"ROOT", "advcl", "conj"}
_SPAN_DEPS = {"aux", "mark", "fixed", "cop", "compound:prt"}
# The object first: in 包括が状態を把握できていない the problem is about the 状態.
_ARG_ORDER = ("obj", "nsubj", "nsubj:pass", "obl")
_TRAILING = ("て", "で", "が", "、", "，", ",", "けれど", "けど", "し", "ので", "から")


@dataclass(frozen=True)
class ProblemLexicon:
    negations: frozenset[str]  # lemmas that negate a predicate
    states: frozenset[str]  # lemmas that state a problem by themselves

    @classmethod
    def from_options(cls, options: dict) -> ProblemLexicon:
        problems = options.get("problems") or {}
        return cls(
            negations=frozenset(problems.get("negations") or ("ない", "ず", "ぬ", "ん")),
            states=frozenset(problems.get("states") or ()),
        )


@dataclass(frozen=True)
class Problem:
    target: str
    state: str


def _dep(token) -> str:
    # Without GiNZA's bunsetu_recognizer the parser's labels carry a _bunsetu suffix.
    return token.dep_.removesuffix("_bunsetu")


def _predicate_span(head) -> list:
    """The head and the function words right after it that belong to its predicate."""
    span = [head]
    for token in head.doc[head.i + 1 :]:
        if _dep(token) in _SPAN_DEPS and (
            token.head == head or token.head in span or token.head.i in {t.i for t in span}
        ):
            span.append(token)
        else:
            break
    return span


def _is_problem(span: list, lexicon: ProblemLexicon) -> bool:
    lemmas = {t.lemma_ for t in span}
    return bool(lemmas & lexicon.negations) or span[0].lemma_ in lexicon.states


def _state_text(span: list) -> str:
    text = "".join(t.text for t in span)
    while text.endswith(_TRAILING) and len(text) > 1:
        for tail in _TRAILING:
            if text.endswith(tail):
                text = text[: -len(tail)]
                break
    return text


def _noun_phrase(token) -> str:
    """The argument's words, from its left edge up to itself (the particle left out)."""
    words = list(token.doc[token.left_edge.i : token.i + 1])
    # a clause before a comma is background, not the target (…があり、窓口で勧める例)
    commas = [n for n, t in enumerate(words) if t.text in ("、", "，", ",")]
    if commas:
        words = words[commas[-1] + 1 :]
    while words and words[0].pos_ in ("PUNCT", "ADP", "SCONJ"):
        words = words[1:]
    return "".join(t.text for t in words)


def _argument(head):
    children = list(head.children)
    for dep in _ARG_ORDER:
        found = [c for c in children if _dep(c) == dep and c.i < head.i]
        if found:
            return max(found, key=lambda c: c.i)  # the nearest to the predicate
    return None


def problem_from_parse(doc, lexicon: ProblemLexicon) -> Problem | None:
    """The problem statement of one parsed item, or None for an empty doc."""
    heads = [t for t in doc if _dep(t) in _CLAUSE_DEPS and t.pos_ not in ("PUNCT", "SYM")]
    if not heads:
        return None
    spans = [(h, _predicate_span(h)) for h in heads]
    problems = [(h, s) for h, s in spans if _is_problem(s, lexicon)]
    head, span = (
        max(problems, key=lambda p: p[0].i)
        if problems
        else next((h, s) for h, s in spans if _dep(h) == "ROOT")
    )
    argument = _argument(head)
    if argument is None and _dep(head) != "ROOT":
        argument = _argument(head.head)  # a shared subject stated once for both clauses
    return Problem(
        target=_noun_phrase(argument) if argument is not None else "",
        state=_state_text(span),
    )


def _joins_predicate(morpheme: Morpheme) -> bool:
    """て/で join a verb to its auxiliary verb (把握できていない), unlike case particles."""
    return morpheme.pos.startswith("助詞-接続助詞") and morpheme.surface in ("て", "で")


def _in_noun_phrase(morphemes: list[Morpheme], i: int) -> bool:
    """Nouns and their prefixes/suffixes, and の between two nouns (自立支援の視点)."""
    if morphemes[i].pos.startswith(("名詞", "接頭辞", "接尾辞")):
        return True
    return morphemes[i].surface == "の" and i > 0 and morphemes[i - 1].pos.startswith("名詞")


@dataclass(frozen=True)
class Morpheme:
    surface: str
    lemma: str
    pos: str  # unidic/Sudachi style: 名詞-普通名詞-一般, 助詞-接続助詞, …


def problem_from_morphemes(morphemes: list[Morpheme], lexicon: ProblemLexicon) -> Problem | None:
    """Without a parse: the last negated or problem predicate and the noun phrase before it."""
    if not morphemes:
        return None
    end = None
    for i in range(len(morphemes) - 1, -1, -1):
        m = morphemes[i]
        if m.lemma in lexicon.negations or m.lemma in lexicon.states:
            end = i
            break
    if end is None:
        end = len(morphemes) - 1
    # the predicate runs on through auxiliaries (とどまっ + て + いる) to a comma or the end
    while end + 1 < len(morphemes) and not morphemes[end + 1].pos.startswith(("補助記号", "名詞")):
        if morphemes[end + 1].pos.startswith("助詞") and not _joins_predicate(morphemes[end + 1]):
            break
        end += 1
    # and back to its content word: 把握 + でき + て + い + ない
    start = end
    while start > 0 and (
        not morphemes[start - 1].pos.startswith(("助詞", "補助記号"))
        or _joins_predicate(morphemes[start - 1])
    ):
        start -= 1
    state = "".join(m.surface for m in morphemes[start : end + 1])
    while state.endswith(_TRAILING) and len(state) > 1:
        state = next(state[: -len(t)] for t in _TRAILING if state.endswith(t))
    target = ""
    for i in range(start - 1, -1, -1):
        if morphemes[i].pos.startswith("助詞") and morphemes[i].surface in ("が", "は", "を", "も"):
            j = i
            while j > 0 and _in_noun_phrase(morphemes, j - 1):
                j -= 1
            target = "".join(m.surface for m in morphemes[j:i])
            break
    return Problem(target=target, state=state)
