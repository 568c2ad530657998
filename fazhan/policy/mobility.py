"""Mobile candidates (seed 三(三); 细则 art. 12): what each kind of cooperation agreement lets the
cooperating organization record, and how often the responsible side keeps in touch.

Pure data and functions (no Django): the mobility app's actions and the authority read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

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

# "定时'走出去'、'请回来'" and 结对 contacts (seed 三(三)): the district keeps in touch with each
# candidate away at least once a quarter; a longer silence is an overdue contact.
CONTACT_INTERVAL = timedelta(days=92)


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
