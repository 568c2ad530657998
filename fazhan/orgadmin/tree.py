"""The organization tree page's rows: every visible node with its depth and its counts, in three
queries whatever the size of the tree (the nodes, the files by stage, the members on the roster),
each count summed over the node's subtree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count

from fazhan.core.access import reach_of
from fazhan.orgs.models import Level, Member, Organization, OrgType
from fazhan.people.models import Candidate, Stage

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

COUNTED = (Stage.ACTIVIST, Stage.TARGET, Stage.PROBATIONARY)


@dataclass
class Node:
    org: Organization
    depth: int
    level_label: str = ""
    type_label: str = ""
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def activists(self) -> int:
        return self.counts[Stage.ACTIVIST]

    @property
    def targets(self) -> int:
        return self.counts[Stage.TARGET]

    @property
    def probationary(self) -> int:
        return self.counts[Stage.PROBATIONARY]

    @property
    def members(self) -> int:
        return self.counts["members"]


def tree_rows(user: AbstractBaseUser, *, show_closed: bool = False) -> list[Node]:
    """The user's organizations depth first (siblings by code), each with the activists,
    development targets and probationary members in process and the members on the roster of
    its whole subtree."""
    scope = reach_of(user)
    orgs = Organization.objects.with_tree_fields()
    if not scope.everything:
        orgs = orgs.filter(pk__in=scope.org_ids)
    if not show_closed:
        orgs = orgs.filter(closed_on__isnull=True)
    rows = list(orgs)
    if not rows:
        return []
    paths = {org.pk: list(getattr(org, "tree_path")) for org in rows}  # noqa: B009
    top = min(len(path) for path in paths.values())
    # The labels in the reader's language once, not one lazy translation per node.
    levels = {str(value): str(label) for value, label in Level.choices}
    types = {str(value): str(label) for value, label in OrgType.choices}
    nodes = {
        org.pk: Node(
            org,
            len(paths[org.pk]) - top,
            levels.get(org.level, ""),
            types.get(org.org_type, ""),
        )
        for org in rows
    }
    # The whole district (no list of thousands of ids) or the user's subtrees.
    where = {} if scope.everything else {"org_id__in": scope.org_ids}
    files = (
        Candidate.objects.filter(stage__in=COUNTED, **where)
        .values_list("org_id", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    members = (
        Member.objects.filter(active=True, **where)
        .values_list("org_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: list[tuple[int, str, int]] = [(org, stage, n) for org, stage, n in files]
    found += [(org, "members", n) for org, n in members]
    for org_id, key, n in found:
        for above in paths.get(org_id, ()):
            if above in nodes:
                nodes[above].counts[key] += n
    return list(nodes.values())
