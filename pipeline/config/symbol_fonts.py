"""Bullets drawn in symbol fonts (Wingdings, Symbol) read back as what they show.

PowerPoint draws most bullets in Wingdings, at the font's own codes: ➢ is Wingdings
0xD8. Exported to PDF, the character then comes out as a private-use code point
(U+F0D8) or as the Latin-1 letter of the code ("Ø"), depending on how the font was
embedded, and a bullet that reads "Ø" is no bullet to the segmenter. The tables are in
configs/symbol_fonts.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.config.yaml_io import read_yaml
from pipeline.core.errors import ConfigError

_PUA = 0xF000  # symbol fonts map their codes to U+F000 + code
_SUBSET = re.compile(r"^[A-Z]{6}\+")  # "ABCDEF+Wingdings-Regular": a subset's prefix
# a letter standing for a bullet: a word of its own (naive text puts a label fragment
# before it: "題 ¡ 通所型…") before a word with Japanese in it ("¡ SCは…")
_JAPANESE = "\u3000-\u9fff\uff00-\uffef"
_LONE_LETTER = re.compile(rf"(?:^|(?<=\s))([^\x00-\x7f])(?=\s*[^\s{_JAPANESE}]*[{_JAPANESE}])")


@dataclass(frozen=True)
class SymbolFonts:
    """Per font family (lower case), code → the character the code shows."""

    families: tuple[tuple[str, dict[int, str]], ...] = ()
    plain_text: tuple[str, ...] = ()  # families tried for .txt, in order
    # fonts that stand in for a missing symbol font (LibreOffice draws Wingdings and Symbol
    # in OpenSymbol, keeping the private-use code): read like plain text, by that code
    substitutes: tuple[str, ...] = ()
    # letters drawn as bullets in a text font (Word's "o"), and the bullet each is read as
    letter_bullets: tuple[tuple[str, str], ...] = ()

    def table_for(self, fontname: str) -> dict[int, str] | None:
        # the family starts the name ("Wingdings-Regular", "SymbolMT"), so OpenSymbol, a
        # font of its own, is not Symbol
        name = _SUBSET.sub("", fontname or "").lower()
        for family, table in self.families:
            if name.startswith(family):
                return table
        return None

    def char(self, text: str, fontname: str) -> str:
        """One PDF character, read through its font's table when it is a symbol font."""
        if len(text) != 1:
            return text
        table = self.table_for(fontname)
        if table is None:
            name = _SUBSET.sub("", fontname or "").lower()
            if any(s in name for s in self.substitutes) and _is_code(text):
                tables = [t for f, t in self.families if f in self.plain_text]
                return _first(tables, _code(text), text)
            return text
        return table.get(_code(text), text)

    def line(self, text: str) -> str:
        """A line of plain text: private-use characters anywhere, and a letter that stands
        as a word of its own before Japanese ("Ø 地域…"), read through the plain_text
        families' tables (a letter: the first family's)."""
        tables = [t for f, t in self.families if f in self.plain_text]
        if not tables:
            return text
        if any(_PUA <= ord(ch) <= _PUA + 0xFF for ch in text):
            text = "".join(_first(tables, _code(ch), ch) if ord(ch) >= _PUA else ch for ch in text)
        return self.letter_bullets_read(
            _LONE_LETTER.sub(lambda m: _lone(tables[0], m.group(1)), text)
        )

    def letter_bullets_read(self, text: str) -> str:
        """A line with a letter drawn as a bullet, a word of its own before Japanese ("o 推進
        員は…", "o推進員は…", "o SCは…"; after a cell beside it, "…人の o 推進員は…"), with
        that letter read as its bullet."""
        for letter, bullet in self.letter_bullets:
            text = _letter_bullet(letter).sub(bullet, text)
        return text


