"""Activist education pages: the pool per organization, training classes and attendance, 一帮一
pairings, 推优 names and their outcomes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority, no_sysadmin
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.education.actions import (
    POOL_STAGES,
    do_open_training,
    do_pair,
    do_receive_nomination,
    do_record_attendance,
    do_set_nomination_outcome,
    get_nomination_for_user,
    get_training_for_user,
)
from fazhan.education.models import (
    Form,
    Nomination,
    Outcome,
    Pairing,
    Source,
    TrainingClass,
)
from fazhan.education.overview import pool_rows, pool_trend
from fazhan.orgs.models import Member, MemberStatus, Organization, get_org_for_user
from fazhan.people.models import Candidate, get_candidate_for_user


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _number(value: str) -> int:
    return int(value) if value.isdigit() else -1


def _home(request: AuthenticatedHttpRequest) -> Organization | None:
    """The organization whose pool the page shows: the reader's highest, the district for the
    auditor."""
    power = authority(request.user)
    if power.is_read_only:
        return Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    roots = Organization.objects.filter(pk__in=power.roots())
    return roots.order_by("level", "code").first()


def _done(request: AuthenticatedHttpRequest, message: str, action: Any) -> bool:
    try:
        action()
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, message)
    return True


@no_sysadmin
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = dates.today()
    home = _home(request)
    writable = home is not None and authority(request.user).may_write(home.pk)
    unpaired = (
        Candidate.objects.visible_to(request.user)
        .filter(stage__in=POOL_STAGES)
        .exclude(pairings__ended_on__isnull=True)
        .select_related("person", "org")
        .order_by("org__code", "pk")
    )
    return render(
        request,
        "education/overview.html",
        {
            "home": home,
            "rows": pool_rows(home, today.year, today) if home else [],
            "trend": pool_trend(home, today) if home else [],
            "trainings": TrainingClass.objects.visible_to(request.user).select_related("org")[:30],
            "nominations": Nomination.objects.visible_to(request.user)
            .select_related("org", "candidate__person")
            .order_by("outcome", "-received_on")[:50],
            "unpaired": unpaired[:50],
            "unpaired_total": unpaired.count(),
            "writable": writable,
            "orgs": Organization.objects.visible_to(request.user).order_by("code"),
            "forms": Form.choices,
            "sources": Source.choices,
            "outcomes": Outcome.choices,
            "today": today,
        },
    )


@no_sysadmin
@require_POST
def training_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    org = get_org_for_user(request.user, request.POST.get("org", ""))
    starts = _day(request.POST.get("starts_on", ""))
    ends = _day(request.POST.get("ends_on", ""))
    if starts is None or ends is None:
        messages.error(request, _("请填写开始和结束日期。"))
        return redirect("education:overview")
    created: list[TrainingClass] = []
    ok = _done(
        request,
        _("培训班已登记。"),
        lambda: created.append(
            do_open_training(
                request.user,
                org=org,
                title=request.POST.get("title", ""),
                form=request.POST.get("form", ""),
                starts_on=starts,
                ends_on=ends,
                hours=_number(request.POST.get("hours", "")),
            )
        ),
    )
    if ok:
        return redirect("education:training", pk=created[0].pk)
    return redirect("education:overview")


@no_sysadmin
def training_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    subtree = Organization.objects.subtree_ids([training.org_id])
    pool = (
        Candidate.objects.visible_to(request.user)
        .here()
        .filter(org_id__in=subtree, stage__in=POOL_STAGES)
        .select_related("person", "org")
        .order_by("org__code", "pk")
    )
    return render(
        request,
        "education/training.html",
        {
            "training": training,
            "attendances": training.attendances.select_related("candidate__person").order_by("pk"),
            "pool": pool[:500],
            "writable": authority(request.user).may_write(training.org_id),
        },
    )


@no_sysadmin
@require_POST
def training_attend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    candidate = get_candidate_for_user(request.user, request.POST.get("candidate", ""))
    _done(
        request,
        _("学时已记录。"),
        lambda: do_record_attendance(
            request.user,
            training,
            candidate,
            hours=_number(request.POST.get("hours", "")),
            completed=request.POST.get("completed") == "on",
        ),
    )
    return redirect("education:training", pk=training.pk)


@no_sysadmin
def pairing_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)
    members = Member.objects.filter(
        org_id=candidate.org_id, active=True, status=MemberStatus.FULL
    ).order_by("name", "pk")
    if request.method == "POST":
        member = members.filter(pk=_number(request.POST.get("member", ""))).first()
        started = _day(request.POST.get("started_on", ""))
        if member is None or started is None:
            messages.error(request, _("请选择结对党员并填写结对日期。"))
        elif _done(
            request,
            _("已结对。"),
            lambda: do_pair(request.user, candidate, member, started_on=started),
        ):
            return redirect("education:overview")
    return render(
        request,
        "education/pairing.html",
        {
            "candidate": candidate,
            "members": [m for m in members if m.may_vote],
            "current": Pairing.objects.filter(candidate=candidate, ended_on=None)
            .select_related("member")
            .first(),
            "today": dates.today(),
        },
    )


@no_sysadmin
@require_POST
def nomination_receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    org = get_org_for_user(request.user, request.POST.get("org", ""))
    received = _day(request.POST.get("received_on", "")) or dates.today()
    _done(
        request,
        _("推优名单已登记。"),
        lambda: do_receive_nomination(
            request.user,
            org=org,
            source=request.POST.get("source", ""),
            received_on=received,
            name=request.POST.get("name", ""),
            unit=request.POST.get("unit", ""),
        ),
    )
    return redirect("education:overview")


@no_sysadmin
@require_POST
def nomination_outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    chosen = request.POST.get("candidate", "")
    candidate = get_candidate_for_user(request.user, chosen) if chosen else None
    _done(
        request,
        _("结果已保存。"),
        lambda: do_set_nomination_outcome(
            request.user,
            nomination,
            outcome=request.POST.get("outcome", ""),
            candidate=candidate,
            note=request.POST.get("note", ""),
        ),
    )
    return redirect("education:overview")
