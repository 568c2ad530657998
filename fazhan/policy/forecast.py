"""Year-end forecast from the pipeline: who can still be approved by 31 December, and what that
does to every plan indicator and to the activist pool.

Pure Python, no Django: the plans app reads one row per open file (derived columns and the
projection's next steps, never a decrypted field) and hands them here as `PipelineItem`s.

Each open file sits at one *position* on the way to approval (S17), the first milestone it still
lacks: S02 (talk), S03 (named activist, after its notice), S07 (named 发展对象: a full activist
year, 细则 art. 13, and its notice, seed 公示制), PREP (S08–S11 together: filing, introducers,
political review, a training of at least three days, 细则 arts. 13–18), S12 (branch committee),
S13 (pre-review, seed 预审制), S14 (志愿书), S15 (branch meeting), S17 (approval within three
months of the meeting, six at most, 细则 art. 25). From there two schedules run forward, leg by leg:

* the *fast* one (each leg as short as it can realistically be) says whether a file can still be
  approved by 31 December at all; everyone it gets there forms the forecast's **high** end;
* the *typical* one (each leg as long as it usually takes) says whether it will probably be; the
  **low** end counts those already at S15 (awaiting approval) and a share of those further back
  (`Durations.low_shares`), and only where the typical schedule still ends by 31 December.

Age, education and occupation are judged as at the branch meeting (contracts §4): a file not at
S15 yet is 35 or under when its *projected* S15 is before the birth date + 432 months (fast S15 for
the high end, typical S15 for the low end; the later date never makes anyone younger).
Every legs' length is in `Durations` and documented in docs/dashboards.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

from fazhan.policy.calendar import HolidayTable, add_months, shipped_table
from fazhan.policy.targets import (
    COUNT_KEYS,
    DEVELOPED,
    NESTED,
    PLAN,
    Counts,
    Indicator,
    Plan,
    Target,
    band_limits,
    cap_required,
    evaluate,
    floor_required,
)

Position = Literal["S02", "S03", "S07", "PREP", "S12", "S13", "S14", "S15", "S17"]
POSITIONS: tuple[Position, ...] = ("S02", "S03", "S07", "PREP", "S12", "S13", "S14", "S15", "S17")
POSITION_LABELS: dict[str, str] = {
    "S02": "待谈话",
    "S03": "待确定为入党积极分子",
    "S07": "待确定为发展对象",
    "PREP": "政审、培训、介绍人等待完成",
    "S12": "待支部委员会审查",
    "S13": "待上级党委预审",
    "S14": "待填写入党志愿书",
    "S15": "待支部大会讨论",
    "S17": "待上级党委审批",
}
PREP_STEPS = frozenset({"S08", "S09", "S10", "S11"})
POOL_STAGES = frozenset({"activist", "target"})
AGE_35_MONTHS = 432  # contracts §4: 35 and under at the S15 when before the birth date + 432 months
AGE_25_MONTHS = 312
Status = Literal["met", "at_risk", "unmet"]


@dataclass(frozen=True, slots=True)
class Leg:
    """Days one leg takes: as fast as it realistically can, and as long as it usually does."""

    fast: int
    typical: int

    def days(self, typical: bool) -> int:
        return self.typical if typical else self.fast


def _default_shares() -> dict[str, Fraction]:
    return {
        "S17": Fraction(1),  # the branch meeting has passed: only the approval is missing
        "S15": Fraction(3, 4),  # pre-review passed (S13), 志愿书 being filled or filled
        "S14": Fraction(3, 4),
        "S13": Fraction(1, 2),  # the branch has reviewed, or is about to
        "S12": Fraction(1, 2),
        "PREP": Fraction(1, 4),  # 发展对象 still completing review and training
        "S07": Fraction(1, 10),  # activists whose year is (or will be) complete
        "S03": Fraction(0),
        "S02": Fraction(0),
    }


@dataclass(frozen=True)
class Durations:
    """How long each leg takes (calendar days unless named otherwise); see docs/dashboards.md."""

    talk: Leg = Leg(1, 14)  # S02: 细则 art. 7, within a month of the application
    notice_working_days: int = 5  # N-ACT / N-TGT: seed 公示制, the local minimum
    decision: Leg = Leg(1, 3)  # S03 / S07 after the notice has ended
    prep: Leg = Leg(21, 45)  # S08–S11 after S07: political review (函调) and a 3-day class
    prep_pending: Leg = Leg(10, 21)  # what is left of PREP for a file already in it
    branch_review: Leg = Leg(1, 7)  # S12
    prereview: Leg = Leg(5, 20)  # S13: a county rule says 7 working days, tccu one month
    form: Leg = Leg(1, 7)  # S14
    meeting: Leg = Leg(3, 14)  # S15: members are convened; 2026 text: within a month of S13
    approval: Leg = Leg(10, 30)  # S16 talk + S17 committee: 细则 art. 25, within three months
    approval_limit_months: int = 6  # 细则 art. 25: never beyond six months of the meeting
    low_shares: Mapping[str, Fraction] = field(default_factory=_default_shares)


DEFAULT_DURATIONS = Durations()


@dataclass(frozen=True, slots=True)
class PipelineItem:
    """One open file as the forecast reads it: derived columns only, no personal data."""

    id: int
    org_id: int
    stage: str
    suspended: bool
    birth_date: date
    female: bool
    frontline: bool
    hs_plus: bool
    college_plus: bool
    worker: bool
    farmer: bool
    mgmt_tech_rich: bool
    student: bool
    applied_on: date | None = None
    activist_on: date | None = None
    target_on: date | None = None
    admitted_on: date | None = None
    le35_at_admission: bool | None = None
    le25_at_admission: bool | None = None
    # The projection's next steps: step → its earliest date (None when not known yet).
    pending: Mapping[str, date | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Schedule:
    s03: date | None
    s15: date
    s17: date


@dataclass(frozen=True, slots=True)
class Projected:
    item: PipelineItem
    position: Position
    fast: Schedule | None  # None: it can no longer be approved (approval window expired)
    typical: Schedule | None
    end: date

    @property
    def can_make_it(self) -> bool:
        """Approved by 31 December on the fast schedule: part of the high end."""
        return self.fast is not None and self.fast.s17 <= self.end

    @property
    def likely(self) -> bool:
        return self.typical is not None and self.typical.s17 <= self.end and not self.item.suspended

    def weight(self, durations: Durations = DEFAULT_DURATIONS) -> Fraction:
        """Its share of the low end: by position, only when the typical schedule ends in time."""
        if not self.likely:
            return Fraction(0)
        return durations.low_shares.get(self.position, Fraction(0))

    def leave_weight(self, durations: Durations = DEFAULT_DURATIONS) -> Fraction:
        """Its share of the pool's expected leavers: by position, if the typical S15 is in time."""
        if self.item.suspended or not self.leaves_pool(typical=True):
            return Fraction(0)
        return durations.low_shares.get(self.position, Fraction(0))

    def categories(self, *, typical: bool) -> frozenset[str]:
        schedule = self.typical if typical else self.fast
        if schedule is None:
            return frozenset()
        return categories_at(self.item, schedule.s15)

    def leaves_pool(self, *, typical: bool) -> bool:
        schedule = self.typical if typical else self.fast
        return self.item.stage in POOL_STAGES and schedule is not None and schedule.s15 <= self.end

    def joins_pool(self, *, typical: bool) -> bool:
        """An applicant named activist by 31 December and still in the pool then."""
        schedule = self.typical if typical else self.fast
        return (
            self.item.stage == "applicant"
            and schedule is not None
            and schedule.s03 is not None
            and schedule.s03 <= self.end < schedule.s15
        )


