"""The counts summary an import writes from its plan (fazhan.people.summary.planned_rows) is the
one a full recount (`rebuild_summary`, the `summarize` command) makes from the chain: for a roster
confirmed with the plan its preview kept, for candidate files (one naming a new contact, one
transferred in from another organization, judged at the write), and for `fazhan import`."""

from __future__ import annotations

import json

import pytest

from fazhan.audit.chain import verify_chain
from fazhan.imports import actions
from fazhan.imports.models import ImportPlan
from fazhan.people.models import Candidate, CountSpan
from fazhan.people.summary import rebuild_summary
from tests.imports.helpers import (
    ACTIVIST,
    APPLICANT,
    MEMBER,
    PROBATIONARY,
    TARGET,
    on,
    person,
    xlsx,
)

pytestmark = pytest.mark.django_db

ROWS = [
    person("示例计数甲", serial=1, **APPLICANT),
    person("示例计数乙", sex="女", serial=2, **ACTIVIST),
    person("示例计数丙", serial=3, **TARGET),
    person("示例计数丁", serial=4, **MEMBER),
    person("示例计数戊", sex="女", serial=5, **PROBATIONARY),
]


def _rows() -> list[tuple[object, ...]]:
    """The summary rows of the files imported here (the cast has files of its own)."""
    fields = [f.name for f in CountSpan._meta.fields if f.name != "id"]
    mine = CountSpan.objects.filter(candidate__person__name__startswith="示例")
    return sorted(mine.values_list(*fields), key=repr)


def _recounted() -> list[tuple[object, ...]]:
    CountSpan.objects.all().delete()
    rebuild_summary()
    return _rows()


def _kept(cast, batch):
    with on():
        found = actions._kept_plan(cast.zhibu, batch)
    return found[0] if found is not None else None


def _document(name: str, events: list[dict[str, object]]) -> bytes:
    document = {
        "format": "fazhan-candidate-file/1",
        "person": {"name": name, "sex": "M", "birth_date": "1995-01-09", "education": "bachelor"},
        "events": events,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def test_it_writes_the_summary_of_a_kept_roster_plan_as_a_recount_makes_it(cast):
    with on():
        batch = actions.do_preview_roster(
            cast.zhibu, org=cast.branch_a, filename="名册.xlsx", data=xlsx(ROWS)
        )
    assert ImportPlan.objects.filter(batch=batch).exists()
    plan = _kept(cast, batch)
    assert plan is not None and all(rows for rows in plan.count_rows)  # worked out ahead
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    written = _rows()
    files = set(
        Candidate.objects.filter(person__name__startswith="示例").values_list("pk", flat=True)
    )
    assert {row[0] for row in written} == files and len(files) == len(ROWS)
    assert _recounted() == written
    assert verify_chain().ok


def test_it_leaves_a_transferred_file_to_the_recount_and_writes_the_others(cast):
    contact = [{"name": "示例新联系人", "status": "full"}]
    uploads = [
        (
            "a.json",
            _document(
                "示例档案甲",
                [
                    {"id": "e1", "type": "S01", "date": "2024-03-04"},
                    {"id": "e2", "type": "S05", "date": "2024-03-18", "contacts": contact},
                ],
            ),
        ),
        (
            "b.json",
            _document(
                "示例档案乙",
                [
                    {"id": "e1", "type": "S01", "date": "2023-03-04"},
                    {"id": "e2", "type": "S02", "date": "2023-03-20"},
                    {
                        "id": "e3",
                        "type": "transfer-in",
                        "date": "2024-01-05",
                        "from_org": "外区某党支部",
                    },
                ],
            ),
        ),
    ]
    with on():
        batch = actions.do_preview_files(cast.zhibu, org=cast.branch_a, uploads=uploads)
    assert not batch.has_errors, list(batch.rows.values_list("errors", flat=True))
    plan = _kept(cast, batch)
    assert plan is not None
    assert plan.count_rows[0] and plan.count_rows[1] is None  # the transfer: judged at the write
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    written = _rows()
    assert len({row[0] for row in written}) == 2
    assert _recounted() == written


def test_it_writes_the_summary_of_fazhan_import_as_a_recount_makes_it(cast, tmp_path):
    from fazhan.imports import direct

    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(ROWS))
    with on():
        outcome = direct.run_roster(str(path), scope=cast.branch_a.code, confirm=True)
    assert outcome.written and not outcome.errors
    written = _rows()
    assert len({row[0] for row in written}) == len(ROWS)
    assert _recounted() == written
