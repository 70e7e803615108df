"""The fiscal year (年度) of every report: from batch.yaml, the report's text or its file
name (stages/segment/fiscal_year.py, core/era.py), and in the run's tables.

Expected years are the calendar's (令和4年度 is April 2022 – March 2023) or the sample
sources' own `fiscal_year` (corpora/sources/*.yaml, from which the reports were made),
never read back from the code. Reading a file up to segmentation needs no GiNZA; the
tests that run a batch are in the ginza tier.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from pipeline.cli.main import main
from pipeline.core import era
from pipeline.core.normalize import nfkc
from pipeline.core.records import FiscalYear
from pipeline.output.files import read_csv
from pipeline.stages.pipeline import read_file
from pipeline.stages.segment.fiscal_year import read_filename_year, read_text_years, resolve

from .conftest import ROOT, SAMPLE

SOURCES = ROOT / "corpora" / "sources"
OFFICE_PDF = ROOT / "corpora" / "office_pdf"
TEXT = ROOT / "corpora" / "sample_txt" / "pdftotext" / "r03_aobano.txt"
# The sources write their year as 令和N年度; the Western year it starts in:
REIWA = {
    "令和3年度": 2021,
    "令和4年度": 2022,
    "令和5年度": 2023,
    "令和6年度": 2024,
    "令和7年度": 2025,
}


def _source_years() -> dict[str, dict[str, int]]:
    """file → {municipality: fiscal year} as the sample's sources state them."""
    plan = yaml.safe_load((SOURCES / "batch.yaml").read_text(encoding="utf-8"))
    found = {}
    for document in plan["documents"]:
        sources = [
            yaml.safe_load((SOURCES / f"{name}.yaml").read_text(encoding="utf-8"))
            for name in document["sources"]
        ]
        found[document["file"]] = {s["municipality"]: REIWA[s["fiscal_year"]] for s in sources}
    return found


def _text_years(path, settings, source=None):
    read = read_file(path, settings, until="segment", source=source or path.name)
    return read_text_years(read.document, read.blocks)


def _aobano_text(drop=(), add_after: dict[str, str] | None = None, replace=()) -> str:
    """The real pdftotext text of r03_aobano.pdf, with lines dropped (those matching a
    pattern), lines added after a line, or words replaced."""
    lines = []
    for line in TEXT.read_text(encoding="utf-8").split("\n"):
        for old, new in replace:
            line = line.replace(old, new)
        if not any(re.search(p, line) for p in drop):
            lines.append(line)
        if add_after and line in add_after:
            lines.append(add_after[line])
    return "\n".join(lines)


SESSION_DATES = r"^日時"
HEADERS = r"^令和3年度 市町村伴走支援"  # the slides' subtitles and footers
SUBTITLES = r"^令和3年度 市町村伴走支援$"
FOOTER = "令和3年度 市町村伴走支援事業 報告書"
FUTURE_BULLET = "○ 令和5年度までに第２層協議体を全地区に設置する見込み"
FIRST_BULLET = "○ 町内は18集落に分かれ、役場から最も遠い集落までは車で約40分かかる中山間地"


# --- the calendar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("令和4年度 市町村伴走支援事業", 2022),
        ("平成30年度 市町村伴走支援事業", 2018),
        ("2022年度 市町村伴走支援事業", 2022),
        ("令和元年度 市町村伴走支援事業", 2019),
        ("平成元年度", 1989),
        ("令和４年度　市町村伴走支援事業", 2022),  # full-width digits and space
        ("２０２３年度", 2023),
        ("令和 5 年度 市町村伴走支援事業", 2023),  # an extractor's spaces
        ("令和四年度", 2022),
    ],
)
def test_a_fiscal_year_is_read_as_the_year_it_starts_in(text, year):
    assert [found.year for found in era.fiscal_years(text)] == [year]


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("2022年1月31日", 2021),  # January–March belong to the fiscal year before
        ("令和4年1月31日", 2021),
        ("令和5年3月31日", 2022),
        ("令和4年4月1日", 2022),
        ("2022年4月1日", 2022),
        ("2022/12/1", 2022),
        ("2023/2/14", 2022),
        ("令和元年5月21日", 2019),
        ("平成31年4月1日", 2019),
        ("平成31年3月29日", 2018),
        ("令和４年７月１２日", 2022),
    ],
)
def test_a_date_falls_in_the_fiscal_year_from_april_to_march(date, year):
    assert [found.year for found in era.dates(date)] == [year]


