"""`fazhan audit verify` for closed votes (spec/contracts.md §5; DESIGN principles 2 and 7).

For every closed (or void) motion: its `meeting.tally` chain event exists and names it; the
SHA-256 of its sorted (ballot id, choice) list, recomputed from the cast ballots now in the
database, equals the hash the event carries; the tally stored on the motion equals the event's
counts and result; and the chain head recorded for the result sheet is the hash of the event the
close ended on. Every tally event must also find its motion closed. The problem reported names
the tally event's seq, so that a changed ballot or count points at the vote it belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connections
from django.db.models import Q

from fazhan.audit.chain import ChainProblem
from fazhan.audit.models import Event
from fazhan.meetings.models import TALLIED, AgendaItem, CastBallot, ItemStatus
from fazhan.meetings.tally import VOID, ballots_digest

TALLY_KIND = "meeting.tally"


def _problem(item: AgendaItem, seq: int, what: str) -> ChainProblem:
    return ChainProblem(seq, f"支部大会表决（事项 #{item.pk}）：{what}")


def _check_item(
    item: AgendaItem, event: Event | None, ballots: list[tuple[Any, str]], heads: dict[int, str]
) -> ChainProblem | None:
    seq = item.tally_seq
    if seq is None:
        return _problem(item, item.step_seq or 1, "已宣布结果但没有计票事件（计票事件编号被删除）")
    if event is None or event.payload.get("item_id") != item.pk:
        return _problem(item, seq, "计票事件不存在或不属于该事项（计票记录被改动）")
    payload = event.payload
    if item.status not in TALLIED:
        return _problem(item, seq, "已计票的事项被改回未结束状态")
    if ballots_digest(ballots) != payload.get("ballots_sha256"):
        return _problem(item, seq, "电子选票与计票事件中的哈希不符（选票被改动、增加或删除）")
    if item.ballots_sha256 != payload.get("ballots_sha256"):
        return _problem(item, seq, "保存的选票哈希与计票事件不符")
    if item.tally != payload.get("counts") or item.result != (payload.get("result") or ""):
        return _problem(item, seq, "保存的计票结果与计票事件不符（票数或结果被改动）")
    if (item.status == ItemStatus.VOID) != (item.result == VOID):
        return _problem(item, seq, "事项状态与计票结果不符")
    head_seq = item.step_seq or seq
    if heads.get(head_seq) != item.head_hash:
        return _problem(item, seq, "表决结果报告单上的链头校验码与审计链不符")
    return None


def verify_closed_votes(using: str) -> ChainProblem | None:
    """The registered verifier: the first problem (smallest seq) among closed votes, or None."""
    if AgendaItem._meta.db_table not in connections[using].introspection.table_names():
        return None
    events = {e.seq: e for e in Event.objects.using(using).filter(kind=TALLY_KIND)}
    items = list(
        AgendaItem.objects.using(using).filter(Q(status__in=TALLIED) | Q(tally_seq__isnull=False))
    )
    if not items and not events:
        return None
    ballots: dict[int, list[tuple[Any, str]]] = defaultdict(list)
    rows = (
        CastBallot.objects.using(using)
        .filter(item_id__in=[i.pk for i in items])
        .values_list("item_id", "id", "choice")
        .iterator(chunk_size=5000)
    )
    for item_id, ballot_id, choice in rows:
        ballots[item_id].append((ballot_id, choice))
    head_seqs = {i.step_seq or i.tally_seq for i in items} - {None}
    heads = dict(Event.objects.using(using).filter(seq__in=head_seqs).values_list("seq", "hash"))
    problems: list[ChainProblem] = []
    seen: set[int] = set()
    for item in items:
        event = events.get(item.tally_seq) if item.tally_seq is not None else None
        if event is not None:
            seen.add(event.seq)
        found = _check_item(item, event, ballots[item.pk], heads)
        if found is not None:
            problems.append(found)
    for seq, event in events.items():
        if seq not in seen:
            problems.append(
                ChainProblem(
                    seq,
                    f"支部大会表决（事项 #{event.payload.get('item_id')}）："
                    "计票事件所指的事项不存在或未结束（事项被删除或改动）",
                )
            )
    return min(problems, key=lambda p: p.seq) if problems else None
