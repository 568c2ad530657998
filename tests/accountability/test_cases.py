"""Cases (issue 15 item 2): from rows of the register to a conclusion, every change an event, the
people to look at proposed from the chain."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fazhan.accountability.actions import (
    do_conclude_case,
    do_decide_party,
    do_open_case,
    do_record_investigation,
)
from fazhan.accountability.models import (
    CaseState,
    ClosedBecause,
    Irregularity,
    Outcome,
    PartyBasis,
    State,
)
from fazhan.accounts.models import Role, RoleKind
from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.people.actions import Mode, do_record_step

pytestmark = pytest.mark.django_db

TEXT = "经调查，支部书记未在一个月内安排谈话，情况属实。"


@pytest.fixture
def late_talk(cast):
    # The roles were held since 2020: the people acted in them on the dates below.
    Role.objects.update(created_on=date(2020, 1, 1))
    candidate = cast.candidates["cand_a"]
    do_record_step(
        cast.users["zhibu"], candidate, step="S01", happened_on=date(2026, 1, 5), mode=Mode.PAST
    )
    do_record_step(
        cast.users["zhibu"], candidate, step="S02", happened_on=date(2026, 2, 6), mode=Mode.PAST
    )
    return Irregularity.objects.get(candidate=candidate, step="S02", state=State.OPEN)


def test_it_proposes_who_recorded_the_late_step_in_the_role_held_that_day(cast, late_talk):
    case = do_open_case(cast.users["dangwei"], [late_talk.pk], title="谈话逾期")
    parties = list(case.parties.values_list("user_id", "org_id", "role_kind", "basis"))
    assert parties == [
        (cast.users["zhibu"].pk, cast.branch_a.pk, RoleKind.BRANCH_SECRETARY, PartyBasis.RECORDED)
    ]
    assert case.org_id == cast.sub_a.pk
    late_talk.refresh_from_db()
    assert (late_talk.state, late_talk.case_id) == (State.CASE, case.pk)


def test_it_proposes_who_held_the_branch_when_nothing_was_recorded(cast):
    Role.objects.update(created_on=date(2020, 1, 1))
    candidate = cast.candidates["cand_a"]
    with time_machine.travel(date(2026, 3, 1)):
        do_record_step(cast.users["qu"], candidate, step="S01", happened_on=date(2026, 1, 5))
    overdue = Irregularity.objects.get(candidate=candidate, step="S02")
    case = do_open_case(cast.users["qu"], [overdue.pk], title="未按期谈话")
    assert list(case.parties.values_list("user_id", "basis")) == [
        (cast.users["zhibu"].pk, PartyBasis.IN_CHARGE)
    ]
    assert case.org_id == cast.district.pk


def test_it_runs_a_case_to_its_conclusion_as_events(cast, late_talk):
    dangwei = cast.users["dangwei"]
    case = do_open_case(dangwei, [late_talk.pk], title="谈话逾期")
    party = case.parties.get()
    with pytest.raises(ActionRefused, match="调查情况"):
        do_conclude_case(dangwei, case, remedy="已补正谈话记录并归档。", conclusion=TEXT)
    do_record_investigation(dangwei, case, text=TEXT)
    with pytest.raises(ActionRefused, match="1 名"):
        do_conclude_case(dangwei, case, remedy="已补正谈话记录并归档。", conclusion=TEXT)
    with pytest.raises(ActionRefused, match="处理方式"):
        do_decide_party(dangwei, case, party, responsible=True, note=TEXT)
    do_decide_party(dangwei, case, party, responsible=True, outcome=Outcome.CRITICISM, note=TEXT)
    done = do_conclude_case(dangwei, case, remedy="已补正谈话记录并归档。", conclusion=TEXT)
    assert done.state == CaseState.CONCLUDED
    late_talk.refresh_from_db()
    assert (late_talk.state, late_talk.closed_because) == (State.CLOSED, ClosedBecause.DECIDED)
    kinds = list(
        Event.objects.filter(kind__startswith="case.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["case.opened", "case.investigated", "case.decided", "case.concluded"]
    assert verify_chain().ok
    with pytest.raises(ActionRefused, match="已结案"):
        do_record_investigation(dangwei, case, text=TEXT)


def test_it_keeps_branches_out_of_cases(client, cast, late_talk):
    with pytest.raises(ActionRefused, match="上级党委"):
        do_open_case(cast.users["zhibu"], [late_talk.pk], title="自查")
    with pytest.raises(NotVisible):
        do_open_case(cast.users["zhibu2"], [late_talk.pk], title="越权")
    case = do_open_case(cast.users["dangwei"], [late_talk.pk], title="谈话逾期")
    client.force_login(cast.users["zhibu"])
    assert client.get(f"/register/cases/{case.pk}/").status_code == 404
    client.force_login(cast.users["shenji"])
    assert client.get(f"/register/cases/{case.pk}/").status_code == 200
    with pytest.raises(ActionRefused):
        do_record_investigation(cast.users["shenji"], case, text=TEXT)


def test_it_puts_a_row_in_one_case_only(cast, late_talk):
    do_open_case(cast.users["dangwei"], [late_talk.pk], title="谈话逾期")
    with pytest.raises(ActionRefused, match="已在案件中"):
        do_open_case(cast.users["qu"], [late_talk.pk], title="再次立案")


def test_it_opens_a_case_from_the_register_page(client, cast, late_talk):
    client.force_login(cast.users["dangwei"])
    page = client.get("/register/").content.decode()
    assert 'name="rows"' in page
    response = client.post(
        "/register/cases/open/", {"rows": [late_talk.pk], "title": "谈话逾期", "due_on": ""}
    )
    assert response.status_code == 302
    case_page = client.get(response["Location"]).content.decode()
    assert "谈话逾期" in case_page and str(cast.users["zhibu"]) in case_page


def test_it_shows_a_persons_case_history_only_inside_the_readers_reach(client, cast, late_talk):
    case = do_open_case(cast.users["dangwei"], [late_talk.pk], title="谈话逾期")
    url = f"/register/cases/?party={cast.users['zhibu'].pk}"
    client.force_login(cast.users["qu"])
    assert case.title in client.get(url).content.decode()
    client.force_login(cast.users["zhibu2"])
    assert case.title not in client.get(url).content.decode()
