"""Benchmark of `fazhan import orgs` and `fazhan import members` (contracts.md §7), preview and
confirm, against openpyxl reading the same file alone in the same run.

    .venv/bin/python bench/bench_import_orgs.py [--orgs 5000] [--members 50000] [--keep]

Builds a throwaway SQLite database (migrated, empty), writes a synthetic tree of `--orgs`
organizations and a roster of `--members` party members over its branches
(fazhan.imports.district_samples: demo ID numbers), and times, for each file:

- the baseline: openpyxl opening the .xlsx read-only and reading every cell;
- preview: `fazhan.imports.direct.run_orgs|run_members` without confirm (read, check every cell
  against the file and the database; nothing written);
- confirm: the same with confirm (judged again inside the one transaction that writes the rows
  and their chain events);

and prints rows per second and the preview's rate as a share of openpyxl's (the target: at least
one half), by wall clock and by this process's CPU time (the stable figure on a shared machine).
Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description="org tree and member import benchmark")
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhan-bench-orgs-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import load_workbook

    from fazhan.audit.chain import verify_chain
    from fazhan.imports import direct, district_samples
    from fazhan.orgs.models import Member, Organization
    from fazhan.policy.engine import today_in_shanghai

    call_command("migrate", verbosity=0)
    today = today_in_shanghai()
    started = time.perf_counter()
    tree = district_samples.org_rows(args.orgs)
    branches = district_samples.branch_codes(tree)
    orgs_path = workdir / "orgs.xlsx"
    members_path = workdir / "members.xlsx"
    district_samples.write_sheet(district_samples.ORG_COLUMNS, tree, orgs_path)
    people = district_samples.member_rows(args.members, branches=branches, today=today)
    district_samples.write_sheet(district_samples.MEMBER_COLUMNS, people, members_path)
    print(
        f"files: {args.orgs} organizations ({len(branches)} branches), {args.members} members; "
        f"generated in {time.perf_counter() - started:.1f} s"
    )

    timings: dict[str, tuple[int, float, float]] = {}

    def timed(step: str, rows: int, work: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings[step] = (rows, time.perf_counter() - wall, time.process_time() - cpu)
        return result

    def read_all(path: Path) -> int:
        book = load_workbook(path, read_only=True, data_only=True)
        count = sum(len(r) for r in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return count

    # The members' write transaction alone (judged and built before it; inside: the check that
    # the roster on file reads the same, the inserts and the chain events).
    from django.db import transaction

    from fazhan.imports import members as member_import

    plain_current, plain_write = member_import.plan_is_current, member_import.write_members
    locked: dict[str, float] = {}

    def current(plan: Any) -> bool:
        locked["wall"], locked["cpu"] = time.perf_counter(), time.process_time()
        return plain_current(plan)

    def write(prepared: Any) -> None:
        plain_write(prepared)
        transaction.on_commit(
            lambda: timings.__setitem__(
                "  of which write (locked)",
                (
                    args.members,
                    time.perf_counter() - locked["wall"],
                    time.process_time() - locked["cpu"],
                ),
            )
        )

    member_import.plan_is_current = current  # type: ignore[assignment]
    member_import.write_members = write  # type: ignore[assignment]

    for kind, path, count, run in (
        ("orgs", orgs_path, args.orgs, direct.run_orgs),
        ("members", members_path, args.members, direct.run_members),
    ):
        timed(f"{kind}: openpyxl read", count, lambda p=path: read_all(p))
        preview = timed(f"{kind}: preview", count, lambda r=run, p=path: r(str(p), confirm=False))
        assert not preview.errors and not preview.written, preview.errors[:5]
        applied = timed(f"{kind}: confirm", count, lambda r=run, p=path: r(str(p), confirm=True))
        assert applied.written and applied.created == count, applied.document()

    if "  of which write (locked)" in timings:  # printed under the confirm it belongs to
        timings["  of which write (locked)"] = timings.pop("  of which write (locked)")
    verified = verify_chain()
    assert verified.ok, verified
    assert Organization.objects.count() == args.orgs and Member.objects.count() == args.members
    again = timed(f"orgs: second run ({args.orgs})", args.orgs, lambda: direct.run_orgs(
        str(orgs_path), confirm=False
    ))  # fmt: skip
    assert again.unchanged == args.orgs, again.document()

    print()
    print(f"{'step':<30}{'rows':>7}{'wall s':>8}{'rows/s':>9}{'cpu s':>8}{'rows/cpu-s':>11}")
    for step, (rows, wall, cpu) in timings.items():
        print(f"{step:<30}{rows:>7}{wall:>8.2f}{rows / wall:>9.0f}{cpu:>8.2f}{rows / cpu:>11.0f}")
    print()
    for kind in ("orgs", "members"):
        _, base_wall, base_cpu = timings[f"{kind}: openpyxl read"]
        _, wall, cpu = timings[f"{kind}: preview"]
        # The preview includes its own openpyxl read: a ratio of 1 would be free checking.
        print(
            f"{kind}: preview rate / openpyxl rate = {base_wall / wall:.2f} (wall), "
            f"{base_cpu / cpu:.2f} (cpu); target >= 0.50"
        )
    print(f"chain verified: {verified.events} events")
    if args.keep:
        print(f"kept: {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
