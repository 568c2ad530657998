"""The plan a preview keeps (docs/import.md, "The kept plan"): the confirmation only writes it
when nothing it was made from has changed; a change between preview and confirmation (a branch
renamed, the day passed, an event on a person of the file, a member added to the roster) makes a
fresh plan, never a stale write; what is kept is sealed (no name or ID number readable)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import OperationalError, transaction

from fazhan.audit.chain import NewEvent, append_event, append_events_bulk, events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.imports import actions, kept
from fazhan.imports.models import BatchStatus, ImportPlan
from fazhan.orgs.models import Member, Organization
from fazhan.people.actions import do_withdraw
from fazhan.people.idnumber import make_demo_id
from fazhan.people.intake import do_register_application
from fazhan.people.models import Candidate
from fazhan.people.record import evaluate_candidate, follow_roster
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
    person("示例留存甲", serial=1, **APPLICANT),
    person("示例留存乙", sex="女", serial=2, **ACTIVIST),
    person("示例留存丙", serial=3, **TARGET),
    person("示例留存丁", serial=4, **MEMBER),
]


def preview(cast, rows=ROWS):
    with on():
        return actions.do_preview_roster(
            cast.zhibu, org=cast.branch_a, filename="名册.xlsx", data=xlsx(rows)
        )


@pytest.fixture
def plans(monkeypatch) -> list[int]:
    """The head each plan was made from, for every plan made after the preview kept its own."""
    made: list[int] = []
    plain = actions._plan

    def counted(*args, **kwargs):
        plan = plain(*args, **kwargs)
        made.append(plan.head_seq)
        return plan

    monkeypatch.setattr(actions, "_plan", counted)
    return made


def mine() -> list[Candidate]:
    return list(Candidate.objects.filter(person__name__startswith="示例").order_by("pk"))


def assert_written_right(count: int) -> None:
    """Every file's projection is the engine's verdict on its events as the chain holds them,
    and its head_seq is its last event's seq."""
    files = mine()
    assert len(files) == count and verify_chain().ok
    for candidate in files:
        chain = events_of(candidate.pk)
        assert candidate.head_seq == chain[-1].seq
        fresh = evaluate_candidate(candidate, chain).as_dict()
        assert candidate.stage == fresh["stage"]
        assert [f["id"] for f in candidate.projection["findings"]] == [
            f["id"] for f in fresh["findings"]
        ]


def test_it_keeps_the_preview_plan_and_confirms_without_planning_again(cast, plans):
    batch = preview(cast)
    kept_row = ImportPlan.objects.get(batch=batch)
    assert plans == [kept_row.head_seq]  # planned once, by the preview
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert plans == [kept_row.head_seq]  # the confirmation only wrote
    assert_written_right(4)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert not ImportPlan.objects.filter(batch=batch).exists()  # dropped with the token


def test_it_seals_the_kept_plan_no_name_or_id_number_readable(cast):
    batch = preview(cast)
    sealed = bytes(ImportPlan.objects.get(batch=batch).sealed)
    for row in ROWS:
        assert str(row["身份证号"]).encode() not in sealed
        assert str(row["姓名"]).encode() not in sealed
    _orgs, _version, packed = kept.unseal(sealed)
    opened, _values = actions._unpacked(packed)
    assert isinstance(opened, actions._Plan)
    assert all(item.id_number is None for item in opened.items)  # not even once opened
    assert all(not item.events and not item.person_fields for item in opened.items)
    # A row this server did not seal is never unpickled: the confirmation plans again.
    assert kept.unseal(b"gAAAAA-not-a-token") is None
    ImportPlan.objects.filter(batch=batch).update(sealed=sealed[:-8] + b"AAAAAAAA")
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert_written_right(4)


def test_it_moves_the_kept_plan_along_when_another_writer_appended(cast, plans):
    batch = preview(cast)
    made = list(plans)
    with transaction.atomic():
        append_events_bulk([NewEvent("x-other", None, None, {"n": n}) for n in range(3)])
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert plans == made  # not planned again: the seqs moved by three
    assert_written_right(4)
    first = events_of(mine()[0].pk)[0]
    assert first.seq == made[0] + 4 and first.kind == "candidate.opened"


