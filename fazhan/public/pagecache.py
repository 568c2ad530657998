"""The public notice page, rendered once per (notice, version, language) and kept per worker.

The notice page is what the public loads (issue 11: many clients at once on two cores). Rendering
it costs about ten times the rest of the request, so the page is kept in Django's cache
(`CACHES["public"]`, local memory of each worker: never on disk, never shared) and reused until
anything in the record changes:

- The version is the chain head's seq. Every change that can alter what the page shows (the
  notice published, cancelled or edited, an entry removed, a candidate's record corrected, a
  person's data changed, feedback received) is a `do_` function that appends a chain event in the
  same transaction, which moves the head. A kept page is therefore never newer than its key and
  is dropped (left to expire) as soon as the head moves.
- Whether the notice is open, and whether it is flooded (`ratelimit.NOTICE_DAY`, a challenge on the
  form), is read on EVERY request, in the same single query as the head: a cancelled or ended
  notice is a 404 at once, and a flooded notice's page (a new question each time) is never kept.
- Nothing of the visitor is kept: the CSRF token and the signed form token are placeholders in the
  kept page, filled in per request; a request with a query string is rendered, not kept (the
  language form carries the requested address back).
- A kept page also expires after `CACHES["public"]["TIMEOUT"]` seconds whatever happens, a bound
  for any change that would not go through the chain.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

from fazhan.audit.models import ChainHead
from fazhan.notices.disclosure import leaks
from fazhan.notices.models import Notice, NoticeStatus
from fazhan.public import ratelimit
from fazhan.public.forms import form_token
from fazhan.public.models import RateCounter

CACHE_ALIAS = "public"
# What a kept page holds in place of the per-request tokens (letters only: no escaping changes
# them, and neither can occur in a notice's text by chance in this exact form).
CSRF_PLACEHOLDER = "fazhanCsrfTokenPlaceholder"
FORM_PLACEHOLDER = "fazhanFormTokenPlaceholder"


@dataclass(frozen=True, slots=True)
class NoticeState:
    """What a request needs to know before it may use a kept page."""

    notice_id: int
    head_seq: int
    flooded: bool


def _state_sql() -> str:
    q = connection.ops.quote_name
    notice, head, counter = (
        Notice._meta.db_table,
        ChainHead._meta.db_table,
        RateCounter._meta.db_table,
    )
    # One query: the notice if it is open today, the chain head, and the notice's counter of the
    # day. Plain SQL (portable to SQLite and PostgreSQL): the ORM would cost more than the rest.
    return (
        f"SELECT n.{q('id')}, h.{q('seq')}, c.{q('hits')} FROM {q(notice)} n"
        f" LEFT JOIN {q(head)} h ON h.{q('id')} = 1"
        f" LEFT JOIN {q(counter)} c ON c.{q('scope')} = %s"
        f" AND c.{q('key')} = %s || CAST(n.{q('id')} AS TEXT) AND c.{q('window')} = %s"
        f" WHERE n.{q('token')} = %s AND n.{q('status')} = %s"
        f" AND n.{q('first_day')} <= %s AND n.{q('end')} >= %s"
    )


def open_notice_state(token: str, today: date) -> NoticeState | None:
    """The notice's state if it is open on `today` (published, first day ≤ today ≤ end), else
    None."""
    limit = ratelimit.NOTICE_DAY
    params: list[str | int | date] = [
        limit.scope,
        ratelimit.NOTICE_KEY_PREFIX,
        ratelimit.current_window(limit),
        token,
        NoticeStatus.PUBLISHED.value,
        today,
        today,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    notice_id, seq, hits = row
    return NoticeState(int(notice_id), int(seq or 0), int(hits or 0) >= limit.count)


def page_key(token: str, head_seq: int, language: str) -> str:
    return f"notice-page:{token}:{head_seq}:{language}"


def kept_page(key: str) -> str | None:
    page = caches[CACHE_ALIAS].get(key)
    return page if isinstance(page, str) else None


def keep_page(key: str, page: str) -> None:
    caches[CACHE_ALIAS].set(key, page)


class CheckedPage(HttpResponse):
    """A kept page filled with this request's tokens: the page was checked for ID numbers when it
    was kept and the tokens here, so the public pages' last check (`leaks` over the whole body,
    the costliest step left) need not run again."""


def filled(page: str, request: HttpRequest, token: str) -> CheckedPage | None:
    """A kept page with this request's CSRF token (which also sets its cookie) and a fresh signed
    form token; None in the (astronomically unlikely) case a token looks like an ID number."""
    csrf, form = csrf_token(request), shared_form_token(token)
    if leaks(csrf) or leaks(form):
        return None
    return CheckedPage(page.replace(CSRF_PLACEHOLDER, csrf).replace(FORM_PLACEHOLDER, form))


# A signed form token says "a form of this notice, issued at" and is the same for every visitor in
# the same second; reused for up to a minute, it costs a signature a minute instead of a request
# (it is accepted for FORM_MAX_AGE, two hours, after it was issued).
FORM_TOKEN_REUSE_SECONDS = 60
_form_tokens: dict[str, tuple[float, str]] = {}


def shared_form_token(notice_token: str) -> str:
    """The signed form token of a notice, the same for every visitor for up to a minute."""
    now = time.time()  # the signature's clock (a test travelling in time moves both)
    issued = _form_tokens.get(notice_token)
    if issued is None or not 0 <= now - issued[0] < FORM_TOKEN_REUSE_SECONDS:
        if len(_form_tokens) > 1000:  # notices come and go: forget them all now and then
            _form_tokens.clear()
        issued = (now, form_token(notice_token))
        _form_tokens[notice_token] = issued
    return issued[1]


_CHAR_INDEX = {c: i for i, c in enumerate(CSRF_ALLOWED_CHARS)}
_CHARS = frozenset(CSRF_ALLOWED_CHARS)


def _random_chars(length: int) -> str:
    """`length` characters drawn uniformly from CSRF_ALLOWED_CHARS with the OS's CSPRNG."""
    base = len(CSRF_ALLOWED_CHARS)
    below = 256 - 256 % base  # bytes at or above it would favour the first characters
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(
            CSRF_ALLOWED_CHARS[b % base] for b in secrets.token_bytes(length * 2) if b < below
        )
    return "".join(chars[:length])


