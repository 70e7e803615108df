"""How far independent annotators agree on the sample's themes, and their majority.

Every theme-labelled item of the sample (課題意識, アセスメント結果, 到達点) is labelled
by three annotators working apart from the theme definitions (docs/corpus.md,
"Theme annotation"): the sources' authors and two others. Their labels are kept in
`corpora/annotations/<annotator>.csv` (columns id, text, themes); the themes in
`corpora/sources/*.yaml`, and so in gold.json, are the majority: a theme is given when
at least two of the three gave it.

    python corpora/agreement.py            agreement between every pair, and with the
                                           majority (the ceiling a classifier can reach
                                           against one annotator is about where humans meet)
    python corpora/agreement.py --check    exit 1 if a source's themes differ from the
                                           majority of the annotations
    python corpora/agreement.py --write    set the sources' themes to the majority
                                           (then `make generate`)
    python corpora/agreement.py --json FILE  the same figures as JSON (evaluate-themes
                                           --agreement prints them beside its own)
    python corpora/agreement.py --export NAME
                                           write the sources' current themes as
                                           annotations/NAME.csv

Item ids are `<source>|<block>|<index in the block's gold item list>`; each annotation
row repeats the item text, so that an annotation of an edited item is reported, not
silently applied to the new text.

An annotation decides every theme unless `annotations/scope.yaml` names the themes it
decided: the first annotations predate dementia, mobility and admin_capacity, which three
later annotators decided for those items alone. The majority of a theme on an item is
taken among the annotations that hold the item and decided the theme.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml

from pipeline.evaluation import metrics

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpora" / "sample" / "gold.json"
SOURCES = ROOT / "corpora" / "sources"
ANNOTATIONS = ROOT / "corpora" / "annotations"
THEMES = ROOT / "configs" / "themes.yaml"
SCOPE_FILE = "scope.yaml"
LABELLED = ("課題意識", "アセスメント結果", "到達点")


class AgreementError(Exception):
    pass


@dataclass(frozen=True)
class LabelledItem:
    id: str
    source: str
    municipality: str
    block: str
    parent_text: str
    text: str
    themes: frozenset[str]


def labelled_items(gold_path: Path = GOLD) -> list[LabelledItem]:
    """The theme-labelled items of a gold.json, in gold order."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    items = []
    for m in gold["municipalities"]:
        for block in m["blocks"]:
            for k, item in enumerate(block["items"]):
                if item["themes"] is None:
                    continue
                parent = item["parent"]
                items.append(
                    LabelledItem(
                        id=f"{m['source']}|{block['block']}|{k}",
                        source=m["source"],
                        municipality=m["municipality"],
                        block=block["block"],
                        parent_text=block["items"][parent]["text"] if parent is not None else "",
                        text=item["text"],
                        themes=frozenset(item["themes"]),
                    )
                )
    return items


def theme_ids(path: Path = THEMES) -> list[str]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["themes"])


