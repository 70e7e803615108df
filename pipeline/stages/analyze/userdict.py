"""The domain dictionary: terms GiNZA must keep as one word, and abbreviations to spell out.

`configs/userdict.yaml` is readable by a non-programmer. From its `terms` this module
writes a Sudachi user-dictionary source (the 18-column CSV), builds it with SudachiPy's
`ubuild` into a cache keyed by the terms and the SudachiPy/SudachiDict versions, and
installs it in a loaded GiNZA pipeline. Its `abbreviations` give the analysis form of a
text (`expand_abbreviations`); the original text is never changed.

    userdict = load_userdict(DEFAULT_USERDICT)
    dic = build_user_dic(userdict)          # built once, then reused from the cache
    install_user_dic(nlp, dic)              # after spacy.load("ja_ginza")
    nlp(expand_abbreviations(item.text, userdict))

The recipe (column 0 NFKC + lowercase, split columns from the system dictionary's own
mode A/B words, own entries for single Latin letters, delete-then-build-then-check) is
the one measured in ../shared/notes/ginza-and-pdf-facts.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from pipeline.config.paths import cache_dir as user_cache
from pipeline.config.userdict import (  # noqa: F401 (the file's model, re-exported for callers)
    _POS,
    _READING,
    DEFAULT_USERDICT,
    Abbreviation,
    Term,
    UserDict,
    _nfkc,
    _to_katakana,
    _trie_key,
    load_userdict,
    userdict_path,
)
from pipeline.core.errors import ConfigError

DEFAULT_CACHE_DIR = user_cache("userdict")


# Bump when the CSV written for the same terms changes, so cached builds are replaced.
_FORMAT_VERSION = "1"
# How many builds of other term lists to keep next to the current one.
_KEEP_OTHER_BUILDS = 4
# Leftover temporary files older than this (seconds) belong to a crashed build.
_TMP_MAX_AGE = 3600

# Word cost: Sudachi recommends 5000-9000 for nouns; low enough that a term beats the
# sum of its parts, high enough not to swallow the start of a longer word (協議体制).
_COST = 5000
_PIECE_POS = ("名詞", "普通名詞", "一般", "*", "*", "*")

_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc-\u30ff]+")  # ァ..ヺ, ー, ヽヾヿ (not ・)
_LATIN = re.compile(r"[A-Za-z]+")
_LETTER_NAMES = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        "エー ビー シー ディー イー エフ ジー エイチ アイ ジェー ケー エル エム エヌ オー "
        "ピー キュー アール エス ティー ユー ブイ ダブリュー エックス ワイ ゼット".split(),
        strict=True,
    )
)


# --------------------------------------------------------------------------- building


def build_key(userdict: UserDict) -> str:
    """Identifies the built dictionary: the terms, the builder and Sudachi versions.

    Abbreviations and comments are not part of it: editing them rebuilds nothing.
    """
    payload = {
        "format": _FORMAT_VERSION,
        "sudachipy": _version("SudachiPy"),
        "sudachidict_core": _version("SudachiDict-core"),
        "terms": [[t.surface, t.reading, t.normalized, t.pos] for t in userdict.terms],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "missing"


def system_dic_path() -> Path:
    """The SudachiDict-core system dictionary that GiNZA's tokenizer uses."""
    try:
        import sudachidict_core
    except ImportError:
        raise ConfigError("SudachiDict-core is not installed (it comes with ja_ginza)") from None
    path = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    if not path.is_file():
        raise ConfigError(f"{path}: SudachiDict-core system dictionary not found")
    return path


def _is_system_word(dictionary, morpheme) -> bool:
    """True if `morpheme` is an entry of the system dictionary (not an unknown word, not
    a word the Join*Plugins made up, not a single Latin letter: those get own entries)."""
    if morpheme.is_oov() or _LATIN.fullmatch(morpheme.surface()):
        return False
    word_id = morpheme.word_id()
    return any(m.word_id() == word_id for m in dictionary.lookup(_trie_key(morpheme.surface())))


