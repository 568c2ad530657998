"""Import and export pages: typed function views over the actions and `visible_to(user)`."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority, no_sysadmin
from fazhan.accounts.models import User
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.imports import export
from fazhan.imports.actions import (
    do_apply_batch,
    do_discard_batch,
    do_preview_files,
    do_preview_roster,
)
from fazhan.imports.forms import FilesUploadForm, RosterUploadForm, writer_roots
from fazhan.imports.models import ImportBatch, get_batch_for_user
from fazhan.people.models import Stage, get_candidate_for_user
from fazhan.people.record import candidate_document
from fazhan.policy.data import load_policy

ROWS_PER_PAGE = 50
ERRORS_PER_PAGE = 200
SEVERITY = {
    "violation": gettext_lazy("违规"),
    "late": gettext_lazy("逾期"),
    "warning": gettext_lazy("提示"),
}


def _user(request: HttpRequest) -> User:
    """The signed-in account (login_required ran before)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404(_("请先登录"))
    return user


def _index(
    request: HttpRequest,
    roster_form: RosterUploadForm | None = None,
    files_form: FilesUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_import = bool(writer_roots(user))
    context = {
        "can_import": can_import,
        "read_only": authority(user).is_read_only,
        "roster_form": roster_form or RosterUploadForm(user),
        "files_form": files_form or FilesUploadForm(user),
        "batches": ImportBatch.objects.visible_to(user)
        .filter(uploaded_by_id=user.pk)
        .select_related("org")[:20],
        "stages": Stage.choices,
        "tab": request.GET.get("tab", "roster"),
    }
    return render(request, "imports/index.html", context, status=status)


@no_sysadmin
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@no_sysadmin
@require_POST
def upload_roster(request: HttpRequest) -> HttpResponse:
    if not writer_roots(request.user):
        raise Http404(_("没有可导入的组织"))
    form = RosterUploadForm(request.user, request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, roster_form=form, status=400)
    upload = form.cleaned_data["file"]
    batch = do_preview_roster(
        _user(request), org=form.cleaned_data["org"], filename=upload.name or "", data=upload.read()
    )
    return redirect("imports:batch", pk=batch.pk)


@no_sysadmin
@require_POST
def upload_files(request: HttpRequest) -> HttpResponse:
    if not writer_roots(request.user):
        raise Http404(_("没有可导入的组织"))
    form = FilesUploadForm(request.user, request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, files_form=form, status=400)
    uploads = [(u.name or "", u.read()) for u in form.cleaned_data["uploads"]]
    try:
        batch = do_preview_files(_user(request), org=form.cleaned_data["org"], uploads=uploads)
    except ActionRefused as refused:
        form.add_error("org", str(refused))
        return _index(request, files_form=form, status=400)
    return redirect("imports:batch", pk=batch.pk)


def _events_text(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    steps = load_policy().steps
    shown = []
    for event in events:
        kind = str(event.get("type", ""))
        spec = steps.get(kind)
        shown.append(
            {"type": kind, "date": str(event.get("date", "")), "name": spec.name if spec else ""}
        )
    return shown


@no_sysadmin
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    show = request.GET.get("show", "")
    if show not in ("errors", "findings", "all"):
        show = "errors" if batch.error_rows else "all"
    rows = batch.rows.select_related("candidate").order_by("number")
    if show == "errors":
        rows = rows.filter(has_errors=True)
    elif show == "findings":
        rows = rows.filter(finding_count__gt=0)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    stages = dict(Stage.choices)
    shown = [
        {
            "row": row,
            "person": row.person,
            "events": _events_text(row.data.get("events", [])),
            "stage": stages.get(row.data.get("stage", ""), ""),
            "findings": row.data.get("findings", []),
            "next": row.data.get("next"),
        }
        for row in page.object_list
    ]
    errors = [
        {"number": number, "label": label, **error}
        for number, label, row_errors in batch.rows.filter(has_errors=True)
        .order_by("number")
        .values_list("number", "label", "errors")
        for error in row_errors
    ]
    error_page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("epage"))
    summary = batch.summary or {}
    context = {
        "batch": batch,
        "page": page,
        "rows": shown,
        "show": show,
        "error_page": error_page,
        "error_total": len(errors),
        "stage_counts": [
            (label, summary.get("stages", {}).get(value, 0))
            for value, label in Stage.choices
            if summary.get("stages", {}).get(value)
        ],
        "finding_counts": list(summary.get("findings", {}).items()),
        "severities": [(SEVERITY[k], summary.get("severities", {}).get(k, 0), k) for k in SEVERITY],
        "ignored": summary.get("ignored_columns", []),
        "is_uploader": batch.uploaded_by_id == request.user.pk,
        "severity_labels": SEVERITY,
    }
    template = "imports/_rows.html" if getattr(request, "htmx", False) else "imports/batch.html"
    return render(request, template, context)


@no_sysadmin
@require_POST
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        applied = do_apply_batch(_user(request), batch)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("已导入 %(n)d 份档案。") % {"n": applied.row_count})
    return redirect("imports:batch", pk=batch.pk)


@no_sysadmin
@require_POST
def batch_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        do_discard_batch(_user(request), batch)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:batch", pk=batch.pk)
    messages.success(request, _("已放弃这一批，没有导入任何内容。"))
    return redirect("imports:index")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: not kept by proxies or the browser
    return response


@no_sysadmin
def batch_errors_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    return _attachment(export.errors_workbook(batch), export.XLSX, f"import-{batch.pk}-errors.xlsx")


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    return _attachment(export.template_workbook(), export.XLSX, "fazhan-roster-template.xlsx")


@no_sysadmin
def candidate_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate's file in the contract's format (contracts.md §1); 404 outside the scope."""
    candidate = get_candidate_for_user(request.user, pk)
    content = json.dumps(candidate_document(candidate), ensure_ascii=False, indent=1)
    return _attachment(
        content.encode("utf-8"), "application/json; charset=utf-8", f"candidate-{candidate.pk}.json"
    )


@no_sysadmin
def candidates_xlsx(request: HttpRequest) -> HttpResponse:
    """The candidate list of `/candidates/` with the same filters, as Excel."""
    candidates = export.filtered_candidates(request.user, request.GET)
    stamp = dates.today().isoformat()
    return _attachment(
        export.candidates_workbook(candidates), export.XLSX, f"candidates-{stamp}.xlsx"
    )
