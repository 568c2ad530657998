"""Every mutation of a notice and of its feedback, one `do_<verb>` each (DESIGN principle 5).

Each is atomic, checks the user's reach over the publishing organization (principle 6), and appends
to the chain: the N-* event of each candidate through `fazhan.people.actions.do_record_step`, so
that the engine gates it live (principle 4), and this app's own events with ids only (principle 8).
Feedback state changes are `notice.feedback` events (`fazhan.people.record.FEEDBACK_KIND`): that is
how the engine sees an open or upheld item and refuses the decision (contracts §3
`notice.objection_open`, seed 三（四）公示制 "畅通反馈渠道").
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority, writers_for
from fazhan.audit.chain import append_event, read_head
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.notices.models import (
    CLOSING_STATES,
    STAGE_FOR_KIND,
    Feedback,
    FeedbackAddition,
    FeedbackState,
    Notice,
    NoticeEntry,
    NoticeKind,
    NoticeStatus,
)
from fazhan.orgs.models import Organization
from fazhan.people.actions import do_record_step
from fazhan.people.models import Candidate, Stage
from fazhan.people.record import FEEDBACK_KIND, project
from fazhan.policy.calendar import shipped_table
from fazhan.policy.data import load_policy

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from fazhan.accounts.models import User

    UserLike = AbstractBaseUser

PUBLICITY = "区委意见：公示制"
# 128 bits at least (background §C.5): 17 random bytes = 136 bits, written in RFC 4648 base32
# (A–Z, 2–7: no 0/O or 1/I to misread) in groups of four, to be copied by hand from a phone.
RECEIPT_BYTES = 17
TEXT_LIMIT = 2000


# -- the period -----------------------------------------------------------------------------------


def notice_end(first_day: date, working_days: int) -> date:
    """The last day (inclusive) of a notice of `working_days` working days from `first_day`.

    Counted with the holiday table (statutory holidays off, 调休 workdays on; contracts §3). Where
    the district has confirmed a year in the database that the shipped table lacks, both are
    counted and the later end is taken, so neither count can call the notice short.
    """
    end = shipped_table().add_workdays(first_day, working_days)
    try:
        from fazhan.holidays.table import current_table
    except ImportError:  # pragma: no cover - the holidays app is part of the project
        return end
    return max(end, current_table().add_workdays(first_day, working_days))


def offered_kinds() -> list[NoticeKind]:
    """The notice kinds this district publishes: the policy's notice stages (seed: activist,
    target, conversion), plus admission where a locality adds it (settings.FAZHAN_ADMISSION_NOTICE,
    rules-reference §3.1 local variants)."""
    stages = set(load_policy().notice_stages)
    if getattr(settings, "FAZHAN_ADMISSION_NOTICE", False):
        stages.add("admission")
    order = {"activist": 0, "target": 1, "admission": 2, "conversion": 3}
    kinds = [NoticeKind(n.type) for n in load_policy().notices.values() if n.stage in stages]
    return sorted(kinds, key=lambda k: order.get(load_policy().notices[k].stage, 9))


def minimum_working_days() -> int:
    return load_policy().notice_min_working_days


# -- who may act ----------------------------------------------------------------------------------


def _require_writer(user: UserLike, org: Organization) -> None:
    if not Organization.objects.visible_to(user).filter(pk=org.pk).exists():
        raise Http404(_("没有这个组织"))
    if not authority(user).may_write(org.pk):
        raise ActionRefused(_("只读账号不能办理公示"))


def can_manage(user: UserLike, notice: Notice) -> bool:
    return authority(user).may_write(notice.org_id)


def _locked_notice(notice: Notice | int) -> Notice:
    pk = notice if isinstance(notice, int) else notice.pk
    return Notice.objects.select_for_update().select_related("org").get(pk=pk)


def _lock_candidate(pk: int) -> Candidate:
    return Candidate.objects.select_for_update().select_related("person", "org").get(pk=pk)


# -- notices --------------------------------------------------------------------------------------


def _busy(candidate: Candidate, kind: str, today: date) -> bool:
    """Already on a draft or running notice of the same kind."""
    return (
        NoticeEntry.objects.filter(candidate=candidate, notice__kind=kind)
        .exclude(notice__status=NoticeStatus.CANCELLED)
        .exclude(notice__status=NoticeStatus.PUBLISHED, notice__end__lt=today)
        .exists()
    )


def _check_candidate(
    user: UserLike, org: Organization, kind: str, candidate: Candidate, today: date
) -> Candidate:
    if not Candidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise Http404(_("没有这份档案"))
    name = candidate.person.name
    if candidate.org_id not in Organization.objects.subtree_ids([org.pk]):
        raise ActionRefused(
            _("%(name)s不属于%(org)s，不能由其公示") % {"name": name, "org": org.name}
        )
    wanted = STAGE_FOR_KIND[NoticeKind(kind)]
    if candidate.stage != wanted:
        raise ActionRefused(
            Reason(
                _("%(name)s目前是%(stage)s，%(notice)s的对象应为%(wanted)s")
                % {
                    "name": name,
                    "stage": candidate.get_stage_display(),
                    "notice": NoticeKind(kind).label,
                    "wanted": Stage(wanted).label,
                },
                PUBLICITY,
            )
        )
    if candidate.suspended:
        raise ActionRefused(
            Reason(
                _("%(name)s的档案已暂缓，恢复前不能公示") % {"name": name}, "rules-reference §4.7"
            )
        )
    if _busy(candidate, kind, today):
        raise ActionRefused(_("%(name)s已在另一份同类公示中") % {"name": name})
    return candidate


def do_create_notice(
    user: User,
    *,
    org: Organization,
    kind: str,
    candidates: Sequence[Candidate | int],
    contact: str,
    working_days: int | None = None,
    today: date | None = None,
) -> Notice:
    """A draft notice for one or several candidates of `org`'s subtree at one stage."""
    _require_writer(user, org)
    if kind not in offered_kinds():
        raise ActionRefused(_("本地区不发布这一类公示"))
    minimum = minimum_working_days()
    days = minimum if working_days is None else working_days
    if days < minimum:
        raise ActionRefused(
            Reason(_("公示期不得少于 %(n)s 个工作日") % {"n": minimum}, "本地规定（政策参数）")
        )
    if not contact.strip():
        raise ActionRefused(_("须写明反馈方式（组织的办公电话、地址）"))
    if not candidates:
        raise ActionRefused(_("至少选择一名公示对象"))
    today = today or dates.today()
    with transaction.atomic():
        ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in candidates))
        rows = {
            c.pk: c
            for c in Candidate.objects.select_for_update()
            .select_related("person", "org")
            .filter(pk__in=ids)
        }
        if len(rows) != len(ids):
            raise Http404(_("没有这份档案"))
        checked = [_check_candidate(user, org, kind, rows[pk], today) for pk in ids]
        notice = Notice.objects.create(
            kind=kind,
            org=org,
            working_days=days,
            token=secrets.token_urlsafe(16),
            contact=contact.strip(),
            created_by=user,
        )
        for position, candidate in enumerate(checked):
            NoticeEntry.objects.create(notice=notice, candidate=candidate, position=position)
        append_event(
            kind="notice.created",
            candidate_id=None,
            happened_on=today,
            payload={
                "notice_id": notice.pk,
                "org_id": org.pk,
                "type": kind,
                "candidate_ids": [c.pk for c in checked],
                "working_days": days,
            },
            recorded_by_id=user.pk,
        )
    return notice


