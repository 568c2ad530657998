"""Preparing a meeting and opening it: roll call, exclusions, agenda, written opinions, the
frozen electorate, and the second approver of a late entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings.actions.common import (
    ACTIVE_ITEM,
    ART_20_21,
    _check_writer,
    _event,
    _live_gates,
    _lock_item,
    _lock_meeting,
    _require,
    _roster,
    superior_org,
)
from fazhan.meetings.models import (
    Absence,
    AgendaItem,
    Attendance,
    Choice,
    ElectorateEntry,
    Exclusion,
    ExclusionReason,
    ItemKind,
    ItemStatus,
    Meeting,
    MeetingOfficer,
    MeetingStatus,
    WrittenOpinion,
)
from fazhan.orgs.models import Kind, Member, Organization
from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from fazhan.accounts.models import User


# -- preparing the meeting ---------------------------------------------------------------------


def do_create_meeting(
    user: User,
    *,
    org: Organization,
    held_on: date,
    place: str = "",
    late_entry: bool = False,
    late_reason: str = "",
    today: date | None = None,
) -> Meeting:
    """Call a branch general meeting. A live meeting is held today or later; a meeting already
    held on paper is entered as a late entry (补录), with its reason."""
    today = today or dates.today()
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))
    if org.kind != Kind.BRANCH:
        raise ActionRefused(Reason(_("支部大会由党支部召开"), ART_20_21))
    if late_entry:
        if not late_reason.strip():
            raise ActionRefused(_("补录须说明原因（系统当时为何不能使用）"))
        if held_on > today:
            raise ActionRefused(_("补录的会议日期不能晚于今天"))
    elif held_on < today:
        raise ActionRefused(
            _(
                "会议日期已过：系统不可用期间以纸质方式召开的会议，请走「补录」流程（须说明原因并经第二人审核）"
            )
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            org=org,
            held_on=held_on,
            place=place.strip(),
            created_by=user,
            late_entry=late_entry,
            late_reason=late_reason.strip(),
        )
        _event(user, "meeting.created", meeting, {"org_id": org.pk, "late_entry": late_entry})
    return meeting


def do_set_roll_call(
    user: User,
    meeting: Meeting | int,
    *,
    present_ids: Iterable[int] = (),
    absences: Mapping[int, tuple[str, str]] | None = None,
    all_present: bool = False,
) -> None:
    """The sign-in sheet (签到): who of the branch roster is present. With `all_present` (全部到会)
    everyone is present but the exceptions in `absences` (member id → leave or absent, and the
    reason); otherwise those in `present_ids`, and anyone else is absent (with the reason given,
    if any). Each change is an event (ids and codes; the reasons stay on the sheet)."""
    absences = dict(absences or {})
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT)
        roster = _roster(locked)
        present = set(roster) - set(absences) if all_present else set(present_ids)
        unknown = (present | set(absences)) - roster.keys()
        if unknown:
            raise ActionRefused(_("签到名单中有不在本支部名册上的党员"))
        if present & set(absences):
            raise ActionRefused(_("同一名党员不能既到会又请假或缺席"))
        if any(kind not in Absence.values for kind, _note in absences.values()):
            raise ActionRefused(_("未到会只能是请假或缺席"))
        serving = MeetingOfficer.objects.filter(meeting=locked).exclude(member_id__in=present)
        if serving.exists():
            names = "、".join(o.member.name for o in serving.select_related("member"))
            raise ActionRefused(
                _("%(names)s 已被推选为计票人或监票人，须先改选才能登记为未到会") % {"names": names}
            )
        existing = {a.member_id: a for a in Attendance.objects.filter(meeting=locked)}
        for member_id in roster:
            is_present = member_id in present
            kind, note = absences.get(member_id, ("", ""))
            if not is_present and not kind:
                kind = Absence.ABSENT
            values = {"present": is_present, "absence": kind, "absence_note": note.strip()[:200]}
            row = existing.get(member_id)
            if row is None:
                Attendance.objects.create(meeting=locked, member_id=member_id, **values)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save(update_fields=list(values))
        _event(
            user,
            "meeting.roll",
            locked,
            {
                "present": sorted(present),
                "leave": sorted(i for i, (k, _n) in absences.items() if k == Absence.LEAVE),
            },
        )


def do_propose_exclusion(
    user: User,
    meeting: Meeting | int,
    *,
    member: Member | int,
    reason: str,
    note: str = "",
) -> Exclusion:
    """Propose leaving a voting member out of the expected number (rules-reference §2): it needs
    the superior organization's consent and the meeting's adoption before it counts."""
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT)
        member_id = member if isinstance(member, int) else member.pk
        found = _roster(locked).get(member_id)
        if found is None:
            raise ActionRefused(_("该党员不在本支部名册上"))
        if not found.may_vote:
            raise ActionRefused(
                Reason(_("该党员本无表决权，不在应到人数之内，无须排除"), "党章第七条、第四十条")
            )
        if reason not in ExclusionReason.values:
            raise ActionRefused(_("不计入应到人数的原因不在规定范围内"))
        if Exclusion.objects.filter(meeting=locked, member_id=member_id, withdrawn=False).exists():
            raise ActionRefused(_("该党员已在不计入应到人数的名单中"))
        exclusion = Exclusion.objects.create(
            meeting=locked, member_id=member_id, reason=reason, note=note.strip(), proposed_by=user
        )
        _event(
            user,
            "meeting.exclusion.proposed",
            locked,
            {"exclusion_id": exclusion.pk, "member_id": member_id, "reason": reason},
        )
    return exclusion


def do_consent_exclusion(
    user: User, exclusion: Exclusion | int, *, consent_on: date | None = None
) -> Exclusion:
    """The superior organization consents (经报上级党组织同意), recorded from its own account."""
    pk = exclusion if isinstance(exclusion, int) else exclusion.pk
    with transaction.atomic():
        meeting_id = Exclusion.objects.values_list("meeting_id", flat=True).get(pk=pk)
        locked = _lock_meeting(meeting_id)
        if not Meeting.objects.visible_to(user).filter(pk=locked.pk).exists():
            raise Http404(_("没有找到该支部大会。"))
        _require(locked, MeetingStatus.DRAFT)
        row = Exclusion.objects.select_for_update().get(pk=pk)
        if row.withdrawn:
            raise ActionRefused(_("该项已撤回"))
        if row.consent_by_id is not None:
            raise ActionRefused(_("上级党组织已经同意过该项"))
        superior = superior_org(user, locked)
        if superior is None:
            raise ActionRefused(
                Reason(
                    _("须由上级党组织的账号确认同意，支部不能自行同意"),
                    "不计入应到会人数须经上级党组织同意并经党员大会通过",
                )
            )
        when = consent_on or dates.today()
        if when > dates.today():
            raise ActionRefused(_("同意日期不能晚于今天"))
        row.consent_by = user
        row.consent_on = when
        row.consent_org = superior
        row.save(update_fields=["consent_by", "consent_on", "consent_org"])
        _event(
            user,
            "meeting.exclusion.consented",
            locked,
            {"exclusion_id": row.pk, "member_id": row.member_id, "org_id": superior.pk},
        )
    return row


def do_withdraw_exclusion(user: User, exclusion: Exclusion | int) -> None:
    pk = exclusion if isinstance(exclusion, int) else exclusion.pk
    with transaction.atomic():
        meeting_id = Exclusion.objects.values_list("meeting_id", flat=True).get(pk=pk)
        locked = _lock_meeting(meeting_id)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT)
        row = Exclusion.objects.select_for_update().get(pk=pk)
        if row.withdrawn:
            return
        row.withdrawn = True
        row.save(update_fields=["withdrawn"])
        _event(
            user,
            "meeting.exclusion.withdrawn",
            locked,
            {"exclusion_id": row.pk, "member_id": row.member_id},
        )


def do_add_item(
    user: User,
    meeting: Meeting | int,
    *,
    candidate: Candidate | int,
    kind: str,
    extension_months: int | None = None,
    electronic: bool = False,
    today: date | None = None,
) -> AgendaItem:
    """Put one candidate's motion on the agenda (细则 art. 21: one candidate at a time). While the
    meeting is open only a vote declared void is held again."""
    today = today or dates.today()
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT, MeetingStatus.OPEN)
        pk = candidate if isinstance(candidate, int) else candidate.pk
        found = (
            Candidate.objects.select_related("person").filter(pk=pk, org_id=locked.org_id).first()
        )
        if found is None:
            raise ActionRefused(_("只能表决本支部的发展对象或预备党员"))
        if kind not in ItemKind.values:
            raise ActionRefused(_("未知的表决事项"))
        if kind == ItemKind.EXTENSION:
            if extension_months is None or not 6 <= extension_months <= 12:
                raise ActionRefused(
                    Reason(
                        _("延长预备期不能少于半年，最长不超过一年"), "细则第三十二条；党章第七条"
                    )
                )
        else:
            extension_months = None
        if electronic and locked.late_entry:
            raise ActionRefused(_("补录的会议只录入纸质计票结果，不能使用会场电子票"))
        if AgendaItem.objects.filter(
            meeting=locked, candidate_id=pk, status__in=ACTIVE_ITEM
        ).exists():
            raise ActionRefused(_("该同志已在本次会议的议程中（每人每次只表决一次，无效重投除外）"))
        void = (
            AgendaItem.objects.filter(meeting=locked, candidate_id=pk, status=ItemStatus.VOID)
            .order_by("-pk")
            .first()
        )
        if locked.is_open and void is None:
            raise ActionRefused(_("会议开始后不能增加议程，只能对表决无效的事项重新表决"))
        position = (
            (AgendaItem.objects.filter(meeting=locked).aggregate(m=Max("position"))["m"]) or 0
        )
        item = AgendaItem(
            meeting=locked,
            position=position + 1,
            candidate=found,
            kind=kind,
            extension_months=extension_months,
            electronic=electronic,
        )
        if locked.is_open and not locked.late_entry:
            reasons = _live_gates(item, today)
            if reasons:
                raise ActionRefused(reasons)
        item.save()
        if void is not None:
            # The written opinions handed in for this candidate still stand for the new vote.
            for opinion in WrittenOpinion.objects.filter(item=void):
                WrittenOpinion.objects.create(
                    item=item,
                    member_id=opinion.member_id,
                    choice=opinion.choice,
                    received_on=opinion.received_on,
                    recorded_by_id=opinion.recorded_by_id,
                    counted=opinion.counted,
                )
        _event(
            user,
            "meeting.item.added",
            locked,
            {"item_id": item.pk, "kind": kind, "revote_of": void.pk if void else None},
            candidate_id=pk,
        )
    return item


def do_withdraw_item(user: User, item: AgendaItem | int) -> None:
    """Take a motion off the agenda before its vote starts."""
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        if locked.status != ItemStatus.PENDING:
            raise ActionRefused(_("只能撤出尚未开始表决的事项"))
        locked.status = ItemStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        _event(
            user,
            "meeting.item.withdrawn",
            meeting,
            {"item_id": locked.pk},
            candidate_id=locked.candidate_id,
        )


def do_record_opinion(
    user: User,
    item: AgendaItem | int,
    *,
    member: Member | int,
    choice: str,
    received_on: date,
) -> WrittenOpinion:
    """细则 art. 21: a written opinion handed in before the meeting by a voting member who cannot
    attend, recorded by name. Whether it counts is settled at the opening (absent and expected)."""
    with transaction.atomic():
        meeting, locked = _lock_item(item)
        _check_writer(user, meeting)
        _require(meeting, MeetingStatus.DRAFT)
        if locked.status != ItemStatus.PENDING:
            raise ActionRefused(_("该事项不在待表决状态"))
        member_id = member if isinstance(member, int) else member.pk
        found = _roster(meeting).get(member_id)
        if found is None:
            raise ActionRefused(_("该党员不在本支部名册上"))
        if not found.may_vote:
            raise ActionRefused(
                Reason(_("只有有表决权的正式党员的书面意见才能统计在票数内"), "细则第二十一条")
            )
        if choice not in Choice.values:
            raise ActionRefused(_("书面意见只能是赞成、反对或弃权"))
        if received_on > meeting.held_on:
            raise ActionRefused(Reason(_("书面意见须在支部大会召开前正式提出"), "细则第二十一条"))
        if WrittenOpinion.objects.filter(item=locked, member_id=member_id).exists():
            raise ActionRefused(_("该党员对本事项的书面意见已经登记"))
        opinion = WrittenOpinion.objects.create(
            item=locked,
            member_id=member_id,
            choice=choice,
            received_on=received_on,
            recorded_by=user,
        )
        _event(
            user,
            "meeting.opinion.recorded",
            meeting,
            {"item_id": locked.pk, "member_id": member_id, "choice": choice},
            candidate_id=locked.candidate_id,
        )
    return opinion


# -- opening: the electorate freezes -----------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What the electorate would be if the meeting opened now (for the page and for opening)."""

    voters: list[Member]
    non_voters: list[Member]
    present_ids: set[int]
    excluded: list[Exclusion]
    expected: int
    present: int


