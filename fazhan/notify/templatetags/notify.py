"""The bell in the header: the account's unread notifications, one query."""

from __future__ import annotations

from typing import Any

from django import template

from fazhan.notify.models import Notification

register = template.Library()


@register.inclusion_tag("notify/_bell_link.html", takes_context=True)
def notify_bell(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": Notification.objects.of(user).unread().count()}
