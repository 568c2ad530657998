"""The management pages: who reaches them (404 for everyone else), preview-then-confirm, passwords
shown once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhan.accounts.models import Role, User
from fazhan.audit.models import Event
from tests.accounts_manage.conftest import csv_bytes

pytestmark = pytest.mark.django_db

MANAGERS = {"admin", "qu"}
OTHERS = {"dangwei", "zhibu", "zhibu2", "shenji", "outsider"}


def pages(cast) -> list[str]:
    return [
        "/accounts/manage/",
        f"/accounts/manage/{cast.zhibu.pk}/",
        "/accounts/manage/roster/",
        "/accounts/manage/roster/template.csv",
        "/accounts/manage/branches/",
        f"/accounts/manage/branches/{cast.branch_a.pk}/hand-over/",
    ]


@pytest.mark.parametrize("who", sorted(MANAGERS | OTHERS))
def test_it_opens_the_management_pages_to_managers_only(client, cast, who):
    client.force_login(cast.users[who])
    expected = 200 if who in MANAGERS else 404
    for url in pages(cast):
        assert client.get(url).status_code == expected, (who, url)
    for action in ("reset-password", "deactivate", "reactivate"):
        response = client.post(f"/accounts/manage/{cast.zhibu2.pk}/{action}/")
        assert response.status_code in ((200, 302, 400) if who in MANAGERS else (404,)), (
            who,
            action,
        )
    # Everyone changes their own password.
    assert client.get("/accounts/manage/password/").status_code == 200


def test_it_sends_an_anonymous_visitor_to_sign_in(client, cast):
    for url in [*pages(cast), "/accounts/manage/password/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_lists_every_account_to_the_sysadmin_without_candidates(client, cast):
    client.force_login(cast.admin)
    body = client.get("/accounts/manage/").content.decode()
    for user in cast.users.values():
        assert user.username in body
    for candidate in cast.candidates.values():
        assert candidate.person.name not in body
    body = client.get(f"/accounts/manage/{cast.zhibu.pk}/").content.decode()
    for candidate in cast.candidates.values():
        assert candidate.person.name not in body


def test_it_lists_the_subtree_accounts_to_district_staff(client, cast):
    client.force_login(cast.qu)
    body = client.get("/accounts/manage/").content.decode()
    for name in ("zhibu", "zhibu2", "dangwei"):
        assert f">{name}<" in body
    for name in ("shenji", "admin", "outsider"):
        assert f">{name}<" not in body
    assert client.get(f"/accounts/manage/{cast.shenji.pk}/").status_code == 404
    assert client.post(f"/accounts/manage/{cast.shenji.pk}/reset-password/").status_code == 404


def upload(client, data: bytes, name: str = "roster.csv"):
    return client.post("/accounts/manage/roster/", {"file": SimpleUploadedFile(name, data)})


def test_it_previews_a_roster_with_a_bad_row_and_creates_nothing(client, cast):
    client.force_login(cast.qu)
    before = User.objects.count()
    response = upload(
        client,
        csv_bytes(
            "支部,姓名,用户名,手机",
            "D-A-2,张三,,13800000000",
            "没有这个支部,李四,,",
            "D-B-2,王五,,",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 3 行" in body and "找不到“没有这个支部”" in body
    assert "确认创建" not in body
    assert "13800000000" not in body
    assert User.objects.count() == before


def test_it_creates_the_accounts_after_the_preview_and_shows_the_passwords_once(client, cast):
    client.force_login(cast.admin)
    response = upload(
        client, csv_bytes("支部,姓名,用户名", "D-A-2,张三,", "乌江镇属企业党支部,李四,lisi")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "zhangsan" in body and "确认创建 2 个账号" in body
    assert not User.objects.filter(username__in=["zhangsan", "lisi"]).exists()  # preview only
    token = response.context["confirm"].initial["token"]

    response = client.post("/accounts/manage/roster/", {"token": token})
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    created = {a["user"].username: a["password"] for a in response.context["accounts"]}
    assert set(created) == {"zhangsan", "lisi"}
    assert all(p in response.content.decode() for p in created.values())
    assert Role.objects.get(user__username="lisi").org == cast.branch_b2
    # Confirming the same preview again creates nothing more.
    again = client.post("/accounts/manage/roster/", {"token": token})
    assert again.status_code == 400
    assert User.objects.filter(username__startswith="zhangsan").count() == 1
    # The passwords are on no other page.
    for user in User.objects.filter(username__in=created):
        body = client.get(f"/accounts/manage/{user.pk}/").content.decode()
        assert created[user.username] not in body


def test_it_refuses_a_forged_or_foreign_preview(client, cast):
    client.force_login(cast.admin)
    response = upload(client, csv_bytes("支部,姓名", "D-A-2,张三"))
    token = response.context["confirm"].initial["token"]
    client.force_login(cast.qu)
    assert client.post("/accounts/manage/roster/", {"token": token}).status_code == 400
    assert client.post("/accounts/manage/roster/", {"token": token + "x"}).status_code == 400
    assert not User.objects.filter(username="zhangsan").exists()


def test_it_shows_a_reset_password_once(client, cast):
    client.force_login(cast.admin)
    response = client.post(f"/accounts/manage/{cast.zhibu.pk}/reset-password/")
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert password not in client.get(f"/accounts/manage/{cast.zhibu.pk}/").content.decode()
    assert client.get(f"/accounts/manage/{cast.zhibu.pk}/reset-password/").status_code == 405


def test_it_explains_a_refusal_on_the_account_page(client, cast):
    client.force_login(cast.qu)
    response = client.post(f"/accounts/manage/{cast.dangwei.pk}/deactivate/")
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()
    cast.dangwei.refresh_from_db()
    assert cast.dangwei.is_active


def test_it_deactivates_and_reactivates_from_the_account_page(client, cast):
    client.force_login(cast.qu)
    assert client.post(f"/accounts/manage/{cast.zhibu.pk}/deactivate/").status_code == 302
    cast.zhibu.refresh_from_db()
    assert not cast.zhibu.is_active
    body = client.get(f"/accounts/manage/{cast.zhibu.pk}/").content.decode()
    assert "停用" in body and "启用账号" in body
    assert client.post(f"/accounts/manage/{cast.zhibu.pk}/reactivate/").status_code == 302
    cast.zhibu.refresh_from_db()
    assert cast.zhibu.is_active


def test_it_hands_over_from_the_branch_page(client, cast):
    client.force_login(cast.qu)
    url = f"/accounts/manage/branches/{cast.branch_a.pk}/hand-over/"
    assert "城关社区第一党支部书记" in client.get(url).content.decode()
    response = client.post(url, {"successor": "new", "new_name": "新书记", "new_username": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "交接完成" in body and response.context["handover"].password in body
    assert not Role.objects.get(user=cast.zhibu, org=cast.branch_a).active
    # The old account's page keeps its history, under its old name.
    body = client.get(f"/accounts/manage/{cast.zhibu.pk}/").content.decode()
    assert "城关社区第一党支部书记" in body and "交出支部" in body


def test_it_reports_handover_form_errors(client, cast):
    client.force_login(cast.qu)
    url = f"/accounts/manage/branches/{cast.branch_a.pk}/hand-over/"
    assert client.post(url, {"successor": "new", "new_name": ""}).status_code == 400
    response = client.post(url, {"successor": "existing", "existing_username": "shenji"})
    assert response.status_code == 400 and "找不到该账号" in response.content.decode()
    response = client.post(url, {"successor": "new", "new_name": "甲", "new_username": "zhibu2"})
    assert response.status_code == 400 and "已被其他账号使用" in response.content.decode()
    assert not Event.objects.exists()
    assert client.get(f"/accounts/manage/branches/{cast.sub_a.pk}/hand-over/").status_code == 404


def test_it_lists_branches_and_the_vacant_ones(client, cast):
    client.force_login(cast.qu)
    body = client.get("/accounts/manage/branches/").content.decode()
    assert cast.branch_a.name in body and cast.branch_b2.name in body
    body = client.get("/accounts/manage/branches/?show=vacant").content.decode()
    assert cast.branch_a.name not in body and cast.branch_b2.name in body


def test_it_changes_ones_own_password_and_explains_a_bad_one(client, cast):
    cast.shenji.set_password("old-password-1")
    cast.shenji.save()
    client.force_login(cast.shenji)
    response = client.post(
        "/accounts/manage/password/",
        {
            "old_password": "wrong",
            "new_password1": "Hongqi-mima-2026",
            "new_password2": "Hongqi-mima-2026",
        },
    )
    assert response.status_code == 400 and "原密码不正确" in response.content.decode()
    response = client.post(
        "/accounts/manage/password/",
        {
            "old_password": "old-password-1",
            "new_password1": "Hongqi-mima-2026",
            "new_password2": "other-mima-2026",
        },
    )
    assert response.status_code == 400 and "不一致" in response.content.decode()
    response = client.post(
        "/accounts/manage/password/",
        {
            "old_password": "old-password-1",
            "new_password1": "Hongqi-mima-2026",
            "new_password2": "Hongqi-mima-2026",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
