"""The candidate page's 已转出区外 banner: the file's departure (destination, date, letter)."""

from __future__ import annotations

from typing import Any

from django import template

from fazhan.mobility.models import Departure

register = template.Library()


@register.simple_tag
def departure_of(candidate: Any) -> Departure | None:
    """The file's departure out of the district, or None (no query for a file still here)."""
    if getattr(candidate, "departed_on", None) is None:
        return None
    return Departure.objects.filter(candidate_id=candidate.pk).select_related("outside").first()


@register.simple_tag(takes_context=True)
def may_undo_departure(context: Any, candidate: Any) -> bool:
    """Whether the reader may void the departure (the responsible organization's writers)."""
    from fazhan.accounts.authority import authority

    request = context.get("request")
    if request is None or getattr(candidate, "departed_on", None) is None:
        return False
    return authority(request.user).may_write(candidate.org_id)
