"""evaluate(file, policy, as_of) -> stage, next steps and findings (contracts.md §2–3).

One pass orders the events (by date, then by rank within the day), drops superseded ones and those
dated after `as_of`, and then each rule reads the ordered record. Every finding carries the article
or seed clause it comes from, from the same policy data the docs are generated from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from fazhan.policy.calendar import HolidayTable, add_months, shipped_table
from fazhan.policy.data import DEFAULT_POLICY, Policy, load_policy
from fazhan.policy.model import CORRECT, NOTICE_TYPES, CandidateFile, Event
from fazhan.policy.nextsteps import KeyDates, NextStep, next_steps
from fazhan.policy.voting import majority_met, quorum_met

SHANGHAI = timezone(timedelta(hours=8))
FAR = 10**9  # a position after every event


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    severity: str
    step: str
    date: date
    basis: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "severity": self.severity,
            "step": self.step,
            "date": self.date.isoformat(),
            "basis": self.basis,
            "message": self.message,
        }


@dataclass(frozen=True)
class Evaluation:
    policy: str
    as_of: date
    stage: str
    suspended: bool
    next: tuple[NextStep, ...]
    findings: tuple[Finding, ...]
    dates: KeyDates = field(default_factory=KeyDates)

    @property
    def closed(self) -> bool:
        return self.stage in {"withdrawn", "rejected", "revoked"}

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "as_of": self.as_of.isoformat(),
            "stage": self.stage,
            "suspended": self.suspended,
            "next": [n.as_dict() for n in self.next],
            "findings": [f.as_dict() for f in self.findings],
        }


def today_in_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


def effective_events(events: Iterable[Event], as_of: date) -> list[Event]:
    """The events every rule reads: corrections applied, nothing after `as_of`, in order.

    A `correct` event supersedes the event it names; a superseded correction no longer
    supersedes anything. When several corrections name one event, the last one decides.
    """
    # Every event, whatever its date: a correction made by `as_of` may move an event dated
    # after `as_of` to a date before it (the file as it stood then holds the replacement).
    all_events = list(events)
    corrections = [e for e in all_events if e.type == CORRECT and e.date <= as_of]
    if not corrections:
        kept = (e for e in all_events if e.date <= as_of and e.type != CORRECT)
        return sorted(kept, key=_sort_key)
    by_target: dict[str, list[Event]] = {}
    for correction in sorted(corrections, key=_sort_key):
        by_target.setdefault(correction.supersedes or "", []).append(correction)

    def superseded_by(event_id: str | None, chain: frozenset[str]) -> Event | None:
        if event_id is None:
            return None
        winner: Event | None = None
        for correction in by_target.get(event_id, ()):
            if correction.id is not None and correction.id in chain:
                continue  # a cycle of corrections: ignore the loop
            nested = frozenset({*chain, correction.id}) if correction.id else chain
            if superseded_by(correction.id, nested) is None:
                winner = correction
        return winner

    result: list[Event] = []
    for event in all_events:
        if event.type == CORRECT:
            continue
        fix = superseded_by(event.id, frozenset({event.id} if event.id else ()))
        if fix is None:
            if event.date <= as_of:
                result.append(event)
        elif fix.replacement is not None and fix.replacement.date <= as_of:
            # The replacement takes the place of the event it corrects within its day.
            result.append(replace(fix.replacement, index=event.index))
    return sorted(result, key=_sort_key)


def _sort_key(event: Event) -> tuple[date, int, int]:
    return event.sort_key


class _Record:
    """The ordered record of one file with the lookups the rules share."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.pos: dict[int, int] = {id(e): i for i, e in enumerate(events)}
        self.by_type: dict[str, list[Event]] = {}
        for event in events:
            self.by_type.setdefault(event.type, []).append(event)

    def of(self, kind: str) -> list[Event]:
        return self.by_type.get(kind, [])

    def first(self, kind: str) -> Event | None:
        found = self.by_type.get(kind)
        return found[0] if found else None

    def at(self, event: Event) -> int:
        return self.pos[id(event)]

    def first_pos(self, kind: str) -> int:
        found = self.by_type.get(kind)
        return self.pos[id(found[0])] if found else FAR

    def before(self, kind: str, position: int) -> list[Event]:
        return [e for e in self.of(kind) if self.pos[id(e)] < position]

    def after(self, kind: str, position: int) -> list[Event]:
        return [e for e in self.of(kind) if self.pos[id(e)] > position]

    def latest_passed_s15_before(self, position: int) -> Event | None:
        found = None
        for event in self.of("S15"):
            if self.pos[id(event)] >= position:
                break
            if event.result == "pass":
                found = event
        return found

    def latest_passed_s15(self) -> Event | None:
        return self.latest_passed_s15_before(FAR)

    def s15_for(self, event: Event) -> Event | None:
        """contracts §3 preamble: the latest passed S15 before the event judged or, without one,
        the latest passed S15 of the file."""
        return self.latest_passed_s15_before(self.at(event)) or self.latest_passed_s15()

    def approved_later(self, event: Event) -> Event | None:
        """The first S24 after `event` that approves (contracts §1: 'approved by a later S24')."""
        position = self.pos[id(event)]
        for s24 in self.of("S24"):
            if self.pos[id(s24)] > position and s24.result == "approved":
                return s24
        return None


