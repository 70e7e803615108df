"""Writers for the run's files: CSV in UTF-8 with BOM, JSON, all written atomically.

Every file is written to a temporary file in the same folder and renamed into place,
so an interrupted run never leaves a half-written table where the last good one was.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a table is written: a cached run needs none
    import pandas as pd


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary path beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file 0600; give it the mode an ordinary open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM, so that Excel shows the Japanese; pandas reads it back unchanged."""
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def read_csv(path: Path) -> pd.DataFrame:
    """Read a table this module wrote, every cell as text, empty cells as empty strings."""
    import pandas as pd

    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def write_json(data: object, path: Path) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
