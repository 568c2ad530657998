"""Live plan indicators from the records: one aggregate query over the derived columns.

contracts.md §4 "Live counts for a year Y": developed = approved (S17) in Y; age, education and
occupation as at the S15 (`le35_at_admission`, `le25_at_admission` are projected at the meeting;
education and occupation are the person's derived columns); activists = files whose stage is
`activist` or `target` on the day judged (today: the stage column is the current projection).

Every count is `COUNT(*) FILTER (WHERE …)` in one SELECT over candidates joined to people, so a
dashboard never decrypts anything and never loops over people in Python. The per-sub-organization
variant groups the same query by organization (a few hundred rows) and folds the rows into the
sub-organizations with the tree in Python: organizations, never people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import astuple
from datetime import date
from typing import Any

from django.db import connections, router
from django.db.models import Count, F, Max, Q, Value
from django.db.models.functions import ExtractMonth

from fazhan.orgs.models import Kind, Organization
from fazhan.people.models import EDUCATION_RANK, Candidate, Sex
from fazhan.policy.targets import COUNT_KEYS, Counts

POOL_STAGES = ("activist", "target")
# contracts §4: hs_plus is `senior` and up, college_plus `associate` and up (研究生、大学本专科).
SENIOR_RANK = EDUCATION_RANK["senior"]
ASSOCIATE_RANK = EDUCATION_RANK["associate"]
ZERO = Counts(**dict.fromkeys(COUNT_KEYS, 0))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def developed_q(year: int) -> Q:
    """Approved (S17) in the year; a range on the column, so an index on it can serve."""
    first, last = year_bounds(year)
    return Q(approved_on__gte=first, approved_on__lte=last)


def _aggregates(year: int) -> dict[str, Count]:
    dev = developed_q(year)
    female = Q(person__sex=Sex.FEMALE)
    return {
        "developed": Count("pk", filter=dev),
        # seed 二（二）1 年龄结构: 35岁以下, 其中25岁以下 — as at the branch meeting (S15).
        "le35": Count("pk", filter=dev & Q(le35_at_admission=True)),
        "le25": Count("pk", filter=dev & Q(le25_at_admission=True)),
        # seed 二（二）2 文化结构: 高中以上; 研究生、大学本(专)科.
        "hs_plus": Count("pk", filter=dev & Q(person__education_rank__gte=SENIOR_RANK)),
        "college_plus": Count("pk", filter=dev & Q(person__education_rank__gte=ASSOCIATE_RANK)),
        # seed 二（二）3 性别结构: 女党员, 其中一线.
        "female": Count("pk", filter=dev & female),
        "female_frontline": Count("pk", filter=dev & female & Q(person__frontline=True)),
        # seed 二（三）分布目标: overlapping occupation tags.
        "worker": Count("pk", filter=dev & Q(person__occ_worker=True)),
        "farmer": Count("pk", filter=dev & Q(person__occ_farmer=True)),
        "mgmt_tech_rich": Count("pk", filter=dev & Q(person__occ_mgmt_tech_rich=True)),
        "student": Count("pk", filter=dev & Q(person__occ_student=True)),
        # seed 三（一）: the activist pool on the day judged.
        "activists": Count("pk", filter=Q(stage__in=POOL_STAGES)),
    }


def _rows(year: int, org_ids: Collection[int] | None) -> Any:
    """The files of these organizations (None: the whole district).

    No other WHERE: the activist pool alone is a large part of the table, so narrowing by
    "developed in Y or in the pool" through two indexes (SQLite's MULTI-INDEX OR, random reads)
    is several times slower than one scan; the FILTER clauses do the selecting. A subtree is
    reached through the (org, stage) index.
    """
    rows = Candidate.objects.all()
    if org_ids is not None:
        rows = rows.filter(org_id__in=list(org_ids))
    return rows


def _counts(values: Sequence[Any]) -> Counts:
    return Counts(**{key: int(value or 0) for key, value in zip(COUNT_KEYS, values, strict=True)})


# The SQL the ORM compiles for each (database, year, organizations, grouped) — a prepared
# statement: building and compiling twelve filtered aggregates costs several milliseconds of
# Python, far more than running them on a district, and a dashboard asks the same again and
# again. The statement depends on nothing but its key, so it never goes stale.
_STATEMENTS: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
_STATEMENTS_MAX = 512


def _statement_rows(key: tuple[Any, ...], build: Callable[[], list[tuple[Any, ...]]]) -> Any:
    connection = connections[router.db_for_read(Candidate)]
    full_key = (connection.alias, connection.vendor, *key)
    statement = _STATEMENTS.get(full_key)
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            return cursor.fetchall()
    seen: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        rows = build()
    if len(seen) == 1 and seen[0][1] is not None:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        _STATEMENTS[full_key] = (seen[0][0], tuple(seen[0][1]))
    return rows


def _ids_key(org_ids: Collection[int] | None) -> tuple[int, ...] | None:
    return None if org_ids is None else tuple(sorted(set(org_ids)))


def indicator_counts(year: int, org_ids: Collection[int] | None) -> Counts:
    """The twelve counts of contracts §4 for the files of these organizations (None: all), in
    one aggregate query. A file counts once, in its responsible organization."""
    ids = _ids_key(org_ids)

    def build() -> list[tuple[Any, ...]]:
        found = _rows(year, ids).aggregate(**_aggregates(year))
        return [tuple(found[key] for key in COUNT_KEYS)]

    rows = _statement_rows(("total", year, ids), build)
    return _counts(rows[0]) if rows else ZERO


def _by_org_rows(year: int, ids: tuple[int, ...] | None) -> list[tuple[Any, ...]]:
    def build() -> list[tuple[Any, ...]]:
        # Grouped by `org_id + 0`, not the bare column: SQLite would otherwise walk the org
        # index and fetch every row out of table order (random reads); on an expression it scans
        # the table once and groups in a temporary B-tree, two to three times faster.
        # PostgreSQL hashes either way.
        grouped = (
            _rows(year, ids)
            .values(unit=F("org_id") + Value(0))
            .annotate(**_aggregates(year))
            .order_by()
            .values_list("unit", *COUNT_KEYS)
        )
        return list(grouped)

    rows: list[tuple[Any, ...]] = _statement_rows(("by_org", year, ids), build)
    return rows


def indicator_counts_by_org(year: int, org_ids: Collection[int] | None) -> dict[int, Counts]:
    """The same counts per responsible organization: one query grouped by organization."""
    return {row[0]: _counts(row[1:]) for row in _by_org_rows(year, _ids_key(org_ids))}


def add_counts(parts: Iterable[Counts]) -> Counts:
    total = [0] * len(COUNT_KEYS)
    for part in parts:
        for index, value in enumerate(astuple(part)):
            total[index] += value
    return Counts(*total)


def fold(per_org: Mapping[int, Counts], group_of: Mapping[int, int]) -> dict[int, Counts]:
    """Per-organization counts summed into groups (org id → group id); unmapped rows dropped."""
    buckets: dict[int, list[Counts]] = defaultdict(list)
    for org_id, counts in per_org.items():
        group = group_of.get(org_id)
        if group is not None:
            buckets[group].append(counts)
    return {group: add_counts(parts) for group, parts in buckets.items()}


def _fold_rows(rows: Iterable[Sequence[Any]], group_of: Mapping[int, int]) -> dict[int, Counts]:
    """(org id, twelve counts) rows summed into groups: a few hundred rows of organizations."""
    buckets: dict[int, list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        group = group_of.get(row[0])
        if group is not None:
            buckets[group].append(row[1:])
    return {
        group: Counts(*(int(sum(v or 0 for v in column)) for column in zip(*parts, strict=True)))
        for group, parts in buckets.items()
    }


_TREE: dict[tuple[Any, ...], dict[int, int | None]] = {}
_UNDER: dict[tuple[Any, ...], dict[int, int]] = {}


def _tree_fingerprint() -> tuple[Any, ...]:
    """What changes whenever a node is added, removed or moved: the count, the highest id, the sum
    of parent ids and two sums of small products of id and parent id (small, so that no SUM can
    overflow; a move that leaves all of them unchanged would have to be contrived)."""
    connection = connections[router.db_for_read(Organization)]
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), MAX(id), SUM(COALESCE(parent_id, 0)), "
            "SUM((id % 1009) * (COALESCE(parent_id, 0) % 1013)), "
            f"SUM((id % 997) * ((COALESCE(parent_id, 0) * 7) % 1019)) FROM {table}"
        )
        row = cursor.fetchone()
    return (connection.alias, *(row or ()))


def org_parents(fingerprint: tuple[Any, ...] | None = None) -> dict[int, int | None]:
    """The whole tree as id → parent id: one query over the organization table (kept while the
    tree's fingerprint is unchanged: a district's tree changes a few times a year)."""
    key = _tree_fingerprint() if fingerprint is None else fingerprint
    tree = _TREE.get(key)
    if tree is None:
        tree = dict(Organization.objects.values_list("pk", "parent_id"))
        _TREE.clear()
        _TREE[key] = tree
    return tree


def group_under(root_id: int, parents: Mapping[int, int | None] | None = None) -> dict[int, int]:
    """Every organization below `root_id` mapped to the child of the root it sits under (for the
    district: its 党委/党工委). One query over the organization table, then the tree in Python."""
    parents = org_parents() if parents is None else parents
    out: dict[int, int] = {}
    for org_id in parents:
        child: int | None = None
        node: int | None = org_id
        for _ in range(len(parents)):  # a tree: never more steps than nodes
            if node is None or node == root_id:
                break
            child, node = node, parents.get(node)
        if node == root_id and child is not None:
            out[org_id] = child
    return out


def counts_by_child(year: int, root_id: int) -> dict[int, Counts]:
    """The counts of every child of `root_id` (the district's sub-organizations) at once: one
    grouped query and a fold over the tree. Children with no file get zero counts."""
    fingerprint = _tree_fingerprint()
    parents = org_parents(fingerprint)
    group_of = _UNDER.get((*fingerprint, root_id))
    if group_of is None:
        group_of = group_under(root_id, parents)
        if len(_UNDER) > 64:
            _UNDER.clear()
        _UNDER[(*fingerprint, root_id)] = group_of
    children = set(group_of.values())
    # Below the tree's root every organization is in scope: no IN list, one scan.
    whole = root_id in parents and parents[root_id] is None
    rows = _by_org_rows(year, None if whole else _ids_key(group_of))
    folded = _fold_rows(rows, group_of)
    return {child: folded.get(child, ZERO) for child in children}


def monthly_developed(year: int, org_ids: Collection[int] | None) -> list[int]:
    """Approvals (S17) in each month of the year: one grouped query."""
    rows = Candidate.objects.filter(developed_q(year))
    if org_ids is not None:
        rows = rows.filter(org_id__in=list(org_ids))
    per_month = dict(
        rows.annotate(month=ExtractMonth("approved_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    return [int(per_month.get(month, 0)) for month in range(1, 13)]


def dormant_branches(org_ids: Collection[int], today: date, months: int = 24) -> list[Any]:
    """Branches that have had nobody approved for `months` or more (or never): one grouped query.
    Each comes with `last_approved` (None when never)."""
    from fazhan.policy.calendar import add_months

    cutoff = add_months(today, -months)
    return list(
        Organization.objects.filter(pk__in=list(org_ids), kind=Kind.BRANCH)
        .annotate(last_approved=Max("candidates__approved_on"))
        # Exactly `months` without an approval is "two years or more" (issue 15 item 4).
        .filter(Q(last_approved__lte=cutoff) | Q(last_approved__isnull=True))
        .order_by("last_approved", "code")
    )
