"""The 入党志愿书 register pages and the official forms as PDF (/paperwork/): typed function views,
scoped reads (outside the scope is a 404, DESIGN principle 6)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.accounts.authority import Authority, authority, authority_required
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Kind, Organization, get_org_for_user
from fazhan.paperwork import printing
from fazhan.paperwork.actions import do_close_form, do_issue_forms, do_use_form
from fazhan.paperwork.forms import CloseForm, FilingForm, IssueForm, UseForm
from fazhan.paperwork.models import FormState, VolunteerForm, format_number
from fazhan.people.models import Candidate, Stage, get_candidate_for_user
from fazhan.reviews.models import Approval, PrereviewRequest, PrereviewState


def _register_reader(a: Authority) -> bool:
    # Committees keep the register; the auditor reads it. A branch never holds forms.
    return a.is_committee or a.is_read_only


register_required = authority_required(_register_reader)


def ranges(numbers: list[int]) -> list[str]:
    """Sorted numbers as compact ranges: 1-3, 7."""
    found: list[str] = []
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif prev is not None and n == prev + 1:
            prev = n
        else:
            found.append(_span(start, prev))
            start = prev = n
    if start is not None:
        found.append(_span(start, prev))
    return found


def _span(a: int, b: int | None) -> str:
    if b is None or a == b:
        return format_number(a)
    return f"{format_number(a)}–{format_number(b)}"


def _holding_committees(user: Any) -> list[Organization]:
    """Committees with approval authority in the user's scope (those that can hold forms)."""
    return list(
        Organization.objects.visible_to(user)
        .filter(kind=Kind.SUB, can_approve=True)
        .order_by("code", "pk")
    )


def _ready(user: Any, auth: Authority) -> list[Candidate]:
    """Development targets whose pre-review passed and who hold no form in use, under a
    committee the user writes for (the action checks again, with the events)."""
    in_use = VolunteerForm.objects.filter(state=FormState.USED).values("candidate_id")
    passed = PrereviewRequest.objects.filter(state=PrereviewState.PASS).values("candidate_id")
    pool = (
        Candidate.objects.visible_to(user)
        .filter(stage=Stage.TARGET, pk__in=passed)
        .exclude(pk__in=in_use)
        .select_related("person", "org")
        .order_by("org__code", "person__name_pinyin", "pk")[:300]
    )
    return [c for c in pool if auth.writes_as_committee(c.org_id)]


def _stock(user: Any, writable: list[Organization]) -> list[tuple[int, int, int]]:
    """(pk, number, committee id) of the forms in stock of the committees the user writes for."""
    return list(
        VolunteerForm.objects.visible_to(user)
        .filter(state=FormState.STOCK, committee__in=writable)
        .order_by("number")
        .values_list("pk", "number", "committee_id")[:2000]
    )


def _use_form(user: Any, auth: Authority, writable: list[Organization], *args: Any) -> UseForm:
    ready = _ready(user, auth)
    return UseForm(
        *args,
        candidates=[(c.pk, f"{c.person.name}（{c.org.display_name}）") for c in ready],
        numbers=[(pk, format_number(number)) for pk, number, _c in _stock(user, writable)[:500]],
    )


def _writable(auth: Authority, committees: list[Organization]) -> list[Organization]:
    return [c for c in committees if auth.writes_as_committee(c.pk)]


def _index_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    auth = authority(user)
    committees = _holding_committees(user)
    forms = VolunteerForm.objects.visible_to(user)
    counts: dict[int, Counter[str]] = {c.pk: Counter() for c in committees}
    for committee_id, state, n in (
        forms.values_list("committee_id", "state").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(committee_id, Counter())[state] += n
    writable = _writable(auth, committees)
    by_committee: dict[int, list[int]] = {}
    for _pk, number, committee_id in _stock(user, writable):
        by_committee.setdefault(committee_id, []).append(number)
    rows = [
        {
            "org": c,
            "stock": counts[c.pk][FormState.STOCK],
            "used": counts[c.pk][FormState.USED],
            "spoiled": counts[c.pk][FormState.SPOILED],
            "lost": counts[c.pk][FormState.LOST],
            "ranges": ranges(by_committee.get(c.pk, [])),
        }
        for c in committees
    ]
    issue_form = extra.pop("issue_form", None)
    if issue_form is None and auth.is_district_staff:
        issue_form = IssueForm(committees=[(c.pk, c.name) for c in committees])
    use_form = extra.pop("use_form", None)
    if use_form is None and writable:
        use_form = _use_form(user, auth, writable)
    recent = (
        forms.exclude(state=FormState.STOCK)
        .select_related("committee", "candidate__person")
        .order_by("-pk")[:50]
    )
    return {
        "rows": rows,
        "issue_form": issue_form,
        "use_form": use_form,
        "recent": recent,
        "read_only": auth.is_read_only,
        **extra,
    }


@register_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "paperwork/index.html", _index_context(request))


def _refused(
    request: AuthenticatedHttpRequest, reasons: list[Reason], **forms: Any
) -> HttpResponse:
    return render(
        request,
        "paperwork/index.html",
        _index_context(request, refused=reasons, **forms),
        status=422,
    )


