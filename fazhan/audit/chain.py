"""Appending to the one hash-chained event log and verifying it (DESIGN principle 2).

Every event stores the SHA-256 of a canonical encoding of its own fields together with the hash of
the event before it (`prev_hash`); the head (seq and hash of the last event) is kept in its own
table and moved in the same transaction. `verify_chain` recomputes everything and names the first
event that does not match. What is hashed, exactly, is in `canonical_bytes` and docs/chain.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from fazhan.audit.models import GENESIS_HASH, HEAD_ID, ChainHead, Event

__all__ = [
    "GENESIS_HASH",
    "ChainError",
    "ChainProblem",
    "EncodedEvent",
    "Head",
    "NewEvent",
    "VerifyResult",
    "append_event",
    "append_events_bulk",
    "canonical_bytes",
    "encode_event",
    "event_hash",
    "events_of",
    "head_code",
    "read_head",
    "register_verifier",
    "unregister_verifier",
    "verify_chain",
]

# Event types: steps (S07), notices (N-TGT), `correct`, `x-...` extensions and dotted internal
# names (notice.feedback.closed). Whitespace or an empty kind would make the log hard to read.
KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

# Principle 8: payloads carry ids, never personal data. A key from this list is the typical slip
# (an introducer's name copied from the candidate file, an ID number); refusing it here, at the one
# place every event passes, keeps it out of a log that can never be edited afterwards.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "full_name",
        "id_number",
        "id_no",
        "id_card",
        "phone",
        "mobile",
        "email",
        "address",
        "birth_date",
        "姓名",
        "身份证号",
        "身份证号码",
        "电话",
        "手机",
        "住址",
        "出生日期",
    }
)

VERIFY_CHUNK = 5000
BULK_BATCH = 2000
_EVENT_COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "candidate_id",
    "kind",
    "happened_on",
    "recorded_at",
    "recorded_by_id",
    "payload",
)


class ChainError(Exception):
    """The chain cannot be appended to as asked (bad input, missing transaction, missing head)."""


# ---------------------------------------------------------------------------------------------
# The canonical encoding


def _utc_iso(moment: datetime) -> str:
    # Always UTC and always six fractional digits, whatever the database handed back, so the same
    # instant encodes to the same bytes on SQLite and PostgreSQL.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_bytes(
    *,
    seq: int,
    prev_hash: str,
    candidate_id: int | None,
    kind: str,
    happened_on: date | None,
    recorded_at: datetime,
    recorded_by_id: int | None,
    payload: Mapping[str, Any],
) -> bytes:
    """The bytes an event's hash is taken over: one JSON object, keys sorted, no spaces, UTF-8.

    `seq` and `prev_hash` are inside, so a moved or relinked row no longer matches its own hash.
    Changing this function changes every hash: tests pin it with a golden vector.
    """
    document = {
        "seq": seq,
        "prev_hash": prev_hash,
        "candidate_id": candidate_id,
        "kind": kind,
        "happened_on": happened_on.isoformat() if happened_on is not None else None,
        "recorded_at": _utc_iso(recorded_at),
        "recorded_by_id": recorded_by_id,
        "payload": payload,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(**fields: Any) -> str:
    """SHA-256 hex of `canonical_bytes(**fields)`."""
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()


def head_code(hash_hex: str) -> str:
    """The head's short code for paper: RFC 4648 base32 of the hash, 12 characters, XXXX-XXXX-XXXX.

    60 bits: enough that a forged chain will not share the code printed on a result sheet, short
    enough to copy by hand. Base32 (A-Z, 2-7) has no 0/O or 1/I/L to misread.
    """
    text = base64.b32encode(bytes.fromhex(hash_hex)).decode("ascii")[:12]
    return f"{text[0:4]}-{text[4:8]}-{text[8:12]}"


# ---------------------------------------------------------------------------------------------
# Validation of what goes in: once appended, nothing can be corrected in place


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        # PostgreSQL's jsonb cannot store U+0000; refuse it on every backend alike.
        if "\x00" in value:
            raise ChainError(f"payload {where}: 不能包含 NUL 字符 (NUL character)")
        return
    if isinstance(value, float):
        # jsonb rewrites numbers (1e16 comes back as an integer), which would change the hash;
        # and counts, ids and votes are integers anyway (integer arithmetic only).
        raise ChainError(f"payload {where}: 不能使用小数 (floats are not allowed; use integers)")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ChainError(f"payload {where}: 键必须是字符串 (keys must be strings)")
            if key.lower() in PERSONAL_KEYS:
                raise ChainError(
                    f"payload {where}.{key}: 事件中不得记录个人信息，只记 id "
                    "(no personal data in events: ids only)"
                )
            _check_json(item, f"{where}.{key}")
        return
    raise ChainError(f"payload {where}: 不支持的类型 {type(value).__name__} (not JSON)")


def _normalise_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise ChainError("payload 必须是 JSON 对象 (payload must be a mapping)")
    _check_json(payload, "$")
    # Store exactly what was hashed: the round trip turns tuples into lists, as the database will.
    normalised: dict[str, Any] = json.loads(json.dumps(payload, ensure_ascii=False))
    return normalised


def _check_optional_id(value: Any, name: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ChainError(f"{name} 必须是整数或空 (must be an integer or None)")


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append; `seq`, `prev_hash` and `hash` are the appender's to assign."""

    kind: str
    candidate_id: int | None
    happened_on: date | None
    payload: Mapping[str, Any]
    recorded_by_id: int | None = None
    recorded_at: datetime | None = None


