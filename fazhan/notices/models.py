"""Public notices (公示) and the feedback sent on them (seed 三（四）公示制).

A notice is published by a branch or a committee for one or several candidates at one stage; its
period is counted in working days (policy data, default 5) and ends on its own. What the public
sees is a whitelist (`fazhan.notices.disclosure`), never this table's rows. The chain holds the
facts (the N-* event per candidate, consent, each feedback state) with ids only (DESIGN principle
8); the texts (feedback, replies, the contact line) live here.

No field of any model in this app stores an IP address (background §C.5): the rate limiter keeps
only an HMAC of it, for a day, in `fazhan.public`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.scope import reach
from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class NoticeKind(models.TextChoices):
    # contracts.md §1 notice types; N-ADM only where a locality adds an admission notice.
    ACTIVIST = "N-ACT", _("确定入党积极分子公示")
    TARGET = "N-TGT", _("确定发展对象公示")
    ADMISSION = "N-ADM", _("接收预备党员公示")
    CONVERSION = "N-CONV", _("预备党员转正公示")


# The stage a candidate must be at to be put on each notice (the decision it serves follows it).
STAGE_FOR_KIND = {
    NoticeKind.ACTIVIST: "applicant",
    NoticeKind.TARGET: "activist",
    NoticeKind.ADMISSION: "target",
    NoticeKind.CONVERSION: "probationary",
}
# What the public is told each candidate is proposed for.
PROPOSED = {
    NoticeKind.ACTIVIST: _("拟确定为入党积极分子"),
    NoticeKind.TARGET: _("拟确定为发展对象"),
    NoticeKind.ADMISSION: _("拟接收为预备党员"),
    NoticeKind.CONVERSION: _("拟转为正式党员"),
}
# The decision a notice serves (contracts §1 order: each notice just before the step it serves).
DECISION_FOR_KIND = {
    NoticeKind.ACTIVIST: "S03",
    NoticeKind.TARGET: "S07",
    NoticeKind.ADMISSION: "S15",
    NoticeKind.CONVERSION: "S23",
}


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已撤销")


class NoticeQuerySet(models.QuerySet["Notice"]):
    def visible_to(self, user: UserLike) -> Self:
        """Notices of the user's subtrees, and notices elsewhere that name a candidate the user
        may see (a committee's notice seen by the candidate's branch). DESIGN principle 6."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        if not scope.org_ids:
            return self.none()
        mine = Candidate.objects.in_orgs(scope.org_ids).values("pk")
        named = NoticeEntry.objects.filter(candidate_id__in=mine).values("notice_id")
        return self.filter(Q(org_id__in=scope.org_ids) | Q(pk__in=named))

    def open_on(self, day: date) -> Self:
        """Published and running on `day`: first day ≤ day ≤ end (the end is inclusive)."""
        return self.filter(status=NoticeStatus.PUBLISHED, first_day__lte=day, end__gte=day)