@cache
def _letter_bullet(letter: str) -> re.Pattern:
    """The letter as a word of its own before Japanese (o 推進員…, o推進員…, o SCは…, and
    spaced by a tool, o R5 年度…)."""
    return re.compile(
        rf"(?:^|(?<=\s)){re.escape(letter)}"
        rf"(?=[{_JAPANESE}]|\s+[^\s{_JAPANESE}]*\s?[{_JAPANESE}])"
    )


def _code(ch: str) -> int:
    """The font code a character stands for: U+F0xx is code xx; a letter is its byte in
    the PDF's usual single-byte encoding (WinAnsi: "Ø" 0xD8, "Ÿ" 0x9F)."""
    code = ord(ch)
    if _PUA <= code <= _PUA + 0xFF:
        return code - _PUA
    try:
        encoded = ch.encode("cp1252")
    except UnicodeEncodeError:
        return code
    return encoded[0] if len(encoded) == 1 else code


def _is_code(ch: str) -> bool:
    """A character a substitute font can only have been given by its code: a private-use
    U+F0xx, or a letter of one byte ("Ø" 0xD8, "l" 0x6C) where a Word file wrote the
    symbol font's code as a letter."""
    return _PUA <= ord(ch) <= _PUA + 0xFF or (not ch.isspace() and _code(ch) < 0x100)


def _lone(table: dict[int, str], letter: str) -> str:
    code = _code(letter)
    return table.get(code, letter) if code < 0x100 else letter


def _first(tables: list[dict[int, str]], code: int, default: str) -> str:
    shown = next((t[code] for t in tables if code in t), None)
    if shown is None and code in _LOW_BYTE:
        shown = next((t[_LOW_BYTE[code]] for t in tables if _LOW_BYTE[code] in t), None)
    return default if shown is None else shown


def _low_bytes() -> dict[int, int]:
    """Low byte → symbol code, for codes 0x80–0x9F: a file that wrote such a code as its
    WinAnsi letter ("Ÿ", U+0178, for Wingdings 0x9F) comes out of LibreOffice's substitute
    font at the letter's low byte (U+F078). Only where the byte itself means nothing."""
    found: dict[int, int] = {}
    for code in range(0x80, 0xA0):
        try:
            letter = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        found.setdefault(ord(letter) & 0xFF, code)
    return found


_LOW_BYTE = _low_bytes()


def load_symbol_fonts(path: Path) -> SymbolFonts:
    data = read_yaml(path)
    fonts = data.get("fonts") or {}
    if not isinstance(fonts, dict):
        raise ConfigError(f"{path}: fonts: expected a mapping of font family → code table")
    families = []
    for family, table in fonts.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: fonts.{family}: expected a mapping of code → character")
        codes = {}
        for code, shown in table.items():
            if not isinstance(code, int) or not 0 <= code <= 0xFF:
                raise ConfigError(f"{path}: fonts.{family}: code {code!r} is not 0x00–0xFF")
            if not isinstance(shown, str) or len(shown) != 1:
                raise ConfigError(
                    f"{path}: fonts.{family}: {code:#04x} must map to one character, got {shown!r}"
                )
            codes[code] = shown
        families.append((str(family).lower(), codes))
    plain = [str(f).lower() for f in data.get("plain_text") or []]
    unknown = [f for f in plain if f not in dict(families)]
    if unknown:
        raise ConfigError(f"{path}: plain_text: no table for {', '.join(unknown)}")
    # plain-text order first: SymbolFonts.line takes the first table that has a code
    order = {f: n for n, f in enumerate(plain)}
    families.sort(key=lambda ft: order.get(ft[0], len(order)))
    substitutes = data.get("substitutes") or []
    if not isinstance(substitutes, list) or not all(isinstance(f, str) for f in substitutes):
        raise ConfigError(f"{path}: substitutes: expected a list of font family names")
    letters = data.get("letter_bullets") or {}  # checked by config/schema.py
    return SymbolFonts(
        families=tuple(families),
        plain_text=tuple(plain),
        substitutes=tuple(f.lower() for f in substitutes),
        letter_bullets=tuple((str(k), str(v)) for k, v in letters.items()),
    )
