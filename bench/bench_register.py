"""Benchmark of the register of irregularities (issue 15 "How it is judged"): the list and its
filters against a hand-written SQL query in the same run.

    .venv/bin/python bench/bench_register.py [--sizes 50000,500000] [--findings 50000] [--repeat 9]
        [--keep FOLDER]

For each size, a child process builds a throwaway SQLite database with the district of
bench/bench_indicators.py (15 sub-organizations, 300 branches) and that many candidate files, then
bulk-loads `--findings` register rows spread over the files (a tenth closed), and times, as the
median of `--repeat` alternating runs after a warm-up, what the register page asks for one
request as district staff — the first page of 50 rows with the person and organization, the
total, and the totals by severity — for three filters: none (every live row), late rows of one
sub-organization's subtree, and violations found in one month; against the same three statements
written by hand over the same tables through the same connection. Target: ORM ≤ 1.5 × SQL.
Each figure is the median wall time and, in brackets, the median CPU time of the process (steadier
on a busy machine: it leaves out the time spent waiting for a core). The `models` column is the
page as it was before it listed tuples (every row a model instance with the names annotated),
timed in the same alternation. With `--keep FOLDER` the databases stay in that folder (one per
size) and a later run reuses them instead of loading again. Not a pytest file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_indicators import load  # noqa: E402

FINDINGS = [
    ("talk.late", "late", "S02"),
    ("notice.too_short", "violation", "N-TGT"),
    ("approval.late", "late", "S17"),
    ("target.too_early", "violation", "S07"),
]

HAND_PAGE = """
SELECT r.id, r.finding, r.severity, r.step, r.finding_date, r.found_on, r.state, p.name, o.name
FROM accountability_irregularity r
JOIN people_candidate c ON c.id = r.candidate_id
JOIN people_person p ON p.id = c.person_id
JOIN orgs_organization o ON o.id = r.org_id
WHERE {where}
ORDER BY r.found_on DESC, r.id DESC LIMIT 50
"""
# What the page read of each row before it listed tuples (the `models` column).
BEFORE = (
    "finding",
    "severity",
    "step",
    "finding_date",
    "basis",
    "message",
    "found_on",
    "state",
    "closed_on",
    "closed_because",
    "candidate_id",
    "org_id",
)
HAND_COUNT = "SELECT COUNT(*) FROM accountability_irregularity r WHERE {where}"
HAND_TOTALS = (
    "SELECT r.severity, COUNT(r.id) FROM accountability_irregularity r WHERE {where} "
    "GROUP BY r.severity"
)


def rows(findings: int, seed: int = 11) -> None:
    from fazhan.accountability.models import Irregularity
    from fazhan.people.models import Candidate

    rng = Random(seed)
    files = list(Candidate.objects.values_list("pk", "org_id"))
    rng.shuffle(files)
    batch: list[Irregularity] = []
    for index in range(findings):
        # Each (file, finding) once: a live row is unique per finding of a file.
        candidate, org = files[index % len(files)]
        finding, severity, step = FINDINGS[(index // len(files) + index) % len(FINDINGS)]
        found = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1060))
        closed = rng.random() < 0.1
        batch.append(
            Irregularity(
                candidate_id=candidate,
                org_id=org,
                finding=finding,
                severity=severity,
                step=step,
                finding_date=found - timedelta(days=rng.randint(0, 60)),
                basis="细则第七条",
                message="",
                found_on=found,
                state="closed" if closed else "open",
                closed_on=found if closed else None,
                closed_because="gone" if closed else "",
            )
        )
        if len(batch) == 5000:
            Irregularity.objects.bulk_create(batch)
            batch = []
    Irregularity.objects.bulk_create(batch)


def alternating_ms(
    runs: Sequence[Callable[[], Any]], repeat: int
) -> tuple[list[tuple[float, float]], list[Any]]:
    """Median (wall, CPU) milliseconds of each of `runs`, run in turn (the order reversed every
    other round) after a warm-up, so that all see the same machine; and what each returned."""
    results = [run() for run in runs]
    wall: list[list[float]] = [[] for _ in runs]
    cpu: list[list[float]] = [[] for _ in runs]
    order = list(range(len(runs)))
    for index in range(repeat):
        for at in order if index % 2 == 0 else order[::-1]:
            started, ticks = time.perf_counter(), time.process_time()
            runs[at]()
            cpu[at].append((time.process_time() - ticks) * 1000)
            wall[at].append((time.perf_counter() - started) * 1000)
    medians = [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu, strict=True)]
    return medians, results


def child(size: int, findings: int, repeat: int, keep: str | None) -> dict[str, Any]:
    folder = keep or tempfile.mkdtemp(prefix="fazhan-bench-register-")
    database = Path(folder) / f"bench-{size}-{findings}.sqlite3"
    # A database is reused only once its load finished (a run stopped halfway leaves no marker).
    loaded_mark = database.with_suffix(".loaded")
    reuse = keep is not None and loaded_mark.exists()
    if keep is not None and not reuse:
        for stale in Path(folder).glob(f"{database.name}*"):
            stale.unlink()
    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from fazhan.accountability.filters import (
        PAGE_SIZE,
        as_rows,
        filter_register,
        listed,
        totals_by_severity,
    )
    from fazhan.accounts.authority import roles_read_once
    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.orgs.models import Kind, Organization

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not reuse:
        district = load(size)[0]
        rows(findings)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        staff = User.objects.create(username="qu")
        Role.objects.create(user=staff, org_id=district, kind=RoleKind.DISTRICT_STAFF)
        if keep is not None:
            loaded_mark.touch()
    loaded = time.perf_counter() - started
    staff = User.objects.get(username="qu")
    district = Organization.objects.get(kind=Kind.DISTRICT).pk
    sub = Organization.objects.filter(parent_id=district).order_by("code").first()
    assert sub is not None

    def orm(params: dict[str, str]) -> tuple[list[int], int, dict[str, int]]:
        # As the page does (accountability.views.register_list): the totals by severity, their
        # sum as the total, the first page of rows with the names; the roles read once, as in
        # any GET (fazhan.accounts.authority.ReadOnlyRequestAuthority).
        with roles_read_once():
            found = filter_register(staff, params)
            totals = totals_by_severity(found, params)
            page = [r.pk for r in as_rows(listed(found)[:PAGE_SIZE]) if r.person_name is not None]
        return page, sum(totals.values()), totals

    def models(params: dict[str, str]) -> tuple[list[int], int, dict[str, int]]:
        # The page before it listed tuples: each row a model instance, the names annotated.
        found = filter_register(staff, params)
        totals = totals_by_severity(found, params)
        named = found.only(*BEFORE).annotate(
            person_name=F("candidate__person__name"), org_name=F("org__name")
        )
        page = [r.pk for r in named[:PAGE_SIZE] if r.person_name is not None]
        return page, sum(totals.values()), totals

    def hand(where: str, args: list[Any]) -> tuple[list[int], int, dict[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(HAND_PAGE.format(where=where), args)
            page = [r[0] for r in cursor.fetchall()]
            cursor.execute(HAND_COUNT.format(where=where), args)
            total = int(cursor.fetchone()[0])
            cursor.execute(HAND_TOTALS.format(where=where), args)
            totals = {k: int(v) for k, v in cursor.fetchall()}
        return page, total, totals

    # The subtree as the page finds it, in SQL: the same recursive walk down the tree.
    in_sub = (
        "WITH RECURSIVE below(id) AS (SELECT id FROM orgs_organization WHERE id = "
        f"{int(sub.pk)} UNION SELECT o.id FROM orgs_organization o JOIN below b "
        "ON o.parent_id = b.id) SELECT id FROM below"
    )
    cases = {
        "live": ({}, "r.state != 'closed'", []),
        "late in one sub": (
            {"severity": "late", "org": str(sub.pk)},
            f"r.state != 'closed' AND r.severity = 'late' AND r.org_id IN ({in_sub})",
            [],
        ),
        "violations in a month": (
            {"severity": "violation", "state": "all", "from": "2025-03-01", "to": "2025-03-31"},
            "r.severity = 'violation' AND r.found_on >= %s AND r.found_on <= %s",
            ["2025-03-01", "2025-03-31"],
        ),
    }
    out: dict[str, Any] = {"size": size, "findings": findings, "load_s": round(loaded, 1)}
    for name, (params, where, args) in cases.items():
        runs = [partial(orm, params), partial(hand, where, args), partial(models, params)]
        (ours, sql, before), (a, b, c) = alternating_ms(runs, repeat)
        # The same rows, total and totals, or it means nothing.
        assert a == b == c, (name, a[1:], b[1:], c[1:])
        out[name] = {"orm": ours, "sql": sql, "models": before, "rows": a[1]}
    connection.close()
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,500000")
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", help="a folder to keep the databases in, and reuse them from")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    keep = str(Path(args.keep).resolve()) if args.keep else None
    if args.child:
        print(json.dumps(child(args.child, args.findings, args.repeat, keep)))
        return
    print("wall ms (CPU ms); ratio = ORM / SQL, wall (CPU); models = the page before, the same way")
    print(
        f"{'candidates':>10} {'findings':>8} {'load s':>7} │ {'filter':<22} "
        f"{'ORM ms':>14} {'SQL ms':>14} {'ratio':>12} {'models':>12} {'rows':>7}"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        command = [sys.executable, __file__, "--child", str(size)]
        command += ["--findings", str(args.findings), "--repeat", str(args.repeat)]
        if keep:
            command += ["--keep", keep]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for name in ("live", "late in one sub", "violations in a month"):
            r = result[name]
            (ow, oc), (sw, sc), (mw, mc) = r["orm"], r["sql"], r["models"]
            print(
                f"{result['size']:>10} {result['findings']:>8} {result['load_s']:>7} │ {name:<22} "
                f"{ow:>6.2f} ({oc:>5.2f}) {sw:>6.2f} ({sc:>5.2f}) "
                f"{ow / sw:>5.2f} ({oc / sc:>4.2f}) {mw / sw:>5.2f} ({mc / sc:>4.2f}) "
                f"{r['rows']:>7}"
            )


if __name__ == "__main__":
    main()
