"""The domain dictionary: one token per term in GiNZA, cached builds, validation, abbreviations."""

from __future__ import annotations

import os

import pytest

from pipeline.core.errors import ConfigError
from pipeline.stages.analyze import userdict as ud
from pipeline.stages.analyze.userdict import (
    build_user_dic,
    expand_abbreviations,
    install_user_dic,
    load_userdict,
)

# The terms the project needs as single words (the brief's list); userdict.yaml may add more.
REQUIRED_TERMS = [
    "生活支援コーディネーター",
    "地域包括支援センター",
    "介護予防・日常生活支援総合事業",
    "総合事業",
    "訪問型サービスA",
    "訪問型サービスB",
    "訪問型サービスC",
    "通所型サービスA",
    "通所型サービスB",
    "通所型サービスC",
    "短期集中予防サービス",
    "地域ケア会議",
    "協議体",
    "要支援者",
    "要支援認定",
    "居宅介護支援事業所",
    "シルバー人材センター",
    "社会福祉協議会",
    "介護予防ケアマネジメント",
    "一般介護予防事業",
    "通いの場",
    "第1層",
    "第2層",
    "伴走支援",
    "ケアマネジャー",
    "自立支援",
]

# Sentences of the kind found in the reports, each listing the terms it must keep whole.
SENTENCES = [
    (
        "訪問型サービスBの立ち上げに向けて生活支援コーディネーターと協議した",
        ["訪問型サービスB", "生活支援コーディネーター"],
    ),
    (
        "地域包括支援センターと社会福祉協議会が、通いの場の情報を共有する",
        ["地域包括支援センター", "社会福祉協議会", "通いの場"],
    ),
    (
        "介護予防・日常生活支援総合事業の見直しでは、総合事業の通所型サービスAを再編した",
        ["介護予防・日常生活支援総合事業", "総合事業", "通所型サービスA"],
    ),
    (
        "訪問型サービスAと訪問型サービスCに加え、通所型サービスBと通所型サービスCを整理する",
        ["訪問型サービスA", "訪問型サービスC", "通所型サービスB", "通所型サービスC"],
    ),
    (
        "短期集中予防サービスの利用後は、一般介護予防事業や通いの場につなぐ",
        ["短期集中予防サービス", "一般介護予防事業", "通いの場"],
    ),
    (
        "地域ケア会議で要支援者の自立支援に向けた介護予防ケアマネジメントを検討した",
        ["地域ケア会議", "要支援者", "自立支援", "介護予防ケアマネジメント"],
    ),
    (
        "要支援認定を受けた人のケアプランは居宅介護支援事業所のケアマネジャーに委託している",
        ["要支援認定", "居宅介護支援事業所", "ケアマネジャー"],
    ),
    (
        "第1層協議体と第2層協議体に、シルバー人材センターも参加した",
        ["第1層", "協議体", "第2層", "シルバー人材センター"],
    ),
    ("国の伴走支援を受けて、町の目指す姿を言語化した", ["伴走支援"]),
]

# Without the user dictionary, Sudachi (mode C) splits these; the test below proves it.
SPLIT_WITHOUT = [
    "生活支援コーディネーター",
    "地域包括支援センター",
    "総合事業",
    "訪問型サービスB",
    "協議体",
    "第1層",
    "通いの場",
    "介護予防・日常生活支援総合事業",
]


@pytest.fixture(scope="module")
def userdict():
    return load_userdict(ud.DEFAULT_USERDICT)


@pytest.fixture(scope="module")
def dic(userdict, tmp_path_factory):
    return build_user_dic(userdict, tmp_path_factory.mktemp("userdict_cache"))


@pytest.fixture(scope="module")
def ginza(dic):
    """ja_ginza with the user dictionary, plus a plain tokenizer in the same split mode."""
    spacy = pytest.importorskip("spacy")
    from spacy.lang.ja import JapaneseTokenizer

    nlp = spacy.load("ja_ginza")
    plain = JapaneseTokenizer(nlp.vocab, split_mode=nlp.tokenizer.split_mode)
    install_user_dic(nlp, dic)
    return nlp, plain


