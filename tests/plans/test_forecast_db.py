"""The forecast read from the database (derived columns and the projection's next steps), with
"today" set by time-machine."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from fazhan.plans import indicators
from fazhan.plans.forecast import forecast_for, pipeline_items
from fazhan.testing.factories import BranchFactory
from tests.plans.helpers import make, next_steps

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_it_forecasts_a_hand_built_pipeline(cast):
    branch = BranchFactory.create(parent=cast.sub_a)
    d = date.fromisoformat
    # Two approved this year already, one of them a man over 35.
    make(branch, stage="probationary", admitted_on=d("2026-02-10"), approved_on=d("2026-03-01"))
    make(
        branch,
        stage="member",
        sex="M",
        born=d("1980-01-01"),
        admitted_on=d("2026-01-05"),
        approved_on=d("2026-02-01"),
    )
    # Awaiting approval since 20 August: certain.
    make(branch, stage="probationary", admitted_on=d("2026-08-20"))
    # Meeting in January, never approved: past the six months (细则 art. 25).
    make(branch, stage="probationary", admitted_on=d("2026-01-20"))
    # 志愿书 filled on 25 August, the meeting still to hold; a man.
    make(
        branch,
        stage="target",
        sex="M",
        target_on=d("2026-06-01"),
        projection=next_steps("S15", S15="2026-08-25"),
    )
    # An activist since June 2025 whose 发展对象 notice is not out yet.
    make(
        branch,
        stage="activist",
        activist_on=d("2025-06-01"),
        projection=next_steps("S06", "N-TGT", "S07", S07="2026-06-01"),
    )
    # An activist since March 2026: the year is not complete before 31 December.
    make(
        branch,
        stage="activist",
        activist_on=d("2026-03-01"),
        projection=next_steps("S07", S07="2027-03-01"),
    )
    # An applicant whose activist notice ended on 4 September.
    make(branch, stage="applicant", projection=next_steps("S03", S03="2026-09-05"))

    with time_machine.travel(TODAY, tick=False):
        today = timezone.localdate()
        items = pipeline_items(2026, {branch.pk}, today)
        now = indicators.indicator_counts(2026, {branch.pk})
        fc = forecast_for(2026, {branch.pk}, today, now)

    # The recent activist and the expired meeting cannot make it: the query leaves them out.
    assert len(items) == 4
    assert (now.developed, now.female, now.activists) == (2, 1, 3)
    assert (fc.low.developed, fc.high.developed) == (3, 5)  # 2 + 1 + ⌊¾⌋; 2 + 3
    assert (fc.low.female, fc.high.female) == (2, 3)
    # Pool: 3 now; leaving: the target and the old activist could (fast), ⌊¾ + ⅒⌋ = 0 expected;
    # joining: the applicant whose notice is out.
    assert (fc.pool.leave_low, fc.pool.leave_high, fc.pool.join_low) == (0, 2, 1)
    assert (fc.pool.low, fc.pool.high) == (2, 4)