def test_it_plans_afresh_when_a_branch_is_renamed_between_preview_and_confirm(cast, plans):
    batch = preview(cast)
    Organization.objects.filter(pk=cast.branch_a.pk).update(name="城关社区第一党支部（改名）")
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert len(plans) == 2  # the preview's, then a fresh one at confirmation
    assert_written_right(4)


def test_it_plans_afresh_on_another_day(cast, plans):
    batch = preview(cast)
    with on(date(2024, 6, 4)):
        actions.do_apply_batch(cast.zhibu, batch)
    assert len(plans) == 2
    assert {c.projection["as_of"] for c in mine()} == {"2024-06-04"}


def test_it_plans_afresh_when_another_writer_records_on_a_person_of_the_file(cast, plans):
    born = date(1990, 5, 17)
    number = make_demo_id(born, "F", 7)
    with on():
        earlier = do_register_application(
            cast.zhibu,
            org=cast.branch_a,
            name="示例再申",
            sex="F",
            birth_date=born,
            id_number=number,
            applied_on=date(2024, 1, 2),
        )
        do_withdraw(cast.zhibu, earlier, happened_on=date(2024, 2, 1), reason="本人撤回")
    again = person("示例再申", sex="女", born=born, serial=7, **APPLICANT)
    batch = preview(cast, [ROWS[0], again])
    assert len(plans) == 1 and ImportPlan.objects.filter(batch=batch).exists()
    # Another writer records on the earlier file of the person the second row re-admits.
    with transaction.atomic():
        append_event(kind="x-note", candidate_id=earlier.pk, happened_on=None, payload={"n": 1})
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert len(plans) == 2 and plans[1] == plans[0] + 1  # fresh, from the moved head
    reopened = Candidate.objects.exclude(pk=earlier.pk).get(person_id=earlier.person_id)
    opened = events_of(reopened.pk)[0]
    assert opened.payload["earlier"] == [earlier.pk] and verify_chain().ok


def test_it_refuses_at_confirm_a_number_put_on_file_since_the_preview(cast, plans):
    batch = preview(cast)
    with on():
        actions.do_apply_batch(cast.zhibu, preview(cast, ROWS[1:2]))
    events = Event.objects.count()
    with on(), pytest.raises(actions.ActionRefused, match=r"第 3 行.*本批未导入任何内容"):
        actions.do_apply_batch(cast.zhibu, batch)
    assert Event.objects.count() == events
    assert not ImportPlan.objects.filter(batch=batch).exists()


def test_it_plans_afresh_when_a_member_named_in_a_file_joins_the_roster(cast, plans):
    document = {
        "format": "fazhan-candidate-file/1",
        "person": {"name": "示例档案", "sex": "M", "birth_date": "1995-01-09"},
        "events": [
            {
                "id": "e1",
                "type": "S01",
                "date": "2024-03-04",
            },
            {
                "id": "e2",
                "type": "S05",
                "date": "2024-03-18",
                "contacts": [{"name": "示例联系人", "status": "full"}],
            },
        ],
    }
    with on():
        batch = actions.do_preview_files(
            cast.zhibu,
            org=cast.branch_a,
            uploads=[("a.json", json.dumps(document, ensure_ascii=False).encode())],
        )
    assert not batch.has_errors, list(batch.rows.values_list("errors", flat=True))
    assert ImportPlan.objects.filter(batch=batch).exists()
    # Meanwhile the contact is put on the branch's roster by someone else.
    joined = Member.objects.create(org=cast.branch_a, name="示例联系人", status="full")
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert len(plans) == 2
    [candidate] = mine()
    talk = next(e for e in events_of(candidate.pk) if e.kind == "S05")
    assert talk.payload["contacts"][0]["member_id"] == joined.pk  # no placeholder, no duplicate
    assert Member.objects.filter(org=cast.branch_a, name="示例联系人").count() == 1


