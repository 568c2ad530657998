"""Organization management by district staff (Issue 12 item 3), one `do_<verb>` per change.

Each action is atomic, locks the organization it changes, checks that the user is district staff
reaching it, refuses with the reason in Chinese, and records one chain event. The events are the
import's (`fazhan.imports.orgtree`): `org.created` with the organization's values, `org.updated`
with `changes: {field: [old, new]}` (a move is `parent_id`, a closure `closed_on`), so the import
and the pages tell one story. A merge (撤并) is `org.merged` with the counts, and each open file it
moves is a `transfer-in` on that candidate with the reason "撤并", as an in-district transfer.

Payloads hold ids, codes, organization names, dates and counts; never a person's name (the
secretary is a free text on the organization and only "changed" is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core.errors import ActionRefused, NotVisible, Reason
from fazhan.members.history import record_member_change
from fazhan.members.models import ChangeKind
from fazhan.orgs.models import (
    ALLOWED_PARENTS,
    APPROVING_KINDS,
    Kind,
    Level,
    Member,
    Organization,
    OrgType,
    level_kind,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from fazhan.people.models import Candidate

    User = AbstractBaseUser

NAME_LIMIT = 100  # contracts.md §7, as the import
SHORT_LIMIT = 64
SECRETARY_LIMIT = 64
MERGE_REASON = "撤并"
ART_23 = "细则第二十三条"


# -- who may act ------------------------------------------------------------------------------


def manages_orgs(user: User) -> bool:
    """District staff manage the tree (Issue 12 item 3); committee staff only read it."""
    who = authority(user)
    return who.is_district_staff and who.is_writer


def _check(user: User, org: Organization) -> None:
    if not Organization.objects.visible_to(user).filter(pk=org.pk).exists():
        raise NotVisible
    who = authority(user)
    if not who.is_district_staff or not who.writes_as_committee(org.pk):
        raise ActionRefused(_("只有区委组织部可以管理党组织"))


def _lock(org: Organization | int) -> Organization:
    pk = org if isinstance(org, int) else org.pk
    return Organization.objects.select_for_update().get(pk=pk)


def _event(user: User, kind: str, on: date, payload: dict[str, Any]) -> None:
    append_event(
        kind=kind, candidate_id=None, happened_on=on, payload=payload, recorded_by_id=user.pk
    )


def _updated(user: User, org: Organization, on: date, changes: dict[str, list[Any]]) -> None:
    """The import's `org.updated` shape: the organization and each changed field's old and new."""
    _event(user, "org.updated", on, {"org_id": org.pk, "code": org.code, "changes": changes})


# -- what an organization holds -----------------------------------------------------------------


def open_files(org_ids: set[int] | list[int]) -> QuerySet[Candidate]:
    """The files in process whose responsible organization is one of `org_ids` (not a member's,
    not a closed one, not one sent out of the district: Candidate.objects.open_here)."""
    from fazhan.people.models import Candidate

    return Candidate.objects.open_here().filter(org_id__in=org_ids)


def active_members(org: Organization) -> QuerySet[Member]:
    return Member.objects.filter(org=org, active=True)


def open_links(org: Organization) -> int:
    """Files of other organizations this one is linked to: a transfer waiting for it to accept,
    a mobile candidate it cooperates on. Closing it would leave them without that organization."""
    from fazhan.people.models import CandidateOrgLink

    return CandidateOrgLink.objects.filter(org=org, ended_on__isnull=True).count()


def _links_refusal(org: Organization) -> list[Reason]:
    n = open_links(org)
    if not n:
        return []
    return [
        Reason(_("还有 %(n)d 份档案待本组织接收或由本组织协作培养：请先接收或结束协作") % {"n": n})
    ]


def open_children(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(parent=org, closed_on__isnull=True)


def approval_domain(org: Organization) -> set[int]:
    """The organizations whose nearest committee with approval authority is `org` (细则 art.
    23): its subtree without the subtrees of approving committees below it."""
    subtree = Organization.objects.subtree_ids([org.pk])
    below = Organization.objects.filter(pk__in=subtree - {org.pk}, can_approve=True)
    return subtree - Organization.objects.subtree_ids(below.values_list("pk", flat=True))


def files_awaiting_approval(org: Organization) -> list[Candidate]:
    """Files waiting for this committee's S17 or S24 (the approval queue's own reading)."""
    from fazhan.reviews.reminders import approvals_waiting

    waiting = approvals_waiting(open_files(approval_domain(org)), date.max)
    ids = sorted({w.candidate_id for w in waiting})
    from fazhan.people.models import Candidate

    return list(Candidate.objects.filter(pk__in=ids).select_related("person").order_by("pk"))


def _names(candidates: list[Candidate], limit: int = 5) -> str:
    shown = "、".join(c.person.name for c in candidates[:limit])
    return shown + ("等" if len(candidates) > limit else "")


# -- create -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOrg:
    code: str
    name: str
    level: str
    parent: Organization
    short_name: str = ""
    org_type: str = ""
    can_approve: bool = False
    secretary: str = ""


def _check_name(name: str, short_name: str) -> list[Reason]:
    reasons = []
    if not name:
        reasons.append(Reason(_("组织名称不能为空")))
    elif len(name) > NAME_LIMIT:
        reasons.append(Reason(_("组织名称不能超过 %(n)d 个字") % {"n": NAME_LIMIT}))
    if len(short_name) > SHORT_LIMIT:
        reasons.append(Reason(_("简称不能超过 %(n)d 个字") % {"n": SHORT_LIMIT}))
    return reasons


def _check_parent(kind: str, parent: Organization) -> list[Reason]:
    if parent.is_closed:
        return [Reason(_("上级组织「%(name)s」已撤销") % {"name": parent.name})]
    if parent.kind not in ALLOWED_PARENTS.get(kind, frozenset()):
        return [
            Reason(
                _("%(kind)s不能设在%(parent)s之下")
                % {"kind": Kind(kind).label, "parent": parent.name}
                if parent.kind != Kind.BRANCH
                else _("上级组织「%(name)s」是党支部，党支部下不能再设组织")
                % {"name": parent.name},
                "contracts.md §7",
            )
        ]
    return []


def _approval_refusal(kind: str, level: str) -> Reason | None:
    if kind in APPROVING_KINDS:
        return None
    return Reason(
        _("%(level)s不能具有审批权限：只有党委、党工委、党组可以") % {"level": Level(level).label},
        ART_23,
    )


def do_create_org(user: User, new: NewOrg, *, on: date) -> Organization:
    """A new organization under `new.parent`, recorded as `org.created` (the import's values)."""
    from fazhan.imports.orgtree import CODE_RE

    with transaction.atomic():
        parent = _lock(new.parent)
        _check(user, parent)
        code, name, short_name = new.code.strip(), new.name.strip(), new.short_name.strip()
        reasons: list[Reason] = []
        if not CODE_RE.fullmatch(code):
            reasons.append(Reason(_("组织编码只能由字母、数字和“-”组成，不超过32个字符")))
        elif Organization.objects.filter(code=code).exists():
            reasons.append(Reason(_("组织编码「%(code)s」已被使用") % {"code": code}))
        reasons += _check_name(name, short_name)
        if new.level not in Level.values:
            reasons.append(Reason(_("请选择组织层级")))
            raise ActionRefused(reasons)
        kind = level_kind(new.level, root=False)
        reasons += _check_parent(kind, parent)
        if new.org_type and new.org_type not in OrgType.values:
            reasons.append(Reason(_("请选择单位类型")))
        if new.can_approve and (refusal := _approval_refusal(kind, new.level)):
            reasons.append(refusal)
        if len(new.secretary.strip()) > SECRETARY_LIMIT:
            reasons.append(Reason(_("书记姓名不能超过 %(n)d 个字") % {"n": SECRETARY_LIMIT}))
        if reasons:
            raise ActionRefused(reasons)
        org = Organization.objects.create(
            parent=parent,
            code=code,
            name=name,
            short_name=short_name,
            level=new.level,
            kind=kind,
            org_type=new.org_type or parent.org_type,
            can_approve=new.can_approve,
            secretary=new.secretary.strip(),
        )
        _event(
            user,
            "org.created",
            on,
            {
                "org_id": org.pk,
                "code": org.code,
                "org_name": org.name,
                "short_name": org.short_name,
                "parent_id": parent.pk,
                "level": org.level,
                "kind": org.kind,
                "org_type": org.org_type,
                "can_approve": org.can_approve,
            },
        )
    return org


# -- rename, secretary, type, approval -----------------------------------------------------------


def do_rename(
    user: User, org: Organization | int, *, name: str, short_name: str, on: date
) -> Organization:
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        name, short_name = name.strip(), short_name.strip()
        if reasons := _check_name(name, short_name):
            raise ActionRefused(reasons)
        changes: dict[str, list[Any]] = {}
        if name != locked.name:
            changes["org_name"] = [locked.name, name]
        if short_name != locked.short_name:
            changes["short_name"] = [locked.short_name, short_name]
        if not changes:
            raise ActionRefused(_("名称和简称没有变化"))
        locked.name, locked.short_name = name, short_name
        locked.save(update_fields=["name", "short_name"])
        _updated(user, locked, on, changes)
    return locked


def do_set_secretary(
    user: User, org: Organization | int, *, secretary: str, on: date
) -> Organization:
    """The secretary's name is kept on the organization; the chain records only that it changed
    (whether one was recorded before and after), never the name (principle 8)."""
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        secretary = secretary.strip()
        if len(secretary) > SECRETARY_LIMIT:
            raise ActionRefused(_("书记姓名不能超过 %(n)d 个字") % {"n": SECRETARY_LIMIT})
        if secretary == locked.secretary:
            raise ActionRefused(_("书记没有变化"))
        changes = {"secretary": [bool(locked.secretary), bool(secretary)]}
        locked.secretary = secretary
        locked.save(update_fields=["secretary"])
        _updated(user, locked, on, changes)
    return locked


def do_set_type(user: User, org: Organization | int, *, org_type: str, on: date) -> Organization:
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        if org_type not in OrgType.values:
            raise ActionRefused(_("请选择单位类型"))
        if org_type == locked.org_type:
            raise ActionRefused(_("单位类型没有变化"))
        changes = {"org_type": [locked.org_type, org_type]}
        locked.org_type = org_type
        locked.save(update_fields=["org_type"])
        _updated(user, locked, on, changes)
    return locked


def do_set_approval(
    user: User, org: Organization | int, *, can_approve: bool, on: date
) -> Organization:
    """Grant or withdraw approval authority (审批权限, 细则 art. 23). Only a 党委, 党工委 or 党组
    (or the district's root) may hold it; it is not withdrawn while files wait for this
    committee's S17 or S24, since they would be left without the committee that must decide."""
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        if can_approve == locked.can_approve:
            raise ActionRefused(_("审批权限没有变化"))
        if can_approve and (refusal := _approval_refusal(locked.kind, locked.level)):
            raise ActionRefused(refusal)
        if can_approve and locked.is_closed:
            raise ActionRefused(_("该组织已撤销"))
        if not can_approve:
            waiting = files_awaiting_approval(locked)
            if waiting:
                raise ActionRefused(
                    Reason(
                        _(
                            "还有 %(n)d 份档案等待本组织审批（%(names)s）："
                            "审批完成后才能取消审批权限"
                        )
                        % {"n": len(waiting), "names": _names(waiting)},
                        ART_23,
                    )
                )
        changes = {"can_approve": [locked.can_approve, can_approve]}
        locked.can_approve = can_approve
        locked.save(update_fields=["can_approve"])
        _updated(user, locked, on, changes)
    return locked


# -- move -----------------------------------------------------------------------------------------


def move_refusals(org: Organization, parent: Organization) -> list[Reason]:
    """Why `org` cannot be moved under `parent` (none: it can)."""
    if org.parent_id is None:
        return [Reason(_("根组织（区委）不能移动"))]
    if parent.pk == org.parent_id:
        return [Reason(_("已在「%(name)s」之下") % {"name": parent.name})]
    if parent.pk in Organization.objects.subtree_ids([org.pk]):
        return [Reason(_("不能移到自身或自己的下级组织「%(name)s」之下") % {"name": parent.name})]
    if org.is_closed:
        return [Reason(_("该组织已撤销"))]
    return _check_parent(org.kind, parent)


def do_move(
    user: User, org: Organization | int, *, parent: Organization | int, on: date
) -> Organization:
    """Move an organization under another; its subtree moves with it (the tree is an adjacency
    list). Who approves its files follows the new tree: the nearest committee with approval
    authority above it is read from the tree whenever a file needs one."""
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        target = _lock(parent)
        _check(user, target)
        if reasons := move_refusals(locked, target):
            raise ActionRefused(reasons)
        changes = {"parent_id": [locked.parent_id, target.pk]}
        locked.parent = target
        locked.save(update_fields=["parent"])
        _updated(user, locked, on, changes)
    return locked


# -- merge and close ------------------------------------------------------------------------------


def move_members(
    from_org: Organization, to_org: Organization, on: date, *, recorded_by_id: int | None
) -> int:
    """Every member on `from_org`'s roster goes onto `to_org`'s, each as a dated `transferred`
    change of the member history (its own `member.transferred` event), so that a roster as of a
    date before the merge still shows them where they were; returns how many."""
    moving = list(active_members(from_org).order_by("pk"))
    for member in moving:
        record_member_change(
            member,
            ChangeKind.TRANSFERRED,
            on,
            org=to_org,
            reason="撤并",
            recorded_by_id=recorded_by_id,
        )
    return len(moving)


def merge_refusals(org: Organization, into: Organization) -> list[Reason]:
    if org.parent_id is None:
        return [Reason(_("根组织（区委）不能撤并"))]
    if org.is_closed:
        return [Reason(_("该组织已撤销"))]
    if into.pk == org.pk:
        return [Reason(_("不能并入自身"))]
    if into.is_closed:
        return [Reason(_("「%(name)s」已撤销，不能接收档案和党员") % {"name": into.name})]
    if into.pk in Organization.objects.subtree_ids([org.pk]):
        return [Reason(_("不能并入自己的下级组织「%(name)s」") % {"name": into.name})]
    reasons = []
    children = open_children(org).count()
    if children:
        reasons.append(
            Reason(
                _("还有 %(n)d 个下级组织：请先将其移动或撤并") % {"n": children},
            )
        )
    reasons += _links_refusal(org)
    holds = open_files([org.pk]).exists() or active_members(org).exists()
    if holds and into.kind != Kind.BRANCH:
        reasons.append(
            Reason(_("档案和党员只能并入党支部，「%(name)s」不是党支部") % {"name": into.name})
        )
    return reasons


@dataclass(frozen=True)
class Merged:
    files: int
    members: int


def do_merge(user: User, org: Organization | int, *, into: Organization | int, on: date) -> Merged:
    """撤并: every open file whose responsible organization is `org` moves to `into` (a
    `transfer-in` with the reason 撤并 on each file, as an in-district transfer, 细则 art. 12:
    cultivation time is continuous), every member on its roster too, and `org` is closed; one
    `org.merged` event records the counts."""
    from fazhan.people.record import project

    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        target = _lock(into)
        _check(user, target)
        if reasons := merge_refusals(locked, target):
            raise ActionRefused(reasons)
        files = list(open_files([locked.pk]).select_for_update().order_by("pk"))
        for candidate in files:
            append_event(
                kind="transfer-in",
                candidate_id=candidate.pk,
                happened_on=on,
                payload={
                    "from_org": locked.name,
                    "to_org": target.name,
                    "from_org_id": locked.pk,
                    "to_org_id": target.pk,
                    "reason": MERGE_REASON,
                },
                recorded_by_id=user.pk,
            )
            candidate.org = target
            candidate.save(update_fields=["org"])
            project(candidate)
        members = move_members(locked, target, on, recorded_by_id=user.pk)
        locked.closed_on = on
        locked.save(update_fields=["closed_on"])
        _event(
            user,
            "org.merged",
            on,
            {
                "org_id": locked.pk,
                "code": locked.code,
                "into_org_id": target.pk,
                "into_code": target.code,
                "files": len(files),
                "members": members,
                "closed_on": on.isoformat(),
            },
        )
    return Merged(files=len(files), members=members)


def close_refusals(org: Organization) -> list[Reason]:
    if org.parent_id is None:
        return [Reason(_("根组织（区委）不能撤销"))]
    if org.is_closed:
        return [Reason(_("该组织已于 %(date)s 撤销") % {"date": org.closed_on})]
    reasons = []
    files = list(open_files([org.pk]).select_related("person").order_by("pk"))
    if files:
        reasons.append(
            Reason(
                _("还有 %(n)d 份在办档案（%(names)s）：请先转出或撤并")
                % {"n": len(files), "names": _names(files)}
            )
        )
    members = active_members(org).count()
    if members:
        reasons.append(Reason(_("名册上还有 %(n)d 名党员：请先转出或撤并") % {"n": members}))
    children = open_children(org).count()
    if children:
        reasons.append(Reason(_("还有 %(n)d 个下级组织：请先将其移动或撤销") % {"n": children}))
    return reasons + _links_refusal(org)


def do_close(user: User, org: Organization | int, *, on: date) -> Organization:
    """撤销: refused while it holds open files, members on its roster or open children."""
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        if reasons := close_refusals(locked):
            raise ActionRefused(reasons)
        locked.closed_on = on
        locked.save(update_fields=["closed_on"])
        _updated(user, locked, on, {"closed_on": [None, on.isoformat()]})
    return locked


# -- the public contact (printed on the notices of the organizations below) -------------------


def do_set_contact(
    user: User, org: Organization | int, *, phone: str, address: str, on: date
) -> Organization:
    """The organization's telephone and address, printed as the superior committee's contact on
    the notices of the organizations below it (fazhan.notices.reportline). As for the
    secretary, the chain records only which of them changed (`org.updated`), never the values
    (the chain takes no telephone or address key: principle 8)."""
    with transaction.atomic():
        locked = _lock(org)
        _check(user, locked)
        phone, address = phone.strip(), address.strip()
        if len(phone) > 32 or len(address) > 200:
            raise ActionRefused(_("电话不超过 32 个字符，地址不超过 200 个字"))
        if phone and not all(c.isdigit() or c in "-+() " for c in phone):
            raise ActionRefused(_("联系电话只能包含数字和 - + ( ) 空格"))
        changes: dict[str, list[Any]] = {}
        if phone != locked.phone:
            changes["contact_tel"] = [bool(locked.phone), bool(phone)]
        if address != locked.address:
            changes["contact_post"] = [bool(locked.address), bool(address)]
        if not changes:
            raise ActionRefused(_("联系方式没有变化"))
        locked.phone, locked.address = phone, address
        locked.save(update_fields=["phone", "address"])
        _updated(user, locked, on, changes)
    return locked
