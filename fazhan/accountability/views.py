"""The register of irregularities: the district's list, one row, its Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhan.accountability.actions import (
    do_close_irregularity,
    do_explain_irregularity,
    get_irregularity_for_user,
    may_close,
    may_explain,
)
from fazhan.accountability.filters import LIVE, filter_register
from fazhan.accountability.models import Severity, State
from fazhan.accounts.authority import no_sysadmin
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates, i18n_data
from fazhan.core.errors import ActionRefused
from fazhan.imports.export import XLSX, list_workbook
from fazhan.orgs.models import Kind, Organization

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
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    totals = dict(rows.order_by().values_list("severity").annotate(n=Count("pk")))
    orgs = Organization.objects.visible_to(request.user).exclude(kind=Kind.BRANCH)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accountability/register.html",
        {
            "page": page,
            "filters": _filters(request),
            "query": query.urlencode(),
            "severities": Severity.choices,
            "states": State.choices,
            "orgs": orgs.order_by("code"),
            "violations": totals.get(Severity.VIOLATION, 0),
            "lates": totals.get(Severity.LATE, 0),
        },
    )


def _export_rows(rows: Any) -> Any:
    for row in rows.iterator(chunk_size=2000):
        yield [
            row.candidate.person.name,
            row.org.name,
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
    content = list_workbook(_("违规发展登记"), HEADERS, _export_rows(rows))
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


@require_POST
@no_sysadmin
def register_explain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_irregularity_for_user(request.user, pk)
    try:
        do_explain_irregularity(request.user, row, text=request.POST.get("text", ""))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("情况说明已保存。"))
    return redirect("accountability:item", pk=row.pk)


@require_POST
@no_sysadmin
def register_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_irregularity_for_user(request.user, pk)
    try:
        do_close_irregularity(request.user, row, conclusion=request.POST.get("conclusion", ""))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已作出处理结论并关闭。"))
    return redirect("accountability:item", pk=row.pk)
