"""Labels worded as configs/blocks.yaml does not know are read by their place.

The sample's own office files, with the labels of some blocks rewritten (現状 → あらまし,
課題意識 → 気がかり, 到達点 → ふりかえり; corpora/officegen/relabel.py), must read to the same
blocks and items as the originals: .pptx and .docx rewritten here, their LibreOffice PDFs
committed in corpora/relabelled/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpora.officegen.relabel import RELABELLED, WORDINGS, relabel
from pipeline.core.normalize import compact
from pipeline.stages.pipeline import read_file

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def _items(read):
    return [(item.block, item.session, compact(item.text)) for item in read.items]


def _placed(read) -> set[str]:
    """The blocks the reader says it placed by their place."""
    return {
        "sessions" if " session " in warning else warning.rsplit("read as ", 1)[1].split()[0]
        for warning in read.document.warnings
        if "by its place" in warning
    }


@pytest.mark.parametrize(
    ("source", "blocks"),
    [
        # a label column (現状, 目指す姿 both new: the words of their rows decide which is which)
        ("r06_okinari.pptx", ("現状", "目指す姿")),
        # 課題意識 continued on the next slide, alone in its table: the document's own wording
        ("r06_shimotsuki.pptx", ("課題意識", "基本情報", "到達点")),
        # two of a band's three box headings new
        ("r06_keyakigadai.pptx", ("アセスメント結果", "支援内容")),
        # the session table's rows, and its column headers as dates (7月12日, …)
        ("r03_sagiri.pptx", ("実施内容", "支援体制", "sessions")),
        # headings over Word lists
        ("r05_hotarugawa.docx", ("現状", "目指す姿", "アセスメント結果", "支援内容")),
        # labels in table cells, two municipalities
        ("r07_report_set_i.docx", ("課題意識", "基本情報", "到達点", "sessions")),
    ],
)
def test_an_office_file_with_new_label_wordings_reads_like_the_original(
    tmp_path, settings, source, blocks
):
    target = tmp_path / source
    rewritten = relabel(CORPORA / "office" / source, target, blocks)
    assert set(rewritten) == set(blocks)  # the rewrite took: the test is not vacuous
    original, relabelled = (
        read_file(CORPORA / "office" / source, settings),
        read_file(target, settings),
    )
    assert _items(relabelled) == _items(original)
    assert _placed(relabelled) == set(blocks)
    headings = {compact(block.heading) for block in relabelled.blocks}
    assert {WORDINGS[block] for block in blocks if block in WORDINGS} <= headings


@pytest.mark.parametrize(("source", "blocks", "name"), RELABELLED, ids=[r[2] for r in RELABELLED])
def test_a_libreoffice_pdf_with_new_label_wordings_reads_like_the_original(
    settings, source, blocks, name
):
    pdf = CORPORA / "relabelled" / f"{Path(name).stem}.pdf"
    original = read_file(CORPORA / "office_pdf" / f"{Path(source).stem}.pdf", settings)
    relabelled = read_file(pdf, settings)
    assert _items(relabelled) == _items(original)
    assert _placed(relabelled) == set(blocks)


def test_a_label_without_a_known_neighbour_stays_other(tmp_path, settings):
    # every label of the results band rewritten: nothing known says which box is which
    target = tmp_path / "r06_keyakigadai.pptx"
    relabel(
        CORPORA / "office" / "r06_keyakigadai.pptx",
        target,
        ("アセスメント結果", "支援内容", "到達点"),
    )
    relabelled = read_file(target, settings)
    assert not {"アセスメント結果", "支援内容", "到達点"} & {b.block for b in relabelled.blocks}
    assert "その他" in {b.block for b in relabelled.blocks}
