"""The candidate signals (fazhan.policy.signals) on a page: one label and one explanation each,
so a badge on the list, the home page and the candidate page says the same thing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from fazhan.policy.signals import IRREGULAR, LATE, OVERDUE, is_overdue

register = template.Library()

LABELS = {
    OVERDUE: _("已逾期"),
    LATE: _("曾超期"),
    IRREGULAR: _("违规"),
}
EXPLAINED = {
    OVERDUE: _("下一步的最迟日期已过，至今没有记录（当天仍在期限内，次日起算逾期）"),
    LATE: _("某一环节已经办理，但办理时超过了规定期限"),
    IRREGULAR: _("某一环节的办理不符合规定（违反程序或条件）"),
}
# The CSS class of each badge (site.css).
CLASSES = {OVERDUE: "overdue-now", LATE: "late", IRREGULAR: "violation"}


@register.filter
def overdue_now(candidate: Any, today: date) -> bool:
    """The file's nearest deadline has passed with nothing recorded (the day after, not on it)."""
    return is_overdue(getattr(candidate, "next_due", None), today)


@register.inclusion_tag("web/_signals.html")
def signal_badges(candidate: Any, today: date) -> dict[str, Any]:
    """The badges of one candidate row or page: overdue now, was late (n), irregular (n)."""
    badges = []
    if is_overdue(candidate.next_due, today):
        badges.append((OVERDUE, None))
    if candidate.lates:
        badges.append((LATE, candidate.lates))
    if candidate.violations:
        badges.append((IRREGULAR, candidate.violations))
    return {
        "badges": [
            {"css": CLASSES[k], "label": LABELS[k], "title": EXPLAINED[k], "n": n}
            for k, n in badges
        ]
    }


@register.inclusion_tag("web/_signals_legend.html")
def signal_legend() -> dict[str, Any]:
    return {
        "items": [
            {"css": CLASSES[k], "label": LABELS[k], "title": EXPLAINED[k]}
            for k in (OVERDUE, LATE, IRREGULAR)
        ]
    }
