"""What committee and district staff record about a member (Issue 12 item 4), one `do_<verb>`
each: 留党察看 and the restoration of rights (党章 arts. 39–40), moving out of the district (转出),
death. Each is atomic, locks the member, checks the user's reach, refuses with the reason and
keeps the change through `record_member_change` (history, chain event, projection)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, NotVisible, Reason
from fazhan.members.history import record_member_change, state_on
from fazhan.members.models import ChangeKind, MemberChange
from fazhan.orgs.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

# 党章 art. 40: 留党察看最长不超过两年.
DISCIPLINE_PERIODS = (12, 24)


def _lock(user: User, member: Member | int) -> Member:
    pk = member if isinstance(member, int) else member.pk
    found = Member.objects.visible_to(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotVisible(_("没有这名党员"))
    if not authority(user).writes_as_committee(found.org_id):
        raise ActionRefused(
            _("党员的处分、转出和去世由党委或区委组织部工作人员登记，支部和只读账号不能登记")
        )
    return found


def _on_roster(member: Member, happened_on: date) -> None:
    if happened_on > dates.today():
        raise ActionRefused(
            _("日期 %(date)s 晚于今天，不能记录尚未发生的事") % {"date": happened_on}
        )
    if not state_on(member, happened_on).active:
        raise ActionRefused(
            _("%(name)s 在 %(date)s 不在党员名册中") % {"name": member.name, "date": happened_on}
        )
    later = (
        MemberChange.objects.filter(member=member, voided=False, happened_on__gt=happened_on)
        .exclude(kind__in=[ChangeKind.EXTENDED, ChangeKind.CONVERTED, ChangeKind.TRANSFERRED])
        .exists()
    )
    if later:
        raise ActionRefused(
            _("该党员在 %(date)s 之后已有登记的变动，请按时间顺序登记") % {"date": happened_on}
        )


def do_record_discipline(
    user: User, member: Member | int, *, happened_on: date, months: int, reason: str
) -> MemberChange:
    """留党察看 from `happened_on` for one or two years: no vote, no election, no standing for
    election meanwhile (党章 art. 40), and not an introducer (细则 art. 14)."""
    if months not in DISCIPLINE_PERIODS:
        raise ActionRefused(Reason(_("留党察看期限为一年或两年"), "党章第四十条"))
    if not reason.strip():
        raise ActionRefused(_("留党察看须写明处分决定（文号或事由）"))
    with transaction.atomic():
        locked = _lock(user, member)
        _on_roster(locked, happened_on)
        state = state_on(locked, happened_on)
        if state.under_discipline and not state.rights_restored:
            raise ActionRefused(_("该党员正在留党察看期间"))
        return record_member_change(
            locked,
            ChangeKind.DISCIPLINE,
            happened_on,
            months=months,
            reason=reason,
            recorded_by_id=user.pk,
        )


def do_restore_rights(
    user: User, member: Member | int, *, happened_on: date, reason: str = ""
) -> MemberChange:
    """恢复党员权利 at the end of (or during) 留党察看 (党章 art. 40)."""
    with transaction.atomic():
        locked = _lock(user, member)
        _on_roster(locked, happened_on)
        state = state_on(locked, happened_on)
        if not state.under_discipline or state.rights_restored:
            raise ActionRefused(
                _("%(name)s 在 %(date)s 未受留党察看处分，无须恢复党员权利")
                % {"name": locked.name, "date": happened_on}
            )
        return record_member_change(
            locked, ChangeKind.RESTORED, happened_on, reason=reason, recorded_by_id=user.pk
        )


def do_record_moved_away(
    user: User, member: Member | int, *, happened_on: date, reason: str
) -> MemberChange:
    """转出: the member's organizational relationship leaves the district; off the roster from
    that day."""
    if not reason.strip():
        raise ActionRefused(_("转出须写明转往的单位或介绍信编号"))
    with transaction.atomic():
        locked = _lock(user, member)
        _on_roster(locked, happened_on)
        return record_member_change(
            locked, ChangeKind.MOVED_AWAY, happened_on, reason=reason, recorded_by_id=user.pk
        )


def do_record_death(
    user: User, member: Member | int, *, happened_on: date, reason: str = ""
) -> MemberChange:
    """去世: off the roster from that day."""
    with transaction.atomic():
        locked = _lock(user, member)
        _on_roster(locked, happened_on)
        return record_member_change(
            locked, ChangeKind.DIED, happened_on, reason=reason, recorded_by_id=user.pk
        )