# --- the report's text -----------------------------------------------------------------------


def test_a_real_report_is_dated_by_its_sessions_also_the_one_in_february(settings):
    # r03_aobano's sessions: 令和3年8月26日, 令和3年11月16日, 令和4年2月8日 (令和3年度)
    years, warnings = _text_years(SAMPLE / "r03_aobano.pdf", settings)
    assert {m: f.year for m, f in years.items()} == {"青葉野町": 2021}
    assert years["青葉野町"].evidence.startswith("日時")
    assert warnings == []  # February 2022 is not read as a second fiscal year


@pytest.mark.parametrize(
    "name", ["r03_aobano.pdf", "r03_report_set_a.pdf", "r04_midorigaoka.pdf", "r06_moegi.pdf"]
)
def test_every_municipality_of_a_sample_pdf_gets_its_sources_year(settings, name):
    years, warnings = _text_years(SAMPLE / name, settings)
    assert {m: f.year for m, f in years.items()} == _source_years()[name]
    assert warnings == []


def test_municipalities_of_one_file_keep_their_own_years(settings):
    """r06_report_set_f: 卯月野市 supported in 令和5年度, 八雲沢町 in 令和6年度."""
    years, _ = _text_years(OFFICE_PDF / "r06_report_set_f.pdf", settings)
    assert {m: f.year for m, f in years.items()} == {"卯月野市": 2023, "八雲沢町": 2024}
    dating = resolve(None, years, read_filename_year("r06_report_set_f.pdf")[0], years)
    assert dating.year is None  # the document as a whole is of no one year
    assert (dating.of("卯月野市"), dating.of("八雲沢町")) == (2023, 2024)
    assert "different years" in dating.warnings[0]


def test_without_session_dates_the_header_gives_the_year(settings, tmp_path):
    path = tmp_path / "aobano.txt"
    # the headers say 令和5年度 (changed, so that only they can give 2023)
    path.write_text(
        _aobano_text(drop=[SESSION_DATES], replace=[("令和3年度 市町村", "令和5年度 市町村")]),
        encoding="utf-8",
    )
    years, warnings = _text_years(path, settings)
    assert {m: f.year for m, f in years.items()} == {"青葉野町": 2023}
    assert "伴走支援" in years["青葉野町"].evidence and warnings == []


def test_session_dates_win_over_a_header_of_another_year(settings):
    """r05_tomoshigamine (office PDF): every page's header says 令和5年度, its sessions were
    in 令和4年7月 – 令和5年1月, and its source says 令和4年度."""
    years, warnings = _text_years(OFFICE_PDF / "r05_tomoshigamine.pdf", settings)
    assert {m: f.year for m, f in years.items()} == _source_years_office()["r05_tomoshigamine.pdf"]
    assert len(warnings) == 1 and "令和5年度" in warnings[0] and "dates are taken" in warnings[0]


def _source_years_office() -> dict[str, dict[str, int]]:
    plan = yaml.safe_load((SOURCES / "office.yaml").read_text(encoding="utf-8"))
    found = {}
    for document in plan["documents"]:
        name = document["file"].rsplit(".", 1)[0] + ".pdf"
        sources = [
            yaml.safe_load((SOURCES / f"{s}.yaml").read_text(encoding="utf-8"))
            for s in document["sources"]
        ]
        found[name] = {s["municipality"]: REIWA[s["fiscal_year"]] for s in sources}
    return found


def test_a_year_inside_a_bullet_is_not_the_reports(settings, tmp_path):
    path = tmp_path / "aobano.txt"
    text = _aobano_text(drop=[SESSION_DATES, HEADERS], add_after={FIRST_BULLET: FUTURE_BULLET})
    assert FUTURE_BULLET in text and "令和3年4月着任" in text  # years the bullets talk about
    path.write_text(text, encoding="utf-8")
    read = read_file(path, settings, until="segment", source=path.name)
    assert any(nfkc(FUTURE_BULLET[2:]) == i.text for i in read.items)  # read, as an item
    assert read_text_years(read.document, read.blocks) == ({}, [])


