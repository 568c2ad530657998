from __future__ import annotations

import base64
import hashlib
import itertools
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from fazhan.audit.chain import (
    GENESIS_HASH,
    ChainError,
    ChainProblem,
    NewEvent,
    append_event,
    append_events_bulk,
    canonical_bytes,
    event_hash,
    events_of,
    head_code,
    read_head,
    register_verifier,
    unregister_verifier,
    verify_chain,
)
from fazhan.audit.models import AppendOnlyError, ChainHead, Event
from tests.audit.helpers import T0, build_chain, raw, sample_event

CODE_RE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


def test_it_pins_the_canonical_encoding() -> None:
    # A golden vector (checked with `printf ... | sha256sum`): a library upgrade or a refactoring that changed a single byte of the
    # encoding would make every stored chain look tampered with.
    fields: dict[str, Any] = {
        "seq": 1,
        "prev_hash": GENESIS_HASH,
        "candidate_id": 42,
        "kind": "S07",
        "happened_on": date(2024, 5, 6),
        "recorded_at": datetime(2024, 5, 6, 10, 0, tzinfo=timezone(timedelta(hours=8))),
        "recorded_by_id": None,
        "payload": {"z": [1, 2], "a": "支部"},
    }
    assert canonical_bytes(**fields) == (
        '{"candidate_id":42,"happened_on":"2024-05-06","kind":"S07",'
        '"payload":{"a":"支部","z":[1,2]},"prev_hash":"' + GENESIS_HASH + '",'
        '"recorded_at":"2024-05-06T02:00:00.000000+00:00","recorded_by_id":null,"seq":1}'
    ).encode("utf-8")
    assert event_hash(**fields) == hashlib.sha256(canonical_bytes(**fields)).hexdigest()
    assert event_hash(**fields) == (
        "f1325b7a27026c7baae8dfef9d78e924d547f3d3fa3e1c5669a4d87849c3af81"
    )


def test_it_formats_the_head_code() -> None:
    assert head_code(GENESIS_HASH) == "AAAA-AAAA-AAAA"
    digest = hashlib.sha256(b"fazhan").hexdigest()
    text = base64.b32encode(bytes.fromhex(digest)).decode()
    assert head_code(digest) == f"{text[:4]}-{text[4:8]}-{text[8:12]}"
    assert CODE_RE.fullmatch(head_code(digest))


