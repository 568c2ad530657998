"""The tellers and the monitor are members of the branch present at the meeting, chosen for it
and printed by name on the result sheet; the person being voted on never serves (rules-reference
§2 "Tellers and monitors"); a count records its teller and the account that entered it, the
double entry is still required; the roll call is "all present" with leave or absent exceptions."""

from __future__ import annotations

import pytest

from fazhan.accountability.models import Case, Ground, Revocation
from fazhan.audit.chain import events_of
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.meetings import actions as act
from fazhan.meetings.models import Attendance, ItemKind, TellerCount
from fazhan.meetings.sheet import sheet_context
from fazhan.orgs.models import Member
from tests.meetings.conftest import (
    admission_item,
    count_paper,
    days_ago,
    new_meeting,
    probationary,
    ready_for_admission,
    today,
)

pytestmark = pytest.mark.django_db

COUNTS = {
    "issued": 9,
    "returned": 9,
    "valid": 9,
    "invalid": 0,
    "votes_for": 9,
    "against": 0,
    "abstain": 0,
}


def _open_item(branch, present=9):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=present)
    item = admission_item(branch, meeting, candidate)
    return meeting, item


def test_it_refuses_the_member_being_voted_on_as_a_teller_with_the_rule(branch):
    cast = branch.cast
    member = probationary(cast, branch.voters)
    meeting = new_meeting(branch)
    act.do_add_item(cast.zhibu, meeting, candidate=member, kind=ItemKind.CONVERSION)
    own = Member.objects.get(candidate=member)
    act.do_set_roll_call(cast.zhibu, meeting, present_ids=[*(m.pk for m in branch.voters), own.pk])
    with pytest.raises(ActionRefused) as refused:
        act.do_set_officers(
            cast.zhibu,
            meeting,
            tellers=[own.pk, branch.voters[0].pk],
            monitors=[branch.voters[1].pk],
        )
    text = str(refused.value)
    assert "是本次会议的被表决人，不能担任计票人或监票人" in text
    assert "基层组织选举工作条例" in text


def test_it_refuses_an_absent_member_two_roles_and_a_single_teller(branch):
    cast = branch.cast
    meeting, _item = _open_item(branch, present=5)
    absent = branch.voters[7]
    with pytest.raises(ActionRefused, match=f"{absent.name} 未签到到会"):
        act.do_set_officers(
            cast.zhibu,
            meeting,
            tellers=[absent.pk, branch.voters[0].pk],
            monitors=[branch.voters[1].pk],
        )
    with pytest.raises(ActionRefused, match="不能既是计票人又是监票人"):
        act.do_set_officers(
            cast.zhibu,
            meeting,
            tellers=[branch.voters[0].pk, branch.voters[1].pk],
            monitors=[branch.voters[1].pk],
        )
    with pytest.raises(ActionRefused, match="至少两名计票人"):
        act.do_set_officers(
            cast.zhibu, meeting, tellers=[branch.voters[0].pk], monitors=[branch.voters[1].pk]
        )
    with pytest.raises(ActionRefused, match="至少一名监票人"):
        act.do_set_officers(
            cast.zhibu, meeting, tellers=[branch.voters[0].pk, branch.voters[1].pk], monitors=[]
        )


def test_it_refuses_a_count_before_tellers_are_chosen_or_from_someone_else(branch):
    cast = branch.cast
    meeting, item = _open_item(branch)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    with pytest.raises(ActionRefused, match="尚未推选计票人和监票人"):
        act.do_enter_count(cast.zhibu, item, teller=branch.voters[0].pk, **COUNTS)
    one, two, three = branch.voters[:3]
    act.do_set_officers(cast.zhibu, meeting, tellers=[one.pk, two.pk], monitors=[three.pk])
    with pytest.raises(ActionRefused, match="请选择本次会议推选的计票人"):
        act.do_enter_count(cast.zhibu, item, teller=three.pk, **COUNTS)
    act.do_enter_count(cast.zhibu, item, teller=one.pk, **COUNTS)
    # Once counting started, the officers stay.
    with pytest.raises(ActionRefused, match="不能再更换"):
        act.do_set_officers(cast.zhibu, meeting, tellers=[one.pk, three.pk], monitors=[two.pk])
    # A monitor may not confirm before both tellers agree; a teller may never confirm.
    with pytest.raises(ActionRefused, match="一致后"):
        act.do_confirm_count(cast.zhibu, item, monitor=three.pk)
    act.do_enter_count(branch.zuzhi, item, teller=two.pk, **COUNTS)
    with pytest.raises(ActionRefused, match="请选择本次会议推选的监票人"):
        act.do_confirm_count(cast.zhibu, item, monitor=one.pk)
    act.do_confirm_count(cast.zhibu, item)  # the only monitor, by default
    item.refresh_from_db()
    assert item.confirmed_monitor_id == three.pk and item.confirmed_by_id == cast.zhibu.pk
    rows = list(TellerCount.objects.filter(item=item).order_by("pk"))
    assert [(r.teller_id, r.entered_by_id) for r in rows] == [
        (one.pk, cast.zhibu.pk),
        (two.pk, branch.zuzhi.pk),
    ]


