"""The mobility pages: the mobile picture, a file's agreements and contacts, refusing a transfer,
setting up and ending an agreement, the outside organizations and what they report. Each page
calls its `do_*` action (fazhan.mobility.actions); reads are scoped (outside: 404)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority, no_sysadmin, requires_writer
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.audit.chain import events_of
from fazhan.content_forms import uploads
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.members.history import rosters_up_from
from fazhan.mobility import picture
from fazhan.mobility.actions import (
    ContactWay,
    do_end_cooperation,
    do_open_cooperation,
    do_record_contact,
    do_record_outside_report,
    do_refuse_transfer,
    do_register_outside_org,
)
from fazhan.mobility.crossing import (
    canonical,
    do_receive_file,
    do_transfer_out_of_district,
    do_void_departure,
)
from fazhan.mobility.forms import (
    AgreementForm,
    ContactForm,
    DepartForm,
    EndForm,
    OutsideForm,
    ReceiveForm,
    RefuseForm,
    ReportForm,
    VoidDepartureForm,
    step_label,
)
from fazhan.mobility.models import Cooperation, Departure, OutsideOrg
from fazhan.notices.pdf import qr_data_uri
from fazhan.orgs.models import Organization
from fazhan.paperwork.printing import pdf_response
from fazhan.people.models import Candidate, get_candidate_for_user
from fazhan.people.record import is_record_kind
from fazhan.policy import mobility as rules
from fazhan.web.lifecycle import _branches_for_transfer, kind_label
from fazhan.web.views import pending_transfer


def _form_page(
    request: AuthenticatedHttpRequest,
    *,
    title: str,
    form: Any,
    refused: list[Reason],
    back: str,
    back_label: str,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "mobility/form.html",
        {
            "title": title,
            "form": form,
            "refused": refused,
            "back": back,
            "back_label": back_label,
            "intro": intro,
            "multipart": multipart,
        },
    )


def _submitted(
    request: AuthenticatedHttpRequest,
    form: Any,
    act: Callable[[dict[str, Any]], object],
    done: str,
    to: str,
) -> HttpResponse | list[Reason]:
    """A posted, valid form runs its action: the next page when it ran, its refusals when it
    was refused, none when nothing was posted (or the form names its own errors)."""
    if request.method != "POST" or form is None or not form.is_valid():
        return []
    try:
        act(form.cleaned_data)
    except ActionRefused as error:
        return error.reasons
    messages.success(request, done)
    return redirect(to)


@no_sysadmin
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = dates.today()
    away = picture.away(request.user, today)
    return render(
        request,
        "mobility/overview.html",
        {
            "away": away,
            "overdue": [row for row in away if row.overdue],
            "came_in": picture.came_in(request.user),
            "went_out": picture.went_out(request.user),
            "departed": Departure.objects.filter(
                candidate__in=Candidate.objects.visible_to(request.user)
            )
            .select_related("candidate__person", "outside")
            .order_by("-departed_on", "pk"),
            "today": today,
            "interval": rules.contact_interval_days(),
            "basis": rules.contact_basis(),
        },
    )


@no_sysadmin
def candidate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A file's agreements and contacts, and what the user may do about them."""
    found = get_candidate_for_user(request.user, pk)
    held = authority(request.user)
    agreements = list(
        Cooperation.objects.filter(candidate=found).select_related(
            "cooperating", "outside", "responsible"
        )
    )
    contacts = [e for e in events_of(found.pk) if e.kind == "mobility.contact"]
    labels = dict(ContactWay.LABELS)
    return render(
        request,
        "mobility/candidate.html",
        {
            "candidate": found,
            "agreements": agreements,
            "contacts": [(e.happened_on, labels.get(e.payload.get("way"), "")) for e in contacts],
            "responsible": held.may_write(found.org_id),
            "pending": pending_transfer(request.user, found),
            "departure": Departure.objects.filter(candidate=found).first(),
        },
    )