def _piece_reading(morpheme) -> str:
    surface = _nfkc(morpheme.surface())
    if _LATIN.fullmatch(surface):
        return "".join(_LETTER_NAMES[c] for c in surface.lower())
    for candidate in (_to_katakana(surface), morpheme.reading_form()):
        if _READING.fullmatch(candidate):
            return candidate
    return ""


def user_dic_rows(userdict: UserDict) -> list[list[str]]:
    """The rows of the Sudachi user-dictionary source for `userdict.terms`.

    One row per term, its A/B split columns made of the words the system dictionary
    itself yields in modes A and B (by word id); words the system dictionary lacks
    (single Latin letters, joined katakana) get rows of their own after the terms, with
    connection ids -1 so that they only ever appear as parts of a term.
    """
    import sudachipy

    system = sudachipy.Dictionary(dict="core")
    try:
        tokenizers = {
            "A": system.create(mode=sudachipy.SplitMode.A),
            "B": system.create(mode=sudachipy.SplitMode.B),
        }
        term_rows: list[list[str]] = []
        piece_rows: list[list[str]] = []
        piece_ids: dict[tuple[str, str], int] = {}
        n_terms = len(userdict.terms)

        def ref(morpheme) -> str:
            if _is_system_word(system, morpheme):
                return str(morpheme.word_id())
            display = _nfkc(morpheme.surface())
            key = (_trie_key(display), display)
            if key not in piece_ids:
                piece_ids[key] = n_terms + len(piece_rows)
                reading = _piece_reading(morpheme)
                piece_rows.append(
                    [key[0], "-1", "-1", "0", display, *_PIECE_POS, reading, display] + ["*"] * 5
                )
            return f"U{piece_ids[key]}"

        for term in userdict.terms:
            pos, connection = _POS[term.pos]
            splits = {
                mode: [ref(m) for m in tokenizer.tokenize(term.surface) if m.surface()]
                for mode, tokenizer in tokenizers.items()
            }
            if len(splits["A"]) <= 1:
                split_type, a_split, b_split = "A", "*", "*"
            elif len(splits["B"]) <= 1:
                split_type, a_split, b_split = "B", "/".join(splits["A"]), "*"
            else:
                split_type, a_split, b_split = "C", "/".join(splits["A"]), "/".join(splits["B"])
            term_rows.append(
                [
                    _trie_key(term.surface),
                    str(connection),
                    str(connection),
                    str(_COST),
                    term.surface,
                    *pos,
                    term.reading,
                    term.normalized,
                    "*",
                    split_type,
                    a_split,
                    b_split,
                    "*",
                ]
            )
        return term_rows + piece_rows
    finally:
        system.close()