def test_it_prints_the_members_on_the_sheet_and_the_accounts_apart(branch):
    cast = branch.cast
    meeting, item = _open_item(branch)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=9, votes_for=9)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    context = sheet_context(item)
    tellers = [r.teller.name for r in TellerCount.objects.filter(item=item).order_by("pk")]
    assert context["tellers"] == tellers and "党员" in "".join(tellers)
    assert context["monitors"] == [item.confirmed_monitor.name]
    assert str(branch.zuzhi) in context["accounts"] and str(cast.zhibu) in context["accounts"]
    tally = Event.objects.get(kind="meeting.tally")
    assert tally.payload["monitor"] == item.confirmed_monitor_id
    assert tally.payload["entered_by"] == sorted({cast.zhibu.pk, branch.zuzhi.pk})
    s15 = [e for e in events_of(item.candidate_id) if e.kind == "S15"][-1]
    assert (s15.payload["vote"]["tellers"], s15.payload["vote"]["monitors"]) == (2, 1)


def test_it_takes_the_roll_as_all_present_but_the_exceptions(branch):
    cast = branch.cast
    meeting = act.do_create_meeting(cast.zhibu, org=cast.branch_a, held_on=today())
    away, ill = branch.voters[3], branch.voters[4]
    act.do_set_roll_call(
        cast.zhibu,
        meeting,
        all_present=True,
        absences={away.pk: ("leave", "外出学习"), ill.pk: ("absent", "")},
    )
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert (rows[away.pk].present, rows[away.pk].absence, rows[away.pk].absence_note) == (
        False,
        "leave",
        "外出学习",
    )
    assert (rows[ill.pk].present, rows[ill.pk].absence) == (False, "absent")
    assert sum(r.present for r in rows.values()) == len(rows) - 2
    preview = act.electorate_preview(meeting)
    assert (preview.expected, preview.present) == (10, 8)
    with pytest.raises(ActionRefused, match="请假或缺席"):
        act.do_set_roll_call(cast.zhibu, meeting, all_present=True, absences={away.pk: ("x", "")})
    one, two, three = branch.voters[:3]
    act.do_set_officers(cast.zhibu, meeting, tellers=[one.pk, two.pk], monitors=[three.pk])
    with pytest.raises(ActionRefused, match="须先改选"):
        act.do_set_roll_call(
            cast.zhibu, meeting, all_present=True, absences={one.pk: ("leave", "")}
        )


def test_it_posts_all_present_without_javascript(client, branch):
    cast = branch.cast
    meeting = act.do_create_meeting(cast.zhibu, org=cast.branch_a, held_on=today())
    away = branch.voters[2]
    client.force_login(cast.zhibu)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    # Before the roll is taken every row is ticked (the usual case: all present).
    assert page.count('name="present"') == page.count('name="present" value') > 0
    assert "data-roll-all" in page and "fazhan/rollcall.js" in page and "<script>" not in page
    assert f'id="present-{away.pk}" checked' in page
    client.post(
        f"/meetings/{meeting.pk}/roll/",
        {"all_present": "1", f"absence-{away.pk}": "leave", f"note-{away.pk}": "出差"},
    )
    present = set(
        Attendance.objects.filter(meeting=meeting, present=True).values_list("member_id", flat=True)
    )
    assert away.pk not in present and branch.voters[0].pk in present
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'value="出差"' in page and 'id="officers-form"' in page


def test_it_shows_the_revocation_grounds_on_the_motion_and_the_sheet(client, branch):
    cast = branch.cast
    member = probationary(cast, branch.voters)
    case = Case.objects.create(
        org=cast.sub_a,
        title="违规发展核查",
        opened_by=cast.dangwei,
        opened_on=days_ago(5),
        due_on=days_ago(-30),
    )
    Revocation.objects.create(
        candidate=member,
        case=case,
        ground=Ground.IRREGULAR,
        reason="入党前隐瞒受处分情况",
        proposed_by=cast.dangwei,
        proposed_on=days_ago(3),
    )
    meeting = new_meeting(branch, present=9)
    item = act.do_add_item(cast.zhibu, meeting, candidate=member, kind=ItemKind.REVOCATION)
    client.force_login(cast.zhibu)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "违规发展" in page and "入党前隐瞒受处分情况" in page
    page = client.get(f"/meetings/items/{item.pk}/").content.decode()
    assert 'id="revocation-grounds"' in page and "违规发展核查" in page
    assert f"/register/cases/{case.pk}/" not in page  # the branch cannot open the case
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=9, votes_for=8, against=1)
    act.do_close_item(cast.zhibu, item)
    sheet = client.get(f"/meetings/items/{item.pk}/sheet/").content.decode()
    assert 'id="sheet-grounds"' in sheet and "入党前隐瞒受处分情况" in sheet
    assert "违规发展核查" in sheet
    pdf = client.get(f"/meetings/items/{item.pk}/sheet.pdf")
    assert pdf.content.startswith(b"%PDF")
    client.force_login(cast.dangwei)
    sheet = client.get(f"/meetings/items/{item.pk}/sheet/").content.decode()
    assert f"/register/cases/{case.pk}/" in sheet
