"""Score a run's outputs (blocks.csv, items.csv) against gold annotations (gold.json).

The scoring is the one described at the end of docs/corpus.md:

- municipality recall: gold municipalities that occur in items.csv;
- block precision / recall: multisets of (municipality, block, session) from blocks.csv;
- item F1 within the same (municipality, block, session), texts compared after NFKC and
  removal of all whitespace: *exact* counts equal strings (multiset), *fuzzy* pairs items
  one-to-one when their difflib ratio is >= 0.9 (exact pairs first, then greedily by ratio);
- theme micro-/macro-F1 over the gold-labelled items that were matched (exact or fuzzy),
  predicted themes taken from the matched predicted item;
- every figure overall and per layout variant (municipality → variant comes from gold).

`evaluate()` is pure: it reads files and returns a JSON-serialisable dict. `run()` is the
command-line wrapper (`python -m pipeline evaluate OUTPUT_DIR`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd

from pipeline.core.contract import split_list
from pipeline.core.errors import PipelineError
from pipeline.core.normalize import compact
from pipeline.evaluation import metrics
from pipeline.output.files import write_json

DEFAULT_OUTPUT_DIR = Path("outputs/sample")
DEFAULT_GOLD = Path("corpora/sample/gold.json")
FUZZY_THRESHOLD = 0.9
MAX_ERRORS = 200  # unmatched items kept per side in the result, enough to diagnose a run
OVERALL = "overall"
UNKNOWN_VARIANT = "unknown"  # predicted rows we cannot attribute to any gold document

BLOCK_COLUMNS = ("municipality", "block", "session")
ITEM_COLUMNS = ("municipality", "block", "session", "text", "themes")


class EvaluationError(PipelineError):
    """A run or gold file cannot be scored; the message says what to do about it."""


# --------------------------------------------------------------------------- records


Key = tuple[str, str, str]  # (municipality, block, session), all normalised


@dataclass(frozen=True)
class ItemRecord:
    """One item, gold or predicted, reduced to what scoring needs."""

    variant: str
    municipality: str  # as written (for error listings)
    block: str
    session: str  # "" or "1" / "2" / "3"
    text: str  # as written (for error listings)
    themes: frozenset[str] | None  # None: gold item without theme labels
    key: Key
    norm: str  # text after NFKC and whitespace removal: what is compared


@dataclass(frozen=True)
class BlockRecord:
    variant: str
    key: Key


@dataclass
class Gold:
    municipalities: dict[str, str]  # normalised name → name as written
    variant_of: dict[str, str]  # normalised municipality → variant
    variant_of_file: dict[str, str]  # document file name → variant
    variants: list[str]  # in gold order
    blocks: list[BlockRecord]
    items: list[ItemRecord]


@dataclass
class Run:
    blocks: list[BlockRecord]
    items: list[ItemRecord]
    documents: dict | None  # status summary of documents.csv, None when absent


@dataclass(frozen=True)
class Pair:
    """A gold item matched to a predicted item (indices into Gold.items / Run.items)."""

    gold: int
    pred: int
    exact: bool


@dataclass
class Matching:
    pairs: list[Pair]
    # For unmatched gold items: the closest predicted text in the same block, for diagnosis.
    closest: dict[int, tuple[float, str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- normalising


# NFKC, then drop every whitespace character (NFKC itself can produce spaces).
normalize_text = compact


def normalize_session(value: object) -> str:
    """Gold has null / 1; the CSVs have "" / "1" (or "1.0" if a float slipped through)."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        return normalize_text(text)
    return str(int(number)) if number.is_integer() else text


def make_key(municipality: str, block: str, session: object) -> Key:
    return (normalize_text(municipality), normalize_text(block), normalize_session(session))


# --------------------------------------------------------------------------- loading


