"""The per-subtree stage counts the database keeps (fazhan.people.stagecounts) equal a full
recount of the files and the tree, whatever wrote them: a model save, a queryset update, a bulk
insert, a delete, an organization created, moved or removed. And the triggers come back, with
both tables rebuilt, when a migration or an upgrade lost or changed them."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.orgs.models import Kind, OrgAncestor, Organization
from fazhan.people import stagecounts
from fazhan.people.models import Candidate, DueCount, Stage, StageCount
from fazhan.testing.factories import CandidateFactory, DistrictFactory, PersonFactory

pytestmark = pytest.mark.django_db

_codes = itertools.count()
STAGES = [value for value, _ in Stage.choices]


def _ancestors(parent_of: dict[int, int | None], org: int) -> list[int]:
    found = [org]
    while parent_of[found[-1]] is not None:
        found.append(parent_of[found[-1]])  # type: ignore[arg-type]
    return found


Kept = tuple[
    set[tuple[int, int, int]], dict[tuple[int, str, bool], Counter[str]], Counter[tuple[int, date]]
]


def recount() -> Kept:
    """The closure, the counts and the deadlines computed from the tree and the files."""
    parent_of = dict(Organization.objects.values_list("pk", "parent_id"))
    closure = {
        (org, above, depth)
        for org in parent_of
        for depth, above in enumerate(_ancestors(parent_of, org))
    }
    counts: dict[tuple[int, str, bool], Counter[str]] = {}
    dues: Counter[tuple[int, date]] = Counter()
    files = Candidate.objects.values_list(
        "org_id", "stage", "departed_on", "lates", "violations", "next_due"
    )
    for org, stage, departed_on, lates, violations, next_due in files:
        for above in _ancestors(parent_of, org):
            if next_due is not None:
                dues[(above, next_due)] += 1
            key = (above, stage, departed_on is not None)
            tally = counts.setdefault(key, Counter())
            tally["n"] += 1
            tally["late"] += int(lates > 0)
            tally["irregular"] += int(violations > 0)
    return closure, counts, dues


def kept() -> Kept:
    closure = set(OrgAncestor.objects.values_list("org_id", "ancestor_id", "depth"))
    counts = {
        (org, stage, departed): Counter({"n": n, "late": late, "irregular": irregular})
        for org, stage, departed, n, late, irregular in StageCount.objects.values_list(
            "org_id", "stage", "departed", "n", "late", "irregular"
        )
        if n or late or irregular  # a row emptied by its last file stays, at zero
    }
    dues = Counter(
        {
            (org, day): n
            for org, day, n in DueCount.objects.values_list("org_id", "due_on", "n")
            if n
        }
    )
    return closure, counts, dues


def assert_kept_equals_recount() -> None:
    assert kept() == recount()
    assert not StageCount.objects.filter(n__lt=0).exists()
    assert not DueCount.objects.filter(n__lt=0).exists()


def _org(parent: Organization) -> Organization:
    n = next(_codes)
    return Organization.objects.create(
        parent=parent, kind=Kind.SUB, name=f"测试党委{n}", code=f"T-SC-{n}"
    )


def _file(org: Organization, stage: str = Stage.APPLICANT) -> Candidate:
    return CandidateFactory.create(person=PersonFactory.create(), org=org, stage=stage)


operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["org", "file", "save", "update", "bulk", "delete", "move", "drop_org", "depart"]
        ),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.sampled_from(STAGES),
    ),
    min_size=1,
    max_size=25,
)


def _subtree(root: Organization) -> list[Organization]:
    ids = Organization.objects.subtree_ids([root.pk])
    return list(Organization.objects.filter(pk__in=ids).order_by("pk"))


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=25,
    deadline=None,
)
@given(operations)
def test_it_keeps_what_a_full_recount_gives_whatever_writes(db, steps):
    district = Organization.objects.filter(parent__isnull=True).first() or DistrictFactory.create()
    root = _org(district)
    for op, a, b, stage in steps:
        orgs = _subtree(root)
        files = list(Candidate.objects.filter(org__in=orgs).order_by("pk"))
        org = orgs[a % len(orgs)]
        if op == "org":
            _org(org)
        elif op == "file":
            _file(org, stage)
        elif op == "bulk":
            people = [PersonFactory.create() for _ in range(1 + b % 3)]
            Candidate.objects.bulk_create(
                [
                    Candidate(
                        person=p, org=org, stage=stage, lates=b % 2, next_due=date(2026, 1, 2)
                    )
                    for p in people
                ]
            )
        elif op == "save" and files:
            file = files[b % len(files)]
            file.stage, file.org, file.violations = stage, org, a % 3
            file.next_due = None if a % 5 == 0 else date(2026, 1, 1) + timedelta(days=a % 9)
            file.save()
        elif op == "update" and files:
            Candidate.objects.filter(pk=files[b % len(files)].pk).update(
                stage=stage, lates=a % 2, org=org, next_due=date(2026, 1, 1 + b % 7)
            )
        elif op == "depart" and files:
            file = files[b % len(files)]
            file.departed_on = None if file.departed_on else date(2026, 6, 1)
            file.save(update_fields=["departed_on"])
        elif op == "delete" and files:
            files[b % len(files)].delete()
        elif op == "move" and org != root:
            # Anywhere in the test subtree but inside the moved organization's own.
            inside = Organization.objects.subtree_ids([org.pk])
            targets = [o for o in orgs if o.pk not in inside]
            org.parent = targets[b % len(targets)]
            org.save()
        elif (
            op == "drop_org"
            and org != root
            and not org.children.exists()
            and not Candidate.objects.filter(org=org).exists()
        ):
            org.delete()
    assert_kept_equals_recount()


def test_it_moves_a_subtree_with_its_files_between_committees(db):
    district = DistrictFactory.create()
    left, right = _org(district), _org(district)
    branch = _org(left)
    below = _org(branch)
    _file(branch, Stage.ACTIVIST)
    _file(below, Stage.TARGET)
    assert stagecounts.per_subtree([left.pk, right.pk]) == {
        left.pk: {Stage.ACTIVIST: 1, Stage.TARGET: 1},
        right.pk: {},
    }
    branch.parent = right
    branch.save()
    assert stagecounts.per_subtree([left.pk, right.pk]) == {
        left.pk: {},
        right.pk: {Stage.ACTIVIST: 1, Stage.TARGET: 1},
    }
    assert_kept_equals_recount()


def test_it_counts_late_and_irregular_files_once_each_up_the_tree(db):
    district = DistrictFactory.create()
    committee = _org(district)
    branch = _org(committee)
    file = _file(branch, Stage.ACTIVIST)
    file.lates, file.violations = 2, 1
    file.save()
    _file(branch, Stage.ACTIVIST)
    tally = stagecounts.subtree_tally([committee.pk])
    assert (tally.files, tally.late, tally.irregular) == ({(Stage.ACTIVIST, False): 2}, 1, 1)
    file.lates = 0  # the late finding corrected away
    file.save()
    assert stagecounts.subtree_tally([district.pk]).late == 0


def test_it_reinstalls_lost_triggers_and_rebuilds_both_tables(db):
    district = DistrictFactory.create()
    committee = _org(district)
    _file(committee)
    with connection.cursor() as cursor:
        # What SQLite does to triggers when a migration rebuilds a table, and a stray trigger
        # of an older version left behind by an upgrade.
        name, table = next(iter(stagecounts._installed(connection).items()))
        on = f" ON {table}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {name}{on}")
        cursor.execute("DELETE FROM people_stagecount")
    assert stagecounts.ensure() is True
    assert set(stagecounts._installed(connection)) == set(
        stagecounts.SQLITE if connection.vendor == "sqlite" else stagecounts.POSTGRESQL
    )
    assert_kept_equals_recount()
    assert stagecounts.ensure() is False  # nothing missing: nothing done
    _file(committee, Stage.TARGET)  # and the triggers work again
    assert_kept_equals_recount()


def test_it_reads_only_the_topmost_of_nested_organizations(db):
    district = DistrictFactory.create()
    committee = _org(district)
    branch = _org(committee)
    other = _org(district)
    assert stagecounts.topmost([branch.pk, committee.pk, other.pk]) == sorted(
        [committee.pk, other.pk]
    )


def test_it_rebuilds_both_tables_with_the_summarize_command(db):
    district = DistrictFactory.create()
    _file(_org(_org(district)), Stage.PROBATIONARY)
    StageCount.objects.all().delete()  # a database loaded around the triggers
    OrgAncestor.objects.all().delete()
    out = StringIO()
    call_command("summarize", stdout=out)
    assert "已重建各组织的分阶段人数" in out.getvalue()
    assert_kept_equals_recount()
    assert stagecounts.subtree_tally([district.pk]).files == {(Stage.PROBATIONARY, False): 1}


def test_it_counts_a_file_overdue_from_the_day_after_its_deadline(db):
    district = DistrictFactory.create()
    committee = _org(district)
    file = _file(_org(committee), Stage.ACTIVIST)
    file.next_due = date(2026, 6, 30)
    file.save()
    assert stagecounts.overdue([committee.pk], date(2026, 6, 30)) == 0  # on the day: in time
    assert stagecounts.overdue([committee.pk], date(2026, 7, 1)) == 1
    file.next_due = None  # the step recorded: nothing due
    file.save()
    assert stagecounts.overdue([district.pk], date(2026, 7, 1)) == 0
    assert_kept_equals_recount()
