"""The organization tree: district → 党委/党工委/党组 → 党总支 → 支部 (DESIGN.md "Who uses it").

Two fields describe a node's place: `kind`, the structural role the rest of the code reads (the
root, a sub-organization that may approve, a 党总支, a branch), and `level`, the 组织层级 a
district's own records name (contracts.md §7: 党委, 党工委, 党组, 党总支, 党支部). The root is the
district's 党委 (区委). `level_kind` maps one onto the other.

The tree is a plain adjacency list walked by django-tree-queries' recursive CTE, so a subtree is one
query on SQLite and PostgreSQL alike. Reads are scoped through `Organization.objects.visible_to`
(DESIGN.md principle 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fazhan.core.access import reach_of

if TYPE_CHECKING:
    # django-tree-queries ships no type information: mypy sees plain Django bases and the few
    # tree methods we call are declared on the queryset below.
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model as _TreeNode
    from django.db.models import QuerySet as _TreeQuerySet
else:
    from tree_queries.models import TreeNode as _TreeNode
    from tree_queries.query import TreeQuerySet as _TreeQuerySet


class Kind(models.TextChoices):
    DISTRICT = "district", _("区委")
    SUB = "sub", _("党委/党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")


class Level(models.TextChoices):
    """组织层级 (contracts.md §7)."""

    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    LEADING_GROUP = "leading_group", _("党组")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")


def level_kind(level: str, *, root: bool) -> str:
    """The structural kind of a node of that level: the root is the district whatever its level;
    a 党委, 党工委 or 党组 below it is a sub-organization."""
    if root:
        return Kind.DISTRICT
    if level == Level.GENERAL_BRANCH:
        return Kind.GENERAL_BRANCH
    if level == Level.BRANCH:
        return Kind.BRANCH
    return Kind.SUB


def kind_level(kind: str, name: str = "") -> str:
    """The level of a node created by kind only (tests, older code): a sub-organization whose
    name ends in 党工委 or 党组 is one, any other a 党委."""
    if kind == Kind.GENERAL_BRANCH:
        return Level.GENERAL_BRANCH
    if kind == Kind.BRANCH:
        return Level.BRANCH
    if kind == Kind.SUB and name.endswith("党工委"):
        return Level.WORKING_COMMITTEE
    if kind == Kind.SUB and name.endswith("党组"):
        return Level.LEADING_GROUP
    return Level.COMMITTEE


class OrgType(models.TextChoices):
    """单位类型 (contracts.md §7). The former 两新组织 became 非公有制企业 (migration 0003)."""

    RURAL = "rural", _("农村")
    COMMUNITY = "community", _("社区")
    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    NON_PUBLIC = "non_public", _("非公有制企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    SCHOOL = "school", _("学校")


# Which kind of node may sit under which (contracts.md §7): anything but the root sits under any
# node that is not a 党支部. A 党委 under another 党委 is the 基层党委 under a 乡镇/街道党委 of
# 细则 art. 23 ¶2.
_NOT_BRANCH = frozenset({Kind.DISTRICT, Kind.SUB, Kind.GENERAL_BRANCH})
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    Kind.DISTRICT: frozenset(),
    Kind.SUB: _NOT_BRANCH,
    Kind.GENERAL_BRANCH: _NOT_BRANCH,
    Kind.BRANCH: _NOT_BRANCH,
}
# Approval authority (审批权限): the district's 党委 and a 党委, 党工委 or 党组 below it; never a
# 党总支 or a 党支部 (细则 art. 23; contracts.md §7).
APPROVING_KINDS = frozenset({Kind.DISTRICT, Kind.SUB})


class OrganizationQuerySet(_TreeQuerySet["Organization"]):
    if TYPE_CHECKING:

        def with_tree_fields(self, tree_fields: bool = True) -> Self: ...
        def ancestors(self, of: Organization | int, *, include_self: bool = False) -> Self: ...
        def descendants(self, of: Organization | int, *, include_self: bool = False) -> Self: ...

    def subtree_ids(self, root_ids: Iterable[int]) -> set[int]:
        """Ids of the given nodes and of everything below them, in one recursive query that
        walks down from the roots only (django-tree-queries' CTE computes every node's path
        first: ten times slower on a district's tree, and this is asked on every page)."""
        roots = sorted({int(root) for root in root_ids})
        if not roots:
            return set()
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        marks = ", ".join(["%s"] * len(roots))
        sql = (
            f"WITH RECURSIVE below(id) AS (SELECT id FROM {table} WHERE id IN ({marks}) "
            f"UNION SELECT o.id FROM {table} o JOIN below b ON o.parent_id = b.id) "
            "SELECT id FROM below"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, roots)
            return {int(row[0]) for row in cursor.fetchall()}

    def ancestor_ids(self, org_id: int) -> list[int]:
        """`org_id` and the ids above it up to the root, nearest first. Walks parent links one
        small query per level (the tree is four levels deep) instead of the recursive CTE, which
        computes paths for the whole tree."""
        found: list[int] = []
        current: int | None = org_id
        while current is not None and current not in found:
            found.append(current)
            current = self.filter(pk=current).values_list("parent_id", flat=True).first()
        return found

    def paths_under(self, root: int) -> dict[int, list[int]]:
        """Each node of the subtree under `root` with its path of ids from the tree's root."""
        rows = self.with_tree_fields().filter(Q(tree_path__contains=root))
        # tree_path is an annotation of with_tree_fields(), unknown to the type checker.
        return {node.pk: list(getattr(node, "tree_path")) for node in rows}  # noqa: B009

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        """The organizations in the subtrees of the user's active roles (DESIGN principle 6)."""
        scope = reach_of(user)
        return self.all() if scope.everything else self.filter(pk__in=scope.org_ids)

    def open(self) -> Self:
        """The organizations not closed (撤销/撤并): what pickers offer and files may go to."""
        return self.filter(closed_on__isnull=True)


class Organization(_TreeNode):
    # Re-declared (Django allows overriding a field of an abstract base) so that mypy sees a typed
    # foreign key; django-tree-queries only needs a field named `parent` pointing at "self".
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级组织"),
    )
    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    # Filled from `kind` on save when left blank (kind_level).
    level = models.CharField(_("组织层级"), max_length=24, choices=Level.choices, blank=True)
    # 细则 art. 23: only a 党委 granted approval authority approves probationary members; a
    # 党总支 reviews but never approves, nor does a 基层党委 under a 乡镇/街道党委 (art. 23 ¶2).
    can_approve = models.BooleanField(_("具有审批权限"), default=False)
    org_type = models.CharField(_("类型"), max_length=16, choices=OrgType.choices, blank=True)
    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    # contracts.md §7 has no secretary column: a free text the district keeps up to date on the
    # organization pages (shown on the tree; never written on the chain, principle 8).
    secretary = models.CharField(_("书记"), max_length=64, blank=True)
    # The organization's public contact, printed on the notices of the organizations below it
    # (区委意见 公示制: the superior committee's telephone and address for the public's reports).
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    # 撤销 or 撤并 (fazhan.orgs.actions): a closed organization holds no open file, no member on
    # the roster and no open child; it is hidden from pickers and receives no file.
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = models.Manager.from_queryset(OrganizationQuerySet)()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(can_approve=False) | Q(kind__in=[Kind.DISTRICT, Kind.SUB]),
                name="org_only_committees_can_approve",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.DISTRICT, parent__isnull=True)
                | (~Q(kind=Kind.DISTRICT) & Q(parent__isnull=False)),
                name="org_district_is_the_only_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.level:
            self.level = kind_level(self.kind, self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.can_approve and self.kind not in APPROVING_KINDS:
            raise ValidationError(
                {"can_approve": _("党总支、党支部不能具有审批权限（细则第二十三条）。")}
            )
        parent_kind = self.parent.kind if self.parent is not None else None
        allowed = ALLOWED_PARENTS.get(self.kind, frozenset())
        if parent_kind is None and allowed:
            raise ValidationError(
                {"parent": _("%(kind)s必须有上级组织。") % {"kind": self.get_kind_display()}}
            )
        if parent_kind is not None and parent_kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("%(kind)s不能设在%(parent)s之下。")
                    % {"kind": self.get_kind_display(), "parent": Kind(parent_kind).label}
                }
            )

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def approver(self) -> Organization | None:
        """The nearest organization, this one included, with approval authority (细则 art. 23)."""
        return nearest_approver(self)


