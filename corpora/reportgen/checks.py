"""Reading YAML and checking its shape: errors that name the file and the place."""

from __future__ import annotations

from pathlib import Path

import yaml

from .fonts import Fonts
from .style import GenerateError


def fail(where: str, problem: str):
    raise GenerateError(f"{where}: {problem}")


def load_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        fail(f"{path.name}{line}", f"invalid YAML ({getattr(exc, 'problem', exc)})")


def check_mapping(value, required: tuple, optional: tuple, where: str) -> dict:
    if not isinstance(value, dict):
        fail(where, "expected a mapping")
    for key in required:
        if key not in value:
            fail(where, f"missing key '{key}'")
    for key in value:
        if key not in required and key not in optional:
            fail(where, f"unknown key '{key}'")
    return value


def check_text(value, where: str, fonts: Fonts) -> str:
    """Drawable one-line text: no line breaks, no doubled or edge spaces."""
    if not isinstance(value, str) or not value:
        fail(where, "expected a non-empty string")
    if any(ch in value for ch in "\n\r\t") or value != value.strip() or "  " in value:
        fail(where, f"line breaks, tabs, doubled or edge spaces in {value[:20]!r}")
    bad = fonts.check_text(value)
    if bad is not None:
        fail(where, f"character {bad!r} (U+{ord(bad):04X}) is in no embedded font")
    return value


def check_list(value, where: str, min_len: int = 1) -> list:
    if not isinstance(value, list) or len(value) < min_len:
        fail(where, f"expected a list of at least {min_len}")
    return value


def check_lines(value, where: str, fonts: Fonts) -> list[str]:
    for n, line in enumerate(check_list(value, where)):
        check_text(line, f"{where}[{n}]", fonts)
    return value
