"""Pre-review and approval pages (/reviews/): typed function views, scoped reads."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.audit.chain import events_of
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.members.history import rosters_up_from
from fazhan.notices.pdf import html_to_pdf
from fazhan.orgs.models import Member
from fazhan.people.models import Candidate, Stage, get_candidate_for_user
from fazhan.reviews.actions import (
    approving_org,
    do_approve,
    do_decide_prereview,
    do_file_approval,
    do_issue_volunteer_form,
    do_record_talk,
    do_send_to_prereview,
    prereview_working_days,
)
from fazhan.reviews.checklist import checklist, due_in_working_days, leaving_flags
from fazhan.reviews.forms import (
    ApproveForm,
    DecideForm,
    FileForm,
    SendForm,
    TalkForm,
    VolunteerForm,
)
from fazhan.reviews.models import Approval, PrereviewRequest, PrereviewState, Talk
from fazhan.reviews.reminders import approvals_waiting


def _approving_subtree(user: Any) -> set[int]:
    return authority(user).approving_ids()


def _ready_for_prereview(user: Any) -> list[Candidate]:
    """Targets of the user's writable branches for whom the engine lists S12 next, or S13 (a
    branch review recorded elsewhere, e.g. entered on the record page, not yet sent)."""
    pending = PrereviewRequest.objects.filter(state=PrereviewState.PENDING).values("candidate_id")
    pool = (
        Candidate.objects.visible_to(user)
        .filter(stage=Stage.TARGET, suspended=False)
        .exclude(pk__in=pending)
        .select_related("person", "org")
        .order_by("org_id", "person__name_pinyin")[:300]
    )
    auth = authority(user)
    return [
        c
        for c in pool
        if auth.may_write(c.org_id)
        and {"S12", "S13"} & {n.get("step") for n in (c.projection or {}).get("next", [])}
    ]


def _index_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    ready = _ready_for_prereview(user)
    approving = _approving_subtree(user)
    requests = (
        PrereviewRequest.objects.visible_to(user)
        .select_related("candidate__person", "from_org", "to_org")
        .order_by("-sent_on", "-pk")[:200]
    )
    days = prereview_working_days()
    to_answer = [
        {"r": r, "due": due_in_working_days(r.sent_on, days)}
        for r in requests
        if r.state == PrereviewState.PENDING and r.candidate.org_id in approving
    ]
    return {
        "ready": ready,
        "send_form": extra.pop("send_form", None)
        or SendForm(choices=[(c.pk, c.person.name) for c in ready]),
        "requests": requests,
        "to_answer": sorted(to_answer, key=lambda x: x["r"].sent_on),
        "committee": bool(approving),
        "waiting": approvals_waiting(Candidate.objects.filter(org_id__in=approving), today)
        if approving
        else [],
        "today": today,
        **extra,
    }


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/index.html", _index_context(request))


@login_required
@require_POST
def send(request: AuthenticatedHttpRequest) -> HttpResponse:
    ready = _ready_for_prereview(request.user)
    form = SendForm(request.POST, choices=[(c.pk, c.person.name) for c in ready])
    results: list[dict[str, Any]] = []
    if form.is_valid():
        outcome = do_send_to_prereview(
            request.user,
            form.cleaned_data["candidates"],
            reviewed_on=form.cleaned_data["reviewed_on"],
            opinion=form.cleaned_data["opinion"],
        )
        names = {c.pk: c.person.name for c in ready}
        results = [
            {"name": names.get(r.candidate_id, r.candidate_id), "ok": r.ok, "reasons": r.reasons}
            for r in outcome
        ]
        if all(r.ok for r in outcome):
            messages.success(request, _("已报送预审：%(n)d 人。") % {"n": len(outcome)})
            return redirect("reviews:index")
    return render(
        request,
        "reviews/index.html",
        _index_context(request, send_form=form, results=results),
        status=422 if results or form.errors else 200,
    )


def _get_request(user: Any, pk: int) -> PrereviewRequest:
    try:
        return (
            PrereviewRequest.objects.visible_to(user)
            .select_related("candidate__person", "candidate__org", "from_org", "to_org")
            .get(pk=pk)
        )
    except PrereviewRequest.DoesNotExist:
        raise Http404(_("没有找到该预审。")) from None


@login_required
def prereview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _get_request(request.user, pk)
    candidate = item.candidate
    refused: list[Reason] = []
    decide_form = DecideForm()
    volunteer_form = VolunteerForm()
    if request.method == "POST":
        try:
            if "decide" in request.POST:
                decide_form = DecideForm(request.POST)
                if decide_form.is_valid():
                    do_decide_prereview(
                        request.user,
                        item,
                        result=decide_form.cleaned_data["result"],
                        decided_on=decide_form.cleaned_data["decided_on"],
                        opinion=decide_form.cleaned_data["opinion"],
                    )
                    messages.success(request, _("已作出预审结论。"))
                    return redirect("reviews:prereview", pk=item.pk)
            elif "volunteer" in request.POST:
                volunteer_form = VolunteerForm(request.POST)
                if volunteer_form.is_valid():
                    do_issue_volunteer_form(
                        request.user, candidate, issued_on=volunteer_form.cleaned_data["issued_on"]
                    )
                    messages.success(request, _("已记录发放入党志愿书。"))
                    return redirect("reviews:prereview", pk=item.pk)
        except ActionRefused as error:
            refused = error.reasons
    today = dates.today()
    return render(
        request,
        "reviews/prereview.html",
        {
            "item": item,
            "candidate": candidate,
            "live": checklist(candidate, today),
            "flags": leaving_flags(candidate, today),
            "due": due_in_working_days(item.sent_on, prereview_working_days()),
            "can_decide": approving_org(request.user, candidate) is not None,
            "can_write": authority(request.user).may_write(candidate.org_id),
            "decide_form": decide_form,
            "volunteer_form": volunteer_form,
            "refused": refused,
            "today": today,
        },
        status=422 if refused else 200,
    )


def members_for(candidate: Candidate, day: date | None = None) -> list[Member]:
    """The roster a 谈话人 is chosen from, as the candidate page's step forms offer it: the
    candidate's branch and the organizations above it (the committee's members), on `day`."""
    return rosters_up_from(candidate.org_id, day or dates.today())


def _posted_talk_day(request: AuthenticatedHttpRequest) -> date | None:
    """The talk's date as posted: its 谈话人 is chosen from that day's roster."""
    try:
        return date.fromisoformat(request.POST.get("talked_on", ""))
    except ValueError:
        return None


@login_required
def candidate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Talk (S16), approval (S17/S24) and filing (S18) for one candidate, with the clocks."""
    target = get_candidate_for_user(request.user, pk)
    refused: list[Reason] = []
    today = dates.today()
    waiting = approvals_waiting(Candidate.objects.filter(pk=target.pk), today)
    step = waiting[0].step if waiting else "S17"
    members = members_for(target, _posted_talk_day(request) if request.method == "POST" else None)
    talk_form = TalkForm(members=members)
    approve_form, file_form = ApproveForm(initial={"step": step}), FileForm()
    approvals = list(Approval.objects.filter(candidate=target).order_by("-pk"))
    if request.method == "POST":
        try:
            if "talk" in request.POST:
                talk_form = TalkForm(request.POST, members=members)
                if talk_form.is_valid():
                    do_record_talk(
                        request.user,
                        target,
                        talked_on=talk_form.cleaned_data["talked_on"],
                        talker=talk_form.talker_name(),
                        summary=talk_form.cleaned_data["content_summary"],
                        payload=talk_form.payload(),
                    )
                    messages.success(request, _("已记录谈话。"))
                    return redirect("reviews:candidate", pk=target.pk)
            elif "approve" in request.POST:
                approve_form = ApproveForm(request.POST)
                if approve_form.is_valid():
                    data = approve_form.cleaned_data
                    made = do_approve(
                        request.user,
                        target,
                        step=data["step"],
                        meeting_on=data["meeting_on"],
                        members_total=data["members_total"],
                        members_present=data["members_present"],
                        members_for=data["members_for"],
                        opinion=data["opinion"],
                    )
                    messages.success(request, _("已记录审批。请将链头校验码抄入纸质档案。"))
                    return redirect("reviews:approval", pk=made.pk)
            elif "file" in request.POST:
                file_form = FileForm(request.POST)
                pending = next((a for a in approvals if a.filed_seq is None), None)
                if pending is None:
                    raise ActionRefused(_("没有待备案的审批"))
                if file_form.is_valid():
                    do_file_approval(
                        request.user, pending, filed_on=file_form.cleaned_data["filed_on"]
                    )
                    messages.success(request, _("已记录备案。"))
                    return redirect("reviews:candidate", pk=target.pk)
        except ActionRefused as error:
            refused = error.reasons
    talks = Talk.objects.filter(candidate=target).order_by("-talked_on")
    steps = {e.kind for e in events_of(target.pk)}
    return render(
        request,
        "reviews/candidate.html",
        {
            "candidate": target,
            "waiting": waiting,
            "approvals": approvals,
            "talks": talks,
            "talk_form": talk_form,
            "approve_form": approve_form,
            "file_form": file_form,
            "refused": refused,
            "can_approve": approving_org(request.user, target) is not None,
            "committee": authority(request.user).is_committee,
            "to_file": [
                a
                for a in approvals
                if a.step == "S17" and a.result == "approved" and not a.filed_seq
            ],
            "has_s15": "S15" in steps,
            "today": today,
        },
        status=422 if refused else 200,
    )


def _get_approval(user: Any, pk: int) -> Approval:
    try:
        return (
            Approval.objects.visible_to(user)
            .select_related("candidate__person", "candidate__org", "committee", "recorded_by")
            .get(pk=pk)
        )
    except Approval.DoesNotExist:
        raise Http404(_("没有找到该审批。")) from None


@login_required
def approval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _get_approval(request.user, pk)
    return render(request, "reviews/approval.html", {"item": item, "candidate": item.candidate})


@login_required
def approval_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The approval sheet for the paper file, with the chain head code (DESIGN principle 2)."""
    item = _get_approval(request.user, pk)
    html = render_to_string("reviews/approval_sheet.html", {"item": item})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="shenpi-{item.pk}.pdf"'
    return response