@requires_writer
def refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_candidate_for_user(request.user, pk)
    link = pending_transfer(request.user, found)
    if link is None:
        raise Http404(_("没有待接收的转接"))
    form = RefuseForm(request.POST or None)
    outcome = _submitted(
        request,
        form,
        lambda d: do_refuse_transfer(
            request.user, found, happened_on=d["happened_on"], reason=d["reason"]
        ),
        _("已退回，档案仍由%(org)s负责。") % {"org": found.org.name},
        reverse("mobility:overview"),
    )
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("不接收转入"),
        form=form,
        refused=outcome,
        back=f"/candidates/{found.pk}/",
        back_label=found.person.name,
        intro=_("由%(from)s转入%(to)s：写明不接收的理由，档案仍由原党支部负责。")
        % {"from": found.org.name, "to": link.org.name},
    )


def _outside_choices(user: Any) -> list[tuple[int, str]]:
    return [(o.pk, o.name) for o in OutsideOrg.objects.visible_to(user)]


@requires_writer
def agreement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_candidate_for_user(request.user, pk)
    if not authority(request.user).may_write(found.org_id):
        raise Http404(_("没有找到该页面。"))
    form = AgreementForm(
        request.POST or None,
        branches=_branches_for_transfer(found),
        outside=_outside_choices(request.user),
    )

    def open_it(data: dict[str, Any]) -> object:
        return do_open_cooperation(
            request.user,
            found,
            kind=data["kind"],
            cooperating=(
                Organization.objects.get(pk=data["cooperating"]) if data["cooperating"] else None
            ),
            outside=(
                OutsideOrg.objects.visible_to(request.user).filter(pk=data["outside"]).first()
                if data["outside"]
                else None
            ),
            steps=data["steps"] or None,
            started_on=data["started_on"],
            until=data["until"],
            contact=data["contact"],
        )

    to = reverse("mobility:candidate", args=[found.pk])
    outcome = _submitted(request, form, open_it, _("协作协议已生效。"), to)
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("签订协作协议"),
        form=form,
        refused=outcome,
        back=f"/mobility/candidates/{found.pk}/",
        back_label=found.person.name,
        intro=_(
            "双边共管：双方记录、双方可见；委托培养：协作方培养考察，负责方决定；"
            "跟踪教育：负责方指定联系人跟踪，协作方报告；授权考察：协作方考察，其结论有效。"
        ),
    )


def _agreement_for(request: AuthenticatedHttpRequest, pk: int) -> Cooperation:
    row = (
        Cooperation.objects.visible_to(request.user)
        .select_related("candidate__person", "outside", "cooperating")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404(_("没有这份协议"))
    return row


@requires_writer
def end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = _agreement_for(request, pk)
    form = EndForm(request.POST or None)
    outcome = _submitted(
        request,
        form,
        lambda d: do_end_cooperation(request.user, row, ended_on=d["ended_on"], reason=d["reason"]),
        _("协议已结束。"),
        reverse("mobility:candidate", args=[row.candidate_id]),
    )
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("结束协作协议"),
        form=form,
        refused=outcome,
        back=f"/mobility/candidates/{row.candidate_id}/",
        back_label=row.candidate.person.name,
        intro=f"{row.get_kind_display()} · {row.partner_name}",
    )


