"""`python -m pipeline inspect`: what a user sees when a slide was read wrongly."""

from __future__ import annotations

from PIL import Image

from pipeline.cli.main import main

from .conftest import SAMPLE, SAMPLE_TXT


def test_inspect_prints_regions_blocks_items_and_draws_the_page(tmp_path, capsys):
    png = tmp_path / "page.png"
    code = main(["inspect", str(SAMPLE / "r03_sakuragaura.pdf"), "--page", "3", "--png", str(png)])
    out = capsys.readouterr().out
    assert code == 0
    assert "page 3 of 3" in out
    # the three boxes, each with its own block, and the sub-bullet under its parent
    for block in ("アセスメント結果", "到達点", "支援内容", "まとめ"):
        assert f"■ {block}" in out
    assert "        - 課長・係長を含めた庁内会議で確認した" in out  # level 2
    assert "[支援2回目]" in out
    assert "page_number" in out and "footer" in out
    image = Image.open(png)
    assert image.size[0] > image.size[1]  # a 16:9 slide
    # region outlines were drawn: the block colour appears in the image
    assert (200, 0, 60) in {colour for _, colour in image.getcolors(maxcolors=1 << 24)}


def test_inspect_text_file_has_no_image(tmp_path, capsys):
    code = main(
        ["inspect", str(SAMPLE_TXT / "r03_sakuragaura.txt"), "--png", str(tmp_path / "x.png")]
    )
    assert code == 0
    assert not (tmp_path / "x.png").exists()
    assert "regions:" in capsys.readouterr().out


def test_inspect_rejects_a_page_that_does_not_exist(capsys):
    code = main(["inspect", str(SAMPLE / "r03_sakuragaura.pdf"), "--page", "9"])
    assert code == 2
    assert "has pages 1–3" in capsys.readouterr().err


def test_inspect_shows_a_slide_of_a_text_without_form_feeds(capsys):
    # pdfplumber writes no form feeds: the three slides are found by their titles
    path = SAMPLE_TXT / "r03_sakuragaura.txt"
    assert "\f" not in path.read_text(encoding="utf-8")
    code = main(["inspect", str(path), "--page", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "page 3 of 3" in out and "found by its title" in out
    for block in ("アセスメント結果", "到達点", "支援内容", "まとめ"):
        assert f"■ {block}" in out
    assert "■ 現状" not in out  # page 1's
