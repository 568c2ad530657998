"""A notification: one line in one account's list (the bell in the header), made by the daily job
or by an event. `key` names what it is about (the file and its deadline, the report and the day
it was returned...), so producing it again finds the row already there (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    RETURNED = "returned", _("退回")
    REPORT = "report", _("报表")
    FEEDBACK = "feedback", _("公示反馈")
    CASE = "case", _("案件与督办")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def of(self, user: Any) -> NotificationQuerySet:
        """The notifications of this account only (each reads its own list)."""
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=200)
    # The line in the default language: what old rows (without a code) and the gateway show.
    title = models.CharField(_("内容"), max_length=300)
    # Which sentence and its data (fazhan.notify.text): the line is built in the reader's
    # language when it is shown. Empty code: a row made before, shown by its title.
    code = models.CharField(max_length=32, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    deadline = models.DateField(_("期限"), null=True, blank=True)
    created_on = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the gateway (e-mail, SMS) sent it; empty when none is configured.
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ("-created_on", "-pk")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notify_one_per_user_and_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The line in the active language (the stored title for old rows)."""
        from fazhan.notify.text import line

        return line(self.code, self.params, self.title) if self.code else self.title
