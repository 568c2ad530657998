"""Benchmark of `fazhan report counts` (counts at a date, judged from the record) against one
hand-written SQL aggregate of the same numbers.

    .venv/bin/python bench/bench_report_counts.py [--sizes 2000,20000] [--repeat 3]
        [--engines sqlite,postgresql] [--keep DIR] [--postgres-url URL]

Issue 13's figures in one run: `--sizes 50000,500000 --engines sqlite,postgresql --keep DIR`
(PostgreSQL: a throwaway PostgreSQL 15 cluster started by scripts/pgcluster.py; sizes above
50,000 are 50,000 loaded files copied in SQL, see `replicate`).

For each size, a child process builds a throwaway SQLite database, migrates it, creates a district
of 18 sub-organizations with 4 branches each, and bulk-loads that many candidate files: people
with their derived columns, each file's chain events (clean-full.json's history moved to a random
date and cut at a random step, with the opening event naming its branch; contacts and
introducers without names), appended in batches as `append_events_bulk` does, and each file's
projection computed by the engine as at the load's day. Then it times, as the median of
`--repeat` runs after a warm-up:

- `report_counts(district, start, as_of)`: every file's record streamed and judged by
  fazhan.policy.counts, rolled up to the district and its 18 sub-organizations;
- the same numbers by hand-written SQL over the projected columns (COUNT(*) FILTER per key and a
  GROUP BY stage, grouped by organization and folded into the sub-organizations), which is only
  possible because `as_of` is the day the projection was computed: for any earlier day the
  projection no longer says what the files were, and the record has to be read.

It asserts that both give the same numbers and prints milliseconds, the ratio (the price of
judging the record rather than reading today's projection) and the time per 1,000 files.

And the district home page's figures (`_home_counts`, read from the per-subtree counts the
database keeps: fazhan.people.stagecounts) against the same figures by a hand-written aggregate
over the files (HOME_SQL, OVERDUE_SQL), asserting both agree.
Not a pytest file.
"""

from __future__ import annotations

import argparse
import copy
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
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBS = 18
BRANCHES_PER_SUB = 4
TODAY = date(2026, 11, 30)
CLEAN_S17 = date(2020, 7, 22)
# Where a file's history stops (clean-full.json's ids): applicant, activist, target,
# probationary (admitted, then approved) and member.
CUTS = [("e2", 0.10), ("e8", 0.50), ("e14", 0.08), ("e18", 0.03), ("e21", 0.12), ("e30", 0.17)]
# The full recount (the reference, the way before the summary) is timed once up to this size.
RECOUNT_UP_TO = 50_000
OCCUPATIONS = [["worker"], ["farmer"], ["farmer", "rural_entrepreneur"], ["manager"], ["student"]]

COUNTS_SQL = """
SELECT c.org_id + 0,
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
GROUP BY c.org_id + 0
"""
STAGES_SQL = "SELECT org_id + 0, stage, COUNT(*) FROM people_candidate GROUP BY org_id + 0, stage"
# The district home's figures by hand: files per organization, stage and sent out or not, with
# those that have a late and an irregular finding, folded into the sub-organizations in Python;
# and the files overdue on the day.
HOME_SQL = """
SELECT org_id + 0, stage, departed_on IS NOT NULL, COUNT(*),
  SUM(CASE WHEN lates > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN violations > 0 THEN 1 ELSE 0 END)
FROM people_candidate GROUP BY org_id + 0, stage, departed_on IS NOT NULL
"""
OVERDUE_SQL = "SELECT COUNT(*) FROM people_candidate WHERE next_due IS NOT NULL AND next_due < %s"


