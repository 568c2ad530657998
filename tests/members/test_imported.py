"""An imported file the committee approved reaches the member roster once the import is
committed (issue 12 item 4: "newly admitted and converted members never reach their branch's
member list" was true of imports, which project in bulk)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.imports.actions import do_import_candidate
from fazhan.imports.document import person_fields
from fazhan.members.history import roster_on
from fazhan.orgs.models import MemberStatus

pytestmark = pytest.mark.django_db

CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)


def test_it_puts_an_imported_converted_member_on_the_roster_after_the_commit(
    cast, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2021, 8, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            candidate = do_import_candidate(
                cast.zhibu,
                org=cast.branch_a,
                person_fields=person_fields(CLEAN["person"]),
                id_number=None,
                events=CLEAN["events"],
            )
            # Nothing on the roster before the import is committed.
            assert not [m for m in roster_on(cast.branch_a, date(2021, 8, 1)) if m.candidate_id]
        assert callbacks
    on_roster = {m.candidate_id: m for m in roster_on(cast.branch_a, date(2021, 8, 1))}
    assert on_roster[candidate.pk].status == MemberStatus.FULL