def tokens(nlp, text):
    """Tokenizer-level analysis (all components off, as pipeline/stages/analyze/morphology.py runs it)."""
    with nlp.select_pipes(disable=list(nlp.pipe_names)):
        return list(nlp(text))


# --------------------------------------------------------------------------- one token


def test_config_lists_every_required_term(userdict):
    surfaces = {t.surface for t in userdict.terms}
    assert [t for t in REQUIRED_TERMS if t not in surfaces] == []
    covered = {term for _, terms in SENTENCES for term in terms}
    assert [t for t in REQUIRED_TERMS if t not in covered] == []


@pytest.mark.parametrize(("sentence", "terms"), SENTENCES, ids=[s[:12] for s, _ in SENTENCES])
def test_terms_are_one_token_in_a_sentence(ginza, sentence, terms):
    nlp, _ = ginza
    words = [t.text for t in tokens(nlp, sentence)]
    assert [t for t in terms if t not in words] == [], words
    assert "".join(words) == sentence


def test_every_term_of_the_config_is_one_token(ginza, userdict):
    nlp, _ = ginza
    for term in userdict.terms:
        words = [t.text for t in tokens(nlp, f"今年度は{term.surface}について検討した")]
        assert term.surface in words, words


@pytest.mark.parametrize("term", SPLIT_WITHOUT)
def test_without_the_dictionary_these_terms_split(ginza, term):
    nlp, plain = ginza
    sentence = f"{term}の立ち上げに向けて協議した"
    assert term not in [t.text for t in plain(sentence)]
    assert term in [t.text for t in tokens(nlp, sentence)]


def test_full_pipeline_keeps_the_terms_whole(ginza):
    nlp, _ = ginza
    doc = nlp("訪問型サービスBの立ち上げに向けて生活支援コーディネーターと協議した")
    assert [t.text for t in doc][:2] == ["訪問型サービスB", "の"]
    assert "生活支援コーディネーター" in [t.text for t in doc]


def test_lemma_tag_norm_and_reading_of_new_tokens(ginza):
    nlp, _ = ginza
    got = {
        t.text: t
        for t in tokens(nlp, "総合事業の訪問型サービスBと地域包括支援センターのケアマネージャー")
    }
    b = got["訪問型サービスB"]
    assert b.lemma_ == "訪問型サービスB"  # not lowercased, unlike Sudachi's unknown words
    assert b.tag_ == "名詞-普通名詞-一般"
    assert b.morph.get("Reading") == ["ホウモンガタサービスビー"]
    assert b.pos_ == "NOUN"  # tokenizer-level POS; the morphologizer may say otherwise
    center = got["地域包括支援センター"]
    assert center.tag_ == "名詞-固有名詞-一般"
    assert center.pos_ == "PROPN"
    short = got["総合事業"]
    assert short.lemma_ == "総合事業"
    assert short.norm_ == "介護予防・日常生活支援総合事業"
    assert got["ケアマネージャー"].norm_ == "ケアマネジャー"


def test_full_width_input_matches_and_lemma_is_nfkc(ginza):
    nlp, _ = ginza
    first, *_ = tokens(nlp, "第１層ＳＣと訪問型サービスＢ")
    assert (first.text, first.lemma_) == ("第１層", "第1層")
    last = tokens(nlp, "訪問型サービスＢ")[-1]
    assert (last.text, last.lemma_) == ("訪問型サービスＢ", "訪問型サービスB")


