"""configs/userdict.yaml: the domain dictionary's terms and abbreviations, checked.

The file a non-programmer edits: terms GiNZA must keep as one word (surface, reading in
katakana, optional normalized form and part of speech) and abbreviations the analysis
spells out. Building and installing the Sudachi dictionary is the analysis stage's job
(stages/analyze/userdict.py); here the file is read and every mistake named.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.config.paths import packaged_config_dir
from pipeline.config.yaml_io import load_yaml
from pipeline.core.errors import ConfigError

DEFAULT_USERDICT = packaged_config_dir() / "userdict.yaml"

# Part of speech (Sudachi's six fields) and connection ids for the `pos` of a term. The
# ids are the ones Sudachi's user-dictionary guide recommends for these classes.
_POS = {
    "普通名詞": (("名詞", "普通名詞", "一般", "*", "*", "*"), 5146),
    "固有名詞": (("名詞", "固有名詞", "一般", "*", "*", "*"), 4786),
}
_DEFAULT_POS = "普通名詞"
_TERM_KEYS = ("surface", "reading", "normalized", "pos")
_ABBREVIATION_KEYS = ("full", "not_before", "not_after")
_READING = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc-\u30ff]+")  # katakana, ・ allowed


def userdict_path(analyze: dict) -> Path:
    """The domain dictionary the `analyze:` settings name (load_settings made the path
    absolute, relative to pipeline.yaml), else the packaged defaults' userdict.yaml."""
    path = analyze.get("userdict")
    return Path(path) if path else DEFAULT_USERDICT


@dataclass(frozen=True)
class Term:
    """One word of the domain: `surface` and `normalized` are NFKC, `reading` katakana."""

    surface: str
    reading: str
    normalized: str
    pos: str = _DEFAULT_POS


@dataclass(frozen=True)
class Abbreviation:
    """`short` stands for the term `full`, except next to `not_before` / `not_after`."""

    short: str
    full: str
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserDict:
    terms: tuple[Term, ...]
    abbreviations: tuple[Abbreviation, ...] = ()
    source: str = ""
    # Identifies the whole file (terms and abbreviations), for caching analysis results.
    digest: str = ""

    def aliases(self) -> dict[str, str]:
        """Short or variant form → the form the analysis gives (NFKC): a coding rule's
        word SC must also find the lemma 生活支援コーディネーター."""
        found = {_nfkc(t.surface): _nfkc(t.normalized) for t in self.terms}
        found.update({_nfkc(a.short): _nfkc(a.full) for a in self.abbreviations})
        return {k: v for k, v in found.items() if k != v}


# --------------------------------------------------------------------------- loading


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _trie_key(text: str) -> str:
    """Column 0 of the CSV: the form Sudachi looks words up in (NFKC, lowercase)."""
    return _nfkc(_nfkc(text).lower())


