"""Voting on one motion: start, one-time codes, the secret ballot itself, end of balloting."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings import codes as code_tools
from fazhan.meetings.actions.common import (
    ART_20_21,
    BallotRefused,
    _check_writer,
    _event,
    _live_gates,
    _lock_item,
    _require,
)
from fazhan.meetings.models import (
    AgendaItem,
    BallotBoxEntry,
    BallotCode,
    CastBallot,
    Choice,
    ItemStatus,
    MeetingStatus,
)

if TYPE_CHECKING:
    from fazhan.accounts.models import User


# -- voting -----------------------------------------------------------------------------------


def do_start_voting(user: User, item: AgendaItem | int, *, today: date | None = None) -> None:
    """Put one motion to the vote; no other motion of the meeting may be open meanwhile."""
    today = today or dates.today()
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        if locked.status != ItemStatus.PENDING:
            raise ActionRefused(_("该事项不在待表决状态"))
        busy = AgendaItem.objects.filter(
            meeting=meeting, status__in=(ItemStatus.VOTING, ItemStatus.COUNTING)
        ).exclude(pk=locked.pk)
        if busy.exists():
            raise ActionRefused(Reason(_("上一个事项尚未宣布结果：须逐个表决"), "细则第二十一条"))
        if not meeting.late_entry:
            reasons = _live_gates(locked, today)
            if reasons:
                raise ActionRefused(reasons)
        locked.status = ItemStatus.VOTING
        locked.save(update_fields=["status"])
        _event(
            user,
            "meeting.vote.started",
            meeting,
            {"item_id": locked.pk},
            candidate_id=locked.candidate_id,
        )


def do_issue_codes(user: User, item: AgendaItem | int, *, count: int) -> list[str]:
    """Generate `count` one-time codes for the cards and return them, once, for printing; only
    their HMACs stay. Never more codes than voting members present (cast ≤ issued ≤ present)."""
    if count < 1:
        raise ActionRefused(_("票卡数量须为正数"))
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        if not locked.electronic:
            raise ActionRefused(_("该事项未使用会场电子票"))
        if locked.status != ItemStatus.VOTING:
            raise ActionRefused(_("只能在投票中印制票卡"))
        limit = meeting.present or 0
        if locked.codes_generated + count > limit:
            raise ActionRefused(
                Reason(
                    _("票卡总数不能超过有表决权的实到人数 %(limit)s（已印制 %(made)s 张）")
                    % {"limit": limit, "made": locked.codes_generated},
                    ART_20_21,
                )
            )
        made: dict[str, str] = {}
        taken = set(BallotCode.objects.filter(item=locked).values_list("code_hash", flat=True))
        while len(made) < count:
            code = code_tools.new_code()
            digest = code_tools.code_hash(code)
            if digest not in taken and digest not in made:
                made[digest] = code
        BallotCode.objects.bulk_create([BallotCode(item=locked, code_hash=h) for h in made])
        locked.codes_generated += count
        locked.save(update_fields=["codes_generated"])
        _event(
            user,
            "meeting.codes.issued",
            meeting,
            {"item_id": locked.pk, "count": count, "total": locked.codes_generated},
            candidate_id=locked.candidate_id,
        )
    plain = list(made.values())
    secrets.SystemRandom().shuffle(plain)  # the printed order says nothing either
    return plain


def do_cast_ballot(code: str, choice: str) -> None:
    """Cast one secret ballot with a one-time code (DESIGN principle 7). No user, no request, no
    chain event, no log: the code is accepted once (a conditional update from unused to used),
    a forged or replayed code is refused, and only while its motion is being voted on."""
    if choice not in Choice.values:
        raise BallotRefused(_("请选择赞成、反对或弃权"))
    canonical = code_tools.normalise(code)
    if canonical is None:
        raise BallotRefused(_("票卡号码无效"))
    digest = code_tools.code_hash(canonical)
    with transaction.atomic():
        found = BallotCode.objects.filter(code_hash=digest).values_list("pk", "item_id").first()
        if found is None:
            raise BallotRefused(_("票卡号码无效"))
        code_id, item_id = found
        # Locking the motion orders every cast against the end of balloting.
        status = (
            AgendaItem.objects.select_for_update()
            .filter(pk=item_id)
            .values_list("status", flat=True)
            .first()
        )
        if status != ItemStatus.VOTING:
            raise BallotRefused(_("该事项当前不在投票中"))
        if BallotCode.objects.filter(pk=code_id, used=False).update(used=True) != 1:
            raise BallotRefused(_("该票卡已经使用过"))
        BallotBoxEntry.objects.create(item_id=item_id, choice=choice)


def ballots_cast(item: AgendaItem) -> int:
    """Ballots cast on a motion so far: in the box while voting, sealed after."""
    return (
        BallotBoxEntry.objects.filter(item=item).count()
        + CastBallot.objects.filter(item=item).count()
    )


def _seal_box(item: AgendaItem) -> int:
    """Move the motion's ballots from the box to `CastBallot` in the order of their random ids,
    in one statement, and empty the box: what remains readable says nothing of the order they
    were cast in (Step 8 item 5; the database's own journal is out of scope). The item is no
    longer being voted on, so the box's trigger lets its rows go."""
    box = sorted(
        BallotBoxEntry.objects.filter(item=item).values_list("id", "choice"),
        key=lambda row: str(row[0]),
    )
    CastBallot.objects.bulk_create(
        [CastBallot(id=ballot_id, item=item, choice=choice) for ballot_id, choice in box]
    )
    BallotBoxEntry.objects.filter(item=item).delete()
    return len(box)


def do_end_balloting(user: User, item: AgendaItem | int) -> int:
    """Close the ballot box of a motion (no more casting); the tellers count next. A late entry
    goes straight from pending to counting: its ballots were cast on paper, long ago."""
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        allowed = {ItemStatus.VOTING} | ({ItemStatus.PENDING} if meeting.late_entry else set())
        if locked.status not in allowed:
            raise ActionRefused(_("该事项不在投票中"))
        if locked.status == ItemStatus.PENDING:
            busy = AgendaItem.objects.filter(
                meeting=meeting, status__in=(ItemStatus.VOTING, ItemStatus.COUNTING)
            ).exclude(pk=locked.pk)
            if busy.exists():
                raise ActionRefused(
                    Reason(_("上一个事项尚未宣布结果：须逐个表决"), "细则第二十一条")
                )
        locked.status = ItemStatus.COUNTING
        locked.save(update_fields=["status"])
        cast = _seal_box(locked)
        _event(
            user,
            "meeting.vote.ended",
            meeting,
            {"item_id": locked.pk, "cast": cast},
            candidate_id=locked.candidate_id,
        )
    return cast
