"""The home queues: each role sees what waits for it, nearest deadline first, undated last."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.notices.queues import QueueItem
from fazhan.reports.actions import do_save_draft, do_submit_report
from fazhan.web.queues import by_deadline, queue_for
from tests.notices.files import activist_ready
from tests.notices.test_notices import at
from tests.reports.helpers import on
from tests.reports.test_campaigns import half_year, mine

pytestmark = pytest.mark.django_db


def _item(title: str, since: str, deadline: str | None) -> QueueItem:
    return QueueItem(
        kind="x",
        title=title,
        candidate_id=None,
        notice_id=None,
        url="/",
        since=date.fromisoformat(since),
        deadline=date.fromisoformat(deadline) if deadline else None,
    )


def test_it_sorts_by_deadline_with_undated_items_last():
    items = [
        _item("old, undated", "2024-01-05", None),
        _item("later deadline", "2026-11-01", "2026-12-20"),
        _item("new, undated", "2026-11-30", None),
        _item("nearest deadline", "2026-11-20", "2026-12-04"),
    ]
    ordered = [i.title for i in sorted(items, key=by_deadline)]
    assert ordered == ["nearest deadline", "later deadline", "old, undated", "new, undated"]


def test_it_gives_a_branch_its_notices_due_but_not_the_committee_or_the_district(cast):
    with at("2026-03-02"):
        due = activist_ready(cast, name="待公示", serial=51)
        branch = queue_for(cast.zhibu)
        committee = queue_for(cast.dangwei)
        district = queue_for(cast.qu)
    assert ("notice_due", due.pk) in {(i.kind, i.candidate_id) for i in branch}
    assert not [i for i in committee if i.candidate_id == due.pk]
    assert not [i for i in district if i.candidate_id == due.pk]


def test_it_gives_the_district_the_reports_submitted_for_its_review_with_the_deadline(cast):
    campaign = half_year(cast)
    sub = mine(campaign, cast.sub_a)
    with on(date(2026, 6, 22)):
        do_save_draft(cast.dangwei, sub, summary_done="按计划开展")
        assert not [i for i in queue_for(cast.qu) if i.kind == "report_review"]
        do_submit_report(cast.dangwei, sub)
        district = [i for i in queue_for(cast.qu) if i.kind == "report_review"]
        assert not [i for i in queue_for(cast.dangwei) if i.kind == "report_review"]
    assert len(district) == 1
    assert district[0].deadline == date(2026, 6, 30)
    assert district[0].url == f"/reports/submissions/{sub.pk}/"
