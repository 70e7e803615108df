"""Office files of the sample with some labels worded as configs/blocks.yaml does not know.

Real reports word their labels their own way; the readers place such a label by where it
stands (pipeline/stages/segment/unknown_labels.py). These files test that: the sample's
.pptx and .docx with the labels of some blocks rewritten (python-pptx, python-docx) read to
the same items as the originals. The tests rewrite the .pptx and .docx themselves; the PDFs,
which need LibreOffice, are committed in corpora/relabelled/ (`python -m corpora.officegen
relabel`, `make office`).
"""

from __future__ import annotations

from pathlib import Path

from .export import to_pdf

# Wordings no pattern of configs/blocks.yaml matches, about as long as the standard ones
# (a longer label overflows the narrow label cell its deck was laid out for).
WORDINGS = {
    "現状": "あらまし",
    "目指す姿": "未来予想",
    "課題意識": "気がかり",
    "基本情報": "開催記録",
    "実施内容": "やること",
    "支援体制": "関係者",
    "アセスメント結果": "はじめに聞いたこと",
    "支援内容": "一緒に取り組んだこと",
    "到達点": "ふりかえり",
}

ROOT = Path(__file__).resolve().parents[1]
# (source in corpora/office, blocks whose labels are reworded, name of the relabelled file)
RELABELLED = [
    (
        "r05_ginrei.pptx",
        ("課題意識", "基本情報", "到達点", "sessions"),
        "r05_ginrei_relabelled.pptx",
    ),
    ("r06_yugaya.docx", ("現状", "目指す姿"), "r06_yugaya_relabelled.docx"),
    ("r05_hotarugawa.docx", ("課題意識", "基本情報", "到達点"), "r05_hotarugawa_relabelled.docx"),
    # more layouts for the text reader (docs/corpus.md, "Labels worded anew")
    ("r06_okinari.pptx", ("現状", "目指す姿"), "r06_okinari_relabelled.pptx"),
    ("r06_shimotsuki.pptx", ("課題意識", "基本情報", "到達点"), "r06_shimotsuki_relabelled.pptx"),
    ("r06_keyakigadai.pptx", ("アセスメント結果", "支援内容"), "r06_keyakigadai_relabelled.pptx"),
    ("r03_sagiri.pptx", ("実施内容", "支援体制", "sessions"), "r03_sagiri_relabelled.pptx"),
    (
        "r07_report_set_i.docx",
        ("課題意識", "基本情報", "到達点", "sessions"),
        "r07_report_set_i_relabelled.docx",
    ),
    # wordings of their own: a narrow cell's new words that end in a known one (積み残しの
    # 課題, one letter a line), session headers numbered in words no pattern knows, a
    # report's box heading under an item that ran to the edge
    (
        "r05_shirakabadai.pptx",
        ("課題意識", "実施内容", "sessions"),
        "r05_shirakabadai_relabelled.pptx",
        {"課題意識": "積み残しの課題", "実施内容": "当日話した内容"},
        "聞き取り{n}回目",
    ),
    (
        "r03_wakabasawa.docx",
        ("現状", "到達点", "sessions"),
        "r03_wakabasawa_relabelled.docx",
        {"現状": "村のいま", "到達点": "振り返ってわかったこと"},
        "打合せ{n}回目",
    ),
]


# Session column headers (第1回 …) as dates, where "sessions" is among the blocks named
SESSION_WORDINGS = {1: "7月12日", 2: "10月4日", 3: "1月17日", 4: "2月21日"}


def _rewrite(paragraphs, text: str, blocks, label_of, wordings=None, sessions=None) -> str | None:
    """Put the new wording in the first run of a label's paragraphs, emptying the rest
    (the runs keep their fonts): the block it labelled ("sessions" for a header), or None.
    wordings: the file's own, else WORDINGS; sessions: its header form ("聞き取り{n}回目"),
    else dates."""
    block, session = label_of(text)
    runs = [run for p in paragraphs for run in p.runs]
    if not runs or not (block in blocks or (session and "sessions" in blocks)):
        return None
    for run in runs:
        run.text = ""
    if block:
        runs[0].text = (wordings or {}).get(block, WORDINGS[block])
    else:
        runs[0].text = sessions.format(n=session) if sessions else SESSION_WORDINGS[session]
    return block or "sessions"


