"""Report campaigns: the district's board and consolidation, the sender's report page.

Who sees what (DESIGN principle 6; outside it is a 404): 区委组织部 staff their campaigns and every
report in them; the auditor the same, read only; a sending 党委/党工委's staff their own reports;
nobody else anything (fazhan.reports.actions decides, the views only ask).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.accounts.models import RoleKind
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Organization
from fazhan.policy.counts import STAGES
from fazhan.policy.targets import COUNT_KEYS
from fazhan.reports import consolidate as merge
from fazhan.reports.actions import (
    campaign_for,
    do_accept_report,
    do_edit_campaign,
    do_open_campaign,
    do_remind,
    do_return_report,
    do_save_draft,
    do_submit_report,
    is_district_side,
    is_sender_side,
    reads_district_side,
    senders_for,
    submission_for,
)
from fazhan.reports.consolidate import ratio_text, stage_labels, type_label
from fazhan.reports.figures import category_label
from fazhan.reports.forms import CampaignDatesForm, OpenCampaignForm, SubmissionForm
from fazhan.reports.models import ReportCampaign, ReportSubmission

# -- lists ----------------------------------------------------------------------------------------


def _district_root(user: Any) -> Organization | None:
    auth = authority(user)
    roots = auth.roots(RoleKind.DISTRICT_STAFF)
    return Organization.objects.filter(pk__in=roots).order_by("pk").first() if roots else None


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    auth = authority(request.user)
    district = _district_root(request.user)
    campaigns: list[ReportCampaign] = []
    if auth.is_read_only:
        campaigns = list(ReportCampaign.objects.select_related("org"))
    elif district is not None:
        reach = Organization.objects.subtree_ids([district.pk])
        campaigns = list(ReportCampaign.objects.filter(org_id__in=reach).select_related("org"))
    mine = list(
        ReportSubmission.objects.filter(sender_id__in=senders_for(request.user)).select_related(
            "campaign", "sender"
        )
    )
    if district is None and not auth.is_read_only and not mine:
        raise Http404(_("没有找到该页面。"))
    day = dates.today()
    initial = {"year": day.year, "kind": "half_year" if day.month <= 6 else "year_end"}
    form = OpenCampaignForm(org=district, initial=initial) if district is not None else None
    return render(
        request,
        "reports/index.html",
        {"campaigns": campaigns, "mine": mine, "form": form},
    )


@login_required
@require_POST
def open_campaign(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = _district_root(request.user)
    if district is None:
        raise Http404(_("没有找到该页面。"))
    form = OpenCampaignForm(request.POST, org=district)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容：%(errors)s") % {"errors": _errors(form)})
        return redirect("reports:index")
    data = form.cleaned_data
    try:
        campaign = do_open_campaign(
            request.user,
            org=district,
            kind=data["kind"],
            year=data["year"],
            period_start=data["period_start"],
            cutoff=data["cutoff"],
            due=data["due"],
            senders=list(data["senders"]),
        )
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("reports:index")
    messages.success(request, _("已发起%(campaign)s。") % {"campaign": campaign})
    return redirect("reports:campaign", pk=campaign.pk)


def _errors(form: Any) -> str:
    return "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items())


# -- the district's board -------------------------------------------------------------------------


@login_required
def campaign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = campaign_for(request.user, pk)
    rows = []
    for sub in found.submissions.select_related("sender").order_by("sender__code"):
        rows.append({"s": sub, "differences": len(sub.differences()), "late": sub.is_late})
    editable = is_district_side(request.user, found) and not found.has_submissions()
    dates_form = CampaignDatesForm(
        initial={"period_start": found.period_start, "cutoff": found.cutoff, "due": found.due}
    )
    return render(
        request,
        "reports/campaign.html",
        {
            "campaign": found,
            "rows": rows,
            "can_act": is_district_side(request.user, found),
            "editable": editable,
            "dates_form": dates_form,
        },
    )


@login_required
@require_POST
def campaign_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = campaign_for(request.user, pk)
    form = CampaignDatesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的日期。"))
        return redirect("reports:campaign", pk=pk)
    try:
        do_edit_campaign(request.user, found, **form.cleaned_data)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("已修改统计期间和上报期限。"))
    return redirect("reports:campaign", pk=pk)


@login_required
def campaign_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = campaign_for(request.user, pk)
    body = merge.workbook(merge.consolidate(found))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="report-{found.year}-{found.kind}.xlsx"'
    )
    return response


@login_required
def campaign_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = campaign_for(request.user, pk)
    response = HttpResponse(merge.pdf(merge.consolidate(found)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{found.year}-{found.kind}.pdf"'
    return response


# -- one report -----------------------------------------------------------------------------------


def _figure_context(sub: ReportSubmission) -> dict[str, Any]:
    figures = sub.figures or {}
    counts = figures.get("counts", {})
    diffs = {d["key"]: d | {"label": category_label(d["key"])} for d in sub.differences()}
    stage_values = figures.get("stages", {})
    return {
        "count_rows": [
            {
                "key": k,
                "label": category_label(k),
                "record": counts.get(k),
                "second_half": (figures.get("second_half") or {}).get(k),
                "diff": diffs.get(k),
            }
            for k in COUNT_KEYS
        ],
        "stage_rows": list(
            zip(stage_labels(), [stage_values.get(s, 0) for s in STAGES], strict=True)
        ),
        "type_rows": [
            (type_label(part["type"]), [part["counts"].get(k, 0) for k in COUNT_KEYS])
            for part in figures.get("by_type", [])
        ],
        "categories": [category_label(k) for k in COUNT_KEYS],
        "pool": figures.get("pool"),
        "ratio": ratio_text(figures["pool"]) if figures.get("pool") else "—",
        "differences": list(diffs.values()),
        "has_second_half": bool(figures.get("second_half")),
    }


@login_required
def submission(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sub = submission_for(request.user, pk)
    sender = is_sender_side(request.user, sub)
    form = None
    if sender and sub.is_editable:
        form = SubmissionForm(request.POST or None, submission=sub)
        if request.method == "POST" and form.is_valid():
            submitting = request.POST.get("action") == "submit"
            try:
                sub = do_save_draft(
                    request.user,
                    sub,
                    summary_done=form.cleaned_data["summary_done"],
                    summary_problems=form.cleaned_data["summary_problems"],
                    summary_next=form.cleaned_data["summary_next"],
                    reported=form.reported(),
                    refresh=not submitting,
                )
                if submitting:
                    sub = do_submit_report(request.user, sub)
                    messages.success(request, _("报表已上报。"))
                else:
                    messages.success(request, _("草稿已保存。"))
            except ActionRefused as refused:
                messages.error(request, str(refused))
            return redirect("reports:submission", pk=sub.pk)
        if request.method == "POST":
            messages.error(request, _("请检查填写的内容：%(errors)s") % {"errors": _errors(form)})
    elif request.method == "POST":
        raise Http404(_("没有找到该页面。"))
    context = {
        "sub": sub,
        "campaign": sub.campaign,
        "form": form,
        "rows": form.bound_rows() if form else [],
        "district": reads_district_side(request.user, sub.campaign),
        "can_act": is_district_side(request.user, sub.campaign),
    }
    return render(request, "reports/submission.html", context | _figure_context(sub))


def _district_post(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    sub = submission_for(request.user, pk)
    try:
        if verb == "return":
            do_return_report(request.user, sub, comment=request.POST.get("comment", ""))
            messages.success(request, _("已退回，报送单位将在首页看到退回意见。"))
        elif verb == "accept":
            do_accept_report(request.user, sub)
            messages.success(request, _("已审核通过。"))
        else:
            do_remind(request.user, sub)
            messages.success(request, _("已催报，报送单位将在首页待办中看到。"))
    except ActionRefused as refused:
        messages.error(request, str(refused))
    if request.POST.get("next") == "board":
        return redirect("reports:campaign", pk=sub.campaign_id)
    return redirect("reports:submission", pk=sub.pk)


@login_required
@require_POST
def submission_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _district_post(request, pk, "return")


@login_required
@require_POST
def submission_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _district_post(request, pk, "accept")


@login_required
@require_POST
def submission_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _district_post(request, pk, "remind")
