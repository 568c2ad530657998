"""The client's address, read the one way every limit needs it (the public pages' rate limits,
the sign-in lockout): the header the reverse proxy sets (settings.PUBLIC_CLIENT_IP_HEADER, e.g.
"HTTP_X_REAL_IP"), else the socket's address. Behind a proxy without that setting every client
shares the proxy's address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "PUBLIC_CLIENT_IP_HEADER", "")
    if header:
        forwarded = str(request.META.get(header, "")).split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR", ""))
