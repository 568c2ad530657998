"""The finding catalogue and the 25 steps rendered as Markdown from the policy data.

`docs/findings.md` is this module's output, and a test keeps it equal, so the docs cannot drift
from what the engine reports. Regenerate: `python -m fazhan.policy.catalogue > docs/findings.md`.
"""

from __future__ import annotations

from fazhan.policy.data import Step, load_policy, policy_names

SEVERITY_ZH = {"violation": "违规 violation", "late": "逾期 late", "warning": "提示 warning"}


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|")


def render() -> str:
    base = load_policy("national-2014")
    lines = [
        "# 发现项目录 · The finding catalogue",
        "",
        "Generated from `fazhan/policies/*.json` by `python -m fazhan.policy.catalogue`; a test",
        "keeps this file equal to the data the engine uses. Ids, severities and conditions follow",
        "`shared/spec/contracts.md` §3. `{…}` in a message is filled in from the file.",
        "",
        f"Policy `{base.name}`: {base.title}. Overlay: {base.overlay_title} (notice stages: "
        + "、".join(sorted(base.notice_stages))
        + f"; notice length {base.notice_min_working_days} working days).",
        "",
        "| id | severity | step | condition | basis | message (zh) |",
        "|---|---|---|---|---|---|",
    ]
    for spec in base.findings.values():
        shown = "order.<step>" if spec.id == "order" else spec.id
        lines.append(
            f"| `{shown}` | {SEVERITY_ZH[spec.severity]} | {spec.step or ''} | "
            f"{_cell(spec.condition)} | {_cell(spec.basis)} | {_cell(spec.message)} |"
        )
    for name in policy_names():
        policy = load_policy(name)
        if name == base.name:
            continue
        lines += [
            "",
            f"## `{name}` ({'verified' if policy.verified else 'unverified'})",
            "",
            f"{policy.title}. Same catalogue and severities; different article references:",
            "",
            "| id | severity | basis |",
            "|---|---|---|",
        ]
        for spec in policy.findings.values():
            if spec.id not in base.findings or spec.basis != base.findings[spec.id].basis:
                lines.append(
                    f"| `{spec.id}` | {SEVERITY_ZH[spec.severity]} | {_cell(spec.basis)} |"
                )
    lines += [
        "",
        "## 二十五个步骤 · The 25 steps (`national-2014`)",
        "",
        "| step | phase | name | actor | needs | records | time | basis | repeats |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for step in base.steps.values():
        lines.append(
            f"| {step.code} | {step.phase} | {step.name} | {_cell(step.actor)} | "
            f"{_needs(step)} | {'、'.join(step.records)} | {_cell(step.time)} | "
            f"{_cell(step.basis)} | {step.repeat} |"
        )
    return "\n".join(lines) + "\n"


def _needs(step: Step) -> str:
    needs = ", ".join(step.needs)
    for outcome, other in step.needs_by_outcome.items():
        needs += f" ({outcome}: {', '.join(other)})"
    return needs


if __name__ == "__main__":
    print(render(), end="")