def _to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _text(path: Path, where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {where}: `{key}` must be non-empty text, got {value!r}")
    value = _nfkc(value.strip())
    if any(c.isspace() for c in value):
        raise ConfigError(f"{path}: {where}: `{key}` must not contain spaces, got {value!r}")
    return value


def _load_term(path: Path, i: int, entry: Any) -> Term:
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: terms[{i}]: expected `surface:` and `reading:`, got {entry!r}")
    name = entry.get("surface") if isinstance(entry.get("surface"), str) else None
    where = f"terms[{i}] ({name})" if name else f"terms[{i}]"
    unknown = [str(k) for k in entry if k not in _TERM_KEYS]
    if unknown:
        raise ConfigError(
            f"{path}: {where}: unknown key `{unknown[0]}` (expected {', '.join(_TERM_KEYS)})"
        )
    if "surface" not in entry:
        raise ConfigError(f"{path}: {where}: `surface` missing")
    surface = _text(path, where, "surface", entry["surface"])
    if len(surface) > 255:
        raise ConfigError(f"{path}: {where}: `surface` is longer than 255 characters")
    if "reading" not in entry:
        raise ConfigError(f"{path}: {where}: `reading` missing (write it in katakana)")
    reading = _to_katakana(_text(path, where, "reading", entry["reading"]))
    if not _READING.fullmatch(reading):
        raise ConfigError(f"{path}: {where}: `reading` must be katakana, got {reading!r}")
    normalized = surface
    if entry.get("normalized") is not None:
        normalized = _text(path, where, "normalized", entry["normalized"])
    pos = entry.get("pos") or _DEFAULT_POS
    if pos not in _POS:
        raise ConfigError(
            f"{path}: {where}: `pos` must be one of {', '.join(_POS)}, got {entry.get('pos')!r}"
        )
    return Term(surface=surface, reading=reading, normalized=normalized, pos=pos)


def _strings(path: Path, where: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{path}: {where}: `{key}` must be a list of strings, got {value!r}")
    return tuple(_nfkc(v) for v in value)


def _load_abbreviation(path: Path, short: Any, spec: Any, terms: dict[str, Term]) -> Abbreviation:
    if not isinstance(short, str) or not short.strip():
        raise ConfigError(f"{path}: abbreviations: {short!r} must be text (put it in quotes)")
    where = f"abbreviations ({short})"
    short = _text(path, where, "abbreviation", short)
    if isinstance(spec, str):
        spec = {"full": spec}
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: {where}: expected the full term, got {spec!r}")
    unknown = [str(k) for k in spec if k not in _ABBREVIATION_KEYS]
    if unknown:
        raise ConfigError(
            f"{path}: {where}: unknown key `{unknown[0]}` "
            f"(expected {', '.join(_ABBREVIATION_KEYS)})"
        )
    if "full" not in spec:
        raise ConfigError(f"{path}: {where}: `full` (the full term) missing")
    full = _text(path, where, "full", spec["full"])
    if full == short:
        raise ConfigError(f"{path}: {where}: the full term is the abbreviation itself")
    if _trie_key(full) not in terms:
        raise ConfigError(
            f"{path}: {where}: full term {full!r} is not in `terms` "
            "(add it there so that it is analysed as one word)"
        )
    return Abbreviation(
        short=short,
        full=full,
        not_before=_strings(path, where, "not_before", spec.get("not_before")),
        not_after=_strings(path, where, "not_after", spec.get("not_after")),
    )


def load_userdict(path: Path | str = DEFAULT_USERDICT) -> UserDict:
    """Read and validate the domain dictionary; errors are one-line `ConfigError`s."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: user dictionary file not found") from None
    try:
        data = load_yaml(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"{path}: not valid UTF-8 YAML ({message})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected `terms:` (and `abbreviations:`) at the top level")
    unknown = [str(k) for k in data if k not in ("terms", "abbreviations")]
    if unknown:
        raise ConfigError(f"{path}: unknown section `{unknown[0]}` (expected terms, abbreviations)")
    entries = data.get("terms")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: `terms` must be a non-empty list of words")
    terms: dict[str, Term] = {}
    first_index: dict[str, int] = {}
    for i, entry in enumerate(entries):
        term = _load_term(path, i, entry)
        key = _trie_key(term.surface)
        if key in terms:
            raise ConfigError(
                f"{path}: terms[{i}] ({term.surface}): same word as terms[{first_index[key]}]"
            )
        terms[key] = term
        first_index[key] = i
    abbreviations_spec = data.get("abbreviations") or {}
    if not isinstance(abbreviations_spec, dict):
        raise ConfigError(f"{path}: `abbreviations` must map each short form to its full term")
    abbreviations = tuple(
        _load_abbreviation(path, short, spec, terms) for short, spec in abbreviations_spec.items()
    )
    return UserDict(
        terms=tuple(terms.values()),
        abbreviations=abbreviations,
        source=str(path),
        digest=hashlib.sha256(raw).hexdigest()[:16],
    )