def pick(rng: Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def paired_ms(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[float, float, Any, Any]:
    """Medians of `first` and `second`, run alternately after a warm-up."""
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


def template() -> list[dict[str, Any]]:
    """clean-full.json's events, contacts and introducers without names (DESIGN principle 8)."""
    document = json.loads((ROOT / "examples" / "clean-full.json").read_text("utf-8"))
    events: list[dict[str, Any]] = document["events"]
    for event in events:
        for key in ("contacts", "introducers"):
            for item in event.get(key, []):
                item.pop("name", None)
    return events


def moved(events: list[dict[str, Any]], days: int, last: str) -> list[dict[str, Any]]:
    out = []
    for raw in events:
        event = copy.deepcopy(raw)
        for key in ("date", "end"):
            if key in event:
                event[key] = (date.fromisoformat(event[key]) + timedelta(days=days)).isoformat()
        for item in event.get("feedback", []):
            for key in ("date", "resolved"):
                item[key] = (date.fromisoformat(item[key]) + timedelta(days=days)).isoformat()
        if event["date"] > TODAY.isoformat():
            break
        out.append(event)
        if raw["id"] == last:
            break
    return out


def load(size: int, seed: int = 7) -> int:
    """The district, its tree and `size` files with their chain; returns the district's id."""
    from django.db import transaction

    from fazhan.audit.chain import NewEvent, append_events_bulk
    from fazhan.orgs.models import Kind, Organization
    from fazhan.people.models import EDUCATION_RANK, Candidate, Person
    from fazhan.people.record import apply_projection
    from fazhan.policy.engine import evaluate
    from fazhan.policy.parse import parse_document

    rng = Random(seed)
    district = Organization.objects.create(name="测试区委", kind=Kind.DISTRICT, code="B")
    branches: list[Organization] = []
    for s in range(SUBS):
        sub = Organization.objects.create(
            name=f"第{s}党委", kind=Kind.SUB, parent=district, code=f"B-{s:02d}", can_approve=True
        )
        for b in range(BRANCHES_PER_SUB):
            branches.append(
                Organization.objects.create(
                    name=f"第{s}-{b}支部", kind=Kind.BRANCH, parent=sub, code=f"B-{s:02d}-{b}"
                )
            )
    events = template()
    educations = list(EDUCATION_RANK)
    batch = 2000
    for first in range(0, size, batch):
        people: list[Person] = []
        files: list[tuple[Organization, list[dict[str, Any]]]] = []
        for _ in range(min(batch, size - first)):
            born = date(1970, 1, 1) + timedelta(days=rng.randint(0, 35 * 365))
            person = Person(
                name="",
                sex=rng.choice("FM"),
                birth_date=born,
                education=rng.choice(educations),
                occupations=rng.choice(OCCUPATIONS),
                frontline=rng.random() < 0.6,
            )
            person.fill_derived()
            people.append(person)
            # The S17 lands anywhere from 2019 to the load's day: about a seventh in each year.
            days = (date(2019, 1, 1) - CLEAN_S17).days + rng.randint(0, 2890)
            files.append((rng.choice(branches), moved(events, days, pick(rng, CUTS))))
        with transaction.atomic():
            saved = Person.objects.bulk_create(people, batch_size=batch)
            candidates = []
            for person, (org, history) in zip(saved, files, strict=True):
                candidate = Candidate(person=person, org=org)
                document = {
                    "format": "fazhan-candidate-file/1",
                    "person": {"sex": person.sex, "birth_date": person.birth_date.isoformat()},
                    "events": history,
                }
                apply_projection(candidate, evaluate(parse_document(document), as_of=TODAY), None)
                candidates.append(candidate)
            created = Candidate.objects.bulk_create(candidates, batch_size=batch)
            append_events_bulk(
                NewEvent(kind, candidate.pk, day, payload)
                for candidate, (org, history) in zip(created, files, strict=True)
                for kind, day, payload in [
                    ("candidate.opened", TODAY, {"org_id": org.pk, "mode": "past"}),
                    *(
                        (
                            e["type"],
                            date.fromisoformat(e["date"]),
                            {k: v for k, v in e.items() if k not in ("id", "type", "date")},
                        )
                        for e in history
                    ),
                ]
            )
    return int(district.pk)


def _postgres_database(url: str, name: str) -> str:
    """The URL of database `name` on the cluster of `url`, created if missing."""
    import psycopg

    base = url.replace("/postgres?", f"/{name}?")
    params = url.split("?", 1)[1]
    host = params.split("host=", 1)[1].split("&", 1)[0]
    with psycopg.connect(host=host, user="postgres", dbname="postgres", autocommit=True) as pg:
        if not pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            pg.execute(f'CREATE DATABASE "{name}"')
    return base


def replicate(copies: int) -> None:
    """Multiply the loaded files `copies` times in SQL (people, files and their summary rows,
    copied with their ids shifted): a large district in seconds where loading each file through
    the engine would take hours on a small machine. The copies have the loaded files' record
    shape and distribution, but no chain events of their own: what `report_counts` and the hand
    SQL read (the summary, the projected columns) is complete; the full recount is not run."""
    from django.db import connection

    from fazhan.people.models import Candidate, CountSpan, Person

    def columns(model: Any) -> list[str]:
        return [field.column for field in model._meta.concrete_fields]

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Person._meta.db_table}")
        people = int(cursor.fetchone()[0])
        cursor.execute(f"SELECT MAX(id) FROM {Candidate._meta.db_table}")
        files = int(cursor.fetchone()[0])
        span_columns = [c for c in columns(CountSpan) if c != "id"]
        for copy_number in range(1, copies):
            shift = {"people": people * copy_number, "files": files * copy_number}
            for model, moved_columns, original in [
                (Person, {"id": "people"}, f"id <= {people}"),
                (Candidate, {"id": "files", "person_id": "people"}, f"id <= {files}"),
                (CountSpan, {"candidate_id": "files"}, f"candidate_id <= {files}"),
            ]:
                names = span_columns if model is CountSpan else columns(model)
                selected = [
                    f"{quote(c)} + {shift[moved_columns[c]]}" if c in moved_columns else quote(c)
                    for c in names
                ]
                table = model._meta.db_table
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(quote(c) for c in names)}) "
                    f"SELECT {', '.join(selected)} FROM {table} WHERE {original}"
                )


