"""Signing in as a department could trust it (Step 8 items 2 and 3): lockout after repeated
failures per account and per client, password rules, a second factor on every database but the
demo that a password reset never removes, and 三员分立 between the system administrator who
creates accounts and the security administrator who grants roles and resets second factors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhan.accounts import twofactor
from fazhan.accounts.actions import (
    AccountRefused,
    do_create_account,
    do_grant_role,
    do_reset_password,
    do_revoke_role,
    password_validators,
)
from fazhan.accounts.models import Role, RoleKind
from fazhan.audit.models import Event
from fazhan.core.errors import NotVisible
from fazhan.web.models import Installation

pytestmark = pytest.mark.django_db
PASSWORD = "fazhan-demo"


def sign_in(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def people(cast):
    for user in (cast.qu, cast.zhibu, cast.zhibu2, cast.admin, cast.baomi, cast.shenji):
        user.set_password(PASSWORD)
        user.save()
    return cast


def test_it_keeps_an_account_out_after_twenty_wrong_passwords_even_on_the_demo(people):
    Installation.objects.create(demo=True)
    client = Client()
    for _n in range(20):
        assert sign_in(client, "zhibu", "wrong-password").status_code in (200, 429)
    refused = sign_in(client, "zhibu")
    assert refused.status_code == 429 and "暂时锁定" in refused.content.decode()
    assert client.get("/").status_code == 302  # not signed in
    # The account is locked from another client too; another account from that client is not.
    assert sign_in(Client(), "zhibu", ip="10.0.0.2").status_code == 429
    assert sign_in(Client(), "zhibu2", ip="10.0.0.2").status_code == 302


def test_it_locks_a_client_guessing_across_accounts(people):
    client = Client()
    for username in ("qu", "zhibu", "zhibu2", "shenji", "admin"):
        sign_in(client, username, "wrong-password", ip="10.0.0.9")
    assert sign_in(client, "baomi", ip="10.0.0.9").status_code == 429
    assert sign_in(Client(), "baomi", ip="10.0.0.10").status_code == 302


@pytest.mark.parametrize(
    ("username", "password"),
    [("zhibu2", "zhibu2zhibu2"), ("zhibu2", "ZHIBU2-2026!"), ("dangwei", "dangwei123")],
)
def test_it_refuses_a_password_made_of_the_user_name(people, username, password):
    user = people.zhibu2 if username == "zhibu2" else people.dangwei
    problems = []
    for validator in password_validators():
        try:
            validator.validate(password, user)
        except Exception as error:
            problems.append(str(error))
    assert problems


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.second_factor
def test_it_asks_for_a_second_factor_and_keeps_it_across_a_password_reset(people, settings):
    # django-otp slows down a device after a wrong code (1 s, 2 s, 4 s…); the test does not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client = Client()
    assert sign_in(client, "zhibu").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.get(f"/candidates/{people.candidates['cand_a'].pk}/").status_code == 302
    page = client.get(reverse("accounts:otp_setup"))
    assert "身份验证器" in page.content.decode() and "data:image/png" in page.content.decode()
    device = TOTPDevice.objects.get(user=people.zhibu, confirmed=False)
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert wrong.status_code == 422
    done = client.post(reverse("accounts:otp_setup"), {"token": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and client.get("/").status_code == 200
    assert Event.objects.filter(kind="account.factor_enrolled").count() == 1
    # The system administrator resets the password: the second factor stays, so the person who
    # knows the one-time password still cannot get in.
    password = do_reset_password(people.admin, people.zhibu)
    assert TOTPDevice.objects.filter(user=people.zhibu, confirmed=True).exists()
    intruder = Client()
    assert sign_in(intruder, "zhibu", password).status_code == 302
    blocked = intruder.get("/")
    assert blocked["Location"].startswith(reverse("accounts:otp_verify"))
    assert intruder.get(reverse("accounts:otp_setup")).status_code == 302  # no second enrolment
    assert intruder.post(reverse("accounts:otp_verify"), {"token": "123456"}).status_code == 422
    # The owner uses a recovery code: once.
    owner = Client()
    sign_in(owner, "zhibu", password)
    assert owner.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    again = Client()
    sign_in(again, "zhibu", password)
    assert again.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 422


@pytest.mark.second_factor
def test_the_demo_database_asks_for_no_second_factor(people):
    Installation.objects.create(demo=True)
    client = Client()
    sign_in(client, "zhibu")
    assert client.get("/").status_code == 200


@pytest.mark.second_factor
def test_only_the_security_administrator_resets_a_second_factor(people):
    TOTPDevice.objects.create(user=people.zhibu, name="x", confirmed=True)
    StaticDevice.objects.create(user=people.zhibu, name="y", confirmed=True)
    for actor in (people.admin, people.qu, people.shenji):
        with pytest.raises(NotVisible):
            twofactor.do_reset_second_factor(actor, people.zhibu)
    twofactor.do_reset_second_factor(people.baomi, people.zhibu)
    assert not TOTPDevice.objects.filter(user=people.zhibu).exists()
    assert not StaticDevice.objects.filter(user=people.zhibu).exists()
    event = Event.objects.get(kind="account.factor_reset")
    assert event.recorded_by_id == people.baomi.pk and event.payload["user_id"] == people.zhibu.pk


def test_the_reset_page_is_the_security_administrators_alone(people):
    url = reverse("accounts:reset_factor", args=[people.zhibu.pk])
    for actor in (people.admin, people.qu, people.shenji, people.zhibu):
        client = Client()
        client.force_login(actor)
        assert client.post(url).status_code == 404
        assert client.get(reverse("accounts:security")).status_code == 404
    client = Client()
    client.force_login(people.baomi)
    assert client.post(url).status_code == 302


def test_creating_an_account_and_granting_its_data_access_are_two_peoples_acts(people):
    user, _password = do_create_account(
        people.admin,
        username="xinren",
        display_name="新任",
        kind=RoleKind.DISTRICT_STAFF,
        org=people.district,
    )
    role = Role.objects.get(user=user)
    assert not role.active and role.ended_on is None  # asked for, not granted
    user.must_change_password = False  # as after the first sign-in
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get(f"/candidates/{people.candidates['cand_a'].pk}/").status_code == 404
    with pytest.raises(Exception):  # noqa: B017 (Http404: the sysadmin cannot grant)
        do_grant_role(people.admin, role)
    do_grant_role(people.baomi, role)
    role.refresh_from_db()
    assert role.active
    assert client.get(f"/candidates/{people.candidates['cand_a'].pk}/").status_code == 200
    with pytest.raises(AccountRefused):
        do_grant_role(people.baomi, role)
    do_revoke_role(people.baomi, role)
    role.refresh_from_db()
    assert not role.active and role.ended_on is not None
    kinds = list(Event.objects.filter(kind__startswith="account.").values_list("kind", flat=True))
    assert kinds == ["account.created", "account.role_granted", "account.role_revoked"]


def test_the_security_administrator_sees_no_record(people):
    client = Client()
    client.force_login(people.baomi)
    assert client.get("/").status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
    assert client.get(f"/candidates/{people.candidates['cand_a'].pk}/").status_code == 404
    listing = client.get("/candidates/").content.decode()
    assert not [c for c in people.candidates.values() if c.person.name in listing]


def test_the_auditor_reads_every_sign_in_and_account_change(people):
    sign_in(Client(), "zhibu", "wrong-password", ip="10.0.0.5")
    sign_in(Client(), "zhibu")
    do_reset_password(people.admin, people.zhibu2)
    client = Client()
    client.force_login(people.shenji)
    page = client.get(reverse("accounts:access_log")).content.decode()
    assert "password_reset" in page or "reset" in page
    assert "zhibu" in page and "10.0.0.5" in page
    filtered = client.get(reverse("accounts:access_log"), {"who": "zhibu2"}).content.decode()
    assert "10.0.0.5" not in filtered
    for outsider in (people.zhibu, people.qu, people.admin):
        other = Client()
        other.force_login(outsider)
        assert other.get(reverse("accounts:access_log")).status_code == 404