@requires_writer
def report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An outside organization's report, recorded by the responsible side."""
    row = _agreement_for(request, pk)
    if row.outside_id is None or not authority(request.user).may_write(row.candidate.org_id):
        raise Http404(_("没有找到该页面。"))
    steps = list(row.steps)
    # The step reported, chosen by its link (?step=): the form asks that step's own content.
    step = request.GET.get("step") or (steps[0] if steps else "")
    if step not in steps:
        raise Http404(_("协作协议的范围不包括这项记录"))
    day = request.POST.get("happened_on", "") if request.method == "POST" else ""
    try:
        members = rosters_up_from(row.candidate.org_id, date.fromisoformat(day))
    except ValueError:
        members = rosters_up_from(row.candidate.org_id, dates.today())
    form = ReportForm(request.POST or None, request.FILES or None, step=step, members=members)
    outcome = _submitted(
        request,
        form,
        lambda d: do_record_outside_report(
            request.user,
            row,
            step=step,
            happened_on=d["happened_on"],
            document=d["document"],
            payload=form.payload(),
            files=uploads(form),
        ),
        _("已记录。"),
        reverse("mobility:candidate", args=[row.candidate_id]),
    )
    if not isinstance(outcome, list):
        return outcome
    return render(
        request,
        "mobility/report.html",
        {
            "agreement": row,
            "candidate": row.candidate,
            "form": form,
            "refused": outcome,
            "step": step,
            "choices": [(code, step_label(code)) for code in steps],
        },
    )


@requires_writer
def contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_candidate_for_user(request.user, pk)
    form = ContactForm(request.POST or None)
    outcome = _submitted(
        request,
        form,
        lambda d: do_record_contact(
            request.user, found, happened_on=d["happened_on"], way=d["way"]
        ),
        _("已记录联系。"),
        reverse("mobility:candidate", args=[found.pk]),
    )
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("记录联系"),
        form=form,
        refused=outcome,
        back=f"/mobility/candidates/{found.pk}/",
        back_label=found.person.name,
    )


@no_sysadmin
def outside(request: AuthenticatedHttpRequest) -> HttpResponse:
    held = authority(request.user)
    writable = held.writable_ids()
    orgs = Organization.objects.visible_to(request.user).exclude(kind="branch").order_by("code")
    if writable is not None:
        orgs = orgs.filter(pk__in=writable)
    choices = [(o.pk, o.name) for o in orgs] if held.is_writer else []
    # A branch secretary registers for their own branch.
    if held.is_writer and not choices:
        choices = [
            (o.pk, o.name)
            for o in Organization.objects.filter(pk__in=held.roots()).order_by("code")
        ]
    refused: list[Reason] = []
    form = OutsideForm(request.POST or None, orgs=choices) if choices else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            do_register_outside_org(
                request.user,
                registered_for=Organization.objects.get(pk=data["registered_for"]),
                name=data["name"],
                kind=data["kind"],
                contact=data["contact"],
                region=data["region"],
            )
        except ActionRefused as error:
            refused = error.reasons
        else:
            messages.success(request, _("已登记。"))
            return redirect("mobility:outside")
    return render(
        request,
        "mobility/outside.html",
        {
            "rows": OutsideOrg.objects.visible_to(request.user).select_related("registered_for"),
            "form": form,
            "refused": refused,
        },
    )


@no_sysadmin
def history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A file this organization handed over: what was recorded until it left (read-only)."""
    events = picture.recorded_before_leaving(request.user, pk)
    if events is None:
        raise Http404(_("没有这份档案"))
    found = Candidate.objects.select_related("person").get(pk=pk)
    rows = [
        (e.happened_on, kind_label(e.kind, found.policy)) for e in events if is_record_kind(e.kind)
    ]
    return render(request, "mobility/history.html", {"candidate": found, "rows": rows})


@requires_writer
def depart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the file out of the district: the exported file and its 介绍信."""
    found = get_candidate_for_user(request.user, pk)
    if not authority(request.user).may_write(found.org_id):
        raise Http404(_("没有找到该页面。"))
    form = DepartForm(request.POST or None, outside=_outside_choices(request.user))

    def send(data: dict[str, Any]) -> object:
        target = OutsideOrg.objects.visible_to(request.user).filter(pk=data["outside"]).first()
        if target is None:
            raise ActionRefused(_("请选择区外党组织"))
        return do_transfer_out_of_district(
            request.user, found, outside=target, happened_on=data["happened_on"]
        )

    done = _("已转出区外：请打印介绍信，并把电子档案交给接收方。")
    outcome = _submitted(request, form, send, done, reverse("mobility:candidate", args=[found.pk]))
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("转出区外"),
        form=form,
        refused=outcome,
        back=f"/mobility/candidates/{found.pk}/",
        back_label=found.person.name,
        intro=_("档案按统一格式导出，介绍信印有档案编码和纪实链校验码；培养时间连续计算。"),
    )


