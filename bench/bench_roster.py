"""Benchmark of `roster_on(branch, day)` (who was on the roster that day, from the dated history)
against reading today's rows alone (`Member.objects.filter(org=branch, active=True)`).

    DATABASE_URL=sqlite:////tmp/bench-roster.sqlite3 .venv/bin/python bench/bench_roster.py \
        [--sizes 100,1000,5000] [--history 0.3] [--repeat 5]

For each size, a fresh database gets one branch with that many members; a share (`--history`) of
them has three dated changes (joined, converted, 留党察看). It prints the median milliseconds of
both reads after a warm-up and their ratio (the price of answering for any date). Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench-roster.sqlite3")


def timed(run: Callable[[], object], repeat: int) -> float:
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(branch: object, size: int, repeat: int) -> tuple[float, float]:
    from fazhan.members.history import roster_on
    from fazhan.orgs.models import Member

    day = date(2023, 5, 10)
    plain = timed(lambda: list(Member.objects.filter(org=branch, active=True)), repeat)
    dated = timed(lambda: roster_on(branch, day), repeat)  # type: ignore[arg-type]
    assert len(roster_on(branch, day)) == size  # type: ignore[arg-type]
    return plain, dated


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--history", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from fazhan.members.models import MemberChange
    from fazhan.orgs.models import Member, Organization

    call_command("migrate", verbosity=0)
    print(f"{'members':>8} {'history':>8} {'plain ms':>9} {'roster_on ms':>13} {'ratio':>6}")
    for number, size in enumerate(int(s) for s in args.sizes.split(",")):
        with transaction.atomic():
            district = Organization.objects.filter(parent__isnull=True).first()
            if district is None:
                district = Organization.objects.create(name="区委", kind="district", code="BR")
            branch = Organization.objects.create(
                name=f"支部{number}", kind="branch", parent=district, code=f"BR-{number}"
            )
            members = Member.objects.bulk_create(
                Member(org=branch, name=f"党员{i}") for i in range(size)
            )
            with_history = members[: int(size * args.history)]
            MemberChange.objects.bulk_create(
                MemberChange(member=m, kind=kind, happened_on=when, source="staff", **fields)
                for m in with_history
                for kind, when, fields in (
                    (
                        "joined",
                        date(2020, 7, 22),
                        {"org": branch, "status": "probationary", "active": True},
                    ),
                    ("converted", date(2021, 6, 29), {"status": "full"}),
                    (
                        "discipline",
                        date(2024, 3, 1),
                        {"under_discipline": True, "rights_restored": False},
                    ),
                )
            )
        plain, dated = measure(branch, size, args.repeat)
        ratio = dated / plain
        print(f"{size:>8} {len(with_history):>8} {plain:>9.1f} {dated:>13.1f} {ratio:>6.1f}")


if __name__ == "__main__":
    main()
