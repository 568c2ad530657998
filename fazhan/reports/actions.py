"""Report campaigns, one `do_<verb>` each (DESIGN.md principle 5): open (and edit before the first
submission), save a draft, submit, return, accept, remind.

Each action is atomic, locks its subject, checks the user's right through `authority(user)` and
appends one chain event `report.<verb>` carrying ids, codes, dates and counts (principle 8).

Who: 区委组织部 staff of the campaign's organization open, edit, remind, return, accept and
consolidate; the staff of the sending 党委/党工委 itself (a committee role at the sender) fill
in and submit its report; the auditor reads both sides; everyone else is answered 404 (NotVisible).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.accounts.models import RoleKind
from fazhan.audit.chain import append_event, head_code
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, NotVisible, Reason
from fazhan.orgs.models import Organization
from fazhan.policy.targets import COUNT_KEYS
from fazhan.reports.figures import category_label, sender_figures
from fazhan.reports.models import (
    EDITABLE_STATES,
    CampaignKind,
    ReportCampaign,
    ReportSubmission,
    SubmissionState,
    default_dates,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    User = AbstractBaseUser | AnonymousUser

BASIS = "区委意见：6月下旬上报上半年报表，12月下旬上报工作总结、下半年报表和工作计划"

# -- who ------------------------------------------------------------------------------------------


def is_district_side(user: User, campaign: ReportCampaign) -> bool:
    """District staff whose subtree holds the campaign's organization."""
    auth = authority(user)
    return auth.is_district_staff and RoleKind.DISTRICT_STAFF in auth.writer_kinds(campaign.org_id)


def reads_district_side(user: User, campaign: ReportCampaign) -> bool:
    return authority(user).is_read_only or is_district_side(user, campaign)


def is_sender_side(user: User, submission: ReportSubmission) -> bool:
    """The staff of the sending committee itself (a committee role held at the sender)."""
    auth = authority(user)
    if auth.is_admin or auth.is_read_only:
        return False
    return submission.sender_id in auth.roots(RoleKind.SUB_STAFF)


def campaign_for(user: User, pk: int) -> ReportCampaign:
    campaign = ReportCampaign.objects.select_related("org").filter(pk=pk).first()
    if campaign is None or not reads_district_side(user, campaign):
        raise NotVisible
    return campaign