class Notice(models.Model):
    kind = models.CharField(_("公示类型"), max_length=8, choices=NoticeKind.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("发布组织"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    # Both set when published: the first day and the last day (inclusive), contracts.md §1.
    first_day = models.DateField(_("公示首日"), null=True, blank=True)
    end = models.DateField(_("公示末日"), null=True, blank=True, db_index=True)
    # The public address: random, unguessable, never the primary key (the list of all notices,
    # past ones included, must not be walkable by counting).
    token = models.CharField(_("公开链接标识"), max_length=32, unique=True)
    # The organization's office line and address for feedback: never a person's private data.
    contact = models.CharField(_("反馈方式"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    head_code = models.CharField(_("发布时链头校验码"), max_length=16, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-first_day", "-pk"]
        indexes = [models.Index(fields=["status", "first_day", "end"])]

    def __str__(self) -> str:
        return f"{self.org} {self.get_kind_display()}"

    @property
    def title(self) -> str:
        # Translators: an organization's name followed by the kind of notice.
        return str(_("%(org)s%(kind)s") % {"org": self.org.name, "kind": self.get_kind_display()})

    @property
    def decision(self) -> str:
        return DECISION_FOR_KIND[NoticeKind(self.kind)]

    @property
    def proposed(self) -> str:
        return str(PROPOSED[NoticeKind(self.kind)])

    def is_open(self, day: date) -> bool:
        return (
            self.status == NoticeStatus.PUBLISHED
            and self.first_day is not None
            and self.end is not None
            and self.first_day <= day <= self.end
        )


class NoticeEntry(models.Model):
    """A candidate on a notice, with the consent to disclosure recorded before publication."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="entries")
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, related_name="notice_entries"
    )
    position = models.PositiveSmallIntegerField(default=0)
    consent_at = models.DateTimeField(_("同意公示的记录时间"), null=True, blank=True)
    consent_on = models.DateField(_("本人同意公示日期"), null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    consent_seq = models.BigIntegerField(null=True, blank=True)
    # The N-* event of this candidate: feedback events name it (`notice_seq`).
    event_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "candidate"], name="notice_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.candidate_id}"


class FeedbackState(models.TextChoices):
    # contracts.md §1 outcomes: pending until closed as one of the three.
    PENDING = "pending", _("核查中")
    UNFOUNDED = "unfounded", _("经核查不属实")
    FOUNDED_MINOR = "founded_minor", _("部分属实，不影响发展")
    UPHELD = "upheld", _("经核查属实")


CLOSING_STATES = frozenset(
    {FeedbackState.UNFOUNDED, FeedbackState.FOUNDED_MINOR, FeedbackState.UPHELD}
)


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user: UserLike) -> Self:
        return self.filter(notice__in=Notice.objects.visible_to(user))


class Feedback(models.Model):
    """One item sent on a notice, named or anonymous. Only the SHA-256 of its receipt code is kept:
    the code itself is shown once to the sender (background §C.5, SecureDrop's codename)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="feedback")
    # The candidate it concerns, or null for the whole notice (then it concerns every candidate).
    entry = models.ForeignKey(
        NoticeEntry,
        on_delete=models.PROTECT,
        related_name="feedback",
        null=True,
        blank=True,
    )
    text = models.TextField(_("反映内容"))
    sender_name = models.CharField(_("署名"), max_length=64, blank=True)
    sender_contact = models.CharField(_("联系方式"), max_length=128, blank=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    # The date only (Step 8 item 5): a finer time would let counters or logs point at a sender.
    received_on = models.DateField(_("收到日期"))
    state = models.CharField(
        _("办理状态"), max_length=16, choices=FeedbackState.choices, default=FeedbackState.PENDING
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("承办人"),
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    assigned_on = models.DateField(null=True, blank=True)
    # The handler's findings stay inside; the reply is what the sender reads with the code.
    finding = models.TextField(_("核查情况"), blank=True)
    reply = models.TextField(_("答复"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示反馈")
        verbose_name_plural = _("公示反馈")
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["state", "received_on"])]

    def __str__(self) -> str:
        return str(_("反馈 #%(n)s") % {"n": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == FeedbackState.PENDING

    @property
    def blocks(self) -> bool:
        """Pending or upheld items block the decision the notice serves (contracts §3)."""
        return self.state in (FeedbackState.PENDING, FeedbackState.UPHELD)

    def concerned_entries(self) -> list[NoticeEntry]:
        if self.entry_id is not None:
            assert self.entry is not None
            return [self.entry]
        return list(self.notice.entries.order_by("position", "pk"))


class FeedbackAddition(models.Model):
    """More information the sender added later with the receipt code."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="additions")
    text = models.TextField(_("补充内容"))
    added_on = models.DateField()

    class Meta:
        verbose_name = _("反馈补充")
        verbose_name_plural = _("反馈补充")
        ordering = ["added_on", "pk"]

    def __str__(self) -> str:
        return str(_("补充 #%(n)s") % {"n": self.pk})
