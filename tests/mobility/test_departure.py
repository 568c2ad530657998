"""A file sent out of the district is closed here as transferred (Issue 16 item 1): it keeps its
stage (the engine's, contracts §2) and counts, but leaves the open lists, the queues and the
overdue signals from the day it left, and takes no more records."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.http import Http404

from fazhan.audit.chain import verify_chain
from fazhan.check_cli import main as check_main
from fazhan.core.errors import ActionRefused
from fazhan.dossier.actions import do_record_thought_report
from fazhan.mobility import picture
from fazhan.mobility.actions import (
    do_open_cooperation,
    do_record_contact,
    do_register_outside_org,
)
from fazhan.mobility.crossing import do_transfer_out_of_district
from fazhan.people.actions import Mode, do_correct_event, do_record_step
from fazhan.people.models import Candidate
from fazhan.people.record import follow_roster
from fazhan.people.signals import overdue_now
from fazhan.people.sweep import reproject
from fazhan.policy.mobility import departed_on
from fazhan.web.filters import filter_candidates, open_files
from tests.people.test_actions import at, new_candidate, record_clean_until
from tests.reports.helpers import counts_json

pytestmark = pytest.mark.django_db

LEFT = date(2019, 12, 2)


def _outside(cast):
    with at("2019-11-01"):
        return do_register_outside_org(
            cast.zhibu,
            registered_for=cast.branch_a,
            name="浙江省义乌市某流动党员党委",
            kind="mobile",
            contact="陈书记 0579-0000000",
        )


def _activist(cast) -> Candidate:
    """An activist since 2019-04-23 whose half-year assessment is overdue in December 2019."""
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e7")
    candidate.refresh_from_db()
    return candidate


def _depart(cast, candidate, day: date = LEFT):
    outside = _outside(cast)
    with at(day.isoformat()):
        departure = do_transfer_out_of_district(
            cast.zhibu, candidate, outside=outside, happened_on=day
        )
    candidate.refresh_from_db()
    return departure


def _open_here(candidate: Candidate, day: date) -> dict[str, bool]:
    files = Candidate.objects.filter(pk=candidate.pk)
    return {
        "open": open_files(files).exists(),
        "open_here": Candidate.objects.open_here().filter(pk=candidate.pk).exists(),
        "overdue": overdue_now(files, day).exists(),
    }


def test_it_closes_the_file_here_from_the_day_it_left_and_keeps_its_stage(cast):
    candidate = _activist(cast)
    with at("2019-12-01"):
        reproject(Candidate.objects.filter(pk=candidate.pk))
    candidate.refresh_from_db()
    # The day before: open here, the half-year assessment overdue (next due in November).
    assert candidate.departed_on is None and candidate.next_due is not None
    assert _open_here(candidate, date(2019, 12, 1)) == {
        "open": True,
        "open_here": True,
        "overdue": candidate.next_due < date(2019, 12, 1),
    }
    stage, activist_on = candidate.stage, candidate.activist_on
    _depart(cast, candidate)
    # The day it left: closed here as transferred, the engine's stage and dates unchanged.
    assert candidate.departed_on == LEFT
    assert (
        (candidate.stage, candidate.activist_on)
        == (stage, activist_on)
        == ("activist", date(2019, 4, 23))
    )
    assert (candidate.next_due, candidate.overdue, candidate.next_step) == (None, False, "")
    assert _open_here(candidate, LEFT) == {"open": False, "open_here": False, "overdue": False}
    # The engine still judges the file as it is (its next steps are the receiver's now).
    assert candidate.projection["stage"] == "activist" and candidate.projection["next"]
    # A later re-projection, a sweep or the roster's follow keeps it exact.
    with at("2020-03-01"):
        reproject(Candidate.objects.filter(pk=candidate.pk))
        candidate.refresh_from_db()
        assert candidate.departed_on == LEFT and candidate.next_due is None
        follow_roster([candidate.pk])
    candidate.refresh_from_db()
    assert candidate.departed_on == LEFT and candidate.next_due is None
    assert verify_chain().ok


def test_it_refuses_recording_on_a_departed_file_with_the_reason(cast):
    candidate = _activist(cast)
    _depart(cast, candidate)
    attempts = [
        lambda: do_record_step(cast.zhibu, candidate, step="S06", happened_on=LEFT),
        lambda: do_record_step(
            cast.zhibu, candidate, step="S06", happened_on=date(2019, 11, 1), mode=Mode.PAST
        ),
        lambda: do_correct_event(
            cast.zhibu, candidate, seq=candidate.head_seq or 0, void=True, reason="录错"
        ),
        lambda: do_record_thought_report(cast.zhibu, candidate, received_on=LEFT),
        lambda: do_record_contact(cast.zhibu, candidate, happened_on=LEFT, way="visit"),
        lambda: do_record_step(cast.dangwei, candidate, step="S06", happened_on=LEFT),
    ]
    with at("2019-12-03"):
        for attempt in attempts:
            with pytest.raises(ActionRefused) as refused:
                attempt()
            assert "转出区外" in refused.value.reasons[0].message, refused.value.reasons
    assert "2019-12-02 转出区外" in str(refused.value.reasons[0].message)


def test_it_leaves_the_lists_and_the_queues_but_the_search_still_finds_it(client, cast):
    candidate = _activist(cast)
    with at("2019-11-01"):
        do_open_cooperation(
            cast.zhibu,
            candidate,
            kind="joint",
            cooperating=cast.branch_b,
            started_on=date(2019, 11, 1),
        )
        assert [r.cooperation.candidate_id for r in picture.away(cast.zhibu, LEFT)] == [
            candidate.pk
        ]
    _depart(cast, candidate)
    # The mobile picture: no longer away (its agreement ended that day), but 转出区外.
    assert picture.away(cast.zhibu, LEFT) == []
    with at("2019-12-03"):
        client.force_login(cast.zhibu)
        overview = client.get("/mobility/").context
    assert [d.candidate_id for d in overview["departed"]] == [candidate.pk]
    assert overview["away"] == []
    with at("2019-12-03"):
        for params in ({"stage": "activist"}, {"show": "overdue"}, {"show": "waiting"}):
            assert not filter_candidates(cast.zhibu, params).filter(pk=candidate.pk).exists()
        assert filter_candidates(cast.zhibu, {"q": "测试"}).filter(pk=candidate.pk).exists()
        client.force_login(cast.zhibu)
        home = client.get("/")
        assert candidate not in home.context["overdue"] and home.context["overdue_count"] == 0
        page = client.get(f"/candidates/{candidate.pk}/")
    text = page.content.decode()
    assert "已转出区外" in text and "浙江省义乌市某流动党员党委" in text
    assert candidate.departure.letter_code in text
    assert f"/mobility/candidates/{candidate.pk}/letter.pdf" in text
    assert page.context["next"] == [] and page.context["can_write"] is False
    assert f"/candidates/{candidate.pk}/record/" not in text
    client.force_login(cast.outsider)
    assert client.get(f"/candidates/{candidate.pk}/").status_code == 404


def test_it_changes_neither_the_counts_nor_the_check_of_the_file(cast):
    candidate = _activist(cast)
    with at("2019-12-10"):
        before = counts_json("--as-of", "2019-12-10", "--from", "2019-01-01")
    departure = _depart(cast, candidate)
    with at("2019-12-10"):
        after = counts_json("--as-of", "2019-12-10", "--from", "2019-01-01")
    assert after == before and before["stages"]["activist"] >= 1
    # `fazhan check` of the file handed over reads the engine's stage, nothing of ours.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.json"
        path.write_text(json.dumps(departure.document, ensure_ascii=False), encoding="utf-8")
        out = StringIO()
        import contextlib

        with contextlib.redirect_stdout(out):
            code = check_main([str(path), "--json", "--as-of", "2019-12-10"])
    checked = json.loads(out.getvalue())["files"][0]
    assert code == 0 and checked["stage"] == "activist"
    assert "departed" not in out.getvalue()


def _e(i: str, kind: str, day: str, **extra: object) -> dict[str, object]:
    return {"id": i, "type": kind, "date": day, **extra}


def test_it_reads_the_departure_from_the_record_with_its_corrections():
    out = _e("7", "transfer-out", "2020-05-01", to_org="区外", to_outside_org_id=3)
    assert departed_on([_e("1", "S01", "2020-01-01"), out]) == date(2020, 5, 1)
    # An in-district transfer, or an old file naming an organization only, is not a departure.
    assert departed_on([_e("7", "transfer-out", "2020-05-01", to_org_id=4)]) is None
    assert departed_on([_e("7", "transfer-out", "2020-05-01", to_org="外区")]) is None
    # Received back later (or the same day: a transfer-in sorts first, so it stays out).
    back = _e("9", "transfer-in", "2020-07-01")
    assert departed_on([out, back]) is None
    assert departed_on([out, _e("9", "transfer-in", "2020-05-01")]) == date(2020, 5, 1)
    # Voided: here again; superseded: the replacement's date.
    assert departed_on([out, _e("8", "correct", "2020-05-03", supersedes="7", void=True)]) is None
    moved = {"type": "transfer-out", "date": "2020-04-30", "to_outside_org_id": 3}
    fixed = _e("8", "correct", "2020-05-03", supersedes="7", replacement=moved)
    assert departed_on([out, fixed]) == date(2020, 4, 30)


def _transfer_out_seq(candidate) -> int:
    from fazhan.audit.chain import events_of

    return next(e.seq for e in events_of(candidate.pk) if e.kind == "transfer-out")


def test_it_voids_a_departure_entered_by_mistake_and_the_file_is_here_again(cast):
    from fazhan.audit.chain import events_of
    from fazhan.mobility.crossing import do_void_departure
    from fazhan.mobility.models import Departure

    candidate = _activist(cast)
    departure = _depart(cast, candidate)
    out_seq = _transfer_out_seq(candidate)
    with at("2019-12-03"):
        with pytest.raises(ActionRefused, match="理由"):
            do_void_departure(cast.zhibu, candidate, reason=" ")
        # Only the void of that transfer-out reopens the file: a plain correction still cannot.
        with pytest.raises(ActionRefused, match="转出区外"):
            do_correct_event(cast.zhibu, candidate, seq=out_seq, void=True, reason="录错")
        do_void_departure(cast.zhibu, candidate, reason="误选了档案")
    candidate.refresh_from_db()
    assert candidate.departed_on is None and candidate.next_due is not None
    assert not Departure.objects.filter(pk=departure.pk).exists()
    kinds = [e.kind for e in events_of(candidate.pk)][-3:]
    assert kinds == ["mobility.departed", "correct", "mobility.departure-voided"]
    voided = events_of(candidate.pk)[-1].payload
    assert voided["letter_code"] == departure.letter_code
    # Recording works again, and the stage is the engine's as before.
    with at("2019-12-04"):
        do_record_step(cast.zhibu, candidate, step="S06", happened_on=date(2019, 12, 4))
    assert verify_chain().ok
    with at("2019-12-05"), pytest.raises(ActionRefused, match="没有转出区外"):
        do_void_departure(cast.zhibu, candidate, reason="再次撤销")


def test_it_lets_only_the_responsible_side_void_a_departure(client, cast):
    from fazhan.mobility.crossing import do_void_departure

    candidate = _activist(cast)
    _depart(cast, candidate)
    with at("2019-12-03"), pytest.raises(Http404):
        do_void_departure(cast.zhibu2, candidate, reason="误操作")
    client.force_login(cast.zhibu2)
    assert client.get(f"/mobility/candidates/{candidate.pk}/undepart/").status_code == 404
    client.force_login(cast.zhibu)
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert f"/mobility/candidates/{candidate.pk}/undepart/" in page
    with at("2019-12-03"):
        done = client.post(
            f"/mobility/candidates/{candidate.pk}/undepart/", {"reason": "误选了档案"}
        )
    assert done.status_code == 302
    candidate.refresh_from_db()
    assert candidate.departed_on is None
