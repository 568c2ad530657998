"""Whether a motion about a candidate may be put to the meeting today, and if not, why.

Read from the candidate's file as `fazhan.people.record.candidate_document` gives it (feedback on
notices folded in, corrections applied by the engine's `effective_events`), so the page, the
actions and `fazhan check` see the same record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.core.errors import Reason
from fazhan.people.models import Stage
from fazhan.people.record import candidate_document
from fazhan.policy.engine import effective_events
from fazhan.policy.model import Event as FileEvent
from fazhan.policy.parse import Unreadable, parse_document

# The notice serving each vote (seed 公示制; N-ADM where a locality adds an admission notice).
NOTICE_OF_STEP = {"S15": "N-ADM", "S23": "N-CONV"}
NOTICE_NAMES = {
    "N-ACT": gettext_lazy("确定入党积极分子公示"),
    "N-TGT": gettext_lazy("确定发展对象公示"),
    "N-ADM": gettext_lazy("接收预备党员公示"),
    "N-CONV": gettext_lazy("预备党员转正公示"),
}
# Feedback that still stands in the way: not yet checked, or found true (公示反馈核查).
OPEN_FEEDBACK = frozenset({"pending", "upheld"})
STAGE_FOR_STEP = {"S15": Stage.TARGET, "S23": Stage.PROBATIONARY}


def _file_events(candidate: Any, today: date) -> list[FileEvent]:
    document = candidate_document(candidate, as_of=today)
    try:
        parsed = parse_document(document)
    except Unreadable as error:  # pragma: no cover - the chain only holds readable events
        raise ValueError(f"档案无法读取：{error.field}：{error.problem}") from None
    return effective_events(parsed.events, today)


def candidate_gates(candidate: Any, step: str, today: date) -> list[Reason]:
    """Why a meeting cannot vote on `candidate` for `step` (S15 or S23) today; empty if it can."""
    reasons: list[Reason] = []
    expected_stage = STAGE_FOR_STEP[step]
    if candidate.stage != expected_stage:
        reasons.append(
            Reason(
                (
                    _("该同志目前为「%(stage)s」，接收预备党员须为「%(expected)s」")
                    if step == "S15"
                    else _(
                        "该同志目前为「%(stage)s」，讨论转正、延长或取消预备期须为「%(expected)s」"
                    )
                )
                % {"stage": candidate.get_stage_display(), "expected": expected_stage.label},
                "细则第二十、三十三条",
            )
        )
    if candidate.suspended:
        reasons.append(Reason(_("档案已暂缓，恢复前不能提交支部大会"), "公示反馈核查期间暂缓发展"))
    events = _file_events(candidate, today)
    notice_type = NOTICE_OF_STEP[step]
    for event in events:
        if event.type == notice_type and event.end is not None and event.end >= today:
            reasons.append(
                Reason(
                    _("%(notice)s（%(start)s 至 %(end)s）尚未结束，公示期满后才能召开支部大会")
                    % {"notice": NOTICE_NAMES[notice_type], "start": event.date, "end": event.end},
                    "seed 公示制",
                )
            )
    for event in events:
        if event.type not in NOTICE_NAMES:
            continue
        open_items = [item for item in event.feedback if item.outcome in OPEN_FEEDBACK]
        for item in open_items:
            state = _("尚未核查办结") if item.outcome == "pending" else _("经核查属实")
            reasons.append(
                Reason(
                    _("%(notice)s（%(date)s）收到的反馈（%(received)s）%(state)s")
                    % {
                        "notice": NOTICE_NAMES[event.type],
                        "date": event.date,
                        "received": item.date,
                        "state": state,
                    },
                    "seed 公示制：反馈未核实办结的，暂缓提交支部大会",
                )
            )
    if step == "S15":
        s12 = [i for i, e in enumerate(events) if e.type == "S12"]
        after = events[s12[-1] :] if s12 else []
        if not any(e.type == "S13" and e.result == "pass" for e in after):
            reasons.append(
                Reason(
                    _("尚未通过上级党委预审（支部委员会审查之后）"),
                    "细则第十九条；seed 预审制：预审同意后方可提交支部大会",
                )
            )
    return reasons
