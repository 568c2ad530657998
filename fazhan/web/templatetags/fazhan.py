from __future__ import annotations

from django import template

from fazhan.policy.data import load_policy

register = template.Library()


@register.filter
def step_label(code: str) -> str:
    """`S07` → `S07 确定发展对象` (notices and lifecycle events keep their code)."""
    policy = load_policy()
    step = policy.steps.get(code)
    if step is not None:
        return f"{code} {step.name}"
    notice = policy.notices.get(code)
    return f"{code} {notice.name}" if notice else code
