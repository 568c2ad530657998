"""The meeting pages through the test client: each step as the people would click it."""

from __future__ import annotations

import pytest

from fazhan.meetings import actions as act
from fazhan.meetings.models import AgendaItem, ItemStatus, Meeting
from tests.meetings.conftest import (
    admission_item,
    count_paper,
    new_meeting,
    ready_for_admission,
    today,
)

pytestmark = pytest.mark.django_db


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def test_it_runs_a_meeting_from_the_pages(client, branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    client.force_login(cast.zhibu)
    assert client.get("/meetings/").status_code == 200
    response = client.post(
        "/meetings/new/",
        {"org": cast.branch_a.pk, "held_on": today().isoformat(), "place": "会议室"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    client.post(f"/meetings/{meeting.pk}/roll/", {"present": [m.pk for m in branch.voters[:9]]})
    client.post(f"/meetings/{meeting.pk}/items/", {"candidate": candidate.pk, "kind": "admission"})
    item = AgendaItem.objects.get()
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "接收王小红同志为中共预备党员" in page and 'id="expected">10<' in page
    one, two, three = branch.voters[:3]
    client.post(
        f"/meetings/{meeting.pk}/officers/", {"tellers": [one.pk, two.pk], "monitors": [three.pk]}
    )
    client.post(f"/meetings/{meeting.pk}/open/")
    meeting.refresh_from_db()
    assert meeting.status == "open" and meeting.present == 9
    client.post(f"/meetings/items/{item.pk}/start/")
    client.post(f"/meetings/items/{item.pk}/end/")
    counts = {
        "issued": 9,
        "returned": 9,
        "valid": 9,
        "invalid": 0,
        "votes_for": 8,
        "against": 1,
        "abstain": 0,
    }
    assert client.get(f"/meetings/items/{item.pk}/count/").status_code == 200
    response = client.post(f"/meetings/items/{item.pk}/count/", counts | {"teller": one.pk})
    assert response.status_code == 302
    page = client.get(f"/meetings/items/{item.pk}/").content.decode()
    assert "还需 1 位计票人录入" in page and 'id="enter-count"' in page
    assert f"计票人 {one.name} 的结果已录入" in page
    # The branch's own account enters the second teller's count too.
    response = client.post(f"/meetings/items/{item.pk}/count/", counts | {"teller": two.pk})
    assert response.status_code == 302
    client.post(f"/meetings/items/{item.pk}/confirm/", {"monitor": three.pk})
    response = post(client, cast.zhibu, f"/meetings/items/{item.pk}/close/")
    assert response["Location"] == f"/meetings/items/{item.pk}/sheet/"
    sheet = client.get(response["Location"]).content.decode()
    assert f"{one.name}、{two.name}" in sheet and three.name in sheet
    item.refresh_from_db()
    from fazhan.audit.chain import head_code

    assert "表决结果报告单" in sheet and "通过" in sheet and head_code(item.head_hash) in sheet
    pdf = client.get(f"/meetings/items/{item.pk}/sheet.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    candidate.refresh_from_db()
    assert candidate.stage == "probationary"


def test_it_says_why_a_meeting_cannot_open(client, branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    from fazhan.people.actions import do_record_step

    do_record_step(
        cast.zhibu,
        candidate,
        step="N-ADM",
        happened_on=today(),
        payload={"end": today().replace(year=today().year + 1).isoformat()},
    )
    meeting = new_meeting(branch)
    admission_item(branch, meeting, candidate)
    client.force_login(cast.zhibu)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "暂不能提交表决" in page and "接收预备党员公示" in page and "尚未结束" in page
    client.post(f"/meetings/{meeting.pk}/open/")
    meeting.refresh_from_db()
    assert meeting.status == "draft"
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'role="alert"' in page and "不能进行" in page


def test_it_prints_the_cards_once_and_keeps_only_their_hashes(client, branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=9)
    item = admission_item(branch, meeting, candidate, electronic=True)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    client.force_login(cast.zhibu)
    response = client.post(f"/meetings/items/{item.pk}/codes/", {"count": 9})
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    too_many = client.post(f"/meetings/items/{item.pk}/codes/", {"count": 1})
    assert too_many.status_code == 302
    item.refresh_from_db()
    assert item.codes_generated == 9 and item.codes.count() == 9


@pytest.mark.parametrize("username", ["zhibu2", "outsider", "admin"])
def test_it_hides_a_meeting_outside_the_subtree(client, branch, username):
    meeting = new_meeting(branch)
    client.force_login(branch.cast.users[username])
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/open/").status_code == 404
    assert username == "admin" or client.get("/meetings/").status_code == 200


def test_it_lets_the_auditor_read_but_not_act(client, branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch)
    admission_item(branch, meeting, candidate)
    client.force_login(cast.shenji)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    client.post(f"/meetings/{meeting.pk}/open/")
    meeting.refresh_from_db()
    assert meeting.status == "draft"
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "只读账号" in page


def test_it_enters_a_paper_meeting_late_with_a_reason_and_a_second_person(client, branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    client.force_login(cast.zhibu)
    held = today().replace(day=1) if today().day > 1 else today()
    response = client.post(
        "/meetings/late/new/", {"org": cast.branch_a.pk, "held_on": held.isoformat()}
    )
    assert response.status_code == 200 and Meeting.objects.count() == 0  # the reason is required
    client.post(
        "/meetings/late/new/",
        {"org": cast.branch_a.pk, "held_on": held.isoformat(), "late_reason": "机房停电"},
    )
    meeting = Meeting.objects.get()
    assert meeting.late_entry
    act.do_set_roll_call(cast.zhibu, meeting, present_ids=[m.pk for m in branch.voters[:8]])
    item = admission_item(branch, meeting, candidate)
    act.do_open_meeting(cast.zhibu, meeting)
    client.post(f"/meetings/items/{item.pk}/start/")
    item.refresh_from_db()
    assert item.status == ItemStatus.COUNTING
    count_paper(branch, item, issued=8, votes_for=7, against=1)
    response = post(client, cast.zhibu, f"/meetings/items/{item.pk}/close/")
    assert "第二人审核" in client.get(response["Location"]).content.decode()
    post(client, cast.zhibu, f"/meetings/{meeting.pk}/late/approve/")  # not the one who entered it
    meeting.refresh_from_db()
    assert meeting.late_approved_by is None
    post(client, branch.zuzhi, f"/meetings/{meeting.pk}/late/approve/")
    post(client, cast.zhibu, f"/meetings/items/{item.pk}/close/")
    item.refresh_from_db()
    assert item.result == "pass"
    from fazhan.audit.chain import events_of

    s15 = [e for e in events_of(candidate.pk) if e.kind == "S15"][-1]
    assert s15.payload["late_entry"] is True and s15.payload["mode"] == "past"
    sheet = client.get(f"/meetings/items/{item.pk}/sheet/").content.decode()
    assert "补录" in sheet and "机房停电" in sheet
