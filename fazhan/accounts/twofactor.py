"""The second factor (Step 8 item 3): TOTP with recovery codes, through django-otp.

Every role reaches personal data or administers, so every account with an active role signs in
with a second factor — except on the demo database (contracts §6: its accounts have none). A
password reset never touches the devices, so whoever resets a password cannot sign in as its owner;
removing a second factor is the security administrator's alone (`do_reset_second_factor`).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhan.accounts.actions import is_security_admin
from fazhan.accounts.models import Role
from fazhan.audit.chain import append_event
from fazhan.core.dates import today
from fazhan.core.errors import ActionRefused, NotVisible

if TYPE_CHECKING:
    from fazhan.accounts.models import User

    UserLike = Any

RECOVERY_CODES = 10
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def is_demo_database() -> bool:
    """The demo district's database asks for no second factor (contracts §6). The marker row
    lives in the web app, above this one: looked up by name, not imported."""
    installation = apps.get_model("web", "Installation")
    return bool(installation.objects.filter(demo=True).exists())


def second_factor_required(user: UserLike) -> bool:
    # FAZHAN_SECOND_FACTOR is for the test suite only (tests/conftest.py): production never sets it.
    if not getattr(settings, "FAZHAN_SECOND_FACTOR", True):
        return False
    if not user.is_authenticated or is_demo_database():
        return False
    return Role.objects.filter(user_id=user.pk, active=True).exists()


def has_second_factor(user: UserLike) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per account; a new one replaces it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app: base32 in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def do_enrol_second_factor(user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a first code; returns new recovery codes, shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise NotVisible()
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ActionRefused(_("验证码不正确，请核对手机上的时间后重新输入。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
        for code in codes:
            recovery.token_set.create(token=code)
        _log("factor_enrolled", user, user=user)
    return codes


def do_reset_second_factor(actor: UserLike, user: User) -> None:
    """三员分立: only the security administrator removes an account's second factor; the owner
    sets up a new one at the next sign-in."""
    if not is_security_admin(actor):
        raise NotVisible()
    if user.pk == actor.pk:
        raise ActionRefused(_("不能重置自己的第二验证因素，请由另一名安全保密管理员办理。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _log("factor_reset", actor, user=user)


def _log(what: str, actor: UserLike, *, user: User) -> None:
    append_event(
        kind=f"account.{what}",
        candidate_id=None,
        happened_on=today(),
        payload={"user_id": user.pk, "role_id": None, "org_id": None},
        recorded_by_id=actor.pk,
    )


def is_verified(user: UserLike) -> bool:
    """Whether this session gave the second factor (django-otp's OTPMiddleware adds the method)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False
