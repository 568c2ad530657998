"""Counting one motion: the tellers' double entry, the monitor, the tally and its seal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.audit.chain import read_head
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings.actions.common import (
    _check_writer,
    _event,
    _live_gates,
    _lock_item,
    _lock_meeting,
    _require,
)
from fazhan.meetings.actions.officers import OFFICER_RULE, officers
from fazhan.meetings.models import (
    TALLIED,
    AgendaItem,
    CastBallot,
    Choice,
    ItemStatus,
    Meeting,
    MeetingStatus,
    OfficerRole,
    TellerCount,
    WrittenOpinion,
)
from fazhan.meetings.tally import VOID, Counts, Outcome, ballots_digest, outcome
from fazhan.orgs.models import Member
from fazhan.people.actions import Mode, do_record_step

if TYPE_CHECKING:
    from fazhan.accounts.models import User


# -- counting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountState:
    """Where the tellers are: the current round, its entries, and whether they agree."""

    round: int
    entries: list[TellerCount]
    agreed: TellerCount | None
    mismatch_rounds: int

    @property
    def tellers(self) -> list[int]:
        """The members (tellers) who entered a count this round."""
        return [e.teller_id for e in self.entries if e.teller_id is not None]

    @property
    def accounts(self) -> list[int]:
        """The accounts that entered this round's counts."""
        return [e.entered_by_id for e in self.entries]


def count_state(item: AgendaItem) -> CountState:
    rows = list(TellerCount.objects.filter(item=item).order_by("round", "pk"))
    if not rows:
        return CountState(1, [], None, 0)
    last = rows[-1].round
    entries = [r for r in rows if r.round == last]
    mismatched = sum(
        1
        for n in range(1, last + 1)
        if len(pair := [r for r in rows if r.round == n]) == 2
        and pair[0].counts() != pair[1].counts()
    )
    if len(entries) == 2:
        if entries[0].counts() == entries[1].counts():
            return CountState(last, entries, entries[0], mismatched)
        return CountState(last + 1, [], None, mismatched)  # recount: both enter again
    return CountState(last, entries, None, mismatched)


def _officer(meeting: Meeting, member: Member | int | None, role: str) -> Member:
    chosen = {m.pk: m for m in officers(meeting, role)}
    if not chosen:
        raise ActionRefused(
            Reason(_("尚未推选计票人和监票人：请先在会议页面从到会党员中推选"), OFFICER_RULE)
        )
    if member is None and role == OfficerRole.MONITOR and len(chosen) == 1:
        return next(iter(chosen.values()))
    member_id = member.pk if isinstance(member, Member) else member
    if member_id not in chosen:
        if role == OfficerRole.TELLER:
            raise ActionRefused(Reason(_("请选择本次会议推选的计票人"), OFFICER_RULE))
        raise ActionRefused(Reason(_("请选择本次会议推选的监票人"), OFFICER_RULE))
    return chosen[member_id]


def do_enter_count(
    user: User,
    item: AgendaItem | int,
    *,
    teller: Member | int | None,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    votes_for: int,
    against: int,
    abstain: int,
    e_issued: int = 0,
) -> TellerCount:
    """One teller's count: `teller` is a member chosen for the meeting, `user` the branch account
    that enters it (the same account may enter both tellers' counts, each on its own form, the
    other's never shown). Two tellers count independently; when their numbers differ both count
    again (a new round). More ballots returned than issued is entered as counted: it voids the
    vote at the close."""
    values = (issued, returned, valid, invalid, votes_for, against, abstain, e_issued)
    if any(v < 0 for v in values):
        raise ActionRefused(_("票数不能为负数"))
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        if locked.status != ItemStatus.COUNTING:
            raise ActionRefused(_("投票结束后才能计票"))
        state = count_state(locked)
        if state.agreed is not None:
            raise ActionRefused(_("两位计票人的结果已经一致，无须再录入"))
        counter = _officer(meeting, teller, OfficerRole.TELLER)
        if counter.pk in state.tellers:
            raise ActionRefused(
                _("本轮已录入计票人 %(name)s 的结果，另一位计票人须独立清点后录入")
                % {"name": counter.name}
            )
        problems: list[str] = []
        if valid != votes_for + against + abstain:
            problems.append(_("有效票数须等于赞成、反对、弃权之和"))
        if valid + invalid != returned:
            problems.append(_("有效票与无效票之和须等于收回的选票"))
        cast = CastBallot.objects.filter(item=locked).count()
        if locked.electronic:
            if e_issued < cast:
                problems.append(_("发出的电子票卡不能少于已投的电子票 %(n)s 张") % {"n": cast})
            if e_issued > locked.codes_generated:
                problems.append(
                    _("发出的电子票卡不能多于印制的 %(n)s 张") % {"n": locked.codes_generated}
                )
        elif e_issued:
            problems.append(_("该事项未使用电子票"))
        present = meeting.present or 0
        if issued + e_issued > present:
            problems.append(
                _("发出的选票和票卡共 %(issued)s 张，多于实到 %(present)s 人")
                % {"issued": issued + e_issued, "present": present}
            )
        if problems:
            raise ActionRefused([Reason(p) for p in problems])
        row = TellerCount.objects.create(
            item=locked,
            round=state.round,
            teller_id=counter.pk,
            entered_by=user,
            issued=issued,
            returned=returned,
            valid=valid,
            invalid=invalid,
            votes_for=votes_for,
            against=against,
            abstain=abstain,
            e_issued=e_issued,
        )
        _event(
            user,
            "meeting.teller.count",
            meeting,
            {
                "item_id": locked.pk,
                "round": state.round,
                "teller_id": counter.pk,
                "counts": list(row.counts()),
            },
            candidate_id=locked.candidate_id,
        )
    return row