def test_a_header_wins_over_a_bullet_of_another_year(settings, tmp_path):
    path = tmp_path / "aobano.txt"
    path.write_text(
        _aobano_text(drop=[SESSION_DATES], add_after={FIRST_BULLET: FUTURE_BULLET}), "utf-8"
    )
    years, warnings = _text_years(path, settings)
    assert {m: f.year for m, f in years.items()} == {"青葉野町": 2021} and warnings == []


@pytest.mark.parametrize(
    ("line", "year"),
    [
        ("令和元年度 市町村伴走支援事業 報告書", 2019),
        ("平成30年度 市町村伴走支援事業 報告書", 2018),
        ("２０２２年度　市町村伴走支援事業　報告書", 2022),
    ],
)
def test_a_programme_title_line_in_extracted_text_names_the_year(settings, tmp_path, line, year):
    """The footer, where a text reader keeps it in no header: its 年度 still counts."""
    path = tmp_path / "aobano.txt"
    text = _aobano_text(drop=[SESSION_DATES, SUBTITLES], replace=[(FOOTER, line)])
    assert line in text and "令和3年度" not in text
    path.write_text(text, encoding="utf-8")
    years, _ = _text_years(path, settings)
    assert {m: f.year for m, f in years.items()} == {"青葉野町": year}


@pytest.mark.parametrize(
    ("subtitle", "year"),
    [
        ("令和4年度 青葉野町 伴走支援報告", 2022),
        ("【R4年度】青葉野町", 2022),
        ("令和5年度までの見込みと課題", None),  # a time the slide talks about
        ("R5年度から始める取組", None),
        ("令和3～5年度の計画", None),  # several years
        ("・令和4年度 市町村伴走支援", None),  # a bullet that landed in the top band
    ],
)
def test_a_header_names_the_reports_year_only_as_its_own(subtitle, year):
    from pipeline.core.records import BBox, Block, Document, Line, Page, Region

    box = BBox(0, 0, 100, 10)
    region = Region("subtitle", box, 1, [Line(subtitle, box, 1)])
    document = Document("d", "a.pdf", "", pages=[Page(1, 100, 100, [region])])
    block = Block("b", "d", "a.pdf", "青葉野町", "", 1, "現状", "現状")
    years, _ = read_text_years(document, [block])
    assert {m: f.year for m, f in years.items()} == ({"青葉野町": year} if year else {})


# --- the file name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "year"),
    [
        ("r03_aobano.pdf", 2021),
        ("R4_報告書.pptx", 2022),
        ("h30_report.pdf", 2018),
        ("2022_伴走支援.pdf", 2022),
        ("令和4年度_伴走支援報告.docx", 2022),
        ("報告_20230131.pdf", 2022),  # a date: January 2023 is 令和4年度
        ("令和5年度/青葉野町.pdf", 2023),  # the folder, when the name says nothing
        ("r05/r04_aobano.pdf", 2022),  # the name before its folder
    ],
)
def test_the_file_name_gives_a_year(source, year):
    found, warnings = read_filename_year(source)
    assert found is not None and (found.year, found.source) == (year, "filename")
    assert warnings == []


@pytest.mark.parametrize("source", ["report_set_a.pdf", "report_v2.pdf", "aobano.txt"])
def test_a_file_name_without_a_year_gives_none(source):
    assert read_filename_year(source) == (None, [])


def test_a_file_name_with_two_years_gives_none_and_says_why():
    found, warnings = read_filename_year("r03_r04_比較.pdf")
    assert found is None and "several" in warnings[0]


# --- the decision ----------------------------------------------------------------------------

STATED = FiscalYear(2022, "batch.yaml", "fiscal_year: 2022")
TEXT_2021 = {"青葉野町": FiscalYear(2021, "text", "日時：令和3年8月26日")}
NAMED_2023 = FiscalYear(2023, "filename", "r05_aobano.pdf")


