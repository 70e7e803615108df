"""A batch with every awkward file a real one brings (tests/make_bad_inputs.py) runs to the
end: each bad file gets its row and a reason saying what to do; the good files come out
exactly as they do without the bad ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from pipeline.output.files import read_csv
from pipeline.runner.batch import BatchOptions, run_batch

from . import make_bad_inputs
from .conftest import ROOT, SAMPLE

SAMPLE_PDFS = sorted(p.name for p in SAMPLE.glob("*.pdf"))
# seconds; a sample file takes about one alone, several with the suite's other worker
# and the batch's two jobs sharing two cores (6 s stopped a Shift_JIS text there)
TIME_LIMIT = "20"


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_input")
    batch = tmp / "batch"
    cases = make_bad_inputs.build(batch)
    for name in SAMPLE_PDFS:
        shutil.copy(SAMPLE / name, batch / name)
    config = make_bad_inputs.write_config(tmp / "configs")
    out = tmp / "out"
    args = ["run", str(batch), "--out", str(out), "--config", str(config), "--no-cache"]
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args, "--jobs", "2", "--time-limit", TIME_LIMIT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    return cases, result, out


@pytest.mark.subprocess
def test_the_batch_runs_to_the_end_with_exit_0(bad_run):
    cases, result, out = bad_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    documents = read_csv(out / "documents.csv")
    assert sorted(documents["source"]) == sorted([*cases, *SAMPLE_PDFS])


@pytest.mark.subprocess
def test_every_bad_file_has_its_status_and_a_one_line_reason(bad_run):
    cases, _, out = bad_run
    documents = read_csv(out / "documents.csv").set_index("source")
    for source, expected in cases.items():
        row = documents.loc[source]
        assert row["status"] == expected.status, (source, row["error"])
        reason = row["error"]
        if expected.status == "ok":
            assert reason == "", (source, reason)
            continue
        assert expected.reason in reason, (source, reason)
        assert "\n" not in reason and "Traceback" not in reason and len(reason) < 300
    for name in SAMPLE_PDFS:
        assert documents.loc[name, "status"] == "ok"


@pytest.mark.subprocess
def test_the_unknown_layout_is_kept_as_other_blocks_and_warned(bad_run):
    _, _, out = bad_run
    blocks = read_csv(out / "blocks.csv")
    own = blocks[blocks["source"] == "unknown_layout.pdf"]
    assert len(own) > 0 and set(own["block"]) == {"その他"}
    warnings = json.loads((out / "run.json").read_text(encoding="utf-8"))["warnings"]
    assert any(
        w.startswith("unknown_layout.pdf: no slide matches a known layout") for w in warnings
    )


@pytest.mark.subprocess
def test_good_files_come_out_as_without_the_bad_files(bad_run, sample_run):
    _, _, out = bad_run
    clean = sample_run.out_dir
    for name in ("documents.csv", "blocks.csv", "items.csv"):
        mixed = read_csv(out / name)
        mixed = mixed[mixed["source"].isin(SAMPLE_PDFS)].reset_index(drop=True)
        alone = read_csv(clean / name)
        assert mixed.equals(alone), name


@pytest.mark.subprocess
def test_a_japanese_name_with_spaces_is_processed_and_traced(bad_run):
    _, _, out = bad_run
    items = read_csv(out / "items.csv")
    own = items[items["source"] == make_bad_inputs.JAPANESE_NAME]
    original = items[items["source"] == "r03_sakuragaura.pdf"]
    assert list(own["text"]) == list(original["text"]) and len(own) > 0


@pytest.mark.subprocess
def test_shift_jis_text_is_decoded(bad_run):
    _, _, out = bad_run
    items = read_csv(out / "items.csv")
    own = items[items["source"] == "shift_jis.txt"]
    assert len(own) > 20
    assert set(own["municipality"]) == {"北浜台市"}
    assert own["text"].str.contains("生活支援コーディネーター").any()


@pytest.mark.subprocess
def test_characters_outside_the_bmp_survive_csv_and_excel(bad_run):
    from openpyxl import load_workbook

    _, _, out = bad_run
    items = read_csv(out / "items.csv")
    own = items[items["source"] == "rare_chars.txt"]
    book = load_workbook(out / "report.xlsx", read_only=True)
    rows = list(book["items"].iter_rows(values_only=True))
    book.close()
    text = rows[0].index("text")
    in_excel = [r[text] for r in rows[1:] if r[rows[0].index("source")] == "rare_chars.txt"]
    assert in_excel == list(own["text"])
    for char in make_bad_inputs.RARE_CHARS:
        assert own["text"].str.contains(char).sum() == 3, char
        assert own["text_raw"].str.contains(char).sum() == 3, char


@pytest.mark.ginza
def test_the_time_limit_also_stops_a_file_when_run_in_process(tmp_path, settings):
    batch = tmp_path / "batch"
    cases = make_bad_inputs.build(tmp_path / "all")
    batch.mkdir()
    for name in ("hangs.pdf", "rare_chars.txt"):
        shutil.copy(tmp_path / "all" / name, batch / name)
    options = BatchOptions(jobs=1, time_limit_s=make_bad_inputs.IN_PROCESS_LIMIT, progress=False)
    summary = run_batch(batch, tmp_path / "out", settings, options=options)
    rows = {d.source: d for d in summary.documents}
    assert rows["hangs.pdf"].status == "error"
    assert cases["hangs.pdf"].reason in rows["hangs.pdf"].error
    assert rows["rare_chars.txt"].status == "ok"