def categories_at(item: PipelineItem, s15: date) -> frozenset[str]:
    """The count keys a file adds to if approved, judged at its (projected) S15 (contracts §4)."""
    if item.admitted_on is not None and item.le35_at_admission is not None:
        le35 = item.le35_at_admission
        le25 = bool(item.le25_at_admission)
    else:
        le35 = s15 < add_months(item.birth_date, AGE_35_MONTHS)
        le25 = s15 < add_months(item.birth_date, AGE_25_MONTHS)
    flags = {
        DEVELOPED: True,
        "le35": le35,
        "le25": le25,
        "hs_plus": item.hs_plus,
        "college_plus": item.college_plus,
        "female": item.female,
        "female_frontline": item.female and item.frontline,
        "worker": item.worker,
        "farmer": item.farmer,
        "mgmt_tech_rich": item.mgmt_tech_rich,
        "student": item.student,
    }
    return frozenset(key for key, on in flags.items() if on)


def position_of(item: PipelineItem) -> Position | None:
    """The first milestone the file still lacks, or None when it is not on the way to approval."""
    pending = item.pending
    if item.stage == "applicant":
        if "S01" in pending:
            return None
        return "S02" if "S02" in pending else "S03"
    if item.stage == "activist":
        return "S07" if item.activist_on is not None else None
    if item.stage == "target":
        if pending.keys() & PREP_STEPS:
            return "PREP"
        for step in ("S12", "S13", "S14", "S15"):
            if step in pending:
                return step
        return "S12"
    if item.stage == "probationary" and item.admitted_on is not None:
        return "S17"
    return None


