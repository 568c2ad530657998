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
from fazhan.imports import export, members, orgtree
from fazhan.imports.actions import (
    district_org,
    do_apply_batch,
    do_discard_batch,
    do_preview_files,
    do_preview_roster,
    do_preview_sheet,
    do_queue_batch,
    queued,
)
from fazhan.imports.forms import FilesUploadForm, RosterUploadForm, SheetUploadForm, writer_roots
from fazhan.imports.models import SHEET_KINDS, BatchKind, ImportBatch, get_batch_for_user
from fazhan.lib.tabular import FileRefused
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
    try:
        district = isinstance(user, User) and bool(district_org(user))
    except Http404:
        district = False
    context = {
        "can_import": can_import,
        "district": district,
        "sheet_form": SheetUploadForm(),
        "sheet_kinds": [
            (
                "orgs",
                _("组织树（Excel / CSV）"),
                _("每个党组织一行：编码、名称、上级组织编码、组织层级、单位类型、审批权限。"),
                "imports:upload_orgs",
                "imports:orgs_template",
            ),
            (
                "members",
                _("党员名册（Excel / CSV）"),
                _("每名党员一行：所在党支部、人员类别、入党和转正日期。"),
                "imports:upload_members",
                "imports:members_template",
            ),
        ],
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
    try:
        batch = do_preview_roster(
            _user(request),
            org=form.cleaned_data["org"],
            filename=upload.name or "",
            data=upload.read(),
        )
    except FileRefused as refused:
        # Outside the upload limits or not parseable at all: nothing is stored (Step 8).
        form.add_error("file", refused.problem)
        return _index(request, roster_form=form, status=400)
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
    except FileRefused as refused:
        form.add_error("uploads", refused.problem)
        return _index(request, files_form=form, status=400)
    return redirect("imports:batch", pk=batch.pk)


def _upload_sheet(request: HttpRequest, kind: str) -> HttpResponse:
    user = _user(request)
    district_org(user)  # 404 for anyone but district staff (never the sysadmin)
    form = SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, status=400)
    upload = form.cleaned_data["file"]
    try:
        batch = do_preview_sheet(user, kind=kind, filename=upload.name or "", data=upload.read())
    except FileRefused as refused:
        # Outside the upload limits or not parseable at all: nothing is stored (Step 8).
        form.add_error("file", refused.problem)
        return _index(request, status=400)
    return redirect("imports:batch", pk=batch.pk)


@login_required
@require_POST
def upload_orgs(request: HttpRequest) -> HttpResponse:
    return _upload_sheet(request, BatchKind.ORGS)


@login_required
@require_POST
def upload_members(request: HttpRequest) -> HttpResponse:
    return _upload_sheet(request, BatchKind.MEMBERS)


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
    sheet = batch.kind in SHEET_KINDS
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
        "sheet": sheet,
        "headers": [header for _i, header, _l in sorted((summary.get("columns") or {}).values())],
        "counts": summary.get("counts", {}),
    }
    if sheet:
        positions = [index for index, _h, _l in sorted((summary.get("columns") or {}).values())]
        for item in shown:
            cells = item["row"].data.get("cells", [])
            item["cells"] = [cells[i] if i < len(cells) else "" for i in positions]
    rows_template = "imports/_sheet_rows.html" if sheet else "imports/_rows.html"
    context["rows_template"] = rows_template
    template = rows_template if getattr(request, "htmx", False) else "imports/batch.html"
    return render(request, template, context)


@no_sysadmin
@require_POST
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if queued(batch):
        # A large batch goes to the worker: the page answers now and shows the progress.
        try:
            do_queue_batch(_user(request), batch)
        except ActionRefused as refused:
            messages.error(request, str(refused))
        return redirect("imports:batch", pk=batch.pk)
    try:
        applied = do_apply_batch(_user(request), batch)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        if applied.kind in SHEET_KINDS:
            done = _("已导入，共 %(n)d 行。") % {"n": applied.row_count}
        else:
            done = _("已导入 %(n)d 份档案。") % {"n": applied.row_count}
        messages.success(request, done)
    return redirect("imports:batch", pk=batch.pk)


@no_sysadmin
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx partial: the queued confirmation's state and progress bar, polled while it runs;
    once it is done, an htmx request is told to reload the page (HX-Refresh) to show the
    result."""
    batch = get_batch_for_user(request.user, pk)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if getattr(request, "htmx", False) and not batch.job_running:
        response["HX-Refresh"] = "true"
    return response


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


@login_required
def orgs_template(request: HttpRequest) -> HttpResponse:
    content = export.sheet_template(_("组织树"), orgtree.COLUMNS, orgtree.template_rows()[1:])
    return _attachment(content, export.XLSX, "fazhan-orgs-template.xlsx")


@login_required
def members_template(request: HttpRequest) -> HttpResponse:
    example = [
        ["示例李四", "女", "1988-05-12", "Q-01-01", "正式党员", "2012-07-01", "", "2013-07-01"],
        ["示例王五", "男", "1999-10-01", "Q-01-01", "预备党员", "2024-06-28", "", ""],
    ]
    content = export.sheet_template(_("党员名册"), members.COLUMNS, example)
    return _attachment(content, export.XLSX, "fazhan-members-template.xlsx")
