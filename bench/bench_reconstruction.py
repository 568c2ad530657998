"""The reconstruction attack of docs/privacy.md against a built database, with figures.

    PYTHONPATH=$PWD DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python \
        bench/bench_reconstruction.py [--no-exports]

Runs the attacker of tests/people/test_reconstruction.py (every table through SQL, then every
candidate file and the candidate list as the auditor) over the database named by DATABASE_URL,
for instance the full demo (`fazhan demo --no-serve`), and prints, per person, how many ID numbers
stay consistent with what was read: the minimum (the floor is 100), the median and the maximum,
from the database alone and with the exports, and the time taken. Reads only. Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-exports", action="store_true", help="the database alone")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from tests.people import test_reconstruction as attack

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    people, _ = attack.read_database()
    areas = attack._areas(people)

    def show(label: str) -> None:
        found = sorted(attack.counts(people, areas).values())
        print(
            f"{label}: {len(found)} people, areas {sorted(areas)}; numbers per person "
            f"min {found[0]}, median {statistics.median(found):.0f}, max {found[-1]} "
            f"(floor {attack.FLOOR}) after {time.perf_counter() - started:.1f} s"
        )

    show("database")
    if not args.no_exports:
        attack.read_exports(Client(), people)
        show("database and every export")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
