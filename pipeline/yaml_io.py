"""Reading the YAML config files, with errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ConfigError


def read_yaml(path: Path) -> dict:
    """A YAML file's top-level mapping; ConfigError (one line) if missing or malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data