def do_record_consent(
    user: User, entry: NoticeEntry, *, consented_on: date, today: date | None = None
) -> NoticeEntry:
    """The candidate agreed to the disclosure (recorded before publication; the signed paper stays
    in the file). One `notice.consent` event, ids only."""
    today = today or dates.today()
    with transaction.atomic():
        notice = _locked_notice(entry.notice_id)
        _require_writer(user, notice.org)
        row = NoticeEntry.objects.select_for_update().get(pk=entry.pk)
        if notice.status != NoticeStatus.DRAFT:
            raise ActionRefused(_("公示已发布或已撤销，不能再登记同意"))
        if consented_on > today:
            raise ActionRefused(_("日期 %(date)s 晚于今天") % {"date": consented_on})
        if row.consent_at is not None:
            return row
        event = append_event(
            kind="notice.consent",
            candidate_id=row.candidate_id,
            happened_on=consented_on,
            payload={"notice_id": notice.pk, "entry_id": row.pk},
            recorded_by_id=user.pk,
        )
        row.consent_at = timezone.now()
        row.consent_on = consented_on
        row.consent_by = user
        row.consent_seq = event.seq
        row.save(update_fields=["consent_at", "consent_on", "consent_by", "consent_seq"])
    return row


def do_remove_entry(user: User, entry: NoticeEntry) -> None:
    """Take a candidate off a draft (before publication nothing was disclosed)."""
    with transaction.atomic():
        notice = _locked_notice(entry.notice_id)
        _require_writer(user, notice.org)
        if notice.status != NoticeStatus.DRAFT:
            raise ActionRefused(_("已发布的公示不能删减对象"))
        append_event(
            kind="notice.entry_removed",
            candidate_id=entry.candidate_id,
            happened_on=dates.today(),
            payload={"notice_id": notice.pk, "entry_id": entry.pk},
            recorded_by_id=user.pk,
        )
        NoticeEntry.objects.filter(pk=entry.pk).delete()


