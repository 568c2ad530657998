"""Static files through WhiteNoise, and the two limits on a signed-in session.

Add after Django's SecurityMiddleware and AuthenticationMiddleware respectively (settings.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

from fazhan.ops.logs import is_voting

# Set by `fazhan serve` for its workers: static files come from STATIC_ROOT, collected just before.
SERVE_ENV = "FAZHAN_SERVE"

SIGNED_IN_AT = "fazhan_signed_in_at"
SEEN_AT = "fazhan_seen_at"
# The last-seen time is written back at most once a minute, so that a busy user does not turn
# every page view into a session write (the idle limit is then exact to a minute).
SEEN_RESOLUTION = 60


class _Overlay:
    """Django's settings with a few values replaced, for WhiteNoise's constructor."""

    def __init__(self, base: Any, **values: Any) -> None:
        self._base, self._values = base, values

    def __getattr__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        return getattr(self._base, name)


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]  # untyped
    """WhiteNoise, serving STATIC_ROOT under `fazhan serve` (collected, with .gz copies) and
    straight from the apps' static folders otherwise (tests, runserver, `fazhan demo`), so that a
    stale or missing STATIC_ROOT never shadows the files being worked on."""

    def __init__(
        self, get_response: Callable[[HttpRequest], HttpResponse] | None = None, **_: Any
    ) -> None:
        serving = os.environ.get(SERVE_ENV) == "1" and Path(settings.STATIC_ROOT).is_dir()
        # Not serving: files are looked up when asked for (autorefresh) instead of scanned at start,
        # which every test client would otherwise pay.
        overlay = _Overlay(
            settings,
            STATIC_ROOT=settings.STATIC_ROOT if serving else None,
            WHITENOISE_USE_FINDERS=not serving,
            WHITENOISE_AUTOREFRESH=not serving,
        )
        super().__init__(get_response, settings=overlay)


class SessionLifetimeMiddleware:
    """End a session idle for SESSION_IDLE_SECONDS or older than SESSION_ABSOLUTE_SECONDS.

    Both are measured on the server's clock from times kept in the session itself; 0 disables a
    limit. The request then goes on as anonymous: a page that needs a login sends it to sign in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The voting page neither reads nor writes a session: a session saved there would date a
        # ballot (its expiry moves with every save) and set a cookie on the kiosk.
        if is_voting(request.path_info):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request: HttpRequest) -> None:
        idle = int(getattr(settings, "SESSION_IDLE_SECONDS", 0))
        absolute = int(getattr(settings, "SESSION_ABSOLUTE_SECONDS", 0))
        if not idle and not absolute:
            return  # both off: the session is not even written to
        now = int(time.time())
        session = request.session
        signed_in = int(session.get(SIGNED_IN_AT, now))
        seen = int(session.get(SEEN_AT, now))
        if (idle and now - seen > idle) or (absolute and now - signed_in > absolute):
            logout(request)  # flushes the session: a new, empty one replaces it
            return
        if SIGNED_IN_AT not in session:
            session[SIGNED_IN_AT] = now
        if SEEN_AT not in session or now - seen >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
