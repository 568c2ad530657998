"""The member roster pages (Issue 12 item 4): each branch's roster as of a date, a member's
dated history, and the staff forms for 留党察看, rights restored, moving away and death. Every
read is scoped to the user's organizations; outside them a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.members import actions as act
from fazhan.members.forms import AsOfForm, ChangeForm
from fazhan.members.history import roster_on, state_on
from fazhan.members.models import ChangeKind, MemberChange
from fazhan.members.state import MemberState
from fazhan.orgs.models import Kind, Member, Organization, get_org_for_user

STAFF_KINDS = ("discipline", "restored", "moved_away", "died")
# Lazy: read in the reader's language at render time, not in the language of the first import.
TITLES = {
    "discipline": gettext_lazy("登记留党察看"),
    "restored": gettext_lazy("登记恢复党员权利"),
    "moved_away": gettext_lazy("登记转出本区"),
    "died": gettext_lazy("登记去世"),
}


def _do(kind: str) -> Callable[..., MemberChange]:
    actions: dict[str, Callable[..., MemberChange]] = {
        "discipline": act.do_record_discipline,
        "restored": act.do_restore_rights,
        "moved_away": act.do_record_moved_away,
        "died": act.do_record_death,
    }
    return actions[kind]


def _member_for(request: AuthenticatedHttpRequest, pk: int) -> Member:
    found = Member.objects.visible_to(request.user).select_related("org").filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有这名党员"))
    return found


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = (
        Organization.objects.visible_to(request.user)
        .filter(kind=Kind.BRANCH)
        .annotate(on_roster=Count("members", filter=Q(members__active=True)))
        .order_by("code")
    )
    return render(request, "members/index.html", {"branches": branches})


@login_required
def roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    form = AsOfForm(request.GET or None)
    day = dates.today()
    if form.is_valid() and form.cleaned_data["on"]:
        day = form.cleaned_data["on"]
    members = roster_on(org, day)
    return render(
        request,
        "members/roster.html",
        {
            "org": org,
            "form": form,
            "day": day,
            "members": members,
            "full": sum(m.status == "full" for m in members),
            "voters": sum(m.may_vote for m in members),
        },
    )


def _member_page(
    request: AuthenticatedHttpRequest,
    member: Member,
    *,
    forms: dict[str, ChangeForm] | None = None,
    refused: list[Reason] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = dates.today()
    can_write = authority(request.user).writes_as_committee(member.org_id)
    changes = list(
        MemberChange.objects.filter(member=member)
        .exclude(kind=ChangeKind.BASELINE)
        .select_related("org", "recorded_by")
        .order_by("happened_on", "pk")
    )
    state = state_on(member, today)
    shown = {kind: ChangeForm(kind=kind) for kind in STAFF_KINDS} | (forms or {})
    context: dict[str, Any] = {
        "member": member,
        "state": state,
        "changes": changes,
        "can_write": can_write,
        "forms": [
            (kind, TITLES[kind], shown[kind])
            for kind in STAFF_KINDS
            if can_write and (kind in (forms or {}) or _applies(kind, state))
        ],
        "refused": refused or [],
        "candidate_id": _visible_candidate(request, member),
    }
    return render(request, "members/member.html", context, status=status)


def _applies(kind: str, state: MemberState) -> bool:
    """The forms that make sense today: none for a member off the roster; restoring rights only
    under 留党察看; a new 留党察看 only outside one."""
    suspended = state.under_discipline and not state.rights_restored
    if not state.active:
        return False
    if kind == "restored":
        return suspended
    return not (kind == "discipline" and suspended)


def _visible_candidate(request: AuthenticatedHttpRequest, member: Member) -> int | None:
    """The file the member came from, linked when the user sees its organization."""
    if member.candidate is None:
        return None
    orgs = Organization.objects.visible_to(request.user)
    return member.candidate_id if orgs.filter(pk=member.candidate.org_id).exists() else None


@login_required
def member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _member_page(request, _member_for(request, pk))


@login_required
@require_POST
def record(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    found = _member_for(request, pk)
    if kind not in STAFF_KINDS:
        raise Http404(_("没有这项登记"))
    form = ChangeForm(request.POST, kind=kind)
    if not form.is_valid():
        return _member_page(request, found, forms={kind: form}, status=400)
    data = form.cleaned_data
    extra: dict[str, Any] = {"months": data["months"]} if kind == "discipline" else {}
    happened_on: date = data["happened_on"]
    try:
        _do(kind)(request.user, found, happened_on=happened_on, reason=data["reason"], **extra)
    except ActionRefused as error:
        return _member_page(request, found, forms={kind: form}, refused=error.reasons, status=400)
    messages.success(request, _("已登记。"))
    return redirect("members:member", pk=found.pk)
