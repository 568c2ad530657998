"""What comes next for a candidate: each step with its earliest and latest date and why.

This is guidance for the people doing the work (due this week, overdue), not a judgement: the
findings say what went wrong; this says what to do now.
"""

from __future__ import annotations

from collections.abc import Callable
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


class _Record:
    """The ordered, effective events of one file with what the stages ask of them."""

    def __init__(self, events: list[Event], dates: KeyDates, policy: Policy, as_of: date) -> None:
        self.done: dict[str, list[Event]] = {}
        for event in events:
            self.done.setdefault(event.type, []).append(event)
        self.dates = dates
        self.policy = policy
        self.as_of = as_of

    def of(self, kind: str) -> list[Event]:
        return self.done.get(kind, [])

    def last(self, kind: str) -> Event | None:
        found = self.done.get(kind)
        return found[-1] if found else None

    def last_date(self, kind: str) -> date | None:
        found = self.done.get(kind)
        return found[-1].date if found else None

    def months(self, name: str) -> int:
        return self.policy.window(name)

    def step(
        self, code: str, earliest: date | None, latest: date | None, **values: object
    ) -> NextStep:
        return NextStep(code, earliest, latest, self.policy.why(code, **values))

    def after_notice(self, notice_type: str, floor: date | None) -> date | None:
        """The day after the last notice of a stage ends, if one was published."""
        notice = self.last(notice_type)
        if notice is None or notice.end is None:
            return None
        if floor is not None and notice.date < floor:
            return None
        return notice.end + timedelta(days=1)

    def notice_step(self, notice_type: str, from_day: date | None) -> NextStep:
        why = self.policy.why(
            "notice",
            notice=self.policy.notices[notice_type].name,
            minimum=self.policy.notice_min_working_days,
            decision=self.policy.notice_decisions[notice_type],
        )
        return NextStep(notice_type, from_day, None, why)


def _applicant(r: _Record) -> list[NextStep]:
    s01 = r.last("S01")
    if s01 is None:
        return [r.step("S01", None, None)]
    if "S02" not in r.done:
        # 细则 art. 7: a talk within a month of receiving the application.
        return [r.step("S02", s01.date, add_months(s01.date, r.months("talk_months")))]
    steps = []
    ready = r.after_notice("N-ACT", None)
    if ready is None and r.policy.notice_for_step("S03") is not None:
        steps.append(r.notice_step("N-ACT", r.last_date("S02")))
    steps.append(r.step("S03", ready, None))
    return steps


def _activist(r: _Record) -> list[NextStep]:
    s03 = r.dates.activist_on
    assert s03 is not None
    steps = [r.step(code, s03, None) for code in ("S04", "S05") if code not in r.done]
    last_review = r.last("S06")
    base = last_review.date if last_review else s03
    # 细则 art. 11: the branch assesses an activist every half year.
    steps.append(r.step("S06", None, add_months(base, r.months("assessment_interval_months"))))
    # 细则 art. 13: a year of cultivation before selection as development target.
    year_done = add_months(s03, r.months("cultivation_months"))
    ready = r.after_notice("N-TGT", None)
    if ready is None and r.policy.notice_for_step("S07") is not None:
        steps.append(r.notice_step("N-TGT", None))
    earliest = max(year_done, ready) if ready else year_done
    steps.append(r.step("S07", earliest, None, year_done=year_done))
    return steps


def _target(r: _Record) -> list[NextStep]:
    s07 = r.dates.target_on
    assert s07 is not None
    steps = [r.step(code, s07, None) for code in ("S08", "S09") if code not in r.done]
    if not any(e.result == "pass" for e in r.of("S10")):
        steps.append(r.step("S10", s07, None))
    if not any(e.days >= 3 or e.hours >= 24 or e.exception for e in r.of("S11")):
        steps.append(r.step("S11", s07, None))
    if steps:
        return steps
    passed_13 = [e for e in r.of("S13") if e.result == "pass"]
    s12, s13 = r.last("S12"), r.last("S13")
    # A pre-review returned or refused sends the file back to the branch committee.
    if s12 is None or (not passed_13 and s13 is not None and s13.date >= s12.date):
        return [r.step("S12", None, None)]
    if not passed_13:
        return [r.step("S13", r.last_date("S12"), None)]
    if "S14" not in r.done:
        return [r.step("S14", passed_13[-1].date, None)]
    window = r.policy.param_months("prereview_to_meeting_months")
    latest = add_months(passed_13[-1].date, window) if window else None
    return [r.step("S15", r.last_date("S14"), latest)]


