"""Yearly plans as data, and their split over sub-organizations (指导性计划).

A `Plan` is a district's (or any issuing organization's) plan for one year: its total and its
targets, stored as the `fazhan-plan/1` document that `fazhan.policy.targets` reads and validates
(docs/plan.md). A `PlanShare` gives one organization below the issuer its part of the total; the
shares under one parent (the plan itself, or a share being split further) add up to the parent's
total (seed 二（一）: 全区发展党员指导性计划数; each 党委 may split its share over its own units).
A share may carry structure targets of its own; without them only its number and the band apply.
Changes go through `fazhan.plans.actions` (one `do_<verb>` each, logged on the chain).
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.core import i18n_data
from fazhan.policy import targets


class PlanState(models.TextChoices):
    # A plan rolled up from the requests of the organizations below stays a draft until adopted;
    # a draft is never the year's plan (dashboards and shares judge by adopted plans only).
    DRAFT = "draft", gettext_lazy("草案")
    ADOPTED = "adopted", gettext_lazy("已采用")


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(gettext_lazy("年度"))
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=gettext_lazy("下达单位"),
    )
    name = models.CharField(gettext_lazy("计划名称"), max_length=64)
    title = models.CharField(gettext_lazy("标题"), max_length=255, blank=True)
    total = models.PositiveIntegerField(gettext_lazy("计划数"))
    # The whole fazhan-plan/1 document; its `year` and `total` are kept equal to the columns.
    data = models.JSONField(gettext_lazy("计划内容"))
    source = models.CharField(gettext_lazy("来源文件"), max_length=255, blank=True)
    state = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=PlanState.choices, default=PlanState.ADOPTED
    )
    adopted_on = models.DateField(gettext_lazy("采用日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("发展党员计划")
        verbose_name_plural = gettext_lazy("发展党员计划")
        ordering = ["-year", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="plan_one_per_org_and_year"),
        ]

    def __str__(self) -> str:
        title = i18n_data.text(self.title or self.name)  # stored Chinese, in the reader's language
        return _("%(year)s年 %(title)s") % {"year": self.year, "title": title}

    def parsed(self) -> targets.Plan:
        """The plan as `fazhan.policy.targets` reads it (raises PlanError if the data is bad)."""
        return targets.parse_plan(self.data, origin=_("%(year)s年计划") % {"year": self.year})

    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = copy.deepcopy(self.data)
        return data


class PlanShare(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares")
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="plan_shares",
        verbose_name=gettext_lazy("承担单位"),
    )
    # Null for a share of the plan's own total; else the share this one splits further.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    total = models.PositiveIntegerField(gettext_lazy("分配数"))
    # Optional structure targets of this unit, as a list of fazhan-plan/1 targets.
    targets = models.JSONField(gettext_lazy("结构目标"), default=list, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("计划分解")
        verbose_name_plural = gettext_lazy("计划分解")
        ordering = ["plan_id", "org__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "org"], name="plan_share_one_per_org"),
        ]

    def __str__(self) -> str:
        return _("%(plan)s：%(org)s %(total)s名") % {
            "plan": self.plan,
            "org": self.org,
            "total": self.total,
        }


def share_document(
    district: dict[str, Any], *, total: int, extra: list[Any], name: str, issuer: str
) -> dict[str, Any]:
    """The fazhan-plan/1 document a share is judged by: its total, the issuer's band and its
    aspiration to reach the number (seed 三（四）: ±10%; 二（一）: 指导性计划数), and only the
    structure targets the share itself carries (the issuer's apply to the issuer alone)."""
    kept: list[Any] = []
    for raw in district.get("targets", []):
        if not isinstance(raw, dict) or raw.get("category") != targets.DEVELOPED:
            continue
        if raw.get("kind") == "band":
            kept.append(copy.deepcopy(raw))
        elif raw.get("kind") == "aspiration" and raw.get("abs") == district.get("total"):
            kept.append(copy.deepcopy(raw) | {"abs": total})
    return {
        "format": targets.FORMAT,
        "name": name,
        "title": name,
        "year": district.get("year", 0),
        "issuer": issuer,
        "total": total,
        "dimensions": copy.deepcopy(district.get("dimensions", [])),
        "targets": kept + copy.deepcopy(extra),
    }


def parse_share(share: PlanShare) -> targets.Plan | None:
    """The plan a share is judged by, or None for a share of 0 (nothing to judge)."""
    if share.total <= 0:
        return None
    document = share_document(
        share.plan.data,
        total=share.total,
        extra=list(share.targets or []),
        name=f"{share.plan.name}/{share.org.code}",
        issuer=share.org.name,
    )
    return targets.parse_plan(document, origin=_("%(org)s的分配") % {"org": share.org.name})


class RequestState(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    SUBMITTED = "submitted", gettext_lazy("已上报")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")


class PlanRequest(models.Model):
    """An organization's requested plan for next year (seed 四: 12月下旬上报**年发展党员工作计划):
    its number, its structure counts (`fazhan.policy.requests.STRUCTURE_KEYS` → count) and why."""

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="plan_requests",
        verbose_name=gettext_lazy("申请单位"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("计划年度"))
    total = models.PositiveIntegerField(gettext_lazy("申请发展数"))
    structure = models.JSONField(gettext_lazy("结构"), default=dict, blank=True)
    justification = models.TextField(gettext_lazy("申请理由"), blank=True)
    state = models.CharField(
        gettext_lazy("状态"),
        max_length=16,
        choices=RequestState.choices,
        default=RequestState.DRAFT,
    )
    submitted_on = models.DateField(gettext_lazy("上报日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("下一年度计划申请")
        verbose_name_plural = gettext_lazy("下一年度计划申请")
        ordering = ["year", "org__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year"], name="plan_request_one_per_org_and_year"
            ),
        ]

    def __str__(self) -> str:
        return _("%(org)s %(year)s年计划申请") % {"org": self.org, "year": self.year}
