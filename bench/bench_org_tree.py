"""Benchmark of the organization tree page's counts (fazhan/orgadmin/tree.py): three aggregate
queries for the whole tree, against the naive way (one subtree query per node, counting files and
members below it) measured on a sample of nodes in the same run and scaled to the tree.

    .venv/bin/python bench/bench_org_tree.py [--orgs 5000] [--members 50000] [--sample 200]

Builds a throwaway SQLite database, imports a synthetic tree and roster through `fazhan import`
(fazhan.imports.district_samples: demo ID numbers), adds one applicant file per branch, signs in
nobody: a district staff account at the root reads the tree. Prints seconds and the ratio.
Not a pytest file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description="organization tree counts benchmark")
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhan-bench-tree-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhan.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from fazhan.accounts.models import Role, RoleKind, User
    from fazhan.imports import direct, district_samples
    from fazhan.orgadmin.tree import COUNTED, tree_rows
    from fazhan.orgs.models import Member, Organization
    from fazhan.people.models import Candidate, Person
    from fazhan.policy.engine import today_in_shanghai

    call_command("migrate", verbosity=0)
    today = today_in_shanghai()
    tree = district_samples.org_rows(args.orgs)
    branches = district_samples.branch_codes(tree)
    orgs_path, members_path = workdir / "orgs.xlsx", workdir / "members.xlsx"
    district_samples.write_sheet(district_samples.ORG_COLUMNS, tree, orgs_path)
    people = district_samples.member_rows(args.members, branches=branches, today=today)
    district_samples.write_sheet(district_samples.MEMBER_COLUMNS, people, members_path)
    assert direct.run_orgs(str(orgs_path), confirm=True).written
    assert direct.run_members(str(members_path), confirm=True).written
    branch_ids = list(Organization.objects.filter(kind="branch").values_list("pk", flat=True))
    persons = Person.objects.bulk_create(
        Person(name=f"演示{i}", sex="F", birth_date=today.replace(year=today.year - 30))
        for i in range(len(branch_ids))
    )
    Candidate.objects.bulk_create(
        Candidate(person=p, org_id=o, stage="activist")
        for p, o in zip(persons, branch_ids, strict=True)
    )
    root = Organization.objects.get(parent__isnull=True)
    user = User.objects.create(username="qu-bench")
    Role.objects.create(user=user, org=root, kind=RoleKind.DISTRICT_STAFF)
    print(
        f"{Organization.objects.count()} organizations, {Member.objects.count()} members, "
        f"{Candidate.objects.count()} files"
    )

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        rows = tree_rows(user)
    fast = time.perf_counter() - started
    assert len(rows) == args.orgs

    def naive(org: Organization) -> tuple[int, int]:
        below = Organization.objects.subtree_ids([org.pk])
        files = Candidate.objects.filter(org_id__in=below, stage__in=COUNTED).aggregate(
            n=Count("pk")
        )["n"]
        members = Member.objects.filter(org_id__in=below, active=True).count()
        return files, members

    sample = [n.org for n in rows[: args.sample]]
    started = time.perf_counter()
    for org in sample:
        naive(org)
    per_node = (time.perf_counter() - started) / len(sample)
    slow = per_node * len(rows)
    by_pk = {n.org.pk: n for n in rows}
    for org in sample[:20]:  # both ways agree
        files, members = naive(org)
        node = by_pk[org.pk]
        assert (files, members) == (sum(node.counts[s] for s in COUNTED), node.members)

    print(f"tree_rows: {fast:.2f} s for {len(rows)} nodes in {len(queries)} queries")
    print(f"naive, one subtree count per node: {per_node * 1000:.1f} ms/node, ~{slow:.1f} s")
    print(f"ratio naive / tree_rows = {slow / fast:.0f}x")
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
