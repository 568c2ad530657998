"""The register never gives one number to two people, nor two numbers to one person, when two
clerks press the button at the same moment (two threads, each in its own transaction and
connection). PostgreSQL: the second waits on the form row (select_for_update) and is refused.
The in-memory SQLite test database cannot wait (its shared-cache table locks fail at once), so
there the second may also fail with "locked"; either way exactly one succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, connections

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.paperwork.actions import do_use_form
from fazhan.paperwork.models import VolunteerForm
from tests.notices.files import today
from tests.paperwork.helpers import passed, stock

ROUNDS = 3


def race(*jobs: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """Run the jobs in threads released together; their results and their errors."""
    start = threading.Barrier(len(jobs))
    done: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait()
            done.append(job())
        except BaseException as error:
            errors.append(error)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors


def expected_loss(error: BaseException) -> bool:
    if isinstance(error, ActionRefused):
        return True
    # Only on SQLite, whose in-memory test database refuses a second writer instead of waiting.
    return connection.vendor == "sqlite" and isinstance(error, OperationalError)


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_one_number_to_two_people_at_once(cast):
    forms = stock(cast, first=1, last=ROUNDS * 2)
    people = [passed(cast, name=f"林{i}", serial=i + 1) for i in range(ROUNDS * 2)]
    for round_ in range(ROUNDS):
        number = forms[round_ + 1]
        one, two = people[2 * round_], people[2 * round_ + 1]
        done, errors = race(
            lambda one=one, number=number: do_use_form(
                cast.dangwei, one.pk, number.pk, used_on=today()
            ),
            lambda two=two, number=number: do_use_form(
                cast.dangwei, two.pk, number.pk, used_on=today()
            ),
        )
        assert len(done) == 1, (done, errors)
        assert len(errors) == 1 and expected_loss(errors[0]), errors
        if connection.vendor == "postgresql":
            assert "只能使用一次" in str(errors[0])
        used = VolunteerForm.objects.get(pk=number.pk)
        assert used.state == "used" and used.candidate_id in (one.pk, two.pk)
        loser = two.pk if used.candidate_id == one.pk else one.pk
        # The loser's transaction left nothing behind: no S14, no number.
        assert not Event.objects.filter(candidate_id=loser, kind__in=["S14", "paperwork.used"])
    assert VolunteerForm.objects.filter(state="used").count() == ROUNDS
    assert verify_chain().ok


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_two_numbers_to_one_person_at_once(cast):
    forms = stock(cast, first=1, last=2)
    person = passed(cast, name="林一", serial=1)
    done, errors = race(
        lambda: do_use_form(cast.dangwei, person.pk, forms[1].pk, used_on=today()),
        lambda: do_use_form(cast.dangwei, person.pk, forms[2].pk, used_on=today()),
    )
    assert len(done) == 1 and len(errors) == 1 and expected_loss(errors[0]), (done, errors)
    assert VolunteerForm.objects.filter(candidate=person, state="used").count() == 1
    assert Event.objects.filter(candidate_id=person.pk, kind="S14").count() == 1
    assert verify_chain().ok