def electorate_preview(meeting: Meeting, adopted_ids: Iterable[int] | None = None) -> Preview:
    """应到 and 实到 from the roster, the roll call and the exclusions (all consented ones
    when `adopted_ids` is None, i.e. as proposed)."""
    roster = sorted(_roster(meeting).values(), key=lambda m: (m.name, m.pk))
    present = set(
        Attendance.objects.filter(meeting=meeting, present=True).values_list("member_id", flat=True)
    )
    exclusions = list(
        Exclusion.objects.filter(meeting=meeting, withdrawn=False).select_related("member")
    )
    adopted = (
        {e.pk for e in exclusions if e.consent_by_id} if adopted_ids is None else set(adopted_ids)
    )
    excluded = [e for e in exclusions if e.pk in adopted]
    excluded_ids = {e.member_id for e in excluded}
    voters = [m for m in roster if m.may_vote]
    expected = [m for m in voters if m.pk not in excluded_ids]
    return Preview(
        voters=voters,
        non_voters=[m for m in roster if not m.may_vote],
        present_ids=present,
        excluded=excluded,
        expected=len(expected),
        present=sum(1 for m in expected if m.pk in present),
    )


def do_open_meeting(
    user: User,
    meeting: Meeting | int,
    *,
    adopted_exclusion_ids: Iterable[int] = (),
    today: date | None = None,
) -> Meeting:
    """Open the meeting: the roll call, the electorate and the exclusions the meeting adopted
    freeze here (background §A.2 threat 1: the denominator is an approved artefact, not a number
    typed in), and written opinions are settled (counted only for expected members who are
    absent). A live meeting opens on its day; every motion must pass its gates."""
    today = today or dates.today()
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        _require(locked, MeetingStatus.DRAFT)
        reasons: list[Reason] = []
        if not locked.late_entry and locked.held_on != today:
            reasons.append(
                Reason(_("会议日期为 %(date)s，只能在当天开始会议") % {"date": locked.held_on})
            )
        items = list(
            AgendaItem.objects.filter(meeting=locked, status=ItemStatus.PENDING).select_related(
                "candidate", "candidate__person"
            )
        )
        if not items:
            reasons.append(Reason(_("议程中没有待表决的事项")))
        if not Attendance.objects.filter(meeting=locked).exists():
            reasons.append(Reason(_("尚未签到：请先登记到会情况"), "细则第二十条"))
        exclusions = list(
            Exclusion.objects.filter(meeting=locked, withdrawn=False).select_related("member")
        )
        adopted = set(adopted_exclusion_ids)
        for exclusion in exclusions:
            if exclusion.consent_by_id is None:
                reasons.append(
                    Reason(
                        _("%(name)s 不计入应到人数尚未经上级党组织同意（请撤回或待同意）")
                        % {"name": exclusion.member.name},
                        "不计入应到会人数须经上级党组织同意并经党员大会通过",
                    )
                )
        unknown = adopted - {e.pk for e in exclusions}
        if unknown:
            reasons.append(Reason(_("通过的排除名单与提出的不符")))
        preview = electorate_preview(locked, adopted)
        for exclusion in preview.excluded:
            if exclusion.member_id in preview.present_ids:
                reasons.append(
                    Reason(
                        _("%(name)s 已到会，不能从应到人数中排除")
                        % {"name": exclusion.member.name},
                        ART_20_21,
                    )
                )
        if not locked.late_entry:
            for item in items:
                reasons.extend(_live_gates(item, today))
        if reasons:
            raise ActionRefused(reasons)
        excluded_ids = {e.member_id for e in preview.excluded}
        roster = [*preview.voters, *preview.non_voters]
        ElectorateEntry.objects.bulk_create(
            [
                ElectorateEntry(
                    meeting=locked,
                    member=m,
                    status=m.status,
                    under_discipline=m.under_discipline,
                    rights_restored=m.rights_restored,
                    may_vote=m.may_vote,
                    excluded=m.pk in excluded_ids,
                    present=m.pk in preview.present_ids,
                )
                for m in roster
            ]
        )
        for exclusion in exclusions:
            exclusion.adopted = exclusion.pk in adopted
            exclusion.save(update_fields=["adopted"])
        expected_ids = {m.pk for m in preview.voters if m.pk not in excluded_ids}
        absent_expected = expected_ids - preview.present_ids
        for opinion in WrittenOpinion.objects.filter(item__meeting=locked):
            opinion.counted = opinion.member_id in absent_expected
            opinion.save(update_fields=["counted"])
        locked.status = MeetingStatus.OPEN
        locked.opened_at = timezone.now()
        locked.opened_by = user
        locked.expected = preview.expected
        locked.present = preview.present
        locked.opened_seq = _event(
            user,
            "meeting.opened",
            locked,
            {
                "expected": preview.expected,
                "present": preview.present,
                "electorate": sorted(expected_ids),
                "present_ids": sorted(expected_ids & preview.present_ids),
                "excluded": [
                    {"exclusion_id": e.pk, "member_id": e.member_id, "reason": e.reason}
                    for e in preview.excluded
                ],
                "not_adopted": sorted(e.pk for e in exclusions if e.pk not in adopted),
                "items": [i.pk for i in items],
            },
        )
        locked.save(
            update_fields=["status", "opened_at", "opened_by", "expected", "present", "opened_seq"]
        )
    return locked


def do_approve_late_entry(user: User, meeting: Meeting | int) -> Meeting:
    """The second person of a late entry (background §A.2 threat 2; ASVS 2.3.5): another account
    with a writing role over the branch confirms the paper meeting is entered as held."""
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_writer(user, locked)
        if not locked.late_entry:
            raise ActionRefused(_("只有补录的会议需要第二人审核"))
        if locked.late_approved_by_id is not None:
            raise ActionRefused(_("该补录已经审核"))
        if locked.created_by_id == user.pk:
            raise ActionRefused(_("补录须由录入人以外的另一人审核"))
        locked.late_approved_by = user
        locked.late_approved_at = timezone.now()
        locked.save(update_fields=["late_approved_by", "late_approved_at"])
        _event(user, "meeting.late_entry.approved", locked, {})
    return locked
