"""Benchmark of the hash chain: appending, bulk loading and verifying, each against a baseline.

    .venv/bin/python bench/bench_chain.py [--candidates 50000] [--per-candidate 25] [--sample 5000]

Builds a throwaway SQLite database (and, when DATABASE_URL names a PostgreSQL server, a throwaway
database on it, dropped afterwards), bulk-loads candidates x events through `append_events_bulk`,
and prints events per second for:

- `append_event` one by one, each in its own transaction (a sample, on top of the loaded chain),
  against the same rows inserted one by one into a plain table with the same content columns and
  index but no hashing, head or triggers;
- the bulk load, against `bulk_create` of the same rows into the plain table;
- `verify_chain` over the whole chain, against a plain loop in Python (canonical encoding and
  SHA-256 of the same rows, no database), and against only reading the rows (no hashing).

Not a pytest file (the name does not match `test_*.py`); each database runs in a child process
so that Django is configured once per database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = datetime(2020, 1, 6, 1, 0, tzinfo=UTC)
KINDS = [f"S{step:02d}" for step in range(1, 26)]


def rows(candidates: int, per_candidate: int, first_candidate: int = 1) -> Iterator[dict[str, Any]]:
    """Synthetic events in a plausible order: each step across all candidates, then the next."""
    seconds = 0
    for step in range(per_candidate):
        for candidate in range(first_candidate, first_candidate + candidates):
            seconds += 1
            yield {
                "kind": KINDS[step % len(KINDS)],
                "candidate_id": candidate,
                "happened_on": date(2020, 1, 1) + timedelta(days=30 * step + candidate % 28),
                "recorded_at": T0 + timedelta(seconds=seconds, microseconds=candidate % 997),
                "recorded_by_id": 1000 + candidate % 300,
                "payload": {"org_id": candidate % 400, "step": step + 1, "meeting_id": candidate},
            }


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def child(url: str, candidates: int, per_candidate: int, sample: int) -> dict[str, Any]:
    """Run every measurement on the database `url`; return the figures."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, models, transaction

    from fazhan.audit.chain import (
        GENESIS_HASH,
        NewEvent,
        append_event,
        append_events_bulk,
        canonical_bytes,
        verify_chain,
    )
    from fazhan.audit.models import Event

    call_command("migrate", "audit", verbosity=0)

    class PlainEvent(models.Model):
        # The baseline: the same content columns and index, no chain.
        seq = models.BigAutoField(primary_key=True)
        candidate_id = models.BigIntegerField(null=True)
        kind = models.CharField(max_length=64)
        happened_on = models.DateField(null=True)
        recorded_at = models.DateTimeField()
        recorded_by_id = models.BigIntegerField(null=True)
        payload = models.JSONField(default=dict)

        class Meta:
            app_label = "audit"
            db_table = "bench_plain_event"
            indexes = (models.Index(fields=("candidate_id", "seq"), name="bench_plain_cand_seq"),)

        def __str__(self) -> str:
            return f"#{self.seq}"

    plain = PlainEvent._default_manager

    with connection.schema_editor() as editor:
        editor.create_model(PlainEvent)

    total = candidates * per_candidate
    out: dict[str, Any] = {"vendor": connection.vendor, "loaded": total, "sample": sample}

    started = time.perf_counter()
    with transaction.atomic():
        append_events_bulk(NewEvent(**row) for row in rows(candidates, per_candidate))
    out["bulk_chain"] = rate(total, time.perf_counter() - started)

    started = time.perf_counter()
    batch: list[PlainEvent] = []
    with transaction.atomic():
        for row in rows(candidates, per_candidate):
            batch.append(PlainEvent(**row))
            if len(batch) == 2000:
                plain.bulk_create(batch)
                batch = []
        plain.bulk_create(batch)
    out["bulk_plain"] = rate(total, time.perf_counter() - started)

    extra = list(rows(sample, 1, first_candidate=candidates + 1))
    started = time.perf_counter()
    for row in extra:
        with transaction.atomic():
            append_event(**row)
    out["append_chain"] = rate(sample, time.perf_counter() - started)

    started = time.perf_counter()
    for row in extra:
        with transaction.atomic():
            plain.create(**row)
    out["append_plain"] = rate(sample, time.perf_counter() - started)

    started = time.perf_counter()
    result = verify_chain()
    out["verify"] = rate(result.events, time.perf_counter() - started)
    out["verified_ok"] = result.ok
    out["verified_events"] = result.events

    started = time.perf_counter()
    read = 0
    columns = ("seq", "prev_hash", "hash", "candidate_id", "kind", "happened_on", "recorded_at")
    queryset = Event.objects.order_by("seq").values_list(*columns, "recorded_by_id", "payload")
    for _row in queryset.iterator(chunk_size=5000):
        read += 1
    out["read_only"] = rate(read, time.perf_counter() - started)

    started = time.perf_counter()
    prev, count = GENESIS_HASH, 0
    for seq, row in enumerate(rows(candidates, per_candidate), start=1):
        prev = hashlib.sha256(canonical_bytes(seq=seq, prev_hash=prev, **row)).hexdigest()
        count += 1
    out["hash_loop"] = rate(count, time.perf_counter() - started)
    return out


def throwaway_postgres(url: str) -> tuple[str, str]:
    """Create an empty database next to the one `url` names; return its URL and name."""
    import psycopg

    name = f"fazhan_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(url)._replace(path=f"/{name}")), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _libpq(url: str) -> str:
    # libpq takes postgresql:// URIs, including ?host=/socket/dir.
    return "postgresql" + url[url.index(":") :]


def run_child(url: str, options: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        url,
        "--candidates",
        str(options.candidates),
        "--per-candidate",
        str(options.per_candidate),
        "--sample",
        str(options.sample),
    ]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark on {url} failed")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - started
    return figures


def report(figures: dict[str, Any]) -> None:
    print(
        f"\n== {figures['vendor']}: {figures['loaded']:,} events bulk-loaded, "
        f"then {figures['sample']:,} appended one by one ({figures['wall']:.0f} s in all)"
    )
    lines = [
        ("append_event, one per transaction", "append_chain"),
        ("  baseline: plain insert, one per transaction", "append_plain"),
        ("append_events_bulk", "bulk_chain"),
        ("  baseline: plain bulk_create", "bulk_plain"),
        ("verify_chain", "verify"),
        ("  baseline: SHA-256 loop in Python, no database", "hash_loop"),
        ("  baseline: reading the rows only, no hashing", "read_only"),
    ]
    for label, key in lines:
        print(f"{label:<50} {figures[key]:>12,.0f} events/s")
    print(
        f"ratios: append {figures['append_chain'] / figures['append_plain']:.2f}x plain insert; "
        f"bulk {figures['bulk_chain'] / figures['bulk_plain']:.2f}x plain bulk; "
        f"verify {figures['verify'] / figures['hash_loop']:.2f}x the hash loop "
        f"({figures['verify'] / figures['read_only']:.2f}x reading only)"
    )
    verdict = "intact" if figures["verified_ok"] else "BROKEN"
    print(f"verify: {figures['verified_events']:,} events, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--per-candidate", type=int, default=25)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        figures = child(options.child, options.candidates, options.per_candidate, options.sample)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory(prefix="fazhan-bench-") as directory:
        report(run_child(f"sqlite:///{directory}/bench.sqlite3", options))
    url = os.getenv("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        bench_url, name = throwaway_postgres(url)
        try:
            report(run_child(bench_url, options))
        finally:
            drop_postgres(url, name)


if __name__ == "__main__":
    main()
