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
