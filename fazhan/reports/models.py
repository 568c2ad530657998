"""Report campaigns (Issue 13 item 2): the half-year table due in 6月下旬 and the year-end report
due in 12月下旬 (seed: "各街道党工委……应于6月下旬上报发展党员上半年报表，12月下旬上报……工作总结、
下半年报表和……工作计划").

A `ReportCampaign` is one round the district opens: its kind, year, period (1 January to the
cut-off) and due date. A `ReportSubmission` is one sending organization's report in it: its state,
the figures judged from the record as at the cut-off (frozen with the chain's head code when the
sender submits), the written summary, the numbers the sender reports differently (each with its
explanation) and the district's comments on a return. Changes go through
`fazhan.reports.actions` (one `do_<verb>` each, logged on the chain).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fazhan.core.dates import today
from fazhan.policy.targets import COUNT_KEYS


class CampaignKind(models.TextChoices):
    HALF_YEAR = "half_year", _("上半年报表")
    YEAR_END = "year_end", _("年终总结与下半年报表")


class SubmissionState(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")


# The sender may still edit in these states; the district acts on a submitted report.
EDITABLE_STATES = frozenset(
    {SubmissionState.NOT_STARTED, SubmissionState.DRAFT, SubmissionState.RETURNED}
)

# seed: 6月下旬 and 12月下旬. The cut-off leaves the senders ten days to check and send.
DEFAULT_DATES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    CampaignKind.HALF_YEAR: ((6, 20), (6, 30)),
    CampaignKind.YEAR_END: ((12, 20), (12, 31)),
}


def default_dates(kind: str, year: int) -> tuple[date, date, date]:
    """(period start, cut-off, due date) of a campaign of `kind` in `year`."""
    (cut_m, cut_d), (due_m, due_d) = DEFAULT_DATES[kind]
    return date(year, 1, 1), date(year, cut_m, cut_d), date(year, due_m, due_d)


class ReportCampaign(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="report_campaigns",
        verbose_name=_("发起单位"),
    )
    kind = models.CharField(_("报表类型"), max_length=16, choices=CampaignKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    period_start = models.DateField(_("统计起始日"))
    cutoff = models.DateField(_("统计截止日"))
    due = models.DateField(_("上报期限"))
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_on = models.DateField(_("发起日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报表任务")
        verbose_name_plural = _("报表任务")
        ordering = ["-year", "-cutoff", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "year"], name="report_campaign_one_per_kind_and_year"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s年%(kind)s") % {"year": self.year, "kind": self.get_kind_display()}

    @property
    def is_year_end(self) -> bool:
        return self.kind == CampaignKind.YEAR_END

    def has_submissions(self) -> bool:
        return self.submissions.filter(first_submitted_on__isnull=False).exists()


class ReportSubmission(models.Model):
    campaign = models.ForeignKey(
        ReportCampaign, on_delete=models.PROTECT, related_name="submissions"
    )
    sender = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="report_submissions",
        verbose_name=_("报送单位"),
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=SubmissionState.choices,
        default=SubmissionState.NOT_STARTED,
    )
    # The figures judged from the record as at the cut-off (fazhan.reports.figures): filled when
    # the draft is first saved, refreshed on each save, frozen at submission.
    figures = models.JSONField(_("系统统计数"), default=dict, blank=True)
    # {key: {"value": int, "explanation": str}}: numbers the sender reports differently.
    reported = models.JSONField(_("上报差异数"), default=dict, blank=True)
    summary_done = models.TextField(_("主要做法"), blank=True)
    summary_problems = models.TextField(_("存在问题"), blank=True)
    summary_next = models.TextField(_("下步打算"), blank=True)
    head_code = models.CharField(_("上报时链头校验码"), max_length=16, blank=True)
    submitted_on = models.DateField(_("上报日期"), null=True, blank=True)
    first_submitted_on = models.DateField(_("首次上报日期"), null=True, blank=True)
    return_comment = models.TextField(_("退回意见"), blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    accepted_on = models.DateField(_("通过日期"), null=True, blank=True)
    reminded_on = models.DateField(_("催报日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["campaign_id", "sender__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "sender"], name="report_submission_one_per_sender"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.sender}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_late(self) -> bool:
        """First sent after the due date, or not sent and the due date has passed. A report sent
        on time and returned for corrections is not late for being sent again after the date."""
        due = self.campaign.due
        if self.first_submitted_on is not None:
            return self.first_submitted_on > due
        return self.state != SubmissionState.ACCEPTED and today() > due

    def differences(self) -> list[dict[str, Any]]:
        """The numbers reported differently from the record: key, record, reported,
        explanation."""
        record = self.figures.get("counts", {})
        found = []
        for key in COUNT_KEYS:
            entry = self.reported.get(key)
            if not isinstance(entry, dict) or entry.get("value") is None:
                continue
            if record.get(key) == entry["value"]:
                continue
            found.append(
                {
                    "key": key,
                    "record": record.get(key),
                    "value": entry["value"],
                    "explanation": entry.get("explanation", ""),
                }
            )
        return found
