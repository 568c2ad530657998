"""Marking one's own notifications read. Not chain events: reading a reminder is not a fact of
any file (DESIGN principle 1 records the work, not who looked at a list)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhan.core.errors import NotVisible
from fazhan.notify.models import Notification


def do_mark_read(user: Any, pk: int) -> Notification:
    """Mark one notification of `user` read; another account's is a 404 (NotVisible)."""
    with transaction.atomic():
        found = Notification.objects.of(user).select_for_update().filter(pk=pk).first()
        if found is None:
            raise NotVisible
        if found.read_at is None:
            found.read_at = timezone.now()
            found.save(update_fields=["read_at"])
        return found


def do_mark_all_read(user: Any) -> int:
    with transaction.atomic():
        return Notification.objects.of(user).unread().update(read_at=timezone.now())
