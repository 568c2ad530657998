"""What comes next for a candidate: each step with its earliest and latest date and why.

This is guidance for the people doing the work (due this week, overdue), not a judgement: the
findings say what went wrong; this says what to do now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fazhan.policy.calendar import HolidayTable, add_months
from fazhan.policy.data import Policy
from fazhan.policy.model import Event


@dataclass(frozen=True, slots=True)
class NextStep:
    step: str
    earliest: date | None
    latest: date | None
    why: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "step": self.step,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "latest": self.latest.isoformat() if self.latest else None,
            "why": self.why,
        }


@dataclass(frozen=True)
class KeyDates:
    applied_on: date | None = None
    activist_on: date | None = None
    target_on: date | None = None
    admitted_on: date | None = None
    approved_on: date | None = None
    probation_end: date | None = None
    converted_on: date | None = None
    closed_on: date | None = None


def next_steps(
    events: list[Event],
    *,
    stage: str,
    dates: KeyDates,
    policy: Policy,
    as_of: date,
    table: HolidayTable,
) -> list[NextStep]:
    """The steps that can or must come next, judged on the ordered, effective events."""
    done: dict[str, list[Event]] = {}
    for event in events:
        done.setdefault(event.type, []).append(event)

    def last(kind: str) -> Event | None:
        found = done.get(kind)
        return found[-1] if found else None

    def last_date(kind: str) -> date | None:
        found = done.get(kind)
        return found[-1].date if found else None

    def after_notice(notice_type: str, floor: date | None) -> date | None:
        """The day after the last notice of a stage ends, if one was published."""
        notice = last(notice_type)
        if notice is None or notice.end is None:
            return None
        if floor is not None and notice.date < floor:
            return None
        return notice.end + timedelta(days=1)

    def notice_step(notice_type: str, decision: str, from_day: date | None) -> NextStep:
        minimum = policy.notice_min_working_days
        return NextStep(
            notice_type,
            from_day,
            None,
            f"{policy.notices[notice_type].name}：不少于 {minimum} 个工作日，结束后才能{decision}",
        )

    steps: list[NextStep] = []
    if stage in {"withdrawn", "rejected", "revoked"}:
        return steps
    if stage == "applicant":
        s01 = last("S01")
        if s01 is None:
            return [NextStep("S01", None, None, "递交书面入党申请书（年满十八周岁）")]
        if "S02" not in done:
            steps.append(
                NextStep(
                    "S02",
                    s01.date,
                    add_months(s01.date, 1),
                    "收到申请书后一个月内派人谈话（细则第七条）",
                )
            )
            return steps
        ready = after_notice("N-ACT", None)
        if ready is None and policy.notice_for_step("S03") is not None:
            steps.append(notice_step("N-ACT", "确定入党积极分子", last_date("S02")))
        steps.append(
            NextStep(
                "S03", ready, None, "经党员推荐或群团组织推优，支委会确定入党积极分子（细则第八条）"
            )
        )
        return steps
    if stage == "activist":
        s03 = dates.activist_on
        assert s03 is not None
        if "S04" not in done:
            steps.append(
                NextStep("S04", s03, None, "确定入党积极分子后报上级党委备案（细则第八条）")
            )
        if "S05" not in done:
            steps.append(
                NextStep("S05", s03, None, "指定一至两名正式党员作培养联系人（细则第九条）")
            )
        last_review = last("S06")
        base = last_review.date if last_review else s03
        steps.append(
            NextStep(
                "S06",
                None,
                add_months(base, 6),
                "党支部每半年对入党积极分子考察一次（细则第十一条）",
            )
        )
        year_done = add_months(s03, 12)
        ready = after_notice("N-TGT", None)
        if ready is None and policy.notice_for_step("S07") is not None:
            steps.append(notice_step("N-TGT", "确定发展对象", None))
        earliest = max(year_done, ready) if ready else year_done
        steps.append(
            NextStep(
                "S07",
                earliest,
                None,
                f"培养考察满一年（{year_done} 起）后确定发展对象（细则第十三条）",
            )
        )
        return steps
    if stage == "target":
        s07 = dates.target_on
        assert s07 is not None
        for code, why in (
            ("S08", "确定发展对象后报上级党委备案（细则第十三条）"),
            ("S09", "确定两名正式党员作入党介绍人（细则第十四条）"),
        ):
            if code not in done:
                steps.append(NextStep(code, s07, None, why))
        if not any(e.result == "pass" for e in done.get("S10", [])):
            steps.append(
                NextStep("S10", s07, None, "进行政治审查并形成结论性材料（细则第十六、十七条）")
            )
        if not any(e.days >= 3 or e.hours >= 24 or e.exception for e in done.get("S11", [])):
            steps.append(
                NextStep("S11", s07, None, "参加不少于三天或二十四学时的集中培训（细则第十八条）")
            )
        if steps:
            return steps
        passed_13 = [e for e in done.get("S13", []) if e.result == "pass"]
        s12, s13 = last("S12"), last("S13")
        # A pre-review returned or refused sends the file back to the branch committee.
        if s12 is None or (not passed_13 and s13 is not None and s13.date >= s12.date):
            steps.append(
                NextStep("S12", None, None, "支部委员会审查，合格后报上级党委预审（细则第十九条）")
            )
            return steps
        if not passed_13:
            steps.append(
                NextStep(
                    "S13",
                    last_date("S12"),
                    None,
                    "具有审批权限的基层党委预审（区委意见：预审制）",
                )
            )
            return steps
        if "S14" not in done:
            steps.append(
                NextStep(
                    "S14", passed_13[-1].date, None, "预审合格后填写入党志愿书（细则第十九条）"
                )
            )
            return steps
        window = policy.param_months("prereview_to_meeting_months")
        latest = add_months(passed_13[-1].date, window) if window else None
        steps.append(
            NextStep(
                "S15",
                last_date("S14"),
                latest,
                "支部大会讨论接收预备党员，逐个无记名表决（细则第二十、二十一条）",
            )
        )
        return steps
    if stage == "probationary":
        s15 = dates.admitted_on
        assert s15 is not None
        if dates.approved_on is None:
            if not [e for e in done.get("S16", []) if e.date >= s15]:
                steps.append(
                    NextStep("S16", s15, add_months(s15, 3), "审批前上级党委派人谈话（党章第五条）")
                )
            steps.append(
                NextStep(
                    "S17",
                    s15,
                    add_months(s15, 3),
                    "上级党委三个月内审批，特殊情况不超过六个月（细则第二十五条）",
                )
            )
            return steps
        approved = dates.approved_on
        for code, why in (
            ("S18", "报再上一级党委组织部门备案"),
            ("S19", "编入党支部和党小组"),
            ("S20", "面向党旗进行入党宣誓"),
        ):
            if not [e for e in done.get(code, []) if e.date >= approved]:
                window = policy.param_months("approval_to_oath_months") if code == "S20" else None
                steps.append(
                    NextStep(code, approved, add_months(approved, window) if window else None, why)
                )
        end = dates.probation_end
        assert end is not None
        if end > as_of:
            # After the end of probation the conversion meeting is due, not more assessments.
            last_review = last("S21")
            base = max(last_review.date, s15) if last_review else s15
            steps.append(
                NextStep(
                    "S21", None, min(add_months(base, 3), end), "继续教育考察，按季度提交思想汇报"
                )
            )
        s23s = [e for e in done.get("S23", []) if e.date >= s15]
        s24_after = s23s and any(e.date >= s23s[-1].date for e in done.get("S24", []))
        if s23s and s23s[-1].result == "pass" and not s24_after:
            pending = s23s[-1]
            steps.append(
                NextStep("S24", pending.date, add_months(pending.date, 3), "上级党委三个月内审批")
            )
            return steps
        # A new round starts after an approved extension (细则 art. 32): application, notice, vote.
        since = max([s15, *(e.date for e in done.get("S24", []) if e.date >= s15)])
        if not [e for e in done.get("S22", []) if e.date >= since]:
            steps.append(
                NextStep(
                    "S22", add_months(end, -1), end, "预备期满前提出书面转正申请（细则第三十三条）"
                )
            )
        ready = after_notice("N-CONV", since)
        if ready is None:
            steps.append(notice_step("N-CONV", "讨论转正", add_months(end, -1)))
        steps.append(
            NextStep(
                "S23",
                max(end, ready) if ready else end,
                add_months(end, 3),
                f"预备期 {end} 期满后支部大会及时讨论转正（党章第七条；一般不超过三个月）",
            )
        )
        return steps
    if stage == "member" and "S25" not in done:
        steps.append(
            NextStep("S25", dates.converted_on, None, "材料归档（细则第三十五、三十六条）")
        )
    return steps
