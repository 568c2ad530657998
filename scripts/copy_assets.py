"""Copy the front-end files installed by `npm ci` into the git-ignored static folder."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "fazhan" / "static" / "vendor"
FILES = {
    "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
    "echarts.min.js": "node_modules/echarts/dist/echarts.common.min.js",
}


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, source in FILES.items():
        shutil.copyfile(ROOT / source, TARGET / name)


if __name__ == "__main__":
    main()