def test_batch_yaml_wins_and_each_other_year_is_warned():
    dating = resolve(STATED, TEXT_2021, NAMED_2023, ["青葉野町"])
    assert (dating.year, dating.source, dating.of("青葉野町")) == (2022, "batch.yaml", 2022)
    assert len(dating.warnings) == 2
    assert any("2021" in w and "日時" in w for w in dating.warnings)
    assert any("2023" in w and "file name" in w for w in dating.warnings)


def test_the_text_wins_over_the_file_name():
    dating = resolve(None, TEXT_2021, NAMED_2023, ["青葉野町"])
    assert (dating.year, dating.source) == (2021, "text")
    assert ["file name" in w and "2023" in w for w in dating.warnings] == [True]


def test_the_file_name_is_the_last_resort():
    dating = resolve(None, {}, NAMED_2023, ["青葉野町"])
    assert (dating.year, dating.source, dating.warnings) == (2023, "filename", [])


def test_nothing_known_stays_empty_with_a_warning():
    dating = resolve(None, {}, None, ["青葉野町"])
    assert (dating.year, dating.source, dating.of("青葉野町")) == (None, "", None)
    assert "fiscal year unknown" in dating.warnings[0] and "batch.yaml" in dating.warnings[0]


# --- batch.yaml ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fiscal_yaer: 2022\n", "fiscal_yaer: unknown key; expected one of: fiscal_year, title"),
        ("fiscal_year: 22\n", "fiscal_year: found 22; expected a fiscal year"),
        ("fiscal_year: 令和四十年\n", "fiscal_year: found '令和四十年'"),
        ("title: [a, b]\n", "title: found ['a', 'b']"),
        ("fiscal_year: 2022\nfiscal_year: 2023\n", "'fiscal_year' written twice"),
    ],
)
def test_a_mistake_in_batch_yaml_stops_the_run_with_exit_2(tmp_path, capsys, text, expected):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "r03_aobano.pdf").write_bytes((SAMPLE / "r03_aobano.pdf").read_bytes())
    (batch / "batch.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(batch), "--out", str(out), "--no-cache", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(batch / "batch.yaml") in err and expected in err, err
    assert not out.exists()  # stopped before any file was read


def test_batch_yaml_takes_the_years_the_reports_write(tmp_path):
    from pipeline.config.settings import load_batch_info

    for value, year in (("2022", 2022), ("令和4年度", 2022), ("R6", 2024), ("令和元年度", 2019)):
        (tmp_path / "batch.yaml").write_text(f"fiscal_year: {value}\ntitle: 試行\n", "utf-8")
        assert (load_batch_info(tmp_path).fiscal_year, load_batch_info(tmp_path).title) == (
            year,
            "試行",
        )


# --- whole runs (GiNZA) ----------------------------------------------------------------------


@pytest.mark.ginza
def test_every_sample_report_gets_its_sources_year_from_its_text(sample_run):
    out = sample_run.out_dir
    documents = read_csv(out / "documents.csv").set_index("source")
    expected = _source_years()
    assert sorted(documents.index) == sorted(expected)
    for name, years in expected.items():
        if len(set(years.values())) > 1:  # two municipalities of two years: items say (below)
            continue
        (year,) = set(years.values())
        assert documents.loc[name, ["fiscal_year", "fiscal_year_source"]].tolist() == [
            str(year),
            "text",
        ], name
    items = read_csv(out / "items.csv")
    by_municipality = {m: y for years in expected.values() for m, y in years.items()}
    assert (items["fiscal_year"] == items["municipality"].map(by_municipality).map(str)).all()
    blocks = read_csv(out / "blocks.csv")
    assert (blocks["fiscal_year"] == blocks["municipality"].map(by_municipality).map(str)).all()


@pytest.fixture(scope="module")
def small_runs(settings, tmp_path_factory):
    """Two runs of a few files, in this process (GiNZA loaded once for the session): one
    with no batch.yaml (a year from the text, from the file name, from nowhere), one with
    a batch.yaml."""
    from pipeline.runner.batch import BatchOptions, run_batch

    tmp = tmp_path_factory.mktemp("fiscal")
    plain = tmp / "plain"
    plain.mkdir()
    (plain / "isonami.pdf").write_bytes((SAMPLE / "r05_isonami.pdf").read_bytes())
    stripped = _aobano_text(drop=[SESSION_DATES, HEADERS])
    (plain / "r02_aobano.txt").write_text(stripped, encoding="utf-8")
    (plain / "aobano.txt").write_text(stripped + "\n", encoding="utf-8")  # other bytes
    stated = tmp / "stated"
    stated.mkdir()
    (stated / "r03_aobano.pdf").write_bytes((SAMPLE / "r03_aobano.pdf").read_bytes())
    (stated / "batch.yaml").write_text("fiscal_year: 2022\ntitle: 試行バッチ\n", "utf-8")
    options = BatchOptions(jobs=1, cache_dir=None, progress=False)
    for batch in (plain, stated):
        run_batch(batch, tmp / f"{batch.name}_out", settings, options=options)
    return tmp


@pytest.mark.ginza
def test_a_run_dates_each_file_by_the_strongest_source_it_has(small_runs):
    out = small_runs / "plain_out"
    documents = read_csv(out / "documents.csv").set_index("source")
    got = documents[["fiscal_year", "fiscal_year_source"]].apply(tuple, axis=1).to_dict()
    assert got == {
        "isonami.pdf": ("2023", "text"),  # 日時：令和5年8月22日, a name without a year
        "r02_aobano.txt": ("2020", "filename"),
        "aobano.txt": ("", ""),
    }
    warnings = json.loads((out / "run.json").read_text(encoding="utf-8"))["warnings"]
    said = [w for w in warnings if "fiscal year" in w]
    assert len(said) == 1 and said[0].startswith("aobano.txt: fiscal year unknown"), said
    items = read_csv(out / "items.csv")
    assert set(items.loc[items["source"] == "aobano.txt", "fiscal_year"]) == {""}
    assert set(items.loc[items["source"] == "r02_aobano.txt", "fiscal_year"]) == {"2020"}


@pytest.mark.ginza
def test_batch_yaml_states_the_year_of_every_file_and_disagreements_are_warned(small_runs):
    out = small_runs / "stated_out"
    documents = read_csv(out / "documents.csv")
    assert documents[["fiscal_year", "fiscal_year_source"]].values.tolist() == [
        ["2022", "batch.yaml"]
    ]
    assert set(read_csv(out / "items.csv")["fiscal_year"]) == {"2022"}
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["batch_file"] == {"fiscal_year": 2022, "title": "試行バッチ"}
    said = [w for w in record["warnings"] if "fiscal year" in w]
    assert len(said) == 2  # the text (令和3年度 sessions) and the name (r03) say 2021
    assert all("2021" in w and "batch.yaml says 2022" in w for w in said)


@pytest.mark.ginza
def test_batch_yaml_and_a_new_name_apply_to_cached_documents(settings, tmp_path):
    """The text's years are cached with the document; batch.yaml and the file name are the
    run's: changing them re-reads no file, and the tables follow them."""
    from pipeline.runner.batch import BatchOptions, run_batch

    batch, out = tmp_path / "batch", tmp_path / "out"
    batch.mkdir()
    stripped = _aobano_text(drop=[SESSION_DATES, HEADERS])  # a year from its name only
    (batch / "r02_aobano.txt").write_text(stripped, encoding="utf-8")
    options = BatchOptions(jobs=1, cache_dir=tmp_path / "cache", progress=False)

    def run() -> tuple[list, object]:
        summary = run_batch(batch, out, settings, options=options)
        documents = read_csv(out / "documents.csv")
        return documents[["fiscal_year", "fiscal_year_source"]].values.tolist(), summary

    assert run()[0] == [["2020", "filename"]]
    (batch / "batch.yaml").write_text("fiscal_year: 令和4年度\n", encoding="utf-8")
    years, summary = run()
    assert years == [["2022", "batch.yaml"]]
    assert (summary.cache_hits, summary.cache_misses, summary.outputs) == (1, 0, "written")
    assert set(read_csv(out / "items.csv")["fiscal_year"]) == {"2022"}
    (batch / "batch.yaml").unlink()
    (batch / "r02_aobano.txt").rename(batch / "r01_aobano.txt")
    years, summary = run()
    assert years == [["2019", "filename"]] and summary.cache_misses == 0
