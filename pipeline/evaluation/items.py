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

Gold is read by gold.py and items are paired by matching.py. `evaluate()` is pure: it
reads files and returns a JSON-serialisable dict. `run()` is the command-line wrapper
(`python -m pipeline evaluate OUTPUT_DIR`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.contract import split_list
from pipeline.core.errors import PipelineError
from pipeline.evaluation import metrics
from pipeline.evaluation.gold import (
    BlockRecord,
    EvaluationError,
    Gold,
    ItemRecord,
    load_gold,
    make_key,
    normalize_text,
)
from pipeline.evaluation.matching import FUZZY_THRESHOLD, Matching, match_items, ratio
from pipeline.evaluation.text_table import number, table
from pipeline.output.files import write_json

DEFAULT_OUTPUT_DIR = Path("outputs/sample")
DEFAULT_GOLD = Path("corpora/sample/gold.json")
MAX_ERRORS = 200  # unmatched items kept per side in the result, enough to diagnose a run
OVERALL = "overall"
UNKNOWN_VARIANT = "unknown"  # predicted rows we cannot attribute to any gold document

BLOCK_COLUMNS = ("municipality", "block", "session")
ITEM_COLUMNS = ("municipality", "block", "session", "text", "themes")


@dataclass
class Run:
    blocks: list[BlockRecord]
    items: list[ItemRecord]
    documents: dict | None  # status summary of documents.csv, None when absent


# --------------------------------------------------------------------------- loading


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


def _scope_row(name: str, fig: dict) -> list[str]:
    munis = fig["municipalities"]
    return [
        name,
        f"{munis['found']}/{munis['gold']}",
        number(fig["blocks"]["precision"]),
        number(fig["blocks"]["recall"]),
        number(fig["items_exact"]["f1"]),
        number(fig["items_fuzzy"]["f1"]),
        number(fig["themes"]["micro_f1"]),
        number(fig["themes"]["macro_f1"]),
    ]


def format_report(result: dict) -> str:
    overall = result[OVERALL]
    header = ["scope", "munis", "block P", "block R", "item F1", "fuzzy F1", "theme mi", "theme ma"]
    rows = [_scope_row(OVERALL, overall)]
    rows += [_scope_row(name, fig) for name, fig in result["variants"].items()]
    lines = [f"Evaluation of {result['output_dir']} against {result['gold']}", ""]
    lines += table(header, rows)

    blocks, exact, fuzzy = overall["blocks"], overall["items_exact"], overall["items_fuzzy"]
    themes = overall["themes"]
    lines += [
        "",
        f"blocks: gold {blocks['gold']}, predicted {blocks['pred']}, matched {blocks['matched']}",
        f"items:  gold {exact['gold']}, predicted {exact['pred']}, "
        f"exact {exact['matched']}, fuzzy {fuzzy['matched']} "
        f"(P {number(fuzzy['precision'])}, R {number(fuzzy['recall'])})",
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
        lines += table(
            ["theme", "P", "R", "F1", "support", "predicted"],
            [
                [
                    t,
                    number(s["precision"]),
                    number(s["recall"]),
                    number(s["f1"]),
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
