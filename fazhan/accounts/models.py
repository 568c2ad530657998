"""Accounts and the roles that scope them to a node of the organization tree.

A role is never edited into another: a handover ends the old role (active=False, ended_on) and
creates a new one, so who held which duty when stays on record (责任追究制 needs it).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates


class User(AbstractUser):
    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)
    # Set when an administrator issues a one-time password (an intranet without e-mail: it is read
    # out or handed over on paper); `fazhan.accounts.middleware` then allows nothing but choosing a
    # new password, and refuses the one-time password once `one_time_password_until` has passed.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    one_time_password_until = models.DateTimeField(_("一次性密码有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleKind(models.TextChoices):
    DISTRICT_STAFF = "district_staff", _("区委组织部工作人员")
    SUB_STAFF = "sub_staff", _("党委/党工委工作人员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记/组织委员")
    AUDITOR = "auditor", _("审计管理员")
    SYSADMIN = "sysadmin", _("系统管理员")


# Roles that work on the records of one subtree and therefore need an organization.
SCOPED_KINDS = frozenset({RoleKind.DISTRICT_STAFF, RoleKind.SUB_STAFF, RoleKind.BRANCH_SECRETARY})
# 三员分立 (DESIGN.md "Who uses it"): the auditor and the system administrator hold no other duty.
SEPARATED_KINDS = frozenset({RoleKind.AUDITOR, RoleKind.SYSADMIN})


class Role(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="roles")
    # Null only for the auditor and the system administrator, whose reach is not a subtree.
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    kind = models.CharField(_("角色"), max_length=20, choices=RoleKind.choices)
    active = models.BooleanField(_("有效"), default=True)
    created_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        indexes = [models.Index(fields=["user", "active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(org__isnull=False) | Q(kind__in=sorted(SEPARATED_KINDS)),
                name="role_scoped_kind_has_org",
            ),
            models.CheckConstraint(
                condition=Q(active=True, ended_on__isnull=True) | Q(active=False),
                name="role_active_has_no_end",
            ),
            models.UniqueConstraint(
                fields=["user", "org", "kind"],
                condition=Q(active=True),
                name="role_unique_active",
            ),
        ]

    def __str__(self) -> str:
        where = f"@{self.org}" if self.org_id else ""
        return f"{self.user} {self.get_kind_display()}{where}"

    def clean(self) -> None:
        super().clean()
        if self.kind in SCOPED_KINDS and self.org_id is None:
            raise ValidationError({"org": _("该角色必须指定所属组织。")})
        if not self.active or self.user_id is None:
            return
        others = Role.objects.filter(user_id=self.user_id, active=True).exclude(pk=self.pk)
        kinds = set(others.values_list("kind", flat=True)) | {self.kind}
        if len(kinds) > 1 and kinds & SEPARATED_KINDS:
            raise ValidationError(_("三员分立：审计管理员、系统管理员不得兼任其他角色。"))

    def end(self, on: date | None = None) -> None:
        """Close this role at a handover; the row stays as history. Saves."""
        self.active = False
        self.ended_on = on if on is not None else dates.today()
        self.save(update_fields=["active", "ended_on"])
