"""A file's part in the counts of contracts.md §8 for every date at once: the summary the
projection keeps (fazhan.people.summary), so that the counts at a date are one aggregate query.

`fazhan.policy.counts.file_count(file, start=, as_of=)` judges the record as it stood at the end of
`as_of`. That record (`effective_events`) only changes on the dates of the file's events and of
their corrections' replacements: between two such dates the stage, the organization and the
approvals are the same. So the file is judged once at each of these dates, and consecutive equal
judgements are merged into spans [valid_from, valid_to).

`start` (the first day of the period) only chooses which approving S17 counts: the first in the
record dated on or after `start`. Each approving S17 i of a span is kept with the range of starts
that choose it: after_i < start <= date_i, where after_i is the latest date of the approving S17s
before it in the record (none: any start up to date_i). So for a given (start, as_of) at most one
approval of a file counts, exactly the one `file_count` would take.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from fazhan.policy.counts import (
    NOTHING,
    POOL_STAGES,
    AttributesAt,
    Destination,
    FileCount,
    _passed_s15,
    org_at,
    recorded_destination,
    static_attributes,
    structure_flags,
)
from fazhan.policy.engine import effective_events, stage_at
from fazhan.policy.model import CORRECT, CandidateFile, Event
from fazhan.policy.targets import COUNT_KEYS

# valid_to of a span still open; after of an approval any start chooses.
OPEN_END = date.max
NO_BOUND = date.min


@dataclass(frozen=True, slots=True)
class Approval:
    """An approving S17 of a span: counted for starts in (after, approved_on]; `flags` are the
    twelve counts of §4 in COUNT_KEYS order (`activists` 0: it follows the stage)."""

    approved_on: date
    after: date
    flags: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Span:
    valid_from: date
    valid_to: date  # exclusive; OPEN_END for the span still in force
    stage: str
    org: int | None
    approvals: tuple[Approval, ...]

    def same(self, other: Span) -> bool:
        return (self.stage, self.org, self.approvals) == (other.stage, other.org, other.approvals)


def breakpoints(events: list[Event]) -> list[date]:
    """The dates on which the record as it stood may change."""
    days = {e.date for e in events}
    days |= {e.replacement.date for e in events if e.replacement is not None}
    return sorted(days)


def _approvals(record: list[Event], attributes: AttributesAt) -> tuple[Approval, ...]:
    found: list[Approval] = []
    latest: date | None = None
    for index, event in enumerate(record):
        if event.type != "S17" or event.result != "approved":
            continue
        if latest is None or latest < event.date:
            s15 = _passed_s15(record, index) or _passed_s15(record, len(record))
            day = s15.date if s15 is not None else event.date
            flags = structure_flags(attributes(day), s15)
            found.append(Approval(event.date, latest or NO_BOUND, flags))
        latest = event.date if latest is None else max(latest, event.date)
    return tuple(found)


# The event types a file's stage (fazhan.policy.engine's judge_stage), its organization
# (`org_at`) and its approvals (`_approvals`) read: a day adding none of them to a record that only
# grows (no correction) changes no span.
COUNTED_TYPES = frozenset(
    {"S03", "S07", "S15", "S17", "S23", "S24", "withdraw", "reject", "transfer-in"}
)


def _judged_records(file: CandidateFile) -> Iterator[tuple[date, list[Event]]]:
    """Each date on which the record as it stood may judge differently, with that record."""
    days = breakpoints(file.events)
    if any(event.type == CORRECT for event in file.events):
        for day in days:
            yield day, effective_events(file.events, day)
        return
    # Without a correction the record at a date is a prefix of the whole ordered record.
    whole = effective_events(file.events, date.max)
    ends = [event.date for event in whole]
    done = 0
    for day in days:
        upto = bisect_right(ends, day)
        added = whole[done:upto]
        if upto and (done == 0 or any(event.type in COUNTED_TYPES for event in added)):
            yield day, whole[:upto]
        done = upto


def file_spans(
    file: CandidateFile,
    *,
    org: int | None,
    destination: Destination = recorded_destination,
    attributes: AttributesAt | None = None,
) -> list[Span]:
    """The file's judgements over time (see the module); `org` is where it was opened."""
    source = attributes or static_attributes(file.person)
    judged: list[tuple[date, list[Event]]] = list(_judged_records(file))
    spans: list[Span] = []
    for position, (day, record) in enumerate(judged):
        end = judged[position + 1][0] if position + 1 < len(judged) else OPEN_END
        if not record:
            continue
        span = Span(
            day,
            end,
            stage_at(file, day, record),
            org_at(record, org, destination),
            _approvals(record, source),
        )
        if spans and spans[-1].valid_to == day and spans[-1].same(span):
            last = spans[-1]
            spans[-1] = Span(last.valid_from, end, last.stage, last.org, last.approvals)
        else:
            spans.append(span)
    return spans


def counted(spans: Sequence[Span], *, start: date, as_of: date) -> FileCount:
    """The file's part in the counts of `start` to `as_of`, read from its spans as the summary's
    aggregate reads them (fazhan.people.counts.report_counts): equal to `file_count`."""
    for span in spans:
        if span.valid_from <= as_of < span.valid_to:
            flags = list(NOTHING)
            for approval in span.approvals:
                if approval.after < start <= approval.approved_on <= as_of:
                    flags = list(approval.flags)
            flags[COUNT_KEYS.index("activists")] = int(span.stage in POOL_STAGES)
            return FileCount(span.stage, span.org, tuple(flags))
    return FileCount(None, None)
