"""The home page, the candidate list and the candidate page at city size (50,000 candidates),
against a minimal signed-in Django view on the same database in the same run: queries per page
and median time. Each page and the minimal view are requested in turn, one of each at a time, so
that whatever else the machine runs weighs on both alike.

Run: .venv/bin/python bench/bench_pages.py [CANDIDATES] [--keep DIR]

A throwaway SQLite file in /tmp, or with --keep the file DIR/pages-CANDIDATES.sqlite3, loaded on
the first run and reused by the next ones (the load takes minutes at 50,000). The district home
page's target is 20× the minimal view at most (issue 13 item 5).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
KEEP = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
SIZE = int(next((a for a in ARGS if a != KEEP), "50000"))
if KEEP:
    Path(KEEP).mkdir(parents=True, exist_ok=True)
    DB = Path(KEEP) / f"pages-{SIZE}.sqlite3"
else:
    DB = Path(tempfile.mkdtemp(prefix="fazhan-bench-")) / "city.sqlite3"
FRESH = not DB.exists()
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

from bench import citysize  # noqa: E402
from fazhan.people.models import Candidate  # noqa: E402


def minimal(request: HttpRequest) -> HttpResponse:
    """The baseline: a signed-in Django view that reads one row."""
    first = Candidate.objects.values_list("pk", flat=True).first()
    return HttpResponse(f"ok {first}")


class QueryCounter:
    """Counts every query through an execute wrapper (the test client resets queries_log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def measure(client: Client, url: str, runs: int = 30) -> tuple[float, int, float]:
    """Median wall time (ms), queries, and median CPU time of this process (ms: SQLite runs in
    it, so this is the page's own work without the waits a loaded machine adds)."""
    client.get(url)  # warm
    times = []
    cpu = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, counter.count, statistics.median(cpu) * 1000


def paired(
    client: Client, url: str, baseline: Client, runs: int = 30
) -> tuple[float, float, int, float, float]:
    """The page and the baseline requested in turn, one of each at a time, so that the machine's
    other load weighs on both alike: medians (ms) of the page's wall time and the baseline's,
    the page's queries, and the medians of both CPU times."""
    _, queries, _ = measure(client, url, runs=1)  # warms it and counts its queries
    measure(baseline, "/bench-minimal/", runs=1)
    walls: dict[str, list[float]] = {"page": [], "base": []}
    cpus: dict[str, list[float]] = {"page": [], "base": []}
    for _ in range(runs):
        for key, who, where in (("base", baseline, "/bench-minimal/"), ("page", client, url)):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = who.get(where)
            walls[key].append(time.perf_counter() - started)
            cpus[key].append(time.process_time() - started_cpu)
            assert response.status_code == 200, (where, response.status_code)
    return (
        statistics.median(walls["page"]) * 1000,
        statistics.median(walls["base"]) * 1000,
        queries,
        statistics.median(cpus["page"]) * 1000,
        statistics.median(cpus["base"]) * 1000,
    )


def report(label: str, figures: tuple[float, float, int, float, float]) -> None:
    wall, base, queries, cpu, base_cpu = figures
    print(
        f"{label:<28} {wall:8.1f} ms median  {queries:3d} queries  {wall / base:6.1f}×"
        f"   CPU {cpu:7.1f} ms {cpu / base_cpu:6.1f}×   (baseline {base:.1f} ms, CPU "
        f"{base_cpu:.1f} ms)"
    )


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    if FRESH:
        print("loaded", citysize.load(count))
    else:
        print("reused", DB, Candidate.objects.count(), "candidates")
    from fazhan import urls

    urls.urlpatterns.insert(0, path("bench-minimal/", minimal))
    from django.urls import clear_url_caches

    clear_url_caches()
    from django.conf import settings

    from fazhan.accounts.models import User

    # The pages' own work, not the sign-in: a session past the second factor, signed in without
    # the password check (django-axes counts client.login's attempts without a request).
    settings.FAZHAN_SECOND_FACTOR = False
    client = Client()
    client.force_login(User.objects.get(username="qu"))
    some = Candidate.objects.order_by("pk")[count // 2]
    pages = {
        "minimal view (itself)": "/bench-minimal/",
        "home page": "/",
        "candidate list": "/candidates/",
        "candidate list, page 50": "/candidates/?page=50",
        "candidate list, overdue": "/candidates/?show=overdue",
        "candidate list, search": "/candidates/?q=hxr",
        "candidate page": f"/candidates/{some.pk}/",
    }
    # Each page against the minimal view measured in turn with it (`paired`).
    for label, url in pages.items():
        report(label, paired(client, url, client))
    small = Candidate.objects.filter(org__code="S0B0").first()
    if small is not None:
        zhibu = Client()
        zhibu.force_login(User.objects.get(username="zhibu"))
        for label, url in {
            "branch list": "/candidates/",
            "branch page": f"/candidates/{small.pk}/",
        }.items():
            report(label, paired(zhibu, url, client))


if __name__ == "__main__":
    main(SIZE)
