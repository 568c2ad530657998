"""Benchmark of the roster import: parse + preview, and apply, against openpyxl reading alone.

    .venv/bin/python bench/bench_import.py [--rows 10000] [--branches 40] [--keep] [--profile F]

(--rows is per roster: two are imported. --profile writes a cProfile of the confirmation with the
kept plan to F, for `python -m pstats F`.)

Builds a throwaway SQLite database (migrated) with a district, one sub-organization and
`--branches` branches, writes a roster of `--rows` synthetic people at realistic stages
(fazhan.imports.samples: demo ID numbers, dates relative to today), and times in the same run:

- the baseline: openpyxl opening the same .xlsx read-only and reading every cell;
- parse + preview: `do_preview_roster` (read, check every cell, resolve branches, check ID
  numbers against the file and the people table, judge every row with the engine, encrypt the ID
  numbers, store the batch);
- the plan kept ahead (`keep_plan`, what `fazhan worker` does after a large preview: per row a
  person with its ID number encrypted and indexed, a candidate file, one projection, its events
  checked and encoded, all sealed with the batch);
- the whole confirmation (`do_apply_batch`), before and after in the same run, on two rosters of
  `--rows` people each: "before" plans at confirmation (no kept plan), "after" uses the plan its
  preview kept (moved along the chain, since the first roster was written in between); each with
  its write phase timed apart (from the moment the apply says it starts writing: the chain head
  locked, the rows sent, the events hashed and inserted, the summary kept, then the roster
  following the approved files after the commit);

and prints rows per second and the ratio to the baseline, by wall clock and by this process's CPU
time (the stable figure on a shared machine: the import is CPU-bound). Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
T = TypeVar("T")


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description="roster import benchmark")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database and the roster")
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the confirmation with the kept plan into FILE"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhan-bench-import-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    # Every preview hands its planning to the worker (not run here), whatever --rows.
    os.environ["FAZHAN_IMPORT_QUEUE_ROWS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import load_workbook

    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.audit.chain import verify_chain
    from fazhan.audit.models import Event
    from fazhan.imports.actions import do_apply_batch, do_preview_roster, keep_plan
    from fazhan.imports.models import ImportBatch, ImportPlan
    from fazhan.imports.samples import synthetic_rows, write_roster
    from fazhan.orgs.models import Kind, Organization
    from fazhan.people.models import Candidate
    from fazhan.policy.engine import today_in_shanghai

    call_command("migrate", verbosity=0)
    district = Organization.objects.create(name="基准区委", kind=Kind.DISTRICT, code="B")
    sub = Organization.objects.create(
        name="基准街道党工委", kind=Kind.SUB, code="B-1", parent=district, can_approve=True
    )
    codes = []
    for index in range(1, args.branches + 1):
        branch = Organization.objects.create(
            name=f"基准第{index}党支部", kind=Kind.BRANCH, code=f"B-1-{index:03d}", parent=sub
        )
        codes.append(branch.code)
    user = User.objects.create(username="bench")
    Role.objects.create(user=user, org=district, kind=RoleKind.DISTRICT_STAFF)

    today = today_in_shanghai()
    started = time.perf_counter()
    # Two rosters of --rows people each (distinct ID numbers): the first is confirmed as before
    # (planned at confirmation), the second with the plan its preview kept (the same run, the
    # same machine; the second writes into a database already holding the first).
    rows = synthetic_rows(2 * args.rows, branches=codes, today=today)
    rosters = [workdir / "roster-before.xlsx", workdir / "roster-after.xlsx"]
    write_roster(rows[: args.rows], rosters[0])
    write_roster(rows[args.rows :], rosters[1])
    generated = time.perf_counter() - started
    data = [path.read_bytes() for path in rosters]
    print(
        f"rosters: 2 × {args.rows} rows, {len(data[0]) / 1e6:.1f} MB each, "
        f"generated in {generated:.1f} s"
    )

    timings: dict[str, tuple[float, float]] = {}

    def timed(step: str, work: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings[step] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    def read_all() -> int:
        book = load_workbook(rosters[0], read_only=True, data_only=True)
        count = sum(len(r) for r in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return count

    def preview(index: int) -> ImportBatch:
        # A batch this large is planned ahead by the worker (`prepare_batch`, enqueued in the
        # database here and never run): the preview itself is what the page waits for.
        name = rosters[index].name
        batch = do_preview_roster(user, org=district, filename=name, data=data[index])
        assert not batch.has_errors, batch.file_errors or list(
            batch.rows.filter(has_errors=True).values_list("number", "errors")[:5]
        )
        return batch

    # The write phase alone (the one transaction that holds the database's write lock: the
    # batch and the chain head locked, the rows sent, the events hashed and inserted), from the
    # moment the apply says it starts writing to its end.
    writing: list[tuple[float, float]] = []

    def progress(phase: str, done: int) -> None:
        if phase == "writing":
            writing.append((time.perf_counter(), time.process_time()))

    def apply(step: str, batch: ImportBatch, profile: str | None = None) -> None:
        writing.clear()
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            timed(step, lambda: profiler.runcall(do_apply_batch, user, batch, progress=progress))
            profiler.dump_stats(profile)
        else:
            timed(step, lambda: do_apply_batch(user, batch, progress=progress))
        ended = (time.perf_counter(), time.process_time())
        timings[f"  of which write ({step[:6]})"] = (
            ended[0] - writing[0][0],
            ended[1] - writing[0][1],
        )

    cells = timed("openpyxl read (baseline)", read_all)
    before = timed("parse + preview", lambda: preview(0))
    after = preview(1)
    timed("plan kept (worker)", lambda: keep_plan(user, after))
    assert ImportPlan.objects.filter(batch=after).exists()
    apply("before: confirm, planning", before)
    apply("after: confirm, kept plan", after, args.profile)

    events = Event.objects.count()
    candidates = Candidate.objects.count()
    verified = verify_chain()
    assert verified.ok and candidates == 2 * args.rows, (verified, candidates)
    print(f"stages: {before.summary['stages']}; events appended: {events}")
    print(f"findings: {before.finding_count} ({before.summary['findings']})")
    print()
    # Wall-clock and this process's CPU time: on a shared machine the CPU figures are the
    # stable ones (the import is CPU-bound: one process, SQLite in the same process).
    base_wall, base_cpu = timings["openpyxl read (baseline)"]
    print(
        f"{'step':<30}{'wall s':>8}{'rows/s':>8}{'× openpyxl':>11}"
        f"{'cpu s':>8}{'rows/cpu-s':>11}{'× openpyxl':>11}"
    )
    for step, (wall, cpu) in timings.items():
        print(
            f"{step:<30}{wall:>8.2f}{rate(args.rows, wall):>8.0f}{wall / base_wall:>11.1f}"
            f"{cpu:>8.2f}{rate(args.rows, cpu):>11.0f}{cpu / base_cpu:>11.1f}"
        )
    confirm_before = timings["before: confirm, planning"]
    confirm_after = timings["after: confirm, kept plan"]
    print(
        f"whole confirm, after / before: wall {confirm_after[0] / confirm_before[0]:.2f}, "
        f"cpu {confirm_after[1] / confirm_before[1]:.2f}"
    )
    print(f"({cells} cells read by the baseline; chain verified: {verified.events} events)")
    if args.keep:
        print(f"kept: {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