class _Judge:
    def __init__(
        self,
        file: CandidateFile,
        policy: Policy,
        as_of: date,
        table: HolidayTable,
        record: list[Event] | None = None,
    ):
        self.file = file
        self.policy = policy
        self.as_of = as_of
        self.table = table
        events = effective_events(file.events, as_of) if record is None else record
        self.record = _Record(events)
        self.findings: list[Finding] = []
        self.closed_on: date | None = None
        self.stage = "applicant"

    # -- findings ---------------------------------------------------------------------------
    def add(
        self, finding_id: str, step: str, when: date, spec_id: str | None = None, **params: Any
    ) -> None:
        spec = self.policy.findings[spec_id or finding_id]
        params.setdefault("step_name", self.step_name(step))
        self.findings.append(
            Finding(
                id=finding_id,
                severity=spec.severity,
                step=step,
                date=when,
                basis=spec.basis.format_map(_Lenient(params)),
                message=spec.message.format_map(_Lenient(params)),
            )
        )

    def step_name(self, step: str) -> str:
        known = self.policy.steps.get(step)
        if known is not None:
            return f"{step}「{known.name}」"
        notice = self.policy.notices.get(step)
        return notice.name if notice else step

    def closed_by(self, deadline: date) -> bool:
        """contracts §3: a file closed on or before a deadline (the last day allowed) gets no
        `late` finding for it, even for a step recorded after the closure."""
        return self.closed_on is not None and self.closed_on <= deadline

    # -- stage ------------------------------------------------------------------------------
    def judge_stage(self) -> None:
        r = self.record
        closings: list[tuple[int, str, date]] = []
        for kind, stage in (("withdraw", "withdrawn"), ("reject", "rejected")):
            first = r.first(kind)
            if first is not None:
                closings.append((r.at(first), stage, first.date))
        for s23 in r.of("S23"):
            if s23.result == "pass" and s23.outcome == "revoke":
                approval = r.approved_later(s23)
                if approval is not None:
                    closings.append((r.at(approval), "revoked", approval.date))
                    break
        closings.sort()
        if closings:
            self.closed_on = closings[0][2]
        stages = {c[1] for c in closings}
        if "withdrawn" in stages or "rejected" in stages:
            first_plain = next(c for c in closings if c[1] in {"withdrawn", "rejected"})
            self.stage = first_plain[1]
        elif "revoked" in stages:
            self.stage = "revoked"
        elif self.converted() is not None:
            self.stage = "member"
        elif self.probationary_s15() is not None:
            self.stage = "probationary"
        elif r.of("S07"):
            self.stage = "target"
        elif r.of("S03"):
            self.stage = "activist"

    def converted(self) -> Event | None:
        """The S24 approving a passed converting S23, if any."""
        for s23 in self.record.of("S23"):
            if s23.result == "pass" and s23.outcome == "convert":
                approval = self.record.approved_later(s23)
                if approval is not None:
                    return approval
        return None

    def probationary_s15(self) -> Event | None:
        """The latest passed S15 not followed by a rejecting S17."""
        r = self.record
        for s15 in reversed(r.of("S15")):
            if s15.result != "pass":
                continue
            if not any(s17.result == "rejected" for s17 in r.after("S17", r.at(s15))):
                return s15
        return None

    def suspended(self) -> bool:
        last = None
        for event in self.record.events:
            if event.type in ("suspend", "resume"):
                last = event.type
        return last == "suspend"

    # -- the catalogue ----------------------------------------------------------------------
    def judge(self) -> None:
        self.judge_stage()
        self.age()
        self.talk()
        self.activist_steps()
        self.notices()
        self.target_timing()
        self.introducers()
        self.political_review()
        self.admission_meeting()
        self.votes()
        self.approval()
        self.conversion()
        self.departure_and_graduation()
        self.order()
        self.local_windows()

    def age(self) -> None:
        s01 = self.record.first("S01")
        if s01 is None:
            return
        # The 18th birthday is the birth date + 216 months (contracts §3; 党章 art. 1).
        birthday18 = add_months(self.file.person.birth_date, 216)
        if s01.date < birthday18:
            self.add("age.under18", "S01", s01.date, birthday18=birthday18.isoformat())

    def talk(self) -> None:
        s01, s02 = self.record.first("S01"), self.record.first("S02")
        if s01 is None:
            return
        deadline = add_months(s01.date, 1)  # 细则 art. 7: within one month of receipt
        if self.closed_by(deadline):
            return  # contracts §3: no late finding, even for a talk recorded after the closure
        if s02 is not None:
            if s02.date > deadline:
                self.add("talk.late", "S02", s02.date, deadline=deadline.isoformat())
        elif self.as_of > deadline:
            self.add("talk.late", "S02", deadline, deadline=deadline.isoformat())

    def activist_steps(self) -> None:
        for s03 in self.record.of("S03"):
            if s03.nomination is None:
                self.add("activist.not_nominated", "S03", s03.date)
        for s05 in self.record.of("S05"):
            count = len(s05.contacts)
            not_full = sum(1 for c in s05.contacts if not c.is_full)
            if count < 1 or count > 2 or not_full:
                self.add("contacts.count", "S05", s05.date, count=count, not_full=not_full)

    def decisions(self) -> list[tuple[Event, str]]:
        """Decisions that need a notice of their stage (seed 公示制), with the notice type."""
        found = []
        for event in self.record.events:
            notice = self.policy.notice_for_step(event.type)
            if notice is None:
                continue
            if event.type == "S23" and event.outcome != "convert":
                continue
            found.append((event, notice.type))
        return found

    def notices(self) -> None:
        r = self.record
        minimum = self.policy.notice_min_working_days
        for kind in NOTICE_TYPES:
            for notice in r.of(kind):
                assert notice.end is not None
                counted = self.table.count_workdays(notice.date, notice.end)
                if counted.days < minimum:
                    self.add(
                        "notice.too_short",
                        kind,
                        notice.date,
                        start=notice.date.isoformat(),
                        end=notice.end.isoformat(),
                        days=counted.days,
                        minimum=minimum,
                    )
                if counted.provisional:
                    years = "、".join(str(y) for y in counted.provisional_years)
                    self.add("calendar.provisional", kind, notice.date, years=years)
        for decision, notice_type in self.decisions():
            position = r.at(decision)
            floor = -1
            if decision.type == "S23":
                earlier = r.before("S23", position)
                floor = r.at(earlier[-1]) if earlier else -1
            serving = [
                n
                for n in r.of(notice_type)
                if n.end is not None and n.end < decision.date and r.at(n) > floor
            ]
            names = {
                "decision": self.step_name(decision.type),
                "notice": self.policy.notices[notice_type].name,
            }
            if not serving:
                self.add("notice.missing", decision.type, decision.date, **names)
            # The notice serving a decision is the one of its stage with the latest end before
            # the decision's date (contracts §3), whatever earlier S23 there was.
            candidates = [
                n for n in r.of(notice_type) if n.end is not None and n.end < decision.date
            ]
            if not candidates:
                continue
            latest = max(candidates, key=lambda n: (n.end, r.at(n)))
            if any(
                item.outcome in ("pending", "upheld")
                or (item.resolved is not None and item.resolved > decision.date)
                for item in latest.feedback
            ):
                self.add("notice.objection_open", decision.type, decision.date, **names)

    def target_timing(self) -> None:
        s03 = self.record.first("S03")
        if s03 is None:
            return
        # 细则 arts. 12–13: a year of cultivation, counted across transfers.
        deadline = add_months(s03.date, 12)
        for s07 in self.record.of("S07"):
            if s07.date < deadline:
                self.add("target.too_early", "S07", s07.date, deadline=deadline.isoformat())

    def introducers(self) -> None:
        for s09 in self.record.of("S09"):
            if len(s09.introducers) != 2:
                self.add("introducers.count", "S09", s09.date, count=len(s09.introducers))
            bad = [i for i in s09.introducers if not i.may_introduce]
            if bad:
                names = "、".join(i.name or "（未具名）" for i in bad)
                self.add("introducers.ineligible", "S09", s09.date, names=names)

    def political_review(self) -> None:
        r = self.record
        meetings = sorted(r.of("S13") + r.of("S15"), key=r.at)
        if not meetings:
            return
        first = meetings[0]
        if not any(s10.result == "pass" for s10 in r.before("S10", r.at(first))):
            self.add("review.political_missing", first.type, first.date)

    def admission_meeting(self) -> None:
        r = self.record
        for s15 in r.of("S15"):
            position = r.at(s15)
            trained = any(
                s11.days >= 3 or s11.hours >= 24 or s11.exception
                for s11 in r.before("S11", position)
            )
            if not trained:
                self.add("training.insufficient", "S15", s15.date)
            if not any(s13.result == "pass" for s13 in r.before("S13", position)):
                self.add("prereview.missing", "S15", s15.date)

    def votes(self) -> None:
        for event in self.record.of("S15") + self.record.of("S23"):
            vote = event.vote
            if vote is None:
                continue
            step, when = event.type, event.date
            if event.result == "pass" and vote.expected is not None:
                if vote.present is not None and not quorum_met(vote.expected, vote.present):
                    self.add(
                        "vote.quorum", step, when, present=vote.present, expected=vote.expected
                    )
                if vote.in_favour is not None and not majority_met(
                    vote.expected, vote.in_favour, vote.written_for
                ):
                    self.add(
                        "vote.majority",
                        step,
                        when,
                        expected=vote.expected,
                        in_favour=vote.in_favour + vote.written_for,
                    )
            if vote.secret is False:
                self.add("vote.not_secret", step, when)
            if vote.candidates is not None and vote.candidates > 1:
                self.add("vote.bundled", step, when, candidates=vote.candidates)
            if (
                vote.returned is not None
                and vote.issued is not None
                and (vote.returned > vote.issued)
            ):
                self.add(
                    "vote.ballots_exceed", step, when, returned=vote.returned, issued=vote.issued
                )
            if (vote.tellers is not None and vote.tellers < 1) or (
                vote.monitors is not None and vote.monitors < 1
            ):
                self.add(
                    "vote.no_tellers", step, when, tellers=vote.tellers, monitors=vote.monitors
                )

    def approval(self) -> None:
        r = self.record
        for s17 in r.of("S17"):
            position = r.at(s17)
            if not r.before("S16", position):
                self.add("approval.no_talk", "S17", s17.date)
            s15 = r.s15_for(s17)
            if s15 is not None:
                late, expired = add_months(s15.date, 3), add_months(s15.date, 6)
                if s17.date > expired:
                    self.add("approval.expired", "S17", s17.date, deadline=expired.isoformat())
                elif s17.date > late and not self.closed_by(late):
                    self.add("approval.late", "S17", s17.date, deadline=late.isoformat())
        for approval in r.of("S17") + r.of("S24"):
            if approval.can_approve is False:
                self.add("approval.unauthorized", approval.type, approval.date)
        s15 = r.latest_passed_s15()
        if s15 is not None and not r.after("S17", r.at(s15)):
            late, expired = add_months(s15.date, 3), add_months(s15.date, 6)
            if self.as_of > expired:
                self.add("approval.expired", "S17", expired, deadline=expired.isoformat())
            elif self.as_of > late and not self.closed_by(late):
                self.add("approval.late", "S17", late, deadline=late.isoformat())

    def probation_end(self, s15: Event, until: int) -> date:
        """S15 + (12 + E) months (党章 art. 7), E the sum of the passed extending S23s before
        `until`, each approved by a later S24 (contracts §3: all of them, as written)."""
        r = self.record
        months = 12
        for s23 in r.of("S23"):
            if (
                r.at(s23) < until
                and s23.result == "pass"
                and s23.outcome == "extend"
                and (r.approved_later(s23) is not None)
            ):
                months += s23.extension_months or 0
        return add_months(s15.date, months)

    def conversion(self) -> None:
        r = self.record
        extended_before = False
        for s23 in r.of("S23"):
            position = r.at(s23)
            if s23.outcome == "convert":
                # contracts §3: S15 as in the preamble, so a converting S23 before every passed
                # S15 is judged against the latest passed S15 (and is always early).
                s15 = r.s15_for(s23)
                if s15 is not None:
                    end = self.probation_end(s15, position)
                    if s23.date < end:
                        self.add("conversion.early", "S23", s23.date, deadline=end.isoformat())
            if s23.result == "pass" and s23.outcome == "extend":
                months = s23.extension_months or 0
                # 细则 art. 32: once only, no less than six months and no more than a year.
                if months < 6 or months > 12 or extended_before:
                    again = "，且此前已延长过一次" if extended_before else ""
                    self.add("extension.invalid", "S23", s23.date, months=months, again=again)
                extended_before = True

    def departure_and_graduation(self) -> None:
        s15 = self.record.latest_passed_s15()
        if s15 is None:
            return
        window = add_months(s15.date, 3)
        # The person as at the meeting (contracts §4): a later change (a postponed graduation,
        # a new job) does not rewrite what the meeting knew.
        person = self.file.person.on(s15.date)
        # 细则 art. 19: generally not admitted when leaving the unit within three months.
        if person.leaving_date is not None and s15.date < person.leaving_date <= window:
            self.add(
                "leaving.within_3_months", "S15", s15.date, leaving=person.leaving_date.isoformat()
            )
        # Seed 三（二）学校: no rush admissions before graduation.
        if (
            "student" in person.occupations
            and person.graduation_date is not None
            and s15.date < person.graduation_date <= window
        ):
            self.add(
                "student.pre_graduation",
                "S15",
                s15.date,
                graduation=person.graduation_date.isoformat(),
            )

    def order(self) -> None:
        r = self.record
        for event in r.events:
            step = self.policy.steps.get(event.type)
            needs = () if step is None else step.needs_for(event.outcome)
            if not needs:
                continue
            position = r.at(event)
            missing = [need for need in needs if r.first_pos(need) >= position]
            if missing:
                self.add(
                    f"order.{event.type}",
                    event.type,
                    event.date,
                    spec_id="order",
                    missing="、".join(self.step_name(m) for m in missing),
                )

    def local_windows(self) -> None:
        """Windows a policy version or a locality switches on (all off in national-2014)."""
        r = self.record
        meeting_window = self.policy.param_months("prereview_to_meeting_months")
        if meeting_window is not None:
            for s15 in r.of("S15"):
                passed = [s for s in r.before("S13", r.at(s15)) if s.result == "pass"]
                if passed:
                    deadline = add_months(passed[-1].date, meeting_window)
                    if s15.date > deadline:
                        self.add(
                            "meeting.after_prereview_window",
                            "S15",
                            s15.date,
                            deadline=deadline.isoformat(),
                        )
        oath_window = self.policy.param_months("approval_to_oath_months")
        if oath_window is not None:
            approved = next((s for s in r.of("S17") if s.result == "approved"), None)
            if approved is not None:
                deadline = add_months(approved.date, oath_window)
                oath = next(iter(r.after("S20", r.at(approved))), None)
                if oath is not None and oath.date > deadline:
                    self.add("oath.window", "S20", oath.date, deadline=deadline.isoformat())
                elif oath is None and self.as_of > deadline and not self.closed_by(deadline):
                    self.add("oath.window", "S20", deadline, deadline=deadline.isoformat())
        cooldown = self.policy.param_months("resubmit_cooldown_months")
        if cooldown is not None:
            failed: Event | None = None
            for s15 in r.of("S15"):
                if failed is not None and s15.date < add_months(failed.date, cooldown):
                    self.add(
                        "resubmit.cooldown",
                        "S15",
                        s15.date,
                        deadline=add_months(failed.date, cooldown).isoformat(),
                    )
                if s15.result == "fail":
                    failed = s15

    # -- key dates and what comes next ------------------------------------------------------
    def key_dates(self) -> KeyDates:
        r = self.record
        s15 = self.probationary_s15()
        approved = None
        probation_end = None
        if s15 is not None:
            approved = next((s for s in r.after("S17", r.at(s15)) if s.result == "approved"), None)
            probation_end = self.probation_end(s15, FAR)
        converted = self.converted()
        return KeyDates(
            applied_on=_date(r.first("S01")),
            activist_on=_date(r.first("S03")),
            target_on=_date(r.first("S07")),
            admitted_on=_date(s15),
            approved_on=_date(approved),
            probation_end=probation_end,
            converted_on=_date(converted),
            closed_on=self.closed_on,
        )


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _date(event: Event | None) -> date | None:
    return None if event is None else event.date