def test_it_answers_a_busy_database_at_confirm_with_503_and_writes_nothing(
    client, cast, monkeypatch
):
    client.force_login(cast.zhibu)
    batch = preview(cast)
    people, events = Candidate.objects.count(), Event.objects.count()
    plain_drop = kept.drop

    def locked_out(pk: int) -> None:
        # The write transaction has sent the people, files and events when the database says
        # it is locked (SQLite's busy timeout passed): everything of it is rolled back.
        assert Candidate.objects.count() == people + len(ROWS)
        raise OperationalError("database is locked")

    monkeypatch.setattr(kept, "drop", locked_out)
    with on():
        response = client.post(f"/imports/{batch.pk}/confirm/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "系统繁忙" in response.content.decode()
    assert (Candidate.objects.count(), Event.objects.count()) == (people, events)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and batch.can_apply
    assert ImportPlan.objects.filter(batch=batch).exists()  # kept: the retry only writes
    monkeypatch.setattr(kept, "drop", plain_drop)
    with on():
        assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert_written_right(len(ROWS))


def test_it_puts_approved_rows_on_the_roster_as_judging_them_again_would(
    cast, django_capture_on_commit_callbacks
):
    rows = [*ROWS, person("示例留存戊", serial=5, **PROBATIONARY)]
    batch = preview(cast, rows)
    with on(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.do_apply_batch(cast.zhibu, batch)
    assert callbacks
    files = {c.person.name: c for c in mine()}
    members = {m.candidate_id: m for m in Member.objects.filter(candidate__in=files.values())}
    # The member and the probationary member joined from the plan's facts; no one else.
    assert set(members) == {files["示例留存丁"].pk, files["示例留存戊"].pk}
    assert members[files["示例留存丁"].pk].status == "full"
    assert members[files["示例留存戊"].pk].status == "probationary"
    # Reading every file back and judging it again (`follow_roster`) finds nothing to change.
    events = Event.objects.count()
    state = sorted(Member.objects.values_list("candidate_id", "status", "active", "org_id"))
    with on(), django_capture_on_commit_callbacks(execute=True):
        follow_roster([c.pk for c in files.values()])
    assert Event.objects.count() == events
    assert sorted(Member.objects.values_list("candidate_id", "status", "active", "org_id")) == state
    assert verify_chain().ok


def test_it_forgets_the_kept_plan_when_the_batch_is_discarded(cast):
    batch = preview(cast)
    assert ImportPlan.objects.filter(batch=batch).exists()
    actions.do_discard_batch(cast.zhibu, batch)
    assert not ImportPlan.objects.filter(batch=batch).exists()
    # A plan is never kept for a batch that is no longer a draft.
    assert not actions.keep_plan(cast.zhibu, batch.pk)
    assert not ImportPlan.objects.exists()


def test_it_plans_afresh_when_a_row_changed_since_the_preview(cast, plans):
    batch = preview(cast)
    row = batch.rows.order_by("number").first()
    data = dict(row.data)
    data["person"] = {**data["person"], "name": "示例留存改"}
    type(row).objects.filter(pk=row.pk).update(data=data)
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    assert len(plans) == 2  # the stored row is not what the plan was made from
    assert "示例留存改" in {c.person.name for c in mine()}
    assert_written_right(4)


def test_it_follows_files_that_moved_before_the_roster_joined_them(
    cast, django_capture_on_commit_callbacks
):
    batch = preview(cast, [ROWS[3], person("示例留存戊", serial=5, **PROBATIONARY)])
    with on(), django_capture_on_commit_callbacks() as callbacks:
        actions.do_apply_batch(cast.zhibu, batch)
    assert not Member.objects.filter(candidate__in=mine()).exists()  # after the commit only
    # Between the commit and the roster's turn another writer moved a file on: the planned rows
    # are not written, each file is followed as judging it again would.
    moved = mine()[0]
    Candidate.objects.filter(pk=moved.pk).update(head_seq=moved.head_seq + 1)
    with on(), django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    members = list(Member.objects.filter(candidate__in=mine()))
    assert sorted(m.candidate_id for m in members) == [c.pk for c in mine()]
    assert {m.status for m in members} == {"full", "probationary"}
    assert verify_chain().ok
