"""Sending the new notifications through the gateway (fazhan.notify.gateway), once each."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fazhan.notify.gateway import Message, get_backend
from fazhan.notify.models import Notification

BATCH = 500


def deliver() -> int:
    """Send every notification not sent yet to the accounts with an address; returns how many
    were sent. Without a configured gateway nothing is sent and nothing is marked."""
    backend = get_backend()
    if backend is None:
        return 0
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update()
                .filter(sent_at__isnull=True)
                .exclude(user__email="")
                .select_related("user")
                .order_by("pk")[:BATCH]
            )
            if not rows:
                return sent
            # In the default language: the gateway knows no reader's choice.
            with override(settings.LANGUAGE_CODE):
                messages = [
                    Message(
                        user_id=n.user_id,
                        address=n.user.email,
                        subject=_("发展党员工作通知：%(kind)s") % {"kind": n.get_kind_display()},
                        body=n.text + (f"\n{n.url}" if n.url else ""),
                    )
                    for n in rows
                ]
            backend.send(messages)
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(sent_at=timezone.now())
            sent += len(rows)
