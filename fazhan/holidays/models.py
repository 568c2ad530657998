"""The State Council's holiday table for years the package does not ship (DESIGN.md, contracts.md
§3 "plus years confirmed in the database").

A year is entered by district staff from the 国务院办公厅关于部分节假日安排的通知 (usually published
in October–December for the next year) and counts only once confirmed: until then its deadlines are
provisional (Monday to Friday), never guessed. Rows change only through `fazhan.holidays.actions`;
each change is also recorded in the chain (`holidays.year_set`, `holidays.year_confirmed`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 32


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    # 调休上班: a Saturday or Sunday worked in exchange for a longer holiday.
    WORKDAY = "workday", _("调休上班")


class HolidayYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # The notice the days were copied from, e.g. 国办发明电〔2026〕5号, so a reader can check them.
    source = models.CharField(_("依据"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    # Bumped by every save: `fazhan.holidays.table` keys its per-process cache on the latest one.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed=False) | models.Q(confirmed_at__isnull=False),
                name="holidayyear_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    # Unique on its own: a date belongs to exactly one year and is either off or on.
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=8, choices=DayKind.choices)
    # The holiday the day belongs to (春节); for a make-up workday, the holiday it pays for.
    name = models.CharField(_("名称"), max_length=NAME_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
