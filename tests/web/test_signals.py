"""The three signals on the back-office pages: each badge and count equals the engine's
(fazhan.policy.signals over a fresh evaluation), and the old wording no longer misleads."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.people.actions import Mode, do_record_step
from fazhan.people.models import Candidate
from fazhan.people.record import evaluate_candidate
from fazhan.policy.gaps import gap_keys
from fazhan.policy.signals import signals
from tests.people.test_actions import at, new_candidate

pytestmark = pytest.mark.django_db

TODAY = "2019-04-21"


def _files(cast):
    """One file overdue now (no talk after a month), one with a talk held late (was late, nothing
    due), one in time."""
    overdue = new_candidate(cast)
    late = new_candidate(cast)
    fresh = new_candidate(cast)
    with at("2019-03-04"):
        do_record_step(cast.zhibu, overdue, step="S01", happened_on=date(2019, 3, 4))
        do_record_step(cast.zhibu, late, step="S01", happened_on=date(2019, 3, 4))
    with at("2019-04-20"):
        do_record_step(cast.zhibu, fresh, step="S01", happened_on=date(2019, 4, 20))
        do_record_step(cast.zhibu, late, step="S02", happened_on=date(2019, 4, 15), mode=Mode.PAST)
    return {"overdue": overdue, "late": late, "fresh": fresh}


def _engine(candidate: Candidate, day: date):
    result = evaluate_candidate(candidate, as_of=day)
    gaps = gap_keys(result.findings, None)
    counted = [f for f in result.findings if (f.id, f.step, f.date) not in gaps]
    return signals(result.next, counted, day)


def test_it_counts_on_the_home_page_what_the_engine_finds(client, cast):
    files = _files(cast)
    day = date.fromisoformat(TODAY)
    engine = {name: _engine(c, day) for name, c in files.items()}
    assert engine["overdue"].overdue and not engine["overdue"].late
    assert engine["late"].late == 1 and not engine["late"].overdue
    assert not engine["fresh"].any
    client.force_login(cast.zhibu)
    with at(TODAY):
        context = client.get("/").context
    visible = Candidate.objects.visible_to(cast.zhibu)
    everyone = {c.pk: _engine(c, day) for c in visible}
    assert context["overdue_count"] == sum(s.overdue for s in everyone.values()) == 1
    assert context["with_lates"] == sum(s.late > 0 for s in everyone.values()) == 1
    assert context["with_violations"] == sum(s.irregular > 0 for s in everyone.values())


@pytest.mark.parametrize(
    ("show", "name"), [("overdue", "overdue"), ("late", "late")], ids=["overdue", "late"]
)
def test_it_lists_under_each_filter_the_files_the_engine_flags(client, cast, show, name):
    files = _files(cast)
    client.force_login(cast.zhibu)
    with at(TODAY):
        page = client.get(f"/candidates/?show={show}").context["page"]
    assert [c.pk for c in page.object_list] == [files[name].pk]


def test_it_shows_one_badge_per_signal_with_its_label(client, cast):
    files = _files(cast)
    client.force_login(cast.zhibu)
    with at(TODAY):
        overdue = client.get(f"/candidates/{files['overdue'].pk}/").content.decode()
        late = client.get(f"/candidates/{files['late'].pk}/").content.decode()
        fresh = client.get(f"/candidates/{files['fresh'].pk}/").content.decode()
    assert 'class="tag overdue-now"' in overdue and "未发现问题" not in overdue
    assert "（下一步已逾期，见上）" in overdue
    # A talk held late is "was late", never "overdue", when nothing is due.
    assert 'class="tag late"' in late and "曾超期 1" in late
    assert 'class="tag overdue-now"' not in late
    assert 'class="tag overdue-now"' not in fresh and 'class="tag late"' not in fresh


def test_it_is_not_overdue_on_the_latest_date_and_is_the_day_after(client, cast):
    files = _files(cast)
    client.force_login(cast.zhibu)
    files["overdue"].refresh_from_db()
    # S01 on 2019-03-04: the talk is due by 2019-04-04 (细则 art. 7).
    assert files["overdue"].next_due == date(2019, 4, 4)
    with at("2019-04-04"):
        on_the_day = client.get(f"/candidates/{files['overdue'].pk}/").content.decode()
    with at("2019-04-05"):
        day_after = client.get(f"/candidates/{files['overdue'].pk}/").content.decode()
    assert 'class="tag overdue-now"' not in on_the_day
    assert 'class="tag overdue-now"' in day_after
