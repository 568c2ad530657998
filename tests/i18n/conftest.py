from __future__ import annotations

from datetime import date, timedelta

import pytest

from fazhan.notices.actions import do_create_notice, do_publish_notice, do_record_consent
from tests.notices.files import activist_ready, new_person, past, today


@pytest.fixture
def world(cast):
    """The cast with two real files: an applicant whose talk came late (a finding, next steps)
    and an activist on a running public notice (the public list is not empty)."""
    t = today()
    late = past(
        cast,
        new_person(cast, name="欧阳明", sex="M", birth=date(1995, 5, 6), serial=21),
        [("S01", t - timedelta(days=200), {}), ("S02", t - timedelta(days=100), {})],
    )
    ready = activist_ready(cast, name="林一", serial=11)
    notice = do_create_notice(
        cast.zhibu,
        org=cast.branch_a,
        kind="N-TGT",
        candidates=[ready],
        contact="城关社区党委办公室 0851-2860123",
    )
    for entry in notice.entries.all():
        do_record_consent(cast.zhibu, entry, consented_on=t)
    notice = do_publish_notice(cast.zhibu, notice)
    return {"cast": cast, "late": late, "ready": ready, "notice": notice}
