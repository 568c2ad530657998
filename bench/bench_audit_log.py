"""Benchmark of the auditor's log (docs/audit-log.md) on an existing database, e.g. the demo's.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/bench_audit_log.py [--repeat 5]

Times, as the median of `--repeat` runs after a warm-up, what one page of the log asks for — the
UNION of events and sign-ins, its count, and the page's rows in words (`page_rows`) — with no
filter, with one sub-organization's subtree and with one kind; against the baseline of the same
run: the newest 50 events and the events' count read by hand-written SQL. Prints the ratios. Also
times the export's rows of one subtree. Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")


def median_ms(work: Callable[[], object], repeat: int) -> float:
    work()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from fazhan.auditlog.log import LogFilter, entries, page_rows
    from fazhan.auditlog.views import _export_rows
    from fazhan.orgs.models import Kind, Organization

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM audit_event")
            cursor.fetchone()
            cursor.execute(
                "SELECT seq, kind, recorded_at, recorded_by_id, payload FROM audit_event "
                "ORDER BY seq DESC LIMIT 50"
            )
            cursor.fetchall()

    def page(chosen: LogFilter) -> Callable[[], object]:
        def run() -> object:
            keys = entries(chosen)
            keys.count()
            return page_rows(list(keys[:50]))

        return run

    sub = Organization.objects.filter(kind=Kind.SUB).order_by("code").first()
    base = median_ms(baseline, args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_event")
        events = cursor.fetchone()[0]
    print(f"events: {events}; baseline (hand SQL, count + newest 50): {base:.1f} ms")
    for name, chosen in (
        ("no filter", LogFilter()),
        ("one sub-organization", LogFilter(org=sub)),
        ("one kind (S07)", LogFilter(kind="S07")),
    ):
        ms = median_ms(page(chosen), args.repeat)
        print(f"page 1, {name}: {ms:.1f} ms = {ms / base:.1f} x baseline")
    count = 0

    def export() -> None:
        nonlocal count
        count = sum(1 for _row in _export_rows(LogFilter(org=sub)))

    ms = median_ms(export, 1)
    print(f"export rows of one sub-organization: {count} rows in {ms:.0f} ms")


if __name__ == "__main__":
    main()
