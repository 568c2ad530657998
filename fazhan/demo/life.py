"""One candidate's whole life, generated forward from the application (S01), step by step.

Each step comes after a realistic gap that keeps the rules (rules-reference.md §1, contracts.md
§3): talk within a month, notices of five working days ending before the decision they serve, a
year as activist, training of three days, passed political review and pre-review before the
admission meeting, votes with quorum and majority of the expected, approval within three months,
conversion after a year. Variants break one rule on purpose (a talk after five weeks, a four-day
notice, ...) so that findings show up. `fazhan.demo.histories` places the life in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from fazhan.policy.calendar import HolidayTable, add_months
from fazhan.policy.model import RANK

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Ev:
    """One event of a history: the chain's kind, happened_on and payload (contracts.md §1)."""

    kind: str
    day: date
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Roster:
    """What a history needs from its branch: members who may be contacts and introducers (their
    `Member.snapshot()`, 细则 arts. 9, 14) and how many members have a vote (党章 art. 7)."""

    eligible: tuple[dict[str, Any], ...]
    voters: int


@dataclass(frozen=True)
class Plan:
    """What a file should look like today.

    `stage` is the stage the engine should project; `variants` bend the history (see `_Life`);
    `ending` closes it (withdraw, reject_prereview, reject_vote, reject_objection, revoke); `hold`
    stops it before the first event of that kind (a step not taken yet); `skip` leaves out events
    of those kinds only; `anchor` places the first event of a kind on a given day instead of a
    random day inside the stage.
    """

    stage: str
    nomination: str = "member"
    variants: frozenset[str] = frozenset()
    ending: str | None = None
    hold: str | None = None
    anchor: tuple[str, date] | None = None
    skip: frozenset[str] = frozenset()


class Days:
    """Working-day arithmetic over the shipped holiday table (meetings are held on working days)."""

    def __init__(self, table: HolidayTable) -> None:
        self.table = table

    def on_or_after(self, day: date) -> date:
        while not self.table.is_workday(day):
            day += ONE_DAY
        return day

    def on_or_before(self, day: date) -> date:
        while not self.table.is_workday(day):
            day -= ONE_DAY
        return day

    def within(self, day: date, latest: date) -> date:
        """The first working day from `day`, or the last one up to `latest` if that is later: a
        holiday must not push a step past its deadline (the talk's month, the approval's three)."""
        found = self.on_or_after(day)
        return found if found <= latest else self.on_or_before(latest)

    def add_workdays(self, first: date, count: int) -> date:
        return self.table.add_workdays(first, count)