def _prepare(new: NewEvent) -> dict[str, Any]:
    """Check an event before it is hashed; return the payload as it will be stored."""
    if not isinstance(new.kind, str) or not KIND_RE.fullmatch(new.kind):
        raise ChainError(f"kind {new.kind!r}: 事件类型无效 (letters, digits, '.', '-', '_'; <= 64)")
    if new.happened_on is not None and (
        isinstance(new.happened_on, datetime) or not isinstance(new.happened_on, date)
    ):
        raise ChainError("happened_on 必须是日期 (must be a date, not a datetime)")
    _check_optional_id(new.candidate_id, "candidate_id")
    _check_optional_id(new.recorded_by_id, "recorded_by_id")
    if new.recorded_at is not None and timezone.is_naive(new.recorded_at):
        raise ChainError("recorded_at 必须带时区 (must be timezone-aware)")
    return _normalise_payload(new.payload)


# ---------------------------------------------------------------------------------------------
# Appending


def _require_atomic(using: str) -> None:
    # The event and whatever it changes (the candidate's projection, a ballot box's state) commit
    # together or not at all (principle 5): the caller owns the transaction.
    if not connections[using].in_atomic_block:
        raise TransactionManagementError(
            "append_event 必须在 transaction.atomic() 中调用 (call inside transaction.atomic())"
        )


