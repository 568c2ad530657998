"""Benchmark of in-room electronic ballots and of the result sheet.

    .venv/bin/python bench/bench_ballots.py [--voters 200] [--window 30] [--concurrency 32]

Builds a throwaway SQLite database (a branch of N voting members, two candidates ready for their
admission vote, a meeting opened with everyone present), prints N one-time codes per motion,
starts `runserver` on loopback in a child process, and has a bounded Python client (a thread pool
of at most `--concurrency` workers, urllib, one POST per voter, no retries) cast the ballots:

- "arrivals": the N voters reach the kiosk at random moments spread over `--window` seconds (the
  room: a queue at one or a few devices, or phones), the target scenario: 200 voters within 60 s;
- "burst": all N at once, as fast as the pool allows (the worst case the room could produce).

For each: p50/p95/max latency, errors (anything but a 200 page saying the ballot was recorded),
total time, the client's CPU (user+sys seconds of this process during the run, as a share of one
core and of the machine) and the server's. Then the motion is closed through the actions (tally
event, S15) and its tally checked against what the client sent, and the result sheet PDF for that
vote (N ballots) is rendered several times: the first render pays WeasyPrint's import and font
loading. Targets (background §A.6 A7, C11): p95 under 500 ms, no failed ballot, sheet under 2 s.

Not a pytest file; nothing here is collected by the test command.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ACCEPTED = "您的表决已记录".encode()
CHOICES = ("for", "against", "abstain")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(voters: int) -> dict[str, Any]:
    """The branch, three accounts, two candidates with their files bulk-loaded, an open meeting."""
    from django.db import transaction
    from django.utils import timezone

    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.audit.chain import NewEvent, append_events_bulk
    from fazhan.meetings import actions as act
    from fazhan.orgs.models import Kind, Member, Organization
    from fazhan.people.actions import do_create_candidate
    from fazhan.people.record import project

    today = timezone.localdate()
    district = Organization.objects.create(name="基准区委", kind=Kind.DISTRICT, code="B")
    sub = Organization.objects.create(
        name="基准党委", kind=Kind.SUB, code="B-1", parent=district, can_approve=True
    )
    branch = Organization.objects.create(
        name="基准党支部", kind=Kind.BRANCH, code="B-1-1", parent=sub
    )
    users = []
    for name in ("secretary", "teller", "monitor"):
        user = User.objects.create(username=name, display_name=name)
        Role.objects.create(user=user, org=branch, kind=RoleKind.BRANCH_SECRETARY)
        users.append(user)
    members = Member.objects.bulk_create(
        [Member(org=branch, name=f"党员{i:03d}") for i in range(voters)]
    )

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    candidates = []
    for n in range(2):
        candidate = do_create_candidate(
            users[0], org=branch, name=f"对象{n}", sex="F", birth_date=date(1998, 1, 1)
        )
        steps: list[tuple[str, int, dict[str, Any]]] = [
            ("S01", 820, {}),
            ("S02", 810, {}),
            ("N-ACT", 800, {"end": ago(786).isoformat()}),
            ("S03", 780, {"nomination": "member"}),
            ("S04", 775, {}),
            ("S05", 775, {"contacts": [members[0].snapshot()]}),
            ("N-TGT", 400, {"end": ago(386).isoformat()}),
            ("S07", 380, {}),
            ("S08", 375, {}),
            ("S09", 370, {"introducers": [members[0].snapshot(), members[1].snapshot()]}),
            ("S10", 360, {"result": "pass"}),
            ("S11", 350, {"days": 3, "hours": 24}),
            ("S12", 60, {}),
            ("S13", 50, {"result": "pass"}),
            ("S14", 40, {}),
        ]
        with transaction.atomic():
            append_events_bulk(
                NewEvent(kind, candidate.pk, ago(days), payload | {"mode": "past"}, users[0].pk)
                for kind, days, payload in steps
            )
            project(candidate)
        candidates.append(candidate)
    meeting = act.do_create_meeting(users[0], org=branch, held_on=today)
    act.do_set_roll_call(users[0], meeting, present_ids=[m.pk for m in members])
    items = [
        act.do_add_item(users[0], meeting, candidate=c, kind="admission", electronic=True)
        for c in candidates
    ]
    act.do_open_meeting(users[0], meeting)
    return {"users": users, "meeting": meeting, "items": items}


def start_voting(users: list[Any], item: Any, voters: int) -> list[str]:
    from fazhan.meetings import actions as act

    act.do_start_voting(users[0], item)
    return act.do_issue_codes(users[0], item, count=voters)


def close(users: list[Any], item: Any, voters: int) -> tuple[Any, float]:
    from fazhan.meetings import actions as act

    act.do_end_balloting(users[0], item)
    zero = {"issued": 0, "returned": 0, "valid": 0, "invalid": 0}
    zero |= {"votes_for": 0, "against": 0, "abstain": 0}
    act.do_enter_count(users[0], item, **zero, e_issued=voters)
    act.do_enter_count(users[1], item, **zero, e_issued=voters)
    act.do_confirm_count(users[2], item)
    started = time.perf_counter()
    closed = act.do_close_item(users[0], item)
    return closed, time.perf_counter() - started


# -- the server --------------------------------------------------------------------------------


def start_server(database: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "fazhan.settings",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/meetings/vote/", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not start; see {log}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# -- the client --------------------------------------------------------------------------------


def cast_all(
    url: str, codes: list[str], window: float, concurrency: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    plan = sorted((rng.uniform(0, window), code, rng.choice(CHOICES)) for code in codes)
    latencies: list[float] = []
    sent: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    t0 = time.perf_counter()

    def one(at: float, code: str, choice: str) -> None:
        delay = at - (time.perf_counter() - t0)
        if delay > 0:
            time.sleep(delay)
        body = urllib.parse.urlencode({"code": code, "choice": choice}).encode()
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, data=body, timeout=30) as response:
                ok = response.status == 200 and ACCEPTED in response.read()
                problem = "" if ok else f"HTTP {response.status} without confirmation"
        except Exception as error:  # every failure counts, whatever it is
            ok, problem = False, f"{type(error).__name__}: {error}"
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if ok:
                sent[choice] += 1
            else:
                errors.append(problem)

    before = resource.getrusage(resource.RUSAGE_SELF)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for at, code, choice in plan:
            pool.submit(one, at, code, choice)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ordered = sorted(latencies)
    return {
        "ballots": len(codes),
        "ok": sum(sent.values()),
        "errors": len(errors),
        "error_samples": errors[:3],
        "wall_s": wall,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)],
        "max_ms": 1000 * ordered[-1],
        "client_cpu_s": cpu,
        "client_cpu_share_one_core": cpu / wall,
        "client_cpu_share_machine": cpu / wall / (os.cpu_count() or 1),
        "sent": dict(sent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--window", type=float, default=30.0, help="arrivals spread (s)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads at most")
    # runserver listens with a backlog of 10: more simultaneous connects than that are reset by
    # the kernel before Django sees them (a production server sets its own backlog).
    parser.add_argument("--burst-concurrency", type=int, default=8)
    parser.add_argument("--sheets", type=int, default=5, help="result-sheet renders")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the database and server log")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhan-bench-ballots-"))
    database = workdir / "bench.sqlite3"
    started = time.perf_counter()
    setup_django(database)
    built = build(args.voters)
    users, items = built["users"], built["items"]
    print(f"set-up: {args.voters} members, 2 motions, {time.perf_counter() - started:.1f} s")

    port = free_port()
    url = f"http://127.0.0.1:{port}/meetings/vote/"
    results: dict[str, Any] = {"voters": args.voters, "concurrency": args.concurrency}
    server = start_server(database, port, workdir / "server.log")
    try:
        for name, item, window, threads in (
            ("arrivals", items[0], args.window, args.concurrency),
            ("burst", items[1], 0.0, args.burst_concurrency),
        ):
            codes = start_voting(users, item, args.voters)
            server_before = cpu_seconds(server.pid)
            run = cast_all(url, codes, window, threads, args.seed)
            run["threads"] = threads
            run["server_cpu_s"] = cpu_seconds(server.pid) - server_before
            run["window_s"] = window
            closed, close_s = close(users, item, args.voters)
            tally = closed.tally
            run["close_s"] = close_s
            run["tally_matches"] = (
                tally["e_for"] == run["sent"].get("for", 0)
                and tally["e_against"] == run["sent"].get("against", 0)
                and tally["e_abstain"] == run["sent"].get("abstain", 0)
                and tally["e_cast"] == run["ok"]
            )
            results[name] = run
    finally:
        server.terminate()
        server.wait(timeout=10)

    from fazhan.audit.chain import verify_chain
    from fazhan.meetings.models import AgendaItem
    from fazhan.meetings.sheet import sheet_pdf

    item = AgendaItem.objects.select_related("meeting__org", "candidate__person").get(
        pk=items[0].pk
    )
    renders = []
    for _ in range(args.sheets):
        t = time.perf_counter()
        pdf = sheet_pdf(item)
        renders.append(time.perf_counter() - t)
    results["sheet"] = {
        "ballots": item.tally["e_cast"],
        "first_s": renders[0],
        "warm_median_s": statistics.median(renders[1:]) if len(renders) > 1 else renders[0],
        "max_s": max(renders),
        "bytes": len(pdf),
    }
    t = time.perf_counter()
    verified = verify_chain()
    results["verify"] = {
        "ok": verified.ok,
        "events": verified.events,
        "seconds": time.perf_counter() - t,
    }

    for name in ("arrivals", "burst"):
        r = results[name]
        print(
            f"{name:8s} {r['ok']}/{r['ballots']} ok, {r['errors']} errors in {r['wall_s']:.1f} s "
            f"(window {r['window_s']:.0f} s, ≤{r['threads']} threads): "
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms; "
            f"client CPU {r['client_cpu_s']:.2f} s = {100 * r['client_cpu_share_one_core']:.1f}% "
            f"of a core ({100 * r['client_cpu_share_machine']:.1f}% of {os.cpu_count()}); "
            f"server CPU {r['server_cpu_s']:.2f} s; close {1000 * r['close_s']:.0f} ms; "
            f"tally matches: {r['tally_matches']}"
        )
        if r["error_samples"]:
            print("   e.g.", r["error_samples"])
    s = results["sheet"]
    print(
        f"sheet    PDF for {s['ballots']} ballots: first {s['first_s']:.2f} s, "
        f"then {s['warm_median_s']:.2f} s (max {s['max_s']:.2f} s), {s['bytes']} bytes"
    )
    print(
        f"verify   {results['verify']['events']} events ok={results['verify']['ok']} "
        f"in {results['verify']['seconds']:.2f} s"
    )
    target = (
        results["arrivals"]["p95_ms"] < 500
        and results["arrivals"]["errors"] == 0
        and results["arrivals"]["wall_s"] <= 60
        and s["max_s"] < 2
        and all(results[n]["tally_matches"] for n in ("arrivals", "burst"))
    )
    print(
        f"targets  (p95 < 500 ms, no error, within 60 s, sheet < 2 s): "
        f"{'met' if target else 'NOT met'}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
