"""Electronic ballots: one-time codes accepted once, forged codes refused, nothing about the voter
kept or logged (DESIGN principle 7), and the ballots in the same tally as the paper ones."""

from __future__ import annotations

import logging
import uuid
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.meetings import actions as act
from fazhan.meetings.codes import code_hash, normalise, pretty
from fazhan.meetings.models import BallotBoxEntry, BallotCode, CastBallot
from tests.meetings.conftest import (
    admission_item,
    count_paper,
    new_meeting,
    officers_for,
    ready_for_admission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(branch):
    cast = branch.cast
    candidate = ready_for_admission(cast, branch.voters)
    meeting = new_meeting(branch, present=9)
    item = admission_item(branch, meeting, candidate, electronic=True)
    act.do_open_meeting(cast.zhibu, meeting)
    act.do_start_voting(cast.zhibu, item)
    codes = act.do_issue_codes(cast.zhibu, item, count=6)
    return branch, candidate, item, codes


def test_it_accepts_a_code_once_and_refuses_a_replay_or_a_forgery(voting):
    _, _, _item, codes = voting
    act.do_cast_ballot(pretty(codes[0]).lower(), "for")  # as typed: lower case, dashes
    with pytest.raises(act.BallotRefused, match="已经使用"):
        act.do_cast_ballot(codes[0], "against")
    with pytest.raises(act.BallotRefused, match="无效"):
        act.do_cast_ballot("ABCD-EFGH-JKMN", "for")
    with pytest.raises(act.BallotRefused, match="无效"):
        act.do_cast_ballot("0000", "for")
    assert list(BallotBoxEntry.objects.values_list("choice", flat=True)) == ["for"]
    assert BallotCode.objects.filter(used=True).count() == 1


def test_it_stores_only_keyed_hashes_of_the_codes(voting):
    _, _, item, codes = voting
    stored = set(BallotCode.objects.filter(item=item).values_list("code_hash", flat=True))
    assert stored == {code_hash(normalise(c)) for c in codes}
    assert not stored & set(codes)


def test_it_never_prints_more_codes_than_voters_present(voting):
    branch, _, item, _ = voting
    with pytest.raises(ActionRefused, match="实到人数 9"):
        act.do_issue_codes(branch.cast.zhibu, item, count=4)


def test_it_refuses_ballots_once_the_box_is_closed(voting):
    branch, _, item, codes = voting
    act.do_cast_ballot(codes[0], "for")
    act.do_end_balloting(branch.cast.zhibu, item)
    with pytest.raises(act.BallotRefused, match="不在投票中"):
        act.do_cast_ballot(codes[1], "for")


def test_it_adds_paper_and_electronic_ballots_in_one_tally_and_seals_them(voting):
    branch, _candidate, item, codes = voting
    for code, choice in zip(codes[:5], ["for", "for", "for", "against", "abstain"], strict=True):
        act.do_cast_ballot(code, choice)
    act.do_end_balloting(branch.cast.zhibu, item)
    # 6 cards handed out, 5 used; 3 voters took paper ballots and voted for.
    count_paper(branch, item, issued=3, votes_for=3, e_issued=6)
    act.do_close_item(branch.cast.zhibu, item)
    item.refresh_from_db()
    assert item.tally["for"] == 6 and item.tally["e_cast"] == 5
    assert item.tally["issued"] == 9 and item.tally["returned"] == 8
    assert item.result == "pass"
    event = Event.objects.get(seq=item.tally_seq)
    assert event.payload["ballots"] == 5 and len(event.payload["ballots_sha256"]) == 64
    assert verify_chain().ok


def test_it_keeps_the_tellers_honest_about_the_cards(voting):
    branch, _, item, codes = voting
    act.do_cast_ballot(codes[0], "for")
    act.do_cast_ballot(codes[1], "for")
    act.do_end_balloting(branch.cast.zhibu, item)
    counts = {
        "issued": 0,
        "returned": 0,
        "valid": 0,
        "invalid": 0,
        "votes_for": 0,
        "against": 0,
        "abstain": 0,
    }
    one, _two, _monitor = officers_for(branch, item.meeting)
    with pytest.raises(ActionRefused, match="不能少于已投的电子票"):
        act.do_enter_count(branch.cast.zhibu, item, teller=one, **counts, e_issued=1)
    with pytest.raises(ActionRefused, match="不能多于印制"):
        act.do_enter_count(branch.cast.zhibu, item, teller=one, **counts, e_issued=7)


SENTINEL_IP = "203.0.113.77"


def test_it_logs_nothing_about_the_voter_while_casting(client, voting, caplog):
    branch, _, _item, codes = voting
    client.force_login(branch.cast.zhibu)  # even a signed-in browser leaves no trace
    session_key = client.session.session_key
    caplog.set_level(logging.DEBUG)
    ok = client.post(
        "/meetings/vote/", {"code": codes[0], "choice": "for"}, REMOTE_ADDR=SENTINEL_IP
    )
    replay = client.post(
        "/meetings/vote/", {"code": codes[0], "choice": "for"}, REMOTE_ADDR=SENTINEL_IP
    )
    forged = client.post(
        "/meetings/vote/", {"code": "zzzz", "choice": "for"}, REMOTE_ADDR=SENTINEL_IP
    )
    assert ok.status_code == 200 and "您的表决已记录" in ok.content.decode()
    assert replay.status_code == 422 and forged.status_code == 422
    forbidden = {SENTINEL_IP, branch.cast.zhibu.username, session_key, str(branch.cast.zhibu.pk)}
    for record in caplog.records:
        text = repr(record.__dict__) + record.getMessage()
        assert "request" not in record.__dict__, record
        for value in forbidden:
            assert value not in text, (value, record)
    for response in (ok, replay, forged):
        assert not response.cookies, response.cookies
    assert act.ballots_cast(_item) == 1


def test_it_serves_the_casting_page_without_a_session_or_a_cookie(client):
    response = client.get("/meetings/vote/")
    assert response.status_code == 200 and "票卡号码" in response.content.decode()
    assert not response.cookies and "no-store" in response["Cache-Control"]
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 0


def _rows_in_storage_order(table: str) -> list[str]:
    """The ids of a table's rows in the order the database keeps them (SQLite's rowid,
    PostgreSQL's physical order), as anyone with SQL access after the vote can read them."""
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY {order}")
        return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]


