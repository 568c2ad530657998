"""Pre-review (预审, S12→S13), the volunteer form (S14), the superior talk (S16), approval (S17,
S24) and filing (S18).

The steps themselves are chain events recorded through `fazhan.people.actions.do_record_step` (so
the engine gates them); these tables keep what the chain must not hold (DESIGN principle 8): the
written opinions, who talked with the candidate, the committee meeting's counts, and the chain head
code printed for the paper file (principle 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class PrereviewState(models.TextChoices):
    # contracts §1: S13 result pass / returned / fail.
    PENDING = "pending", _("待预审")
    PASS = "pass", _("预审同意")
    RETURNED = "returned", _("退回补充材料")
    FAIL = "fail", _("预审不同意")


class PrereviewQuerySet(models.QuerySet["PrereviewRequest"]):
    def visible_to(self, user: UserLike) -> Self:
        return self.filter(candidate__in=Candidate.objects.visible_to(user))


class PrereviewRequest(models.Model):
    """One candidate sent by the branch committee (S12) up to the committee with approval
    authority (细则 art. 19; seed 预审制 "逐级上报有审批发展党员权限的党组织进行预审")."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="prereviews"
    )
    from_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送组织")
    )
    to_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("预审党委")
    )
    # Candidates sent together share a batch (one covering letter, one committee meeting).
    batch = models.CharField(max_length=32, db_index=True)
    s12_on = models.DateField(_("支部委员会审查日期"))
    s12_seq = models.BigIntegerField()
    branch_opinion = models.TextField(_("支部委员会审查意见"), blank=True)
    sent_on = models.DateField(_("报送日期"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    # What the committee needs, as it stood when sent (recomputed live on the review page).
    checklist = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    state = models.CharField(
        _("预审结果"), max_length=12, choices=PrereviewState.choices, default=PrereviewState.PENDING
    )
    decided_on = models.DateField(_("预审日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    opinion = models.TextField(_("书面预审意见"), blank=True)
    s13_seq = models.BigIntegerField(null=True, blank=True)
    head_code = models.CharField(max_length=16, blank=True)
    s14_on = models.DateField(_("发放入党志愿书日期"), null=True, blank=True)
    s14_seq = models.BigIntegerField(null=True, blank=True)

    objects = PrereviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("预审")
        verbose_name_plural = _("预审")
        ordering = ["sent_on", "pk"]
        constraints = [
            # One request waiting per candidate: a second send waits for the first answer.
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(state="pending"),
                name="prereview_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return str(_("预审 #%(n)s") % {"n": self.pk})

    @property
    def leaving(self) -> bool:
        return bool(self.flags)


class ApprovalStep(models.TextChoices):
    ADMISSION = "S17", _("上级党委审批（接收预备党员）")
    CONVERSION = "S24", _("上级党委审批（转正等）")


class ApprovalQuerySet(models.QuerySet["Approval"]):
    def visible_to(self, user: UserLike) -> Self:
        return self.filter(candidate__in=Candidate.objects.visible_to(user))


class Talk(models.Model):
    """S16: before approving, the committee sends a member or an 组织员 to talk with the candidate
    (党章 art. 5). The talker's name is kept here, never in the chain."""

    candidate = models.ForeignKey("people.Candidate", on_delete=models.PROTECT, related_name="+")
    talked_on = models.DateField(_("谈话日期"))
    talker = models.CharField(_("谈话人（姓名、职务）"), max_length=100)
    summary = models.TextField(_("谈话情况"), blank=True)
    seq = models.BigIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审批前谈话")
        verbose_name_plural = _("审批前谈话")

    def __str__(self) -> str:
        return str(_("谈话 #%(n)s") % {"n": self.pk})


class Approval(models.Model):
    """S17 or S24, decided collectively by a committee with approval authority (细则 arts. 23–25):
    the meeting's date and counts are kept here; the chain gets the result and the counts."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="approvals"
    )
    step = models.CharField(max_length=3, choices=ApprovalStep.choices)
    committee = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("审批党委")
    )
    meeting_on = models.DateField(_("党委会日期"))
    members_total = models.PositiveSmallIntegerField(_("党委委员总数"))
    members_present = models.PositiveSmallIntegerField(_("到会委员"))
    members_for = models.PositiveSmallIntegerField(_("同意"))
    result = models.CharField(
        max_length=12, choices=[("approved", _("批准")), ("rejected", _("不批准"))]
    )
    opinion = models.TextField(_("审批意见"), blank=True)
    seq = models.BigIntegerField()
    head_code = models.CharField(_("链头校验码"), max_length=16)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    filed_on = models.DateField(_("报组织部门备案日期"), null=True, blank=True)
    filed_seq = models.BigIntegerField(null=True, blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        ordering = ["-meeting_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.step} #{self.pk}"