def nearest_approver(org: Organization | int) -> Organization | None:
    """The nearest ancestor-or-self with approval authority, or None (细则 art. 23: S17, S24)."""
    chain = list(Organization.objects.ancestors(org, include_self=True))
    for node in reversed(chain):  # ancestors() runs from the root down
        if node.can_approve:
            return node
    return None


def get_org_for_user(user: AbstractBaseUser | AnonymousUser, pk: Any) -> Organization:
    """The organization, if inside the user's scope; otherwise 404 (DESIGN principle 6)."""
    try:
        return Organization.objects.visible_to(user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该组织。")) from None


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(org__in=Organization.objects.visible_to(user))


class Member(models.Model):
    """A Party member on a branch's roster: contacts (S05), introducers (S09) and voters come from
    here. Events refer to a member by id with a snapshot of the status the rules read (细则 arts. 9,
    14: full member, not under 留党察看 without restored rights), never by name (principle 8)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("姓名"), max_length=64)
    status = models.CharField(
        _("党员类别"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    under_discipline = models.BooleanField(_("受留党察看处分"), default=False)
    rights_restored = models.BooleanField(_("已恢复党员权利"), default=False)
    active = models.BooleanField(_("在册"), default=True)
    # Created while importing a paper file whose introducer was not on the roster yet.
    imported = models.BooleanField(_("导入时补建"), default=False)
    # What the member roster import (contracts.md §7 `members`) reads; blank for members created
    # otherwise. The ID number as for a person (DESIGN principle 8): ciphertext, blind index (NULL
    # when absent, so unique skips it) and masked copy.
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=16, blank=True)
    occupations = models.JSONField(_("职业"), default=list, blank=True)
    id_number_encrypted = models.TextField(blank=True, default="", editable=False)
    id_number_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    # A member the record admitted (an approving S17): the person and the file the roster follows
    # (fazhan.members.history.follow_record). NULL for members of an imported roster.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    candidate = models.OneToOneField(
        "people.Candidate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_member",
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def may_vote(self) -> bool:
        # 党章 art. 7: probationary members have no vote; under 留党察看 neither (art. 40).
        return self.status == MemberStatus.FULL and (
            not self.under_discipline or self.rights_restored
        )

    def snapshot(self) -> dict[str, Any]:
        """What an S05/S09 event records of a member: the id and the status the rules read."""
        return {
            "member_id": self.pk,
            "status": self.status,
            "discipline": "留党察看" if self.under_discipline else None,
            "rights_restored": self.rights_restored,
        }


class OrgAncestor(models.Model):
    """Each organization with every organization above it and itself (depth 0): a closure table
    kept by database triggers (fazhan.people.stagecounts), so a subtree's figures are read from
    one row instead of walking the tree. Never written by the application."""

    org_id = models.BigIntegerField()
    ancestor_id = models.BigIntegerField()
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "ancestor_id"], name="org_ancestor_unique"),
        ]
        indexes = [models.Index(fields=["ancestor_id", "depth"], name="org_ancestor_below")]

    def __str__(self) -> str:
        return f"{self.ancestor_id} ⊇ {self.org_id} ({self.depth})"