def _probationary(r: _Record) -> list[NextStep]:
    s15 = r.dates.admitted_on
    assert s15 is not None
    if r.dates.approved_on is None:
        return _approval(r, s15)
    steps = _after_approval(r, r.dates.approved_on)
    end = r.dates.probation_end
    assert end is not None
    if end > r.as_of:
        # After the end of probation the conversion meeting is due, not more assessments.
        last_review = r.last("S21")
        base = max(last_review.date, s15) if last_review else s15
        interval = r.months("report_interval_months")
        steps.append(r.step("S21", None, min(add_months(base, interval), end)))
    return steps + _conversion(r, s15, end)


def _approval(r: _Record, s15: date) -> list[NextStep]:
    # 细则 art. 25: approval within three months of the meeting, with a talk before it.
    latest = add_months(s15, r.months("approval_months"))
    steps = []
    if not [e for e in r.of("S16") if e.date >= s15]:
        steps.append(r.step("S16", s15, latest))
    steps.append(r.step("S17", s15, latest))
    return steps


def _after_approval(r: _Record, approved: date) -> list[NextStep]:
    steps = []
    for code in ("S18", "S19", "S20"):
        if not [e for e in r.of(code) if e.date >= approved]:
            window = r.policy.param_months("approval_to_oath_months") if code == "S20" else None
            steps.append(r.step(code, approved, add_months(approved, window) if window else None))
    return steps


def _conversion(r: _Record, s15: date, end: date) -> list[NextStep]:
    s23s = [e for e in r.of("S23") if e.date >= s15]
    s24_after = s23s and any(e.date >= s23s[-1].date for e in r.of("S24"))
    if s23s and s23s[-1].result == "pass" and not s24_after:
        pending = s23s[-1]
        latest = add_months(pending.date, r.months("conversion_approval_months"))
        return [r.step("S24", pending.date, latest)]
    steps = []
    # A new round starts after an approved extension (细则 art. 32): application, notice, vote.
    since = max([s15, *(e.date for e in r.of("S24") if e.date >= s15)])
    before_end = add_months(end, -r.months("application_months_before_end"))
    if not [e for e in r.of("S22") if e.date >= since]:
        steps.append(r.step("S22", before_end, end))
    ready = r.after_notice("N-CONV", since)
    if ready is None:
        steps.append(r.notice_step("N-CONV", before_end))
    latest = add_months(end, r.months("conversion_meeting_months"))
    steps.append(r.step("S23", max(end, ready) if ready else end, latest, end=end))
    return steps


def _member(r: _Record) -> list[NextStep]:
    if "S25" in r.done:
        return []
    return [r.step("S25", r.dates.converted_on, None)]


_BY_STAGE: dict[str, Callable[[_Record], list[NextStep]]] = {
    "applicant": _applicant,
    "activist": _activist,
    "target": _target,
    "probationary": _probationary,
    "member": _member,
}


def next_steps(
    events: list[Event],
    *,
    stage: str,
    dates: KeyDates,
    policy: Policy,
    as_of: date,
    table: HolidayTable,
) -> list[NextStep]:
    """The steps that can or must come next, judged on the ordered, effective events; a closed
    file has none. The windows and reasons are the policy data's `next_steps`."""
    by_stage = _BY_STAGE.get(stage)
    if by_stage is None:
        return []
    return by_stage(_Record(events, dates, policy, as_of))
