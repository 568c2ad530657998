from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.holidays import table


@pytest.fixture(autouse=True)
def _late_2026():
    """The State Council publishes 2027's arrangement late in 2026: the pages offer 2014–2027."""
    with time_machine.travel(
        datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_table():
    """Each test's database starts empty: no table cached from another test's years."""
    table.invalidate()
    yield
    table.invalidate()
