"""Benchmark of the live plan indicators against one hand-written SQL aggregate.

    .venv/bin/python bench/bench_indicators.py [--sizes 2000,50000,500000] [--repeat 7]

For each size, a child process builds a throwaway SQLite database, migrates it, creates a district
of 15 sub-organizations and 300 branches, bulk-loads that many candidate files with their people
(derived columns set directly, as a bulk loader does; no chain is needed for counting), and times,
as the median of `--repeat` runs after a warm-up:

- `indicator_counts(year, None)`: the district's twelve counts (one aggregate query over the
  whole table: the district's subtree is every organization, so no IN list);
- `counts_by_child(year, district)`: the same for all 15 sub-organizations at once (one grouped
  query, folded over the organization tree);
- `indicator_counts(year, subtree)` for one sub-organization (an IN list of its organizations);
- the same as hand-written SQL over the same tables in the same run (COUNT(*) FILTER per key, the
  same scope, GROUP BY org_id + 0 for the grouped one), through the same connection.

It prints milliseconds, the ratio ORM / SQL (target: within 1.5×) and the time per 1,000
candidates (target: growth no worse than linear). Not a pytest file.
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
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026
SUBS = 15
BRANCHES_PER_SUB = 20
# A district's files by stage (rules-reference §6: activists ≈ 3–5 × developed a year).
STAGES = [
    ("applicant", 0.10),
    ("activist", 0.50),
    ("target", 0.08),
    ("probationary", 0.13),
    ("member", 0.17),
    ("withdrawn", 0.01),
    ("rejected", 0.01),
]
OCCUPATIONS = [
    ("worker", 0.12),
    ("farmer", 0.25),
    ("farmer+rural_entrepreneur", 0.10),
    ("manager", 0.12),
    ("technician", 0.20),
    ("student", 0.06),
    ("other", 0.15),
]

HAND_SQL = """
SELECT {group_select}
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND c.le35_at_admission),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND c.le25_at_admission),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.education_rank >= 3),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.education_rank >= 4),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.sex = 'F'),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.sex = 'F' AND p.frontline),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.occ_worker),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.occ_farmer),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.occ_mgmt_tech_rich),
  COUNT(*) FILTER (WHERE c.approved_on BETWEEN %s AND %s AND p.occ_student),
  COUNT(*) FILTER (WHERE c.stage IN ('activist', 'target'))
