"""The register of irregularities: the district's list, one row, its Excel export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhan.accountability.actions import (
    do_assign_task,
    do_close_irregularity,
    do_close_task,
    do_conclude_case,
    do_decide_party,
    do_explain_irregularity,
    do_note_task,
    do_open_case,
    do_propose_revocation,
    do_record_investigation,
    get_case_for_user,
    get_irregularity_for_user,
    get_task_for_user,
    may_assign,
    may_close,
    may_explain,
    may_handle_case,
)
from fazhan.accountability.filters import (
    LIVE,
    PAGE_SIZE,
    Row,
    as_rows,
    filter_register,
    listed,
    totals_by_severity,
)
from fazhan.accountability.models import (
    Case,
    CaseState,
    Ground,
    Outcome,
    Party,
    Severity,
    State,
    SupervisionTask,
    TaskState,
    Topic,
)
from fazhan.accountability.supervision import dormant, file_troubles, plan_lags
from fazhan.accounts.authority import COMMITTEE_KINDS, authority, no_sysadmin
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates, i18n_data
from fazhan.core.errors import ActionRefused
from fazhan.imports.export import XLSX, list_workbook
from fazhan.orgs.models import Kind, Organization, OrgType, get_org_for_user
from fazhan.people.models import Candidate, Stage
from fazhan.policy.guidance import load_guidance

HEADERS = (
    gettext_lazy("姓名"),
    gettext_lazy("组织"),
    gettext_lazy("性质"),
    gettext_lazy("环节"),
    gettext_lazy("发生日期"),
    gettext_lazy("问题"),
    gettext_lazy("依据"),
    gettext_lazy("发现日期"),
    gettext_lazy("状态"),
    gettext_lazy("关闭日期"),
    gettext_lazy("关闭原因"),
)
FILTERS = ("org", "severity", "state", "finding", "step", "from", "to", "q")


def _filters(request: HttpRequest) -> dict[str, str]:
    values = {key: request.GET.get(key, "") for key in FILTERS}
    values["state"] = request.GET.get("state", LIVE)
    return values


@no_sysadmin
def register_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = filter_register(request.user, request.GET)
    totals = totals_by_severity(rows, request.GET)
    paginator = Paginator(listed(rows), PAGE_SIZE)
    # Every row has one of the two severities: the total is their sum, not a second COUNT.
    paginator.count = sum(totals.values())
    page = paginator.get_page(request.GET.get("page"))
    orgs = Organization.objects.visible_to(request.user).exclude(kind=Kind.BRANCH)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accountability/register.html",
        {
            "page": page,
            "rows": as_rows(page.object_list),
            "filters": _filters(request),
            "query": query.urlencode(),
            "severities": Severity.choices,
            "states": State.choices,
            "orgs": orgs.order_by("code"),
            "may_open_case": authority(request.user).is_committee,
            "violations": totals.get(Severity.VIOLATION, 0),
            "lates": totals.get(Severity.LATE, 0),
        },
    )


def _export_rows(rows: Any) -> Any:
    for values in rows.iterator(chunk_size=2000):
        row = Row._make(values)
        yield [
            row.person_name,
            row.org_name,
            row.get_severity_display(),
            i18n_data.step_label(row.step) if row.step else "",
            row.finding_date,
            i18n_data.finding_message(row),
            i18n_data.finding_basis(row),
            row.found_on,
            row.get_state_display(),
            row.closed_on,
            row.get_closed_because_display() if row.closed_because else "",
        ]


@no_sysadmin
def register_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = filter_register(request.user, request.GET)
    content = list_workbook(_("违规发展登记"), HEADERS, _export_rows(listed(rows)))
    response = HttpResponse(content, content_type=XLSX)
    stamp = dates.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="register-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@no_sysadmin
def register_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_irregularity_for_user(request.user, pk)
    return render(
        request,
        "accountability/item.html",
        {
            "row": row,
            "may_explain": row.state != State.CLOSED and may_explain(request.user, row),
            "may_close": row.state in (State.OPEN, State.EXPLAINED)
            and may_close(request.user, row),
        },
    )


@no_sysadmin
@require_POST
def register_explain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_irregularity_for_user(request.user, pk)
    _refused_or(
        request,
        _("情况说明已保存。"),
        lambda: do_explain_irregularity(request.user, row, text=request.POST.get("text", "")),
    )
    return redirect("accountability:item", pk=row.pk)


@no_sysadmin
@require_POST
def register_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_irregularity_for_user(request.user, pk)
    _refused_or(
        request,
        _("已作出处理结论并关闭。"),
        lambda: do_close_irregularity(
            request.user, row, conclusion=request.POST.get("conclusion", "")
        ),
    )
    return redirect("accountability:item", pk=row.pk)


# -- cases -------------------------------------------------------------------------------------


@no_sysadmin
@require_POST
def case_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("rows") if v.isdigit()]
    due = _day(request.POST.get("due_on", ""))
    try:
        case = do_open_case(request.user, ids, title=request.POST.get("title", ""), due_on=due)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("accountability:register")
    messages.success(request, _("已立案。"))
    return redirect("accountability:case", pk=case.pk)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@no_sysadmin
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    cases = Case.objects.visible_to(request.user).select_related("org")
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    party = request.GET.get("party", "")
    if party.isdigit():
        # A person's case history: only the cases the reader reaches (issue 15 item 2).
        cases = cases.filter(pk__in=Party.objects.filter(user_id=int(party)).values("case_id"))
    counted = cases.annotate(rows=Count("irregularities")).order_by("-opened_on", "-pk")
    page = Paginator(counted, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accountability/cases.html",
        {"page": page, "state": state, "states": CaseState.choices, "today": dates.today()},
    )


@no_sysadmin
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    rows = case.irregularities.select_related("candidate__person", "org").order_by("pk")
    parties = case.parties.select_related("user", "org").order_by("pk")
    writable = case.state == CaseState.OPEN and may_handle_case(request.user, case)
    probationary = {
        row.candidate_id: row.candidate for row in rows if row.candidate.stage == Stage.PROBATIONARY
    }
    return render(
        request,
        "accountability/case.html",
        {
            "case": case,
            "rows": rows,
            "parties": parties,
            "writable": writable,
            "outcomes": Outcome.choices,
            "today": dates.today(),
            "probationary": list(probationary.values()),
            "revocations": case.revocations.select_related("candidate__person"),
            "grounds": Ground.choices,
        },
    )


def _refused_or(request: HttpRequest, done: str, action: Any) -> None:
    try:
        action()
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)


@no_sysadmin
@require_POST
def case_investigation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    _refused_or(
        request,
        _("调查情况已保存。"),
        lambda: do_record_investigation(request.user, case, text=request.POST.get("text", "")),
    )
    return redirect("accountability:case", pk=case.pk)


@no_sysadmin
@require_POST
def case_party(request: AuthenticatedHttpRequest, pk: int, party_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    responsible = request.POST.get("responsible", "")
    if responsible not in ("yes", "no"):
        messages.error(request, _("请选择是否认定负有责任。"))
        return redirect("accountability:case", pk=case.pk)
    _refused_or(
        request,
        _("认定已保存。"),
        lambda: do_decide_party(
            request.user,
            case,
            party_pk,
            responsible=responsible == "yes",
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        ),
    )
    return redirect("accountability:case", pk=case.pk)


@no_sysadmin
@require_POST
def case_conclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    _refused_or(
        request,
        _("已结案。"),
        lambda: do_conclude_case(
            request.user,
            case,
            remedy=request.POST.get("remedy", ""),
            conclusion=request.POST.get("conclusion", ""),
        ),
    )
    return redirect("accountability:case", pk=case.pk)


# -- 督查 --------------------------------------------------------------------------------------


def _supervised_root(request: AuthenticatedHttpRequest) -> Organization | None:
    """The committee whose subtree the lists cover: the reader's own (the nearest to the root
    first), the district for the auditor, none for a branch."""
    power = authority(request.user)
    if power.is_read_only:
        return Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    roots = Organization.objects.filter(pk__in=power.roots(*COMMITTEE_KINDS))
    chosen = request.GET.get("org", "")
    if chosen.isdigit() and roots.filter(pk=int(chosen)).exists():
        return roots.get(pk=int(chosen))
    return roots.order_by("level", "code").first()


@no_sysadmin
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = dates.today()
    root = _supervised_root(request)
    tasks = SupervisionTask.objects.visible_to(request.user).select_related("org")
    context: dict[str, Any] = {
        "root": root,
        "today": today,
        "tasks": tasks.filter(state=TaskState.OPEN).order_by("due_on", "pk"),
        "closed": tasks.filter(state=TaskState.CLOSED).order_by("-closed_on", "-pk")[:20],
        "topics": Topic.choices,
        "may_assign": root is not None and not authority(request.user).is_read_only,
        "default_due": today + timedelta(days=30),
    }
    if root is not None:
        subtree = Organization.objects.subtree_ids([root.pk])
        context |= {
            "lags": plan_lags(root, today.year, today),
            "dormant": dormant(subtree, today),
            "troubles": file_troubles(subtree, today)[:50],
        }
    return render(request, "accountability/supervision.html", context)


@no_sysadmin
@require_POST
def task_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    org_pk = request.POST.get("org", "")
    org = get_org_for_user(request.user, org_pk)
    due = _day(request.POST.get("due_on", "")) or dates.today() + timedelta(days=30)
    try:
        task = do_assign_task(
            request.user,
            org=org,
            topic=request.POST.get("topic", ""),
            title=request.POST.get("title", ""),
            due_on=due,
        )
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("accountability:supervision")
    messages.success(request, _("督查任务已交办。"))
    return redirect("accountability:task", pk=task.pk)


@no_sysadmin
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    open_ = task.state == TaskState.OPEN
    return render(
        request,
        "accountability/task.html",
        {
            "task": task,
            "notes": task.notes.select_related("written_by"),
            "may_note": open_ and authority(request.user).may_write(task.org_id),
            "may_close": open_ and may_assign(request.user, task.org_id),
            "today": dates.today(),
        },
    )


@no_sysadmin
@require_POST
def task_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    _refused_or(
        request,
        _("跟进情况已保存。"),
        lambda: do_note_task(request.user, task, text=request.POST.get("text", "")),
    )
    return redirect("accountability:task", pk=task.pk)


@no_sysadmin
@require_POST
def task_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    _refused_or(
        request,
        _("督查任务已办结。"),
        lambda: do_close_task(request.user, task, result=request.POST.get("result", "")),
    )
    return redirect("accountability:task", pk=task.pk)


# -- 分类指导 ----------------------------------------------------------------------------------


@no_sysadmin
def guidance(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each unit type's guidance from the seed, and the reader's files broken down by type."""
    today = dates.today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    rows = (
        Candidate.objects.visible_to(request.user)
        .values("org__org_type")
        .annotate(
            applicants=Count("pk", filter=Q(stage=Stage.APPLICANT)),
            pool=Count("pk", filter=Q(stage__in=(Stage.ACTIVIST, Stage.TARGET))),
            probationary=Count("pk", filter=Q(stage=Stage.PROBATIONARY)),
            developed=Count("pk", filter=Q(approved_on__gte=first, approved_on__lte=last)),
            overdue=Count("pk", filter=Q(next_due__lt=today)),
            irregular=Count("pk", filter=Q(violations__gt=0)),
        )
        .order_by()
    )
    by_type = {row["org__org_type"] or "": row for row in rows}
    book = load_guidance()
    types = [
        {
            "value": value,
            "label": label,
            "guidance": book.of(value),
            "counts": by_type.get(value),
        }
        for value, label in OrgType.choices
    ]
    return render(
        request,
        "accountability/guidance.html",
        {"book": book, "types": types, "untyped": by_type.get(""), "year": today.year},
    )


@no_sysadmin
@require_POST
def case_revocation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    chosen = request.POST.get("candidate", "")
    _refused_or(
        request,
        _("已提出取消预备党员资格的理由，请党支部提交支部大会讨论。"),
        lambda: do_propose_revocation(
            request.user,
            case,
            int(chosen) if chosen.isdigit() else 0,
            ground=request.POST.get("ground", ""),
            reason=request.POST.get("reason", ""),
        ),
    )
    return redirect("accountability:case", pk=case.pk)
