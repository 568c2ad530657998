"""Placing a candidate's life in time, as it stands today.

`history` picks the day in the life that is "today" (inside the stage the file should be at),
shifts the application date accordingly, regenerates the life from that date (working days depend
on the actual calendar) and keeps what happened up to today. Everything after today is simply not
there yet, so a file may stop between a notice and its decision, or between the admission meeting
and the approval, as real files do. `settle_feedback` and `suspended` finish the picture: reports
on notices still being handled, files on hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from fazhan.demo.life import ONE_DAY, Days, Ev, Life, Plan, Roster, in_order

# How far before today a life may be placed when the stage is open-ended (member, closed files).
OPEN_ENDED_DAYS = {"member": 1100, "withdrawn": 700, "rejected": 700, "revoked": 500}


def quick_stage(events: list[Ev]) -> str:
    """The stage the engine will project (contracts.md §2), for the generator's own check."""
    kinds = {e.kind for e in events}
    if "withdraw" in kinds:
        return "withdrawn"
    if "reject" in kinds:
        return "rejected"
    pending: str | None = None
    converted = False
    admitted = False
    for event in events:
        result = event.payload.get("result")
        if event.kind == "S15" and result == "pass":
            admitted = True
        elif event.kind == "S23" and result == "pass":
            pending = event.payload.get("outcome")
        elif event.kind == "S24" and result == "approved" and pending is not None:
            if pending == "revoke":
                return "revoked"
            converted = converted or pending == "convert"
            pending = None
    if converted:
        return "member"
    if admitted:
        return "probationary"
    if "S07" in kinds:
        return "target"
    if "S03" in kinds:
        return "activist"
    return "applicant"


def stage_interval(events: list[Ev], stage: str) -> tuple[date, int]:
    """The first day of the stage in this life and how many days it lasts (open-ended: a span)."""

    def first_day(kind: str, result: str | None = None) -> date | None:
        for event in events:
            if event.kind == kind and (result is None or event.payload.get("result") == result):
                return event.day
        return None

    # The S24 closing probation is the life's last one (an extension has its own S24 before).
    last_s24 = next((e.day for e in reversed(events) if e.kind == "S24"), None)
    passed_s15 = first_day("S15", "pass")
    bounds: dict[str, tuple[date | None, date | None]] = {
        "applicant": (events[0].day, first_day("S03")),
        "activist": (first_day("S03"), first_day("S07")),
        "target": (first_day("S07"), passed_s15),
        "probationary": (passed_s15, last_s24),
        "member": (last_s24, None),
        "revoked": (last_s24, None),
        "withdrawn": (first_day("withdraw"), None),
        "rejected": (first_day("reject"), None),
    }
    start, stop = bounds[stage]
    if start is None:
        raise ValueError(f"this life never reaches the stage {stage}")
    if stop is None:
        return start, OPEN_ENDED_DAYS.get(stage, 400)
    return start, max(1, (stop - start).days)


def _held(events: list[Ev], plan: Plan) -> list[Ev]:
    if plan.skip:
        events = [e for e in events if e.kind not in plan.skip]
    for index, event in enumerate(events):
        if event.kind == plan.hold:
            return events[:index]
    return events