FROM people_candidate c JOIN people_person p ON p.id = c.person_id
{group_by}
"""


def pick(rng: Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def paired_ms(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[float, float, Any, Any]:
    """Medians of `first` and `second`, run alternately (and in alternating order) after a
    warm-up, so that both see the same machine: other processes, page cache, CPU frequency."""
    a, b = first(), second()
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(repeat):
        order = [(first, times_a), (second, times_b)]
        for run, times in order if index % 2 == 0 else reversed(order):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times_a), statistics.median(times_b), a, b


def load(size: int, seed: int = 7) -> tuple[int, list[int]]:
    """The district, its tree and `size` files; returns the district id and every org id."""
    from fazhan.orgs.models import Kind, Organization
    from fazhan.people.models import EDUCATION_RANK, Candidate, Person
    from fazhan.policy.calendar import add_months

    rng = Random(seed)
    district = Organization.objects.create(name="测试区委", kind=Kind.DISTRICT, code="B")
    branches: list[Organization] = []
    for s in range(SUBS):
        sub = Organization.objects.create(
            name=f"第{s}党委", kind=Kind.SUB, parent=district, code=f"B-{s:02d}", can_approve=True
        )
        for g in range(BRANCHES_PER_SUB // 4):
            general = Organization.objects.create(
                name=f"第{s}-{g}党总支", kind=Kind.GENERAL_BRANCH, parent=sub, code=f"B-{s:02d}-{g}"
            )
            for b in range(4):
                branches.append(
                    Organization.objects.create(
                        name=f"第{s}-{g}-{b}支部",
                        kind=Kind.BRANCH,
                        parent=general,
                        code=f"B-{s:02d}-{g}-{b}",
                    )
                )
    educations = list(EDUCATION_RANK)
    batch = 5000
    for first in range(0, size, batch):
        people: list[Person] = []
        files: list[dict[str, Any]] = []
        for _ in range(min(batch, size - first)):
            born = date(1965, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
            occupation = set(pick(rng, OCCUPATIONS).split("+"))
            education = rng.choice(educations)
            people.append(
                Person(
                    name="",
                    sex=rng.choice("FM"),
                    birth_date=born,
                    education=education,
                    occupations=sorted(occupation),
                    frontline=rng.random() < 0.6,
                    birth_year=born.year,
                    education_rank=EDUCATION_RANK[education],
                    occ_worker="worker" in occupation,
                    occ_farmer="farmer" in occupation,
                    occ_mgmt_tech_rich=bool(
                        occupation & {"manager", "technician", "rural_entrepreneur"}
                    ),
                    occ_student="student" in occupation,
                )
            )
            stage = pick(rng, STAGES)
            admitted = approved = None
            if stage in ("probationary", "member"):
                # Spread over nine years so that a year holds about a ninth of them.
                admitted = date(2018, 1, 1) + timedelta(days=rng.randint(0, 9 * 365 - 60))
                approved = admitted + timedelta(days=rng.randint(10, 85))
            files.append(
                {
                    "org": rng.choice(branches),
                    "stage": stage,
                    "admitted_on": admitted,
                    "approved_on": approved,
                    "le35": None if admitted is None else admitted < add_months(born, 432),
                    "le25": None if admitted is None else admitted < add_months(born, 312),
                }
            )
        saved = Person.objects.bulk_create(people, batch_size=batch)
        Candidate.objects.bulk_create(
            [
                Candidate(
                    person=person,
                    org=f["org"],
                    stage=f["stage"],
                    admitted_on=f["admitted_on"],
                    approved_on=f["approved_on"],
                    le35_at_admission=f["le35"],
                    le25_at_admission=f["le25"],
                )
                for person, f in zip(saved, files, strict=True)
            ],
            batch_size=batch,
        )
    return district.pk, list(Organization.objects.values_list("pk", flat=True))


def child(size: int, repeat: int, cache_mb: int) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="fazhan-bench-indicators-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fazhan.plans import indicators

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    district, _org_ids = load(size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if cache_mb:
            # SQLite's page cache (default 2 MB) for this connection; ORM and SQL alike.
            cursor.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
    loaded = time.perf_counter() - started
    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    from fazhan.orgs.models import Organization

    sub = Organization.objects.filter(parent_id=district).order_by("code").first()
    assert sub is not None
    sub_ids = sorted(Organization.objects.subtree_ids([sub.pk]))

    def hand(grouped: bool, ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        where = f"WHERE c.org_id IN ({', '.join(str(int(i)) for i in ids)})" if ids else ""
        sql = HAND_SQL.format(
            group_select="c.org_id," if grouped else "",
            # `+ 0`: group in a temporary B-tree after one scan rather than walk the org index
            # (the bare column is 2–3× slower on SQLite; the ORM groups the same way).
            group_by=f"{where} GROUP BY c.org_id + 0" if grouped else where,
        )
        params = [first, last] * 11
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    orm_district, sql_district, counts, row = paired_ms(
        lambda: indicators.indicator_counts(YEAR, None), lambda: hand(False), repeat
    )
    orm_grouped, sql_grouped, by_sub, rows = paired_ms(
        lambda: indicators.counts_by_child(YEAR, district), lambda: hand(True), repeat
    )
    orm_sub, sql_sub, sub_counts, sub_row = paired_ms(
        lambda: indicators.indicator_counts(YEAR, sub_ids), lambda: hand(False, sub_ids), repeat
    )
    # The same numbers both ways, or the comparison means nothing.
    assert [int(v or 0) for v in row[0]] == list(counts.as_dict().values()), (row, counts)
    assert indicators.add_counts(by_sub.values()) == counts
    assert sum(int(r[1] or 0) for r in rows) == counts.developed
    assert [int(v or 0) for v in sub_row[0]] == list(sub_counts.as_dict().values())
    assert by_sub[sub.pk] == sub_counts
    connection.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "size": size,
        "load_s": round(loaded, 1),
        "developed": counts.developed,
        "activists": counts.activists,
        "orm_district_ms": round(orm_district, 2),
        "sql_district_ms": round(sql_district, 2),
        "orm_grouped_ms": round(orm_grouped, 2),
        "sql_grouped_ms": round(sql_grouped, 2),
        "orm_sub_ms": round(orm_sub, 2),
        "sql_sub_ms": round(sql_sub, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,50000,500000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--cache-mb", type=int, default=0, help="SQLite page cache (default: the settings')"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat, args.cache_mb)))
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(size),
                "--repeat",
                str(args.repeat),
                "--cache-mb",
                str(args.cache_mb),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        f"{'candidates':>10} {'load s':>7} {'developed':>9} │ {'district ORM':>12} {'SQL':>9} "
        f"{'ratio':>6} │ {'all subs ORM':>12} {'SQL':>9} {'ratio':>6} │ {'one sub ORM':>11} "
        f"{'SQL':>9} {'ratio':>6} │ {'ms/1k':>6}"
    )
    for r in results:
        ratio_d = r["orm_district_ms"] / r["sql_district_ms"]
        ratio_g = r["orm_grouped_ms"] / r["sql_grouped_ms"]
        ratio_s = r["orm_sub_ms"] / r["sql_sub_ms"]
        per_k = r["orm_district_ms"] / (r["size"] / 1000)
        print(
            f"{r['size']:>10,} {r['load_s']:>7} {r['developed']:>9,} │ "
            f"{r['orm_district_ms']:>10.2f}ms {r['sql_district_ms']:>7.2f}ms {ratio_d:>5.2f}× │ "
            f"{r['orm_grouped_ms']:>10.2f}ms {r['sql_grouped_ms']:>7.2f}ms {ratio_g:>5.2f}× │ "
            f"{r['orm_sub_ms']:>9.2f}ms {r['sql_sub_ms']:>7.2f}ms {ratio_s:>5.2f}× │ "
            f"{per_k:>6.3f}"
        )
    for small, large in pairwise(results):
        for key, name in (("district", "district"), ("grouped", "all subs")):
            orm = large[f"orm_{key}_ms"] / small[f"orm_{key}_ms"]
            sql = large[f"sql_{key}_ms"] / small[f"sql_{key}_ms"]
            size = large["size"] / small["size"]
            print(
                f"growth {small['size']:,} → {large['size']:,} ({name}): size × {size:.0f}, "
                f"ORM time × {orm:.1f} ({orm / size:.2f} of linear), "
                f"SQL time × {sql:.1f} ({sql / size:.2f} of linear)"
            )


if __name__ == "__main__":
    main()
