"""The notices part of the queues: drafts to publish, candidates due a notice, feedback to handle."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.notices.actions import (
    do_assign_feedback,
    do_create_notice,
    do_publish_notice,
    do_record_consent,
    do_submit_feedback,
)
from fazhan.notices.queues import QueueItem
from fazhan.web.queues import by_deadline, queue_for
from tests.notices.files import activist_ready, today
from tests.notices.test_notices import at

pytestmark = pytest.mark.django_db


def test_it_lists_drafts_due_notices_and_feedback_oldest_first_with_deadlines(cast):
    with at("2026-03-02"):
        due = activist_ready(cast, name="待公示", serial=51)
        drafted = activist_ready(cast, name="草稿中", serial=52)
        running = activist_ready(cast, name="公示中", serial=53)
        draft = do_create_notice(
            cast.zhibu, org=cast.branch_a, kind="N-TGT", candidates=[drafted], contact="x"
        )
        notice = do_create_notice(
            cast.zhibu, org=cast.branch_a, kind="N-TGT", candidates=[running], contact="x"
        )
        do_record_consent(cast.zhibu, notice.entries.get(), consented_on=today())
        notice = do_publish_notice(cast.zhibu, notice)
    with at("2026-03-04"):
        item, _ = do_submit_feedback(notice, text="请核实。")
        mine = queue_for(cast.zhibu)
        assert all(isinstance(i, QueueItem) for i in mine)
        kinds = {(i.kind, i.candidate_id or i.notice_id) for i in mine}
        assert ("notice_draft", draft.pk) in kinds
        assert ("notice_due", due.pk) in kinds
        assert ("notice_due", drafted.pk) not in kinds and ("notice_due", running.pk) not in kinds
        feedback = next(i for i in mine if i.kind == "feedback")
        assert feedback.url == f"/notices/feedback/{item.pk}/" and "未指定承办人" in feedback.title
        assert feedback.since == date(2026, 3, 4) and feedback.deadline == notice.end
        do_assign_feedback(cast.zhibu, item, handler=cast.zhibu, deadline=date(2026, 3, 5))
        again = next(i for i in queue_for(cast.zhibu) if i.kind == "feedback")
        assert again.deadline == date(2026, 3, 5)
        assert mine == sorted(mine, key=by_deadline)
        # Feedback on a branch's notice waits for the branch, not for the committee above
        # (issue 14 item 4); another branch and the auditor do not see it either.
        assert not any(i.kind == "feedback" for i in queue_for(cast.dangwei))
        assert not any(i.kind == "feedback" for i in queue_for(cast.zhibu2))
        assert queue_for(cast.shenji) == [] and queue_for(cast.admin) == []