def read_annotation(
    path: Path, items: list[LabelledItem], known: list[str]
) -> dict[str, frozenset[str]]:
    """id → themes of one annotator; every row must name a sample item with its text."""
    by_id = {i.id: i for i in items}
    labels: dict[str, frozenset[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{path.name} line {line}"
            item = by_id.get(row.get("id", ""))
            if item is None:
                raise AgreementError(f"{where}: no labelled item has id {row.get('id')!r}")
            if row.get("text") is not None and row["text"] != item.text:
                raise AgreementError(f"{where}: the text of {item.id} has changed since")
            themes = frozenset(t for t in (row.get("themes") or "").split(";") if t)
            unknown = themes - set(known)
            if unknown:
                raise AgreementError(f"{where}: unknown theme(s) {', '.join(sorted(unknown))}")
            labels[item.id] = themes
    return labels


def write_annotation(path: Path, items: list[LabelledItem], labels: dict[str, frozenset[str]]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "themes"])
        for item in items:
            if item.id in labels:
                writer.writerow([item.id, item.text, ";".join(sorted(labels[item.id]))])


def load_annotations(
    items: list[LabelledItem], known: list[str], folder: Path = ANNOTATIONS
) -> dict[str, dict[str, frozenset[str]]]:
    return {p.stem: read_annotation(p, items, known) for p in sorted(folder.glob("*.csv"))}


def load_scopes(names: list[str], known: list[str], folder: Path = ANNOTATIONS) -> dict:
    """annotation → the themes it decided (scope.yaml; every theme when not named there)."""
    path = folder / SCOPE_FILE
    declared = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    scopes = {}
    for name in names:
        themes = (declared or {}).get(name, known)
        unknown = set(themes) - set(known)
        if unknown:
            raise AgreementError(f"{SCOPE_FILE}: {name}: unknown theme(s) {sorted(unknown)}")
        scopes[name] = frozenset(themes)
    for name in set(declared or {}) - set(names):
        raise AgreementError(f"{SCOPE_FILE} names {name}, which has no annotation file")
    return scopes


def _within(labels: dict[str, frozenset[str]], scope: frozenset[str]) -> dict:
    return {i: t & scope for i, t in labels.items()}


# ----------------------------------------------------------------------------- figures


def _kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two binary codings."""
    n = len(a)
    if not n:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def pair_scores(
    a: dict[str, frozenset[str]], b: dict[str, frozenset[str]], themes: list[str]
) -> dict:
    """F1 of one coding against the other (symmetric), micro, macro and per theme."""
    ids = sorted(set(a) & set(b))
    x = [[theme in a[i] for theme in themes] for i in ids]
    y = [[theme in b[i] for theme in themes] for i in ids]
    # two annotators who both leave a theme out agree on it: F1 1.0, not 0 or n/a
    scored = metrics.per_label(x, y, themes, zero_division=1.0)
    per_theme = {
        theme: {
            "f1": scored["labels"][theme]["f1"],
            "kappa": _kappa([r[j] for r in x], [r[j] for r in y]),
        }
        for j, theme in enumerate(themes)
    }
    return {
        "items": len(ids),
        "micro_f1": scored["micro"]["f1"],
        "macro_f1": scored["macro_f1"],
        "themes": per_theme,
    }


def majority(
    annotations: dict[str, dict[str, frozenset[str]]], scopes: dict | None = None
) -> dict[str, frozenset[str]]:
    """Per item, the themes more than half of the annotators who decided them gave."""
    ids = set().union(*annotations.values()) if annotations else set()
    result = {}
    for item_id in ids:
        codings = [
            (a[item_id], scopes[name] if scopes else None)
            for name, a in annotations.items()
            if item_id in a
        ]
        themes = set().union(*(c for c, _ in codings))
        given = set()
        for t in themes:
            deciders = [c for c, scope in codings if scope is None or t in scope]
            if 2 * sum(t in c for c in deciders) > len(deciders):
                given.add(t)
        result[item_id] = frozenset(given)
    return result


def _pairs(names, annotations, scopes, themes):
    """(x, y, scores) of every two annotations that share items and themes."""
    for x, y in combinations(names, 2):
        common = [t for t in themes if t in scopes[x] and t in scopes[y]]
        if not common:
            continue
        s = pair_scores(annotations[x], annotations[y], common)
        if s["items"]:  # annotators of different sources never meet
            yield x, y, s


# ----------------------------------------------------------------------------- sources

_TEXT = re.compile(r"^\s*(?:-\s+)?text:\s*(.+?)\s*$")
_THEMES = re.compile(r"^(\s*)themes:\s*\[.*\]\s*$")


def rewrite_source(path: Path, source: str, labels: dict[str, frozenset[str]], items) -> bool:
    """Set the `themes: [...]` line of each labelled item of one source; True if changed.

    Lines are edited in place (comments and layout stay); each themes line belongs to
    the `text:` line above it, matched by the item's text.
    """
    wanted: dict[str, list[frozenset[str]]] = {}
    for item in items:
        if item.source == source and item.id in labels:
            wanted.setdefault(item.text, []).append(labels[item.id])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last_text = None
    changed = False
    for n, line in enumerate(lines):
        m = _TEXT.match(line)
        if m:
            last_text = yaml.safe_load(m.group(1))
            continue
        m = _THEMES.match(line)
        if m and last_text in wanted and wanted[last_text]:
            old = yaml.safe_load(line.strip())["themes"]
            new = wanted[last_text].pop(0)
            # Keep the author's order for themes that stay; new ones follow, sorted.
            ordered = [t for t in old if t in new] + sorted(new - set(old))
            text = f"{m.group(1)}themes: [{', '.join(ordered)}]\n"
            if text != line:
                lines[n] = text
                changed = True
            last_text = None
    left = [t for t, rest in wanted.items() if rest]
    if left:
        raise AgreementError(f"{path.name}: no themes line found for {left[0]!r}")
    if changed:
        path.write_text("".join(lines), encoding="utf-8")
    return changed


# ----------------------------------------------------------------------------- report


def figures(items, annotations, themes, scopes=None) -> dict:
    """Every pair's scores and their mean: the ceiling to read a classifier's F1 against."""
    names = list(annotations)
    scopes = scopes or {n: frozenset(themes) for n in names}
    pairs = {f"{x} ~ {y}": s for x, y, s in _pairs(names, annotations, scopes, themes)}
    mean = {
        key: round(sum(p[key] for p in pairs.values()) / max(len(pairs), 1), 4)
        for key in ("micro_f1", "macro_f1")
    }
    return {
        "items": len(items),
        "annotators": names,
        "pairs": pairs,
        "pairwise_mean": mean,
        "pairwise_range_micro_f1": [
            round(min(p["micro_f1"] for p in pairs.values()), 4),
            round(max(p["micro_f1"] for p in pairs.values()), 4),
        ]
        if pairs
        else [],
    }


def report(items, annotations, themes, scopes=None) -> str:
    names = list(annotations)
    scopes = scopes or {n: frozenset(themes) for n in names}
    lines = [
        f"Theme annotation agreement: {len(items)} labelled items, annotators {', '.join(names)}",
        "",
        f"{'pair':38} {'items':>5} {'micro-F1':>9} {'macro-F1':>9}",
    ]
    pairs = []
    for x, y, s in _pairs(names, annotations, scopes, themes):
        pairs.append(s)
        lines.append(
            f"{x + ' ~ ' + y:38} {s['items']:5d} {s['micro_f1']:9.3f} {s['macro_f1']:9.3f}"
        )
    vote = majority(annotations, scopes)
    for x in names:
        mine = [t for t in themes if t in scopes[x]]
        s = pair_scores(annotations[x], _within(vote, scopes[x]), mine)
        lines.append(
            f"{x + ' ~ majority':38} {s['items']:5d} {s['micro_f1']:9.3f} {s['macro_f1']:9.3f}"
        )
    lines += [
        "",
        "Per theme, mean over the annotator pairs above:",
        f"{'theme':20} {'F1':>6} {'kappa':>6}",
    ]
    for theme in themes:
        deciding = [p for p in pairs if theme in p["themes"]]
        f1 = sum(p["themes"][theme]["f1"] for p in deciding) / max(len(deciding), 1)
        kappa = sum(p["themes"][theme]["kappa"] for p in deciding) / max(len(deciding), 1)
        lines.append(f"{theme:20} {f1:6.3f} {kappa:6.3f}")
    few = [i.id for i in items if min(deciders(i.id, annotations, scopes, themes)) < 3]
    if few:
        lines.append(f"\n{len(few)} labelled items have fewer than 3 annotations (e.g. {few[0]})")
    return "\n".join(lines)


def deciders(item_id: str, annotations, scopes, themes) -> list[int]:
    """Per theme, how many annotations decided it for the item."""
    return [
        sum(item_id in a and t in scopes[name] for name, a in annotations.items()) for t in themes
    ]


def mismatches(items, vote) -> list[str]:
    return [
        f"{i.id}: sources {sorted(i.themes)}, majority {sorted(vote[i.id])}"
        for i in items
        if i.id in vote and i.themes != vote[i.id]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="sources must equal the majority")
    action.add_argument("--write", action="store_true", help="set sources to the majority")
    action.add_argument("--export", metavar="NAME", help="sources' themes → annotations/NAME.csv")
    action.add_argument("--json", type=Path, metavar="FILE", help="the figures as JSON → FILE")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    args = parser.parse_args(argv)
    try:
        items = labelled_items(args.gold)
        themes = theme_ids()
        if args.export:
            path = args.annotations / f"{args.export}.csv"
            write_annotation(path, items, {i.id: i.themes for i in items})
            print(f"→ {path}")
            return 0
        annotations = load_annotations(items, themes, args.annotations)
        if len(annotations) < 2:
            raise AgreementError(f"{args.annotations} holds fewer than two annotations")
        scopes = load_scopes(list(annotations), themes, args.annotations)
        vote = majority(annotations, scopes)
        if args.write:
            changed = [
                s
                for s in sorted({i.source for i in items})
                if rewrite_source(SOURCES / f"{s}.yaml", s, vote, items)
            ]
            print(f"themes set to the majority in {len(changed)} sources; now run make generate")
            return 0
        if args.check:
            wrong = mismatches(items, vote)
            for line in wrong[:20]:
                print(line)
            print(f"{len(wrong)} items whose themes differ from the annotators' majority")
            return 1 if wrong else 0
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            result = figures(items, annotations, themes, scopes)
            text = json.dumps(result, ensure_ascii=False, indent=1)
            args.json.write_text(text + "\n", encoding="utf-8")
            print(f"→ {args.json}")
            return 0
        print(report(items, annotations, themes, scopes))
        return 0
    except (AgreementError, OSError, KeyError) as exc:
        print(f"agreement: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