def test_sub_tokens_come_from_the_system_dictionary(ginza):
    nlp, _ = ginza
    doc = nlp.tokenizer("訪問型サービスBの立ち上げ")
    split_a, split_b = doc.user_data["sub_tokens"][0]
    assert [t.surface for t in split_a] == ["訪問", "型", "サービス", "B"]
    assert [t.surface for t in split_b] == ["訪問型", "サービス", "B"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("協議体制の整備", ["協議", "体制", "の", "整備"]),  # 協議体 does not swallow 体制
        ("Aさんが参加", ["A", "さん", "が", "参加"]),  # the letter entries stay hidden
        ("ケアマネジメント力の向上", ["ケアマネジメント", "力", "の", "向上"]),
    ],
)
def test_ordinary_words_are_not_disturbed(ginza, text, expected):
    nlp, plain = ginza
    assert [t.text for t in tokens(nlp, text)] == expected
    assert [t.text for t in plain(text)] == expected


@pytest.mark.ginza
def test_install_keeps_the_split_mode(dic):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("ja")  # split_mode None means mode A in spaCy
    install_user_dic(nlp, dic)
    assert nlp.tokenizer.split_mode is None
    words = [t.text for t in nlp("訪問型サービスBの立ち上げ")]
    assert words[:4] == ["訪問", "型", "サービス", "B"]


def test_install_rejects_a_missing_or_empty_dictionary(ginza, tmp_path):
    nlp, _ = ginza
    with pytest.raises(ConfigError, match="missing or empty"):
        install_user_dic(nlp, tmp_path / "nothing.dic")
    (tmp_path / "empty.dic").write_bytes(b"")
    with pytest.raises(ConfigError, match="missing or empty"):
        install_user_dic(nlp, tmp_path / "empty.dic")


# --------------------------------------------------------------------------- cache

SMALL_YAML = """\
terms:
  - surface: 協議体
    reading: キョウギタイ
  - surface: 訪問型サービスB
    reading: ホウモンガタサービスビー
abbreviations:
  協議: 協議体
"""


@pytest.fixture
def counted_builds(monkeypatch):
    calls = []
    real = ud._run_ubuild

    def run(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ud, "_run_ubuild", run)
    return calls


def one_word(dic, text):
    import sudachipy

    dictionary = sudachipy.Dictionary(config=sudachipy.Config(user=[str(dic)]), dict="core")
    try:
        words = dictionary.create(mode=sudachipy.SplitMode.C).tokenize(text)
        return len(words) == 1
    finally:
        dictionary.close()


def test_build_is_cached_and_redone_when_the_terms_change(tmp_path, counted_builds):
    yaml_path, cache = tmp_path / "userdict.yaml", tmp_path / "cache"
    yaml_path.write_text(SMALL_YAML, encoding="utf-8")
    first = build_user_dic(load_userdict(yaml_path), cache)
    assert first.stat().st_size > 0 and len(counted_builds) == 1
    assert first.with_suffix(".csv").read_text(encoding="utf-8").count("\n") == 3  # 2 + letter b
    mtime = first.stat().st_mtime_ns

    again = build_user_dic(load_userdict(yaml_path), cache)
    assert again == first and again.stat().st_mtime_ns == mtime
    assert len(counted_builds) == 1

    # comments and abbreviations do not go into the dictionary: no rebuild
    yaml_path.write_text(
        "# a comment\n" + SMALL_YAML.replace("協議: 協議体", "体: 協議体"), encoding="utf-8"
    )
    assert build_user_dic(load_userdict(yaml_path), cache) == first
    assert len(counted_builds) == 1

    added = "  - surface: 伴走支援\n    reading: バンソウシエン\nabbreviations:"
    yaml_path.write_text(SMALL_YAML.replace("abbreviations:", added), encoding="utf-8")
    changed = build_user_dic(load_userdict(yaml_path), cache)
    assert changed != first and len(counted_builds) == 2
    assert one_word(changed, "伴走支援") and not one_word(first, "伴走支援")
    assert first.exists()  # a few earlier builds are kept for other configs


