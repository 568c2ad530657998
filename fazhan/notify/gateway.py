"""The optional e-mail or SMS gateway, behind one interface (issue 14 item 6).

`FAZHAN_NOTIFY_BACKEND` (settings, or the environment variable of the same name) names a class
with `send(messages) -> int`; empty (the default) sends nothing and the bell is the only channel.
Shipped backends:
- `fazhan.notify.gateway.ConsoleBackend`: prints each message (development);
- `fazhan.notify.gateway.LocmemBackend`: keeps them in `LocmemBackend.outbox` (tests);
- `fazhan.notify.gateway.EmailBackend`: Django's e-mail (EMAIL_BACKEND, EMAIL_HOST...) to the
  account's address.
An SMS provider is one more class with the same `send`. No message carries an ID number; the
text is the notification's line and the address of the system, never personal data beyond the name
the line already shows to that account.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, TextIO

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Message:
    user_id: int
    address: str  # an e-mail address or a telephone number, as the backend needs
    subject: str
    body: str


class Backend(Protocol):
    def send(self, messages: Sequence[Message]) -> int:
        """Send the messages; returns how many were sent."""
        ...


class ConsoleBackend:
    """Prints every message (development): nothing leaves the machine."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, messages: Sequence[Message]) -> int:
        for m in messages:
            self.stream.write(f"[通知] {m.address or '-'} · {m.subject}\n{m.body}\n")
        return len(messages)


class LocmemBackend:
    """Keeps the messages in memory (tests): `LocmemBackend.outbox`."""

    outbox: ClassVar[list[Message]] = []

    def send(self, messages: Sequence[Message]) -> int:
        LocmemBackend.outbox.extend(messages)
        return len(messages)


class EmailBackend:
    """Django's e-mail: EMAIL_BACKEND decides the transport (locmem in tests)."""

    def send(self, messages: Sequence[Message]) -> int:
        sent = 0
        for m in messages:
            if m.address:
                sent += send_mail(m.subject, m.body, None, [m.address], fail_silently=False)
        return sent


def get_backend() -> Backend | None:
    """The configured backend, or None when no gateway is configured."""
    path = str(getattr(settings, "FAZHAN_NOTIFY_BACKEND", "") or "")
    if not path:
        return None
    backend: Backend = import_string(path)()
    return backend
