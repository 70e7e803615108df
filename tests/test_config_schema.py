"""configs/pipeline.yaml is checked against its schema before any file is read: each
mistake a user makes in it is named with the file, the key path and what is expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.cli.main import main
from pipeline.config.settings import load_settings
from pipeline.core.errors import ConfigError
from pipeline.runner.batch import load_batch_options

from .conftest import ROOT


@pytest.fixture
def config_dir(tmp_path):
    """A copy of configs/ a test may spoil."""
    dest = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", dest)
    return dest


def spoil(config_dir, change) -> str:
    path = config_dir / "pipeline.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


MISTAKES = {
    "analyzer_typo": (
        lambda d: d["analyze"].update(analyzer="gimza"),
        ["analyze.analyzer: found 'gimza'", "'ginza' or 'fugashi'"],
    ),
    "page_limit_key_typo": (
        lambda d: d["extract"].update(max_page=300),
        ["extract.max_page: unknown key", "max_pages"],
    ),
    "batch_size_not_a_number": (
        lambda d: d["analyze"].update(batch_size="many"),
        ["analyze.batch_size: found 'many'", "integer"],
    ),
    "negative_jobs": (
        lambda d: d["batch"].update(jobs=-2),
        ["batch.jobs: found -2", "greater than or equal to 0"],
    ),
    "footer_band_as_percent": (
        lambda d: d["extract"].update(footer_band=6),
        ["extract.footer_band: found 6", "less than 1"],
    ),
    "unknown_section": (
        lambda d: d.update(analyse={"analyzer": "ginza"}),
        ["analyse: unknown key", "extract, analyze, batch"],
    ),
    "problem_blocks_as_one_string_key_typo": (
        lambda d: d["analyze"]["problems"].update(block=["課題意識"]),
        ["analyze.problems.block: unknown key", "blocks, negations, states"],
    ),
    "content_tags_not_a_list": (
        lambda d: d["analyze"].update(content_tags=7),
        ["analyze.content_tags: found 7", "valid list"],
    ),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_mistake_is_named_with_file_key_and_expectation(config_dir, name):
    change, expected = MISTAKES[name]
    path = spoil(config_dir, change)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(path + ": ")
    for part in expected:
        assert part in message


def test_every_mistake_is_listed_at_once(config_dir):
    def two(d):
        d["analyze"]["analyzer"] = "gimza"
        d["extract"]["max_page"] = 300

    with pytest.raises(ConfigError) as caught:
        load_settings(spoil(config_dir, two))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert {line.split(": ")[1] for line in lines} == {"analyze.analyzer", "extract.max_page"}


def test_the_shipped_configuration_and_empty_sections_are_valid(config_dir):
    load_settings(ROOT / "configs" / "pipeline.yaml")
    path = config_dir / "pipeline.yaml"
    path.write_text(
        "blocks: blocks.yaml\nthemes: themes.yaml\nextract:\nbatch:\n", encoding="utf-8"
    )
    assert load_settings(path).extract == {}


def test_a_run_with_a_mistake_stops_before_reading_any_file(config_dir, tmp_path, capsys):
    path = spoil(config_dir, lambda d: d["analyze"].update(analyzer="gimza"))
    out = tmp_path / "out"
    code = main(["run", str(ROOT / "corpora" / "sample"), "--out", str(out), "--config", path])
    assert code == 2
    assert "analyze.analyzer: found 'gimza'" in capsys.readouterr().err
    assert not out.exists()


def test_a_key_written_twice_is_refused_not_silently_replaced(config_dir):
    path = config_dir / "pipeline.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("analyzer: ginza", "analyzer: ginza\n  analyzer: fugashi"), "utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert "'analyzer' written twice" in str(caught.value)


def test_the_batch_options_come_from_the_checked_file(config_dir):
    path = spoil(config_dir, lambda d: d["batch"].update(jobs=3, time_limit_s=None))
    assert load_batch_options(path).jobs == 3
    assert load_batch_options(path, jobs=1).jobs == 1  # the command line wins
    bad = spoil(config_dir, lambda d: d["batch"].update(job=3))
    with pytest.raises(ConfigError, match="batch.job: unknown key"):
        load_batch_options(bad)


def test_the_userdict_is_named_relative_to_pipeline_yaml_and_keys_the_model(config_dir):
    from pipeline.stages.classify.combine import analyzer_key

    settings = load_settings(config_dir / "pipeline.yaml")
    assert settings.analyze["userdict"] == str((config_dir / "userdict.yaml").resolve())
    before = analyzer_key(settings)
    userdict = config_dir / "userdict.yaml"
    userdict.write_text(userdict.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert analyzer_key(load_settings(config_dir / "pipeline.yaml")) != before


def test_a_userdict_that_is_not_there_is_named(config_dir):
    path = spoil(config_dir, lambda d: d["analyze"].update(userdict="my_terms.yaml"))
    with pytest.raises(ConfigError, match=r"analyze.userdict: .*my_terms.yaml is not a file"):
        load_settings(path)


# --------------------------------------------------------------------------- every other file
# Mistakes a user makes editing the files pipeline.yaml names, written into the shipped
# text as an editor would; each is named with its file, key path and what is expected.


def edit(config_dir, name, old, new) -> str:
    path = config_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}: the test no longer edits anything"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


FILE_MISTAKES = {
    "block_name_misspelt": (
        "blocks.yaml", "- block: 支援体制", "- block: 支援体勢",
        ["blocks[8].block: found '支援体勢'", "'支援体制'"],
    ),
    "bad_regular_expression": (
        "blocks.yaml", "session_headers: ['第([0-9]+)回目?(", "session_headers: ['第([0-9]+回目?(",
        ["session_headers[0]: found '第([0-9]+回目?(", "expected a regular expression (missing )"],
    ),
    "label_group_not_a_list": (
        "blocks.yaml", "label_groups: [[現状, 目指す姿, 課題意識],", "label_groups: [現状,",
        ["label_groups[0]: found '現状'", "expected a valid list"],
    ),
    "blocks_key_typo": (
        "blocks.yaml", "label_max_chars: 40", "label_max_char: 40",
        ["label_max_char: unknown key", "label_max_chars"],
    ),
    "rule_key_typo": (
        "themes.yaml", "    rules:\n", "    rules:\n      - any: [研修]\n        withn: 3\n",
        ["themes.sc_development.rules[0].withn: unknown key", "any, all, not, text, near"],
    ),
    "rule_block_unknown": (
        "themes.yaml", "blocks: [アセスメント結果]", "blocks: [アセスメント]",
        ["blocks[0]: found 'アセスメント'", "'アセスメント結果'"],
    ),
    "threshold_as_percent": (
        "themes.yaml", "threshold: 0.3 ", "threshold: 30 ",
        ["classifier.threshold: found 30", "less than or equal to 1"],
    ),
    "model_option_typo": (
        "themes.yaml", "  model: {C: 10, rule_feature_weight: 0}\n", "  model: {c: 10, rule_feature_weight: 0}\n",
        ["classifier.model.c: unknown key", "char_ngrams", "C"],
    ),
    "theme_id_with_a_hyphen": (
        "themes.yaml", "  sc_development:", "  sc-development:",
        ["themes.sc-development: found 'sc-development'", "lower-case letters, digits and _"],
    ),
    "review_block_unknown": (
        "themes.yaml", "blocks: [課題意識, アセスメント結果, 到達点]", "blocks: [課題, 到達点]",
        ["review.blocks[0]: found '課題'"],
    ),
    "userdict_key_typo": (
        "userdict.yaml", "    reading: セイカツシエンコーディネーター", "    readng: セイカツシエンコーディネーター",
        ["terms[0].readng: unknown key", "terms[0].reading: missing"],
    ),
    "userdict_pos_unknown": (
        "userdict.yaml", "pos: 固有名詞", "pos: 固有名称",
        ["terms[2].pos: found '固有名称'", "'普通名詞' or '固有名詞'"],
    ),
    "symbol_code_out_of_range": (
        "symbol_fonts.yaml", "0x6C: ●", "0x16C: ●",
        ["fonts.Wingdings[364]: found 364", "less than or equal to 255"],
    ),
    "themes_file_missing": (
        "pipeline.yaml", "themes: themes.yaml", "themes: theme.yaml",
        ["pipeline.yaml: themes: ", "theme.yaml is not a file"],
    ),
    "key_twice_in_themes": (
        "themes.yaml", "  use_model: true ", "  use_model: true\n  use_model: false ",
        ["themes.yaml: not valid YAML", "'use_model' written twice"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FILE_MISTAKES))
def test_each_mistake_in_any_file_is_named(config_dir, name):
    file, old, new, expected = FILE_MISTAKES[name]
    path = edit(config_dir, file, old, new)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_dir / "pipeline.yaml")
    message = str(caught.value)
    assert all(line.startswith(str(config_dir)) for line in message.splitlines())
    assert path in message
    for part in expected:
        assert part in message, message


def test_mistakes_in_several_files_are_listed_together(config_dir):
    edit(config_dir, "pipeline.yaml", "analyzer: ginza", "analyzer: gimza")
    edit(config_dir, "blocks.yaml", "label_max_chars: 40", "label_max_chars: forty")
    edit(config_dir, "themes.yaml", "size: 100", "size: -5")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_dir / "pipeline.yaml")
    files = [line.split(": ")[0] for line in str(caught.value).splitlines()]
    assert [Path(f).name for f in files] == ["pipeline.yaml", "blocks.yaml", "themes.yaml"]


def test_a_themes_mistake_stops_the_run_with_exit_2(config_dir, tmp_path, capsys):
    edit(config_dir, "themes.yaml", "rule_weight: 0.5", "rule_wieght: 0.5")
    out = tmp_path / "out"
    code = main(
        ["run", str(ROOT / "corpora" / "sample"), "--out", str(out),
         "--config", str(config_dir / "pipeline.yaml")]
    )  # fmt: skip
    assert code == 2
    assert "classifier.rule_wieght: unknown key" in capsys.readouterr().err
    assert not out.exists()


def test_model_options_outside_the_schema_are_refused_not_dropped():
    from pipeline.stages.classify.model import ModelConfig

    assert ModelConfig.from_options({"C": 3}).C == 3
    with pytest.raises(ValueError, match="c"):
        ModelConfig.from_options({"c": 3})


def test_blind_figures_reach_every_theme_and_a_wrong_one_is_named(config_dir):
    """configs/theme_confidence.yaml (written by evaluate-themes) gives each theme the
    precision and recall themes.csv shows; a value out of range is a mistake like others."""
    measured = yaml.safe_load((config_dir / "theme_confidence.yaml").read_text("utf-8"))
    settings = load_settings(config_dir / "pipeline.yaml")
    for theme in settings.themes:
        assert theme.blind_precision == measured["themes"][theme.id]["precision"]
        assert theme.blind_recall == measured["themes"][theme.id]["recall"]
    measured["themes"]["workforce"]["recall"] = 1.5
    (config_dir / "theme_confidence.yaml").write_text(yaml.safe_dump(measured), "utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config_dir / "pipeline.yaml")
    assert "theme_confidence.yaml: themes.workforce.recall: found 1.5" in str(error.value)
    # the figures describe the themes; they change no item's themes, so no cache entry
    from pipeline.runner.cache import themes_key

    plain = load_settings(spoil(config_dir, lambda d: d.pop("theme_confidence")))
    assert all(t.blind_precision is None for t in plain.themes)
    assert themes_key(plain) == themes_key(settings)
