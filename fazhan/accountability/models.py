"""The register of irregularities (违规发展登记): every violation and late finding of any file.

The seed's fourth control (责任追究制): "凡是违规发展党员的，或发展的党员明显不符合
质量要求的，要严肃追究相关责任人的责任". A finding of the engine lives in the candidate's
projection and changes with every event; the register keeps each one it has ever seen as a row
that is never deleted: when the finding disappears (a correction, a step recorded as a past fact)
the row is closed with that reason. Import gaps (fazhan.policy.gaps) are not breaches and never
enter it.

A row is identified by what identifies a finding: its catalogue id, its step and its date
(contracts.md §3). The row's organization is the file's responsible organization when the finding
was first seen, so a later transfer does not move a breach to the branch that received the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhan.core.access import OrgScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


class Severity(models.TextChoices):
    VIOLATION = "violation", _("违规")
    LATE = "late", _("逾期")


# The severities the register holds: warnings are advice, not breaches (contracts.md §3).
REGISTERED = frozenset(Severity.values)


class State(models.TextChoices):
    OPEN = "open", _("待处理")
    CASE = "case", _("立案处理中")
    EXPLAINED = "explained", _("已说明")
    CLOSED = "closed", _("已关闭")


LIVE_STATES = (State.OPEN, State.CASE, State.EXPLAINED)


class ClosedBecause(models.TextChoices):
    # The finding is no longer found: the file was corrected or the step recorded as a past fact.
    GONE = "gone", _("更正后不再成立")
    # Staff closed it with a written conclusion (after an explanation or a case).
    DECIDED = "decided", _("经审查关闭")


class IrregularityQuerySet(OrgScopedQuerySet["Irregularity"]):
    """Scoped by the row's own organization, not the file's current one, so that a breach stays
    with who committed it."""

    def live(self) -> Self:
        # An IN list, not exclude(): SQLite evaluates NOT (state = 'closed') twice as slowly
        # as the three live states over the whole table (bench/bench_register.py).
        return self.filter(state__in=LIVE_STATES)


class Irregularity(models.Model):
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="irregularities"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="irregularities",
        verbose_name=_("组织"),
    )
    finding = models.CharField(_("问题类别"), max_length=64)
    severity = models.CharField(_("性质"), max_length=16, choices=Severity.choices)
    step = models.CharField(_("环节"), max_length=16)
    finding_date = models.DateField(_("发生日期"))
    basis = models.CharField(_("依据"), max_length=255, blank=True)
    message = models.TextField(_("说明"), blank=True)
    found_on = models.DateField(_("发现日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    explanation = models.TextField(_("情况说明"), blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    closed_because = models.CharField(
        _("关闭原因"), max_length=16, choices=ClosedBecause.choices, blank=True
    )
    conclusion = models.TextField(_("处理结论"), blank=True)
    case = models.ForeignKey(
        "Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="irregularities",
        verbose_name=_("案件"),
    )

    objects = IrregularityQuerySet.as_manager()

    class Meta:
        verbose_name = _("违规发展登记")
        verbose_name_plural = _("违规发展登记")
        ordering = ("-found_on", "-pk")
        indexes = (
            models.Index(fields=("org", "state"), name="irregularity_org_state"),
            models.Index(fields=("candidate", "state"), name="irregularity_candidate_state"),
            models.Index(fields=("found_on",), name="irregularity_found_on"),
        )
        constraints = (
            # At most one live row per finding of a file; a closed one may come back as a new row.
            models.UniqueConstraint(
                fields=("candidate", "finding", "step", "finding_date"),
                condition=~models.Q(state="closed"),
                name="irregularity_one_live_row_per_finding",
            ),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_on__isnull=False)
                | (~models.Q(state="closed") & models.Q(closed_on__isnull=True)),
                name="irregularity_closed_has_a_date",
            ),
        )

    def __str__(self) -> str:
        return f"{self.finding} {self.step} {self.finding_date}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.finding, self.step, self.finding_date.isoformat())


class CaseState(models.TextChoices):
    OPEN = "open", _("调查中")
    CONCLUDED = "concluded", _("已结案")


class Outcome(models.TextChoices):
    """What the case decides for one person found responsible (区委意见 责任追究制): the forms an
    organization department applies itself, and the referral of what only a discipline body may
    decide (纪律处分)."""

    CRITICISM = "criticism", _("批评教育")
    ADMONITION = "admonition", _("诫勉谈话")
    CIRCULATED = "circulated", _("通报批评")
    ORGANIZATIONAL = "organizational", _("组织处理")
    REFERRAL = "referral", _("移送纪检机关给予纪律处分")


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        """Cases are committee business: the committees and the district with reach over the
        case's organization, and the auditor; never a branch (its own people may be in it)."""
        from fazhan.accounts.authority import authority

        power = authority(user)
        if power.is_read_only:
            return self.all()
        return self.filter(org_id__in=power.committee_ids())


