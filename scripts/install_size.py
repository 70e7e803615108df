"""How large an install of the wheel is: the base, and the base with the extras that were
in it before issue 17 (fast: fugashi + unidic-lite; generator: reportlab, fontTools …).

    python scripts/install_size.py        (make install-size; two fresh venvs, a few minutes)

Builds the wheel, installs it into two fresh virtual environments under a temporary
folder and prints the size of each and of its largest packages.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = "fast,generator"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _install(wheel: Path, venv: Path, extras: str = "") -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    target = f"{wheel}[{extras}]" if extras else str(wheel)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", target],
        check=True,
    )  # fmt: skip
    (site,) = venv.glob("lib/python*/site-packages")
    return site


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT),
             "-w", str(tmp / "dist")],
            check=True,
        )  # fmt: skip
        (wheel,) = (tmp / "dist").glob("*.whl")
        sizes = {}
        for name, extras in (("base", ""), (f"base + [{EXTRAS}] (as before)", EXTRAS)):
            site = _install(wheel, tmp / name.split()[0].replace("+", "") / "venv", extras)
            sizes[name] = _size(site)
            largest = sorted(
                ((_size(p), p.name) for p in site.iterdir() if p.is_dir()), reverse=True
            )
            print(f"{name}: {sizes[name] / 2**20:,.0f} MB in site-packages")
            print("  largest: " + ", ".join(f"{n} {s / 2**20:,.0f} MB" for s, n in largest[:6]))
            if extras:
                extra = {n: s for s, n in largest if n in ("unidic_lite", "reportlab", "fontTools")}
                print(
                    "  of which: " + ", ".join(f"{n} {s / 2**20:,.0f} MB" for n, s in extra.items())
                )
        before, after = sizes[f"base + [{EXTRAS}] (as before)"], sizes["base"]
        print(f"the base install is {(before - after) / 2**20:,.0f} MB smaller")
    return 0


if __name__ == "__main__":
    sys.exit(main())
