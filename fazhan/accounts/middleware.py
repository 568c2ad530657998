"""Enforce the change of a one-time password (docs/accounts.md).

An account whose password an administrator set (`must_change_password`) may, once signed in, open
only the change-password page and sign out; every other request is sent there. Once the one-time
password's validity has passed, the session is ended instead: an administrator must issue a new one.

Add after Django's AuthenticationMiddleware in settings.MIDDLEWARE:
    "fazhan.accounts.middleware.PasswordChangeRequiredMiddleware",
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            response = self._intercept(request, getattr(user, "one_time_password_until", None))
            if response is not None:
                return response
        return self.get_response(request)

    def _intercept(self, request: HttpRequest, until: datetime | None) -> HttpResponse | None:
        if until is not None and until < timezone.now():
            logout(request)
            return render(request, "accounts/expired.html", status=403)
        change = reverse("accounts:password_change")
        # The second factor comes first (SecondFactorRequiredMiddleware): whoever only knows the
        # one-time password cannot even choose a new one.
        allowed = (
            change,
            reverse("logout"),
            reverse("login"),
            reverse("accounts:otp_verify"),
            reverse("accounts:otp_setup"),
        )
        return _send_to(request, change, allowed)


class SecondFactorRequiredMiddleware:
    """After the password, the second factor (Step 8 item 3): an account that needs one and has
    not given it in this session may open only the pages that set it up or ask for it, sign out
    and switch the language. Needs django-otp's OTPMiddleware before it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from fazhan.accounts import twofactor

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not twofactor.is_verified(user)
            and twofactor.second_factor_required(user)
        ):
            response = self._intercept(request, twofactor.has_second_factor(user))
            if response is not None:
                return response
        return self.get_response(request)

    def _intercept(self, request: HttpRequest, enrolled: bool) -> HttpResponse | None:
        verify, setup = reverse("accounts:otp_verify"), reverse("accounts:otp_setup")
        allowed = (verify, setup, reverse("logout"), reverse("login"), "/i18n/setlang/")
        return _send_to(request, verify if enrolled else setup, allowed)


def _send_to(request: HttpRequest, page: str, allowed: tuple[str, ...]) -> HttpResponse | None:
    """Send the request to `page` (with `next`) unless it asks for one of `allowed` or a static
    file. htmx follows HX-Redirect with a full page load instead of swapping a fragment."""
    static = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None
    path = request.path_info
    if path in allowed or (static is not None and path.startswith(static)):
        return None
    target = f"{page}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
