"""Whether a motion about a candidate may be put to the branch general meeting today (S15, S23).

Pure: read from the candidate's effective events (`fazhan.policy.engine.effective_events`, as
`fazhan.people.record.candidate_document` gives them on the live side and `fazhan check` reads
them from a file), the stage and the suspension. The meeting pages, the meeting actions and
`fazhan check` ask the same function.
"""

from __future__ import annotations

from datetime import date

from fazhan.policy.model import STAGE_NAMES, Event
from fazhan.policy.texts import Name, Refusal, text

MEETING_STEPS = ("S15", "S23")
# The notice serving each vote (seed 公示制; N-ADM where a locality adds an admission notice).
NOTICE_OF_STEP = {"S15": "N-ADM", "S23": "N-CONV"}
NOTICE_NAMES = {
    "N-ACT": "确定入党积极分子公示",
    "N-TGT": "确定发展对象公示",
    "N-ADM": "接收预备党员公示",
    "N-CONV": "预备党员转正公示",
}
# Feedback that still stands in the way: not yet checked, or found true (公示反馈核查).
OPEN_FEEDBACK = frozenset({"pending", "upheld"})
STAGE_FOR_STEP = {"S15": "target", "S23": "probationary"}


def stage_name(stage: str) -> Name:
    return Name("stages", stage, STAGE_NAMES.get(stage, stage))


def notice_name(notice: str) -> Name:
    return Name("notices", notice, NOTICE_NAMES[notice])


# 取消预备党员资格 (seed 责任追究制: "对已经发展的，要取消预备党员资格"; contracts §3: a revoking
# S23 needs an S15, not an S22) may be decided at any time during probation: no conversion notice
# has to run first, and feedback found true on a notice is its reason, not an obstacle.
REVOKE = "revoke"


def meeting_gates(
    events: list[Event],
    *,
    step: str,
    stage: str,
    suspended: bool,
    today: date,
    outcome: str | None = None,
) -> list[Refusal]:
    """Why a meeting cannot vote on the candidate for `step` (S15 or S23) today; empty if it can.
    `outcome` is the S23 motion's (convert, extend, revoke): a revocation is gated by the stage
    alone.

    `events` are the effective events in order (corrections applied, nothing after `today`)."""
    reasons: list[Refusal] = []
    expected = STAGE_FOR_STEP[step]
    if stage != expected:
        template = (
            "该同志目前为「{stage}」，接收预备党员须为「{expected}」"
            if step == "S15"
            else "该同志目前为「{stage}」，讨论转正、延长或取消预备期须为「{expected}」"
        )
        reasons.append(
            Refusal(
                text(
                    f"gate.stage.{step}",
                    template,
                    stage=stage_name(stage),
                    expected=stage_name(expected),
                ),
                "细则第二十、三十三条",
            )
        )
    if suspended:
        reasons.append(
            Refusal(
                text("gate.suspended", "档案已暂缓，恢复前不能提交支部大会"),
                "公示反馈核查期间暂缓发展",
            )
        )
    if step == "S23" and outcome == REVOKE:
        return reasons
    notice_type = NOTICE_OF_STEP[step]
    for event in events:
        if event.type == notice_type and event.end is not None and event.end >= today:
            reasons.append(
                Refusal(
                    text(
                        "gate.notice_running",
                        "{notice}（{start} 至 {end}）尚未结束，公示期满后才能召开支部大会",
                        notice=notice_name(notice_type),
                        start=event.date,
                        end=event.end,
                    ),
                    "seed 公示制",
                )
            )
    for event in events:
        if event.type not in NOTICE_NAMES:
            continue
        for item in event.feedback:
            if item.outcome not in OPEN_FEEDBACK:
                continue
            state = (
                text("gate.feedback.pending", "尚未核查办结")
                if item.outcome == "pending"
                else text("gate.feedback.upheld", "经核查属实")
            )
            reasons.append(
                Refusal(
                    text(
                        "gate.feedback_open",
                        "{notice}（{date}）收到的反馈（{received}）{state}",
                        notice=notice_name(event.type),
                        date=event.date,
                        received=item.date,
                        state=state,
                    ),
                    "seed 公示制：反馈未核实办结的，暂缓提交支部大会",
                )
            )
    if step == "S15" and not prereview_passed_since_branch_review(events):
        reasons.append(
            Refusal(
                text("gate.prereview", "尚未通过上级党委预审（支部委员会审查之后）"),
                "细则第十九条；seed 预审制：预审同意后方可提交支部大会",
            )
        )
    return reasons


def prereview_passed_since_branch_review(events: list[Event]) -> bool:
    """Seed 预审制: a passed S13 after the latest S12 (a new branch review needs a new one)."""
    s12 = [i for i, e in enumerate(events) if e.type == "S12"]
    after = events[s12[-1] :] if s12 else []
    return any(e.type == "S13" and e.result == "pass" for e in after)
