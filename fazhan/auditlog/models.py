"""A verification of the chain asked for from the auditor's page and run by `fazhan worker`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("校验中")
    INTACT = "intact", _("完整")
    BROKEN = "broken", _("发现问题")
    FAILED = "failed", _("未能完成")


FINISHED = (RunState.INTACT, RunState.BROKEN, RunState.FAILED)


class VerifyRun(models.Model):
    """One run of the same check as `fazhan audit verify`: who asked, how far it got, and its
    result (the head code when intact, the first event that does not match otherwise). Not a
    chain event: the auditor changes nothing on the record, and the run's result must not depend
    on the chain it checks."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verify_runs"
    )
    requested_at = models.DateTimeField(_("发起时间"))
    state = models.CharField(
        _("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED
    )
    # Events checked so far, of `total` (the head's length when asked).
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    events = models.PositiveBigIntegerField(default=0)
    head = models.CharField(_("链头校验码"), max_length=14, blank=True)
    broken_seq = models.BigIntegerField(_("第一个不符的事件"), null=True, blank=True)
    problem = models.TextField(_("问题"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"verify #{self.pk} {self.state}"

    @property
    def running(self) -> bool:
        return self.state not in FINISHED

    @property
    def percent(self) -> int:
        if self.state in FINISHED:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
