"""The mobile picture's counts on shared pages (Issue 16 item 4): the report's figures and the
home page's block, both from `fazhan.mobility.picture.figures`."""

from __future__ import annotations

from typing import Any

from django import template

from fazhan.accounts.authority import authority
from fazhan.core import dates
from fazhan.mobility.models import AgreementType
from fazhan.mobility.picture import figures

register = template.Library()


@register.simple_tag
def mobile_kinds(counts: dict[str, Any]) -> list[tuple[str, int]]:
    """The files away by agreement kind, in the kinds' order, with their labels."""
    by_kind = counts.get("away_by_kind") or {}
    return [(str(label), int(by_kind.get(value, 0))) for value, label in AgreementType.choices]


@register.simple_tag(takes_context=True)
def mobility_home(context: template.Context) -> dict[str, Any] | None:
    """The home page's 流动人员 block: for district staff and party committees only (the year
    so far, as at today), scoped to the organizations the user reaches."""
    user = context["request"].user
    auth = authority(user)
    if not (auth.is_district_staff or auth.is_committee):
        return None
    scope = auth.reach
    day = dates.today()
    return figures(None if scope.everything else scope.org_ids, day, day.replace(month=1, day=1))
