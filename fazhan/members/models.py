"""A Party member's dated history (Issue 12 item 4): each change is a fact kept here and one
`member.*` chain event; `orgs.Member` is the current state, the projection of this history.

A change sets only the fields it changes (the others are NULL): joining sets the branch, the
status and the roster; a conversion the status; 留党察看 the discipline flags; moving away or
death takes the member off the roster. The state on any day is the fold of the changes dated on
or before it (fazhan.members.state). A change the record no longer supports (a corrected S17) is
voided, never deleted: the history still shows it, struck through.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhan.orgs.models import Member, MemberStatus, Organization


class ChangeKind(models.TextChoices):
    BASELINE = "baseline", _("名册原有记录")
    JOINED = "joined", _("接收为预备党员")
    CONVERTED = "converted", _("转为正式党员")
    EXTENDED = "extended", _("延长预备期")
    REVOKED = "revoked", _("取消预备党员资格")
    TRANSFERRED = "transferred", _("组织关系转移（区内）")
    MOVED_AWAY = "moved_away", _("转出本区")
    DISCIPLINE = "discipline", _("留党察看")
    RESTORED = "restored", _("恢复党员权利")
    DIED = "died", _("去世")


class Source(models.TextChoices):
    RECORD = "record", _("发展档案")
    STAFF = "staff", _("工作人员登记")
    BASELINE = "baseline", _("原有名册")


class MemberChange(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变动类型"), max_length=16, choices=ChangeKind.choices)
    # NULL only for the baseline: the member's state as the roster held it before any change.
    happened_on = models.DateField(_("日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("党员类别"), max_length=16, choices=MemberStatus.choices, blank=True
    )
    active = models.BooleanField(_("在册"), null=True, blank=True)
    under_discipline = models.BooleanField(_("受留党察看处分"), null=True, blank=True)
    rights_restored = models.BooleanField(_("已恢复党员权利"), null=True, blank=True)
    # 留党察看's period (one or two years, 党章 art. 40) or an extension's length (细则 art. 32).
    months = models.PositiveSmallIntegerField(_("期限（月）"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("党员变动")
        verbose_name_plural = _("党员变动")
        ordering = ["member_id", "happened_on", "pk"]
        indexes = [
            models.Index(fields=["member", "happened_on"]),
            models.Index(fields=["org"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on or ''}"