def _lock_head(using: str) -> ChainHead:
    """The head row, locked until the end of the transaction: appends are serialised through it.

    On PostgreSQL `select_for_update` blocks a concurrent appender here until this transaction
    ends; it then re-reads the moved head. SQLite has no row locks: the settings open every
    transaction IMMEDIATE, so the write lock is already held. Either way the `seq` primary key
    refuses a duplicate, so a race can fail an append but never fork the chain.
    """
    heads = ChainHead.objects.using(using).select_for_update()
    head = heads.filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    # No head yet: the first append ever, or a deleted head. ON CONFLICT DO NOTHING waits for a
    # concurrent first appender's uncommitted head, so once it returns the head exists and is
    # locked below. Only then is "no events yet" decided: asked before the lock, a concurrent
    # first appender could commit in between and a sound chain would look damaged.
    ChainHead.objects.using(using).bulk_create(
        [ChainHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
    )
    head = heads.get(pk=HEAD_ID)
    if head.seq == 0 and Event.objects.using(using).exists():
        # Every append moves the head in its own transaction, under this lock: a head at genesis
        # over existing events was deleted. Starting again at 0 would reuse seq 1; refuse, roll
        # back the head just inserted, and let verify report the damage.
        raise ChainError("链头缺失但已有事件 (the chain head is missing while events exist)")
    return head


def append_event(
    *,
    kind: str,
    candidate_id: int | None,
    happened_on: date | None,
    payload: Mapping[str, Any],
    recorded_by_id: int | None = None,
    recorded_at: datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Event:
    """Append one event at the head of the chain and move the head; return the saved event.

    Must run inside `transaction.atomic(using=using)`. `recorded_at` defaults to the server's
    clock now; pass it only when replaying (tests, imports that keep the original recording time).
    """
    _require_atomic(using)
    new = NewEvent(kind, candidate_id, happened_on, payload, recorded_by_id, recorded_at)
    clean_payload = _prepare(new)
    head = _lock_head(using)
    # The clock is read once the head is held, so recording times follow the chain's order.
    moment = timezone.now() if recorded_at is None else recorded_at
    seq = head.seq + 1
    fields: dict[str, Any] = {
        "seq": seq,
        "prev_hash": head.hash,
        "candidate_id": candidate_id,
        "kind": kind,
        "happened_on": happened_on,
        "recorded_at": moment,
        "recorded_by_id": recorded_by_id,
        "payload": clean_payload,
    }
    event = Event(**fields, hash=event_hash(**fields))
    event.save(force_insert=True, using=using)
    ChainHead.objects.using(using).filter(pk=HEAD_ID).update(seq=seq, hash=event.hash)
    return event


@dataclass(frozen=True, slots=True)
class Head:
    """Where the chain ends: the last event's seq and hash (0 and 64 zeros when empty)."""

    seq: int
    hash: str

    @property
    def code(self) -> str:
        return head_code(self.hash)


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """A checked event with its payload already encoded as the hash takes it (`encode_event`):
    the slow part of an append, done before the head is locked. `payload` is the stored form."""

    kind: str
    candidate_id: int | None
    happened_on: date | None
    payload: dict[str, Any]
    payload_json: str
    recorded_by_id: int | None = None
    recorded_at: datetime | None = None

    def with_candidate(self, candidate_id: int | None) -> EncodedEvent:
        """The same event for a candidate whose id was known only once it was inserted."""
        return EncodedEvent(
            self.kind,
            candidate_id,
            self.happened_on,
            self.payload,
            self.payload_json,
            self.recorded_by_id,
            self.recorded_at,
        )


def _payload_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def encode_event(new: NewEvent) -> EncodedEvent:
    """Check `new` as `append_event` does and encode its payload; needs no database, so that a
    bulk load can do it outside the transaction that holds the head (ChainError if refused)."""
    payload = _prepare(new)
    return EncodedEvent(
        new.kind,
        new.candidate_id,
        new.happened_on,
        payload,
        _payload_json(payload),
        new.recorded_by_id,
        new.recorded_at,
    )


def _json_id(value: int | None) -> str:
    return "null" if value is None else str(value)


def _encoded_bytes(event: EncodedEvent, seq: int, prev_hash: str, recorded_at: str) -> bytes:
    """`canonical_bytes` of an encoded event, spliced from its parts: `json.dumps` with sorted
    keys writes a nested value exactly as it writes that value alone, and the other values need
    no escaping (ids are integers, the kind matches KIND_RE, hashes are hex, dates ISO). A test
    checks both agree."""
    day = event.happened_on
    happened = "null" if day is None else f'"{day.isoformat()}"'
    return (
        f'{{"candidate_id":{_json_id(event.candidate_id)},"happened_on":{happened},'
        f'"kind":"{event.kind}","payload":{event.payload_json},"prev_hash":"{prev_hash}",'
        f'"recorded_at":"{recorded_at}","recorded_by_id":{_json_id(event.recorded_by_id)},'
        f'"seq":{seq}}}'
    ).encode()


def _column(name: str) -> str:
    field = Event._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ChainError(f"audit_event has no column {name}")
    return field.column


def _insert_sql(using: str) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(name)) for name in _EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    return f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES ({marks})"


def append_events_bulk(
    events: Iterable[NewEvent | EncodedEvent],
    *,
    batch_size: int = BULK_BATCH,
    using: str = DEFAULT_DB_ALIAS,
) -> Head:
    """Append many events in order, hashing in batches and inserting them with one `executemany`
    per batch (no model instances: a 10,000-row import appends ~80,000 events).

    For bulk loading (imports, the demo district, benchmarks): the same chain, byte for byte, as
    appending them one by one, with the head moved once at the end. Events given as
    `EncodedEvent` (`encode_event`) were checked and encoded beforehand, outside the lock. Must
    run inside `transaction.atomic()`; the head stays locked for the whole load. Returns the new
    head.
    """
    _require_atomic(using)
    head = _lock_head(using)
    seq, prev = head.seq, head.hash
    now = timezone.now()
    connection = connections[using]
    ops = connection.ops
    payload_field = Event._meta.get_field("payload")
    # SQLite stores JSON as text: the canonical encoding is valid JSON and reads back equal.
    as_text = connection.vendor == "sqlite"
    sql = _insert_sql(using)
    days: dict[date | None, Any] = {None: None}
    moments: dict[datetime, tuple[str, Any]] = {}
    iterator = iter(events)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, batch_size)):
            params: list[tuple[Any, ...]] = []
            for item in batch:
                event = item if isinstance(item, EncodedEvent) else encode_event(item)
                moment = now if event.recorded_at is None else event.recorded_at
                if moment not in moments:
                    moments[moment] = (_utc_iso(moment), ops.adapt_datetimefield_value(moment))
                iso, stored_moment = moments[moment]
                seq += 1
                encoded = _encoded_bytes(event, seq, prev, iso)
                this = hashlib.sha256(encoded).hexdigest()
                day = event.happened_on
                if day not in days:
                    days[day] = ops.adapt_datefield_value(day)
                params.append(
                    (
                        seq,
                        prev,
                        this,
                        event.candidate_id,
                        event.kind,
                        days[day],
                        stored_moment,
                        event.recorded_by_id,
                        event.payload_json
                        if as_text
                        else payload_field.get_db_prep_save(event.payload, connection),
                    )
                )
                prev = this
            cursor.executemany(sql, params)
    if seq != head.seq:
        ChainHead.objects.using(using).filter(pk=HEAD_ID).update(seq=seq, hash=prev)
    return Head(seq, prev)


