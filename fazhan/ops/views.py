"""`/healthz`: for the load balancer, systemd and the operator's monitor. No login, no session,
no personal data: whether the database answers and how far the chain has grown."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fazhan.audit.chain import read_head


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        seq = read_head().seq
    except DatabaseError:
        return JsonResponse({"ok": False, "database": False}, status=503)
    return JsonResponse({"ok": True, "database": True, "seq": seq})
