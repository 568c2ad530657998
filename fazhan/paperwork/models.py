"""The 入党志愿书 register: numbered forms the district issues to a committee, which gives one to a
candidate at S14 (细则 art. 19: "经预审合格的，发给入党志愿书").

A number exists once in the district (unique per district) and is used once: it moves only
forward, from stock (在库) to used (已使用), spoiled (作废) or lost (遗失), and never back. Each
move is a chain event (docs/forms.md); the reason for a spoiled or lost form is free text and
stays in this table, never in the chain (DESIGN principle 8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.authority import reach

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

# How a number is printed: the register's numbers are the forms' own serials.
NUMBER_DIGITS = 8


class FormState(models.TextChoices):
    STOCK = "stock", _("在库")
    USED = "used", _("已使用")
    SPOILED = "spoiled", _("作废")
    LOST = "lost", _("遗失")


CLOSED_STATES = (FormState.SPOILED, FormState.LOST)


class VolunteerFormQuerySet(models.QuerySet["VolunteerForm"]):
    def visible_to(self, user: UserLike) -> Self:
        """The forms held by a committee of the user's subtree: district staff and the auditor see
        the whole register, a committee its own stock, a branch none (DESIGN principle 6)."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        if not scope.org_ids:
            return self.none()
        return self.filter(committee_id__in=scope.org_ids)


class VolunteerForm(models.Model):
    """One numbered 中国共产党入党志愿书."""

    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("区委")
    )
    number = models.PositiveIntegerField(_("编号"))
    committee = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="volunteer_forms",
        verbose_name=_("领用党委"),
    )
    issued_on = models.DateField(_("下发日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issue_seq = models.BigIntegerField()
    state = models.CharField(
        _("状态"), max_length=8, choices=FormState.choices, default=FormState.STOCK
    )
    # Kept after a used form is spoiled: the register shows whose form it was.
    candidate = models.ForeignKey(
        "people.Candidate",
        on_delete=models.PROTECT,
        related_name="volunteer_forms",
        null=True,
        blank=True,
    )
    used_on = models.DateField(_("发放日期"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    use_seq = models.BigIntegerField(null=True, blank=True)
    s14_seq = models.BigIntegerField(null=True, blank=True)
    closed_on = models.DateField(_("作废或遗失日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    close_seq = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    objects = VolunteerFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("入党志愿书")
        verbose_name_plural = _("入党志愿书")
        ordering = ["district", "number"]
        constraints = [
            # A number exists once in the district.
            models.UniqueConstraint(fields=["district", "number"], name="volunteer_form_number"),
            # A candidate holds one form in use at a time (a spoiled one may be replaced).
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(state="used"), name="volunteer_form_one_in_use"
            ),
            models.CheckConstraint(
                condition=~Q(state="used") | Q(candidate__isnull=False),
                name="volunteer_form_used_has_candidate",
            ),
            models.CheckConstraint(
                condition=~Q(state="stock") | Q(candidate__isnull=True),
                name="volunteer_form_stock_has_none",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["stock", "used"]) | ~Q(reason=""),
                name="volunteer_form_closed_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["committee", "state", "number"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return format_number(self.number)


def format_number(number: int) -> str:
    return f"{number:0{NUMBER_DIGITS}d}"


def number_of(candidate_id: int) -> VolunteerForm | None:
    """The form in use by a candidate (the candidate page and the 纪实表 show its number)."""
    return VolunteerForm.objects.filter(candidate_id=candidate_id, state=FormState.USED).first()


def print_links(candidate_id: int) -> dict[str, object]:
    """What the candidate page offers to print: the form in use, the latest decided pre-review and
    the latest admission approval (the reviews app's rows; the caller has checked the scope)."""
    from fazhan.reviews.models import Approval, PrereviewRequest

    prereview = (
        PrereviewRequest.objects.filter(candidate_id=candidate_id)
        .exclude(state="pending")
        .order_by("-pk")
        .first()
    )
    approval = Approval.objects.filter(candidate_id=candidate_id).order_by("-pk").first()
    return {"form": number_of(candidate_id), "prereview": prereview, "approval": approval}