def do_confirm_count(
    user: User, item: AgendaItem | int, *, monitor: Member | int | None = None
) -> None:
    """The monitor (监票人, a member chosen for the meeting, never a teller) confirms the agreed
    count; `user` is the branch account that enters the confirmation (`monitor` may be left out
    when the meeting chose one)."""
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        if locked.status != ItemStatus.COUNTING:
            raise ActionRefused(_("投票结束后才能确认计票"))
        state = count_state(locked)
        if state.agreed is None:
            raise ActionRefused(_("两位计票人的结果一致后，监票人才能确认"))
        checker = _officer(meeting, monitor, OfficerRole.MONITOR)
        if checker.pk in state.tellers:
            raise ActionRefused(Reason(_("监票人不能由计票人兼任"), OFFICER_RULE))
        if locked.confirmed_round == state.round:
            raise ActionRefused(_("本轮计票已经确认"))
        locked.confirmed_by = user
        locked.confirmed_monitor = checker
        locked.confirmed_round = state.round
        locked.save(update_fields=["confirmed_by", "confirmed_monitor", "confirmed_round"])
        _event(
            user,
            "meeting.count.confirmed",
            meeting,
            {"item_id": locked.pk, "round": state.round, "monitor_id": checker.pk},
            candidate_id=locked.candidate_id,
        )


def item_counts(meeting: Meeting, item: AgendaItem, agreed: TellerCount | None) -> Counts:
    """The motion's counts from the frozen electorate, the counted written opinions, the tellers'
    agreed paper count and the cast electronic ballots."""
    written = dict(
        WrittenOpinion.objects.filter(item=item, counted=True)
        .values_list("choice")
        .annotate(n=Count("id"))
    )
    cast = dict(CastBallot.objects.filter(item=item).values_list("choice").annotate(n=Count("id")))
    return Counts(
        expected=meeting.expected or 0,
        present=meeting.present or 0,
        written_for=written.get(Choice.FOR, 0),
        written_against=written.get(Choice.AGAINST, 0),
        written_abstain=written.get(Choice.ABSTAIN, 0),
        paper_issued=agreed.issued if agreed else 0,
        paper_returned=agreed.returned if agreed else 0,
        paper_valid=agreed.valid if agreed else 0,
        paper_invalid=agreed.invalid if agreed else 0,
        paper_for=agreed.votes_for if agreed else 0,
        paper_against=agreed.against if agreed else 0,
        paper_abstain=agreed.abstain if agreed else 0,
        e_generated=item.codes_generated,
        e_issued=agreed.e_issued if agreed else 0,
        e_for=cast.get(Choice.FOR, 0),
        e_against=cast.get(Choice.AGAINST, 0),
        e_abstain=cast.get(Choice.ABSTAIN, 0),
    )


def item_ballots(item: AgendaItem) -> list[tuple[Any, str]]:
    return list(CastBallot.objects.filter(item=item).values_list("id", "choice"))


