"""The papers behind a file: past facts (补录) with their source, reason and second person, and the
思想汇报 log (issue 14 items 1 and 3).

The chain is the record; these rows index it for the pages and queues (who recorded, who
confirmed, what waits). Each row is written by a `do_` action in the same transaction as its
chain event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fazhan.accounts.authority import UserLike


class SourceKind(models.TextChoices):
    """The paper a past fact comes from (the file's own documents, 细则 art. 39 档案材料)."""

    APPLICATION = "application", _("入党申请书原件")
    TALK = "talk", _("谈话记录")
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会会议记录")
    GENERAL_MEETING = "general_meeting", _("支部大会会议记录")
    COMMITTEE_MINUTES = "committee_minutes", _("党委会议记录或批复")
    ASSESSMENT = "assessment", _("培养教育考察登记表")
    CERTIFICATE = "certificate", _("培训结业证书")
    NOTICE = "notice", _("公示材料")
    FILING = "filing", _("备案材料")
    VOLUNTEER_FORM = "volunteer_form", _("入党志愿书")
    OTHER = "other", _("其他书面材料")


class PastStatus(models.TextChoices):
    RECORDED = "recorded", _("已记录")
    PENDING = "pending", _("待上级党组织确认")
    CONFIRMED = "confirmed", _("已确认并记录")
    DECLINED = "declined", _("未予确认")


_M = TypeVar("_M", bound=models.Model)


class _CandidateScoped(models.QuerySet[_M]):
    def visible_to(self, user: UserLike) -> Self:
        from fazhan.people.models import Candidate

        return self.filter(candidate__in=Candidate.objects.visible_to(user).values("pk"))


class PastFactQuerySet(_CandidateScoped["PastFact"]):
    pass


class PastFact(models.Model):
    """A step entered after the fact from a paper file (DESIGN principle 4)."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="past_facts"
    )
    step = models.CharField(_("步骤"), max_length=16)
    happened_on = models.DateField(_("日期"))
    source_kind = models.CharField(_("材料"), max_length=32, choices=SourceKind.choices)
    source_ref = models.CharField(_("出处"), max_length=200)
    reason = models.TextField(_("未及时记录的原因"))
    exception = models.BooleanField(_("特殊情况"), default=False)
    # The step's own payload, kept until a pending fact is confirmed (ids, codes, counts).
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PastStatus.choices)
    # The organization whose accounts confirm: the parent of the candidate's organization.
    confirm_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    request_seq = models.BigIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # The step event on the chain, once recorded.
    event_seq = models.BigIntegerField(null=True, blank=True)

    objects = PastFactQuerySet.as_manager()

    class Meta:
        ordering = ("happened_on", "pk")
        indexes = (models.Index(fields=("status", "confirm_org")),)

    def __str__(self) -> str:
        return f"{self.step} {self.happened_on}"


class ThoughtReportQuerySet(_CandidateScoped["ThoughtReport"]):
    pass


class ThoughtReport(models.Model):
    """One 思想汇报 received by the branch (not a step of the 25)."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="thought_reports"
    )
    received_on = models.DateField(_("收到日期"))
    period_year = models.PositiveSmallIntegerField(_("所属年度"))
    period_quarter = models.PositiveSmallIntegerField(_("所属季度"))
    note = models.CharField(_("摘要"), max_length=500, blank=True)
    attachment_ref = models.CharField(_("原件存放"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    seq = models.BigIntegerField(null=True, blank=True)

    objects = ThoughtReportQuerySet.as_manager()

    class Meta:
        ordering = ("received_on", "pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(period_quarter__gte=1, period_quarter__lte=4),
                name="dossier_thought_quarter_1_4",
            ),
        )

    def __str__(self) -> str:
        return f"{self.period_year}Q{self.period_quarter}"
