from __future__ import annotations

from django.http import HttpRequest

from fazhan.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required`: its user is a signed-in account (healthchecks' shape)."""

    user: User
