from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from fazhan.people.actions import do_record_step
from fazhan.people.models import Candidate
from tests.people.test_actions import at, new_candidate

pytestmark = pytest.mark.django_db


def test_it_marks_a_file_late_once_the_deadline_has_passed(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 4))
    candidate.refresh_from_db()
    assert candidate.lates == 0 and candidate.next_due == date(2019, 4, 4)
    with at("2019-04-05"):
        call_command("project_all", verbosity=0)
    candidate.refresh_from_db()
    # The missing talk is one signal, overdue now (fazhan.policy.signals), not also "was late";
    # the engine's talk.late finding stays in the projection (the register reads it).
    assert candidate.overdue and candidate.lates == 0
    assert "talk.late" in {f["id"] for f in candidate.projection["findings"]}


def test_it_changes_nothing_when_run_twice(cast):
    candidate = new_candidate(cast)
    with at("2019-03-04"):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date(2019, 3, 4))
        call_command("project_all", verbosity=0)
        first = Candidate.objects.get(pk=candidate.pk).projection
        call_command("project_all", verbosity=0)
    assert Candidate.objects.get(pk=candidate.pk).projection == first