def _step_payload(
    meeting: Meeting, item: AgendaItem, counts: Counts, result: Outcome, tally_seq: int
) -> dict[str, Any]:
    tellers = officers(meeting, OfficerRole.TELLER)
    monitors = officers(meeting, OfficerRole.MONITOR)
    payload: dict[str, Any] = {
        "result": result.result,
        "vote": {
            "expected": counts.expected,
            "present": counts.present,
            "for": counts.in_favour,
            "against": counts.against,
            "abstain": counts.abstain,
            "written_for": counts.written_for,
            "written_against": counts.written_against,
            "written_abstain": counts.written_abstain,
            "secret": True,  # 细则 art. 21; seed 票决制: 无记名投票
            "candidates": 1,  # 逐个表决: one candidate per motion, by construction
            "issued": counts.issued,
            "returned": counts.returned,
            "tellers": len(tellers),  # members chosen to count (two entered the agreed count)
            "monitors": len(monitors),  # members chosen to monitor (one confirmed it)
        },
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "tally_seq": tally_seq,
    }
    if item.outcome is not None:
        payload["outcome"] = item.outcome
    if item.extension_months is not None:
        payload["extension_months"] = item.extension_months
    if meeting.late_entry:
        payload["late_entry"] = True
    return payload


def do_close_item(user: User, item: AgendaItem | int, *, today: date | None = None) -> AgendaItem:
    """Announce the result on the spot (seed 票决制: 当场公布): compute the tally, append ONE
    `meeting.tally` chain event with the counts and the SHA-256 of the sorted (ballot id, choice)
    list, then record the candidate's S15 or S23 through the engine in the same transaction. If
    the engine refuses, nothing is closed. A vote with more ballots back than handed out is void:
    sealed the same way, no step recorded, and the motion may be put again."""
    today = today or dates.today()
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.OPEN)
        if locked.status != ItemStatus.COUNTING:
            raise ActionRefused(_("投票结束并计票后才能宣布结果"))
        state = count_state(locked)
        if state.agreed is None:
            raise ActionRefused(_("两位计票人的结果尚未一致"))
        if locked.confirmed_round != state.round:
            raise ActionRefused(_("监票人尚未确认计票结果"))
        if meeting.late_entry and meeting.late_approved_by_id is None:
            raise ActionRefused(_("补录须经第二人审核后才能记录结果"))
        counts = item_counts(meeting, locked, state.agreed)
        result = outcome(counts)
        if not result.closable:
            raise ActionRefused([Reason(p) for p in result.problems])
        if not meeting.late_entry and not result.void:
            reasons = _live_gates(locked, today)
            if reasons:
                raise ActionRefused(reasons)
        ballots = item_ballots(locked)
        digest = ballots_digest(ballots)
        stored = counts.as_payload()
        tally_seq = _event(
            user,
            "meeting.tally",
            meeting,
            {
                "item_id": locked.pk,
                "kind": locked.kind,
                "step": locked.step,
                "result": result.result,
                "counts": stored,
                "ballots": len(ballots),
                "ballots_sha256": digest,
                "tellers": sorted(state.tellers),
                "monitor": locked.confirmed_monitor_id,
                "entered_by": sorted(set(state.accounts)),
                "confirmed_by": locked.confirmed_by_id,
                "late_entry": meeting.late_entry,
            },
            candidate_id=locked.candidate_id,
        )
        step_seq = None
        if result.result != VOID:
            event = do_record_step(
                user,
                locked.candidate_id,
                step=locked.step,
                happened_on=meeting.held_on,
                payload=_step_payload(meeting, locked, counts, result, tally_seq),
                mode=Mode.PAST if meeting.late_entry else Mode.LIVE,
                today=today,
            )
            step_seq = event.seq
        locked.status = ItemStatus.VOID if result.void else ItemStatus.CLOSED
        locked.result = result.result or ""
        locked.tally = stored
        locked.ballots_sha256 = digest
        locked.tally_seq = tally_seq
        locked.step_seq = step_seq
        locked.head_hash = read_head().hash
        locked.closed_by = user
        locked.save(
            update_fields=[
                "status",
                "result",
                "tally",
                "ballots_sha256",
                "tally_seq",
                "step_seq",
                "head_hash",
                "closed_by",
            ]
        )
    return locked


def do_close_meeting(user: User, meeting: Meeting | int) -> Meeting:
    """End the meeting; motions never put to the vote leave the agenda."""
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.OPEN)
        if AgendaItem.objects.filter(
            meeting=locked, status__in=(ItemStatus.VOTING, ItemStatus.COUNTING)
        ).exists():
            raise ActionRefused(_("还有事项在投票或计票中，宣布结果后才能结束会议"))
        dropped = list(
            AgendaItem.objects.filter(meeting=locked, status=ItemStatus.PENDING).values_list(
                "pk", flat=True
            )
        )
        AgendaItem.objects.filter(pk__in=dropped).update(status=ItemStatus.WITHDRAWN)
        locked.status = MeetingStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        tallied = list(
            AgendaItem.objects.filter(meeting=locked, status__in=TALLIED).values_list(
                "pk", flat=True
            )
        )
        _event(user, "meeting.closed", locked, {"tallied": tallied, "withdrawn": dropped})
    return locked
