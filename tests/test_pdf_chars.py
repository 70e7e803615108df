"""How a PDF's characters become lines (extract/pdf.py): text drawn twice (shadows, simulated
bold) is read once, a hanging bullet joins its text, and lines of boxes side by side stay
apart."""

from __future__ import annotations

import io

from pipeline.stages.extract.pdf import extract_pdf

from .make_bad_inputs import _canvas


def _page_with_copies(path):
    """A slide title with a grey shadow, a label drawn twice for bold, and real repeats."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    canvas.setFont("IPAexGothic", 24)
    canvas.setFillGray(0.6)
    canvas.drawString(62.0, 478.0, "伴走支援前の状況")  # the shadow, 2 pt below right
    canvas.setFillGray(0.0)
    canvas.drawString(60.0, 480.0, "伴走支援前の状況")
    canvas.setFont("IPAexGothic", 14)
    for dx in (0.0, 0.4):  # bold simulated by drawing the text again, nudged
        canvas.drawString(60.0 + dx, 400.0, "課題意識")
    canvas.drawString(60.0, 360.0, "ああ、いい。Skill と Hello")
    canvas.showPage()
    canvas.save()
    path.write_bytes(buffer.getvalue())
    return path


def test_text_drawn_over_itself_is_read_once(tmp_path, settings):
    path = _page_with_copies(tmp_path / "copies.pdf")
    document = extract_pdf(path, "d", path.name, "", settings.extract)
    texts = [line.text for region in document.pages[0].regions for line in region.lines]
    assert "伴走支援前の状況" in texts
    assert "課題意識" in texts
    assert "ああ、いい。Skill と Hello" in texts
    assert not any("伴伴" in t or "課課" in t for t in texts)


def _lines_drawn(path, settings, size: float, strings: list[tuple[float, float, str]]):
    """The lines the PDF reader reads off a page of these strings, drawn where they say."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    canvas.setFont("IPAexGothic", size)
    for x, y, text in strings:
        canvas.drawString(x, y, text)
    canvas.showPage()
    canvas.save()
    path.write_bytes(buffer.getvalue())
    document = extract_pdf(path, "d", path.name, "", settings.extract)
    return [line.text for region in document.pages[0].regions for line in region.lines]


def test_a_bullet_a_hanging_indent_before_its_text_is_read_with_it(tmp_path, settings):
    """Word sets a list's bullet a quarter inch left of its text (a Writer report's PDF):
    free text whose bullet stands that far apart is one line, while two boxes side by
    side, further apart, stay two."""
    texts = _lines_drawn(
        tmp_path / "hanging.pdf",
        settings,
        10.5,
        [
            (60.0, 400.0, "•"),
            (78.0, 400.0, "総合事業の通所型サービスは従前相当のみ"),
            (60.0, 300.0, "通いの場は12か所"),
            (400.0, 300.0, "SCは1名"),
        ],
    )
    assert "• 総合事業の通所型サービスは従前相当のみ" in texts
    assert "通いの場は12か所" in texts and "SCは1名" in texts


def test_lines_of_boxes_side_by_side_a_little_lower_each_stay_apart(tmp_path, settings):
    """Four borderless boxes side by side, each one's lines a little lower than the one
    left of it: row by row their heights chain from a box's first line to its second,
    which must still read as two lines, not as one with their letters interleaved."""
    strings = []
    for box in range(4):
        x, y = 60.0 + 140.0 * box, 400.0 - 3.4 * box
        strings += [(x, y, f"箱{box}の一行目です"), (x, y - 13.6, f"箱{box}の二行目です")]
    texts = _lines_drawn(tmp_path / "chained.pdf", settings, 10.0, strings)
    for box in range(4):
        assert f"箱{box}の一行目です" in texts and f"箱{box}の二行目です" in texts


def test_an_impress_deck_with_borderless_boxes_reads_each_line_whole(settings):
    """r03_hishikawa's Impress PDF: its three borderless boxes' lines stand at heights that
    chain across them; an item and the wrapped end of the one above stay apart."""
    from pathlib import Path

    from pipeline.stages.pipeline import read_file

    path = Path(__file__).resolve().parents[1] / "corpora" / "office_pdf" / "r03_hishikawa.pdf"
    texts = {item.text.replace(" ", "") for item in read_file(path, settings).items}
    assert "休止中の参加者への電話では、外出の回数が減った、足腰が弱ったという声が多かった" in texts
    assert (
        "来られない人には、世話役と民生委員が月1回電話で声をかけ、気になる人を包括に伝える" in texts
    )
