"""Benchmark of the register of irregularities (issue 15 "How it is judged"): the list and its
filters against a hand-written SQL query in the same run.

    .venv/bin/python bench/bench_register.py [--sizes 50000,500000] [--findings 50000] [--repeat 9]

For each size, a child process builds a throwaway SQLite database with the district of
bench/bench_indicators.py (15 sub-organizations, 300 branches) and that many candidate files, then
bulk-loads `--findings` register rows spread over the files (a tenth closed), and times, as the
median of `--repeat` alternating runs after a warm-up, what the register page asks for one
request as district staff — the first page of 50 rows with the person and organization, the
total, and the totals by severity — for three filters: none (every live row), late rows of one
sub-organization's subtree, and violations found in one month; against the same three statements
written by hand over the same tables through the same connection. Target: ORM ≤ 1.5 × SQL.
Not a pytest file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_indicators import load, paired_ms  # noqa: E402

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


def child(size: int, findings: int, repeat: int) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="fazhan-bench-register-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from fazhan.accountability.filters import filter_register, with_names
    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.orgs.models import Organization

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    district, _ids = load(size)
    rows(findings)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started
    staff = User.objects.create(username="qu")
    Role.objects.create(user=staff, org_id=district, kind=RoleKind.DISTRICT_STAFF)
    sub = Organization.objects.filter(parent_id=district).order_by("code").first()
    assert sub is not None

    def orm(params: dict[str, str]) -> tuple[list[int], int, dict[str, int]]:
        found = filter_register(staff, params)
        # As the page does: the totals by severity, their sum, the first 50 rows with the names.
        totals = dict(found.order_by().values_list("severity").annotate(n=Count("pk")))
        total = sum(totals.values())
        page = [r.pk for r in with_names(found)[:50] if r.person_name is not None]  # type: ignore[attr-defined]
        return page, total, totals

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
        orm_ms, sql_ms, a, b = paired_ms(
            lambda p=params: orm(p), lambda w=where, x=args: hand(w, x), repeat
        )
        assert a == b, (name, a[1:], b[1:])  # the same rows, total and totals, or it means nothing
        out[name] = {"orm_ms": round(orm_ms, 2), "sql_ms": round(sql_ms, 2), "rows": a[1]}
    connection.close()
    shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,500000")
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.findings, args.repeat)))
        return
    print(
        f"{'candidates':>10} {'findings':>8} {'load s':>7} │ {'filter':<22} "
        f"{'ORM ms':>8} {'SQL ms':>8} {'ratio':>6} {'rows':>7}"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(size),
                "--findings",
                str(args.findings),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for name in ("live", "late in one sub", "violations in a month"):
            r = result[name]
            print(
                f"{result['size']:>10} {result['findings']:>8} {result['load_s']:>7} │ {name:<22} "
                f"{r['orm_ms']:>8} {r['sql_ms']:>8} {r['orm_ms'] / r['sql_ms']:>6.2f} "
                f"{r['rows']:>7}"
            )


if __name__ == "__main__":
    main()