def _label_of():
    from pipeline.config.settings import load_settings
    from pipeline.stages.segment.labels import match_label, match_session

    config = load_settings().blocks
    return lambda text: (match_label(text, config), match_session(text, config))


def relabel_pptx(source: Path, target: Path, blocks, wordings=None, sessions=None) -> list[str]:
    """The deck with the labels (table cells, box headings) of these blocks reworded."""
    from pptx import Presentation

    label_of = _label_of()
    deck = Presentation(str(source))
    done = []
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = (
                [cell.text_frame for row in shape.table.rows for cell in row.cells]
                if shape.has_table
                else [shape.text_frame]
                if shape.has_text_frame
                else []
            )
            for frame in frames:
                block = _rewrite(frame.paragraphs, frame.text, blocks, label_of, wordings, sessions)
                if block:
                    done.append(block)
    deck.save(str(target))
    return done


def relabel_docx(source: Path, target: Path, blocks, wordings=None, sessions=None) -> list[str]:
    """The report with the labels (headings, table cells) of these blocks reworded."""
    from docx import Document

    label_of = _label_of()
    report = Document(str(source))
    done = []
    for paragraph in report.paragraphs:
        if block := _rewrite([paragraph], paragraph.text, blocks, label_of, wordings, sessions):
            done.append(block)
    for table in report.tables:
        for row in table.rows:
            for cell in row.cells:
                if block := _rewrite(
                    cell.paragraphs, cell.text, blocks, label_of, wordings, sessions
                ):
                    done.append(block)
    report.save(str(target))
    return done


def relabel(source: Path, target: Path, blocks, wordings=None, sessions=None) -> list[str]:
    write = relabel_pptx if source.suffix == ".pptx" else relabel_docx
    return write(source, target, blocks, wordings, sessions)


def build(out_dir: Path = ROOT / "relabelled") -> list[Path]:
    """corpora/relabelled/*.pdf: the relabelled files as LibreOffice exports them."""
    import tempfile

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for source, blocks, name, *own in RELABELLED:
            target = Path(tmp) / name
            relabel(ROOT / "office" / source, target, blocks, *own)
            files.append(target)
        made = to_pdf(files, out_dir)
    write_gold(out_dir, ".pdf")
    return [made[f] for f in files]


def relabelled_gold(suffix: str, batch: str = "relabelled") -> dict:
    """Gold for the relabelled files: their originals' (office_pdf/gold.json), each named
    as the relabelled file with `suffix` (.pdf, .txt), its variant marked relabelled. A
    label's new wording changes no block and no item."""
    import json
    from hashlib import sha256

    original = json.loads((ROOT / "office_pdf" / "gold.json").read_text(encoding="utf-8"))
    names = {
        f"{Path(source).stem}.pdf": f"{Path(name).stem}{suffix}"
        for source, _, name, *_own in RELABELLED
    }
    documents = []
    for doc in original["documents"]:
        if doc["file"] not in names:
            continue
        entry = {
            **{k: v for k, v in doc.items() if k != "exported_from"},
            "file": names[doc["file"]],
            "variant": f"{doc['variant']}_relabelled",
            "held_out": False,
        }
        if suffix == ".txt":  # the PDF the text was extracted from
            pdf = ROOT / "relabelled" / f"{Path(names[doc['file']]).stem}.pdf"
            entry["extracted_from"] = {
                "file": pdf.name,
                "sha256": sha256(pdf.read_bytes()).hexdigest(),
            }
        documents.append(entry)
    municipalities = [
        {**muni, "file": names[muni["file"]], "variant": f"{muni['variant']}_relabelled"}
        for muni in original["municipalities"]
        if muni["file"] in names
    ]
    return {"batch": batch, "documents": documents, "municipalities": municipalities}


def write_gold(folder: Path, suffix: str, batch: str = "relabelled") -> None:
    from ..reportgen.files import write_atomic
    from ..reportgen.gold import gold_json

    write_atomic(folder / "gold.json", gold_json(relabelled_gold(suffix, batch)))
