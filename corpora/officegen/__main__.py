"""python -m corpora.officegen {build,check,relabel,extract}: see docs/corpus.md."""

from __future__ import annotations

import argparse
import sys
import time

from .style import OfficeError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpora.officegen",
        description="The office-made sample and the text that real extractors write from the "
        "sample PDFs (docs/corpus.md). `build` and `relabel` need LibreOffice and the Noto CJK and IPAex "
        "fonts (Debian: libreoffice-impress libreoffice-writer fonts-noto-cjk fonts-ipaexfont); "
        "`extract` needs poppler-utils (pdftotext); `check` needs neither.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "build",
        help="write corpora/office (.pptx, .docx) and corpora/office_pdf (LibreOffice PDFs)",
    )
    commands.add_parser(
        "check", help="report office files or PDFs that are not what the sources make now"
    )
    commands.add_parser(
        "relabel",
        help="write corpora/relabelled/*.pdf: sample office files with some labels worded as "
        "configs/blocks.yaml does not know, exported by LibreOffice",
    )
    commands.add_parser(
        "extract",
        help="write corpora/sample_txt/<tool>/, corpora/office_txt/<tool>/ and "
        "corpora/relabelled_txt/<tool>/: the text of every sample PDF as each extractor writes it",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.command == "build":
            from .build import build

            build()
        elif args.command == "check":
            from .build import check

            problems = check()
            for problem in problems:
                print(problem)
            if problems:
                return 1
            print("the office sample is up to date")
        elif args.command == "relabel":
            from .relabel import build as relabel

            for pdf in relabel():
                print(pdf)
        else:
            from .extractors import extract_all

            extract_all()
    except OfficeError as exc:
        print(f"officegen: error: {exc}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
