"""The three signals (fazhan.policy.signals): overdue now, was late, irregular, each from the
engine's next steps and findings, at the boundary of the latest date."""

from __future__ import annotations

from datetime import date

from fazhan.policy.signals import is_overdue, signals
from tests.policy.files import document, judge

APPLIED = [{"type": "S01", "date": "2019-01-31"}]


def _signals_at(events: list[dict[str, str]], day: str):
    result = judge(document(events, as_of=day))
    return signals(result.next, result.findings, result.as_of)


def test_it_is_not_overdue_on_the_latest_date_itself():
    # 细则 art. 7: the talk within a month of the application, by 2019-02-28.
    found = _signals_at(APPLIED, "2019-02-28")
    assert found.next_due == date(2019, 2, 28)
    assert not found.overdue
    assert found.overdue_since is None


def test_it_is_overdue_the_day_after_the_latest_date():
    found = _signals_at(APPLIED, "2019-03-01")
    assert found.overdue
    assert found.overdue_steps == ("S02",)
    assert found.overdue_since == date(2019, 2, 28)


def test_it_counts_a_talk_held_late_as_was_late_and_not_as_overdue():
    events = [*APPLIED, {"type": "S02", "date": "2019-03-05"}]
    found = _signals_at(events, "2019-03-06")
    assert not found.overdue
    assert found.late == 1
    assert found.irregular == 0


def test_it_counts_an_activist_named_without_a_talk_as_irregular():
    events = [*APPLIED, {"type": "S03", "date": "2019-02-20"}]
    result = judge(document(events, as_of="2019-02-21"))
    found = signals(result.next, result.findings, result.as_of)
    assert found.irregular == result.count("violation") > 0
    assert found.late == result.count("late")


def test_it_gives_no_signal_to_a_file_in_time():
    found = _signals_at(APPLIED, "2019-02-01")
    assert not found.any


def test_it_reads_an_undated_deadline_as_never_overdue():
    assert not is_overdue(None, date(2030, 1, 1))
    assert not is_overdue(date(2030, 1, 1), date(2030, 1, 1))
    assert is_overdue(date(2030, 1, 1), date(2030, 1, 2))


def test_it_does_not_count_a_missing_talk_as_was_late_too():
    # The engine reports the missing talk as a late finding dated on its deadline (contracts §3):
    # that is the overdue signal, once.
    result = judge(document(APPLIED, as_of="2019-03-01"))
    assert result.count("late") == 1
    found = signals(result.next, result.findings, result.as_of)
    assert found.overdue and found.late == 0
