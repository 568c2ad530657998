"""What the committee needs to pre-review a candidate, read from the candidate's record.

rules-reference §3.2 (pre-review file contents, after a county rule): the application, the activist
assessments, the training record, the political-review conclusion, the publicity results; and
细则 art. 19: candidates leaving their unit within three months are generally not admitted, students
not rushed in before graduation (seed 三（二）"畢業前突擊發展").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.core import dates
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document
from fazhan.policy.calendar import add_months
from fazhan.policy.engine import effective_events
from fazhan.policy.model import Event
from fazhan.policy.parse import Unreadable, parse_document

OUTCOMES = {
    "pending": gettext_lazy("待核查"),
    "unfounded": gettext_lazy("不属实"),
    "founded_minor": gettext_lazy("部分属实（不影响发展）"),
    "upheld": gettext_lazy("属实"),
}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _events(candidate: Candidate, as_of: date) -> list[Event]:
    try:
        parsed = parse_document(candidate_document(candidate, None, as_of))
    except Unreadable:
        return []
    return effective_events(parsed.events, as_of)


def checklist(candidate: Candidate, as_of: date | None = None) -> list[Item]:
    day = as_of or dates.today()
    events = _events(candidate, day)

    def of(kind: str) -> list[Event]:
        return [e for e in events if e.type == kind]

    items: list[Item] = []
    s01 = of("S01")
    items.append(
        Item(
            "application",
            _("入党申请书"),
            bool(s01),
            _("%(date)s 递交") % {"date": s01[0].date} if s01 else _("没有记录"),
        )
    )
    s06 = of("S06")
    items.append(
        Item(
            "assessments",
            _("培养教育考察（入党积极分子考察）"),
            bool(s06),
            (
                _("共 %(n)s 次，最近 %(date)s") % {"n": len(s06), "date": s06[-1].date}
                if s06
                else _("没有考察记录")
            ),
        )
    )
    s09 = of("S09")
    count = len(s09[-1].introducers) if s09 else 0
    items.append(
        Item(
            "introducers",
            _("入党介绍人"),
            count == 2,
            _("%(n)s 名（应为两名正式党员）") % {"n": count} if s09 else _("没有记录"),
        )
    )
    s10 = of("S10")
    passed_review = bool(s10) and s10[-1].result == "pass"
    items.append(
        Item(
            "political_review",
            _("政治审查结论"),
            passed_review,
            (
                f"{s10[-1].date} {_('合格') if passed_review else _('不合格')}"
                if s10
                else _("没有政治审查结论")
            ),
        )
    )
    s11 = of("S11")
    best = max(s11, key=lambda e: (e.exception, e.days, e.hours)) if s11 else None
    trained = any(e.days >= 3 or e.hours >= 24 or e.exception for e in s11)
    items.append(
        Item(
            "training",
            _("集中培训"),
            trained,
            (
                _("%(date)s %(days)s 天 / %(hours)s 学时")
                % {"date": best.date, "days": best.days, "hours": best.hours}
                + (_("（经批准的特殊情况）") if best.exception else "")
                if best
                else _("没有培训记录（一般不少于三天或二十四学时）")
            ),
        )
    )
    for kind, label in (("N-TGT", _("确定发展对象公示")), ("N-ADM", _("接收预备党员公示"))):
        notices = of(kind)
        if not notices and kind == "N-ADM":
            continue
        if not notices:
            items.append(Item("notice", label, False, _("没有公示记录")))
            continue
        last = notices[-1]
        counts: dict[str, int] = {}
        for f in last.feedback:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        blocking = counts.get("pending", 0) + counts.get("upheld", 0)
        summary = _("，").join(
            _("%(outcome)s %(n)s 件") % {"outcome": OUTCOMES[k], "n": v} for k, v in counts.items()
        ) or _("无反馈")
        ended = last.end is not None and last.end < day
        items.append(
            Item(
                "notice" if kind == "N-TGT" else "notice_admission",
                label,
                ended and blocking == 0,
                _("%(first)s 至 %(end)s；反馈：%(summary)s")
                % {"first": last.date, "end": last.end, "summary": summary}
                + ("" if ended else _("（尚未结束）")),
            )
        )
    s12 = of("S12")
    items.append(
        Item(
            "branch_review",
            _("支部委员会审查"),
            bool(s12),
            f"{s12[-1].date}" if s12 else _("尚未审查"),
        )
    )
    return items


def leaving_flags(candidate: Candidate, as_of: date | None = None) -> list[str]:
    """细则 art. 19: 三个月内将离开工作、学习单位的 — generally not put to the meeting; students
    graduating within three months (seed: 毕业前突击发展). Flagged, not refused: the branch
    decides."""
    day = as_of or dates.today()
    horizon = add_months(day, 3)
    person = candidate.person
    flags = []
    if person.leaving_date is not None and day <= person.leaving_date <= horizon:
        flags.append(
            _("将于 %(date)s 离开工作、学习单位（三个月内，细则第十九条）")
            % {"date": person.leaving_date}
        )
    student = "student" in (person.occupations or [])
    graduating = person.graduation_date
    if student and graduating is not None and day <= graduating <= horizon:
        flags.append(
            _("学生，将于 %(date)s 毕业（三个月内，区委意见：防止毕业前突击发展）")
            % {"date": graduating}
        )
    return flags


def due_in_working_days(start: date, days: int) -> date:
    from fazhan.policy.calendar import shipped_table

    return shipped_table().add_workdays(start + timedelta(days=1), days)
