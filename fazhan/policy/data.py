"""Policy versions as data: the 25 steps, the notices, the finding catalogue and local parameters.

`national-2014` is the default; `national-2026` (the reported revision, unverified) extends it. The
district overlay from the seed (`district-seed`) always applies on top. A new year's 意见 is a new
data file, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from typing import Any

DEFAULT_POLICY = "national-2014"
OVERLAY = "district-seed"


@dataclass(frozen=True)
class Step:
    code: str
    phase: int
    name: str
    actor: str
    needs: tuple[str, ...]
    records: tuple[str, ...]
    time: str
    basis: str
    repeat: str  # never / free / after_fail / after_extension (DESIGN.md principle 5)
    # An S23 that revokes needs an S15, not an S22 (contracts §3: 取消预备党员资格 may be decided
    # at any time during probation, without an application).
    needs_by_outcome: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def needs_for(self, outcome: str | None) -> tuple[str, ...]:
        """The steps an event of this step needs before it, given its outcome (S23)."""
        if outcome is not None and outcome in self.needs_by_outcome:
            return self.needs_by_outcome[outcome]
        return self.needs


@dataclass(frozen=True)
class NoticeKind:
    type: str
    stage: str
    serves: str
    name: str


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: str
    step: str | None
    condition: str
    basis: str
    message: str


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    verified: bool
    parameters: dict[str, Any]
    steps: dict[str, Step]
    notices: dict[str, NoticeKind]
    findings: dict[str, FindingSpec]
    notice_stages: frozenset[str]
    overlay_title: str = ""
    clauses: dict[str, str] = field(default_factory=dict)
    # What comes next (fazhan.policy.nextsteps): windows in calendar months, reasons by step.
    next_windows: dict[str, int] = field(default_factory=dict)
    next_why: dict[str, str] = field(default_factory=dict)
    notice_decisions: dict[str, str] = field(default_factory=dict)

    def window(self, name: str) -> int:
        """A next-step window in calendar months (`next_steps.windows` of the policy data)."""
        return int(self.next_windows[name])

    def why(self, step: str, **values: object) -> str:
        """Why `step` comes next (`next_steps.why`), with its {placeholders} filled in."""
        return self.next_why[step].format(**values)

    @property
    def notice_min_working_days(self) -> int:
        return int(self.parameters["notice_min_working_days"])

    def param_months(self, name: str) -> int | None:
        value = self.parameters.get(name)
        return None if value is None else int(value)

    def notice_for_step(self, step: str) -> NoticeKind | None:
        """The notice a decision needs, if the overlay publishes one at that stage (seed 公示制)."""
        return self._notice_by_step.get(step)

    @cached_property
    def _notice_by_step(self) -> dict[str, NoticeKind]:
        return {
            notice.serves: notice
            for notice in self.notices.values()
            if notice.stage in self.notice_stages
        }

    def with_parameters(self, **changes: Any) -> Policy:
        """A copy with local parameters changed (notice length, windows): data, not code."""
        return replace(self, parameters={**self.parameters, **changes})


def _read(name: str) -> dict[str, Any]:
    text = resources.files("fazhan.policies").joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def policy_names() -> tuple[str, ...]:
    return ("national-2014", "national-2026")


@cache
def load_policy(name: str = DEFAULT_POLICY) -> Policy:
    if name not in policy_names():
        raise KeyError(f"未知的政策版本：{name}（可选：{'、'.join(policy_names())}）")
    raw = _read(name)
    base = load_policy(raw["extends"]) if "extends" in raw else None
    overlay = _read(OVERLAY)
    if base is None:
        steps = {
            s["code"]: Step(
                code=s["code"],
                phase=s["phase"],
                name=s["name"],
                actor=s["actor"],
                needs=tuple(s["needs"]),
                records=tuple(s["records"]),
                time=s["time"],
                basis=s["basis"],
                repeat=s["repeat"],
                needs_by_outcome={
                    outcome: tuple(needs)
                    for outcome, needs in s.get("needs_by_outcome", {}).items()
                },
            )
            for s in raw["steps"]
        }
        notices = {n["type"]: NoticeKind(**n) for n in raw["notices"]}
        findings = {f["id"]: FindingSpec(**f) for f in raw["findings"]}
        parameters = dict(raw["parameters"])
    else:
        steps = {
            code: replace(step, basis=raw.get("step_basis", {}).get(code, step.basis))
            for code, step in base.steps.items()
        }
        notices = dict(base.notices)
        findings = {
            fid: replace(spec, basis=raw.get("finding_basis", {}).get(fid, spec.basis))
            for fid, spec in base.findings.items()
        }
        parameters = {**base.parameters, **raw.get("parameters", {})}
    guidance = raw.get("next_steps", {})
    next_windows = {**(base.next_windows if base else {}), **guidance.get("windows", {})}
    next_why = {**(base.next_why if base else {}), **guidance.get("why", {})}
    notice_decisions = {
        **(base.notice_decisions if base else {}),
        **guidance.get("notice_decisions", {}),
    }
    for extra in raw.get("extra_findings", []):
        findings[extra["id"]] = FindingSpec(**extra)
    return Policy(
        name=raw["name"],
        title=raw["title"],
        verified=bool(raw.get("verified", False)),
        parameters=parameters,
        steps=steps,
        notices=notices,
        findings=findings,
        notice_stages=frozenset(overlay["notice_stages"]),
        overlay_title=overlay["title"],
        clauses=dict(overlay["clauses"]),
        next_windows=next_windows,
        next_why=next_why,
        notice_decisions=notice_decisions,
    )