def test_an_empty_file_from_a_failed_build_is_replaced(tmp_path, counted_builds):
    yaml_path, cache = tmp_path / "userdict.yaml", tmp_path / "cache"
    yaml_path.write_text(SMALL_YAML, encoding="utf-8")
    userdict = load_userdict(yaml_path)
    cache.mkdir()
    stale = cache / f"user-{ud.build_key(userdict)}.dic"
    stale.write_bytes(b"")
    assert build_user_dic(userdict, cache) == stale
    assert stale.stat().st_size > 0 and len(counted_builds) == 1
    assert one_word(stale, "協議体")


def test_a_build_that_writes_nothing_is_an_error_and_leaves_no_file(tmp_path, monkeypatch):
    yaml_path, cache = tmp_path / "userdict.yaml", tmp_path / "cache"
    yaml_path.write_text(SMALL_YAML, encoding="utf-8")
    # what `sudachipy ubuild` does on some failures: exit 0, leave an empty file
    monkeypatch.setattr(ud, "_run_ubuild", lambda system, src, out, desc: out.write_bytes(b""))
    with pytest.raises(ConfigError, match="wrote no data"):
        build_user_dic(load_userdict(yaml_path), cache)
    assert list(cache.iterdir()) == []


def test_console_script_is_used_without_the_python_api(tmp_path, monkeypatch, counted_builds):
    from sudachipy import sudachipy as native

    monkeypatch.delattr(native, "build_user_dic")
    yaml_path = tmp_path / "userdict.yaml"
    yaml_path.write_text(SMALL_YAML, encoding="utf-8")
    dic = build_user_dic(load_userdict(yaml_path), tmp_path / "cache")
    assert one_word(dic, "訪問型サービスB")


def test_leftovers_of_crashed_builds_are_removed(tmp_path):
    yaml_path, cache = tmp_path / "userdict.yaml", tmp_path / "cache"
    yaml_path.write_text(SMALL_YAML, encoding="utf-8")
    cache.mkdir()
    leftover = cache / ".user-0000.123.abcd.tmp.dic"
    leftover.write_bytes(b"half")
    os.utime(leftover, (1, 1))
    empty_other = cache / "user-ffffffffffffffff.dic"
    empty_other.write_bytes(b"")
    build_user_dic(load_userdict(yaml_path), cache)
    assert not leftover.exists() and not empty_other.exists()


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("terms:\n  - surface: 協議体\n", r"terms\[0\] \(協議体\): `reading` missing"),
        (
            "terms:\n  - surface: 協議体\n    reading: kyougitai\n",
            r"terms\[0\] \(協議体\): `reading` must be katakana",
        ),
        (
            "terms:\n  - surface: 協議体\n    reading: キョウギタイ\n    pos: 動詞\n",
            r"terms\[0\] \(協議体\): `pos` must be one of 普通名詞, 固有名詞",
        ),
        (
            "terms:\n  - surface: 協議体\n    readng: キョウギタイ\n",
            r"terms\[0\] \(協議体\): unknown key `readng`",
        ),
        (
            "terms:\n  - surface: 協議体\n    reading: キョウギタイ\n"
            "  - surface: 第1層\n    reading: ダイイッソウ\n"
            "  - surface: 第１層\n    reading: ダイイッソウ\n",
            r"terms\[2\] \(第1層\): same word as terms\[1\]",
        ),
        ("terms:\n  - 協議体\n", r"terms\[0\]: expected `surface:` and `reading:`"),
        ("terms:\n  - reading: キョウギタイ\n", r"terms\[0\]: `surface` missing"),
        (
            "terms:\n  - surface: 協議 体\n    reading: キョウギタイ\n",
            r"terms\[0\] \(協議 体\): `surface` must not contain spaces",
        ),
        ("terms: 協議体\n", r"`terms` must be a non-empty list"),
        (
            "terms:\n  - surface: 協議体\n    reading: キョウギタイ\nabbreviations:\n  SC: 生活支援コーディネーター\n",
            r"abbreviations \(SC\): full term '生活支援コーディネーター' is not in `terms`",
        ),
        (
            "terms:\n  - surface: 協議体\n    reading: キョウギタイ\nabbreviations:\n"
            "  協議:\n    full: 協議体\n    not_befor: [制]\n",
            r"abbreviations \(協議\): unknown key `not_befor`",
        ),
        ("terms:\n  - surface: [協議体\n", r"not valid UTF-8 YAML"),
        ("term:\n  - surface: 協議体\n", r"unknown section `term`"),
    ],
    ids=[
        "no-reading",
        "latin-reading",
        "bad-pos",
        "typo-key",
        "duplicate",
        "not-a-mapping",
        "no-surface",
        "space",
        "terms-not-list",
        "abbreviation-target",
        "abbreviation-key",
        "yaml-syntax",
        "section-typo",
    ],
)
def test_malformed_entries_are_named_in_one_line(tmp_path, yaml_text, message):
    path = tmp_path / "userdict.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_userdict(path)
    assert "\n" not in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_userdict(tmp_path / "nope.yaml")