@pytest.mark.parametrize("cast_order", ["ascending", "descending"])
def test_it_forgets_the_order_ballots_were_cast_in_once_balloting_ends(voting, cast_order):
    """Step 8 item 5: cast in a known order, read everything back through SQL: the stored order
    is that of the random ids, whatever the casting order, and the box is empty."""
    branch, _, item, codes = voting
    choices = ["for", "against", "abstain", "for", "for", "against"]
    for code, choice in zip(codes, choices, strict=True):
        act.do_cast_ballot(code, choice)
    in_box = _rows_in_storage_order("meetings_ballotboxentry")
    assert len(in_box) == 6  # while voting the box keeps the casting order, which is why...
    act.do_end_balloting(branch.cast.zhibu, item)  # ...it is emptied when balloting ends
    assert _rows_in_storage_order("meetings_ballotboxentry") == []
    sealed = _rows_in_storage_order("meetings_castballot")
    assert sealed == sorted(in_box)
    assert Counter(CastBallot.objects.values_list("choice", flat=True)) == Counter(choices)
    if connection.vendor == "postgresql":  # one transaction wrote them all
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(DISTINCT xmin::text) FROM meetings_castballot")
            assert cursor.fetchone()[0] == 1


def test_it_refuses_to_take_a_ballot_out_of_the_box_while_voting(voting):
    _, _, item, codes = voting
    act.do_cast_ballot(codes[0], "for")
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotBoxEntry.objects.filter(item=item).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotBoxEntry.objects.filter(item=item).update(choice="against")
    assert act.ballots_cast(item) == 1


def test_it_stops_a_client_guessing_codes_but_not_a_room_voting(client, voting):
    _, _, _item, codes = voting
    for _n in range(20):
        assert client.post("/meetings/vote/", {"code": "zzzz", "choice": "for"}).status_code == 422
    refused = client.post("/meetings/vote/", {"code": codes[0], "choice": "for"})
    assert refused.status_code == 429 and "尝试次数过多" in refused.content.decode()
    other = client.post(
        "/meetings/vote/", {"code": codes[0], "choice": "for"}, REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 200  # another client (another kiosk) is not stopped
