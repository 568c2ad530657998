"""What the committee needs to pre-review a candidate, read from the candidate's file.

rules-reference §3.2 (pre-review file contents, after a county rule): the application, the activist
assessments, the training record, the political-review conclusion, the publicity results; and
细则 art. 19: candidates leaving their unit within three months are generally not admitted, students
not rushed in before graduation (seed 三（二）"毕业前突击发展").

Pure: over the effective events (`fazhan.policy.engine.effective_events`) and the person; the
pre-review pages and `fazhan check` read the same items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fazhan.policy.calendar import add_months
from fazhan.policy.gates import notice_name
from fazhan.policy.model import Event, Person
from fazhan.policy.texts import EMPTY, Name, Text, text

OUTCOME_NAMES = {
    "pending": "待核查",
    "unfounded": "不属实",
    "founded_minor": "部分属实（不影响发展）",
    "upheld": "属实",
}


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    label: Text
    ok: bool
    detail: Text


def checklist(events: list[Event], as_of: date) -> list[Item]:
    """The pre-review checklist as of `as_of`, over the effective events in order."""

    def of(kind: str) -> list[Event]:
        return [e for e in events if e.type == kind]

    not_recorded = text("checklist.not_recorded", "没有记录")
    items: list[Item] = []
    s01 = of("S01")
    items.append(
        Item(
            "application",
            text("checklist.application", "入党申请书"),
            bool(s01),
            text("checklist.submitted", "{date} 递交", date=s01[0].date) if s01 else not_recorded,
        )
    )
    s06 = of("S06")
    items.append(
        Item(
            "assessments",
            text("checklist.assessments", "培养教育考察（入党积极分子考察）"),
            bool(s06),
            (
                text("checklist.assessed", "共 {n} 次，最近 {date}", n=len(s06), date=s06[-1].date)
                if s06
                else text("checklist.no_assessment", "没有考察记录")
            ),
        )
    )
    s09 = of("S09")
    count = len(s09[-1].introducers) if s09 else 0
    items.append(
        Item(
            "introducers",
            text("checklist.introducers", "入党介绍人"),
            count == 2,
            (
                text("checklist.introducer_count", "{n} 名（应为两名正式党员）", n=count)
                if s09
                else not_recorded
            ),
        )
    )
    s10 = of("S10")
    passed_review = bool(s10) and s10[-1].result == "pass"
    verdict = (
        text("checklist.passed", "合格") if passed_review else text("checklist.failed", "不合格")
    )
    items.append(
        Item(
            "political_review",
            text("checklist.political_review", "政治审查结论"),
            passed_review,
            (
                text("checklist.review", "{date} {verdict}", date=s10[-1].date, verdict=verdict)
                if s10
                else text("checklist.no_review", "没有政治审查结论")
            ),
        )
    )
    s11 = of("S11")
    best = max(s11, key=lambda e: (e.exception, e.days, e.hours)) if s11 else None
    trained = any(e.days >= 3 or e.hours >= 24 or e.exception for e in s11)
    items.append(
        Item(
            "training",
            text("checklist.training", "集中培训"),
            trained,
            (
                text(
                    "checklist.trained",
                    "{date} {days} 天 / {hours} 学时{special}",
                    date=best.date,
                    days=best.days,
                    hours=best.hours,
                    special=(
                        text("checklist.special_case", "（经批准的特殊情况）")
                        if best.exception
                        else EMPTY
                    ),
                )
                if best
                else text("checklist.no_training", "没有培训记录（一般不少于三天或二十四学时）")
            ),
        )
    )
    for kind in ("N-TGT", "N-ADM"):
        notices = of(kind)
        if not notices and kind == "N-ADM":
            continue
        key = "notice" if kind == "N-TGT" else "notice_admission"
        label = text(f"checklist.label.{key}", "{notice}", notice=notice_name(kind))
        if not notices:
            items.append(Item("notice", label, False, text("checklist.no_notice", "没有公示记录")))
            continue
        last = notices[-1]
        counts: dict[str, int] = {}
        for f in last.feedback:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        blocking = counts.get("pending", 0) + counts.get("upheld", 0)
        summary: Text | tuple[Text, ...] = tuple(
            text(
                "checklist.feedback_count",
                "{outcome} {n} 件",
                outcome=Name("outcomes", outcome, OUTCOME_NAMES[outcome]),
                n=n,
            )
            for outcome, n in counts.items()
        ) or text("checklist.no_feedback", "无反馈")
        ended = last.end is not None and last.end < as_of
        items.append(
            Item(
                key,
                label,
                ended and blocking == 0,
                text(
                    "checklist.notice",
                    "{first} 至 {end}；反馈：{summary}{unfinished}",
                    first=last.date,
                    end=last.end,
                    summary=summary,
                    unfinished=EMPTY if ended else text("checklist.unfinished", "（尚未结束）"),
                ),
            )
        )
    s12 = of("S12")
    items.append(
        Item(
            "branch_review",
            text("checklist.branch_review", "支部委员会审查"),
            bool(s12),
            (
                text("checklist.reviewed", "{date}", date=s12[-1].date)
                if s12
                else text("checklist.not_reviewed", "尚未审查")
            ),
        )
    )
    return items


def leaving_flags(person: Person, as_of: date) -> list[Text]:
    """细则 art. 19: 三个月内将离开工作、学习单位的 — generally not put to the meeting; students
    graduating within three months (seed: 毕业前突击发展). Flagged, not refused: the branch
    decides."""
    horizon = add_months(as_of, 3)
    person = person.on(as_of)  # the attributes in force that day (dated changes)
    flags = []
    if person.leaving_date is not None and as_of <= person.leaving_date <= horizon:
        flags.append(
            text(
                "flag.leaving",
                "将于 {date} 离开工作、学习单位（三个月内，细则第十九条）",
                date=person.leaving_date,
            )
        )
    graduating = person.graduation_date
    student = "student" in person.occupations
    if student and graduating is not None and as_of <= graduating <= horizon:
        flags.append(
            text(
                "flag.graduating",
                "学生，将于 {date} 毕业（三个月内，区委意见：防止毕业前突击发展）",
                date=graduating,
            )
        )
    return flags
