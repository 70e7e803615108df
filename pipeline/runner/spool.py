"""Document results held on disk between processing and writing the tables.

Results arrive in whatever order the workers finish them, but the tables list files in
batch order; holding every result in memory until then would make memory grow with the
batch. The spool is one unnamed temporary file in the output folder (gone with the
process, even after a SIGKILL) where each result is appended pickled and read back once.
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

from pipeline.core.records import DocumentResult


class ResultSpool:
    def __init__(self, folder: Path):
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".results.")
        self._where: dict[str, tuple[int, int]] = {}

    def __enter__(self) -> ResultSpool:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def put(self, key: str, result: DocumentResult) -> None:
        data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        offset = self._file.seek(0, 2)
        self._file.write(data)
        self._where[key] = (offset, len(data))

    def get(self, key: str) -> DocumentResult:
        offset, size = self._where[key]
        self._file.seek(offset)
        # written by this process a moment ago, so pickle is safe to load here
        return pickle.loads(self._file.read(size))