def read_head(using: str = DEFAULT_DB_ALIAS) -> Head:
    """The head as stored (genesis when there is none yet), for printing its code on a sheet."""
    row = ChainHead.objects.using(using).filter(pk=HEAD_ID).values_list("seq", "hash").first()
    return Head(*row) if row is not None else Head(0, GENESIS_HASH)


# ---------------------------------------------------------------------------------------------
# Verifying


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first event that does not match, and why (Simplified Chinese)."""

    seq: int
    problem: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """`ok`, and when intact the number of events and the head code, otherwise the first problem."""

    ok: bool
    events: int
    head: str | None
    seq: int | None = None
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The `fazhan audit verify --json` document (spec/contracts.md section 5)."""
        if self.ok:
            return {"ok": True, "events": self.events, "head": self.head}
        return {"ok": False, "seq": self.seq, "problem": self.problem}


# Extra checks beyond the chain itself, each `(using) -> ChainProblem | None`. Step 6 (closed votes)
# registers one that recomputes the SHA-256 of each closed vote's sorted (ballot id, choice) list
# and compares it with the hash its tally event carries, naming the tally event's seq.
Verifier = Callable[[str], ChainProblem | None]
_VERIFIERS: list[Verifier] = []


def register_verifier(verifier: Verifier) -> Verifier:
    """Add a check to every `verify_chain` run (usable as a decorator); idempotent."""
    if verifier not in _VERIFIERS:
        _VERIFIERS.append(verifier)
    return verifier


def unregister_verifier(verifier: Verifier) -> None:
    """Remove a check added by `register_verifier` (for tests)."""
    if verifier in _VERIFIERS:
        _VERIFIERS.remove(verifier)


def _sequence_problem(expected: int, found: int) -> str:
    if found > expected:
        missing = str(expected) if found == expected + 1 else f"{expected}–{found - 1}"
        return f"序号不连续：缺少 {missing}（记录被删除）"
    return f"序号不连续：此处应为 {expected}，实为 {found}（序号被改动）"


Progress = Callable[[int], None]