def do_cancel_notice(user: User, notice: Notice, *, reason: str) -> Notice:
    """Abandon a draft. A published notice stays: its N-* events are facts of the record."""
    if not reason.strip():
        raise ActionRefused(_("撤销须说明理由"))
    with transaction.atomic():
        locked = _locked_notice(notice)
        _require_writer(user, locked.org)
        if locked.status != NoticeStatus.DRAFT:
            raise ActionRefused(_("只能撤销尚未发布的公示"))
        append_event(
            kind="notice.cancelled",
            candidate_id=None,
            happened_on=dates.today(),
            payload={"notice_id": locked.pk},
            recorded_by_id=user.pk,
        )
        locked.status = NoticeStatus.CANCELLED
        locked.save(update_fields=["status"])
    return locked


def do_publish_notice(
    user: User, notice: Notice, *, first_day: date | None = None, today: date | None = None
) -> Notice:
    """Publish: compute the end, append each candidate's N-* event live (the engine may refuse it,
    with the reason and the article), and open the public page from the first day to the end."""
    today = today or dates.today()
    first = first_day or today
    with transaction.atomic():
        locked = _locked_notice(notice)
        _require_writer(user, locked.org)
        if locked.status != NoticeStatus.DRAFT:
            raise ActionRefused(_("这份公示已发布或已撤销"))
        entries = list(locked.entries.select_related("candidate__person").order_by("position"))
        if not entries:
            raise ActionRefused(_("公示没有对象"))
        missing = [e.candidate.person.name for e in entries if e.consent_at is None]
        if missing:
            raise ActionRefused(
                Reason(
                    _("尚未登记本人同意公示：%(names)s") % {"names": "、".join(missing)},
                    "个人信息保护：公开前须经本人同意",
                )
            )
        if first > today:
            raise ActionRefused(_("首日 %(date)s 晚于今天：请在首日当天发布") % {"date": first})
        end = notice_end(first, locked.working_days)
        if end < today:
            raise ActionRefused(
                _("公示期 %(first)s 至 %(end)s 已过，应以补录方式记录")
                % {"first": first, "end": end}
            )
        refusals: list[Reason] = []
        for entry in entries:
            try:
                event = do_record_step(
                    user,
                    entry.candidate_id,
                    step=locked.kind,
                    happened_on=first,
                    payload={"end": end.isoformat()},
                    today=today,
                )
            except ActionRefused as refused:
                name = entry.candidate.person.name
                refusals.extend(Reason(f"{name}：{r.message}", r.basis) for r in refused.reasons)
                continue
            entry.event_seq = event.seq
            entry.save(update_fields=["event_seq"])
        if refusals:
            raise ActionRefused(refusals)  # nothing is published: the transaction rolls back
        append_event(
            kind="notice.published",
            candidate_id=None,
            happened_on=first,
            payload={"notice_id": locked.pk, "end": end.isoformat()},
            recorded_by_id=user.pk,
        )
        locked.status = NoticeStatus.PUBLISHED
        locked.first_day = first
        locked.end = end
        locked.published_by = user
        locked.published_at = timezone.now()
        locked.head_code = read_head().code
        locked.save(
            update_fields=[
                "status",
                "first_day",
                "end",
                "published_by",
                "published_at",
                "head_code",
            ]
        )
    return locked


# -- feedback -------------------------------------------------------------------------------------


def new_receipt_code() -> str:
    text = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(code: str) -> str:
    """As typed: any case, with or without dashes and spaces; 0 and 1 read as O and I."""
    kept = "".join(ch for ch in code.upper() if ch.isalnum())
    return kept.translate(str.maketrans("01", "OI"))


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def find_by_receipt(code: str) -> Feedback | None:
    code = normalise_code(code)
    if len(code) < 26 or len(code) > 64:
        return None
    return (
        Feedback.objects.select_related("notice__org")
        .filter(receipt_hash=receipt_hash(code))
        .first()
    )


