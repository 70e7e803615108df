"""The sources (corpora/sources/<id>.yaml): loaded and checked against docs/corpus.md."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.config.paths import PROJECT_ROOT
from pipeline.config.themes import theme_ids

from .checks import check_lines, check_list, check_mapping, check_text, fail, load_yaml
from .fonts import Fonts
from .style import GenerateError

# Theme ids of the data contract (../shared/contract.md, "Themes"), as configs/themes.yaml
# defines them: a source naming any other is a typo.
THEME_IDS = theme_ids(PROJECT_ROOT / "configs" / "themes.yaml")


def check_items(value, where: str, labelled: bool, fonts: Fonts, child: bool = False) -> list:
    """ITEM lists: themes required in labelled blocks and absent elsewhere; one child level."""
    for n, item in enumerate(check_list(value, where)):
        here = f"{where}[{n}]"
        if isinstance(item, dict) and "themes" in item and not labelled:
            fail(here, "themes belong only to 課題意識, アセスメント結果 and 到達点 items")
        if isinstance(item, dict) and "children" in item and child:
            fail(here, "children may not have children (one level only)")
        optional = () if child else ("children",)
        check_mapping(item, ("text", "themes") if labelled else ("text",), optional, here)
        check_text(item["text"], f"{here}.text", fonts)
        if labelled:
            themes = item["themes"]
            if not isinstance(themes, list):
                fail(f"{here}.themes", "expected a list of theme ids (possibly [])")
            for theme in themes:
                if theme not in THEME_IDS:
                    fail(f"{here}.themes", f"unknown theme id {theme!r}")
            if len(set(themes)) != len(themes):
                fail(f"{here}.themes", "repeated theme id")
        if "children" in item:
            check_items(item["children"], f"{here}.children", labelled, fonts, child=True)
    return value


def check_sessions(value, where: str) -> list:
    if not isinstance(value, list) or len(value) != 3:
        fail(where, "expected exactly 3 sessions")
    return value


def validate_source(data, path: Path, fonts: Fonts) -> dict:
    """Check a source against docs/corpus.md; raises GenerateError naming file and place."""
    name = path.name
    top = ("id", "municipality", "profile", "fiscal_year", "situation", "overview", "results")
    check_mapping(data, top, (), name)
    if data["id"] != path.stem or not re.fullmatch(r"[a-z0-9_]+", str(data["id"])):
        fail(f"{name}: id", f"must be the ASCII file name '{path.stem}'")
    for key in ("municipality", "profile", "fiscal_year"):
        check_text(data[key], f"{name}: {key}", fonts)
    if not data["municipality"].endswith(("市", "町", "村")):
        fail(f"{name}: municipality", "must end with 市, 町 or 村")
    w = f"{name}: situation"
    sit = check_mapping(data["situation"], ("現状", "目指す姿", "課題意識", "まとめ"), (), w)
    check_items(sit["現状"], f"{w}.現状", False, fonts)
    goal = check_mapping(sit["目指す姿"], ("heading", "items"), (), f"{w}.目指す姿")
    check_text(goal["heading"], f"{w}.目指す姿.heading", fonts)
    check_items(goal["items"], f"{w}.目指す姿.items", False, fonts)
    check_items(sit["課題意識"], f"{w}.課題意識", True, fonts)
    check_lines(sit["まとめ"], f"{w}.まとめ", fonts)
    w = f"{name}: overview"
    ov = check_mapping(data["overview"], ("sessions", "支援体制"), (), w)
    for n, s in enumerate(check_sessions(ov["sessions"], f"{w}.sessions")):
        check_mapping(s, ("基本情報", "実施内容"), (), f"{w}.sessions[{n}]")
        check_lines(s["基本情報"], f"{w}.sessions[{n}].基本情報", fonts)
        check_items(s["実施内容"], f"{w}.sessions[{n}].実施内容", False, fonts)
    check_items(ov["支援体制"], f"{w}.支援体制", False, fonts)
    w = f"{name}: results"
    res = check_mapping(
        data["results"], ("アセスメント結果", "到達点", "支援内容", "まとめ"), (), w
    )
    box = check_mapping(res["アセスメント結果"], ("heading", "items"), (), f"{w}.アセスメント結果")
    check_text(box["heading"], f"{w}.アセスメント結果.heading", fonts)
    check_items(box["items"], f"{w}.アセスメント結果.items", True, fonts)
    box = check_mapping(res["到達点"], ("heading", "subheading", "items"), (), f"{w}.到達点")
    check_text(box["heading"], f"{w}.到達点.heading", fonts)
    check_text(box["subheading"], f"{w}.到達点.subheading", fonts)
    check_items(box["items"], f"{w}.到達点.items", True, fonts)
    box = check_mapping(res["支援内容"], ("heading", "sessions"), (), f"{w}.支援内容")
    check_text(box["heading"], f"{w}.支援内容.heading", fonts)
    for n, s in enumerate(check_sessions(box["sessions"], f"{w}.支援内容.sessions")):
        check_mapping(s, ("heading", "items"), (), f"{w}.支援内容.sessions[{n}]")
        check_text(s["heading"], f"{w}.支援内容.sessions[{n}].heading", fonts)
        check_items(s["items"], f"{w}.支援内容.sessions[{n}].items", False, fonts)
    check_lines(res["まとめ"], f"{w}.まとめ", fonts)
    return data


def load_sources(manifest: dict, source_dir: Path, fonts: Fonts) -> dict:
    """Load and validate every source the manifest names; a missing one is an error."""
    ids = [sid for doc in manifest["documents"] for sid in doc["sources"]]
    sources = {}
    for sid in dict.fromkeys(ids):
        path = source_dir / f"{sid}.yaml"
        if not re.fullmatch(r"[a-z0-9_]+", sid) or not path.is_file():
            raise GenerateError(f"batch.yaml names source '{sid}', but {path} does not exist")
        sources[sid] = validate_source(load_yaml(path), path, fonts)
    for doc in manifest["documents"]:
        if doc["continued"]:
            for sid in doc["sources"]:
                if len(sources[sid]["situation"]["課題意識"]) < 2:
                    fail(
                        f"{sid}.yaml",
                        f"{doc['file']} is 'continued': 課題意識 needs 2 or more items",
                    )
    return sources
