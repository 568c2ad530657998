"""The holiday pages: every signed-in user reads the table; district staff enter and confirm a year.

Reading is open to every account (the table is public information and explains why a deadline is
marked 暂定); a write from anyone else is refused with 403, since the page itself is no secret.
"""

from __future__ import annotations

import calendar
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.core import i18n_data
from fazhan.holidays.actions import (
    Day,
    HolidayRefused,
    do_confirm_year,
    do_set_year,
    lint_days,
    may_edit_holidays,
    stored_days,
)
from fazhan.holidays.forms import ConfirmYearForm, HolidayYearForm, format_days
from fazhan.holidays.models import DayKind, HolidayYear
from fazhan.holidays.table import (
    STATUS_LABELS,
    YearStatus,
    listed_years,
    next_year_pending,
    year_status,
)
from fazhan.policy.calendar import shipped_table

WORKDAY_SUFFIX = "调休上班"


def shipped_days(year: int) -> list[Day]:
    """The package's days of a shipped year, in the shape the form shows."""
    table = shipped_table()
    days: list[Day] = []
    for day in table.holidays:
        if day.year == year:
            days.append(Day(day, DayKind.HOLIDAY, table.names.get(day, "")))
    for day in table.workdays:
        if day.year == year:
            name = table.names.get(day, "").removesuffix(WORKDAY_SUFFIX)
            days.append(Day(day, DayKind.WORKDAY, name))
    return sorted(days)


def _counts(days: list[Day]) -> dict[str, int]:
    return {
        "holidays": sum(1 for d in days if d.kind == DayKind.HOLIDAY),
        "workdays": sum(1 for d in days if d.kind == DayKind.WORKDAY),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows_by_year = {row.year: row for row in HolidayYear.objects.prefetch_related("days")}
    years: list[dict[str, Any]] = []
    for year in reversed(listed_years()):
        row = rows_by_year.get(year)
        status = year_status(year, row)
        days = stored_days(row) if row is not None else shipped_days(year)
        years.append(
            {
                "year": year,
                "status": status.value,
                "label": STATUS_LABELS[status],
                "row": row,
                # A shipped year with an entered, unconfirmed correction over it.
                "pending": row is not None and not row.confirmed,
                **_counts(days),
            }
        )
    return render(
        request,
        "holidays/index.html",
        {
            "years": years,
            "pending_year": next_year_pending(),
            "can_edit": may_edit_holidays(request.user),
        },
    )


def _months(year: int, days: list[Day]) -> list[dict[str, Any]]:
    """Twelve month grids (Monday first) marking days off, make-up workdays and weekends."""
    by_date = {d.date: d for d in days}
    grid = calendar.Calendar(firstweekday=0)
    months: list[dict[str, Any]] = []
    for month in range(1, 13):
        weeks: list[list[dict[str, Any] | None]] = []
        for week in grid.monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                entry = by_date.get(day)
                if entry is not None:
                    css = "off" if entry.kind == DayKind.HOLIDAY else "on"
                    # The holiday's name is data (the State Council's notice): shown in the
                    # reader's language where fazhan/policies/i18n/en.json has it.
                    name = i18n_data.text(entry.name)
                    title = (
                        name
                        if entry.kind == DayKind.HOLIDAY
                        else _("%(name)s调休上班") % {"name": name}
                    )
                else:
                    css = "weekend" if day.weekday() >= 5 else ""
                    title = ""
                cells.append({"day": day.day, "css": css, "title": title})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


def _year_context(
    request: HttpRequest,
    year: int,
    *,
    form: HolidayYearForm | None = None,
    confirm_form: ConfirmYearForm | None = None,
) -> dict[str, Any]:
    row = HolidayYear.objects.filter(year=year).select_related("confirmed_by").first()
    status = year_status(year, row)
    shipped = shipped_table().knows(year)
    days = stored_days(row) if row is not None else shipped_days(year) if shipped else []
    can_edit = may_edit_holidays(request.user)
    if form is None and can_edit:
        form = HolidayYearForm(
            year=year,
            initial={"days": format_days(days), "source": row.source if row else ""},
        )
    return {
        "year": year,
        "row": row,
        "status": status.value,
        "label": STATUS_LABELS[status],
        "shipped": shipped,
        "provisional": status in (YearStatus.ENTERED, YearStatus.MISSING),
        "days": days,
        "lint": lint_days(days) if row is not None and not row.confirmed else [],
        "months": _months(year, days),
        "can_edit": can_edit,
        "can_confirm": can_edit and row is not None and not row.confirmed,
        "form": form,
        "confirm_form": confirm_form or ConfirmYearForm(),
        **_counts(days),
    }


def _listed_or_404(year: int) -> None:
    if year not in listed_years():
        raise Http404(_("没有这一年的节假日表。"))


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    _listed_or_404(year)
    form: HolidayYearForm | None = None
    if request.method == "POST":
        if not may_edit_holidays(request.user):
            raise PermissionDenied(_("只有区委组织部工作人员可以录入节假日。"))
        form = HolidayYearForm(request.POST, year=year)
        if form.is_valid():
            try:
                do_set_year(
                    request.user,
                    year,
                    form.cleaned_data["days"],
                    source=form.cleaned_data["source"],
                )
            except HolidayRefused as refused:
                form.add_error("days", refused.messages)
            else:
                messages.success(
                    request, _("已保存 %(y)s 年的节假日，请核对后确认。") % {"y": year}
                )
                return redirect("holidays:year", year=year)
    status = 400 if form is not None and form.errors else 200
    return render(
        request, "holidays/year.html", _year_context(request, year, form=form), status=status
    )


@login_required
@require_POST
def confirm_year(request: HttpRequest, year: int) -> HttpResponse:
    _listed_or_404(year)
    if not may_edit_holidays(request.user):
        raise PermissionDenied(_("只有区委组织部工作人员可以确认节假日。"))
    confirm_form = ConfirmYearForm(request.POST)
    if confirm_form.is_valid():
        try:
            do_confirm_year(request.user, year)
        except HolidayRefused as refused:
            confirm_form.add_error(None, refused.messages)
        else:
            messages.success(
                request, _("已确认 %(y)s 年的节假日，相关期限不再是暂定。") % {"y": year}
            )
            return redirect("holidays:year", year=year)
    return render(
        request,
        "holidays/year.html",
        _year_context(request, year, confirm_form=confirm_form),
        status=400,
    )
