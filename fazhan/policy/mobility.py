"""Mobile candidates (seed 三(三); 细则 art. 12): what each kind of cooperation agreement lets the
cooperating organization record, and how often the responsible side keeps in touch.

Pure data and functions (no Django): the mobility app's actions and the authority read them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

JOINT = "joint"  # 双边共管: both record, both see
ENTRUSTED = (
    "entrusted"  # 委托培养: the cooperating side trains and assesses, the responsible decides
)
TRACKING = (
    "tracking"  # 跟踪教育: the responsible side tracks through a named contact; the other reports
)
AUTHORIZED = "authorized"  # 授权考察: the cooperating side is authorized to assess; it counts

AGREEMENT_TYPES = (JOINT, ENTRUSTED, TRACKING, AUTHORIZED)

# The steps a cooperating organization can ever be given: the cultivation and assessment work done
# where the candidate lives (talk, contact, half-year assessment, political review inquiries,
# training, the probationary member's education). Decisions stay with the responsible branch
# (S03, S07, S12, S15, S23: 细则 arts. 8, 13, 19–21) and the committee's steps with its committee.
COOPERABLE_STEPS: tuple[str, ...] = ("S02", "S05", "S06", "S10", "S11", "S21")

# What each agreement type allows at most, and what it proposes when it is set up.
ALLOWED: dict[str, frozenset[str]] = {
    JOINT: frozenset(COOPERABLE_STEPS),
    ENTRUSTED: frozenset({"S05", "S06", "S11", "S21"}),
    TRACKING: frozenset({"S06", "S21"}),
    AUTHORIZED: frozenset({"S06", "S10", "S21"}),
}
DEFAULT_SCOPE: dict[str, tuple[str, ...]] = {
    JOINT: ("S02", "S05", "S06", "S11", "S21"),
    ENTRUSTED: ("S06", "S11", "S21"),
    TRACKING: ("S06",),
    AUTHORIZED: ("S06", "S10"),
}

# 跟踪教育 is done through a named contact of the responsible side (seed 三(三)).
NEEDS_CONTACT = frozenset({TRACKING})


@cache
def _settings() -> dict[str, Any]:
    text = resources.files("fazhan.policies").joinpath("mobility.json").read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    return raw


def contact_interval_days() -> int:
    """ "定时'走出去'、'请回来'" and 结对 contacts (seed 三(三)) without a number in the seed: the
    district's own setting in fazhan/policies/mobility.json (a quarter, 92 days)."""
    days = _settings()["contact_interval_days"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValueError("mobility.json: contact_interval_days 应为正整数")
    return days


def contact_basis() -> str:
    """Where the contact interval comes from, in words (shown on the mobile picture page)."""
    return str(_settings()["basis"])


CONTACT_INTERVAL = timedelta(days=contact_interval_days())


def scope_problems(kind: str, steps: Iterable[str]) -> list[str]:
    """The steps that this agreement type cannot give the cooperating side (empty: the scope is
    fine); an unknown type is itself a problem."""
    if kind not in ALLOWED:
        return [kind]
    return sorted(set(steps) - ALLOWED[kind])


def contact_due(last_contact: date | None, since: date) -> date:
    """When the next contact with a candidate away is due: a quarter after the last contact, or
    after the agreement (or arrival) began when there was none yet."""
    return (last_contact or since) + CONTACT_INTERVAL


def contact_overdue(last_contact: date | None, since: date, as_of: date) -> bool:
    return contact_due(last_contact, since) < as_of


# Ordering within one day (contracts.md §1): a transfer-in comes before a transfer-out.
_DAY_RANK = {"transfer-in": 0, "transfer-out": 1}


def departed_on(events: Iterable[Mapping[str, Any]]) -> date | None:
    """The day a file was sent out of the district: the date of its last `transfer-out` naming an
    outside organization (`to_outside_org_id`) with no `transfer-in` after it, read from the
    file's events (contracts.md §1) with corrections applied (a voided or superseded transfer
    does not count, a replacement does). None: the file is here."""
    listed = list(events)
    last_fix: dict[str, Mapping[str, Any]] = {}
    for item in listed:
        if item.get("type") == "correct" and isinstance(item.get("supersedes"), str):
            last_fix[item["supersedes"]] = item
    moves: list[tuple[str, int, int, Mapping[str, Any]]] = []
    for order, listed_event in enumerate(listed):
        event: Mapping[str, Any] = listed_event
        if event.get("type") == "correct":
            fix = event
            if last_fix.get(str(fix.get("supersedes"))) is not fix or fix.get("void"):
                continue
            replacement = fix.get("replacement")
            if not isinstance(replacement, Mapping):
                continue
            event = replacement
        elif str(event.get("id")) in last_fix:
            continue
        kind = event.get("type")
        if kind in _DAY_RANK and isinstance(event.get("date"), str):
            moves.append((event["date"], _DAY_RANK[str(kind)], order, event))
    result: date | None = None
    for day, rank, _order, move in sorted(moves, key=lambda m: m[:3]):
        if rank == 0:
            result = None
        elif move.get("to_outside_org_id") is not None:
            try:
                result = date.fromisoformat(day)
            except ValueError:
                result = None
        else:
            result = None
    return result