def _walk(using: str, progress: Progress | None = None) -> tuple[int, str, ChainProblem | None]:
    """Walk the events in seq order; return (last seq, last hash, first problem or None).
    `progress(n)` is told the number of events checked every VERIFY_CHUNK events."""
    rows: Iterator[tuple[Any, ...]] = iter(
        Event.objects.using(using)
        .order_by("seq")
        .values_list(*_EVENT_COLUMNS)
        .iterator(chunk_size=VERIFY_CHUNK)
    )
    expected, prev = 1, GENESIS_HASH
    sha256, dumps = hashlib.sha256, json.dumps
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return expected - 1, prev, None
        except (ValueError, TypeError) as error:
            # A value the database layer cannot even convert (a date that is not a date): the
            # row after the last good one is the one being read.
            return expected - 1, prev, ChainProblem(expected, f"记录无法读取：{error}")
        seq, prev_hash, stored, candidate_id, kind, happened_on, recorded_at, by_id, payload = row
        if seq != expected:
            return expected - 1, prev, ChainProblem(expected, _sequence_problem(expected, seq))
        if prev_hash != prev:
            problem = "链接断裂：prev_hash 与上一事件不符（记录被删除或调换）"
            return expected - 1, prev, ChainProblem(seq, problem)
        # Inlined `canonical_bytes`: the same document, built without the keyword plumbing, as
        # verify is the hot loop (a test checks both agree).
        try:
            document = {
                "seq": seq,
                "prev_hash": prev_hash,
                "candidate_id": candidate_id,
                "kind": kind,
                "happened_on": happened_on.isoformat() if happened_on is not None else None,
                "recorded_at": recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
                "recorded_by_id": by_id,
                "payload": payload,
            }
            encoded = dumps(
                document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            ).encode("utf-8")
        except (AttributeError, TypeError, ValueError) as error:
            return expected - 1, prev, ChainProblem(seq, f"记录无法读取：{error}")
        if sha256(encoded).hexdigest() != stored:
            return expected - 1, prev, ChainProblem(seq, "内容与哈希不符（记录被修改）")
        expected, prev = seq + 1, stored
        if progress is not None and seq % VERIFY_CHUNK == 0:
            progress(seq)


def _head_problem(
    last_seq: int, last_hash: str, head: tuple[int, str] | None
) -> ChainProblem | None:
    """Compare the stored head with where the events end; a cut or added tail shows here."""
    if head is None:
        if last_seq == 0:
            return None
        return ChainProblem(1, f"链头缺失：有 {last_seq} 个事件，但没有链头记录（链头被删除）")
    head_seq, head_hash = head
    if head_seq > last_seq:
        return ChainProblem(
            last_seq + 1,
            f"链头记录到第 {head_seq} 号，但事件只到第 {last_seq} 号（末尾事件被删除）",
        )
    if head_seq < last_seq:
        return ChainProblem(
            head_seq + 1,
            f"第 {head_seq + 1}–{last_seq} 号事件在链头（第 {head_seq} 号）之后"
            "（末尾被追加了事件）",
        )
    if head_hash != last_hash:
        where = f"第 {last_seq} 号事件" if last_seq else "创世值"
        return ChainProblem(max(last_seq, 1), f"链头哈希与{where}不符（链头或末尾事件被改动）")
    return None


def _tables(using: str) -> set[str]:
    return set(connections[using].introspection.table_names())


def verify_chain(using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> VerifyResult:
    """Recompute the whole chain and the head; name the first event that does not match.

    Checked, in seq order: the sequence is gapless from 1, each `prev_hash` is the hash of the event
    before (64 zeros for the first), each hash is the SHA-256 of the event's canonical encoding;
    then the head row holds the last event's seq and hash; then each registered verifier. The
    problem with the smallest seq is reported. A database with no events and no head (or a head at
    0) is intact, and so is one where migrations never created the tables. `progress(n)`, when
    given, hears how many events were checked so far (the auditor's page shows it).
    """
    tables = _tables(using)
    has_events = Event._meta.db_table in tables
    has_head = ChainHead._meta.db_table in tables
    problems: list[ChainProblem] = []
    last_seq, last_hash = 0, GENESIS_HASH
    if has_events:
        last_seq, last_hash, walk_problem = _walk(using, progress)
        if walk_problem is not None:
            problems.append(walk_problem)
    head = (
        ChainHead.objects.using(using).filter(pk=HEAD_ID).values_list("seq", "hash").first()
        if has_head
        else None
    )
    if not problems:
        head_problem = _head_problem(last_seq, last_hash, head)
        if head_problem is not None:
            problems.append(head_problem)
    if has_events:
        for verifier in list(_VERIFIERS):
            found = verifier(using)
            if found is not None:
                problems.append(found)
    if problems:
        first = min(problems, key=lambda found: found.seq)
        return VerifyResult(False, last_seq, None, first.seq, first.problem)
    return VerifyResult(True, last_seq, head_code(last_hash))


def events_of(candidate_id: int, using: str = DEFAULT_DB_ALIAS) -> list[Event]:
    """A candidate's events in chain order (一人一档), through the (candidate_id, seq) index."""
    return list(Event.objects.using(using).filter(candidate_id=candidate_id).order_by("seq"))