@requires_writer
def undepart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A departure entered by mistake, voided: the file is here again, its letter withdrawn."""
    departure = _departure(request, pk)
    found = departure.candidate
    if not authority(request.user).may_write(found.org_id):
        raise Http404(_("没有找到该页面。"))
    form = VoidDepartureForm(request.POST or None)
    outcome = _submitted(
        request,
        form,
        lambda d: do_void_departure(request.user, found, reason=d["reason"]),
        _("已撤销转出：档案回到本区，介绍信（%(code)s）作废。") % {"code": departure.letter_code},
        f"/candidates/{found.pk}/",
    )
    if not isinstance(outcome, list):
        return outcome
    return _form_page(
        request,
        title=_("撤销转出区外"),
        form=form,
        refused=outcome,
        back=f"/candidates/{found.pk}/",
        back_label=found.person.name,
        intro=_("转出记录有误时撤销：转出作废（记录链保留原记录和更正），档案回到%(org)s。")
        % {"org": found.org.name},
    )


def _departure(request: AuthenticatedHttpRequest, pk: int) -> Departure:
    found = get_candidate_for_user(request.user, pk)
    departure = (
        Departure.objects.filter(candidate=found)
        .select_related("outside", "candidate__person", "candidate__org")
        .first()
    )
    if departure is None:
        raise Http404(_("档案没有转出区外"))
    return departure


@no_sysadmin
def letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    departure = _departure(request, pk)
    candidate = Candidate.objects.select_related("person", "org").get(pk=pk)
    html = render_to_string(
        "mobility/letter_pdf.html",
        {
            "departure": departure,
            "candidate": candidate,
            "head_code": departure.head_code,
            # Offline districts cannot open our pages: the QR carries the two codes themselves.
            "qr": qr_data_uri(f"FAZHAN-LETTER {departure.letter_code} {departure.head_code}"),
        },
    )
    return pdf_response(html, f"letter-{departure.letter_code}.pdf")


@no_sysadmin
def departed_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    departure = _departure(request, pk)
    response = HttpResponse(
        canonical(departure.document), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="file-{departure.letter_code}.json"'
    return response


@requires_writer
def receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A file from outside the district, with its letter's code: imported and judged on
    arrival."""
    writable = authority(request.user).writable_ids()
    branches = Organization.objects.open().filter(kind="branch").order_by("code")
    if writable is not None:
        branches = branches.filter(pk__in=writable)
    refused: list[Reason] = []
    form = ReceiveForm(
        request.POST or None, request.FILES or None, branches=[(b.pk, b.name) for b in branches]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            try:
                document = json.loads(data["file"].read(2_000_000).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise ActionRefused(_("电子档案无法读取")) from None
            arrived = do_receive_file(
                request.user,
                org=branches.get(pk=data["org"]),
                document=document,
                letter_code=data["letter_code"],
                arrived_on=data["arrived_on"],
                origin=data["origin"],
            )
        except ActionRefused as error:
            refused = error.reasons
        else:
            messages.success(request, _("已接收，档案已按规则审查。"))
            return redirect("candidate", pk=arrived.pk)
    return _form_page(
        request,
        title=_("接收区外转入的档案"),
        form=form,
        refused=refused,
        back="/mobility/",
        back_label=_("流动人员中发展党员"),
        intro=_(
            "上传随介绍信转来的电子档案，录入介绍信上的档案编码：编码相符才接收，档案作为历史事实导入并立即审查。"
        ),
        multipart=True,
    )
