"""The counts summary the projection keeps (fazhan.people.summary) gives `report_counts` exactly
what the full recount gives (`recount_counts`, the reference), whatever the histories: imports,
transfers, corrections, back-dated events, a person's dated changes; and rebuilding it from
scratch gives the rows the projection kept."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.people.counts import recount_counts, report_counts
from fazhan.people.intake import do_change_person_attributes
from fazhan.people.models import CountSpan
from fazhan.people.summary import rebuild_summary
from tests.reports.helpers import approved_on, import_file, on
from tests.reports.test_property import build, histories, world

pytestmark = pytest.mark.django_db

periods = st.lists(
    st.tuples(st.dates(date(2025, 1, 1), date(2027, 6, 30)), st.integers(0, 500)),
    min_size=1,
    max_size=4,
)


def _rows() -> list[tuple[object, ...]]:
    fields = [f.name for f in CountSpan._meta.fields if f.name != "id"]
    return sorted(CountSpan.objects.values_list(*fields))


def _same(root, start: date, as_of: date) -> None:
    fast = report_counts(root, start=start, as_of=as_of)
    slow = recount_counts(root, start=start, as_of=as_of)
    assert fast.as_json() == slow.as_json(), (root.code, start, as_of)
    assert fast.unreadable == slow.unreadable


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=15,
    deadline=None,
)
@given(histories, periods)
def test_it_counts_what_the_full_recount_counts_at_any_date(db, files, dates):
    here = world()
    for history in files:
        build(here, history)
    sub = here.branches["branch_a2"].parent
    for as_of, back in dates:
        start = as_of - timedelta(days=back)
        _same(here.district, start, as_of)
        _same(sub, date(as_of.year, 1, 1), as_of)
    kept = _rows()
    rebuild_summary()
    assert _rows() == kept


def test_it_follows_a_back_dated_change_of_a_persons_attributes():
    here = world()
    branch = here.branches["branch_b2"]
    candidate = import_file(here.user, branch, approved_on(date(2026, 3, 2)), education="junior")
    as_of = date(2026, 6, 30)
    before = report_counts(here.district, start=date(2026, 1, 1), as_of=as_of).root.counts
    assert (before.developed, before.hs_plus) == (1, 0)
    with on():
        do_change_person_attributes(
            here.user,
            candidate.person_id,
            effective_on=date(2024, 1, 10),
            values={"education": "senior"},
            reason="补交毕业证书",
        )
    after = report_counts(here.district, start=date(2026, 1, 1), as_of=as_of)
    assert (after.root.counts.developed, after.root.counts.hs_plus) == (1, 1)
    _same(here.district, date(2026, 1, 1), as_of)


def test_it_recounts_until_the_summary_is_built_and_the_command_builds_it():
    here = world()
    import_file(here.user, here.branches["branch_a"], approved_on(date(2026, 4, 1)))
    as_of = date(2026, 6, 30)
    expected = recount_counts(here.district, start=date(2026, 1, 1), as_of=as_of).as_json()
    CountSpan.objects.all().delete()  # a database from before the summary
    assert report_counts(here.district, start=date(2026, 1, 1), as_of=as_of).as_json() == expected
    out = StringIO()
    call_command("summarize", stdout=out)
    assert "已重建 1 份档案的统计摘要" in out.getvalue()
    assert CountSpan.objects.filter(approved_on=date(2026, 4, 1)).count() == 1
    assert report_counts(here.district, start=date(2026, 1, 1), as_of=as_of).as_json() == expected
    assert expected["counts"]["developed"] == 1
