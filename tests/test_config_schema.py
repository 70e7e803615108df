"""configs/pipeline.yaml is checked against its schema before any file is read: each
mistake a user makes in it is named with the file, the key path and what is expected."""

from __future__ import annotations

import shutil

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
