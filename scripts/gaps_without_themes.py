"""Would `discover` have found the themes the taxonomy lacked? Run a batch with some themes
taken out of the configuration and out of the model's training labels, then look for
candidate new themes, as an analyst would have before those themes were added (issue 15).

    .venv/bin/python scripts/gaps_without_themes.py [--batch corpora/sample]
        [--drop dementia,mobility,admin_capacity] [--out outputs/gaps_without_themes]

Writes a copy of the default configuration without the dropped themes (OUT/configs/, with a
copy of the training gold whose labels of those themes are removed), runs the batch with it
(the real command line: OUT/run/), then `discover` on 課題意識 and on the default blocks.
Each gap `discover` flags is printed with its top words; compare them with the dropped
themes (OUT/run/discover/ keeps the second call's files). Nothing of the project's own
configuration changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

from pipeline.config.themes import training_path

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True, cwd=ROOT)


def _without(configs: Path, drop: set[str]) -> None:
    """Take the dropped themes out of themes.yaml, theme_confidence.yaml and the gold the
    model learns from (a label the configuration does not know stops a run)."""
    themes_path = configs / "themes.yaml"
    themes = yaml.safe_load(themes_path.read_text(encoding="utf-8"))
    unknown = drop - set(themes["themes"])
    if unknown:
        raise SystemExit(f"no such theme in themes.yaml: {', '.join(sorted(unknown))}")
    themes["themes"] = {k: v for k, v in themes["themes"].items() if k not in drop}
    training = []
    for k, name in enumerate(themes["classifier"]["training"]):
        # a copied folder names the gold as the defaults do; the loader says where it is
        source = Path(training_path(themes_path, name))
        gold = json.loads(source.read_text(encoding="utf-8"))
        for municipality in gold["municipalities"]:
            for block in municipality["blocks"]:
                for item in block["items"]:
                    if item["themes"] is not None:
                        item["themes"] = [t for t in item["themes"] if t not in drop]
        copy = configs / f"training_{k}.json"
        copy.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        training.append(copy.name)
    themes["classifier"]["training"] = training
    themes_path.write_text(yaml.safe_dump(themes, allow_unicode=True), encoding="utf-8")
    confidence_path = configs / "theme_confidence.yaml"
    confidence = yaml.safe_load(confidence_path.read_text(encoding="utf-8"))
    confidence["themes"] = {k: v for k, v in confidence["themes"].items() if k not in drop}
    confidence_path.write_text(yaml.safe_dump(confidence, allow_unicode=True), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=Path, default=ROOT / "corpora" / "sample")
    parser.add_argument("--drop", default="dementia,mobility,admin_capacity",
                        help="theme ids to take out, comma-separated")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "gaps_without_themes")
    args = parser.parse_args(argv)
    drop = {t.strip() for t in args.drop.split(",") if t.strip()}
    configs = args.out / "configs"
    _cli("init-config", str(configs), "--force")
    _without(configs, drop)
    run = args.out / "run"
    _cli("run", str(args.batch), "--config", str(configs), "--out", str(run), "--quiet")
    print(f"\nwithout {', '.join(sorted(drop))}: discover on 課題意識", flush=True)
    _cli("discover", str(run), "--block", "課題意識")
    print("\n… and on the default blocks (現状・目指す姿・課題意識・到達点)", flush=True)
    _cli("discover", str(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
