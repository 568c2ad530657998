"""Educating the activist pool (issue 15 item 6; 区委意见: 加强对入党积极分子的教育培养).

The seed asks that activists be trained (党校, 远程教育, 网上课程), each given a member who helps
them (一帮一), and that the Youth League, the Women's Federation, the unions and the federation of
industry and commerce recommend the best (推优). These classes are the activist stage's; they are
counted apart from the concentrated training a development target must complete before admission
(S11, 细则第十八条), which stays a step of the record.

Names of people recommended before they have a file live here, never in the chain (DESIGN
principle 8); events carry ids, counts and codes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhan.core.access import OrgScopedQuerySet


class Form(models.TextChoices):
    PARTY_SCHOOL = "party_school", _("党校培训")
    DISTANCE = "distance", _("远程教育")
    ONLINE = "online", _("网上课程")
    OTHER = "other", _("其他")


class TrainingClass(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="training_classes",
        verbose_name=_("举办组织"),
    )
    title = models.CharField(_("培训班名称"), max_length=200)
    form = models.CharField(_("培训形式"), max_length=16, choices=Form.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.PositiveSmallIntegerField(_("学时"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = OrgScopedQuerySet["TrainingClass"].as_manager()

    class Meta:
        verbose_name = _("积极分子培训班")
        verbose_name_plural = _("积极分子培训班")
        ordering = ("-starts_on", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_it_starts",
            ),
        )

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    training = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="attendances"
    )
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="trainings"
    )
    hours = models.PositiveSmallIntegerField(_("实际学时"))
    completed = models.BooleanField(_("结业"), default=False)

    class Meta:
        ordering = ("pk",)
        constraints = (
            models.UniqueConstraint(fields=("training", "candidate"), name="attend_once"),
        )

    def __str__(self) -> str:
        return f"{self.training_id}:{self.candidate_id}"


class Pairing(models.Model):
    """一帮一: a full member of the branch helps one activist or development target."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部")
    )
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="pairings")
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="pairings"
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = OrgScopedQuerySet["Pairing"].as_manager()

    class Meta:
        ordering = ("-started_on", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("candidate",),
                condition=models.Q(ended_on__isnull=True),
                name="one_current_pairing_per_candidate",
            ),
        )

    def __str__(self) -> str:
        return f"{self.member_id}→{self.candidate_id}"


class Source(models.TextChoices):
    YOUTH_LEAGUE = "youth_league", _("共青团推优")
    WOMEN = "women_federation", _("妇联推优")
    UNION = "trade_union", _("工会推优")
    FEDERATION = "federation_of_industry", _("工商联推优")


class Outcome(models.TextChoices):
    PENDING = "pending", _("待培养")
    APPLIED = "applied", _("已递交入党申请书")
    ACTIVIST = "activist", _("已确定为入党积极分子")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class Nomination(models.Model):
    """One name on a 推优 list received by an organization, followed to its outcome."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("接收组织"),
    )
    source = models.CharField(_("推荐单位"), max_length=32, choices=Source.choices)
    received_on = models.DateField(_("接收日期"))
    name = models.CharField(_("姓名"), max_length=64)
    unit = models.CharField(_("工作单位或学校"), max_length=128, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    candidate = models.ForeignKey(
        "people.Candidate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("档案"),
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)

    objects = OrgScopedQuerySet["Nomination"].as_manager()

    class Meta:
        ordering = ("-received_on", "-pk")

    def __str__(self) -> str:
        return self.name
