"""The fonts text is drawn in: IPAexGothic, DejaVu Sans, and a stand-in Wingdings.

The Wingdings font is built from DejaVu Sans (docs/corpus.md, bullet_font) into a font
cache, so bullets can be drawn at their Wingdings code points as PowerPoint exports do.
"""

from __future__ import annotations

import importlib.resources
import io
import os
import tempfile
from pathlib import Path

import matplotlib
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont as FontFile
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pipeline.config.paths import PROJECT_ROOT

from .files import write_atomic
from .style import GenerateError

# The font's unique name (name ID 3) still names the generator's old path, corpora/generate.py:
# the font is embedded in every sample PDF, and the committed sample must stay byte-identical.
UNIQUE_NAME = "Wingdings Regular (corpora/generate.py, from DejaVu Sans)"

# bullet_font: bullets drawn as PowerPoint exports draw them, in Wingdings.  The code of each
# shape in the Wingdings font; pdfplumber reports it as chr(0xF000 + code) when the font's
# ToUnicode maps the symbol cmap (wingdings_pua), as chr(code) when it has none (wingdings_latin).
WINGDINGS_CODES = {
    "●": 0x6C,
    "■": 0x6E,
    "□": 0x6F,
    "◆": 0x75,
    "❖": 0x76,
    "•": 0x9F,
    "▪": 0xA7,
    "○": 0xA1,
    "➢": 0xD8,
    "➔": 0xE8,
}
BULLET_FONTS = ("wingdings_pua", "wingdings_latin")


def bullet_char(glyph: str, bullet_font: str | None) -> str:
    """The character a bullet glyph is drawn as: itself, or its Wingdings code point."""
    if bullet_font is None:
        return glyph
    if glyph not in WINGDINGS_CODES:
        raise GenerateError(f"bullet {glyph!r} has no Wingdings code (bullet_font {bullet_font})")
    code = WINGDINGS_CODES[glyph]
    return chr(0xF000 + code) if bullet_font == "wingdings_pua" else chr(code)


def build_wingdings(dejavu: Path) -> bytes:
    """A stand-in "Wingdings-Regular" TrueType font: DejaVu Sans's bullet shapes at their
    Wingdings codes, each mapped from both the PUA (U+F0xx) and the Latin-1 (U+00xx) code
    point.  Deterministic bytes: no timestamps are recalculated.
    """
    font = FontFile(str(dejavu), recalcTimestamp=False)
    cmap = font.getBestCmap()
    glyph_of = {code: cmap[ord(shape)] for shape, code in WINGDINGS_CODES.items()}
    options = ft_subset.Options()
    options.layout_features = []
    options.drop_tables += ["GDEF", "GPOS", "GSUB", "MATH", "FFTM"]
    options.name_IDs = [0, 5, 13, 14]  # copyright, version, license (kept, as it asks)
    options.notdef_outline = True
    options.hinting = False
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(set(glyph_of.values())))
    subsetter.subset(font)
    table = CmapSubtable.newSubtable(4)
    table.platformID, table.platEncID, table.language = 3, 1, 0
    table.cmap = {}
    for code, glyph in sorted(glyph_of.items()):
        table.cmap[0xF000 + code] = glyph
        table.cmap[code] = glyph
    font["cmap"].tables = [table]
    names = font["name"]
    for name_id, value in (
        (1, "Wingdings"),
        (2, "Regular"),
        (3, UNIQUE_NAME),
        (4, "Wingdings Regular"),
        (6, "Wingdings-Regular"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font.recalcTimestamp = False
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def font_cache_dir() -> Path:
    """.cache/corpus_fonts in the repository (git-ignored), else one in the temp folder."""
    for folder in (
        PROJECT_ROOT / ".cache" / "corpus_fonts",
        Path(tempfile.gettempdir()) / "corpus_fonts",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise GenerateError("no writable folder for the generated Wingdings font")


class Fonts:
    """IPAexGothic for text, DejaVu Sans for the glyphs IPAex lacks (⚫, ➢).

    reportlab silently draws nothing for a glyph missing from the font, so every character
    is routed to a font that has it, and a character no font has is an error.  The bullets
    of a document with a bullet_font are the exception: they are drawn explicitly in the
    stand-in Wingdings font (symbol_font), at their Wingdings code point.
    """

    PRIMARY = "IPAexGothic"
    FALLBACK = "DejaVuSans"
    SYMBOL = "Wingdings"  # built on demand for documents with a bullet_font

    def __init__(self) -> None:
        ipa = importlib.resources.files("matplotlib_fontja") / "fonts" / "ipaexg.ttf"
        self._dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        self._cmaps: dict[str, dict] = {}
        for name, path in ((self.PRIMARY, ipa), (self.FALLBACK, self._dejavu)):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            self._cmaps[name] = pdfmetrics.getFont(name).face.charToGlyph
        self._font: dict[str, str] = {}
        self._em: dict[str, float] = {}

    def symbol_font(self) -> str:
        """Build (into the font cache), register and return the stand-in Wingdings font.

        Only bullet glyphs are drawn with it, chosen explicitly: font_for never picks it.
        """
        if self.SYMBOL not in pdfmetrics.getRegisteredFontNames():
            data = build_wingdings(self._dejavu)
            path = font_cache_dir() / "Wingdings-Regular.ttf"
            if not path.is_file() or path.read_bytes() != data:
                write_atomic(path, data)
            pdfmetrics.registerFont(TTFont(self.SYMBOL, str(path)))
        return self.SYMBOL

    def has_glyph(self, font: str, ch: str) -> bool:
        return ord(ch) in self._cmaps[font]

    def font_for(self, ch: str) -> str:
        font = self._font.get(ch)
        if font is None:
            for name in (self.PRIMARY, self.FALLBACK):
                if self.has_glyph(name, ch):
                    font = name
                    break
            else:
                raise GenerateError(f"no embedded font has a glyph for {ch!r} (U+{ord(ch):04X})")
            self._font[ch] = font
        return font

    def check_text(self, text: str) -> str | None:
        """The first character no font can draw, or None."""
        for ch in text:
            try:
                self.font_for(ch)
            except GenerateError:
                return ch
        return None

    def char_width(self, ch: str, size: float) -> float:
        em = self._em.get(ch)
        if em is None:
            em = pdfmetrics.stringWidth(ch, self.font_for(ch), 1000) / 1000
            self._em[ch] = em
        return em * size

    def width(self, text: str, size: float, font: str | None = None) -> float:
        if font is not None:
            return pdfmetrics.stringWidth(text, font, size)
        return sum(self.char_width(ch, size) for ch in text)

    def runs(self, text: str, font: str | None = None) -> list[tuple[str, str]]:
        """Split text into (font, substring) runs of one font each (or one run in font)."""
        if font is not None:
            return [(font, text)]
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.font_for(ch)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out