def submission_for(user: User, pk: int) -> ReportSubmission:
    found = (
        ReportSubmission.objects.select_related("campaign", "campaign__org", "sender")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotVisible
    if not (reads_district_side(user, found.campaign) or is_sender_side(user, found)):
        raise NotVisible
    return found


def senders_for(user: User) -> list[int]:
    """The organizations whose reports the user fills in."""
    auth = authority(user)
    if auth.is_admin or auth.is_read_only:
        return []
    return auth.roots(RoleKind.SUB_STAFF)


def _require_district(user: User, campaign: ReportCampaign) -> None:
    if not reads_district_side(user, campaign):
        raise NotVisible
    if not is_district_side(user, campaign):
        raise ActionRefused(_("只有区委组织部的工作人员可以办理报表任务"))


def _require_sender(user: User, submission: ReportSubmission) -> None:
    if not is_sender_side(user, submission):
        if reads_district_side(user, submission.campaign):
            raise ActionRefused(_("报表由报送单位党委（党工委）的工作人员填写和上报"))
        raise NotVisible


def _event(user: User, verb: str, payload: Mapping[str, Any]) -> Any:
    return append_event(
        kind=f"report.{verb}",
        candidate_id=None,
        happened_on=dates.today(),
        payload=dict(payload),
        recorded_by_id=user.pk,
    )


def _lock(submission: ReportSubmission) -> ReportSubmission:
    return (
        ReportSubmission.objects.select_for_update()
        .select_related("campaign", "sender")
        .get(pk=submission.pk)
    )


# -- the campaign ---------------------------------------------------------------------------------


def _check_dates(year: int, start: date, cutoff: date, due: date) -> None:
    if start.year != year or cutoff.year != year:
        raise ActionRefused(_("统计起始日和截止日应在报表年度内"))
    if not start <= cutoff <= due:
        raise ActionRefused(_("日期顺序应为：统计起始日 ≤ 统计截止日 ≤ 上报期限"))


def default_senders(org: Organization) -> list[Organization]:
    """Every organization directly below the district (seed: 各街道党工委，各镇、乡党委……)."""
    return list(Organization.objects.filter(parent=org).order_by("code"))


def do_open_campaign(
    user: User,
    *,
    org: Organization,
    kind: str,
    year: int,
    period_start: date | None = None,
    cutoff: date | None = None,
    due: date | None = None,
    senders: Iterable[Organization] | None = None,
) -> ReportCampaign:
    if kind not in CampaignKind.values:
        raise ActionRefused(_("报表类型不正确"))
    probe = ReportCampaign(org=org, kind=kind, year=year)
    _require_district(user, probe)
    start, cut, last = default_dates(kind, year)
    start, cut, last = period_start or start, cutoff or cut, due or last
    _check_dates(year, start, cut, last)
    chosen = list(senders) if senders is not None else default_senders(org)
    inside = Organization.objects.subtree_ids([org.pk]) - {org.pk}
    if not chosen:
        raise ActionRefused(_("请至少选择一个报送单位"))
    if any(s.pk not in inside for s in chosen):
        raise ActionRefused(_("报送单位须是本级以下的组织"))
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        if ReportCampaign.objects.filter(org=org, kind=kind, year=year).exists():
            raise ActionRefused(
                _("%(year)s年的%(kind)s已经发起") % {"year": year, "kind": probe.get_kind_display()}
            )
        campaign = ReportCampaign.objects.create(
            org=org,
            kind=kind,
            year=year,
            period_start=start,
            cutoff=cut,
            due=last,
            opened_by_id=user.pk,
            opened_on=dates.today(),
        )
        ReportSubmission.objects.bulk_create(
            ReportSubmission(campaign=campaign, sender=s) for s in chosen
        )
        _event(
            user,
            "open",
            {
                "campaign_id": campaign.pk,
                "org_id": org.pk,
                "kind": kind,
                "year": year,
                "from": start.isoformat(),
                "cutoff": cut.isoformat(),
                "due": last.isoformat(),
                "senders": sorted(s.pk for s in chosen),
            },
        )
    return campaign


def do_edit_campaign(
    user: User, campaign: ReportCampaign, *, period_start: date, cutoff: date, due: date
) -> ReportCampaign:
    """Change the dates, only before the first submission (the figures then sent stand)."""
    _require_district(user, campaign)
    _check_dates(campaign.year, period_start, cutoff, due)
    with transaction.atomic():
        campaign = ReportCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.has_submissions():
            raise ActionRefused(_("已有单位上报，不能再修改统计期间和上报期限"))
        campaign.period_start, campaign.cutoff, campaign.due = period_start, cutoff, due
        campaign.save(update_fields=["period_start", "cutoff", "due"])
        _event(
            user,
            "edit",
            {
                "campaign_id": campaign.pk,
                "from": period_start.isoformat(),
                "cutoff": cutoff.isoformat(),
                "due": due.isoformat(),
            },
        )
    return campaign


# -- the sender's side ----------------------------------------------------------------------------


def figures_of(submission: ReportSubmission) -> dict[str, Any]:
    campaign = submission.campaign
    return sender_figures(
        submission.sender,
        start=campaign.period_start,
        cutoff=campaign.cutoff,
        year=campaign.year,
        second_half=campaign.is_year_end,
    )


def _clean_reported(
    reported: Mapping[str, tuple[int | None, str]], record: Mapping[str, int]
) -> dict[str, dict[str, Any]]:
    """Keep the numbers that differ from the record; each needs its explanation."""
    kept: dict[str, dict[str, Any]] = {}
    missing: list[Reason] = []
    for key in COUNT_KEYS:
        value, explanation = reported.get(key, (None, ""))
        explanation = (explanation or "").strip()
        if value is None or value == record.get(key):
            continue
        if value < 0:
            raise ActionRefused(_("上报数不能为负数"))
        if not explanation:
            missing.append(
                Reason(
                    _("“%(label)s”上报 %(value)s 名，与系统统计数 %(record)s 名不同，须说明理由")
                    % {
                        "label": category_label(key),
                        "value": value,
                        "record": record.get(key, 0),
                    }
                )
            )
        kept[key] = {"value": value, "explanation": explanation}
    if missing:
        raise ActionRefused(missing)
    return kept


def do_save_draft(
    user: User,
    submission: ReportSubmission,
    *,
    summary_done: str = "",
    summary_problems: str = "",
    summary_next: str = "",
    reported: Mapping[str, tuple[int | None, str]] | None = None,
    refresh: bool = True,
) -> ReportSubmission:
    """Save the summary and the numbers reported differently. The figures are judged again from
    the record (`refresh`; a save followed at once by the submission, which judges them again
    anyway, may skip it when the draft already has figures)."""
    _require_sender(user, submission)
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state not in EDITABLE_STATES:
            raise ActionRefused(_("报表已上报，等待区委组织部审核，不能修改"))
        if refresh or not submission.figures:
            submission.figures = figures_of(submission)
        submission.reported = _clean_reported(reported or {}, submission.figures["counts"])
        submission.summary_done = summary_done.strip()
        submission.summary_problems = summary_problems.strip()
        submission.summary_next = summary_next.strip()
        submission.state = SubmissionState.DRAFT
        submission.save()
        _event(
            user,
            "draft",
            {
                "campaign_id": submission.campaign_id,
                "submission_id": submission.pk,
                "org_id": submission.sender_id,
                "differences": len(submission.differences()),
            },
        )
    return submission


def do_submit_report(user: User, submission: ReportSubmission) -> ReportSubmission:
    """Freeze the figures as the record stands now (as at the cut-off) with the chain's head
    code; a later event or correction no longer changes what was sent."""
    _require_sender(user, submission)
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state not in (SubmissionState.DRAFT, SubmissionState.RETURNED):
            raise ActionRefused(_("请先保存草稿，核对数字后再上报"))
        campaign = submission.campaign
        if campaign.is_year_end and not submission.summary_done:
            raise ActionRefused(Reason(_("年终报表须填写工作总结的主要做法"), BASIS))
        submission.figures = figures_of(submission)
        # A number the record now equals needs no explanation; one still differing keeps its.
        submission.reported = _clean_reported(
            {k: (v.get("value"), v.get("explanation", "")) for k, v in submission.reported.items()},
            submission.figures["counts"],
        )
        day = dates.today()
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_on = day
        submission.first_submitted_on = submission.first_submitted_on or day
        differences = submission.differences()
        event = _event(
            user,
            "submit",
            {
                "campaign_id": campaign.pk,
                "submission_id": submission.pk,
                "org_id": submission.sender_id,
                "cutoff": campaign.cutoff.isoformat(),
                "counts": submission.figures["counts"],
                "differences": {d["key"]: d["value"] for d in differences},
                "late": submission.first_submitted_on > campaign.due,
            },
        )
        submission.head_code = head_code(event.hash)
        submission.save()
    return submission


# -- the district's side --------------------------------------------------------------------------


def do_return_report(user: User, submission: ReportSubmission, *, comment: str) -> ReportSubmission:
    _require_district(user, submission.campaign)
    comment = comment.strip()
    if not comment:
        raise ActionRefused(_("退回须写明意见，说明需要修改或补充的内容"))
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state != SubmissionState.SUBMITTED:
            raise ActionRefused(_("只有已上报的报表可以退回"))
        submission.state = SubmissionState.RETURNED
        submission.return_comment = comment
        submission.returned_on = dates.today()
        submission.save()
        _event(
            user,
            "return",
            {
                "campaign_id": submission.campaign_id,
                "submission_id": submission.pk,
                "org_id": submission.sender_id,
            },
        )
    return submission


def do_accept_report(user: User, submission: ReportSubmission) -> ReportSubmission:
    _require_district(user, submission.campaign)
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state != SubmissionState.SUBMITTED:
            raise ActionRefused(_("只有已上报的报表可以审核通过"))
        submission.state = SubmissionState.ACCEPTED
        submission.accepted_on = dates.today()
        submission.save()
        _event(
            user,
            "accept",
            {
                "campaign_id": submission.campaign_id,
                "submission_id": submission.pk,
                "org_id": submission.sender_id,
                "differences": len(submission.differences()),
            },
        )
    return submission


def do_remind(user: User, submission: ReportSubmission) -> ReportSubmission:
    """Put the report in the sender's home page queue (fazhan.web.queues)."""
    _require_district(user, submission.campaign)
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state not in EDITABLE_STATES:
            raise ActionRefused(_("该单位已上报，无需催报"))
        submission.reminded_on = dates.today()
        submission.save(update_fields=["reminded_on", "updated_at"])
        _event(
            user,
            "remind",
            {
                "campaign_id": submission.campaign_id,
                "submission_id": submission.pk,
                "org_id": submission.sender_id,
            },
        )
    return submission