# Files loaded one by one (through the engine, with their chain) at most; a larger size is
# this many loaded and copied by `replicate`.
LOAD_AT_MOST = 50_000


def child(size: int, repeat: int, keep: str | None, postgres: str | None) -> dict[str, Any]:
    """Load (or reuse, with --keep) a database of `size` files and time both ways on it."""
    folder = keep or tempfile.mkdtemp(prefix="fazhan-bench-report-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    engine = "postgresql" if postgres else "sqlite"
    done = Path(folder) / f"report-{engine}-{size}.done"
    copies = max(1, size // LOAD_AT_MOST)
    loaded_base = Path(folder) / f"report-{size // copies}.sqlite3"
    base_done = Path(folder) / f"report-{engine}-{size // copies}.done"
    if postgres:
        os.environ["DATABASE_URL"] = _postgres_database(postgres, f"bench_{size}")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/report-{size}.sqlite3"
        if keep and copies > 1 and base_done.exists() and not done.exists():
            # The loaded size kept by an earlier run: copied, then multiplied below.
            shutil.copyfile(loaded_base, Path(folder) / f"report-{size}.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fazhan.orgs.models import Organization
    from fazhan.people.counts import recount_counts, report_counts
    from fazhan.people.models import CountSpan
    from fazhan.people.summary import rebuild_summary
    from fazhan.policy.targets import COUNT_KEYS

    loaded = summarized = 0.0
    span_rows = 0
    call_command("migrate", verbosity=0)
    if keep and done.exists() and Organization.objects.filter(code="B").exists():
        # A database this script loaded and summarized before (--keep): measured again as it is.
        district_id = Organization.objects.get(code="B").pk
        span_rows = int(done.read_text() or 0)
    else:
        started = time.perf_counter()
        copied = Organization.objects.filter(code="B").first()
        district_id = copied.pk if copied else load(size // copies)
        loaded = time.perf_counter() - started
        # The load bypasses the projection (as a restore would): the summary is built from
        # scratch, as `fazhan summarize` does.
        started = time.perf_counter()
        if copied is None:
            _files, span_rows = rebuild_summary()
        if copies > 1:
            with transaction.atomic():
                replicate(copies)
            span_rows = CountSpan.objects.count()
        summarized = time.perf_counter() - started
        if keep:
            done.write_text(str(span_rows))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    district = Organization.objects.get(pk=district_id)
    start, as_of = date(TODAY.year, 1, 1), TODAY
    sub_of = dict(Organization.objects.filter(kind="branch").values_list("pk", "parent_id"))
    sub_of.update(
        {pk: pk for pk in Organization.objects.filter(parent=district).values_list("pk", flat=True)}
    )

    def hand() -> dict[int | None, dict[str, Any]]:
        """(counts, stages) per sub-organization and for the district (key None)."""
        out: dict[int | None, dict[str, Any]] = {}

        def part(key: int | None) -> dict[str, Any]:
            return out.setdefault(key, {"counts": [0] * 12, "stages": {}})

        with connection.cursor() as cursor:
            cursor.execute(COUNTS_SQL, [start, as_of] * 11)
            for org, *values in cursor.fetchall():
                for key in (None, sub_of[org]):
                    target = part(key)["counts"]
                    for index, value in enumerate(values):
                        target[index] += int(value or 0)
            cursor.execute(STAGES_SQL)
            for org, stage, number in cursor.fetchall():
                for key in (None, sub_of[org]):
                    stages = part(key)["stages"]
                    stages[stage] = stages.get(stage, 0) + number
        return out

    ours_ms, sql_ms, report, sql = paired_ms(
        lambda: report_counts(district, start=start, as_of=as_of), hand, repeat
    )
    home_ms, home_sql_ms = home_figures(district, sub_of, as_of, repeat)
    # CPU time of one run: what the machine's other load does not inflate.
    cpu = time.process_time()
    report_counts(district, start=start, as_of=as_of)
    cpu_ms = (time.process_time() - cpu) * 1000
    # The reference (every file judged again), once, where it takes no more than minutes.
    recount_ms = None
    if size <= min(RECOUNT_UP_TO, LOAD_AT_MOST):
        began = time.perf_counter()
        slow = recount_counts(district, start=start, as_of=as_of)
        recount_ms = (time.perf_counter() - began) * 1000
        assert slow.as_json() == report.as_json()
    # The same numbers both ways, or the comparison means nothing.
    for item, key in [(report.root, None), *((c, c.org.pk) for c in report.children)]:
        assert [item.counts[k] for k in COUNT_KEYS] == sql[key]["counts"], (item, sql[key])
        assert {k: v for k, v in item.stages.items() if v} == sql[key]["stages"]
    connection.close()
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "engine": engine,
        "size": size,
        "load_s": round(loaded, 1),
        "summarize_s": round(summarized, 1),
        "span_rows": span_rows,
        "recount_ms": None if recount_ms is None else round(recount_ms, 1),
        "developed": report.root.counts.developed,
        "activists": report.root.counts.activists,
        "report_ms": round(ours_ms, 1),
        "report_cpu_ms": round(cpu_ms, 1),
        "sql_ms": round(sql_ms, 2),
        "home_ms": round(home_ms, 2),
        "home_sql_ms": round(home_sql_ms, 2),
    }


def home_figures(
    district: Any, sub_of: dict[int, int], as_of: date, repeat: int
) -> tuple[float, float]:
    """The district home's figures (`fazhan.web.views._home_counts`: stage cards, total, was
    late, irregular, overdue, each sub-organization's row) as district staff sees them, against
    the same numbers by hand-written SQL over the files; asserts both agree."""
    from django.db import connection

    from fazhan.accounts.authority import roles_read_once
    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.people.models import Stage
    from fazhan.web.views import _home_counts

    user, _ = User.objects.get_or_create(username="bench-home")
    Role.objects.get_or_create(user=user, org=district, kind=RoleKind.DISTRICT_STAFF, active=True)
    order = [value for value, _ in Stage.choices]

    def ours() -> dict[str, Any]:
        with roles_read_once():  # as a GET runs it
            figures = _home_counts(user, as_of)
        return {
            "cards": {s["value"]: s["n"] for s in figures["stages"]},
            "total": figures["total"],
            "late": figures["with_lates"],
            "irregular": figures["with_violations"],
            "overdue": figures["overdue_count"],
            "subs": {
                row["org"].pk: dict(zip(order, row["counts"], strict=True))
                for row in figures["by_child"]
            },
        }

    def hand() -> dict[str, Any]:
        out: dict[str, Any] = {
            "cards": dict.fromkeys(order, 0),
            "total": 0,
            "late": 0,
            "irregular": 0,
            "subs": {pk: dict.fromkeys(order, 0) for pk in set(sub_of.values())},
        }
        with connection.cursor() as cursor:
            cursor.execute(HOME_SQL)
            for org, stage, departed, n, late, irregular in cursor.fetchall():
                out["total"] += n
                out["late"] += int(late or 0)
                out["irregular"] += int(irregular or 0)
                if not departed:
                    out["cards"][stage] += n
                out["subs"][sub_of[org]][stage] += n
            cursor.execute(OVERDUE_SQL, [as_of])
            out["overdue"] = cursor.fetchone()[0]
        return out

    ours_ms, sql_ms, mine, theirs = paired_ms(ours, hand, max(repeat, 5))
    assert mine == theirs, (mine, theirs)
    return ours_ms, sql_ms


def _row(r: dict[str, Any]) -> str:
    ratio = r["report_ms"] / r["sql_ms"]
    recount = "—" if r["recount_ms"] is None else f"{r['recount_ms']:.0f}ms"
    return (
        f"{r['engine']:<10} {r['size']:>8,} {r['load_s']:>7} {r['summarize_s']:>7} "
        f"{r['span_rows']:>9,} {r['developed']:>9,} {r['activists']:>9,} │ "
        f"{r['report_ms']:>11.1f}ms {r['sql_ms']:>7.2f}ms {ratio:>6.2f}× │ {recount:>10} │ "
        f"{r['report_ms'] / (r['size'] / 1000):>11.1f} "
        f"{r['report_cpu_ms'] / (r['size'] / 1000):>9.1f}\n"
        f"{'':<10} {'':>8} district home figures {r['home_ms']:.2f}ms, by hand-written SQL "
        f"{r['home_sql_ms']:.2f}ms: {r['home_ms'] / r['home_sql_ms']:.2f}×"
    )


HEADER = (
    f"{'engine':<10} {'files':>8} {'load s':>7} {'summ. s':>7} {'rows':>9} {'developed':>9} "
    f"{'activists':>9} │ {'report counts':>13} {'SQL':>9} {'ratio':>7} │ "
    f"{'recount':>10} │ {'ms/1k files':>11} {'CPU ms/1k':>9}"
)


def run_sizes(sizes: list[int], repeat: int, keep: str | None, postgres: str | None) -> None:
    for size in sizes:
        command = [sys.executable, __file__, "--child", str(size), "--repeat", str(repeat)]
        if keep:
            command += ["--keep", keep]
        if postgres:
            command += ["--postgres-url", postgres]
        out = subprocess.run(command, check=False, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"size {size} failed:\n{out.stderr}")
        print(_row(json.loads(out.stdout.strip().splitlines()[-1])), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--engines",
        default="sqlite",
        help="sqlite, postgresql or both (sqlite,postgresql): PostgreSQL is a throwaway "
        "PostgreSQL 15 cluster started by scripts/pgcluster.py (or --postgres-url)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep each loaded SQLite database in DIR and reuse it on the next run",
    )
    parser.add_argument("--postgres-url", help="an existing cluster's postgres database URL")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat, args.keep, args.postgres_url)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    print(HEADER, flush=True)
    if "sqlite" in engines:
        run_sizes(sizes, args.repeat, args.keep, None)
    if "postgresql" in engines:
        if args.postgres_url:
            run_sizes(sizes, args.repeat, args.keep, args.postgres_url)
            return
        sys.path.insert(0, str(ROOT / "scripts"))
        import pgcluster

        if not pgcluster.available():
            print("postgresql  — PostgreSQL 15 binaries not found (install postgresql-15)")
            return
        with pgcluster.cluster() as url:
            # The cluster is thrown away afterwards: nothing to keep on its side.
            run_sizes(sizes, args.repeat, None, url)


if __name__ == "__main__":
    main()
