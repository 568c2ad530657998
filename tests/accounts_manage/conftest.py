from __future__ import annotations

import pytest

MIDDLEWARE = "fazhan.accounts.middleware.PasswordChangeRequiredMiddleware"


@pytest.fixture(autouse=True)
def _password_change_middleware(settings):
    """Until settings.MIDDLEWARE carries it, install the middleware right after authentication."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        stack = list(settings.MIDDLEWARE)
        stack.insert(
            stack.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE
        )
        settings.MIDDLEWARE = stack


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
