"""What people do with a row of the register, one `do_<verb>` each (DESIGN principle 5).

The engine opens and closes rows by itself (fazhan.accountability.register); people add what the
engine cannot know: the organization's explanation of a breach, and the superior committee's
conclusion that closes it (区委意见 "责任追究制"). Each is one chain event on the file, carrying the
row's id and the finding's key, never the text (principle 8: the text stays in the register).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.accountability.models import ClosedBecause, Irregularity, State
from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, NotVisible

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

# Long enough to say something (a conclusion is read by the inspectors), short enough for a form.
MIN_TEXT = 10
MAX_TEXT = 2000


def get_irregularity_for_user(user: User, pk: Any) -> Irregularity:
    try:
        return (
            Irregularity.objects.visible_to(user)
            .select_related("candidate__person", "org")
            .get(pk=pk)
        )
    except (Irregularity.DoesNotExist, ValueError, TypeError):
        raise NotVisible from None


def _locked(user: User, row: Irregularity | int) -> Irregularity:
    pk = row if isinstance(row, int) else row.pk
    get_irregularity_for_user(user, pk)  # outside the reach: 404, before any lock is taken
    return Irregularity.objects.select_for_update().get(pk=pk)


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_TEXT:
        raise ActionRefused(
            _("请填写%(what)s（至少 %(n)s 个字）。") % {"what": what, "n": MIN_TEXT}
        )
    if len(text) > MAX_TEXT:
        raise ActionRefused(_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": MAX_TEXT})
    return text


def _event(user: User, row: Irregularity, verb: str) -> None:
    append_event(
        kind=f"irregularity.{verb}",
        candidate_id=row.candidate_id,
        happened_on=dates.today(),
        payload={
            "irregularity_id": row.pk,
            "org_id": row.org_id,
            "finding": row.finding,
            "step": row.step,
            "finding_date": row.finding_date.isoformat(),
            "state": row.state,
        },
        recorded_by_id=user.pk,
    )


def may_explain(user: User, row: Irregularity) -> bool:
    """The organization where the breach happened, or any organization above it, explains."""
    return authority(user).may_write(row.org_id)


def may_close(user: User, row: Irregularity) -> bool:
    """Only a committee above the organization (or the district) concludes: a branch does not
    close its own breach (责任追究制: the superior holds the lower level to account)."""
    power = authority(user)
    return power.writes_as_committee(row.org_id) and row.org_id not in power.branch_ids()


@transaction.atomic
def do_explain_irregularity(user: User, row: Irregularity | int, *, text: str) -> Irregularity:
    locked = _locked(user, row)
    if not may_explain(user, locked):
        raise ActionRefused(_("只有该组织或其上级组织的工作人员可以填写情况说明。"))
    if locked.state == State.CLOSED:
        raise ActionRefused(_("该记录已关闭，不能再填写情况说明。"))
    locked.explanation = _text(text, _("情况说明"))
    if locked.state == State.OPEN:
        locked.state = State.EXPLAINED
    locked.save(update_fields=["explanation", "state"])
    _event(user, locked, "explained")
    return locked


@transaction.atomic
def do_close_irregularity(user: User, row: Irregularity | int, *, conclusion: str) -> Irregularity:
    locked = _locked(user, row)
    if not may_close(user, locked):
        raise ActionRefused(_("只有上级党委或区委组织部的工作人员可以作出处理结论并关闭。"))
    if locked.state == State.CLOSED:
        raise ActionRefused(_("该记录已关闭。"))
    if locked.state == State.CASE:
        raise ActionRefused(_("该记录正在立案处理中，请在案件中作出处理结论。"))
    locked.conclusion = _text(conclusion, _("处理结论"))
    locked.state = State.CLOSED
    locked.closed_on = dates.today()
    locked.closed_because = ClosedBecause.DECIDED
    locked.save(update_fields=["conclusion", "state", "closed_on", "closed_because"])
    _event(user, locked, "closed")
    return locked
