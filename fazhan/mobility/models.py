"""Mobile candidates (seed 三(三), 细则 art. 12): cooperation agreements and the organizations
outside the district that take part in them.

What happened is in the chain (agreements opened and ended, contacts, reports, transfers); these
rows are the current state that the authority and the lists read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.scope import reach
from fazhan.policy import mobility as rules

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class AgreementType(models.TextChoices):
    JOINT = rules.JOINT, _("双边共管")
    ENTRUSTED = rules.ENTRUSTED, _("委托培养")
    TRACKING = rules.TRACKING, _("跟踪教育")
    AUTHORIZED = rules.AUTHORIZED, _("授权考察")


class OutsideKind(models.TextChoices):
    MOBILE = "mobile", _("流动党员党组织")
    INFLOW = "inflow", _("外地流入地党组织")
    OUTFLOW = "outflow", _("外地流出地党组织")
    OTHER = "other", _("其他党组织")


class OutsideOrgQuerySet(models.QuerySet["OutsideOrg"]):
    def visible_to(self, user: UserLike) -> Self:
        """Registered by an organization the user reaches."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        return self.filter(registered_for_id__in=scope.org_ids)


class OutsideOrg(models.Model):
    """An organization outside the district (no accounts): it reports, the responsible side
    records what it reports."""

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类别"), max_length=16, choices=OutsideKind.choices)
    region = models.CharField(_("所在地"), max_length=64, blank=True)
    contact = models.CharField(_("联系人及联系方式"), max_length=128)
    registered_for = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="outside_orgs"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField(_("登记日期"))

    objects = OutsideOrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("区外党组织")
        verbose_name_plural = _("区外党组织")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CooperationQuerySet(models.QuerySet["Cooperation"]):
    def open(self) -> Self:
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user: UserLike) -> Self:
        """Agreements of a file the user's organizations are responsible for or cooperate on."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        ids = scope.org_ids
        return self.filter(Q(responsible_id__in=ids) | Q(cooperating_id__in=ids))


class Cooperation(models.Model):
    """One cooperation agreement on one candidate's file: the responsible organization (the file's
    owner when it was set up) and one cooperating organization, inside the district (then it sees
    the file through a CandidateOrgLink and records its scope) or outside it (then the
    responsible side records what it reports)."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="cooperations"
    )
    kind = models.CharField(_("协议类型"), max_length=16, choices=AgreementType.choices)
    responsible = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    cooperating = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="cooperations",
        null=True,
        blank=True,
    )
    outside = models.ForeignKey(
        OutsideOrg, on_delete=models.PROTECT, related_name="cooperations", null=True, blank=True
    )
    link = models.OneToOneField(
        "people.CandidateOrgLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperation",
    )
    steps = models.JSONField(_("协作范围"), default=list)
    contact = models.CharField(_("跟踪联系人"), max_length=64, blank=True)
    started_on = models.DateField(_("开始日期"))
    until = models.DateField(_("约定结束日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    opened_seq = models.BigIntegerField(null=True, blank=True)

    objects = CooperationQuerySet.as_manager()

    class Meta:
        verbose_name = _("协作协议")
        verbose_name_plural = _("协作协议")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cooperating__isnull=True) ^ Q(outside__isnull=True),
                name="cooperation_one_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.get_kind_display()}"

    @property
    def partner_name(self) -> str:
        partner = self.cooperating or self.outside
        return partner.name if partner is not None else ""

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class Departure(models.Model):
    """A file sent out of the district (seed 三(三)): the exported candidate file, its letter's
    code (the file's own digest) and the chain head code at the handover. The paper 介绍信 prints
    both; the receiving district checks the file against the letter's code."""

    candidate = models.OneToOneField(
        "people.Candidate", on_delete=models.PROTECT, related_name="departure"
    )
    outside = models.ForeignKey(OutsideOrg, on_delete=models.PROTECT, related_name="departures")
    departed_on = models.DateField(_("转出日期"))
    letter_code = models.CharField(_("介绍信编码"), max_length=14)
    head_code = models.CharField(_("记录链编码"), max_length=14)
    document = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("转出区外")
        verbose_name_plural = _("转出区外")

    def __str__(self) -> str:
        return f"{self.candidate_id} → {self.outside_id}"
