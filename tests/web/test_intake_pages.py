"""The intake pages (docs/intake.md): who may register, the live verdict, earlier files shown."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.people.actions import do_withdraw
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BORN = date(2000, 5, 17)


def at(day: str):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def form(cast, **extra):
    return {
        "org": cast.branch_a.pk,
        "applied_on": "2026-03-01",
        "name": "王再申",
        "id_number": make_demo_id(BORN, "M", 3),
        "sex": "M",
        "birth_date": BORN.isoformat(),
        "ethnicity": "汉族",
        "education": "associate",
        "occupations": ["worker"],
        "unit": "示范区机械厂",
        **extra,
    }


@pytest.mark.parametrize("username", ["shenji", "admin", "baomi", "outsider"])
def test_it_hides_the_intake_page_from_who_cannot_register(client, cast, username):
    client.force_login(cast.users[username])
    assert client.get("/candidates/new/").status_code == 404
    assert client.post("/candidates/new/check/", form(cast)).status_code == 404
    assert client.post("/candidates/new/", form(cast)).status_code == 404


def test_it_offers_only_the_branches_in_reach_and_refuses_another(client, cast):
    client.force_login(cast.zhibu2)
    page = client.get("/candidates/new/").content.decode()
    assert cast.branch_b.name in page and cast.branch_a.name not in page
    response = client.post("/candidates/new/", form(cast))
    assert response.status_code == 200  # the form refuses a branch it did not offer
    assert Candidate.objects.count() == len(cast.candidates)


def test_it_judges_the_number_live(client, cast):
    client.force_login(cast.zhibu)
    good = make_demo_id(BORN, "M", 3)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with at("2026-03-10"):
        bad = client.post(
            "/candidates/new/check/", form(cast, id_number=wrong), HTTP_HX_REQUEST="true"
        )
        young = client.post(
            "/candidates/new/check/", form(cast, applied_on="2018-05-16"), HTTP_HX_REQUEST="true"
        )
        fine = client.post("/candidates/new/check/", form(cast), HTTP_HX_REQUEST="true")
    assert "校验位不符" in bad.content.decode()
    assert "未满十八周岁" in young.content.decode() and "2018-05-17" in young.content.decode()
    body = fine.content.decode()
    assert "校验位正确" in body and "已满十八周岁" in body and "不符" not in body


def test_it_registers_then_shows_a_reapplication_with_its_earlier_file(client, cast):
    client.force_login(cast.zhibu)
    with at("2026-03-10"):
        response = client.post("/candidates/new/", form(cast))
    first = Candidate.objects.get(person__name="王再申")
    assert response.status_code == 302 and response["Location"] == f"/candidates/{first.pk}/"
    with at("2026-04-10"):
        do_withdraw(cast.zhibu, first, happened_on=date(2026, 4, 1), reason="本人撤回")
    with at("2026-09-10"):
        check = client.post("/candidates/new/check/", form(cast, applied_on="2026-09-01"))
        assert "再次申请" in check.content.decode()
        client.post("/candidates/new/", form(cast, applied_on="2026-09-01"))
    again = Candidate.objects.filter(person__name="王再申").latest("pk")
    assert again.pk != first.pk and again.person_id == first.person_id
    page = client.get(f"/candidates/{again.pk}/").content.decode()
    assert "此人的其他入党申请档案" in page and f"/candidates/{first.pk}/" in page
    assert "2026-04-01" in page  # the day the earlier file ended
    # Another branch's secretary sees neither file; the district sees both.
    client.force_login(cast.zhibu2)
    assert client.get(f"/candidates/{again.pk}/").status_code == 404


def test_it_records_a_dated_change_from_the_page(client, cast):
    candidate = cast.candidates["cand_a"]
    person = candidate.person
    # What the browser sends: the form as shown (today's attributes), the education changed.
    shown = {
        "occupations": person.occupations,
        "unit": person.unit,
        **({"frontline": "on"} if person.frontline else {}),
    }
    # The cast's education is drawn at random: change it to one it is not.
    new, label = (
        ("master", "硕士研究生") if person.education == "bachelor" else ("bachelor", "大学本科")
    )
    client.force_login(cast.zhibu)
    with at("2026-03-10"):
        response = client.post(
            f"/candidates/{candidate.pk}/attributes/",
            {"effective_on": "2026-03-01", "education": new, "reason": "取得新学历"} | shown,
        )
    assert response.status_code == 302
    page = client.get(f"/candidates/{candidate.pk}/attributes/").content.decode()
    assert "2026-03-01" in page and "取得新学历" in page and label in page
    # Only what changed is recorded: the other attributes keep their own history.
    [change] = candidate.person.attribute_changes.exclude(effective_on=None)
    assert set(change.values) == {"education"}
    with at("2026-03-10"):
        same = client.post(
            f"/candidates/{candidate.pk}/attributes/",
            {"effective_on": "2026-03-05", "education": new, "reason": "重复"} | shown,
        )
    assert same.status_code == 422 and "没有变化" in same.content.decode()
    client.force_login(cast.zhibu2)
    assert client.get(f"/candidates/{candidate.pk}/attributes/").status_code == 404
