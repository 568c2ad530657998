"""The back office pages: typed function views reading through `visible_to(user)`."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.scope import active_roles, is_read_only, is_sysadmin
from fazhan.audit.chain import events_of, read_head
from fazhan.orgs.models import Organization
from fazhan.people.actions import COMMITTEE_STEPS
from fazhan.people.models import Candidate, Stage, get_candidate_for_user
from fazhan.people.record import is_record_kind
from fazhan.policy.data import load_policy

OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET, Stage.PROBATIONARY, Stage.MEMBER)
PHASES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}


def _open(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return candidates.filter(stage__in=OPEN_STAGES).exclude(next_due__isnull=True)


def _role_summary(user: Any) -> list[dict[str, Any]]:
    labels = dict(RoleKind.choices)
    roles = active_roles(user)
    names = dict(
        Organization.objects.filter(pk__in=[o for _, o in roles if o]).values_list("pk", "name")
    )
    return [
        {"kind": labels.get(kind, kind), "org": names.get(org) if org else ""}
        for kind, org in roles
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if is_sysadmin(user):
        return render(
            request,
            "web/home_admin.html",
            {
                "roles": _role_summary(user),
                "accounts": User.objects.filter(is_active=True).count(),
                "by_kind": Role.objects.filter(active=True).values("kind").annotate(n=Count("id")),
            },
        )
    today = timezone.localdate()
    candidates = Candidate.objects.visible_to(user)
    counts = Counter(dict(candidates.values_list("stage").annotate(n=Count("id"))))
    stages = [
        {"value": value, "label": label, "n": counts.get(value, 0)}
        for value, label in Stage.choices
    ]
    kinds = {kind for kind, _ in active_roles(user)}
    committee = bool(kinds & {RoleKind.SUB_STAFF, RoleKind.DISTRICT_STAFF})
    pending = _open(candidates).select_related("person", "org")
    mine = (
        pending.filter(next_step__in=COMMITTEE_STEPS)
        if committee
        else pending.exclude(next_step__in=COMMITTEE_STEPS)
    )
    context = {
        "roles": _role_summary(user),
        "stages": stages,
        "total": sum(counts.values()),
        "due_week": pending.filter(
            next_due__gte=today, next_due__lte=today + timedelta(days=7)
        ).order_by("next_due")[:30],
        "overdue": pending.filter(next_due__lt=today).order_by("next_due")[:30],
        "overdue_count": pending.filter(next_due__lt=today).count(),
        "waiting": mine.order_by("next_due")[:30],
        "with_violations": candidates.filter(violations__gt=0).count(),
        "read_only": is_read_only(user),
        "head": read_head() if is_read_only(user) else None,
        "today": today,
        "committee": committee,
    }
    return render(request, "web/home.html", context)


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    candidates: QuerySet[Candidate] = Candidate.objects.visible_to(request.user).select_related(
        "person", "org"
    )
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        candidates = candidates.filter(stage=stage)
    query = request.GET.get("q", "").strip()
    if query:
        candidates = candidates.filter(
            Q(person__name__contains=query)
            | Q(person__name_initials__startswith=query.lower())
            | Q(person__name_pinyin__startswith=query.lower())
        )
    show = request.GET.get("show", "")
    if show == "week":
        candidates = _open(candidates).filter(
            next_due__gte=today, next_due__lte=today + timedelta(days=7)
        )
    elif show == "overdue":
        candidates = _open(candidates).filter(next_due__lt=today)
    elif show == "findings":
        candidates = candidates.filter(violations__gt=0)
    elif show == "suspended":
        candidates = candidates.filter(suspended=True)
    page = Paginator(candidates.order_by("next_due", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/candidate_list.html",
        {
            "page": page,
            "stage": stage,
            "q": query,
            "show": show,
            "stages": Stage.choices,
            "today": today,
        },
    )


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)
    policy = load_policy(candidate.policy)
    recorded: dict[str, list[Any]] = {}
    for event in events_of(candidate.pk):
        if is_record_kind(event.kind):
            recorded.setdefault(event.kind, []).append(event)
    timeline: list[dict[str, Any]] = []
    phase = 0
    for step in policy.steps.values():
        if step.phase != phase:
            phase = step.phase
            timeline.append({"phase": f"第{phase}阶段 {PHASES[phase]}"})
        notice = policy.notice_for_step(step.code)
        if notice is not None:
            timeline.append(
                {"code": notice.type, "name": notice.name, "events": recorded.get(notice.type, [])}
            )
        timeline.append(
            {"code": step.code, "name": step.name, "events": recorded.get(step.code, [])}
        )
    projection = candidate.projection or {}
    return render(
        request,
        "web/candidate_detail.html",
        {
            "candidate": candidate,
            "person": candidate.person,
            "timeline": timeline,
            "next": projection.get("next", []),
            "findings": projection.get("findings", []),
            "steps": policy.steps,
            "today": timezone.localdate(),
        },
    )
