"""Office files → PDF with LibreOffice, and a check that every text landed where it was put.

`soffice --headless --convert-to pdf` is Debian's libreoffice-impress / libreoffice-writer.
A deck is built blind (LibreOffice does the layout), so after export each region the deck
builder recorded (a cell, a box, the ⚫ lines) is read back with pdfplumber: its letters and
digits must be exactly the text put there. Text that overflowed its row, or a box whose font
LibreOffice chose differently, fails the build instead of slipping into the corpus.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber

from .style import OfficeError


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise OfficeError(
            "LibreOffice is not installed: apt-get install --no-install-recommends "
            "libreoffice-impress libreoffice-writer fonts-noto-cjk fonts-ipaexfont"
        )
    return found


def to_pdf(files: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Convert office files to PDF in one LibreOffice run; returns file → PDF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="officegen-") as tmp:
        # a private user profile: no first-start wizard, no lock on the user's own profile
        profile = Path(tmp) / "profile"
        staged = Path(tmp) / "pdf"
        command = [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(staged),
            *map(str, files),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        result = {}
        for path in files:
            pdf = staged / f"{path.stem}.pdf"
            if not pdf.exists():
                raise OfficeError(f"LibreOffice did not convert {path.name}: {done.stderr.strip()}")
            target = out_dir / pdf.name
            shutil.move(str(pdf), target)
            result[path] = target
    return result


def _letters(text: str) -> str:
    """Letters and digits only: bullet glyphs may map to other code points in the PDF."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN"
    )


def verify_regions(pdf_path: Path, regions: list[tuple[int, tuple, str]], what: str) -> None:
    """Each region's letters are exactly the text put there, and no letter is outside all."""
    by_page: dict[int, list] = {}
    for page, box, text in regions:
        by_page.setdefault(page, []).append((box, text))
    with pdfplumber.open(pdf_path) as pdf:
        if len(pdf.pages) != max(by_page, default=0):
            raise OfficeError(f"{what}: {len(pdf.pages)} pages, expected {max(by_page)}")
        for number, page in enumerate(pdf.pages, 1):
            chars = [c for c in page.chars if _letters(c["text"])]
            placed = set()
            for (x0, top, x1, bottom), text in by_page.get(number, []):
                inside = [
                    (i, c)
                    for i, c in enumerate(chars)
                    if x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1
                    and top - 1 <= (c["top"] + c["bottom"]) / 2 <= bottom + 1
                ]
                got = "".join(
                    c["text"]
                    for _, c in sorted(inside, key=lambda ic: (round(ic[1]["top"]), ic[1]["x0"]))
                )
                if sorted(_letters(got)) != sorted(_letters(text)):
                    want, have = Counter(_letters(text)), Counter(_letters(got))
                    raise OfficeError(
                        f"{what} p{number}: the text at {x0:.0f},{top:.0f} is not what was put "
                        f"there (overflow?): {_letters(text)[:30]!r} lacks "
                        f"{''.join((want - have).elements())!r} and has "
                        f"{''.join((have - want).elements())!r} more"
                    )
                placed.update(i for i, _ in inside)
            stray = [c["text"] for i, c in enumerate(chars) if i not in placed]
            if stray:
                raise OfficeError(
                    f"{what} p{number}: text outside every region: {''.join(stray)[:40]!r}"
                )
