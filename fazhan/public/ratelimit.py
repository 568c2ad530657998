"""A fixed-window rate limiter on the database, keyed without IP addresses (background §C.5).

`django-ratelimit` needs a cache with atomic increments shared by all workers (Redis, Memcached);
an offline intranet on the SQLite default has neither. So each (scope, client key, window) is a
row, incremented with one `UPDATE ... SET hits = hits + 1` (atomic on SQLite and PostgreSQL alike)
and read back in the same transaction. The client key is HMAC-SHA256(SECRET_KEY, ip + day): the
address itself is never written anywhere, and yesterday's keys cannot be linked to today's.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from fazhan.public.models import RateCounter

DAY = 86_400


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


# Background §C.5's suggestion: per client 5 per 10 minutes and 20 per day; per notice 200 a day
# (a circuit breaker against a flood from many addresses). Receipt look-ups are cheap to allow
# but guessing a 192-bit code is hopeless anyway; the limit only keeps the table quiet.
FEEDBACK_BURST = Limit("feedback", 5, 600)
FEEDBACK_DAY = Limit("feedback-day", 20, DAY)
NOTICE_DAY = Limit("notice-day", 200, DAY)
RECEIPT_BURST = Limit("receipt", 30, 600)


def client_ip(request: HttpRequest) -> str:
    """The address the limit is keyed on; behind a reverse proxy name its header in
    settings.PUBLIC_CLIENT_IP_HEADER (e.g. "HTTP_X_REAL_IP"), else every client shares one key."""
    header = getattr(settings, "PUBLIC_CLIENT_IP_HEADER", "")
    if header:
        forwarded = str(request.META.get(header, "")).split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(request: HttpRequest, now: float | None = None) -> str:
    moment = now if now is not None else time.time()
    day = datetime.fromtimestamp(moment, UTC).date().isoformat()
    message = f"{client_ip(request)}|{day}".encode()
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()


def hit(limit: Limit, key: str, now: float | None = None) -> bool:
    """Count one request against `limit` for `key`; False once the window's count is exceeded."""
    moment = int(now if now is not None else time.time())
    window = moment - moment % limit.seconds
    rows = RateCounter.objects.filter(scope=limit.scope, key=key, window=window)
    with transaction.atomic():
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(scope=limit.scope, key=key, window=window, hits=1)
            except IntegrityError:  # another worker created it first
                rows.update(hits=F("hits") + 1)
            # A new window is the moment to forget windows that started more than a day ago.
            RateCounter.objects.filter(window__lt=moment - DAY).delete()
        hits = rows.values_list("hits", flat=True).first() or 0
    return hits <= limit.count


def purge(now: float | None = None) -> int:
    """Drop counters older than a day (also done on the fly); returns how many."""
    moment = int(now if now is not None else time.time())
    deleted, _ = RateCounter.objects.filter(window__lt=moment - DAY).delete()
    return deleted