@pytest.mark.django_db
def test_it_links_each_event_to_the_one_before() -> None:
    events = build_chain(6)
    assert [event.seq for event in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    stored = list(Event.objects.order_by("seq"))
    assert [event.hash for event in stored] == [event.hash for event in events]
    # What the database hands back hashes to what was stored (types, time zones, JSON).
    for event in stored:
        assert event.hash == event_hash(
            seq=event.seq,
            prev_hash=event.prev_hash,
            candidate_id=event.candidate_id,
            kind=event.kind,
            happened_on=event.happened_on,
            recorded_at=event.recorded_at,
            recorded_by_id=event.recorded_by_id,
            payload=event.payload,
        )


@pytest.mark.django_db
def test_it_moves_the_head_with_each_append() -> None:
    assert read_head().seq == 0
    assert read_head().hash == GENESIS_HASH
    events = build_chain(3)
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (3, events[-1].hash)
    result = verify_chain()
    assert result.ok
    assert (result.events, result.head) == (3, head_code(events[-1].hash))
    assert CODE_RE.fullmatch(result.head or "")


@pytest.mark.django_db
def test_it_records_the_server_time_by_default() -> None:
    before = datetime.now(UTC)
    with transaction.atomic():
        event = append_event(kind="S01", candidate_id=1, happened_on=None, payload={})
    assert before <= event.recorded_at <= datetime.now(UTC)
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_stores_the_payload_it_hashed() -> None:
    with transaction.atomic():
        append_event(
            kind="x-test", candidate_id=None, happened_on=None, payload={"pair": (1, 2), "b": True}
        )
    assert Event.objects.get().payload == {"pair": [1, 2], "b": True}
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payload": {"ratio": 0.5}}, "小数"),
        ({"payload": {"introducers": [{"name": "张三"}]}}, "个人信息"),
        ({"payload": {"身份证号": "x"}}, "个人信息"),
        ({"payload": {1: "x"}}, "字符串"),
        ({"payload": {"s": "a\x00b"}}, "NUL"),
        ({"payload": {"d": date(2024, 1, 1)}}, "不支持"),
        ({"payload": [1]}, "JSON 对象"),
        ({"kind": ""}, "事件类型"),
        ({"kind": "S 07"}, "事件类型"),
        ({"happened_on": datetime(2024, 1, 1, tzinfo=UTC)}, "日期"),
        ({"candidate_id": "7"}, "整数"),
        ({"recorded_by_id": True}, "整数"),
        ({"recorded_at": datetime(2024, 1, 1)}, "时区"),  # noqa: DTZ001 - the naive one is the point
    ],
)
def test_it_refuses_what_could_not_be_corrected_later(changes: dict[str, object], message: str):
    arguments: dict[str, object] = {
        "kind": "S01",
        "candidate_id": 1,
        "happened_on": date(2024, 1, 1),
        "payload": {},
        **changes,
    }
    with transaction.atomic(), pytest.raises(ChainError, match=message):
        append_event(**arguments)  # type: ignore[arg-type]
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_append_outside_a_transaction() -> None:
    assert not connection.in_atomic_block
    with pytest.raises(TransactionManagementError):
        append_event(kind="S01", candidate_id=1, happened_on=None, payload={})
    with pytest.raises(TransactionManagementError):
        append_events_bulk([sample_event(0)])


@pytest.mark.django_db
def test_it_bulk_loads_the_same_chain_as_one_by_one() -> None:
    one_by_one = [event.hash for event in build_chain(25)]
    raw("DELETE FROM audit_event")
    raw("DELETE FROM audit_chainhead")
    with transaction.atomic():
        head = append_events_bulk((sample_event(index) for index in range(25)), batch_size=7)
    assert list(Event.objects.order_by("seq").values_list("hash", flat=True)) == one_by_one
    assert (head.seq, head.hash) == (25, one_by_one[-1])
    assert (ChainHead.objects.get().seq, ChainHead.objects.get().hash) == (25, one_by_one[-1])
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_continues_one_by_one_after_a_bulk_load() -> None:
    with transaction.atomic():
        append_events_bulk(sample_event(index) for index in range(10))
        assert append_events_bulk([]).seq == 10
        event = append_event(kind="S02", candidate_id=3, happened_on=None, payload={})
    assert event.seq == 11
    result = verify_chain()
    assert (result.ok, result.events) == (True, 11)


@pytest.mark.django_db
def test_it_refuses_to_append_when_the_head_is_missing() -> None:
    build_chain(2)
    raw("DELETE FROM audit_chainhead")
    with pytest.raises(ChainError, match="链头缺失"), transaction.atomic():
        append_event(kind="S01", candidate_id=1, happened_on=None, payload={})
    # The genesis head tried on the way is rolled back with the refusal: verify still sees it.
    assert not ChainHead.objects.exists()
    assert (verify_chain().problem or "").startswith("链头缺失")


@pytest.mark.django_db
def test_it_finds_a_candidates_events_in_chain_order() -> None:
    build_chain(12)
    found = events_of(100)
    assert [event.seq for event in found] == [1, 4, 7]
    assert all(event.candidate_id == 100 for event in found)


@pytest.mark.django_db
def test_it_refuses_to_edit_or_delete_through_the_orm() -> None:
    event = build_chain(1)[0]
    event.kind = "S02"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ChainHead.objects.get().delete()