def history(key: str, plan: Plan, roster: Roster, today: date, days: Days) -> list[Ev]:
    """The events of one file up to `today` (inclusive), at the stage `plan.stage`.

    `key` seeds the file's own random stream, so each file is the same whatever else is built.
    """

    def live(s01: date) -> list[Ev]:
        return _held(Life(Random(key), plan, roster, days).run(s01), plan)

    reference = today - timedelta(days=6000)
    drawn = live(reference)
    if plan.anchor is not None:
        kept = [e for e in _anchored(live, drawn, reference, *plan.anchor) if e.day <= today]
        if kept and quick_stage(kept) == plan.stage:
            return kept
        raise RuntimeError(f"anchored history is not at stage {plan.stage} ({key})")
    when = Random(f"{key}/when")
    for _ in range(16):
        start, length = stage_interval(drawn, plan.stage)
        # Keep clear of the stage's edges: working-day adjustments move them by a few days.
        margin = min(4, length // 3)
        offset = when.randint(margin, max(margin, length - 1 - margin))
        shift = today - (start + timedelta(days=offset))
        kept = [e for e in live(reference + shift) if e.day <= today]
        if kept and quick_stage(kept) == plan.stage:
            return kept
    raise RuntimeError(f"could not place a history at stage {plan.stage} ({key})")


def _anchored(
    live: Callable[[date], list[Ev]], drawn: list[Ev], reference: date, kind: str, day: date
) -> list[Ev]:
    """The life whose first event of `kind` falls on `day`, or as near as working days allow.

    Shifting the application moves later steps by a little more or less than the shift (weekends
    and holidays fall differently), so the shift is corrected until the anchor lands.
    """

    def anchor_of(events: list[Ev]) -> date:
        found = next((e.day for e in events if e.kind == kind), None)
        if found is None:
            raise ValueError(f"the plan anchors on {kind}, which this life lacks")
        return found

    shift = day - anchor_of(drawn)
    best = live(reference + shift)
    for _ in range(8):
        miss = day - anchor_of(best)
        if not miss:
            break
        shift += miss
        tried = live(reference + shift)
        if abs(day - anchor_of(tried)) < abs(miss):
            best = tried
    return best


# ---------------------------------------------------------------------------------------------
# After today: notices still open, feedback still being handled


def settle_feedback(events: list[Ev], today: date, pattern: tuple[str, ...] | None) -> list[Ev]:
    """Feedback as it stands today: items received later are not there yet, items resolved later
    are still pending; an open notice (its end today or later) gets the items of `pattern`."""
    settled: list[Ev] = []
    for event in events:
        if not event.kind.startswith("N-"):
            settled.append(event)
            continue
        end = date.fromisoformat(event.payload["end"])
        if end >= today and pattern is not None:
            items = _pattern_items(event.day, today, pattern)
        else:
            items = []
            for item in event.payload.get("feedback", []):
                if date.fromisoformat(item["date"]) > today:
                    continue
                resolved = item["resolved"]
                if resolved is not None and date.fromisoformat(resolved) > today:
                    items.append({"date": item["date"], "resolved": None, "outcome": "pending"})
                else:
                    items.append(item)
        settled.append(Ev(event.kind, event.day, {**event.payload, "feedback": items}))
    return settled


def _pattern_items(start: date, today: date, pattern: tuple[str, ...]) -> list[dict[str, Any]]:
    items = []
    span = (today - start).days
    for index, outcome in enumerate(pattern):
        received = start + timedelta(days=min(span, index))
        if outcome == "pending":
            items.append({"date": received.isoformat(), "resolved": None, "outcome": outcome})
        else:
            resolved = min(today, received + ONE_DAY)
            items.append(
                {"date": received.isoformat(), "resolved": resolved.isoformat(), "outcome": outcome}
            )
    return items


def open_notice(events: list[Ev], today: date) -> Ev | None:
    """The file's notice that is open today, if any (its first day passed, its last not)."""
    for event in reversed(events):
        if event.kind.startswith("N-") and date.fromisoformat(event.payload["end"]) >= today:
            return event
    return None


def suspended(events: list[Ev], today: date, rng: Random, *, resumed: bool) -> list[Ev]:
    """The file put on hold (暂缓, rules-reference.md §4.7: a report under investigation); the
    clocks keep running. `resumed`: an earlier hold of a few weeks, lifted since."""
    if not resumed:
        day = min(today, events[-1].day + timedelta(days=rng.randint(1, 20)))
        return [*events, Ev("suspend", day, {"reason": "群众反映问题，正在核实"})]
    s03 = next((e.day for e in events if e.kind == "S03"), events[0].day)
    start = s03 + timedelta(days=rng.randint(40, 80))
    lifted = start + timedelta(days=rng.randint(20, 45))
    if lifted > today:
        return events
    extra = [
        Ev("suspend", start, {"reason": "群众反映问题，正在核实"}),
        Ev("resume", lifted, {"reason": "经核实，反映问题不属实"}),
    ]
    return in_order([*events, *extra])