def load_gold(path: Path) -> Gold:
    if not path.is_file():
        raise EvaluationError(f"no gold file {path} — run `make generate` or pass --gold FILE")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse_gold(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EvaluationError(
            f"{path} is not a gold.json as described in docs/corpus.md ({exc!r}) — "
            "regenerate it with `make generate`"
        ) from exc


def _parse_gold(data: dict) -> Gold:
    variant_of_file: dict[str, str] = {}
    variants: list[str] = []
    for doc in data.get("documents", []):
        variant_of_file[Path(doc["file"]).name] = doc["variant"]
        _append_new(variants, doc["variant"])

    gold = Gold({}, {}, variant_of_file, variants, [], [])
    for muni in data["municipalities"]:
        name, variant = muni["municipality"], muni["variant"]
        _append_new(gold.variants, variant)
        gold.municipalities[normalize_text(name)] = name
        gold.variant_of[normalize_text(name)] = variant
        if muni.get("file"):
            gold.variant_of_file.setdefault(Path(muni["file"]).name, variant)
        for block in muni["blocks"]:
            key = make_key(name, block["block"], block.get("session"))
            gold.blocks.append(BlockRecord(variant, key))
            for item in block["items"]:
                themes = item.get("themes")
                gold.items.append(
                    ItemRecord(
                        variant=variant,
                        municipality=name,
                        block=block["block"],
                        session=key[2],
                        text=item["text"],
                        themes=None if themes is None else frozenset(themes),
                        key=key,
                        norm=normalize_text(item["text"]),
                    )
                )
    return gold


def _append_new(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def read_output_csv(output_dir: Path, name: str, required: Iterable[str]) -> pd.DataFrame:
    """Read one output CSV as strings; empty cells stay "" (not NaN)."""
    path = output_dir / name
    if not path.is_file():
        raise EvaluationError(f"no {name} in {output_dir} — run `make pipeline` first")
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        # A zero-byte file: nothing was produced, which scores as an empty output.
        frame = pd.DataFrame(columns=list(required), dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise EvaluationError(
            f"cannot read {path} ({exc.__class__.__name__}) — re-run `make pipeline`"
        ) from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise EvaluationError(
            f"{path} lacks column(s) {', '.join(missing)} — re-run `make pipeline` "
            "with the current code"
        )
    return frame


def load_run(output_dir: Path, gold: Gold) -> Run:
    if not output_dir.is_dir():
        raise EvaluationError(f"no output folder {output_dir} — run `make pipeline` first")
    blocks = read_output_csv(output_dir, "blocks.csv", BLOCK_COLUMNS)
    items = read_output_csv(output_dir, "items.csv", ITEM_COLUMNS)
    return Run(
        blocks=[
            BlockRecord(_variant(gold, row), make_key(row.municipality, row.block, row.session))
            for row in blocks.itertuples(index=False)
        ],
        items=[_pred_item(gold, row) for row in items.itertuples(index=False)],
        documents=_documents_summary(output_dir),
    )


def _variant(gold: Gold, row) -> str:
    """Variant of a predicted row: its municipality's, else its source file's."""
    variant = gold.variant_of.get(normalize_text(row.municipality))
    if variant is None:
        # A municipality gold does not know (misread name): attribute it by file so the
        # false positives land in the right variant.
        source = getattr(row, "source", "")
        variant = gold.variant_of_file.get(Path(source).name if source else "", UNKNOWN_VARIANT)
    return variant


def _pred_item(gold: Gold, row) -> ItemRecord:
    key = make_key(row.municipality, row.block, row.session)
    return ItemRecord(
        variant=_variant(gold, row),
        municipality=row.municipality,
        block=row.block,
        session=key[2],
        text=row.text,
        themes=frozenset(split_list(row.themes)),
        key=key,
        norm=normalize_text(row.text),
    )


def _documents_summary(output_dir: Path) -> dict | None:
    """documents.csv is not scored, but failed files explain missing municipalities."""
    path = output_dir / "documents.csv"
    if not path.is_file():
        return None
    frame = read_output_csv(output_dir, "documents.csv", ("status",))
    failed = frame[frame["status"] != "ok"]
    return {
        "total": len(frame),
        "ok": int((frame["status"] == "ok").sum()),
        "failed": [
            {"source": row.get("source", ""), "error": row.get("error", "")}
            for row in failed.to_dict("records")
        ],
    }


# --------------------------------------------------------------------------- matching


def ratio(a: str, b: str) -> float:
    # autojunk would treat frequent characters of long texts as junk and distort the ratio.
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def match_texts(
    gold: list[str], pred: list[str], threshold: float = FUZZY_THRESHOLD
) -> list[tuple[int, int, bool]]:
    """One-to-one pairs (gold index, pred index, exact) between two lists of texts.

    Equal strings are paired first (so the exact count is the multiset intersection),
    then the remaining items greedily by best ratio >= threshold; ties go to the earlier
    items so that the result is deterministic.
    """
    pairs: list[tuple[int, int, bool]] = []
    free_pred: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(pred):
        free_pred[text].append(j)
    left_gold = []
    for i, text in enumerate(gold):
        if free_pred[text]:
            pairs.append((i, free_pred[text].pop(0), True))
        else:
            left_gold.append(i)
    left_pred = sorted(j for js in free_pred.values() for j in js)

    candidates = []
    for i in left_gold:
        for j in left_pred:
            matcher = SequenceMatcher(None, gold[i], pred[j], autojunk=False)
            # The cheap upper bounds skip most hopeless pairs.
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            r = matcher.ratio()
            if r >= threshold:
                candidates.append((-r, i, j))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used_gold and j not in used_pred:
            pairs.append((i, j, False))
            used_gold.add(i)
            used_pred.add(j)
    return sorted(pairs)


def match_items(gold: list[ItemRecord], pred: list[ItemRecord]) -> Matching:
    """Match items block by block: only items with the same key can pair."""
    gold_by_key: dict[Key, list[int]] = defaultdict(list)
    pred_by_key: dict[Key, list[int]] = defaultdict(list)
    for i, item in enumerate(gold):
        gold_by_key[item.key].append(i)
    for j, item in enumerate(pred):
        pred_by_key[item.key].append(j)

    matching = Matching([])
    for key, gold_ids in gold_by_key.items():
        pred_ids = pred_by_key.get(key, [])
        local = match_texts([gold[i].norm for i in gold_ids], [pred[j].norm for j in pred_ids])
        matching.pairs.extend(Pair(gold_ids[a], pred_ids[b], exact) for a, b, exact in local)
        matched = {a for a, _, _ in local}
        for a, i in enumerate(gold_ids):
            if a not in matched and pred_ids:
                matching.closest[i] = max(
                    (ratio(gold[i].norm, pred[j].norm), pred[j].text) for j in pred_ids
                )
    return matching


# --------------------------------------------------------------------------- figures


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    """Precision/recall/F1; a side with nothing in it is None (n/a), not a fake 0 or 1."""
    return metrics.from_counts(tp, n_pred, n_gold, zero_division=metrics.UNDEFINED)


def municipality_figures(gold: Gold, run: Run, variant: str | None) -> dict:
    expected = {m for m, v in gold.variant_of.items() if variant is None or v == variant}
    found = expected & {item.key[0] for item in run.items}
    return {
        "gold": len(expected),
        "found": len(found),
        "recall": len(found) / len(expected) if expected else None,
        "missing": sorted(gold.municipalities[m] for m in expected - found),
    }


def block_figures(gold: list[BlockRecord], pred: list[BlockRecord]) -> dict:
    gold_keys = Counter(b.key for b in gold)
    pred_keys = Counter(b.key for b in pred)
    tp = sum((gold_keys & pred_keys).values())
    return prf(tp, sum(pred_keys.values()), sum(gold_keys.values()))


def theme_figures(labels: list[tuple[frozenset[str], frozenset[str]]], labelled: int) -> dict:
    """Micro/macro F1 of themes from (gold, predicted) theme sets of matched labelled items.

    Macro-F1 averages over the themes that occur in gold or in the predictions on those
    items (as scikit-learn does): a theme predicted but never in gold counts as F1 0.
    `labelled` (all gold-labelled items in scope) is reported to show the coverage.
    """
    themes = sorted(set().union(*(truth | guess for truth, guess in labels)))
    truth = [[theme in t for theme in themes] for t, _ in labels]
    guess = [[theme in g for theme in themes] for _, g in labels]
    scored = metrics.per_label(truth, guess, themes, zero_division=metrics.UNDEFINED)
    micro = scored["micro"]
    return {
        "labelled": labelled,
        "evaluated": len(labels),
        "micro": micro,
        "micro_f1": micro["f1"],
        "macro_f1": scored["macro_f1"] if themes else None,
        "per_theme": scored["labels"],
    }


def scope_figures(gold: Gold, run: Run, matching: Matching, variant: str | None) -> dict:
    """All figures restricted to one variant (None: everything)."""

    def keep(variant_of_record: str) -> bool:
        return variant is None or variant_of_record == variant

    gold_items = [g for g in gold.items if keep(g.variant)]
    pred_items = [p for p in run.items if keep(p.variant)]
    # Paired items share their key, hence their municipality, hence their variant.
    pairs = [p for p in matching.pairs if keep(gold.items[p.gold].variant)]
    return {
        "municipalities": municipality_figures(gold, run, variant),
        "blocks": block_figures(
            [b for b in gold.blocks if keep(b.variant)], [b for b in run.blocks if keep(b.variant)]
        ),
        "items_exact": prf(sum(p.exact for p in pairs), len(pred_items), len(gold_items)),
        "items_fuzzy": prf(len(pairs), len(pred_items), len(gold_items)),
        "themes": theme_figures(
            [
                (truth, run.items[p.pred].themes or frozenset())
                for p in pairs
                if (truth := gold.items[p.gold].themes) is not None
            ],
            labelled=sum(1 for g in gold_items if g.themes is not None),
        ),
    }


def error_listing(gold: Gold, run: Run, matching: Matching) -> dict:
    matched_gold = {p.gold for p in matching.pairs}
    matched_pred = {p.pred for p in matching.pairs}
    unmatched_gold = [
        {**_describe(item), "closest": _closest(matching, i)}
        for i, item in enumerate(gold.items)
        if i not in matched_gold
    ]
    unmatched_pred = [_describe(item) for j, item in enumerate(run.items) if j not in matched_pred]
    # Fuzzy-only pairs cost exact F1: usually a joining or extraction slip worth seeing.
    fuzzy_only = [
        {
            **_describe(gold.items[p.gold]),
            "predicted": run.items[p.pred].text,
            "ratio": round(ratio(gold.items[p.gold].norm, run.items[p.pred].norm), 3),
        }
        for p in matching.pairs
        if not p.exact
    ]
    unknown = sorted(
        {item.municipality for item in run.items if item.key[0] not in gold.municipalities}
    )
    return {
        "unmatched_gold_total": len(unmatched_gold),
        "unmatched_pred_total": len(unmatched_pred),
        "fuzzy_only_total": len(fuzzy_only),
        "unmatched_gold": unmatched_gold[:MAX_ERRORS],
        "unmatched_pred": unmatched_pred[:MAX_ERRORS],
        "fuzzy_only": fuzzy_only[:MAX_ERRORS],
        "unknown_municipalities": unknown,
    }


def _describe(item: ItemRecord) -> dict:
    return {
        "variant": item.variant,
        "municipality": item.municipality,
        "block": item.block,
        "session": item.session,
        "text": item.text,
    }


def _closest(matching: Matching, index: int) -> dict | None:
    if index not in matching.closest:
        return None
    score, text = matching.closest[index]
    return {"ratio": round(score, 3), "text": text}


def evaluate(output_dir: Path, gold_path: Path) -> dict:
    """Score the run in output_dir against gold_path; raises EvaluationError."""
    output_dir, gold_path = Path(output_dir), Path(gold_path)
    gold = load_gold(gold_path)
    run = load_run(output_dir, gold)
    matching = match_items(gold.items, run.items)
    variants = list(gold.variants)
    if any(r.variant == UNKNOWN_VARIANT for r in [*run.items, *run.blocks]):
        variants.append(UNKNOWN_VARIANT)
    return {
        "output_dir": str(output_dir),
        "gold": str(gold_path),
        "fuzzy_threshold": FUZZY_THRESHOLD,
        OVERALL: scope_figures(gold, run, matching, None),
        "variants": {v: scope_figures(gold, run, matching, v) for v in variants},
        "documents": run.documents,
        "errors": error_listing(gold, run, matching),
    }


# --------------------------------------------------------------------------- report


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _scope_row(name: str, fig: dict) -> list[str]:
    munis = fig["municipalities"]
    return [
        name,
        f"{munis['found']}/{munis['gold']}",
        _num(fig["blocks"]["precision"]),
        _num(fig["blocks"]["recall"]),
        _num(fig["items_exact"]["f1"]),
        _num(fig["items_fuzzy"]["f1"]),
        _num(fig["themes"]["micro_f1"]),
        _num(fig["themes"]["macro_f1"]),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers (all cells are ASCII)."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(w) for cell, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def format_report(result: dict) -> str:
    overall = result[OVERALL]
    header = ["scope", "munis", "block P", "block R", "item F1", "fuzzy F1", "theme mi", "theme ma"]
    rows = [_scope_row(OVERALL, overall)]
    rows += [_scope_row(name, fig) for name, fig in result["variants"].items()]
    lines = [f"Evaluation of {result['output_dir']} against {result['gold']}", ""]
    lines += _table(header, rows)

    blocks, exact, fuzzy = overall["blocks"], overall["items_exact"], overall["items_fuzzy"]
    themes = overall["themes"]
    lines += [
        "",
        f"blocks: gold {blocks['gold']}, predicted {blocks['pred']}, matched {blocks['matched']}",
        f"items:  gold {exact['gold']}, predicted {exact['pred']}, "
        f"exact {exact['matched']}, fuzzy {fuzzy['matched']} "
        f"(P {_num(fuzzy['precision'])}, R {_num(fuzzy['recall'])})",
        f"themes: {themes['evaluated']} of {themes['labelled']} gold-labelled items matched "
        "and scored (item F1 = exact; theme mi/ma = micro/macro F1)",
    ]
    missing = overall["municipalities"]["missing"]
    if missing:
        lines.append("missing municipalities: " + ", ".join(missing))
    unknown = result["errors"]["unknown_municipalities"]
    if unknown:
        lines.append("municipalities not in gold: " + ", ".join(unknown))
    docs = result.get("documents")
    if docs and docs["failed"]:
        lines.append(f"documents: {docs['ok']} of {docs['total']} processed; failed:")
        lines += [f"  {d['source']}: {d['error']}" for d in docs["failed"]]

    per_theme = themes["per_theme"]
    if per_theme:
        lines += ["", "Themes (overall, matched labelled items)", ""]
        lines += _table(
            ["theme", "P", "R", "F1", "support", "predicted"],
            [
                [
                    t,
                    _num(s["precision"]),
                    _num(s["recall"]),
                    _num(s["f1"]),
                    str(s["support"]),
                    str(s["predicted"]),
                ]
                for t, s in per_theme.items()
            ],
        )
    return "\n".join(lines)


def format_errors(result: dict, limit: int) -> str:
    """Up to `limit` items of each error list, for reading next to the report."""
    errors = result["errors"]
    lines: list[str] = []
    sections = (
        ("unmatched_gold", "missed (gold)"),
        ("unmatched_pred", "spurious (run)"),
        ("fuzzy_only", "near misses (fuzzy match only)"),
    )
    for side, title in sections:
        shown = errors[side][:limit]
        lines += ["", f"{title}: {errors[side + '_total']} item(s), showing {len(shown)}"]
        for e in shown:
            session = f" #{e['session']}" if e["session"] else ""
            lines.append(f"  [{e['municipality']} / {e['block']}{session}] {e['text']}")
            if e.get("closest"):
                lines.append(f"      closest ({e['closest']['ratio']:.3f}): {e['closest']['text']}")
            if "predicted" in e:
                lines.append(f"      run     ({e['ratio']:.3f}): {e['predicted']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Score a run's blocks.csv and items.csv against gold annotations "
        "(see docs/corpus.md, 'How a run is scored')."
    )
    parser.add_argument(
        "output_dir",
        metavar="OUTPUT_DIR",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help=f"folder holding the run's CSV files (default: {DEFAULT_OUTPUT_DIR})",
    )
    parser.add_argument(
        "--gold",
        metavar="FILE",
        type=Path,
        default=None,
        help=f"gold annotations (default: {DEFAULT_GOLD})",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        default=None,
        help="where to write the full result (default: OUTPUT_DIR/evaluation.json)",
    )
    parser.add_argument(
        "--errors",
        metavar="N",
        type=_non_negative,
        default=0,
        help="also print up to N unmatched items per side (gold missed, run spurious)",
    )


def _model_trained_on(gold_path: Path) -> bool:
    from pipeline.config.settings import load_settings

    try:
        training = load_settings().classifier.training
    except PipelineError:
        return False
    return gold_path.resolve() in {Path(name).resolve() for name in training}


def run(args: argparse.Namespace) -> int:
    output_dir = Path(args.output_dir)
    gold_path = Path(args.gold) if args.gold else DEFAULT_GOLD
    json_path = Path(args.json) if args.json else output_dir / "evaluation.json"
    try:
        result = evaluate(output_dir, gold_path)
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        write_json(result, json_path)
    except OSError as exc:
        print(
            f"error: cannot write {json_path} ({exc.strerror}) — pass --json FILE", file=sys.stderr
        )
        return 2
    print(format_report(result))
    if _model_trained_on(gold_path):
        print(
            "\nnote: the theme model of configs/themes.yaml learns from this gold file, so the "
            "theme figures above are in-sample; `python -m pipeline evaluate-themes` gives "
            "cross-validated ones (no municipality in both training and test)."
        )
    if args.errors:
        print(format_errors(result, args.errors))
    print(f"\nwrote {json_path}")
    return 0
