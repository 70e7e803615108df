"""The manifest (corpora/sources/batch.yaml): which sources go into which PDF, how drawn."""

from __future__ import annotations

import re
from pathlib import Path

from .checks import check_list, check_mapping, fail
from .fonts import BULLET_FONTS, WINGDINGS_CODES
from .style import LABEL_WIDTHS, LEVEL1_BULLETS, PAGE_KINDS

DOC_KEYS = ("file", "variant", "page", "bullet", "label_width", "continued", "sources")
BOX_STYLES = ("ruled", "borderless")


def validate_manifest(data, path: Path) -> dict:
    name = path.name
    check_mapping(data, ("batch", "documents"), (), name)
    if not isinstance(data["batch"], str) or not data["batch"]:
        fail(f"{name}: batch", "expected a name")
    files = set()
    for n, doc in enumerate(check_list(data["documents"], f"{name}: documents")):
        where = f"{name}: documents[{n}]"
        check_mapping(doc, DOC_KEYS, ("boxes", "bullet_font", "held_out"), where)
        if not isinstance(doc.get("held_out", False), bool):
            fail(f"{where}.held_out", "must be true or false")
        if doc.get("boxes", "ruled") not in BOX_STYLES:
            fail(f"{where}.boxes", f"must be one of {', '.join(BOX_STYLES)}, got {doc['boxes']!r}")
        if "bullet_font" in doc:
            if doc["bullet_font"] not in BULLET_FONTS:
                allowed = ", ".join(BULLET_FONTS)
                fail(
                    f"{where}.bullet_font", f"must be one of {allowed}, got {doc['bullet_font']!r}"
                )
            if doc["bullet"] not in WINGDINGS_CODES:
                fail(f"{where}.bullet", f"{doc['bullet']!r} has no Wingdings code (bullet_font)")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+\.pdf", str(doc["file"])) or doc["file"] in files:
            fail(f"{where}.file", f"expected a unique *.pdf file name, got {doc['file']!r}")
        files.add(doc["file"])
        for key, allowed in (
            ("page", PAGE_KINDS),
            ("bullet", LEVEL1_BULLETS),
            ("label_width", LABEL_WIDTHS),
        ):
            if doc[key] not in allowed:
                fail(f"{where}.{key}", f"must be one of {', '.join(allowed)}, got {doc[key]!r}")
        if not isinstance(doc["variant"], str) or not isinstance(doc["continued"], bool):
            fail(where, "variant must be a string and continued true or false")
        for sid in check_list(doc["sources"], f"{where}.sources"):
            if not isinstance(sid, str):
                fail(f"{where}.sources", f"expected source ids, got {sid!r}")
    return data


def plan_documents(manifest: dict) -> list[dict]:
    """Manifest documents plus derived settings: every other continued one splits mid-bullet."""
    docs, n_continued = [], 0
    for doc in manifest["documents"]:
        doc = dict(doc)
        if doc["continued"]:
            doc["mid_bullet"] = n_continued % 2 == 1
            n_continued += 1
        docs.append(doc)
    return docs
