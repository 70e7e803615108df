"""Cheap checks of a file's first bytes before a parser sees it, with reasons a user can act on.

A parser's own message for a file that is not what its name says ("No /Root object!")
tells a user nothing; the first bytes usually tell what the file really is.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import UnreadableFileError

# What a file that is not a PDF usually turns out to be, by its first bytes.
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP container (a .pptx/.docx/.xlsx saved under a .pdf name?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.ppt/.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"<", "HTML or XML (a web page saved under a .pdf name?)"),
)


def check_file(path: Path) -> None:
    """Raise UnreadableFileError for an empty file, or a .pdf, .pptx or .docx that is not one."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head:
        raise UnreadableFileError("the file is empty (0 bytes): copy it again from its source")
    # PDF readers accept the header anywhere in the first 1024 bytes; so do we.
    suffix = path.suffix.lower()
    if suffix == ".pdf" and b"%PDF-" not in head:
        raise UnreadableFileError(
            f"not a PDF: the file is {_what(head)}; export the report as PDF again"
        )
    if suffix in (".pptx", ".docx") and not head.startswith(b"PK\x03\x04"):
        kind = "PowerPoint" if suffix == ".pptx" else "Word"
        raise UnreadableFileError(
            f"not a {suffix} file: the file is {_what(head)}; save it again from {kind} as {suffix}"
        )


def _what(head: bytes) -> str:
    stripped = head.lstrip()
    for signature, name in _SIGNATURES:
        if stripped.startswith(signature):
            return name
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "in an unknown format"
    return "plain text"