class Case(models.Model):
    """A 责任追究 case opened from one or more rows of the register by a committee or the
    district: who is responsible, what was found, what follows for them and for the file."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("立案组织"),
    )
    title = models.CharField(_("案由"), max_length=200)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("立案日期"))
    due_on = models.DateField(_("办结期限"))
    state = models.CharField(
        _("状态"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN
    )
    investigation = models.TextField(_("调查情况"), blank=True)
    remedy = models.TextField(_("档案补救措施"), blank=True)
    conclusion = models.TextField(_("结案意见"), blank=True)
    concluded_on = models.DateField(_("结案日期"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任追究案件")
        verbose_name_plural = _("责任追究案件")
        ordering = ("-opened_on", "-pk")

    def __str__(self) -> str:
        return self.title


class PartyBasis(models.TextChoices):
    RECORDED = "recorded", _("录入或决定了所涉环节")
    IN_CHARGE = "in_charge", _("逾期未办时负责该组织")


class Party(models.Model):
    """A person the case looks at: proposed from the chain (who recorded or decided an event
    involved, or who held the branch when nothing was recorded), then found responsible or not."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organization and role the person acted in at the time (the role may have ended since).
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role_kind = models.CharField(_("当时角色"), max_length=20, blank=True)
    event_seq = models.BigIntegerField(null=True, blank=True)
    basis = models.CharField(_("提出依据"), max_length=16, choices=PartyBasis.choices)
    responsible = models.BooleanField(_("认定负有责任"), null=True, blank=True)
    outcome = models.CharField(_("处理方式"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("认定理由"), blank=True)

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ("pk",)
        constraints = (
            models.UniqueConstraint(fields=("case", "user"), name="party_once_per_case"),
        )

    def __str__(self) -> str:
        return str(self.user)

    @property
    def role_label(self) -> str:
        from fazhan.accounts.models import RoleKind

        return str(RoleKind(self.role_kind).label) if self.role_kind in RoleKind.values else ""


class Topic(models.TextChoices):
    """What a 督查 task follows up (区委意见: 加强对发展党员工作的指导和督查)."""

    DORMANT = "dormant", _("两年以上未发展党员")
    BEHIND_PLAN = "behind_plan", _("计划进度滞后")
    SMALL_POOL = "small_pool", _("积极分子不足3:1")
    OVERDUE = "overdue", _("档案逾期未办")
    IRREGULAR = "irregular", _("档案存在违规")
    OTHER = "other", _("其他")


class TaskState(models.TextChoices):
    OPEN = "open", _("督办中")
    CLOSED = "closed", _("已办结")


class SupervisionQuerySet(OrgScopedQuerySet["SupervisionTask"]):
    """Scoped by the assigned organization: the branch sees the tasks it must act on."""


class SupervisionTask(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="supervision_tasks",
        verbose_name=_("督办对象"),
    )
    topic = models.CharField(_("督查事项"), max_length=16, choices=Topic.choices)
    title = models.CharField(_("督办要求"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("办结期限"))
    state = models.CharField(
        _("状态"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN
    )
    result = models.TextField(_("办理结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查任务")
        verbose_name_plural = _("督查任务")
        ordering = ("state", "due_on", "pk")

    def __str__(self) -> str:
        return self.title


class TaskNote(models.Model):
    """A follow-up note on a task: what the assigned organization did, or the committee asked."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="notes")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_on = models.DateField(_("日期"))
    text = models.TextField(_("跟进情况"))

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.task_id} {self.written_on}"


class Ground(models.TextChoices):
    """Why a probationary membership is to be revoked (区委意见 责任追究制: "凡是违规发展党员的，
    或发展的党员明显不符合质量要求的 … 对已经发展的，要取消预备党员资格")."""

    IRREGULAR = "irregular", _("违规发展")
    UNQUALIFIED = "unqualified", _("明显不符合党员条件")


class Revocation(models.Model):
    """The grounds on which a revocation of probationary membership is put to the branch meeting
    (the motion itself is the meeting's agenda item and the S23 it records), linked to its case.
    The text stays here, never in the chain (DESIGN principle 8)."""

    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="revocations"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="revocations"
    )
    ground = models.CharField(_("理由类别"), max_length=16, choices=Ground.choices)
    reason = models.TextField(_("理由"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("提出日期"))

    class Meta:
        verbose_name = _("取消预备党员资格理由")
        verbose_name_plural = _("取消预备党员资格理由")
        ordering = ("-proposed_on", "-pk")

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.ground}"
