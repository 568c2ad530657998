"""The dossier's sections of shared pages, each included by one line (fazhan.dossier.summary)."""

from __future__ import annotations

from typing import Any

from django import template

from fazhan.accounts.authority import authority
from fazhan.dossier.summary import missing_in_branches, past_rows, pending_for, thought_status

register = template.Library()


@register.simple_tag(takes_context=True)
def dossier_of(context: template.Context, candidate: Any) -> dict[str, Any]:
    """The candidate page's section: past facts with their paper, and the 思想汇报 log."""
    user = context["request"].user
    return {
        "past": past_rows(candidate),
        "thoughts": thought_status(candidate),
        "can_write": authority(user).may_write(candidate.org_id),
    }


@register.simple_tag(takes_context=True)
def dossier_home(context: template.Context) -> dict[str, Any]:
    """The home page's section: exceptions to confirm, files owing a 思想汇报."""
    user = context["request"].user
    missing = missing_in_branches(user)
    return {"pending": pending_for(user), "missing": missing[:12], "missing_count": len(missing)}
