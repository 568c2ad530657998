"""Looking up one event's content rows and scans on the candidate page (fazhan.web.content)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def of_event(mapping: Mapping[int, Any] | None, seq: int) -> Any:
    return (mapping or {}).get(seq, [])