def _run_ubuild(system: Path, source: Path, output: Path, description: str) -> None:
    """`sudachipy ubuild`: through the Python API if this SudachiPy has it, else the
    console script of this environment."""
    try:
        from sudachipy import sudachipy as native

        build = native.build_user_dic
    except (ImportError, AttributeError):
        build = None
    if build is not None:
        build(system=system, lex=[source], output=output, description=description)
        return
    script = Path(sys.executable).parent / ("sudachipy.exe" if os.name == "nt" else "sudachipy")
    command = [str(script), "ubuild", "-s", str(system), "-o", str(output), "-d", description]
    result = subprocess.run([*command, str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        message = " ".join((result.stderr or result.stdout).split())
        raise RuntimeError(f"sudachipy ubuild exited with {result.returncode}: {message}")


def _check_built(userdict: UserDict, dic: Path) -> None:
    """The build wrote a dictionary that loads, and every term is one word with it."""
    import sudachipy

    if not dic.is_file() or dic.stat().st_size == 0:
        raise ConfigError(f"{userdict.source}: building the user dictionary wrote no data")
    dictionary = sudachipy.Dictionary(config=sudachipy.Config(user=[str(dic)]), dict="core")
    try:
        tokenizer = dictionary.create(mode=sudachipy.SplitMode.C)
        broken = []
        for term in userdict.terms:
            words = tokenizer.tokenize(term.surface)
            if len(words) != 1 or words[0].dictionary_form() != term.surface:
                broken.append(term.surface)
    finally:
        dictionary.close()
    if broken:
        raise ConfigError(
            f"{userdict.source}: these terms do not come out as one word even with the user "
            f"dictionary: {', '.join(broken)}"
        )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _prune(cache_dir: Path, keep: Path) -> None:
    """Delete what could be mistaken for a build: empty dictionaries, leftovers of
    crashed builds, and all but the newest few builds of other term lists."""
    now = time.time()
    others = []
    for path in cache_dir.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:  # another process pruned it first
            continue
        if path.name.endswith(".tmp") or ".tmp." in path.name:
            if now - stat.st_mtime > _TMP_MAX_AGE:
                _unlink(path)
        elif path.suffix == ".dic" and path.name.startswith("user-") and path != keep:
            if stat.st_size == 0:
                _unlink(path)
            else:
                others.append((stat.st_mtime, path))
    for _, path in sorted(others, reverse=True)[_KEEP_OTHER_BUILDS:]:
        _unlink(path)
        _unlink(path.with_suffix(".csv"))


def _write_csv(rows: list[list[str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def build_user_dic(userdict: UserDict, cache_dir: Path | str | None = None) -> Path:
    """Path of the built Sudachi user dictionary for `userdict`, building it if needed.

    The file is `<cache_dir>/user-<build_key>.dic` (default cache dir
    `userdict/` in the user cache folder, config/paths.py), next to the CSV it was built from. A cached,
    non-empty file is reused as is. A build goes to a temporary name, is checked (it
    loads, every term is one word) and only then renamed into place, so concurrent
    processes never see a half-written or failed dictionary; an empty file left by an
    earlier failed build is deleted first.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    key = build_key(userdict)
    final = cache_dir / f"user-{key}.dic"
    try:
        if final.stat().st_size > 0:
            return final
        _unlink(final)  # 0 bytes: a failed build, and ubuild would refuse to overwrite it
    except FileNotFoundError:
        pass
    cache_dir.mkdir(parents=True, exist_ok=True)
    _prune(cache_dir, keep=final)

    system = system_dic_path()
    stem = f".user-{key}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    tmp_csv, tmp_dic = cache_dir / f"{stem}.csv", cache_dir / f"{stem}.dic"
    try:
        _write_csv(user_dic_rows(userdict), tmp_csv)
        _unlink(tmp_dic)
        try:
            _run_ubuild(system, tmp_csv, tmp_dic, f"pipeline user dictionary {key}")
        except Exception as exc:  # SudachiPy raises plain exceptions for bad sources
            message = " ".join(str(exc).split())
            raise ConfigError(
                f"{userdict.source}: building the user dictionary failed ({message})"
            ) from exc
        _check_built(userdict, tmp_dic)
        os.replace(tmp_csv, final.with_suffix(".csv"))
        os.replace(tmp_dic, final)
    finally:
        _unlink(tmp_csv)
        _unlink(tmp_dic)
    return final


# --------------------------------------------------------------------------- installing

_SPLIT_MODES = {None: "A", "A": "A", "B": "B", "C": "C"}  # as spaCy's try_sudachi_import


def install_user_dic(nlp, dic_path: Path | str) -> None:
    """Make `nlp` (spaCy with the Japanese tokenizer, e.g. ja_ginza) use the user dictionary.

    spaCy's JapaneseTokenizer only takes `split_mode` from its config, so its inner
    SudachiPy tokenizer is replaced by one created from SudachiDict-core plus
    `dic_path`, in the split mode the pipeline was loaded with (ja_ginza: C). Forked
    worker processes inherit it; pickling `nlp` (spawned workers) silently drops it.
    """
    import sudachipy

    tokenizer = getattr(nlp, "tokenizer", None)
    if not (hasattr(tokenizer, "tokenizer") and hasattr(tokenizer, "split_mode")):
        raise TypeError(f"not a spaCy Japanese (Sudachi) tokenizer: {type(tokenizer).__name__}")
    mode = _SPLIT_MODES.get(tokenizer.split_mode)
    if mode is None:
        raise ValueError(f"unknown Sudachi split mode {tokenizer.split_mode!r}")
    dic_path = Path(dic_path)
    if not dic_path.is_file() or dic_path.stat().st_size == 0:
        raise ConfigError(f"{dic_path}: user dictionary missing or empty (run build_user_dic)")
    try:
        dictionary = sudachipy.Dictionary(
            config=sudachipy.Config(user=[str(dic_path)]), dict="core"
        )
    except Exception as exc:  # SudachiPy raises plain exceptions for unreadable files
        message = " ".join(str(exc).split())
        raise ConfigError(
            f"{dic_path}: cannot load the user dictionary ({message}); delete it to rebuild"
        ) from exc
    tokenizer.tokenizer = dictionary.create(mode=getattr(sudachipy.SplitMode, mode))


# --------------------------------------------------------------------------- abbreviations


@lru_cache(maxsize=8)
def _long_forms(userdict: UserDict) -> tuple[str, ...]:
    """Words inside which no abbreviation is rewritten: the terms and the full forms."""
    forms = {t.surface for t in userdict.terms} | {a.full for a in userdict.abbreviations}
    return tuple(sorted(forms, key=lambda s: (-len(s), s)))


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def _script_boundary_ok(text: str, start: int, end: int, short: str) -> bool:
    """A short form written in Latin letters (katakana) is a word of its own only if no
    letter (katakana) touches it: SC but not SCSI, ケアマネ but not ケアマネジャー."""
    for pattern in (_LATIN, _KATAKANA):
        if pattern.fullmatch(short[0]) and start > 0 and pattern.fullmatch(text[start - 1]):
            return False
        if pattern.fullmatch(short[-1]) and end < len(text) and pattern.fullmatch(text[end]):
            return False
    return True


def expand_abbreviations(text: str, userdict: UserDict) -> str:
    """The analysis form of `text`: NFKC, with each abbreviation replaced by its full term.

    Longest match first, left to right, deterministic. An occurrence is left alone when
    it lies inside a longer term or full form (包括 in 地域包括支援センター), touches a
    letter / katakana of its own script (SC in SCSI, ケアマネ in ケアマネジャー), or is
    next to one of its `not_before` / `not_after` strings (包括的). `text` itself is not
    modified (strings are immutable); keep it as the original.
    """
    text = _nfkc(text)
    if not userdict.abbreviations:
        return text
    protected = [
        (start, start + len(form))
        for form in _long_forms(userdict)
        for start in _occurrences(text, form)
    ]
    candidates = []
    for abbreviation in userdict.abbreviations:
        short = abbreviation.short
        for start in _occurrences(text, short):
            end = start + len(short)
            if not _script_boundary_ok(text, start, end, short):
                continue
            if any(text.startswith(s, end) for s in abbreviation.not_before):
                continue
            if any(text.endswith(s, 0, start) for s in abbreviation.not_after):
                continue
            # Inside (or across the edge of) a longer known word: part of that word.
            if any(ps < end and start < pe and (ps < start or pe > end) for ps, pe in protected):
                continue
            candidates.append((start, -len(short), short, end, abbreviation.full))
    candidates.sort()
    parts, position = [], 0
    for start, _, _, end, full in candidates:
        if start < position:
            continue
        parts += [text[position:start], full]
        position = end
    parts.append(text[position:])
    return "".join(parts)
