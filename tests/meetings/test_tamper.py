"""`fazhan audit verify` names a closed vote whose ballots or tally were changed in the database
(spec/contracts.md §5), and the triggers refuse those changes without the test-only bypass."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from fazhan.audit.bypass import chain_bypass
from fazhan.audit.chain import verify_chain
from fazhan.meetings import actions as act
from fazhan.meetings.models import BallotCode, CastBallot, ElectorateEntry
from tests.meetings.conftest import admission_item, count_paper, new_meeting, ready_for_admission

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=9)
    item = admission_item(branch, meeting, candidate, electronic=True)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    codes = act.do_issue_codes(cast.zhibu, item, count=6)
    for code, choice in zip(codes, ["for", "for", "for", "for", "against", "abstain"], strict=True):
        act.do_cast_ballot(code, choice)
    act.do_end_balloting(cast.zhibu, item)
    count_paper(branch, item, issued=3, votes_for=2, against=1, e_issued=6)
    act.do_close_item(cast.zhibu, item)
    item.refresh_from_db()
    assert verify_chain().ok
    return item


def raw(sql: str, params: list) -> None:
    with chain_bypass(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def named(item) -> str:
    result = verify_chain()
    assert not result.ok
    assert result.seq == item.tally_seq, (result.seq, result.problem)
    assert f"事项 #{item.pk}" in result.problem
    return result.problem


def test_it_names_a_ballot_whose_choice_was_changed(closed):
    ballot = CastBallot.objects.filter(item=closed, choice="against").first()
    raw("UPDATE meetings_castballot SET choice = 'for' WHERE id = %s", [ballot.pk.hex])
    assert "选票" in named(closed)


def test_it_names_a_ballot_added_or_removed(closed):
    raw(
        "INSERT INTO meetings_castballot (id, item_id, choice) VALUES (%s, %s, 'for')",
        ["0" * 32, closed.pk],
    )
    assert "哈希不符" in named(closed)


def test_it_names_a_deleted_ballot(closed):
    ballot = CastBallot.objects.filter(item=closed).first()
    raw("DELETE FROM meetings_castballot WHERE id = %s", [ballot.pk.hex])
    assert "哈希不符" in named(closed)


@pytest.mark.parametrize(("key", "value"), [("for", 9), ("expected", 7), ("present", 10)])
def test_it_names_a_changed_tally_count(closed, key, value):
    tally = dict(closed.tally, **{key: value})
    raw("UPDATE meetings_agendaitem SET tally = %s WHERE id = %s", [json.dumps(tally), closed.pk])
    assert "计票结果" in named(closed)


def test_it_names_a_changed_result_or_status(closed):
    raw("UPDATE meetings_agendaitem SET result = 'fail' WHERE id = %s", [closed.pk])
    named(closed)


def test_it_names_a_vote_reopened_to_take_more_ballots(closed):
    raw("UPDATE meetings_agendaitem SET status = 'voting' WHERE id = %s", [closed.pk])
    assert "未结束" in named(closed)


def test_it_names_a_changed_head_code_of_the_sheet(closed):
    raw("UPDATE meetings_agendaitem SET head_hash = %s WHERE id = %s", ["f" * 64, closed.pk])
    assert "链头校验码" in named(closed)


def test_it_reports_through_the_command(closed):
    ballot = CastBallot.objects.filter(item=closed, choice="for").first()
    raw("UPDATE meetings_castballot SET choice = 'abstain' WHERE id = %s", [ballot.pk.hex])
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_verify", "--json", stdout=out)
    assert exit_.value.code == 1
    report = json.loads(out.getvalue())
    assert report["ok"] is False and report["seq"] == closed.tally_seq


def test_the_triggers_refuse_changing_a_ballot_without_the_bypass(closed):
    ballot = CastBallot.objects.filter(item=closed).first()
    for sql in (
        "UPDATE meetings_castballot SET choice = 'against' WHERE id = %s",
        "DELETE FROM meetings_castballot WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [ballot.pk.hex])
    code = BallotCode.objects.filter(item=closed, used=True).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_ballotcode SET used = %s WHERE id = %s", [False, code.pk])
    entry = ElectorateEntry.objects.filter(meeting=closed.meeting).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_electorateentry SET present = %s WHERE id = %s", [True, entry.pk]
        )
    assert verify_chain().ok


def test_the_triggers_let_an_unused_code_become_used_and_nothing_else(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=3)
    item = admission_item(branch, meeting, candidate, electronic=True)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    act.do_issue_codes(cast.zhibu, item, count=2)
    code = BallotCode.objects.filter(item=item).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_ballotcode SET code_hash = 'x' WHERE id = %s", [code.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM meetings_ballotcode WHERE id = %s", [code.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_ballotcode SET used = %s WHERE id = %s", [True, code.pk])
    code.refresh_from_db()
    assert code.used