def test_hiragana_reading_is_accepted_as_katakana(tmp_path):
    path = tmp_path / "userdict.yaml"
    path.write_text("terms:\n  - surface: 通いの場\n    reading: かよいのば\n", encoding="utf-8")
    assert load_userdict(path).terms[0].reading == "カヨイノバ"


# --------------------------------------------------------------------------- abbreviations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SCと包括が月1回打合せ", "生活支援コーディネーターと地域包括支援センターが月1回打合せ"),
        ("第2層SC 3名を配置", "第2層生活支援コーディネーター 3名を配置"),
        ("第２層ＳＣと社協", "第2層生活支援コーディネーターと社会福祉協議会"),
        ("SCSIの端末とSCの端末", "SCSIの端末と生活支援コーディネーターの端末"),
        ("ISCの会議", "ISCの会議"),
        ("地域包括支援センターと包括", "地域包括支援センターと地域包括支援センター"),
        ("包括的支援事業", "包括的支援事業"),
        ("地域包括ケアシステムの構築", "地域包括ケアシステムの構築"),
        ("包括センター長と包括支援センター", "地域包括支援センター長と地域包括支援センター"),
        ("各包括の保健師", "各地域包括支援センターの保健師"),
        ("ケアマネとの連携", "ケアマネジャーとの連携"),
        ("主任ケアマネ研修", "主任ケアマネジャー研修"),
        ("ケアマネジャーとケアマネジメント", "ケアマネジャーとケアマネジメント"),
        ("ケアマネージャーの意見", "ケアマネージャーの意見"),
        ("総合事業の見直し", "介護予防・日常生活支援総合事業の見直し"),
        ("介護予防・日常生活支援総合事業", "介護予防・日常生活支援総合事業"),
        ("市社協の職員", "市社会福祉協議会の職員"),
        ("社会福祉協議会", "社会福祉協議会"),
        ("", ""),
    ],
)
def test_expand_abbreviations(userdict, text, expected):
    assert expand_abbreviations(text, userdict) == expected


def test_expansion_leaves_the_original_and_is_stable(userdict):
    original = "SCと包括、ケアマネ、社協で総合事業を協議"
    kept = original
    expanded = expand_abbreviations(original, userdict)
    assert original == kept and expanded != original
    assert expand_abbreviations(original, userdict) == expanded  # deterministic
    assert expand_abbreviations(expanded, userdict) == expanded  # full forms stay as they are


def test_expanded_text_analyses_to_the_full_terms(ginza, userdict):
    nlp, _ = ginza
    text = expand_abbreviations("SCと包括、社協が総合事業について協議", userdict)
    words = {t.text for t in tokens(nlp, text)}
    assert {
        "生活支援コーディネーター",
        "地域包括支援センター",
        "社会福祉協議会",
        "介護予防・日常生活支援総合事業",
    } <= words
