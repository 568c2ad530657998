"""A fixed-window rate limiter on the database, keyed so that nothing links a request to a client
once the day is over (background §C.5; Step 8 item 5).

`django-ratelimit` needs a cache with atomic increments shared by all workers (Redis, Memcached);
an offline intranet on the SQLite default has neither. So each (scope, client key, window) is a
row, incremented with one `UPDATE ... SET hits = hits + 1` (atomic on SQLite and PostgreSQL alike)
and read back in the same transaction.

The client key is HMAC-SHA256(SECRET_KEY, salt of the day + address). The salt is random, kept in
the database for its day only and deleted with that day's counters, so the address is never
written anywhere and, after the day, even whoever holds the keys cannot tell which counter was
whose. Feedback itself keeps only its date (fazhan.notices.models.Feedback.received_on), so a
counter's window does not point at one item either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from fazhan.lib.client import client_ip
from fazhan.public.models import DaySalt, RateCounter

DAY = 86_400


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


# Background §C.5: per client 5 valid items per 10 minutes and 20 per day; any POST (valid or not)
# 60 per 10 minutes per client, so that one client's flood only ever stops that client. Per notice
# 200 items a day: past it the notice is flooded and every sender answers a challenge, nobody is
# blocked. Receipt look-ups: guessing a 192-bit code is hopeless; the limit keeps the table quiet.
# The voting kiosk: a room shares one device, so only refused codes count (guessing codes).
FEEDBACK_BURST = Limit("feedback", 5, 600)
FEEDBACK_DAY = Limit("feedback-day", 20, DAY)
POST_BURST = Limit("post", 60, 600)
NOTICE_DAY = Limit("notice-day", 200, DAY)
RECEIPT_BURST = Limit("receipt", 30, 600)
VOTE_REFUSED = Limit("vote-refused", 20, 600)
CHALLENGE_USED = Limit("challenge", 1, DAY)
# A notice's own counter (NOTICE_DAY) is keyed by this prefix and the notice's id.
NOTICE_KEY_PREFIX = "notice:"


def _salt(day: date) -> str:
    """The day's random salt, made by the first request of the day; older days' salts go."""
    found = DaySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            DaySalt.objects.create(day=day, salt=secrets.token_hex(32))
    except IntegrityError:  # another worker made it first
        pass
    DaySalt.objects.filter(day__lt=day).delete()
    return DaySalt.objects.values_list("salt", flat=True).get(day=day)


def client_key(request: HttpRequest, now: float | None = None) -> str:
    moment = now if now is not None else time.time()
    salt = _salt(datetime.fromtimestamp(moment, UTC).date())
    message = f"{salt}|{client_ip(request)}".encode()
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _window(limit: Limit, now: float | None) -> tuple[int, int]:
    moment = int(now if now is not None else time.time())
    return moment, moment - moment % limit.seconds


def current_window(limit: Limit, now: float | None = None) -> int:
    """The start of the window `limit` counts in now (seconds since the epoch)."""
    return _window(limit, now)[1]


def exceeded(limit: Limit, key: str, now: float | None = None) -> bool:
    """Whether `key` has already used up `limit` in the current window (nothing is counted)."""
    _moment, window = _window(limit, now)
    rows = RateCounter.objects.filter(scope=limit.scope, key=key, window=window)
    return (rows.values_list("hits", flat=True).first() or 0) >= limit.count


def hit(limit: Limit, key: str, now: float | None = None) -> bool:
    """Count one request against `limit` for `key`; False once the window's count is exceeded."""
    moment, window = _window(limit, now)
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
    """Drop counters older than a day and salts of past days (also done on the fly)."""
    moment = int(now if now is not None else time.time())
    deleted, _ = RateCounter.objects.filter(window__lt=moment - DAY).delete()
    DaySalt.objects.filter(day__lt=datetime.fromtimestamp(moment, UTC).date()).delete()
    return deleted
