"""The lifecycle actions of a candidate file, one page each (DESIGN principle 5: each kind has one
owner): suspend and resume, withdraw, reject, the in-district transfer and its acceptance, and the
correction of an earlier event. Each page calls its own `do_*` action, so the action's checks
apply (do_resume's date, do_transfer_out's organization link, a reason where one is required)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.audit.chain import events_of
from fazhan.audit.models import Event as ChainEvent
from fazhan.content_forms import content_initial
from fazhan.core import i18n_data
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Organization
from fazhan.people.actions import (
    do_correct_event,
    do_reject,
    do_resume,
    do_suspend,
    do_transfer_in,
    do_transfer_out,
    do_withdraw,
)
from fazhan.people.models import Candidate, get_candidate_for_user
from fazhan.people.record import is_record_kind
from fazhan.web.forms import AcceptForm, CorrectForm, LifecycleForm, TransferForm
from fazhan.web.views import _members_for, pending_transfer

LABELS = {
    "suspend": pgettext_lazy("lifecycle", "暂缓"),
    "resume": pgettext_lazy("lifecycle", "恢复"),
    "withdraw": pgettext_lazy("lifecycle", "撤回申请"),
    "reject": pgettext_lazy("lifecycle", "不予发展"),
    "transfer-out": pgettext_lazy("lifecycle", "转出"),
    "transfer-in": pgettext_lazy("lifecycle", "转入"),
    "correct": pgettext_lazy("lifecycle", "更正"),
}


def kind_label(kind: str, policy: str | None = None) -> str:
    """An event kind in the reader's language: a step or notice by its policy name, a lifecycle
    kind by its label."""
    if kind in LABELS:
        return str(LABELS[kind])
    return i18n_data.step_label(kind, policy)


def _page(
    request: AuthenticatedHttpRequest,
    candidate: Candidate,
    form: Form,
    *,
    kind: str,
    refused: list[Reason],
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "web/lifecycle.html",
        {
            "candidate": candidate,
            "form": form,
            "kind": kind,
            "title": LABELS[kind],
            "intro": intro,
            "refused": refused,
            **extra,
        },
        status=422 if refused else 200,
    )


def _simple(
    request: AuthenticatedHttpRequest,
    pk: int,
    kind: str,
    act: Callable[[Candidate, dict[str, Any]], Any],
    *,
    reason: bool = True,
    intro: str = "",
) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)
    refused: list[Reason] = []
    if request.method == "POST":
        form = LifecycleForm(request.POST, reason=reason)
        if form.is_valid():
            try:
                act(candidate, form.cleaned_data)
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已记录。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        form = LifecycleForm(reason=reason)
    return _page(request, candidate, form, kind=kind, refused=refused, intro=intro)


@login_required
def suspend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _simple(
        request,
        pk,
        "suspend",
        lambda c, d: do_suspend(request.user, c, happened_on=d["happened_on"], reason=d["reason"]),
        intro=_("暂缓期间档案停留在当前阶段，各项期限照常计算；恢复前不能推进程序。"),
    )


@login_required
def resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _simple(
        request,
        pk,
        "resume",
        lambda c, d: do_resume(request.user, c, happened_on=d["happened_on"]),
        reason=False,
        intro=_("恢复日期须晚于暂缓日期。"),
    )


@login_required
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _simple(
        request,
        pk,
        "withdraw",
        lambda c, d: do_withdraw(request.user, c, happened_on=d["happened_on"], reason=d["reason"]),
        intro=_("申请人撤回入党申请后，档案结束，不能再记录。"),
    )


@login_required
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _simple(
        request,
        pk,
        "reject",
        lambda c, d: do_reject(request.user, c, happened_on=d["happened_on"], reason=d["reason"]),
        intro=_("党组织决定不予发展后，档案结束，不能再记录。"),
    )


def _branches_for_transfer(candidate: Candidate) -> list[tuple[int, str]]:
    """The district's branches other than the candidate's own (an in-district transfer)."""
    root = Organization.objects.ancestor_ids(candidate.org_id)[-1]
    branches = (
        Organization.objects.open()
        .filter(pk__in=Organization.objects.subtree_ids([root]), kind="branch")
        .exclude(pk=candidate.org_id)
        .order_by("code", "pk")
    )
    return [(org.pk, org.name) for org in branches]


@login_required
def transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """细则 art. 12: the file is handed to a named branch; it moves when that branch accepts."""
    candidate = get_candidate_for_user(request.user, pk)
    branches = _branches_for_transfer(candidate)
    refused: list[Reason] = []
    if request.method == "POST":
        form = TransferForm(request.POST, branches=branches)
        if form.is_valid():
            target = Organization.objects.get(pk=form.cleaned_data["to_org"])
            try:
                do_transfer_out(
                    request.user,
                    candidate,
                    to_org=target,
                    happened_on=form.cleaned_data["happened_on"],
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已转出，等待%(org)s接收。") % {"org": target.name})
                return redirect("candidate", pk=candidate.pk)
    else:
        form = TransferForm(branches=branches)
    return _page(
        request,
        candidate,
        form,
        kind="transfer-out",
        refused=refused,
        intro=_("转出后由接收的党支部审查材料并接收；接收前档案仍由本支部负责，培养时间连续计算。"),
    )


@login_required
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The receiving branch takes the file over (do_transfer_in); refusal and cooperation
    agreements come with Step 13."""
    candidate = get_candidate_for_user(request.user, pk)
    link = pending_transfer(request.user, candidate)
    if link is None:
        raise Http404(_("没有待接收的转接"))
    refused: list[Reason] = []
    if request.method == "POST":
        form = AcceptForm(request.POST)
        if form.is_valid():
            try:
                do_transfer_in(
                    request.user, candidate, happened_on=form.cleaned_data["happened_on"]
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已接收。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        form = AcceptForm()
    return _page(
        request,
        candidate,
        form,
        kind="transfer-in",
        refused=refused,
        intro=_("由%(from)s转入%(to)s。") % {"from": candidate.org.name, "to": link.org.name},
    )


def _correctable(candidate: Candidate) -> list[ChainEvent]:
    """The file's events a correction may supersede: record events, not corrections."""
    return [e for e in events_of(candidate.pk) if is_record_kind(e.kind) and e.kind != "correct"]


def _initial(event: ChainEvent) -> dict[str, Any]:
    """The form's fields from the event being corrected, so only what changes is typed."""
    payload = event.payload
    initial: dict[str, Any] = {"happened_on": event.happened_on}
    for key in ("nomination", "days", "hours", "result", "outcome", "extension_months", "end"):
        if key in payload:
            initial[key] = payload[key]
    for key, value in (payload.get("vote") or {}).items():
        initial[f"vote_{key}"] = value
    return initial | content_initial(payload)


@login_required
def correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Supersede one earlier event with a replacement or a void, and say why (do_correct_event)."""
    candidate = get_candidate_for_user(request.user, pk)
    events = _correctable(candidate)
    superseded = {
        str(e.payload.get("supersedes")) for e in events_of(candidate.pk) if e.kind == "correct"
    }
    rows = [
        {
            "event": e,
            "label": kind_label(e.kind, candidate.policy),
            "superseded": str(e.seq) in superseded,
        }
        for e in events
    ]
    chosen = request.POST.get("seq") or request.GET.get("seq") or ""
    target = next((e for e in events if str(e.seq) == chosen), None)
    if target is None:
        return render(
            request,
            "web/correct_choose.html",
            {"candidate": candidate, "rows": rows, "title": LABELS["correct"]},
        )
    members = _members_for(candidate)
    refused: list[Reason] = []
    if request.method == "POST":
        form = CorrectForm(request.POST, step=target.kind, members=members)
        if form.is_valid():
            try:
                _apply_correction(request, candidate, target, form)
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已更正。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        form = CorrectForm(step=target.kind, members=members, initial=_initial(target))
    return _page(
        request,
        candidate,
        form,
        kind="correct",
        refused=refused,
        target=target,
        target_label=kind_label(target.kind, candidate.policy),
    )


def _apply_correction(
    request: AuthenticatedHttpRequest, candidate: Candidate, target: ChainEvent, form: CorrectForm
) -> None:
    data = form.cleaned_data
    if data.get("void"):
        do_correct_event(request.user, candidate, seq=target.seq, void=True, reason=data["reason"])
        return
    # The replacement keeps what the form does not ask (a transfer's organizations), takes what
    # it does, and lets the action decide a vote's result again from the corrected counts.
    base = {k: v for k, v in target.payload.items() if k not in ("mode",)}
    if target.kind in ("S15", "S23"):
        base.pop("result", None)
    for field in ("contacts", "introducers"):
        base.pop(field, None)  # stored as snapshots: the form names the members again
    when: date = data["happened_on"]
    replacement = base | form.payload() | {"type": target.kind, "date": when}
    do_correct_event(
        request.user, candidate, seq=target.seq, replacement=replacement, reason=data["reason"]
    )
