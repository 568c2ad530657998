"""The second factor's pages, the security administrator's page and the auditor's access log
(Step 8 items 2 and 3; docs/accounts.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import segno
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhan.accounts import twofactor
from fazhan.accounts.actions import (
    AccountRefused,
    do_grant_role,
    do_revoke_role,
    is_security_admin,
    pending_roles,
)
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.scope import is_read_only
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused

ACCOUNT_EVENTS = "account."


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()})
    return target if safe else "/"


@login_required
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: a key shown as text and as a QR code, confirmed by a code."""
    if not twofactor.second_factor_required(request.user):
        return redirect("home")
    if twofactor.has_second_factor(request.user) and not twofactor.is_verified(request.user):
        return redirect("accounts:otp_verify")
    device = twofactor.pending_device(request.user)
    error = ""
    if request.method == "POST":
        try:
            codes = twofactor.do_enrol_second_factor(
                request.user, device, request.POST.get("token", "")
            )
        except ActionRefused as refused:
            error = str(refused)
        else:
            otp_login(request, device)
            response = render(
                request, "accounts/otp_recovery.html", {"codes": codes, "next": _next(request)}
            )
            response["Cache-Control"] = "no-store"
            return response
    response = render(
        request,
        "accounts/otp_setup.html",
        {
            "secret": twofactor.secret_text(device),
            # A data: URI (no file written, no outside service); the key never leaves the page.
            "qr": segno.make(device.config_url, error="m").png_data_uri(scale=5),
            "error": error,
            "next": _next(request),
        },
        status=422 if error else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code from the authenticator app, or one of the recovery codes (each works once)."""
    if twofactor.is_verified(request.user) or not twofactor.second_factor_required(request.user):
        return redirect(_next(request))
    if not twofactor.has_second_factor(request.user):
        return redirect("accounts:otp_setup")
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")
        device = match_token(request.user, token) if token else None
        if device is None:
            error = _("验证码不正确或已使用过，请重新输入。")
        else:
            otp_login(request, device)
            return redirect(_next(request))
    return render(
        request,
        "accounts/otp_verify.html",
        {"error": error, "next": _next(request)},
        status=422 if error else 200,
    )


def _require_security_admin(request: HttpRequest) -> None:
    if not is_security_admin(request.user):
        raise Http404


@login_required
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The security administrator's page: roles waiting to be granted, every account's roles and
    second factor, with grant, revoke and reset."""
    _require_security_admin(request)
    query = request.GET.get("q", "").strip()
    accounts = User.objects.order_by("username").prefetch_related("roles__org")
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    enrolled = set(
        TOTPDevice.objects.filter(confirmed=True, user_id__in=[u.pk for u in page]).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "accounts/security.html",
        {"pending": pending_roles(), "page": page, "enrolled": enrolled, "q": query},
    )


def _on_role(
    request: AuthenticatedHttpRequest, role_pk: int, act: Callable[..., Role], done: str
) -> HttpResponse:
    _require_security_admin(request)
    role = get_object_or_404(Role, pk=role_pk)
    try:
        act(request.user, role)
    except AccountRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("accounts:security")


@login_required
@require_POST
def grant_role(request: AuthenticatedHttpRequest, role_pk: int) -> HttpResponse:
    return _on_role(request, role_pk, do_grant_role, _("已授予角色。"))


@login_required
@require_POST
def revoke_role(request: AuthenticatedHttpRequest, role_pk: int) -> HttpResponse:
    return _on_role(request, role_pk, do_revoke_role, _("已撤销角色。"))


@login_required
@require_POST
def reset_factor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_security_admin(request)
    account = get_object_or_404(User, pk=pk)
    try:
        twofactor.do_reset_second_factor(request.user, account)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("已重置 %(name)s 的第二验证因素：下次登录时须重新设置。") % {"name": account}
        )
    return redirect("accounts:security")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@login_required
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The auditor's view of every administrative and access event: account, role, password and
    second-factor changes (chain events `account.*`), sign-ins, failed sign-ins and lockouts;
    filterable by account and date. Read-only, like everything the auditor sees."""
    if not (is_read_only(request.user) or is_security_admin(request.user)):
        raise Http404
    who = request.GET.get("who", "").strip()
    since, until = _day(request.GET.get("from", "")), _day(request.GET.get("to", ""))
    kind = request.GET.get("kind", "")
    changes = Event.objects.filter(kind__startswith=ACCOUNT_EVENTS).order_by("-seq")
    signins = AccessLog.objects.order_by("-attempt_time")
    failures = AccessFailureLog.objects.order_by("-attempt_time")
    if kind:
        changes = changes.filter(kind=f"{ACCOUNT_EVENTS}{kind}")
    if who:
        ids = list(User.objects.filter(username__icontains=who).values_list("pk", flat=True))
        changes = changes.filter(Q(recorded_by_id__in=ids) | Q(payload__user_id__in=ids))
        signins = signins.filter(username__icontains=who)
        failures = failures.filter(username__icontains=who)
    if since:
        changes = changes.filter(happened_on__gte=since)
        signins = signins.filter(attempt_time__date__gte=since)
        failures = failures.filter(attempt_time__date__gte=since)
    if until:
        changes = changes.filter(happened_on__lte=until)
        signins = signins.filter(attempt_time__date__lte=until)
        failures = failures.filter(attempt_time__date__lte=until)
    names = dict(User.objects.values_list("pk", "username"))
    rows: list[dict[str, Any]] = [
        {
            "seq": e.seq,
            "day": e.happened_on,
            "kind": e.kind.removeprefix(ACCOUNT_EVENTS),
            "actor": names.get(e.recorded_by_id or 0, _("运维人员（命令行）")),
            "account": names.get(int(e.payload.get("user_id") or 0), ""),
        }
        for e in changes[:200]
    ]
    return render(
        request,
        "accounts/access_log.html",
        {
            "changes": rows,
            "signins": signins[:200],
            "failures": failures[:200],
            "locked": AccessAttempt.objects.order_by("-attempt_time")[:100],
            "who": who,
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "kind": kind,
            "kinds": sorted(
                {
                    k.removeprefix(ACCOUNT_EVENTS)
                    for k in Event.objects.filter(kind__startswith=ACCOUNT_EVENTS)
                    .values_list("kind", flat=True)
                    .distinct()
                }
            ),
            "role_kinds": RoleKind,
        },
    )