def evaluate(
    file: CandidateFile,
    policy: Policy | str | None = None,
    as_of: date | None = None,
    table: HolidayTable | None = None,
) -> Evaluation:
    """Judge a candidate file as it stood at the end of `as_of` (default: the file's, or today)."""
    if not isinstance(policy, Policy):
        policy = load_policy(policy or file.policy or DEFAULT_POLICY)
    day = as_of or file.as_of or today_in_shanghai()
    judge = _Judge(file, policy, day, table or shipped_table())
    judge.judge()
    dates = judge.key_dates()
    return Evaluation(
        policy=policy.name,
        as_of=day,
        stage=judge.stage,
        suspended=judge.suspended(),
        next=tuple(
            next_steps(
                judge.record.events,
                stage=judge.stage,
                dates=dates,
                policy=policy,
                as_of=day,
                table=judge.table,
            )
        ),
        findings=tuple(judge.findings),
        dates=dates,
    )


def stage_at(file: CandidateFile, as_of: date, record: list[Event] | None = None) -> str:
    """The §2 stage alone at the end of `as_of`, without findings or next steps: what counts at a
    date need for every file of a district (contracts.md §8). `record`, when the caller has it
    already, is `effective_events(file.events, as_of)`."""
    policy = load_policy(file.policy or DEFAULT_POLICY)
    judge = _Judge(file, policy, as_of, shipped_table(), record=record)
    judge.judge_stage()
    return judge.stage
