"""The auditor's pages: the chain's verification (queued, with progress) and the log, with its
export (docs/audit-log.md). The auditor's alone: anyone else gets 404 (DESIGN principle 6)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from fazhan.accounts.authority import Authority, authority_required
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.auditlog.actions import do_request_verify, latest_run
from fazhan.auditlog.log import LogFilter, Row, entries, kind_choices, page_rows
from fazhan.core.errors import ActionRefused
from fazhan.lib.xlsx import BOLD, append_row, formula_like
from fazhan.orgs.models import Kind, Organization

PAGE_ROWS = 50
# An export reads the rows in chunks of this many; a longer log is cut at EXPORT_ROWS with a last
# line saying so (narrow the dates to export the rest).
EXPORT_CHUNK = 500
EXPORT_ROWS = 100_000


def _auditor(a: Authority) -> bool:
    return a.is_read_only


auditor_only = authority_required(_auditor)


@auditor_only
@require_POST
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        do_request_verify(request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("已开始校验审计链，结果稍后显示在本页。"))
    return redirect("home")


@auditor_only
def verify_progress(request: HttpRequest) -> HttpResponse:
    """htmx partial: the latest run's state, polled every two seconds while it runs."""
    run = latest_run()
    response = render(request, "auditlog/_verify.html", {"run": run})
    if run is not None and not run.running:
        response["HX-Trigger"] = "verify-done"
    return response


def _orgs() -> list[Organization]:
    return list(Organization.objects.exclude(kind=Kind.BRANCH).order_by("code", "pk"))


@auditor_only
def log(request: HttpRequest) -> HttpResponse:
    chosen = LogFilter.from_params(request.GET)
    # Entries slices and counts like a queryset (the paginator asks nothing more of it).
    keys: Any = entries(chosen)
    page = Paginator(keys, PAGE_ROWS).get_page(request.GET.get("page"))
    query = chosen.query()
    return render(
        request,
        "auditlog/log.html",
        {
            "page": page,
            "rows": page_rows(page.object_list),
            "f": chosen,
            "orgs": _orgs(),
            "kinds": kind_choices(),
            "query": urlencode(query),
        },
    )


def _export_rows(chosen: LogFilter) -> Iterator[Row | None]:
    """The filtered rows, newest first, read in chunks; None after EXPORT_ROWS (the cut)."""
    keys = entries(chosen).ordered()
    for start in range(0, EXPORT_ROWS, EXPORT_CHUNK):
        chunk = list(keys[start : start + EXPORT_CHUNK])
        yield from page_rows(chunk)
        if len(chunk) < EXPORT_CHUNK:
            return
    if keys[EXPORT_ROWS : EXPORT_ROWS + 1].exists():
        yield None


def _header() -> list[str]:
    return [_("记录时间"), _("事件号"), _("事件"), _("发生日期"), _("操作人"), _("内容")]


def _cells(row: Row) -> list[Any]:
    local = timezone.localtime(row.at)
    return [
        local.strftime("%Y-%m-%d %H:%M:%S"),
        row.seq if row.seq is not None else "",
        row.label,
        row.happened_on.isoformat() if row.happened_on else "",
        row.actor,
        row.sentence,
    ]


def _cut_note() -> str:
    return _("只导出了最新的 %(n)s 条，请缩小日期范围导出其余记录。") % {"n": EXPORT_ROWS}


def _filename(extension: str) -> str:
    return f"audit-log-{timezone.localdate().isoformat()}.{extension}"


def _csv_cell(value: Any) -> Any:
    # Spreadsheet formula injection: text a spreadsheet would evaluate gets a leading apostrophe.
    return f"'{value}" if formula_like(value) else value


@auditor_only
def export_csv(request: HttpRequest) -> HttpResponse:
    chosen = LogFilter.from_params(request.GET)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for row in _export_rows(chosen):
        if row is None:
            writer.writerow([_cut_note()])
            break
        writer.writerow([_csv_cell(cell) for cell in _cells(row)])
    # UTF-8 with a BOM: Excel on Chinese Windows opens it without garbling.
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@auditor_only
def export_xlsx(request: HttpRequest) -> HttpResponse:
    chosen = LogFilter.from_params(request.GET)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    append_row(sheet, _header(), font=BOLD)
    for row in _export_rows(chosen):
        if row is None:
            append_row(sheet, [_cut_note()])
            break
        append_row(sheet, _cells(row))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