def tally(rng: Random, voters: int, *, passed: bool = True) -> dict[str, Any]:
    """A branch general meeting's secret ballot (细则 arts. 20–21; seed 票决制).

    Quorum: more than half of the expected (members with a vote) present. Majority: the votes for,
    written ones from absent members included, more than half of the expected, not of the present.
    """
    expected = max(voters, 3)
    if expected > 10 and rng.random() < 0.15:
        expected -= 1  # one member abroad for over six months, excluded with consent
    low = max(expected // 2 + 1, (expected * 7 + 9) // 10)
    present = rng.randint(low, expected)
    written_for = rng.randint(0, min(2, expected - present))
    if passed:
        against = rng.choice((0, 0, 0, 1))
        abstain = rng.choice((0, 0, 1))
        in_favour = present - against - abstain
        while (in_favour + written_for) * 2 <= expected and against + abstain > 0:
            if against:
                against -= 1
            else:
                abstain -= 1
            in_favour += 1
    else:
        in_favour = max(0, expected // 2 - written_for - rng.randint(0, 1))
        against = (present - in_favour) * 2 // 3
        abstain = present - in_favour - against
    return {
        "expected": expected,
        "present": present,
        "for": in_favour,
        "against": against,
        "abstain": abstain,
        "written_for": written_for,
        "written_against": 0,
        "written_abstain": 0,
        "secret": True,
        "candidates": 1,
        "issued": present,
        "returned": present,
        "tellers": 2,
        "monitors": rng.randint(1, 2),
    }


class Life:
    """One candidate's whole life from S01 on; `run(s01)` returns it ordered as the engine orders.

    The random draws do not depend on the dates, so the same seed gives the same life shifted in
    time (up to working-day adjustments): `history` relies on it to place the life.

    Variants: talk_late (S02 after five weeks, 细则 art. 7), short_act / short_tgt (a notice of
    four working days, seed 公示制), missed_review (no half-year assessment after the first, art.
    11), early_target (S07 a few days before the year is complete, art. 13), missing_s08 (no
    filing), prereview_returned (S13 returned once, art. 19), approval_late (S17 after four
    months), missed_s21 (probationary reviews stop), extension (probation extended six months
    once, art. 32).
    """

    def __init__(self, rng: Random, plan: Plan, roster: Roster, days: Days) -> None:
        self.rng = rng
        self.plan = plan
        self.roster = roster
        self.days = days
        self.events: list[Ev] = []
        self.s07 = self.s15 = date.min  # set when the life gets there

    def add(self, kind: str, day: date, **payload: Any) -> None:
        self.events.append(Ev(kind, day, payload))

    def gap(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def ordered(self) -> list[Ev]:
        return in_order(self.events)

    def run(self, s01: date) -> list[Ev]:
        self.events = []
        v = self.plan.variants
        self.add("S01", s01)
        if "talk_late" in v:
            s02 = self.days.on_or_after(add_months(s01, 1) + self.gap(4, 12))
        else:
            s02 = self.days.within(s01 + self.gap(3, 21), add_months(s01, 1))
        self.add("S02", s02)
        s03 = self.noticed("N-ACT", s02 + self.gap(75, 240), short="short_act" in v)
        self.add("S03", s03, nomination=self.plan.nomination)
        self.add("S04", self.days.on_or_after(s03 + self.gap(2, 14)))
        contacts = self.pick_members(2 if self.rng.random() < 0.7 else 1)
        self.add("S05", self.days.on_or_after(s03 + self.gap(0, 10)), contacts=contacts)
        if not self.activist_period(s03):
            return self.ordered()
        if not self.target_period():
            return self.ordered()
        self.probation()
        return self.ordered()

    # -- phase 2: the activist year ---------------------------------------------------------------
    def activist_period(self, s03: date) -> bool:
        """Half-year assessments, then the notice and S07. False when the life ends here."""
        v = self.plan.variants
        year = add_months(s03, 12)  # 细则 art. 13: a year of cultivation
        if "early_target" in v:
            planned = year - self.gap(4, 9)
        else:
            # Most activists wait beyond the year: the pool is 3x the yearly plan (seed 三（一）).
            roll = self.rng.random()
            extra = (0, 60) if roll < 0.35 else (60, 330) if roll < 0.7 else (330, 1000)
            planned = year + self.gap(*extra)
        closing: date | None = None
        if self.plan.ending == "withdraw":
            closing = self.days.on_or_after(s03 + self.gap(100, 400))
        reviews_until = closing or planned - timedelta(days=20)
        previous = s03
        k = 1
        while True:
            # 细则 art. 11: the branch assesses each activist every six months.
            day = add_months(s03, 6 * k) - self.gap(0, 14)
            if day >= reviews_until:
                break
            day = self.days.within(day, add_months(previous, 6))
            self.add("S06", day)
            previous = day
            k += 1
            if "missed_review" in v:
                break
        if closing is not None:
            self.add("withdraw", closing, reason="本人申请撤回")
            return False
        if self.plan.ending == "reject_objection":
            start = self.days.on_or_after(planned - self.gap(8, 16))
            end = self.days.add_workdays(start, 5)
            received = start + self.gap(0, max(0, (end - start).days))
            resolved = received + self.gap(5, 15)
            item = {"date": received.isoformat(), "resolved": resolved.isoformat()}
            self.add("N-TGT", start, end=end.isoformat(), feedback=[{**item, "outcome": "upheld"}])
            self.add("reject", self.days.on_or_after(resolved + self.gap(3, 15)))
            return False
        before = year if "early_target" in v else None
        s07 = self.noticed("N-TGT", planned, short="short_tgt" in v, before=before)
        self.add("S07", s07)
        self.s07 = s07
        return True

    # -- phase 3: the development target ---------------------------------------------------------
    def target_period(self) -> bool:
        v = self.plan.variants
        s07 = self.s07
        if "missing_s08" not in v:
            self.add("S08", self.days.on_or_after(s07 + self.gap(2, 10)))
        s09 = self.days.on_or_after(s07 + self.gap(5, 25))
        self.add("S09", s09, introducers=self.pick_members(2))
        s10 = self.days.on_or_after(s07 + self.gap(14, 50))
        self.add("S10", s10, result="pass")
        s11 = self.days.on_or_after(s07 + self.gap(10, 70))
        days, hours = self.rng.choice(((3, 24), (3, 24), (3, 24), (4, 32), (5, 40)))
        self.add("S11", s11, days=days, hours=hours)  # 细则 art. 18: 3 days or 24 hours
        s12 = self.days.on_or_after(max(s09, s10, s11) + self.gap(3, 14))
        self.add("S12", s12)
        if self.plan.ending == "reject_prereview":
            s13 = self.days.on_or_after(s12 + self.gap(5, 20))
            self.add("S13", s13, result="fail")
            self.add("reject", self.days.on_or_after(s13 + self.gap(5, 20)))
            return False
        if "prereview_returned" in v:
            returned = self.days.on_or_after(s12 + self.gap(5, 15))
            self.add("S13", returned, result="returned")
            s12 = self.days.on_or_after(returned + self.gap(10, 30))
            self.add("S12", s12)
        s13 = self.days.on_or_after(s12 + self.gap(5, 20))
        self.add("S13", s13, result="pass")  # seed 预审制: pre-review before the meeting
        s14 = self.days.on_or_after(s13 + self.gap(2, 10))
        self.add("S14", s14)
        s15 = self.days.on_or_after(s14 + self.gap(5, 25))
        if self.plan.ending == "reject_vote":
            self.add(
                "S15", s15, result="fail", vote=tally(self.rng, self.roster.voters, passed=False)
            )
            self.add("reject", self.days.on_or_after(s15 + self.gap(7, 30)))
            return False
        self.add("S15", s15, result="pass", vote=tally(self.rng, self.roster.voters))
        self.s15 = s15
        return True

    # -- phases 4 and 5: approval and probation -------------------------------------------------
    def probation(self) -> None:
        v = self.plan.variants
        s15 = self.s15
        if "approval_late" in v:
            s17 = self.days.on_or_after(add_months(s15, 4) + self.gap(0, 12))
        else:
            # 细则 art. 25: approval within three months of the branch's resolution.
            s17 = self.days.within(s15 + self.gap(21, 80), add_months(s15, 3))
        s16 = min(self.days.on_or_after(s15 + self.gap(7, max(7, (s17 - s15).days - 3))), s17)
        self.add("S16", s16)  # 党章 art. 5: a talk by the committee before approval
        self.add("S17", s17, result="approved", approver={"can_approve": True})
        self.add("S18", self.days.on_or_after(s17 + self.gap(3, 14)))
        self.add("S19", self.days.on_or_after(s17 + self.gap(0, 10)))
        self.add("S20", self.days.on_or_after(s17 + self.gap(5, 30)))
        end = add_months(s15, 12)  # 党章 art. 7: a year of probation from the meeting
        last_review = self.quarterly_reviews(s15, end)
        self.add("S22", self.days.within(add_months(end, -1) + self.gap(0, 20), end))
        if "extension" in v:
            s23 = self.days.on_or_after(end + self.gap(0, 20))
            self.add(
                "S23",
                s23,
                result="pass",
                outcome="extend",
                extension_months=6,
                vote=tally(self.rng, self.roster.voters),
            )
            s24 = self.days.on_or_after(s23 + self.gap(15, 50))
            self.add("S24", s24, result="approved", approver={"can_approve": True})
            end = add_months(s15, 18)  # 细则 art. 32: once, six months to a year
            self.quarterly_reviews(last_review, end)
            self.add("S22", self.days.within(add_months(end, -1) + self.gap(0, 20), end))
        if self.plan.ending == "revoke":
            s23 = self.days.on_or_after(end + self.gap(0, 20))
            vote = tally(self.rng, self.roster.voters)
            self.add("S23", s23, result="pass", outcome="revoke", vote=vote)
            s24 = self.days.on_or_after(s23 + self.gap(15, 50))
            self.add("S24", s24, result="approved", approver={"can_approve": True})
            return
        # No conversion before the end of probation (党章 art. 7); the N-CONV notice first.
        s23 = self.noticed("N-CONV", end + self.gap(0, 20))
        vote = tally(self.rng, self.roster.voters)
        self.add("S23", s23, result="pass", outcome="convert", vote=vote)
        s24 = self.days.on_or_after(s23 + self.gap(10, 60))
        self.add("S24", s24, result="approved", approver={"can_approve": True})
        self.add("S25", self.days.on_or_after(s24 + self.gap(3, 20)))

    def quarterly_reviews(self, previous: date, end: date) -> date:
        """S21 about every quarter of the probation, each within three months of the one before
        (thought reports, [L] quarterly), until the probation ends."""
        count = 0
        while True:
            limit = add_months(previous, 3)
            day = limit - self.gap(0, 15)
            if day >= end - timedelta(days=5):
                return previous
            day = self.days.within(day, limit)
            self.add("S21", day)
            previous = day
            count += 1
            if "missed_s21" in self.plan.variants and count >= 2:
                return previous

    # -- helpers ---------------------------------------------------------------------------------
    def noticed(
        self, kind: str, planned: date, *, short: bool = False, before: date | None = None
    ) -> date:
        """Publish the notice of a stage, then the decision it serves; return the decision's day.

        Seed 公示制: a notice (five working days, the local minimum) ends before the decision.
        """
        start = self.days.on_or_after(planned - self.gap(8, 16))
        length = 4 if short else self.rng.choice((5, 5, 5, 5, 6, 7))
        end = self.days.add_workdays(start, length)
        decision = self.days.on_or_after(max(planned, end + ONE_DAY + self.gap(0, 4)))
        if before is not None and decision >= before:
            earlier = self.days.on_or_before(before - ONE_DAY)
            decision = earlier if earlier > end else decision
        feedback: list[dict[str, Any]] = []
        if self.rng.random() < 0.12:
            received = start + self.gap(0, (end - start).days)
            resolved = min(received + self.gap(1, 4), decision - ONE_DAY)
            outcome = "unfounded" if self.rng.random() < 0.75 else "founded_minor"
            feedback.append(
                {
                    "date": received.isoformat(),
                    "resolved": max(resolved, received).isoformat(),
                    "outcome": outcome,
                }
            )
        self.add(kind, start, end=end.isoformat(), feedback=feedback)
        return decision

    def pick_members(self, count: int) -> list[dict[str, Any]]:
        eligible = self.roster.eligible
        chosen = self.rng.sample(range(len(eligible)), min(count, len(eligible)))
        return [dict(eligible[i]) for i in chosen]


def in_order(events: list[Ev]) -> list[Ev]:
    """contracts.md §1: by date, then by rank within the day; the sort is stable, so the order
    of generation breaks the remaining ties."""
    return sorted(events, key=lambda event: (event.day, RANK.get(event.kind, 2000)))
