"""What live recording refuses beyond new violations (DESIGN principle 4: a past fact is recorded
and judged; a step happening now is gated).

Pure: over the candidate's effective events (`fazhan.policy.engine.effective_events`), its stage
and suspension. `fazhan.people.actions` gates live recording with it; `fazhan check` shows it in a
next step's `why`.
"""

from __future__ import annotations

from datetime import date

from fazhan.policy.data import Policy, load_policy
from fazhan.policy.gates import MEETING_STEPS, meeting_gates, stage_name
from fazhan.policy.model import CLOSED_STAGES, RESULTS, STEPS, Event
from fazhan.policy.texts import Name, Refusal, text

# While suspended (暂缓) no forward transition is allowed until cleared (rules-reference §4.7).
ALLOWED_WHILE_SUSPENDED = frozenset({"resume", "withdraw", "reject", "S06", "S21"})


def closed_refusal(stage: str) -> Refusal | None:
    """contracts §1: after withdraw, reject or an approved revocation the file is closed."""
    if stage not in CLOSED_STAGES:
        return None
    closed = text("live.closed", "档案已结束（{stage}），不能再记录", stage=stage_name(stage))
    return Refusal(closed)


def suspended_refusal(suspended: bool, step: str) -> Refusal | None:
    if not suspended or step in ALLOWED_WHILE_SUSPENDED:
        return None
    return Refusal(
        text("live.suspended", "档案已暂缓，恢复前不能推进程序"), "公示反馈核查期间暂缓发展"
    )


def repeat_refusal(events: list[Event], step: str, policy: Policy | None = None) -> Refusal | None:
    """DESIGN principle 5: S06, S11 and S21 repeat freely; S10 and S12–S17 only after a result
    that did not pass; S22–S24 only after an extension (or a vote or approval that failed)."""
    spec = (policy or load_policy()).steps.get(step)
    if spec is None or spec.repeat == "free":
        return None
    steps = [e for e in events if e.type in STEPS]
    previous = [i for i, e in enumerate(steps) if e.type == step]
    if not previous:
        return None
    since = steps[previous[-1] :]
    failed = any(e.type in RESULTS and e.result not in (None, "pass", "approved") for e in since)
    extended = any(e.type == "S23" and e.outcome == "extend" and e.result == "pass" for e in since)
    if spec.repeat == "after_fail" and failed:
        return None
    if spec.repeat == "after_extension" and (extended or failed):
        return None
    return Refusal(
        text(
            "live.repeat",
            "{step}「{name}」已记录过，不能重复记录",
            step=step,
            name=Name("steps", step, spec.name),
        ),
        spec.basis,
    )


def volunteer_form_refusal(events: list[Event], step: str) -> Refusal | None:
    """细则 art. 19; seed 预审制: the volunteer form (S14) is issued only after the committee's
    pre-review passed — a returned or refused one sends the file back to the branch committee.
    (The contract's order rule accepts an S13 with any result; live recording asks more.)"""
    if step != "S14":
        return None
    reviews = [e for e in events if e.type in ("S12", "S13")]
    if reviews and reviews[-1].type == "S13" and reviews[-1].result == "pass":
        return None
    return Refusal(
        text("live.volunteer_form", "预审同意后才能填写入党志愿书"),
        "细则第十九条；区委意见：发展党员预审制",
    )


def live_refusals(
    events: list[Event], *, step: str, stage: str, suspended: bool, policy: Policy | None = None
) -> list[Refusal]:
    """Every refusal of recording `step` live now, in the order live recording checks them (the
    first one is the one an action raises)."""
    found = [
        closed_refusal(stage),
        suspended_refusal(suspended, step),
        repeat_refusal(events, step, policy),
        volunteer_form_refusal(events, step),
    ]
    return [r for r in found if r is not None]


def refusals_now(
    events: list[Event],
    *,
    step: str,
    stage: str,
    suspended: bool,
    today: date,
    policy: Policy | None = None,
) -> list[Refusal]:
    """Everything the live side would refuse about recording `step` today: the live gates and,
    for a branch meeting's vote (S15, S23), the meeting gates. `fazhan check` shows them in the
    `why` of a next step."""
    found = live_refusals(events, step=step, stage=stage, suspended=suspended, policy=policy)
    if step in MEETING_STEPS:
        # The suspension is already said once above.
        found += meeting_gates(events, step=step, stage=stage, suspended=False, today=today)
    return found
