"""The district's consolidated report of a campaign: the same tables as an Excel workbook (fixed
layout, one sheet per table, the seed's categories as columns; formula-safe through
fazhan.lib.xlsx) and as an A4 PDF with the chain's head code (DESIGN principle 2).

Each sender's row carries the figures it submitted (frozen at submission); a sender that has not
submitted yet is shown with the record's figures as at the cut-off and marked so. The district's
total and last year's same period (1 January to the same cut-off a year earlier) are computed with
`report_counts`, the one function for these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fazhan.audit.chain import head_code, read_head
from fazhan.core import dates
from fazhan.lib.xlsx import BOLD, append_row
from fazhan.orgs.models import Organization, OrgType
from fazhan.people.counts import OrgCounts, report_counts
from fazhan.people.models import Stage
from fazhan.policy.counts import STAGES
from fazhan.policy.targets import COUNT_KEYS
from fazhan.reports.figures import (
    EXTRA,
    UNTYPED,
    category_label,
    last_year,
    plan_share,
    pool_check,
    second_half_start,
)
from fazhan.reports.models import ReportCampaign, ReportSubmission, SubmissionState

SENT = frozenset({SubmissionState.SUBMITTED, SubmissionState.ACCEPTED})


def type_label(key: str) -> str:
    if key == UNTYPED:
        return _("未分类")
    return str(dict(OrgType.choices).get(key, key))


@dataclass
class SenderRow:
    submission: ReportSubmission
    sent: bool
    counts: dict[str, int]
    stages: dict[str, int]
    share: int | None
    pool: dict[str, Any]
    previous: dict[str, int] | None
    second_half: dict[str, int] | None = None
    by_type: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    # In the column order of the tables (templates cannot index a dict by a variable).
    @property
    def count_list(self) -> list[int]:
        return [self.counts[k] for k in COUNT_KEYS]

    @property
    def previous_list(self) -> list[int | None]:
        return [self.previous[k] if self.previous else None for k in COUNT_KEYS]

    @property
    def second_half_list(self) -> list[int | None]:
        return [self.second_half[k] if self.second_half else None for k in COUNT_KEYS]

    @property
    def stage_list(self) -> list[int]:
        return [self.stages.get(s, 0) for s in STAGES]

    @property
    def ratio(self) -> str:
        return ratio_text(self.pool)


@dataclass
class Consolidated:
    campaign: ReportCampaign
    rows: list[SenderRow]
    total: dict[str, int]
    total_stages: dict[str, int]
    previous_total: dict[str, int]
    previous_from: str
    previous_as_of: str
    share: int | None
    pool: dict[str, Any]
    by_type: list[tuple[str, dict[str, int]]]
    differences: list[dict[str, Any]]
    head: str
    made_on: str
    second_half_total: dict[str, int] | None = None
    extra_total: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def second_half_total_list(self) -> list[int | None]:
        half = self.second_half_total
        return [half[k] if half else None for k in COUNT_KEYS]

    @property
    def total_list(self) -> list[int]:
        return [self.total[k] for k in COUNT_KEYS]

    @property
    def previous_total_list(self) -> list[int]:
        return [self.previous_total[k] for k in COUNT_KEYS]

    @property
    def total_stage_list(self) -> list[int]:
        return [self.total_stages.get(s, 0) for s in STAGES]

    @property
    def type_lists(self) -> list[tuple[str, list[int]]]:
        return [(label, [c[k] for k in COUNT_KEYS]) for label, c in self.by_type]


def _by_code(children: list[OrgCounts]) -> dict[str, OrgCounts]:
    return {child.org.code: child for child in children}


def consolidate(campaign: ReportCampaign) -> Consolidated:
    org = campaign.org
    now = report_counts(org, start=campaign.period_start, as_of=campaign.cutoff)
    before_from, before_as_of = last_year(campaign.period_start), last_year(campaign.cutoff)
    before = report_counts(org, start=before_from, as_of=before_as_of)
    now_children, before_children = _by_code(now.children), _by_code(before.children)
    # The year-end report carries the second half's table (seed: 下半年报表).
    half = (
        report_counts(org, start=second_half_start(campaign.year), as_of=campaign.cutoff)
        if campaign.is_year_end and second_half_start(campaign.year) > campaign.period_start
        else None
    )
    half_children = _by_code(half.children) if half else {}
    rows: list[SenderRow] = []
    types: dict[str, dict[str, int]] = {}
    differences: list[dict[str, Any]] = []
    submissions = campaign.submissions.select_related("sender").order_by("sender__code")
    for sub in submissions:
        code = sub.sender.code
        sent = sub.state in SENT and bool(sub.figures)
        record = now_children.get(code)
        if sent:
            counts, stages = dict(sub.figures["counts"]), dict(sub.figures["stages"])
            share = sub.figures.get("share")
            later = sub.figures.get("second_half")
        else:
            counts = record.counts.as_dict() if record else dict.fromkeys(COUNT_KEYS, 0)
            stages = dict(record.stages) if record else dict.fromkeys(STAGES, 0)
            share = plan_share(sub.sender, campaign.year)
            part = half_children.get(code)
            later = part.counts.as_dict() if part else None
        previous = before_children.get(code)
        rows.append(
            SenderRow(
                submission=sub,
                sent=sent,
                counts=counts,
                stages=stages,
                share=share,
                pool=pool_check(counts["activists"], share, counts["developed"]),
                previous=previous.counts.as_dict() if previous else None,
                second_half=later if half else None,
                # Other apps' figures (the mobile picture): as sent; the record's as at the
                # cut-off when not sent (or sent before the figures carried them).
                extra={
                    key: (sub.figures.get(key) if sent else None)
                    or extra.compute(
                        Organization.objects.subtree_ids([sub.sender_id]),
                        campaign.cutoff,
                        campaign.period_start,
                    )
                    for key, extra in EXTRA.items()
                },
            )
        )
        for part in sub.figures.get("by_type", []) if sent else []:
            tally = types.setdefault(part["type"], dict.fromkeys(COUNT_KEYS, 0))
            for key in COUNT_KEYS:
                tally[key] += int(part["counts"].get(key, 0))
        for diff in sub.differences() if sent else []:
            differences.append(
                diff | {"sender": sub.sender.name, "label": category_label(diff["key"])}
            )
    total = now.root.counts.as_dict()
    share = plan_share(org, campaign.year)
    if share is None:
        shares = [r.share for r in rows if r.share is not None]
        share = sum(shares) if shares else None
    return Consolidated(
        campaign=campaign,
        rows=rows,
        total=total,
        total_stages=dict(now.root.stages),
        previous_total=before.root.counts.as_dict(),
        previous_from=before_from.isoformat(),
        previous_as_of=before_as_of.isoformat(),
        share=share,
        pool=pool_check(total["activists"], share, total["developed"]),
        by_type=[(type_label(k), v) for k, v in sorted(types.items())],
        differences=differences,
        head=head_code(read_head().hash),
        made_on=dates.today().isoformat(),
        second_half_total=half.root.counts.as_dict() if half else None,
        extra_total={
            key: extra.compute(
                Organization.objects.subtree_ids([org.pk]), campaign.cutoff, campaign.period_start
            )
            for key, extra in EXTRA.items()
        },
    )


def ratio_text(pool: dict[str, Any]) -> str:
    tenths = pool.get("ratio_tenths")
    if tenths is None:
        return "—"
    return f"{tenths // 10}.{tenths % 10}:1"


def met_text(pool: dict[str, Any]) -> str:
    if pool.get("met") is None:
        return "—"
    return _("达到") if pool["met"] else _("未达到")


def _title(data: Consolidated) -> str:
    c = data.campaign
    return _("%(org)s %(campaign)s（%(start)s至%(cutoff)s）") % {
        "org": c.org.name,
        "campaign": str(c),
        "start": c.period_start.isoformat(),
        "cutoff": c.cutoff.isoformat(),
    }


def stage_labels() -> list[str]:
    labels = dict(Stage.choices)
    return [str(labels.get(s, s)) for s in STAGES]


def workbook(data: Consolidated) -> bytes:
    book = Workbook()
    categories = [category_label(k) for k in COUNT_KEYS]
    head = [_("链头校验码"), data.head, _("生成日期"), data.made_on]

    def sheet(title: str) -> Any:
        ws = book.create_sheet(title)
        append_row(ws, [_title(data)], Font(bold=True, size=13))
        append_row(ws, head)
        append_row(ws, [])
        return ws

    book.remove(book.active)
    ws = sheet(_("发展党员情况"))
    append_row(ws, [_("单位"), _("期别"), *categories, _("计划数")], BOLD)
    for row in data.rows:
        name = row.submission.sender.name
        mark = _("本期") if row.sent else _("本期（未上报，系统记录）")
        append_row(ws, [name, mark, *[row.counts[k] for k in COUNT_KEYS], row.share])
        if data.second_half_total is not None:
            append_row(ws, [name, _("其中下半年"), *row.second_half_list])
        prev = row.previous
        append_row(ws, [name, _("上年同期"), *[prev[k] if prev else None for k in COUNT_KEYS]])
    append_row(ws, [_("全区合计"), _("本期"), *[data.total[k] for k in COUNT_KEYS], data.share])
    if data.second_half_total is not None:
        append_row(ws, [_("全区合计"), _("其中下半年"), *data.second_half_total_list])
    append_row(ws, [_("全区合计"), _("上年同期"), *[data.previous_total[k] for k in COUNT_KEYS]])

    ws = sheet(_("各阶段人数"))
    append_row(ws, [_("单位"), *stage_labels()], BOLD)
    for row in data.rows:
        append_row(ws, [row.submission.sender.name, *[row.stages.get(s, 0) for s in STAGES]])
    append_row(ws, [_("全区合计"), *[data.total_stages.get(s, 0) for s in STAGES]])

    ws = sheet(_("积极分子队伍"))
    append_row(
        ws,
        [
            _("单位"),
            _("入党积极分子"),
            _("计划数"),
            _("应达人数（3倍）"),
            _("比例"),
            _("是否达到3:1"),
        ],
        BOLD,
    )
    for row in data.rows:
        p = row.pool
        append_row(
            ws,
            [
                row.submission.sender.name,
                p["activists"],
                row.share,
                p["required"],
                ratio_text(p),
                met_text(p),
            ],
        )
    p = data.pool
    append_row(
        ws,
        [
            _("全区合计"),
            p["activists"],
            data.share,
            p["required"],
            ratio_text(p),
            met_text(p),
        ],
    )

    ws = sheet(_("按单位类型"))
    append_row(ws, [_("单位类型"), *categories], BOLD)
    for label, counts in data.by_type:
        append_row(ws, [label, *[counts[k] for k in COUNT_KEYS]])

    for key, extra in EXTRA.items():
        ws = sheet(extra.title())
        append_row(ws, [_("单位"), *extra.columns()], BOLD)
        for row in data.rows:
            append_row(ws, [row.submission.sender.name, *extra.row(row.extra.get(key, {}))])
        append_row(ws, [_("全区合计"), *extra.row(data.extra_total.get(key, {}))])

    ws = sheet(_("上报情况"))
    append_row(
        ws,
        [_("单位"), _("状态"), _("上报日期"), _("逾期"), _("差异数"), _("上报时链头校验码")],
        BOLD,
    )
    for row in data.rows:
        s = row.submission
        append_row(
            ws,
            [
                s.sender.name,
                s.get_state_display(),
                s.submitted_on.isoformat() if s.submitted_on else "",
                _("逾期") if s.is_late else "",
                len(s.differences()),
                s.head_code,
            ],
        )

    ws = sheet(_("差异说明"))
    append_row(ws, [_("单位"), _("类别"), _("系统统计数"), _("上报数"), _("说明")], BOLD)
    for d in data.differences:
        label = category_label(d["key"])
        append_row(ws, [d["sender"], label, d["record"], d["value"], d["explanation"]])

    out = BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(data: Consolidated) -> bytes:
    from weasyprint import HTML

    context = {
        "data": data,
        "title": _title(data),
        "categories": [category_label(k) for k in COUNT_KEYS],
        "keys": COUNT_KEYS,
        "stage_labels": stage_labels(),
        "stages": STAGES,
        "total_ratio": ratio_text(data.pool),
    }
    html = render_to_string("reports/consolidated_pdf.html", context)
    out: bytes = HTML(string=html).write_pdf()
    return out