def csrf_token(request: HttpRequest) -> str:
    """Django's `get_token`, the same token and the same cookie, for a fraction of its cost.

    Django draws each of the 64 characters of a new secret and of its mask with a separate call to
    the OS's random source (about 0.7 ms, most of a kept page's request when the visitor has no
    cookie yet); here both come from one call. The masking is Django's (csrf._mask_cipher_secret):
    CsrfViewMiddleware unmasks and checks it as any other token.
    """
    if getattr(settings, "CSRF_USE_SESSIONS", False):
        return get_token(request)
    secret = request.META.get("CSRF_COOKIE")
    if not (isinstance(secret, str) and valid_secret(secret)):
        secret = new_secret()
        request.META["CSRF_COOKIE"] = secret
    # As get_token: the cookie is sent (again), which renews its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)


def valid_secret(secret: str) -> bool:
    """A CSRF cookie's value as Django keeps it: 32 of its allowed characters."""
    return len(secret) == CSRF_SECRET_LENGTH and set(secret) <= _CHARS


def new_secret() -> str:
    return _random_chars(CSRF_SECRET_LENGTH)


def masked(secret: str) -> str:
    """The form's token for a CSRF secret, masked afresh (Django's csrf._mask_cipher_secret)."""
    mask = _random_chars(CSRF_SECRET_LENGTH)
    chars, base, index = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS), _CHAR_INDEX
    cipher = "".join(chars[(index[s] + index[m]) % base] for s, m in zip(secret, mask, strict=True))
    return mask + cipher