class _Walk:
    """One schedule forward from a file's position, leg by leg (fast or typical)."""

    def __init__(
        self, item: PipelineItem, today: date, d: Durations, table: HolidayTable, typical: bool
    ) -> None:
        self.item = item
        self.today = today
        self.d = d
        self.table = table
        self.typical = typical

    def leg(self, leg: Leg) -> timedelta:
        return timedelta(days=leg.days(self.typical))

    def finish(self, started: date | None, leg: Leg) -> date:
        """The current leg: begun on `started` when known (the projection's earliest date);
        never done before today. Unknown start: today (fast), half the typical leg (typical)."""
        if started is None:
            return self.today + (timedelta(days=leg.typical // 2) if self.typical else timedelta())
        return max(self.today, started + self.leg(leg))

    def after_notice(self, start: date) -> date:
        """The decision a notice serves: the notice runs its working days from `start`."""
        end = self.table.add_workdays(start, self.d.notice_working_days)
        return end + self.leg(self.d.decision)

    def run(self, position: Position) -> Schedule | None:
        item, pending, today = self.item, self.item.pending, self.today
        d = self.d
        current = True  # the first leg walked is the one the file is in today
        s03: date | None = None
        cursor = today
        if position == "S17":
            admitted = item.admitted_on
            assert admitted is not None
            if today > add_months(admitted, d.approval_limit_months):
                return None  # 细则 art. 25: too late; the branch must vote again
            return Schedule(None, admitted, self.finish(admitted, d.approval))
        if position == "S02":
            cursor = self.finish(item.applied_on, d.talk)
            position, current = "S03", False
        if position == "S03":
            published = "N-ACT" not in pending and pending.get("S03") is not None
            if current and published:
                s03 = max(today, pending["S03"] or today) + (
                    self.leg(d.decision) if self.typical else timedelta()
                )
            else:
                s03 = self.after_notice(cursor)
            cursor, position, current = s03, "S07", False
        if position == "S07":
            activist = item.activist_on if current else s03
            assert activist is not None
            year_done = add_months(activist, 12)  # 细则 art. 13: a year of cultivation
            earliest = pending.get("S07") if current else None
            if current and "N-TGT" not in pending and earliest is not None:
                s07 = max(today, year_done, earliest)
            else:
                # The notice may run in the year's last days; typically it starts once the year is
                # complete.
                start = max(today, year_done) if self.typical else today
                s07 = max(year_done, self.after_notice(start))
            cursor, position, current = s07, "PREP", False
        if position == "PREP":
            if current:
                started = item.target_on
                done = max(
                    today + self.leg(d.prep_pending),
                    (started + self.leg(d.prep)) if started else today,
                )
            else:
                done = cursor + self.leg(d.prep)
            cursor, position, current = done, "S12", False
        steps: Sequence[tuple[Position, Leg]] = (
            ("S12", d.branch_review),
            ("S13", d.prereview),
            ("S14", d.form),
            ("S15", d.meeting),
        )
        for index, (step, leg) in enumerate(steps):
            if position != step:
                continue
            cursor = self.finish(pending.get(step), leg) if current else cursor + self.leg(leg)
            current = False
            if index + 1 < len(steps):
                position = steps[index + 1][0]
        s15 = cursor
        return Schedule(s03, s15, s15 + self.leg(d.approval))


def project(
    items: Iterable[PipelineItem],
    *,
    year: int,
    today: date,
    durations: Durations = DEFAULT_DURATIONS,
    table: HolidayTable | None = None,
) -> list[Projected]:
    """Every file on the way to approval with its fast and typical schedules."""
    table = table or shipped_table()
    end = date(year, 12, 31)
    out: list[Projected] = []
    for item in items:
        position = position_of(item)
        if position is None:
            continue
        fast = _Walk(item, today, durations, table, typical=False).run(position)
        typical = _Walk(item, today, durations, table, typical=True).run(position)
        out.append(Projected(item, position, fast, typical, end))
    return out


# ---------------------------------------------------------------------------------------------
# The forecast's range


@dataclass(frozen=True, slots=True)
class Pool:
    """The activist pool (stage activist or 发展对象) now and on 31 December (seed 三（一）)."""

    now: int
    leave_low: int  # expected to pass the branch meeting by 31 December (typical, shares)
    leave_high: int  # could pass it (fast schedule)
    join_low: int  # applicants whose 积极分子 notice is already out and will be named in time
    join_high: int  # applicants who could still be named
    low: int
    high: int


@dataclass(frozen=True)
class Forecast:
    year: int
    as_of: date
    final: bool  # the year is over: the live counts are the result
    now: Counts
    low: Counts
    high: Counts
    pool: Pool
    projected: tuple[Projected, ...] = ()


def _counts(values: Mapping[str, int]) -> Counts:
    return Counts(**{key: int(values.get(key, 0)) for key in COUNT_KEYS})


def summarize(
    projected: Sequence[Projected],
    now: Counts,
    *,
    year: int,
    today: date,
    durations: Durations = DEFAULT_DURATIONS,
) -> Forecast:
    """The range of year-end counts from the live counts and the projected pipeline."""
    final = today > date(year, 12, 31)
    if final:
        pool = Pool(now.activists, 0, 0, 0, 0, now.activists, now.activists)
        return Forecast(year, today, True, now, now, now, pool, ())
    low: dict[str, Fraction] = {key: Fraction(0) for key in COUNT_KEYS}
    high: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)
    leave_low = Fraction(0)
    leave_high = join_low = join_high = 0
    for p in projected:
        weight = p.weight(durations)
        if weight:
            for key in p.categories(typical=True):
                low[key] += weight
        if p.can_make_it:
            for key in p.categories(typical=False):
                high[key] += 1
        leave_low += p.leave_weight(durations)
        if p.leaves_pool(typical=False):
            leave_high += 1
        if p.joins_pool(typical=False):
            join_high += 1
        published = "N-ACT" not in p.item.pending and p.item.pending.get("S03") is not None
        if published and p.position == "S03" and p.joins_pool(typical=True):
            join_low += 1
    base = now.as_dict()
    low_counts = {key: base[key] + int(low[key]) for key in COUNT_KEYS}
    high_counts = {key: base[key] + high[key] for key in COUNT_KEYS}
    leaving_expected = int(leave_low)
    pool = Pool(
        now=now.activists,
        leave_low=leaving_expected,
        leave_high=leave_high,
        join_low=join_low,
        join_high=join_high,
        low=max(0, now.activists - leave_high + join_low),
        high=max(0, now.activists - leaving_expected + join_high),
    )
    low_counts["activists"] = pool.low
    high_counts["activists"] = pool.high
    return Forecast(
        year,
        today,
        False,
        now,
        _counts(low_counts),
        _counts(high_counts),
        pool,
        tuple(projected),
    )


def forecast(
    items: Iterable[PipelineItem],
    now: Counts,
    *,
    year: int,
    today: date,
    durations: Durations = DEFAULT_DURATIONS,
    table: HolidayTable | None = None,
) -> Forecast:
    projected = project(items, year=year, today=today, durations=durations, table=table)
    return summarize(projected, now, year=year, today=today, durations=durations)


# ---------------------------------------------------------------------------------------------
# Judging each target over the range


@dataclass(frozen=True)
class Judgement:
    """One target judged now, at both ends of the forecast and at its own best case.

    status: `met` when met now and at the forecast's low end; `at_risk` when not, but the best
    outcome inside the range meets it (currently unmet but still reachable, or met now but the low
    end fails); `unmet` when even the best outcome fails. For a year that is over: met or unmet by
    the live counts. Aspirations (力争) get a status too but never count as failing.
    """

    target: Target
    status: Status
    now: Indicator
    low: Indicator
    high: Indicator
    best: Indicator
    gap: int  # how many more (floor, band below) or fewer (cap, band above) the low end needs

    @property
    def hard(self) -> bool:
        return self.target.kind != "aspiration"

    @property
    def failing(self) -> bool:
        return self.hard and self.status != "met"


def _one(plan: Plan, target: Target, counts: Mapping[str, int]) -> Indicator:
    return evaluate(replace(plan, targets=(target,)), _counts(counts))[0]


def _parents(category: str) -> list[str]:
    return [large for small, large in NESTED if small == category]


def _best_counts(target: Target, low: Counts, high: Counts, total: int) -> dict[str, int]:
    """The most favourable year end for this one target inside [low, high]."""
    lo, hi = low.as_dict(), high.as_dict()
    best = dict(lo)
    c = target.category
    if target.kind == "band":
        # The developed count inside [low, high] nearest to the band (seed 三（四）: ±10%).
        limit_lo, _ = band_limits(total, target.percent or 0)
        best[DEVELOPED] = min(max(lo[DEVELOPED], limit_lo), max(hi[DEVELOPED], lo[DEVELOPED]))
        return best
    extra = max(0, hi[c] - lo[c])
    if target.kind in ("floor", "aspiration"):
        # Approve everyone of the category who can make it, and no one else.
        best[c] = hi[c]
        if c != "activists":  # the pool's high end goes with the fewest developed: lo already
            if c != DEVELOPED:
                best[DEVELOPED] = min(hi[DEVELOPED], lo[DEVELOPED] + extra)
            for parent in _parents(c):
                best[parent] = min(hi[parent], lo[parent] + extra)
        return best
    # A cap: as few of the category as the low end, everyone else who can make it.
    if target.base == DEVELOPED:
        best[DEVELOPED] = max(lo[DEVELOPED], hi[DEVELOPED] - extra)
    elif target.base not in (PLAN, DEVELOPED):
        best[target.base] = max(lo[target.base], hi[target.base] - extra)
    return best


def _gap(target: Target, low: Indicator, now: Indicator, base_low: int, total: int) -> int:
    if target.kind == "band":
        limit_lo, limit_hi = band_limits(total, target.percent or 0)
        if now.actual > limit_hi:
            return now.actual - limit_hi
        return max(0, limit_lo - low.actual)
    if target.kind == "cap":
        return max(0, low.actual - cap_required(target.absolute, target.percent, base_low))
    return max(0, floor_required(target.absolute, target.percent, base_low) - low.actual)


def judge(plan: Plan, fc: Forecast) -> list[Judgement]:
    """Every target of the plan over the forecast (statuses defined on `Judgement`)."""
    out: list[Judgement] = []
    for target in plan.targets:
        now = _one(plan, target, fc.now.as_dict())
        low = _one(plan, target, fc.low.as_dict())
        high = _one(plan, target, fc.high.as_dict())
        best = _one(plan, target, _best_counts(target, fc.low, fc.high, plan.total))
        if fc.final:
            status: Status = "met" if now.status == "met" else "unmet"
        elif now.status == "met" and low.status == "met":
            status = "met"
        elif best.status == "met":
            status = "at_risk"
        else:
            status = "unmet"
        base_low = plan.total if target.base == PLAN else fc.low[target.base]
        gap = 0 if status == "met" else _gap(target, low, now, base_low, plan.total)
        out.append(Judgement(target, status, now, low, high, best, gap))
    return out


def risk_key(judgements: Sequence[Judgement]) -> tuple[int, int, Fraction]:
    """Sort key, most at risk first when sorted descending: hard targets unmet, hard targets at
    risk whose low end fails, then the summed relative shortfall at the low end."""
    unmet = sum(1 for j in judgements if j.hard and j.status == "unmet")
    at_risk = sum(
        1 for j in judgements if j.hard and j.status == "at_risk" and j.low.status != "met"
    )
    shortfall = Fraction(0)
    for j in judgements:
        if not j.hard or not j.gap:
            continue
        required = j.low.required
        scale = required[0] if isinstance(required, tuple) else required
        shortfall += Fraction(j.gap, max(1, scale))
    return unmet, at_risk, shortfall


# ---------------------------------------------------------------------------------------------
# Who could close a gap


def closers(judgement: Judgement, fc: Forecast, *, limit: int = 20) -> list[Projected]:
    """Files that could close the gap of a floor (or of the band from below), closest to approval
    first: those in the target's category who can still be approved by 31 December and are not
    already counted in full at the low end. For a pool target (K1, K2): applicants who could still
    be named activists. A cap, a band already exceeded and a met target have none."""
    target = judgement.target
    if judgement.status == "met" or target.kind == "cap":
        return []
    if target.kind == "band":
        required = judgement.now.required
        if isinstance(required, tuple) and judgement.now.actual > required[1]:
            return []
    if target.category == "activists":
        joining = [p for p in fc.projected if p.joins_pool(typical=False)]
        joining.sort(key=lambda p: (_s03(p), p.item.id))
        return joining[:limit]
    found = [
        p
        for p in fc.projected
        if p.can_make_it and p.weight() < 1 and target.category in p.categories(typical=False)
    ]
    found.sort(key=lambda p: (p.fast.s17 if p.fast else date.max, p.item.id))
    return found[:limit]


def _s03(p: Projected) -> date:
    return p.fast.s03 if p.fast is not None and p.fast.s03 is not None else date.max
