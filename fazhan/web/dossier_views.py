"""Pages of the dossier: the second person's decision on a past fact's exception, and a
candidate's 思想汇报 log (fazhan.dossier)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates, i18n_data
from fazhan.core.errors import ActionRefused, Reason
from fazhan.dossier.actions import (
    do_confirm_past_fact,
    do_decline_past_fact,
    do_record_thought_report,
)
from fazhan.dossier.models import PastFact, PastStatus
from fazhan.dossier.summary import thought_status
from fazhan.people.models import get_candidate_for_user
from fazhan.policy.exceptions import ALLOWS_EXCEPTION
from fazhan.policy.thoughts import Quarter
from fazhan.web.dossier_forms import DecideForm, ThoughtReportForm


@login_required
def past_fact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One past fact: what it says, its paper and reason; for a pending exception, the second
    person confirms it or says why not."""
    fact = (
        PastFact.objects.visible_to(request.user)
        .select_related("candidate__person", "candidate__org", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if fact is None:
        raise Http404(_("没有这项补录"))
    refused: list[Reason] = []
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decision") == "confirm":
                do_confirm_past_fact(request.user, fact.pk)
                messages.success(request, _("已确认，该步骤已记入档案。"))
            else:
                do_decline_past_fact(request.user, fact.pk, note=form.cleaned_data["note"])
                messages.success(request, _("已不予确认，档案未作改动。"))
        except ActionRefused as error:
            refused = error.reasons
        else:
            return redirect("candidate", pk=fact.candidate_id)
    auth = authority(request.user)
    may_decide = (
        fact.status == PastStatus.PENDING
        and fact.requested_by_id != request.user.pk
        and fact.confirm_org_id is not None
        and auth.may_write(fact.confirm_org_id)
    )
    return render(
        request,
        "dossier/past_fact.html",
        {
            "fact": fact,
            "candidate": fact.candidate,
            "step_name": i18n_data.step_name(fact.step, fact.candidate.policy),
            "basis": ALLOWS_EXCEPTION.get(fact.step, ""),
            "form": form,
            "may_decide": may_decide,
            "refused": refused,
        },
        status=422 if refused else 200,
    )


@login_required
def thoughts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A candidate's 思想汇报 log: what was received, which quarters are missing, a new entry."""
    candidate = get_candidate_for_user(request.user, pk)
    can_write = authority(request.user).may_write(candidate.org_id)
    refused: list[Reason] = []
    form = ThoughtReportForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise Http404(_("没有这份档案"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_record_thought_report(
                    request.user,
                    candidate,
                    received_on=data["received_on"],
                    period=Quarter(data["period_year"], data["period_quarter"]),
                    note=data["note"],
                    attachment_ref=data["attachment_ref"],
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已登记思想汇报。"))
                return redirect("thoughts", pk=candidate.pk)
    return render(
        request,
        "dossier/thoughts.html",
        {
            "candidate": candidate,
            "status": thought_status(candidate),
            "form": form,
            "can_write": can_write,
            "refused": refused,
            "today": dates.today(),
        },
        status=422 if refused else 200,
    )