@register_required
def issue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("paperwork:index")
    committees = _holding_committees(request.user)
    form = IssueForm(request.POST, committees=[(c.pk, c.name) for c in committees])
    if not form.is_valid():
        return _refused(request, [], issue_form=form)
    data = form.cleaned_data
    try:
        done = do_issue_forms(
            request.user,
            data["committee"],
            issued_on=data["issued_on"],
            first=data.get("first"),
            last=data.get("last"),
            count=data.get("count"),
        )
    except ActionRefused as error:
        return _refused(request, error.reasons, issue_form=form)
    messages.success(
        request,
        _("已下发入党志愿书 %(n)d 份：%(first)s 至 %(last)s。")
        % {"n": done.count, "first": format_number(done.first), "last": format_number(done.last)},
    )
    return redirect("paperwork:index")


@register_required
def use(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("paperwork:index")
    auth = authority(request.user)
    writable = _writable(auth, _holding_committees(request.user))
    form = _use_form(request.user, auth, writable, request.POST)
    if not form.is_valid():
        return _refused(request, [], use_form=form)
    data = form.cleaned_data
    try:
        row = do_use_form(request.user, data["candidate"], data["form"], used_on=data["used_on"])
    except ActionRefused as error:
        return _refused(request, error.reasons, use_form=form)
    messages.success(request, _("已发放入党志愿书，编号 %(number)s。") % {"number": row.label})
    return redirect("paperwork:index")


def _get_form(user: Any, pk: int) -> VolunteerForm:
    try:
        return (
            VolunteerForm.objects.visible_to(user)
            .select_related("committee", "candidate__person", "issued_by", "used_by", "closed_by")
            .get(pk=pk)
        )
    except VolunteerForm.DoesNotExist:
        raise Http404(_("没有找到该入党志愿书编号。")) from None


@register_required
def form_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = _get_form(request.user, pk)
    auth = authority(request.user)
    close_form = CloseForm()
    refused: list[Reason] = []
    if request.method == "POST":
        close_form = CloseForm(request.POST)
        if close_form.is_valid():
            data = close_form.cleaned_data
            try:
                do_close_form(
                    request.user,
                    row,
                    state=data["state"],
                    closed_on=data["closed_on"],
                    reason=data["reason"],
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已登记。该编号不再使用。"))
                return redirect("paperwork:form", pk=row.pk)
    candidate_visible = (
        row.candidate_id is not None
        and Candidate.objects.visible_to(request.user).filter(pk=row.candidate_id).exists()
    )
    return render(
        request,
        "paperwork/form_detail.html",
        {
            "row": row,
            "close_form": close_form,
            "can_close": row.state in (FormState.STOCK, FormState.USED)
            and auth.writes_as_committee(row.committee_id),
            "candidate_visible": candidate_visible,
            "refused": refused,
        },
        status=422 if refused or close_form.errors else 200,
    )


# -- the PDFs ------------------------------------------------------------------------------------


@login_required
def record_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 全程纪实表 of one candidate."""
    candidate = get_candidate_for_user(request.user, pk)
    html = printing.record_html(request, candidate, reverse("candidate", args=[candidate.pk]))
    return printing.pdf_response(html, f"jishi-{candidate.pk}.pdf")


@login_required
def prereview_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The written pre-review opinion (S13, 细则 art. 19): only once decided."""
    try:
        item = (
            PrereviewRequest.objects.visible_to(request.user)
            .exclude(state=PrereviewState.PENDING)
            .select_related("candidate__person", "candidate__org", "from_org", "to_org")
            .get(pk=pk)
        )
    except PrereviewRequest.DoesNotExist:
        raise Http404(_("没有找到该预审意见。")) from None
    html = printing.prereview_html(request, item, reverse("reviews:prereview", args=[item.pk]))
    return printing.pdf_response(html, f"yushen-{item.pk}.pdf")


@login_required
def approval_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The approval notice (批复) to the branch (S17; S24 alike)."""
    try:
        item = (
            Approval.objects.visible_to(request.user)
            .select_related("candidate__person", "candidate__org", "committee")
            .get(pk=pk)
        )
    except Approval.DoesNotExist:
        raise Http404(_("没有找到该审批。")) from None
    html = printing.approval_html(request, item, reverse("reviews:approval", args=[item.pk]))
    return printing.pdf_response(html, f"pifu-{item.pk}.pdf")


def _filing_defaults() -> dict[str, Any]:
    today = dates.today()
    return {"step": "S04", "start": date(today.year, 1, 1), "end": today}


def _org_candidates(user: Any, org: Organization) -> Any:
    below = Organization.objects.subtree_ids([org.pk])
    return (
        Candidate.objects.visible_to(user)
        .filter(Q(org_id__in=below))
        .select_related("person", "org")
    )


@login_required
def filing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose a 备案表 (S04 or S08) and a date range for an organization, then print it."""
    org = get_org_for_user(request.user, pk)
    form = FilingForm(request.GET or None, initial=_filing_defaults())
    return render(request, "paperwork/filing.html", {"org": org, "form": form})


@login_required
def filing_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    form = FilingForm(request.GET or _filing_defaults())
    if not form.is_valid():
        return render(request, "paperwork/filing.html", {"org": org, "form": form}, status=400)
    data = form.cleaned_data
    path = reverse("paperwork:filing", args=[org.pk])
    html = printing.filing_html(
        request,
        org,
        _org_candidates(request.user, org),
        step=data["step"],
        start=data["start"],
        end=data["end"],
        path=path,
    )
    return printing.pdf_response(html, f"beian-{data['step']}-{org.pk}.pdf")
