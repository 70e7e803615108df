"""What the .pptx and .docx readers share: bullet glyphs as they are drawn."""

from __future__ import annotations

import zipfile


def symbol_fonts_of(options: dict):
    """The symbol-font tables of configs/symbol_fonts.yaml, if the settings name them."""
    return options.get("symbol_fonts")


def bullet_text(char: str, font: str, symbols) -> str:
    """A bullet character in its font, as it shows: Wingdings "§" is ▪, "Ø" is ➢, and a
    letter drawn as a bullet (Word's "o" in Courier New) the bullet it stands for."""
    if not char:
        return ""
    if symbols is None:
        return char
    if font:
        char = "".join(symbols.char(ch, font) for ch in char)
    return dict(symbols.letter_bullets).get(char, char)


def unreadable(exc: Exception, kind: str, suffix: str) -> str:
    """The one-line reason an office file cannot be opened."""
    if isinstance(exc, zipfile.BadZipFile) or type(exc).__name__ == "PackageNotFoundError":
        what = "its zip container is damaged or cut short"
    else:
        what = f"a part of it is missing or malformed ({type(exc).__name__}: {exc})"
    return f"not a readable {kind} file: {what}; save it again from {kind} as {suffix}"
