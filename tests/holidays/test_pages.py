"""The holiday pages: everyone reads, district staff enter and confirm (others get 403)."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.audit.models import Event
from fazhan.holidays.models import HolidayYear
from fazhan.holidays.table import current_table, is_provisional

pytestmark = pytest.mark.django_db

TEXT_2027 = "2027-01-01 元旦\n2027-02-20 春节调休上班\n"


@pytest.mark.parametrize("who", ["qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin", "outsider"])
def test_it_shows_the_years_to_every_signed_in_user(client, cast, who):
    client.force_login(cast.users[who])
    response = client.get("/holidays/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2014" in body and "2027" in body and "2028" not in body
    assert "随系统提供" in body and "未录入" in body
    assert client.get("/holidays/2027/").status_code == 200
    assert client.get("/holidays/2026/").status_code == 200
    assert client.get("/holidays/2028/").status_code == 404


def test_it_sends_an_anonymous_visitor_to_sign_in(client, cast):
    assert client.get("/holidays/").status_code == 302


@pytest.mark.parametrize("who", ["dangwei", "zhibu", "shenji", "admin", "outsider"])
def test_it_refuses_entry_and_confirmation_to_anyone_but_district_staff(client, cast, who):
    client.force_login(cast.users[who])
    assert "<textarea" not in client.get("/holidays/2027/").content.decode()
    assert client.post("/holidays/2027/", {"days": TEXT_2027}).status_code == 403
    client.force_login(cast.qu)
    client.post("/holidays/2027/", {"days": TEXT_2027})
    client.force_login(cast.users[who])
    assert client.post("/holidays/2027/confirm/", {"checked": "on"}).status_code == 403
    assert not HolidayYear.objects.get(year=2027).confirmed


def test_it_enters_and_confirms_a_year_from_the_page(client, cast):
    client.force_login(cast.qu)
    body = client.get("/holidays/2027/").content.decode()
    assert "<textarea" in body and "暂定" in body
    response = client.post(
        "/holidays/2027/", {"days": TEXT_2027, "source": "国办发明电〔2026〕X号"}
    )
    assert response.status_code == 302
    body = client.get("/holidays/2027/").content.decode()
    assert "已录入，待确认" in body and "请核对通知" in body and "国办发明电〔2026〕X号" in body
    assert is_provisional(date(2027, 3, 1))

    response = client.post("/holidays/2027/confirm/", {})
    assert response.status_code == 400  # the box saying it was checked against the notice
    response = client.post("/holidays/2027/confirm/", {"checked": "on"})
    assert response.status_code == 302
    assert not is_provisional(date(2027, 3, 1))
    assert current_table().is_workday(date(2027, 2, 20))
    body = client.get("/holidays/").content.decode()
    assert "已确认" in body
    assert [e.kind for e in Event.objects.order_by("seq")] == [
        "holidays.year_set",
        "holidays.year_confirmed",
    ]


def test_it_names_the_bad_lines_and_stores_nothing(client, cast):
    client.force_login(cast.qu)
    response = client.post(
        "/holidays/2027/", {"days": "2027-01-01 元旦\n2027-03-01 上班\n不是日期"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 3 行" in body and "不是周末" in body
    assert not HolidayYear.objects.exists()


def test_it_shows_a_shipped_year_as_shipped(client, cast):
    client.force_login(cast.zhibu)
    body = client.get("/holidays/2026/").content.decode()
    assert "随系统提供" in body and "春节" in body and "暂定" not in body