def _feedback_events(
    item: Feedback,
    kind: str,
    *,
    happened_on: date,
    recorded_by_id: int | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """One event per concerned candidate (a whole-notice item concerns each); the candidate is
    locked and re-projected, so the engine's view changes in the same transaction."""
    for entry in item.concerned_entries():
        candidate = _lock_candidate(entry.candidate_id)
        payload: dict[str, Any] = {"feedback_id": item.pk}
        if kind == FEEDBACK_KIND:
            payload |= {"notice_seq": entry.event_seq, "state": item.state}
        else:
            payload["notice_id"] = item.notice_id
        append_event(
            kind=kind,
            candidate_id=candidate.pk,
            happened_on=happened_on,
            payload=payload | (extra or {}),
            recorded_by_id=recorded_by_id,
        )
        if kind == FEEDBACK_KIND:
            project(candidate)


def _clean_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ActionRefused(_("%(what)s不能为空") % {"what": what})
    if len(text) > TEXT_LIMIT:
        raise ActionRefused(_("%(what)s不超过 %(n)s 字") % {"what": what, "n": TEXT_LIMIT})
    return text


def do_submit_feedback(
    notice: Notice,
    *,
    text: str,
    entry: NoticeEntry | None = None,
    sender_name: str = "",
    sender_contact: str = "",
    today: date | None = None,
) -> tuple[Feedback, str]:
    """Anyone sends feedback on a running notice, named or anonymous; returns the item and its
    receipt code, which is shown once and kept only as a SHA-256 hash. Nothing about the sender's
    connection is stored (background §C.5)."""
    today = today or dates.today()
    body = _clean_text(text, _("反映内容"))
    with transaction.atomic():
        locked = _locked_notice(notice)
        if not locked.is_open(today):
            raise Http404(_("公示不存在或已结束"))
        if entry is not None and entry.notice_id != locked.pk:
            raise Http404(_("公示中没有这名对象"))
        code = new_receipt_code()
        item = Feedback.objects.create(
            notice=locked,
            entry=entry,
            text=body,
            sender_name=sender_name.strip()[:64],
            sender_contact=sender_contact.strip()[:128],
            receipt_hash=receipt_hash(code),
            received_on=today,
        )
        _feedback_events(item, FEEDBACK_KIND, happened_on=today, recorded_by_id=None)
    return item, code


def do_add_feedback_info(
    item: Feedback, *, text: str, today: date | None = None
) -> FeedbackAddition:
    """The sender adds information with the receipt code, while the item is being handled."""
    body = _clean_text(text, _("补充内容"))
    today = today or dates.today()
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=item.pk)
        if not locked.is_open:
            raise ActionRefused(_("该反馈已办结，不能再补充；如有新情况请重新反映"))
        addition = FeedbackAddition.objects.create(feedback=locked, text=body, added_on=today)
        _feedback_events(
            locked,
            "notice.feedback.added",
            happened_on=today,
            recorded_by_id=None,
            extra={"addition_id": addition.pk},
        )
    return addition


def handler_choices(notice: Notice) -> list[User]:
    """Who may handle an item: staff whose writing role reaches the publishing organization."""
    return list(writers_for(notice.org_id))


def do_assign_feedback(
    user: User, item: Feedback, *, handler: User, deadline: date, today: date | None = None
) -> Feedback:
    """Give an item a handler and a deadline (background §C.5 workflow); an event with ids."""
    today = today or dates.today()
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().select_related("notice").get(pk=item.pk)
        _require_writer(user, locked.notice.org)
        if not locked.is_open:
            raise ActionRefused(_("该反馈已办结"))
        if not authority(handler).may_write(locked.notice.org_id):
            raise ActionRefused(_("承办人须是能办理该公示的党组织工作人员"))
        if deadline < today:
            raise ActionRefused(_("办理期限不能早于今天"))
        locked.handler = handler
        locked.deadline = deadline
        locked.assigned_on = today
        locked.save(update_fields=["handler", "deadline", "assigned_on"])
        _feedback_events(
            locked,
            "notice.feedback.assigned",
            happened_on=today,
            recorded_by_id=user.pk,
            extra={"handler_id": handler.pk, "deadline": deadline.isoformat()},
        )
    return locked


def do_close_feedback(
    user: User,
    item: Feedback,
    *,
    state: str,
    finding: str,
    reply: str = "",
    closed_on: date | None = None,
    today: date | None = None,
) -> Feedback:
    """Close an item as unfounded, founded but minor, or upheld (rules-reference §3.1 objection
    handling). The `notice.feedback` event with the new state is what the engine reads: an upheld
    item keeps blocking the decision (contracts §3 notice.objection_open)."""
    today = today or dates.today()
    day = closed_on or today
    if state not in CLOSING_STATES:
        raise ActionRefused(_("办结结论应为：不属实、部分属实（不影响发展）或属实"))
    text = _clean_text(finding, _("核查情况"))
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().select_related("notice").get(pk=item.pk)
        _require_writer(user, locked.notice.org)
        if not locked.is_open:
            raise ActionRefused(_("该反馈已办结"))
        if day > today or day < locked.received_on:
            raise ActionRefused(_("办结日期应在收到日期与今天之间"))
        locked.state = FeedbackState(state)
        locked.finding = text
        locked.reply = reply.strip()[:TEXT_LIMIT]
        locked.closed_on = day
        locked.closed_by = user
        locked.save(update_fields=["state", "finding", "reply", "closed_on", "closed_by"])
        _feedback_events(locked, FEEDBACK_KIND, happened_on=day, recorded_by_id=user.pk)
    return locked