@pytest.mark.django_db
def test_it_calls_registered_verifiers_and_reports_the_first_problem() -> None:
    build_chain(5)
    calls: list[str] = []

    def ballot_check(using: str) -> ChainProblem | None:
        calls.append(using)
        return ChainProblem(4, "选票哈希与计票事件不符")

    register_verifier(ballot_check)
    register_verifier(ballot_check)  # idempotent: called once per run
    try:
        result = verify_chain()
        assert (result.ok, result.seq, result.problem) == (False, 4, "选票哈希与计票事件不符")
        assert calls == ["default"]
        # An earlier chain problem comes first.
        raw("UPDATE audit_event SET kind = 'S99' WHERE seq = 2")
        assert verify_chain().seq == 2
    finally:
        unregister_verifier(ballot_check)
    assert verify_chain().seq == 2


@pytest.mark.django_db
def test_it_verifies_an_empty_database() -> None:
    result = verify_chain()
    assert (result.ok, result.events, result.head) == (True, 0, "AAAA-AAAA-AAAA")
    ChainHead.objects.create(seq=0, hash=GENESIS_HASH)
    assert verify_chain().ok
    assert verify_chain().as_json() == {"ok": True, "events": 0, "head": "AAAA-AAAA-AAAA"}


def test_it_keeps_old_times_exact_to_the_microsecond() -> None:
    moment = T0.astimezone(timezone(timedelta(hours=8)))
    fields: dict[str, Any] = {
        "seq": 2,
        "prev_hash": "a" * 64,
        "candidate_id": None,
        "kind": "S01",
        "happened_on": None,
        "recorded_at": moment,
        "recorded_by_id": 1,
        "payload": {},
    }
    assert b'"recorded_at":"2024-03-01T08:30:00.123456+00:00"' in canonical_bytes(**fields)
    later = {**fields, "recorded_at": moment + timedelta(microseconds=1)}
    assert event_hash(**fields) != event_hash(**later)


def test_it_accepts_new_event_records() -> None:
    assert NewEvent("S01", None, None, {}).recorded_at is None


def test_it_splices_the_same_canonical_bytes_as_the_whole_document() -> None:
    from fazhan.audit.chain import _encoded_bytes, encode_event

    cases = [
        NewEvent("S07", 42, date(2024, 5, 6), {"z": [1, 2], "a": "支部", "q": 'x"\\\n'}, None),
        NewEvent("member.created", None, None, {}, 7),
        NewEvent("x-ext_1", 0, date(1999, 12, 31), {"nested": {"b": None, "a": [True]}}, 3),
    ]
    moment = datetime(2024, 5, 6, 10, 0, 0, 123, tzinfo=timezone(timedelta(hours=8)))
    for seq, new in enumerate(cases, start=1):
        whole = canonical_bytes(
            seq=seq,
            prev_hash=GENESIS_HASH,
            candidate_id=new.candidate_id,
            kind=new.kind,
            happened_on=new.happened_on,
            recorded_at=moment,
            recorded_by_id=new.recorded_by_id,
            payload=new.payload,
        )
        iso = moment.astimezone(UTC).isoformat(timespec="microseconds")
        assert _encoded_bytes(encode_event(new), seq, GENESIS_HASH, iso) == whole


@pytest.mark.django_db
def test_it_appends_events_encoded_beforehand_as_the_same_chain() -> None:
    from fazhan.audit.chain import encode_event

    one_by_one = [event.hash for event in build_chain(12)]
    raw("DELETE FROM audit_event")
    raw("DELETE FROM audit_chainhead")
    encoded = [encode_event(sample_event(index)) for index in range(12)]
    with transaction.atomic():
        head = append_events_bulk(encoded, batch_size=5)
    assert list(Event.objects.order_by("seq").values_list("hash", flat=True)) == one_by_one
    assert head.hash == one_by_one[-1] and verify_chain().ok
    with pytest.raises(ChainError, match="个人信息"):
        encode_event(NewEvent("S01", 1, None, {"name": "示例"}))
