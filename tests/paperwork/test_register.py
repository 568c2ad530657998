"""The 入党志愿书 register: a number exists once in the district, is used once, and a spoiled or
lost number is recorded with its reason and never used again (细则 art. 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.paperwork.actions import do_close_form, do_issue_forms, do_use_form
from fazhan.paperwork.models import FormState, VolunteerForm
from tests.notices.files import target_ready, today
from tests.paperwork.helpers import passed, stock

pytestmark = pytest.mark.django_db


def test_it_issues_a_range_and_a_count_and_never_a_number_twice_in_the_district(cast):
    done = do_issue_forms(cast.qu, cast.sub_a, issued_on=today(), first=1001, last=1010)
    assert (done.first, done.last, done.count) == (1001, 1010, 10)
    assert VolunteerForm.objects.filter(committee=cast.sub_a, state="stock").count() == 10
    issued = Event.objects.get(seq=done.seq)
    assert issued.kind == "paperwork.issued"
    assert issued.payload == {
        "district_id": cast.district.pk,
        "committee_id": cast.sub_a.pk,
        "first": 1001,
        "last": 1010,
        "count": 10,
    }
    # The same numbers to another committee: refused, naming them.
    with pytest.raises(ActionRefused) as refused:
        do_issue_forms(cast.qu, cast.sub_b, issued_on=today(), first=1008, last=1020)
    assert "00001008" in str(refused.value) and "不能重复下发" in str(refused.value)
    assert not VolunteerForm.objects.filter(committee=cast.sub_b).exists()
    # A count continues after the district's highest number.
    more = do_issue_forms(cast.qu, cast.sub_b, issued_on=today(), count=5)
    assert (more.first, more.last) == (1011, 1015)
    assert verify_chain().ok


def test_only_district_staff_issue_and_only_to_a_committee_with_approval_authority(cast):
    with pytest.raises(ActionRefused, match="只有区委组织部工作人员"):
        do_issue_forms(cast.dangwei, cast.sub_a, issued_on=today(), count=3)
    with pytest.raises(ActionRefused, match="具有审批权限的基层党委"):
        do_issue_forms(cast.qu, cast.branch_a, issued_on=today(), count=3)
    with pytest.raises(NotVisible):
        do_issue_forms(cast.outsider, cast.sub_a, issued_on=today(), count=3)
    with pytest.raises(ActionRefused, match="不大于终止编号"):
        do_issue_forms(cast.qu, cast.sub_a, issued_on=today(), first=9, last=3)
    assert not VolunteerForm.objects.exists()


def test_it_uses_a_number_once_records_s14_and_shows_the_number(cast, client):
    forms = stock(cast)
    one = passed(cast, name="林一", serial=1)
    two = passed(cast, name="王二", serial=2, sex="M")
    row = do_use_form(cast.dangwei, one, forms[1001].pk, used_on=today())
    assert (row.state, row.candidate_id) == (FormState.USED, one.pk)
    kinds = [e.kind for e in events_of(one.pk)]
    assert kinds[-2:] == ["S14", "paperwork.used"]
    assert Event.objects.get(seq=row.use_seq).payload["number"] == 1001
    assert row.s14_seq == Event.objects.filter(candidate_id=one.pk, kind="S14").get().seq
    # The same number to another candidate: refused.
    with pytest.raises(ActionRefused, match="只能使用一次"):
        do_use_form(cast.dangwei, two, forms[1001].pk, used_on=today())
    # A second number to the same candidate: refused while the first is in use.
    with pytest.raises(ActionRefused, match="已有入党志愿书（编号 00001001）"):
        do_use_form(cast.dangwei, one, forms[1002].pk, used_on=today())
    client.force_login(cast.zhibu)
    page = client.get(f"/candidates/{one.pk}/").content.decode()
    assert "入党志愿书编号" in page and "00001001" in page


def test_a_spoiled_number_is_never_used_again_and_the_candidate_gets_a_new_one(cast):
    forms = stock(cast)
    one = passed(cast, name="林一", serial=1)
    two = passed(cast, name="王二", serial=2, sex="M")
    do_use_form(cast.dangwei, one, forms[1001].pk, used_on=today())
    with pytest.raises(ActionRefused, match="须写明原因"):
        do_close_form(cast.dangwei, forms[1001].pk, state="spoiled", closed_on=today(), reason=" ")
    spoiled = do_close_form(
        cast.dangwei, forms[1001].pk, state="spoiled", closed_on=today(), reason="填写错误，涂改"
    )
    assert spoiled.state == FormState.SPOILED and spoiled.candidate_id == one.pk
    lost = do_close_form(
        cast.dangwei, forms[1002].pk, state="lost", closed_on=today(), reason="搬迁时遗失"
    )
    assert Event.objects.get(seq=lost.close_seq).kind == "paperwork.lost"
    assert "reason" not in Event.objects.get(seq=lost.close_seq).payload  # free text stays here
    for number in (1001, 1002):
        with pytest.raises(ActionRefused, match="只能使用一次"):
            do_use_form(cast.dangwei, two, forms[number].pk, used_on=today())
    with pytest.raises(ActionRefused, match="已登记为作废"):
        do_close_form(cast.dangwei, forms[1001].pk, state="lost", closed_on=today(), reason="x")
    # The candidate whose form was spoiled receives another number; S14 is not recorded twice.
    again = do_use_form(cast.dangwei, one, forms[1003].pk, used_on=today())
    assert again.number == 1003
    assert [e.kind for e in events_of(one.pk)].count("S14") == 1
    assert VolunteerForm.objects.filter(candidate=one).count() == 2
    assert verify_chain().ok


def test_it_refuses_a_form_before_the_pre_review_passed_or_from_another_committee(cast):
    forms = stock(cast)
    other = stock(cast, first=2001, last=2002, committee=cast.sub_b)
    waiting = target_ready(cast, name="赵三", serial=3)
    with pytest.raises(ActionRefused, match="预审同意后"):
        do_use_form(cast.dangwei, waiting, forms[1001].pk, used_on=today())
    one = passed(cast, name="林一", serial=1)
    # sub_a's staff do not see sub_b's stock at all; the district sees it but it is not sub_a's.
    with pytest.raises(NotVisible):
        do_use_form(cast.dangwei, one, other[2001].pk, used_on=today())
    with pytest.raises(ActionRefused, match="其他党委领用"):
        do_use_form(cast.qu, one, other[2001].pk, used_on=today())
    # A branch secretary records S14 on the pre-review page but keeps no register.
    with pytest.raises(NotVisible):
        do_use_form(cast.zhibu, one, forms[1001].pk, used_on=today())
    assert not VolunteerForm.objects.filter(state="used").exists()


def test_a_form_given_after_s14_was_recorded_only_registers_the_number(cast):
    from fazhan.reviews.actions import do_issue_volunteer_form

    forms = stock(cast)
    one = passed(cast, name="林一", serial=1)
    s14 = do_issue_volunteer_form(cast.zhibu, one, issued_on=today() - timedelta(days=0))
    row = do_use_form(cast.dangwei, one, forms[1004].pk, used_on=today())
    assert row.s14_seq == s14.seq
    assert [e.kind for e in events_of(one.pk)].count("S14") == 1


# -- the pages ------------------------------------------------------------------------------------


def test_the_register_pages_issue_use_and_spoil_through_the_forms(cast, client):
    one = passed(cast, name="林一", serial=1)
    client.force_login(cast.qu)
    response = client.post(
        "/paperwork/issue/",
        {"committee": cast.sub_a.pk, "count": 3, "issued_on": today().isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        "/paperwork/issue/",
        {"committee": cast.sub_a.pk, "first": 2, "last": 3, "issued_on": today().isoformat()},
    )
    assert response.status_code == 422 and "不能重复下发" in response.content.decode()
    client.force_login(cast.dangwei)
    page = client.get("/paperwork/").content.decode()
    assert "00000001–00000003" in page and "林一" in page
    assert "下发入党志愿书（区委组织部）" not in page  # a committee does not issue
    first = VolunteerForm.objects.get(number=1)
    response = client.post(
        "/paperwork/use/",
        {"candidate": one.pk, "form": first.pk, "used_on": today().isoformat()},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.candidate_id == one.pk
    response = client.post(
        f"/paperwork/forms/{first.pk}/",
        {"state": "spoiled", "closed_on": today().isoformat(), "reason": ""},
    )
    assert response.status_code == 422
    response = client.post(
        f"/paperwork/forms/{first.pk}/",
        {"state": "spoiled", "closed_on": today().isoformat(), "reason": "填写错误"},
    )
    assert response.status_code == 302
    assert VolunteerForm.objects.get(pk=first.pk).state == "spoiled"


def test_the_register_is_the_committees_and_outsiders_get_404(cast, client):
    stock(cast, first=1, last=2)
    b = stock(cast, first=3, last=4, committee=cast.sub_b)
    for user in (cast.zhibu, cast.outsider, cast.admin):
        client.force_login(user)
        assert client.get("/paperwork/").status_code == 404
    client.force_login(cast.dangwei)
    page = client.get("/paperwork/").content.decode()
    assert cast.sub_a.name in page and cast.sub_b.name not in page
    assert client.get(f"/paperwork/forms/{b[3].pk}/").status_code == 404
    response = client.post(
        f"/paperwork/forms/{b[3].pk}/",
        {"state": "lost", "closed_on": today().isoformat(), "reason": "x"},
    )
    assert response.status_code == 404
    assert VolunteerForm.objects.get(pk=b[3].pk).state == "stock"
    client.force_login(cast.shenji)  # the auditor reads, and cannot spoil
    assert client.get("/paperwork/").status_code == 200
    response = client.get(f"/paperwork/forms/{b[3].pk}/")
    assert response.status_code == 200 and "close-form" not in response.content.decode()
