"""The demo's mobile candidates (fazhan.demo.mobility): built through the actions, one of each
kind the mobile picture shows, and the chain still verifies."""

from __future__ import annotations

import pytest

from fazhan.accounts.models import User
from fazhan.audit.chain import events_of, verify_chain
from fazhan.demo.builder import build_demo
from fazhan.demo.mobility import RECEIVED_NAME, add_demo_mobility
from fazhan.mobility import picture
from fazhan.mobility.models import Cooperation, Departure
from fazhan.notices.demo import add_demo_notices
from fazhan.people.models import Candidate

pytestmark = pytest.mark.django_db


def test_it_adds_one_mobile_file_of_each_kind_and_the_chain_verifies():
    summary = build_demo(scale=0.05)
    add_demo_notices(summary.today)  # as `fazhan demo` does, before the mobile files
    assert add_demo_mobility(summary.today) == 5
    counts = picture.figures(None, summary.today)
    assert counts == {
        "away": 3,
        "away_by_kind": {"joint": 1, "entrusted": 1, "tracking": 1, "authorized": 0},
        "came_in": 1,
        "sent_out": 1,
        "overdue_contacts": 1,
    }
    departed = Candidate.objects.get(pk=Departure.objects.get().candidate_id)
    assert departed.departed_on is not None and departed.next_due is None
    entrusted = Cooperation.objects.get(kind="entrusted")
    chain = events_of(entrusted.candidate_id)
    reported = [e for e in chain if e.kind.startswith("S") and e.payload.get("agreement_id")]
    assert [(e.kind, e.payload["agreement_id"]) for e in reported] == [("S06", entrusted.pk)]
    assert reported[0].payload["content"]["assessor"] and reported[0].payload["mode"] == "past"
    received = Candidate.objects.get(person__name=RECEIVED_NAME)
    assert not received.person.has_id_number
    zhibu2 = User.objects.get(username="zhibu2")
    came = {row.candidate.pk for row in picture.came_in(zhibu2)}
    assert Cooperation.objects.get(kind="joint").candidate_id in came
    away = picture.away(User.objects.get(username="dangwei"), summary.today)
    assert [r.cooperation.kind for r in away if r.overdue] == ["tracking"]
    assert verify_chain().ok
