"""Open notices for the demo district, with feedback in every state.

`add_demo_notices(today)` runs after the demo district is built: it publishes a few notices for
demo candidates who are due one (the engine lists the notice as a next step), through the same
actions staff use — consent first, then publication, each candidate's N-* event gated live — and
sends feedback on them as the public would, then assigns and closes some of it. So the demo shows
notices on /gongshi/, feedback pending, unfounded, founded but minor and upheld, and the decision
blocked where an item is open or upheld.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.core.errors import ActionRefused
from fazhan.notices.actions import (
    do_assign_feedback,
    do_close_feedback,
    do_create_notice,
    do_publish_notice,
    do_record_consent,
    do_submit_feedback,
    offered_kinds,
)
from fazhan.notices.models import Notice, NoticeEntry, NoticeKind
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate, Stage
from fazhan.policy.calendar import add_months, shipped_table

CONTACT = "{org}办公室，电话 0851-2860{n:04d}（工作日 9:00–17:00），或书面投递至党群服务中心"

# (state of each item, whether it names one candidate) per notice, in the order notices are made.
PATTERNS: tuple[tuple[tuple[str, bool], ...], ...] = (
    (("pending", True), ("unfounded", True), ("founded_minor", False), ("upheld", True)),
    (("pending", False), ("unfounded", True)),
    (("founded_minor", True),),
    (),
)
TEXTS = {
    "pending": "该同志在单位有时迟到早退，群众有意见，请组织核实。",
    "unfounded": "听说该同志曾受过处分，请核实。",
    "founded_minor": "该同志平时参加志愿服务次数不多。",
    "upheld": "该同志近期有违反工作纪律的行为，单位已作通报。",
}
FINDINGS = {
    "unfounded": "经向所在单位和群众了解，未发现所反映情况，反映不属实。",
    "founded_minor": "情况部分属实，但不影响其发展，已对本人进行提醒教育。",
    "upheld": "经核查，反映情况属实，暂缓确定，继续培养考察。",
}
REPLIES = {
    "unfounded": "经核查，所反映情况不属实。感谢您的监督。",
    "founded_minor": "经核查，情况部分属实，已对本人进行提醒教育，不影响其发展。",
    "upheld": "经核查，所反映情况属实，党组织已作相应处理。感谢您的监督。",
}


def _writer(org: Organization) -> User | None:
    """Someone who may publish for `org`: its secretary, else staff of a committee above it."""
    above = list(
        Organization.objects.ancestors(org, include_self=True).values_list("pk", flat=True)
    )
    for kinds in (
        [RoleKind.BRANCH_SECRETARY],
        [RoleKind.SUB_STAFF],
        [RoleKind.DISTRICT_STAFF],
    ):
        role = (
            Role.objects.filter(active=True, kind__in=kinds, org_id__in=above)
            .select_related("user")
            .order_by("-org_id", "pk")
            .first()
        )
        if role is not None:
            return role.user
    return None


def _due(kind: str, today: date) -> list[Candidate]:
    month = timedelta(days=31)
    pool = Candidate.objects.filter(suspended=False).select_related("org")
    if kind == NoticeKind.TARGET:
        pool = pool.filter(stage=Stage.ACTIVIST, activist_on__lte=add_months(today, -12))
    elif kind == NoticeKind.ACTIVIST:
        pool = pool.filter(stage=Stage.APPLICANT, next_step="N-ACT")
    elif kind == NoticeKind.CONVERSION:
        pool = pool.filter(stage=Stage.PROBATIONARY, probation_end__lte=today + month)
    else:
        return []
    busy = NoticeEntry.objects.values("candidate_id")
    return [
        candidate
        for candidate in pool.exclude(pk__in=busy).order_by("org_id", "pk")
        if kind in {n.get("step") for n in (candidate.projection or {}).get("next", [])}
    ]


def _preferred_orgs() -> list[int]:
    """The demo accounts' branches first, so that zhibu and zhibu2 see notices of their own."""
    roles = Role.objects.filter(
        active=True, kind=RoleKind.BRANCH_SECRETARY, user__username__in=["zhibu", "zhibu2"]
    ).order_by("user__username")
    return [r.org_id for r in roles if r.org_id is not None]


def _groups(kind: str, today: date, size: int) -> list[list[Candidate]]:
    by_org: dict[int, list[Candidate]] = {}
    for candidate in _due(kind, today):
        by_org.setdefault(candidate.org_id, []).append(candidate)
    first = [o for o in _preferred_orgs() if o in by_org]
    rest = [o for o in by_org if o not in first]
    return [by_org[o][:size] for o in first + rest]


def _first_day(today: date, back: int) -> date:
    """`back` working days before today (0: today), so the notice is running today."""
    table = shipped_table()
    day = today
    while back > 0 or not table.is_workday(day):
        day -= timedelta(days=1)
        if table.is_workday(day):
            back -= 1
    return day


def _publish(group: list[Candidate], kind: str, today: date, n: int) -> Notice | None:
    org = group[0].org
    user = _writer(org)
    if user is None:
        return None
    try:
        return _publish_as(user, group, kind, today, n)
    except ActionRefused:
        return None


def _publish_as(user: User, group: list[Candidate], kind: str, today: date, n: int) -> Notice:
    org = group[0].org
    with transaction.atomic():
        notice = do_create_notice(
            user,
            org=org,
            kind=kind,
            candidates=group,
            contact=CONTACT.format(org=org.name, n=org.pk % 10000 + n),
            today=today,
        )
        first = _first_day(today, n % 3)
        for entry in notice.entries.all():
            do_record_consent(user, entry, consented_on=first, today=today)
        return do_publish_notice(user, notice, first_day=first, today=today)


def _feedback(
    notice: Notice, pattern: tuple[tuple[str, bool], ...], today: date, *, assign: bool
) -> None:
    entries = list(notice.entries.order_by("position"))
    handler = _writer(notice.org)
    assert handler is not None
    for index, (state, named) in enumerate(pattern):
        entry = entries[index % len(entries)] if named else None
        item, _code = do_submit_feedback(
            notice,
            text=TEXTS[state],
            entry=entry,
            sender_name="" if index % 2 == 0 else "一名群众",
            today=today,
        )
        if state == "pending" and assign:  # else left waiting for a handler
            do_assign_feedback(
                handler, item, handler=handler, deadline=notice.end or today, today=today
            )
        elif state != "pending":
            do_assign_feedback(handler, item, handler=handler, deadline=today, today=today)
            do_close_feedback(
                handler,
                item,
                state=state,
                finding=FINDINGS[state],
                reply=REPLIES[state],
                today=today,
            )


def add_demo_notices(today: date) -> int:
    """Publish a few open notices with feedback in every state; returns how many were made.

    Call it after `build_demo`, with the same `today`. Idempotent enough for a demo: candidates
    already on a notice are skipped.
    """
    offered = {k.value for k in offered_kinds()}
    plan = [
        (NoticeKind.TARGET.value, 3),
        (NoticeKind.TARGET.value, 2),
        (NoticeKind.ACTIVIST.value, 2),
        (NoticeKind.CONVERSION.value, 1),
    ]
    made = 0
    for number, (kind, size) in enumerate(plan):
        if kind not in offered:
            continue
        for group in _groups(kind, today, size):
            notice = _publish(group, kind, today, number)
            if notice is not None:
                _feedback(notice, PATTERNS[number], today, assign=number == 0)
                made += 1
                break
    return made
