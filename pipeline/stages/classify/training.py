"""Gold-labelled examples the theme model learns from: gold.json and labels.csv files.

gold.json (docs/corpus.md) labels the items of 課題意識, アセスメント結果 and 到達点;
items whose `themes` is null are not examples. A `labels.csv` a user puts beside a
batch has columns `text` and `themes` (ids joined by `;`, empty for none), and
optionally `block` and `municipality` (the group cross-validation keeps together) and
`checked` (when the column is there, rows left empty in it are skipped: a review.csv
saved whole counts only the rows an analyst marked).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.contract import split_list
from pipeline.core.errors import PipelineError
from pipeline.core.normalize import nfkc
from pipeline.core.records import Item


class TrainingDataError(PipelineError):
    """A gold.json or labels.csv cannot be used for training; the message says why."""


@dataclass(frozen=True)
class Example:
    text: str  # NFKC, as items carry it
    themes: tuple[str, ...]
    block: str
    group: str  # municipality: cross-validation never splits one across folds
    origin: str  # file it came from


def load_gold_examples(path: Path) -> list[Example]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        examples = []
        for muni in data["municipalities"]:
            for block in muni["blocks"]:
                for item in block["items"]:
                    if item.get("themes") is None:
                        continue
                    examples.append(
                        Example(
                            text=nfkc(item["text"]),
                            themes=tuple(item["themes"]),
                            block=block["block"],
                            group=muni["municipality"],
                            origin=str(path),
                        )
                    )
    except FileNotFoundError:
        raise TrainingDataError(f"{path}: training file not found") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise TrainingDataError(f"{path}: not a gold.json of docs/corpus.md ({exc!r})") from None
    return examples


@dataclass(frozen=True)
class LabelRow:
    """One row of a labels.csv, as written (text NFKC)."""

    line: int
    text: str
    themes: tuple[str, ...]
    block: str
    municipality: str


# Excel on a Japanese Windows saves "CSV" as Shift_JIS (cp932) unless "CSV UTF-8" is
# chosen: a review.csv corrected there and saved as labels.csv comes back that way.
ENCODINGS = ("utf-8-sig", "cp932")


def _decoded(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TrainingDataError(f"{path}: labels file not found") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TrainingDataError(
        f"{path}: cannot read as UTF-8 or Shift_JIS text; save it as CSV UTF-8"
    ) from None


def label_rows(path: Path) -> list[LabelRow]:
    try:
        rows = list(csv.DictReader(io.StringIO(_decoded(path), newline="")))
    except csv.Error as exc:
        raise TrainingDataError(f"{path}: not a readable CSV ({exc})") from None
    if rows and not {"text", "themes"} <= set(rows[0]):
        raise TrainingDataError(f"{path}: needs the columns `text` and `themes`")
    # review.csv saved whole as labels.csv: only the rows marked as checked count.
    marked = bool(rows) and "checked" in rows[0]
    result = []
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        if marked and not (row.get("checked") or "").strip():
            continue
        text = nfkc((row.get("text") or "").strip())
        if not text:
            raise TrainingDataError(f"{path}: line {n}: empty `text`")
        result.append(
            LabelRow(
                line=n,
                text=text,
                themes=tuple(split_list(row.get("themes"))),
                block=(row.get("block") or "").strip(),
                municipality=(row.get("municipality") or "").strip(),
            )
        )
    return result


def load_labels_csv(path: Path) -> list[Example]:
    return [
        Example(
            text=row.text,
            themes=row.themes,
            block=row.block,
            group=row.municipality or f"{Path(path).name}:{row.line}",
            origin=str(path),
        )
        for row in label_rows(path)
    ]


def load_examples(paths: Iterable[Path]) -> list[Example]:
    examples: list[Example] = []
    for path in paths:
        path = Path(path)
        loader = load_labels_csv if path.suffix.lower() == ".csv" else load_gold_examples
        examples += loader(path)
    return examples


def check_themes(examples: list[Example], theme_ids: Iterable[str]) -> None:
    known = set(theme_ids)
    for example in examples:
        unknown = [t for t in example.themes if t not in known]
        if unknown:
            raise TrainingDataError(
                f"{example.origin}: unknown theme `{unknown[0]}` for {example.text[:30]!r} "
                f"(themes.yaml knows {', '.join(sorted(known))})"
            )


def data_hash(examples: list[Example]) -> str:
    """Identifies the training data: same examples (in any order) → same hash."""
    lines = sorted(
        json.dumps([e.text, sorted(e.themes), e.block], ensure_ascii=False) for e in examples
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def as_items(examples: list[Example]) -> list[Item]:
    """Item records for the examples, so that the pipeline's analyzer can fill lemmas."""
    return [
        Item(
            item_id=f"train{k}",
            block_id="",
            doc_id="",
            source=e.origin,
            municipality=e.group,
            page=0,
            block=e.block,
            session=None,
            level=1,
            parent_id="",
            context="",
            text=e.text,
            text_raw=e.text,
        )
        for k, e in enumerate(examples)
    ]
